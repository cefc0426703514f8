"""The portal's absolute address for links in emails.

``SITE_URL`` when it is set (production requires it). In development it may be left unset: a link
made while serving a request then uses the address that request came to (so a server on another
port mails links to itself), and one made with no request (a scheduled job) uses
``DEVELOPMENT_SITE_URL``. Work queued from a request takes the address with it as an argument
(``workspaces.services`` passes it to the email task), because the worker has no request.
"""

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import DisallowedHost

DEVELOPMENT_SITE_URL = "http://127.0.0.1:8000"

_request_base: ContextVar[str | None] = ContextVar("request_base", default=None)


def site_url() -> str:
    """The absolute address of the portal's root, with no trailing slash."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    return _request_base.get() or DEVELOPMENT_SITE_URL


class RequestSiteUrlMiddleware:
    """Remember the address each request came to, for ``site_url`` while it is served. Only the
    scheme and a host that passed ``ALLOWED_HOSTS`` are kept; a disallowed host leaves it unset."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        base = None
        if not settings.SITE_URL:
            try:
                base = f"{request.scheme}://{request.get_host()}"
            except DisallowedHost:  # Django answers 400 for it later
                base = None
        token = _request_base.set(base)
        try:
            return self.get_response(request)
        finally:
            _request_base.reset(token)
