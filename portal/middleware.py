"""Request middleware of the portal core."""

import threading
import time
from collections import OrderedDict

from allauth.usersessions.internal import usersessionkit
from allauth.usersessions.middleware import UserSessionsMiddleware as AllauthUserSessionsMiddleware
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


class UserSessionsMiddleware(AllauthUserSessionsMiddleware):
    """allauth's session tracking (``USERSESSIONS_TRACK_ACTIVITY``): the session's last activity,
    address and browser, shown on the person's sessions page. allauth's own middleware writes the
    row on every signed-in request (a read and an update in a transaction, as much again as the
    rest of a cached page); this one writes it at most once every ``INTERVAL`` seconds per session
    and web process, timed in memory, so most requests run no extra query. A session is recorded
    when its person signs in (allauth's signal); here it is only kept current, from a process's
    first request of it plus ``INTERVAL`` on (a session signed in before sessions were recorded
    is listed from then). "Last active" is therefore right to within a minute or two. Sessions are
    ended elsewhere (deleted), never here."""

    INTERVAL = 60.0
    REMEMBERED = 10_000  # sessions remembered per process; the oldest are forgotten first

    def __init__(self, get_response) -> None:
        super().__init__(get_response)
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def _due(self, session_key: str) -> bool:
        """Whether this request should record the session's activity: not on the process's first
        sight of it (its sign-in just recorded it), then once every ``INTERVAL`` seconds."""
        now = time.monotonic()
        with self._lock:
            first_seen = session_key not in self._seen
            if not first_seen and now - self._seen[session_key] < self.INTERVAL:
                return False
            self._seen[session_key] = now
            self._seen.move_to_end(session_key)
            while len(self._seen) > self.REMEMBERED:
                self._seen.popitem(last=False)
        return not first_seen

    def __call__(self, request):
        session = getattr(request, "session", None)
        session_key = session.session_key if session is not None else None
        # The key is checked first: reading request.user loads the session and the user.
        if session_key and self._due(session_key):
            usersessionkit.track_activity(request, user=getattr(request, "user", None), session=session)
        return self.get_response(request)
