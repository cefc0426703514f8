"""Activities: what an ambassador did for the region, logged by the ambassador; and the monthly
reminder to ambassadors who have logged nothing for a while."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.models import User
from portal.page_cache import data_version_bump
from portal.site_url import site_url

from ..models import Activity, ActivityReminder, Ambassador, Lead
from ..permissions import ambassador_of, can_act_as_ambassador
from ..querysets import ACTIVE_WITHIN_DAYS

logger = logging.getLogger(__name__)

ACTIVITY_FIELDS = ("kind", "occurred_on", "place", "reach", "notes", "organisation", "lead")
EARLIEST = datetime.date(2000, 1, 1)


def _check(actor: User, ambassador: Ambassador) -> None:
    own = ambassador_of(actor)
    if own is None or own.pk != ambassador.pk or not can_act_as_ambassador(actor):
        raise PermissionDenied("Only an active ambassador logs and changes their own activities.")


def _validate(ambassador: Ambassador, data: dict, today: datetime.date) -> None:
    """Every problem at once, by field: a kind from the list, a date neither in the future nor
    before 2000, a reach of 0 or more, and a lead only from the ambassador's own."""
    errors = {}
    if data.get("kind") not in Activity.Kind.values:
        errors["kind"] = "Choose what kind of activity it was"
    occurred_on = data.get("occurred_on")
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the activity"
    elif occurred_on > today:
        errors["occurred_on"] = "The date of the activity must be today or in the past"
    elif occurred_on < EARLIEST:
        errors["occurred_on"] = "The date of the activity must be in 2000 or later"
    reach = data.get("reach")
    if reach is not None and reach < 0:
        errors["reach"] = "Reach must be 0 or more"
    lead = data.get("lead")
    if lead is not None and not Lead.objects.filter(pk=lead.pk, referred_by=ambassador).exists():
        errors["lead"] = "Choose one of the leads you referred"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_create(*, ambassador: Ambassador, actor: User, data: dict, today: datetime.date | None = None) -> Activity:
    """Log an activity of ``ambassador`` from ``data`` (``ACTIVITY_FIELDS``; ``organisation`` an
    Organisation of the registry, ``lead`` one of the ambassador's own leads, both optional).

    Raises PermissionDenied unless ``actor`` is that ambassador and active; ValidationError naming
    every field at fault (see ``_validate``)."""
    _check(actor, ambassador)
    _validate(ambassador, data, today or timezone.localdate())
    activity = Activity.objects.create(ambassador=ambassador, **{f: _value(data, f) for f in ACTIVITY_FIELDS})
    data_version_bump("ambassadors")  # activity decides who counts as active on the staff pages
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, actor: User, data: dict, today: datetime.date | None = None) -> Activity:
    """Change an activity: the same rules as ``activity_create``, for the ambassador who logged it."""
    activity = Activity.objects.select_for_update().select_related("ambassador").get(pk=activity.pk)
    _check(actor, activity.ambassador)
    _validate(activity.ambassador, data, today or timezone.localdate())
    for field in ACTIVITY_FIELDS:
        setattr(activity, field, _value(data, field))
    activity.save(update_fields=list(ACTIVITY_FIELDS))
    data_version_bump("ambassadors")
    return activity


def _value(data: dict, field: str):
    """A field's value as stored: missing text is an empty string, anything else missing is NULL
    (a reach of 0 stays 0)."""
    value = data.get(field)
    if value is None:
        return "" if field in ("place", "notes") else None
    return value.strip() if isinstance(value, str) else value


def _reminder_candidates(today: datetime.date):
    """Active ambassadors with an account, on the network for at least ``ACTIVE_WITHIN_DAYS``, with
    no activity in that many days."""
    since = today - datetime.timedelta(days=ACTIVE_WITHIN_DAYS)
    recent = Activity.objects.filter(ambassador=OuterRef("pk"), occurred_on__gt=since)
    return (
        Ambassador.objects.filter(status=Ambassador.Status.ACTIVE, user__isnull=False, created_at__date__lte=since)
        .filter(Q(term_starts_on__isnull=True) | Q(term_starts_on__lte=since))
        .exclude(Exists(recent))
    )


def activity_reminder_send(*, reminder: ActivityReminder, today: datetime.date | None = None) -> bool:
    """Email one month's reminder, once: it is claimed by stamping ``sent_at`` before sending and
    un-stamped if sending fails, so a retry sends it and a second run does not. Returns whether it
    was sent."""
    claimed = ActivityReminder.objects.filter(pk=reminder.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    if not claimed:
        return False
    ambassador = Ambassador.objects.select_related("user").get(pk=reminder.ambassador_id)
    last = ambassador.activities.order_by("-occurred_on").values_list("occurred_on", flat=True).first()
    context = {
        "ambassador": ambassador,
        "days": ACTIVE_WITHIN_DAYS,
        "last_activity": last,
        "url": site_url() + reverse("ambassadors:activity-create"),
    }
    try:
        EmailMessage(
            subject="Tell us what you have been doing for the region",
            body=render_to_string("ambassadors/email/activity_reminder.txt", context),
            to=[ambassador.user.email],
        ).send()
    except Exception:
        ActivityReminder.objects.filter(pk=reminder.pk).update(sent_at=None)
        raise
    return True


def activity_reminders_send(*, today: datetime.date | None = None) -> int:
    """The monthly reminder to every active ambassador with no activity in ``ACTIVE_WITHIN_DAYS``
    days: one ``ActivityReminder`` row per ambassador and month (a unique constraint), each sent
    once by ``activity_reminder_send``. Running twice in a month, or on two workers at once, sends
    each reminder once; one that fails is logged and sent by the next run that month. Returns how
    many were sent."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    ActivityReminder.objects.bulk_create(
        [
            ActivityReminder(ambassador_id=pk, month=month)
            for pk in _reminder_candidates(today).values_list("pk", flat=True)
        ],
        ignore_conflicts=True,
    )
    sent = 0
    for reminder in ActivityReminder.objects.filter(month=month, sent_at__isnull=True).order_by("pk"):
        try:
            sent += activity_reminder_send(reminder=reminder, today=today)
        except Exception:  # one bad address must not stop the others
            logger.exception("The activity reminder %s failed", reminder.pk)
    return sent
