"""Writes of the leads pipeline: an ambassador refers a lead, staff record one, change its details
and move it through the stages (``ambassadors.stages``). Views, the API and tasks call these only.

Every write locks the lead's row, checks the ``version`` the writer read (someone else's change
in between is a ``LeadChangedError`` and nothing is written), applies the stage's rules (every
missing or wrong field at once, as a field-keyed ValidationError; a skipped stage is a
``StageNotAllowedError`` on ``stage``), records a ``LeadChange`` with who, when, from, to, why
and the fields that changed, and bumps the ``ambassadors`` data version last. Landing links the
firm in the organisation registry, found or created by its Companies House number.

When a lead moves, the ambassador who referred it is emailed after commit through the owed-email
path: the change row records that the email is owed (``notified_at`` empty), so a broker that is
down delays the email (``lead_notifications_send_owed`` sends it) and never fails the move.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_countries import countries

from portal.jobs import job_enqueue_owed
from portal.models import Organisation, Sector, User
from portal.page_cache import data_version_bump
from portal.permissions import Actor
from portal.roles import is_staff
from portal.services import organisation_find_or_create
from portal.site_url import site_url
from portal.validators import company_number_normalise, validate_company_number
from portal.webhooks import webhook_event_emit

from ..exceptions import LeadChangedError, StageNotAllowedError
from ..models import Ambassador, Lead, LeadChange
from ..permissions import ambassador_of, can_act_as_ambassador, can_manage_leads
from ..stages import MISSING, move_refusal, needs_reason, rule_for

logger = logging.getLogger(__name__)

S = Lead.Stage

# What an ambassador gives when referring a lead.
REFER_FIELDS = ("name", "company_number", "summary", "origin_country", "sector", "kind")
# What staff may set on a lead (the stage changes through ``lead_move`` only).
LEAD_FIELDS = (
    *REFER_FIELDS,
    "referred_by",
    "owner",
    "expected_jobs",
    "expected_capital",
    "new_jobs",
    "safeguarded_jobs",
    "capital_invested",
    "landed_on",
    "lost_reason",
    "competing_location",
)
COUNT_FIELDS = {"expected_jobs": "jobs expected", "new_jobs": "new jobs", "safeguarded_jobs": "safeguarded jobs"}
MONEY_FIELDS = {"expected_capital": "capital expected", "capital_invested": "capital invested"}
# Capital is stored with 14 digits, 2 after the point: below a trillion pounds.
MONEY_LIMIT = Decimal("1000000000000")
JOBS_LIMIT = 1_000_000
EARLIEST_LANDING = datetime.date(1990, 1, 1)
CHANGED_MESSAGE = (
    "This lead was changed by someone else since you opened it, so nothing was saved. "
    "The page now shows the lead as it is: check it and make your change again."
)


# Checking what was given -------------------------------------------------------------------


def _value_errors(lead: Lead, fields) -> dict[str, str]:
    """Field -> message for each of ``fields`` whose value on ``lead`` is not one the portal
    stores: counts are whole numbers, 0 or more; money is pounds and pence, 0 or more; a landing
    has happened; codes are from their lists; the owner is staff."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    for field in fields:
        value = getattr(lead, field)
        if value in (None, ""):
            continue
        if field in COUNT_FIELDS:
            name = COUNT_FIELDS[field]
            if isinstance(value, bool) or not isinstance(value, int):
                errors[field] = f"Enter the number of {name} as a whole number, like 25"
            elif value < 0:
                errors[field] = f"The number of {name} cannot be negative: enter 0 or more"
            elif value > JOBS_LIMIT:
                errors[field] = f"Enter at most {JOBS_LIMIT:,} {name}"
        elif field in MONEY_FIELDS:
            name = MONEY_FIELDS[field]
            try:
                amount = Decimal(value)
            except (InvalidOperation, TypeError, ValueError):
                amount = None
            if amount is None or not amount.is_finite():
                errors[field] = f"Enter the {name} as an amount in pounds, like 2500000 or 2500000.50"
            elif amount < 0:
                errors[field] = f"The {name} cannot be negative: enter 0 or more"
            elif amount >= MONEY_LIMIT:
                errors[field] = f"Enter the {name} as less than £1,000,000,000,000"
            elif amount != amount.quantize(Decimal("0.01")):
                errors[field] = f"Enter the {name} in pounds and pence, with at most 2 decimal places"
        elif field == "landed_on":
            if not isinstance(value, datetime.date):
                errors[field] = "Enter the date the investment landed"
            elif value > today:
                errors[field] = "The date the investment landed must be today or in the past"
            elif value < EARLIEST_LANDING:
                errors[field] = "The date the investment landed must be in 1990 or later"
        elif field == "company_number":
            try:
                validate_company_number(value)
            except ValidationError as error:
                errors[field] = error.messages[0]
        elif field == "origin_country":
            if str(value) not in dict(countries):
                errors[field] = "Choose the country the company comes from from the list"
        elif field == "sector":
            if value not in Sector.values:
                errors[field] = "Choose the company's sector from the list"
        elif field == "kind":
            if value not in Lead.Kind.values:
                errors[field] = "Choose the type of investment from the list"
        elif field == "owner":
            if not is_staff(value):
                errors[field] = "Choose a member of commissioner staff to own the lead"
        elif field == "name":
            if not str(value).strip():
                errors[field] = MISSING["name"]
            elif len(value) > Lead._meta.get_field("name").max_length:
                errors[field] = "The company's name must be 200 characters or fewer"
        elif field == "competing_location" and len(value) > Lead._meta.get_field(field).max_length:
            errors[field] = "Where the company went instead must be 200 characters or fewer"
    return errors


