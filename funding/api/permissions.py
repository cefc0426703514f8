"""DRF adapters for who may use the funding API. Which opportunities a writer may change is decided
by ``funding.permissions`` (``opportunities_writable_by``, ``can_publish_opportunity``)."""

from rest_framework.permissions import SAFE_METHODS

from portal.rest.permissions import PublicReadPartnerOrStaffWrite, request_token


class PublicReadFunderOrStaffWrite(PublicReadPartnerOrStaffWrite):
    """Anyone reads the catalogue (a token needs ``read``); a token writes with
    ``opportunities:write``; of signed-in users only commissioner staff write."""

    def has_permission(self, request, view) -> bool:
        allowed = super().has_permission(request, view)
        if not allowed and request_token(request) is None and request.method not in SAFE_METHODS:
            self.message = (
                "Only commissioner staff, and funder partners with the opportunities:write scope, "
                "publish funding opportunities."
            )
        return allowed
