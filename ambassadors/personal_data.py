"""The personal data of the ambassadors app: an ambassador's profile, activities and the leads
they referred, in the download of their data; and what deleting their account does to them.

The network's indicators count activities (active ambassadors and the countries they cover) and
landed leads (credited to the ambassador who referred them), so those stay: the profile is retired,
leaves the public directory and loses the name and everything the ambassador wrote about themselves
(city, expertise, languages, bio), the activities lose their notes, and the invitations their email
address; the country and sectors stay, as the indicators read them. Leads are the office's records
of firms and stay as they are, credited to "Former ambassador". Registered with the core's
``portal.personal_data`` in ``AmbassadorsConfig.ready()``.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from portal.models import User
from portal.page_cache import data_version_bump
from portal.personal_data import PersonalDataSection, deleted_email

from .models import Activity, Ambassador, AmbassadorSector, Invitation, Lead

FORMER_AMBASSADOR_NAME = "Former ambassador"


@transaction.atomic
def ambassador_anonymise(*, ambassador: Ambassador) -> Ambassador:
    """Retire ``ambassador`` (the term ends today unless it already ended) and remove what
    identifies them: the name, city, expertise, languages, bio and public-profile consent, their
    activities' notes and their invitations' email address; the country, sectors, activities and
    leads stay for the network's figures. Locks the row; idempotent."""
    ambassador = Ambassador.objects.select_for_update().get(pk=ambassador.pk)
    today = timezone.localdate()
    if ambassador.term_ends_on is None or ambassador.term_ends_on > today:
        ambassador.term_ends_on = max(today, ambassador.term_starts_on or today)
    if ambassador.public_profile:
        ambassador.public_profile_changed_at = timezone.now()
    ambassador.status = Ambassador.Status.RETIRED
    ambassador.full_name = FORMER_AMBASSADOR_NAME
    ambassador.city = ambassador.expertise = ambassador.languages = ambassador.bio = ""
    ambassador.public_profile = False
    ambassador.save(
        update_fields=[
            "status",
            "term_ends_on",
            "full_name",
            "city",
            "expertise",
            "languages",
            "bio",
            "public_profile",
            "public_profile_changed_at",
            "updated_at",
        ]
    )
    Activity.objects.filter(ambassador=ambassador).exclude(notes="").update(notes="")
    if ambassador.user_id is not None:
        Invitation.objects.filter(ambassador=ambassador).update(email=deleted_email(ambassador.user_id))
    data_version_bump("ambassadors")  # the directory, the network list and the map name them
    return ambassador


@transaction.atomic
def ambassador_erase(*, user: User) -> None:
    """An account's deletion: the ambassador profile of ``user``, if any, is anonymised
    (``ambassador_anonymise``). Idempotent."""
    ambassador = Ambassador.objects.filter(user=user).first()
    if ambassador is not None:
        ambassador_anonymise(ambassador=ambassador)


def ambassador_export(*, user: User) -> dict | None:
    """``user``'s ambassador profile with their sectors, their activities and the leads they
    referred (with where each stands and, once landed, the jobs and capital credited to them);
    None when they are not an ambassador. Four queries whatever the number of rows."""
    ambassador = (
        Ambassador.objects.filter(user=user)
        .prefetch_related(
            Prefetch("sectors", queryset=AmbassadorSector.objects.order_by("sector")),
            Prefetch(
                "activities", queryset=Activity.objects.select_related("organisation").order_by("occurred_on", "pk")
            ),
            Prefetch("leads", queryset=Lead.objects.order_by("created_at", "pk")),
        )
        .first()
    )
    if ambassador is None:
        return None
    return {
        "full_name": ambassador.full_name,
        "status": ambassador.get_status_display(),
        "country": ambassador.country.name if ambassador.country else "",
        "city": ambassador.city,
        "sectors": [row.get_sector_display() for row in ambassador.sectors.all()],
        "expertise": ambassador.expertise,
        "languages": ambassador.languages,
        "bio": ambassador.bio,
        "public_profile": ambassador.public_profile,
        "term_starts_on": ambassador.term_starts_on,
        "term_ends_on": ambassador.term_ends_on,
        "activities": [
            {
                "kind": activity.get_kind_display(),
                "date": activity.occurred_on,
                "place": activity.place,
                "reach": activity.reach,
                "notes": activity.notes,
                "organisation": activity.organisation.name if activity.organisation else "",
            }
            for activity in ambassador.activities.all()
        ],
        "leads_referred": [
            {
                "company": lead.name,
                "referred_at": lead.created_at,
                "stage": lead.get_stage_display(),
                "type": lead.get_kind_display(),
                "sector": lead.get_sector_display(),
                "origin_country": lead.origin_country.name if lead.origin_country else "",
                "summary": lead.summary,
                "landed_on": lead.landed_on,
                "new_jobs": lead.new_jobs,
                "safeguarded_jobs": lead.safeguarded_jobs,
                "capital_invested_gbp": lead.capital_invested,
            }
            for lead in ambassador.leads.all()
        ],
    }


SECTION = PersonalDataSection(
    key="ambassador",
    title="Your ambassador profile",
    description=(
        "If you are an ambassador: your profile and sectors, the activities you logged and the leads you "
        "referred, with the outcomes credited to you."
    ),
    export=ambassador_export,
    erase=ambassador_erase,
)
