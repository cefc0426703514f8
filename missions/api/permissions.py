"""DRF adapters for who may use the missions API. The rules themselves are the scoped querysets
(``Indicator.objects.visible_to`` / ``writable_by``) and the services; these classes only gate the
request before a view looks anything up."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.permissions import can_view_dashboard
from portal.rest.permissions import request_token


class PublicReadPartnerOrStaffWrite(BasePermission):
    """Public data is open data: anyone may read, signed in or not, and the view's scoped queryset
    decides what they see. A partner token still needs ``read`` to read and the view's
    ``write_scope`` to write; of signed-in users only commissioner staff write."""

    def has_permission(self, request, view) -> bool:
        token = request_token(request)
        if token is not None:
            scope = "read" if request.method in SAFE_METHODS else getattr(view, "write_scope", None)
            self.message = "This token does not have the scope this request needs."
            return bool(scope) and token.is_valid([scope])
        if request.method in SAFE_METHODS:
            # Credentials that did not authenticate (an expired token) are refused, not read as
            # anonymous: the client would see the public data only and think its own had gone.
            return "HTTP_AUTHORIZATION" not in request.META or bool(request.user and request.user.is_authenticated)
        self.message = "Only commissioner staff and the partner organisation that owns an indicator submit its values."
        return bool(request.user and can_view_dashboard(request.user))


class CommissionerStaffOnly(BasePermission):
    """Signed-in commissioner staff only. No partner scope grants it."""

    def has_permission(self, request, view) -> bool:
        if request_token(request) is not None:
            self.message = "Partner tokens cannot use this endpoint: it is for commissioner staff."
            return False
        self.message = "Only commissioner staff can use this endpoint."
        return bool(request.user and can_view_dashboard(request.user))
