"""Ambassador profiles: what the ambassador keeps up themselves (country, city, sectors, expertise,
languages, bio, public-profile consent) and what staff decide (term dates, pausing, retiring)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_countries import countries

from portal.models import Sector, User
from portal.page_cache import data_version_bump

from ..models import Ambassador, AmbassadorSector
from ..permissions import ambassador_of, can_act_as_ambassador, can_manage_ambassadors

# The fields an ambassador changes on their own profile (sectors are rows of their own).
PROFILE_FIELDS = ("country", "city", "expertise", "languages", "bio", "public_profile")

# Staff moves between statuses; "invited" is left only by accepting the invitation.
STATUS_MOVES = {
    (Ambassador.Status.ACTIVE, Ambassador.Status.PAUSED),
    (Ambassador.Status.PAUSED, Ambassador.Status.ACTIVE),
    (Ambassador.Status.ACTIVE, Ambassador.Status.RETIRED),
    (Ambassador.Status.PAUSED, Ambassador.Status.RETIRED),
}


def _sectors_set(ambassador: Ambassador, codes: Iterable[str]) -> None:
    """Make the ambassador's sector rows exactly ``codes``: delete the rest, add what is missing."""
    wanted = set(codes)
    AmbassadorSector.objects.filter(ambassador=ambassador).exclude(sector__in=wanted).delete()
    have = set(AmbassadorSector.objects.filter(ambassador=ambassador).values_list("sector", flat=True))
    AmbassadorSector.objects.bulk_create(
        AmbassadorSector(ambassador=ambassador, sector=code) for code in sorted(wanted - have)
    )


@transaction.atomic
def ambassador_profile_update(*, ambassador: Ambassador, actor: User, data: dict, sectors: Iterable[str]) -> Ambassador:
    """The ambassador's own profile: ``data`` holds ``PROFILE_FIELDS`` (others are ignored) and
    ``sectors`` the tech sectors they cover, replacing the previous ones. A change of consent is
    stamped in ``public_profile_changed_at``; withdrawing consent takes the profile off every public
    page and the API at the same commit.

    Raises PermissionDenied unless ``actor`` is this ambassador and active; ValidationError naming
    each field at once: a country from ISO 3166, at least one sector of the taxonomy (not "Not tech").
    """
    if ambassador_of(actor) is None or ambassador_of(actor).pk != ambassador.pk or not can_act_as_ambassador(actor):
        raise PermissionDenied("Only the ambassador edits their own profile, while active.")
    sectors = list(dict.fromkeys(sectors))
    errors = {}
    country = str(data.get("country") or "")
    if not country:
        errors["country"] = "Choose the country you live and work in"
    elif country not in dict(countries):
        errors["country"] = "Choose a country from the list"
    allowed = set(Sector.values) - {Sector.NON_TECH}
    if not sectors:
        errors["sectors"] = "Choose at least one sector you cover"
    elif set(sectors) - allowed:
        errors["sectors"] = "Choose sectors from the list"
    if errors:
        raise ValidationError(errors)
    ambassador = Ambassador.objects.select_for_update().get(pk=ambassador.pk)
    consent_before = ambassador.public_profile
    for field in PROFILE_FIELDS:
        if field in data:
            value = data[field]
            setattr(ambassador, field, value.strip() if isinstance(value, str) else value)
    if ambassador.public_profile != consent_before:
        ambassador.public_profile_changed_at = timezone.now()
    ambassador.save(update_fields=[*PROFILE_FIELDS, "public_profile_changed_at", "updated_at"])
    _sectors_set(ambassador, sectors)
    data_version_bump("ambassadors")
    return ambassador


@transaction.atomic
def ambassador_term_update(
    *,
    ambassador: Ambassador,
    actor: User,
    full_name: str,
    term_starts_on: datetime.date | None,
    term_ends_on: datetime.date | None,
) -> Ambassador:
    """Staff set the name and the term dates (either may be empty). Raises PermissionDenied unless
    staff; ValidationError when the term ends before it starts, or the name is empty."""
    if not can_manage_ambassadors(actor):
        raise PermissionDenied("Only commissioner staff change an ambassador's term.")
    errors = {}
    if not full_name.strip():
        errors["full_name"] = "Enter the ambassador's full name"
    if term_starts_on and term_ends_on and term_ends_on < term_starts_on:
        errors["term_ends_on"] = "The term must end on or after the day it starts"
    if errors:
        raise ValidationError(errors)
    ambassador = Ambassador.objects.select_for_update().get(pk=ambassador.pk)
    ambassador.full_name = full_name.strip()
    ambassador.term_starts_on = term_starts_on
    ambassador.term_ends_on = term_ends_on
    ambassador.save(update_fields=["full_name", "term_starts_on", "term_ends_on", "updated_at"])
    data_version_bump("ambassadors")
    return ambassador


@transaction.atomic
def ambassador_status_change(*, ambassador: Ambassador, actor: User, to_status: str) -> Ambassador:
    """Staff pause an active ambassador, resume a paused one, or retire either (``STATUS_MOVES``).
    A paused ambassador still reads the portal and their leads but logs nothing new; a retired one
    no longer reaches the portal and leaves the public directory. Retiring ends the term today
    unless it already ended.

    Idempotent when already in ``to_status``. Raises PermissionDenied unless staff; ValidationError
    for any other move (an invited profile changes only by accepting its invitation)."""
    if not can_manage_ambassadors(actor):
        raise PermissionDenied("Only commissioner staff pause or retire ambassadors.")
    ambassador = Ambassador.objects.select_for_update().get(pk=ambassador.pk)
    if ambassador.status == to_status:
        return ambassador
    if (ambassador.status, to_status) not in STATUS_MOVES:
        raise ValidationError(
            f"An ambassador who is {ambassador.get_status_display().lower()} cannot be made "
            f"{Ambassador.Status(to_status).label.lower()}."
        )
    ambassador.status = to_status
    fields = ["status", "updated_at"]
    if to_status == Ambassador.Status.RETIRED:
        today = timezone.localdate()
        if ambassador.term_ends_on is None or ambassador.term_ends_on > today:
            ambassador.term_ends_on = max(today, ambassador.term_starts_on or today)
            fields.append("term_ends_on")
    ambassador.save(update_fields=fields)
    data_version_bump("ambassadors")
    return ambassador
