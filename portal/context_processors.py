"""Template context shared by every page."""

from django.urls import reverse

from .roles import Role, user_has_role


def navigation(request) -> dict:
    """Header navigation for the signed-in user's roles."""
    user = getattr(request, "user", None)
    items = [("Home", reverse("portal:home"))]
    if user is not None and user.is_authenticated:
        if user.is_superuser or user_has_role(user, Role.STAFF):
            items.append(("Dashboard", reverse("portal:dashboard")))
            items.append(("API credentials", reverse("portal:credential-list")))
        items.append(("Account", reverse("account_email")))
    items.append(("API", reverse("api-docs")))
    path = request.path
    nav = []
    for label, url in items:
        active = path == url if url == "/" else path.startswith(url)
        nav.append({"label": label, "url": url, "active": active})
    return {"nav_items": nav}
