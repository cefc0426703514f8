"""DRF adapters for who may use the missions API. The rules themselves are the scoped querysets
(``Indicator.objects.visible_to`` / ``writable_by``) and the services; these classes only gate the
request before a view looks anything up. Public reads use ``portal.rest.permissions``'s
``PublicReadPartnerOrStaffWrite``."""

from portal.permissions import can_view_dashboard
from portal.rest.permissions import ScopedPermission, request_token


class CommissionerStaffOnly(ScopedPermission):
    """Signed-in commissioner staff only. No partner scope grants it."""

    def has_permission(self, request, view) -> bool:
        if request_token(request) is not None:
            self.message = "Partner tokens cannot use this endpoint: it is for commissioner staff."
            return False
        self.message = "Only commissioner staff can use this endpoint."
        return bool(request.user and can_view_dashboard(request.user))
