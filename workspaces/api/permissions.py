"""DRF adapters for who may use the workspaces API. What a user sees is decided by the scoped
queryset (``Application.objects.visible_to``); these classes only gate the request."""

from portal.rest.permissions import ScopedPermission, request_token


class SignedInUserOnly(ScopedPermission):
    """A signed-in user's session. Applications belong to people, so a partner token, which
    carries no user, is refused whatever its scopes."""

    def has_permission(self, request, view) -> bool:
        if request_token(request) is not None:
            self.message = "Partner tokens cannot read applications: they belong to the people who made them."
            return False
        self.message = "Sign in to read applications."
        return bool(request.user and request.user.is_authenticated)
