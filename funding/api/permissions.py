"""DRF adapters for who may use the funding API. Which opportunities and deals a writer may change
is decided by ``funding.permissions`` (``opportunities_writable_by``, ``can_publish_opportunity``,
``investments_writable_by``)."""

from rest_framework.permissions import SAFE_METHODS

from portal.rest.permissions import PartnerScopeOrUser, PublicReadPartnerOrStaffWrite, request_token

from ..permissions import can_manage_investments


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


class PartnerScopeOrStaff(PartnerScopeOrUser):
    """The investment register: a partner token needs ``read`` to read and ``investments:write``
    to write; of signed-in people only commissioner staff use it; nobody else."""

    def has_permission(self, request, view) -> bool:
        allowed = super().has_permission(request, view)
        if request_token(request) is not None:
            return allowed
        self.message = "Only commissioner staff, and partners' API clients, use the investment register."
        return allowed and can_manage_investments(request.user)