def _assign(lead: Lead, data: dict, allowed) -> list[str]:
    """Set ``data`` on ``lead`` (text stripped, the company number normalised); returns the fields
    given. Raises ValueError for a field the caller may not set (a programming error)."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"Unknown lead fields: {sorted(unknown)}")
    for field, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if field == "company_number":
            value = company_number_normalise(value)
        if field == "origin_country" and value is None:
            value = ""
        setattr(lead, field, value)
    return list(data)


def _text(field: str, value) -> str:
    """A field's value as the history shows it."""
    if value is None or value == "":
        return ""
    if field in ("owner", "referred_by"):
        return str(value.get_full_name() or value.email) if isinstance(value, User) else str(value)
    if field == "origin_country":
        return str(countries.name(str(value)) or value)
    if field == "sector":
        return Sector(value).label if value in Sector.values else str(value)
    if field == "kind":
        return Lead.Kind(value).label if value in Lead.Kind.values else str(value)
    if field == "organisation":
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


HISTORY_FIELDS = (*LEAD_FIELDS, "organisation")


def _snapshot(lead: Lead) -> dict[str, str]:
    return {field: _text(field, getattr(lead, field)) for field in HISTORY_FIELDS}


def _diff(before: dict[str, str], after: dict[str, str]) -> dict[str, list[str]]:
    return {field: [before[field], after[field]] for field in HISTORY_FIELDS if before[field] != after[field]}


def _lock(lead: Lead) -> Lead:
    return Lead.objects.select_for_update(of=("self",)).select_related("referred_by__user", "owner").get(pk=lead.pk)


def _check_version(lead: Lead, version: int | None) -> None:
    """Refuse a write made from an out-of-date read of the lead (``version`` is what it read)."""
    if version is not None and int(version) != lead.version:
        raise LeadChangedError(CHANGED_MESSAGE, code="lead_changed")


def _user_of(actor) -> User | None:
    return actor.user if isinstance(actor, Actor) else actor


def _record(lead: Lead, *, actor: User | None, frm: str, reason: str, fields: dict) -> LeadChange:
    change = LeadChange.objects.create(
        lead=lead, changed_by=actor, from_stage=frm, to_stage=lead.stage, reason=reason, fields=fields
    )
    if frm and frm != lead.stage and lead.referred_by is not None and lead.referred_by.user_id is not None:
        from ..lead_tasks import lead_notify

        # The link's address is taken now: the worker that sends the email has no request.
        job_enqueue_owed(lead_notify, change.pk, site_url())
    return change


# Referring and recording -----------------------------------------------------------------------


@transaction.atomic
def lead_refer(*, actor: User, data: dict) -> Lead:
    """An active ambassador refers a lead (``REFER_FIELDS``; the company's name is required). It
    starts referred, credited to them. Raises PermissionDenied for anyone who is not an active
    ambassador, ValidationError naming every wrong field at once."""
    if not can_act_as_ambassador(actor):
        raise PermissionDenied("Only active ambassadors refer leads.")
    lead = Lead(referred_by=ambassador_of(actor), created_by=actor, stage=S.REFERRED)
    return _create(lead, data=data, allowed=REFER_FIELDS, actor=actor, reason="Referred by the ambassador")


