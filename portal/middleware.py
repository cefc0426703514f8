"""Request middleware of the portal core."""

from django.conf import settings
from django.shortcuts import redirect

from .roles import user_has_role

# Paths a user without MFA may still reach: to set it up, sign out, or read public pages' assets.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


def mfa_is_set_up(user) -> bool:
    """Whether the user has TOTP; read with the user by ``portal.auth_backends`` when it can be."""
    from allauth.mfa.models import Authenticator

    cached = getattr(user, "_totp_cache", None)
    if cached is not None:
        return cached
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MfaRequiredMiddleware:
    """Send staff, reviewers and ambassadors to TOTP set-up until they have it.

    Until then the only pages they can reach are the account pages (to set up MFA or sign out).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and (user.is_superuser or user_has_role(user, *settings.MFA_REQUIRED_ROLES))
            and not mfa_is_set_up(user)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "type": "client_error",
                        "errors": [
                            {"code": "mfa_required", "detail": "Set up two-factor authentication first.", "attr": None}
                        ],
                    },
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
