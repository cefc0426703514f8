"""Template context shared by every page."""

import functools

from django.conf import settings
from django.urls import reverse

from .roles import Role, is_staff, user_has_role


@functools.cache
def _url(name: str) -> str:
    """A URL without arguments, reversed once per process (the URLconf does not change)."""
    return reverse(name)


# The layout's fixed links and assets, looked up once per process instead of on every page.
LAYOUT_URLS = {
    "home": "portal:home",
    "login": "account_login",
    "signup": "account_signup",
    "logout": "account_logout",
    "feedback": "portal:feedback",
    "accessibility": "portal:accessibility",
    "privacy": "portal:privacy",
}
LAYOUT_ASSETS = {
    "favicon": "build/favicon.svg",
    "css": "build/portal.css",
    "js_enabled": "build/portal-js-enabled.js",
    "init": "build/portal-init.mjs",
    "htmx": "build/htmx.min.js",
}


@functools.cache
def _layout() -> tuple[dict, dict]:
    from django.templatetags.static import static

    return (
        {key: _url(name) for key, name in LAYOUT_URLS.items()},
        {key: static(path) for key, path in LAYOUT_ASSETS.items()},
    )


def navigation(request) -> dict:
    """Header navigation for the signed-in user's roles."""
    user = getattr(request, "user", None)
    items = [
        ("Home", _url("portal:home")),
        ("Missions", _url("missions:mission-list")),
        ("Workspaces", _url("workspaces:workspace-list")),
        ("Funding", _url("funding:opportunity-list")),
        ("Ambassadors", _url("ambassadors:directory")),
    ]
    if user is not None and user.is_authenticated:
        if user_has_role(user, Role.FOUNDER):
            items.append(("Your applications", _url("workspaces:application-list")))
        if user_has_role(user, Role.AMBASSADOR):
            items.append(("Ambassador portal", _url("ambassadors:home")))
        if is_staff(user):
            items.append(("Dashboard", _url("portal:dashboard")))
            items.append(("Ambassador network", _url("ambassadors:network-list")))
            items.append(("Leads", _url("ambassadors:lead-pipeline")))
        if is_staff(user) or user_has_role(user, Role.REVIEWER):
            items.append(("Review queue", _url("workspaces:review-queue")))
        if is_staff(user):
            items.append(("API credentials", _url("portal:credential-list")))
        items.append(("Account", _url("account_email")))
    items.append(("API", _url("api-docs")))
    path = request.path
    if path.startswith("/indicators/"):  # indicator pages belong to the Missions section
        path = _url("missions:mission-list")
    nav = []
    for label, url in items:
        # The longest matching prefix wins, so the credentials page does not also light up Dashboard.
        active = url == max(
            (u for _, u in items if path == u or (u != "/" and path.startswith(u))), key=len, default=None
        )
        nav.append({"label": label, "url": url, "active": active})
    layout_urls, layout_assets = _layout()
    return {
        "nav_items": nav,
        "portal_contact_email": settings.PORTAL_CONTACT_EMAIL,
        "layout_urls": layout_urls,
        "layout_assets": layout_assets,
    }