@transaction.atomic
def lead_create(*, actor: User, data: dict, reason: str = "") -> Lead:
    """Staff record a lead (``LEAD_FIELDS``, optionally credited to the ambassador who referred
    it). It starts referred; ``lead_move`` takes it on. Raises PermissionDenied for anyone but
    staff, ValidationError naming every wrong field at once."""
    if not can_manage_leads(actor):
        raise PermissionDenied("Only commissioner staff record leads.")
    lead = Lead(created_by=actor, stage=S.REFERRED)
    return _create(lead, data=data, allowed=LEAD_FIELDS, actor=actor, reason=reason or "Recorded by staff")


def _create(lead: Lead, *, data: dict, allowed, actor: User, reason: str) -> Lead:
    given = _assign(lead, data, allowed)
    errors = {**rule_for(S.REFERRED).missing(lead), **_value_errors(lead, given)}
    referred_by = getattr(lead, "referred_by", None)
    if "referred_by" in given and referred_by is not None and referred_by.status == Ambassador.Status.INVITED:
        errors["referred_by"] = "Choose an ambassador who has accepted their invitation"
    if errors:
        raise ValidationError(errors)
    lead.save()
    empty = dict.fromkeys(HISTORY_FIELDS, "")
    _record(lead, actor=actor, frm="", reason=reason, fields=_diff(empty, _snapshot(lead)))
    data_version_bump("ambassadors")
    return lead


# Changing and moving ---------------------------------------------------------------------------


@transaction.atomic
def lead_update(*, lead: Lead, actor: User, version: int, data: dict, reason: str = "") -> Lead:
    """Staff change a lead's details without moving it. The lead must still hold every field its
    stage requires. ``version`` is the one the change was made from: LeadChangedError when the
    lead changed since. Raises PermissionDenied for anyone but staff, ValidationError naming
    every wrong field at once. A change that changes nothing records nothing."""
    if not can_manage_leads(actor):
        raise PermissionDenied("Only commissioner staff change leads.")
    locked = _lock(lead)
    _check_version(locked, version)
    return _apply(locked, to=locked.stage, actor=actor, data=data, reason=reason)


@transaction.atomic
def lead_move(*, lead: Lead, actor: User, to: str, version: int, data: dict | None = None, reason: str = "") -> Lead:
    """Staff move a lead to stage ``to``, giving in ``data`` the fields that stage requires.

    Refused, with nothing written: by PermissionDenied for anyone but staff; by LeadChangedError
    when the lead's version is no longer ``version`` (two staff moving it at once: the second is
    told it changed); by StageNotAllowedError (on ``stage``) for a stage that is not next (a
    skipped stage) or a closed lead not reopened first; by ValidationError naming every missing
    or wrong field of the stage at once. Reopening a landed or lost lead (to active) needs a
    ``reason``. Landing finds or creates the firm in the organisation registry by its Companies
    House number and links it. The referring ambassador is emailed after commit."""
    if not can_manage_leads(actor):
        raise PermissionDenied("Only commissioner staff move leads through the pipeline.")
    locked = _lock(lead)
    _check_version(locked, version)
    if to == locked.stage:
        raise StageNotAllowedError(
            {"stage": ValidationError(f"This lead is already {S(to).label.lower()}.", code="stage_not_allowed")}
        )
    refusal = move_refusal(locked, to)
    if refusal:
        raise StageNotAllowedError({"stage": ValidationError(refusal, code="stage_not_allowed")})
    return _apply(locked, to=to, actor=actor, data=data or {}, reason=reason)


def _apply(lead: Lead, *, to: str, actor: User, data: dict, reason: str) -> Lead:
    """Set ``data`` on a locked lead, move it to ``to`` and record the change, or raise with every
    problem at once (see ``lead_move``)."""
    before = _snapshot(lead)
    frm = lead.stage
    given = _assign(lead, data, LEAD_FIELDS)
    lead.stage = to
    rule = rule_for(to)
    errors = {**rule.missing(lead), **_value_errors(lead, given)}
    reason = (reason or "").strip()
    if frm != to and needs_reason(Lead(stage=frm), to) and not reason:
        errors["reason"] = f"Enter why the {S(frm).label.lower()} lead is reopened"
    if errors:
        raise ValidationError(errors)
    if to == S.LANDED:
        lead.organisation = _landed_firm(lead, actor)
    after = _snapshot(lead)
    fields = _diff(before, after)
    if frm == to and not fields:
        return lead
    lead.version += 1
    lead.save()
    _record(lead, actor=actor, frm=frm, reason=reason, fields=fields)
    if to == S.LANDED and frm != S.LANDED:
        _landed_event(lead)
    data_version_bump("ambassadors")
    return lead


