"""Permission rules of the ambassadors app. Plain functions; views, DRF classes and querysets adapt
them. Reads of a guarded record go through the querysets' ``visible_to(user)`` scopes, so another
ambassador's lead or activity is a 404, not a 403."""

from __future__ import annotations

from portal.roles import Role, is_staff, user_has_role


def ambassador_of(user):
    """The ambassador profile of ``user``, or ``None`` (signed out, no profile, or not yet accepted)."""
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "ambassador", None)


def can_use_ambassador_portal(user) -> bool:
    """Ambassadors who accepted their invitation and are not retired use the portal (a paused
    ambassador still reads it and their leads, but logs nothing new)."""
    ambassador = ambassador_of(user)
    return user_has_role(user, Role.AMBASSADOR) and ambassador is not None and ambassador.status in ("active", "paused")


def can_act_as_ambassador(user) -> bool:
    """Only an active ambassador logs activities, refers leads and edits their profile."""
    ambassador = ambassador_of(user)
    return can_use_ambassador_portal(user) and ambassador.status == "active"


def can_manage_ambassadors(user) -> bool:
    """Staff invite, pause and retire ambassadors, publish briefings and set target markets."""
    return is_staff(user)


def can_manage_leads(user) -> bool:
    """Staff qualify leads and move them through the pipeline."""
    return is_staff(user)


def can_read_briefings(user) -> bool:
    """Ambassadors using the portal read the briefings addressed to them; staff read every one.
    Which briefings is decided by ``Briefing.objects.visible_to(user)``."""
    return can_use_ambassador_portal(user) or is_staff(user)
