"""Request middleware of the portal core."""

from django.forms import BaseForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from .exceptions import BrokerUnavailableError
from .roles import mfa_is_required

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
            and mfa_is_required(user)
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


class BrokerUnavailableMiddleware:
    """Answer a page whose action could not start its background job (``BrokerUnavailableError``)
    with a 503 that says so, ``Retry-After`` and a way back, instead of a 500. The API answers the
    same error itself (``portal.rest.errors.ExceptionHandler``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, BrokerUnavailableError):
            return None
        back_url = request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(back_url, {request.get_host()}, require_https=request.is_secure()):
            back_url = "/"
        response = render(request, "503.html", {"message": str(exception), "back_url": back_url}, status=503)
        response["Retry-After"] = str(exception.retry_after)
        return response


class AccountFormErrorStatusMiddleware:
    """Answer a submitted allauth form that is shown again with errors with 400, as the portal's
    own forms do: allauth's views answer 200. Only the status changes; the page is the same. (A
    page that explains on arrival why it cannot be used, such as turning off two-factor
    authentication for staff, is a GET and stays 200.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        if request.method == "POST" and request.path.startswith("/accounts/") and response.status_code == 200:
            context = response.context_data or {}
            if any(isinstance(value, BaseForm) and value.is_bound and value.errors for value in context.values()):
                response.status_code = 400
        return response
