"""Template context shared by every page."""

from django.conf import settings
from django.urls import reverse

from .roles import Role, user_has_role


def navigation(request) -> dict:
    """Header navigation for the signed-in user's roles."""
    user = getattr(request, "user", None)
    items = [("Home", reverse("portal:home")), ("Missions", reverse("missions:mission-list"))]
    if user is not None and user.is_authenticated:
        if user.is_superuser or user_has_role(user, Role.STAFF):
            items.append(("Dashboard", reverse("portal:dashboard")))
            items.append(("API credentials", reverse("portal:credential-list")))
        items.append(("Account", reverse("account_email")))
    items.append(("API", reverse("api-docs")))
    path = request.path
    if path.startswith("/indicators/"):  # indicator pages belong to the Missions section
        path = reverse("missions:mission-list")
    nav = []
    for label, url in items:
        # The longest matching prefix wins, so the credentials page does not also light up Dashboard.
        active = url == max(
            (u for _, u in items if path == u or (u != "/" and path.startswith(u))), key=len, default=None
        )
        nav.append({"label": label, "url": url, "active": active})
    return {"nav_items": nav, "portal_contact_email": settings.PORTAL_CONTACT_EMAIL}
