"""DRF adapters for the portal's permission rules and partner scopes."""

from oauth2_provider.models import AccessToken
from rest_framework.permissions import SAFE_METHODS, BasePermission

from ..permissions import can_view_dashboard

TOKEN_SCOPE_MESSAGE = "This token does not have the scope this request needs."


def request_token(request) -> AccessToken | None:
    """The OAuth2 access token the request was authenticated with, if any."""
    return request.auth if isinstance(request.auth, AccessToken) else None


class ScopedPermission(BasePermission):
    """A permission that names the scope a partner token needs for each method: ``token_scope``.
    The rule and the schema are one: each operation's OAuth2 security requirement is read from
    it (``portal.rest.schema.PartnerOAuth2Scheme``), and a view whose permissions do not say
    fails the schema's validation. This base refuses tokens (records that belong to people)."""

    def token_scope(self, method: str, view) -> str | None:
        """The scope a token needs for ``method`` on ``view``; None when no token may."""
        return None

    def token_allows(self, token: AccessToken, request, view) -> bool:
        scope = self.token_scope(request.method, view)
        return bool(scope) and token.is_valid([scope])


class ReadOrWriteScope(ScopedPermission):
    """``read`` for safe methods, the view's ``write_scope`` otherwise (a view without one takes
    no writes from tokens)."""

    def token_scope(self, method: str, view) -> str | None:
        return "read" if method in SAFE_METHODS else getattr(view, "write_scope", None)


class PartnerScopeOrUser(ReadOrWriteScope):
    """A partner token needs the view's scope for the method (``read`` for safe methods, the view's
    ``write_scope`` otherwise); a signed-in user passes here and is judged by the view's scoped
    queryset and object rules."""

    message = TOKEN_SCOPE_MESSAGE

    def has_permission(self, request, view) -> bool:
        token = request_token(request)
        if token is not None:
            return self.token_allows(token, request, view)
        return bool(request.user and request.user.is_authenticated)


class PublicReadPartnerOrStaffWrite(ReadOrWriteScope):
    """Public data is open data: anyone may read, signed in or not, and the view's scoped queryset
    decides what they see. A partner token still needs ``read`` to read and the view's
    ``write_scope`` to write; of signed-in users only commissioner staff write."""

    def has_permission(self, request, view) -> bool:
        token = request_token(request)
        if token is not None:
            self.message = TOKEN_SCOPE_MESSAGE
            return self.token_allows(token, request, view)
        if request.method in SAFE_METHODS:
            # Credentials that did not authenticate (an expired token) are refused, not read as
            # anonymous: the client would see the public data only and think its own had gone.
            return "HTTP_AUTHORIZATION" not in request.META or bool(request.user and request.user.is_authenticated)
        self.message = "Only commissioner staff and the partner organisation that owns an indicator submit its values."
        return bool(request.user and can_view_dashboard(request.user))


class PartnerReadOrStaff(ScopedPermission):
    """A partner token with ``read`` (the view scopes the rows to its organisation), or a signed-in
    member of staff. Nobody else; the view itself takes no writes (405)."""

    def token_scope(self, method: str, view) -> str | None:
        return "read" if method in SAFE_METHODS else None

    def has_permission(self, request, view) -> bool:
        token = request_token(request)
        if token is not None:
            self.message = TOKEN_SCOPE_MESSAGE
            return token.is_valid(["read"])
        self.message = "Only commissioner staff and partner API clients read the log of API writes."
        return bool(request.user and can_view_dashboard(request.user))