def _landed_event(lead: Lead) -> None:
    """Tell the office's own clients subscribed to ``lead.landed`` (partners never get it: leads
    are confidential), in the caller's transaction."""
    webhook_event_emit(
        event="lead.landed",
        data={
            "id": lead.pk,
            "kind": lead.kind,
            "firm": lead.organisation_id,
            "landed_on": lead.landed_on.isoformat() if lead.landed_on else None,
            "new_jobs": lead.new_jobs,
            "safeguarded_jobs": lead.safeguarded_jobs,
            "capital_invested_gbp": str(lead.capital_invested) if lead.capital_invested is not None else None,
        },
    )


ORIGIN_OF_KIND = {
    Lead.Kind.FDI: Organisation.Origin.RELOCATED_ABROAD,
    Lead.Kind.UK_OFFICE: Organisation.Origin.RELOCATED_UK,
    Lead.Kind.EXPANSION: Organisation.Origin.HOME_GROWN,
}


def _landed_firm(lead: Lead, actor: User) -> Organisation:
    """The firm a landed lead is credited to: found in the registry by its Companies House number
    (as it is, never changed), or created there from the lead. A problem with the number is
    reported on ``company_number``."""
    origin = ORIGIN_OF_KIND.get(lead.kind, Organisation.Origin.HOME_GROWN)
    data = {
        "name": lead.name,
        "kind": Organisation.Kind.FIRM,
        "sector": lead.sector,
        "origin": origin,
        "origin_country": str(lead.origin_country) if origin == Organisation.Origin.RELOCATED_ABROAD else "",
        "is_tech": lead.sector != "non_tech",
    }
    try:
        organisation, _ = organisation_find_or_create(
            company_number=lead.company_number, data=data, actor=Actor(user=actor)
        )
    except ValidationError as error:
        messages = error.message_dict if hasattr(error, "error_dict") else {"company_number": error.messages}
        raise ValidationError(
            {"company_number": [message for field_messages in messages.values() for message in field_messages]}
        ) from error
    return organisation


# Emails to the referring ambassador --------------------------------------------------------------

# An email still owed this long after its change missed its job (the broker was down, or lost the
# message); older than OWED_WITHIN it is no longer news, so it is left alone.
OWED_AFTER = datetime.timedelta(minutes=5)
OWED_WITHIN = datetime.timedelta(days=3)


def lead_notify(*, change: LeadChange, base_url: str = "") -> bool:
    """Email the ambassador who referred the lead about one move, once: the change is claimed by
    stamping ``notified_at`` before sending and un-stamped if sending fails, so a retry sends it.
    Returns False when it was sent before or nobody is to be told. Links start with ``base_url``
    (the portal's address when the move was made), or ``site_url()``."""
    claimed = LeadChange.objects.filter(pk=change.pk, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return False
    from ..notifications import lead_change_email

    message = lead_change_email(change, base_url=base_url or site_url())
    if message is None:
        return False
    try:
        message.send()
    except Exception:
        LeadChange.objects.filter(pk=change.pk).update(notified_at=None)
        raise
    return True


def lead_notifications_send_owed(*, now: datetime.datetime | None = None) -> int:
    """Email every referring ambassador still owed an email about a move made between
    ``OWED_WITHIN`` and ``OWED_AFTER`` ago (its job never ran: the broker was down). Each once
    (``lead_notify`` claims it); one that fails is logged and left for the next sweep. Returns
    how many were sent. Idempotent."""
    now = now or timezone.now()
    owed = (
        LeadChange.objects.filter(
            notified_at__isnull=True,
            changed_at__range=(now - OWED_WITHIN, now - OWED_AFTER),
            lead__referred_by__user__isnull=False,
        )
        .exclude(from_stage="")
        .exclude(from_stage=F("to_stage"))
        .order_by("changed_at", "pk")
    )
    sent = 0
    for change in owed:
        try:
            sent += lead_notify(change=change)
        except Exception:  # one bad address or a mail server hiccup must not stop the others
            logger.exception("The owed email about lead change %s failed", change.pk)
    return sent


__all__ = [
    "lead_create",
    "lead_move",
    "lead_notifications_send_owed",
    "lead_notify",
    "lead_refer",
    "lead_update",
]
