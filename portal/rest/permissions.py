"""DRF adapters for the portal's permission rules and partner scopes."""

from oauth2_provider.models import AccessToken
from rest_framework.permissions import SAFE_METHODS, BasePermission


def request_token(request) -> AccessToken | None:
    """The OAuth2 access token the request was authenticated with, if any."""
    return request.auth if isinstance(request.auth, AccessToken) else None


class PartnerScopeOrUser(BasePermission):
    """A partner token needs the view's scope for the method (``read`` for safe methods, the view's
    ``write_scope`` otherwise); a signed-in user passes here and is judged by the view's scoped
    queryset and object rules."""

    message = "This token does not have the scope this request needs."

    def has_permission(self, request, view) -> bool:
        token = request_token(request)
        if token is not None:
            scope = "read" if request.method in SAFE_METHODS else getattr(view, "write_scope", None)
            return bool(scope) and token.is_valid([scope])
        return bool(request.user and request.user.is_authenticated)
