"""Writes of the investment register. The staff pages, the CSV import, the partner API and the
demo loader call these; nothing else writes deals.

Every write checks every value at once against its unit and period (whole pounds above zero or
undisclosed, a date from 1990 to today, a stage only for equity rounds, a firm that is a firm,
each investor once with a country, at most one lead) and raises one field-keyed ValidationError
naming every problem. A deal that matches another on firm, date, amount and kind (an undisclosed
amount matches an undisclosed one) is saved with ``possible_duplicate_of`` set, never silently
added twice or dropped; the firm's row is locked while that is decided, so two writers of the same
deal at once see each other. A change to a verified deal's facts takes the verification away.
Every write bumps the ``investments`` data key as its last statement.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from portal.models import Organisation
from portal.page_cache import data_version_bump
from portal.permissions import Actor

from .investment_rules import (
    INVESTMENT_FIELDS,
    duplicate_key,
    investment_value_errors,
    investor_entry_key,
)
from .models import Investment, InvestmentInvestor
from .permissions import (
    can_change_investment,
    can_delete_investment,
    can_record_investment,
    can_verify_investment,
    investment_delete_refusal,
)

INVESTMENTS_BULK_LIMIT = 1000
RECORD_REFUSAL = "Only commissioner staff, and partners with the investments:write scope, record investments."


def _attribute(field: str) -> str:
    return f"{field}_id" if field in ("firm", "opportunity") else field


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


def _fields(data: dict) -> dict:
    unknown = set(data) - set(INVESTMENT_FIELDS)
    if unknown:
        raise ValueError(f"Unknown investment fields: {sorted(unknown)}")
    fields = dict(data)
    for name in ("stage", "title", "source"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
    return fields


def _record_actor(instance, actor: Actor) -> None:
    """Name the writer in the change history: the person, or the API client and its partner."""
    instance._history_user = actor.history_user
    instance._change_reason = actor.history_reason


def _firms_lock(firm_ids: Iterable[int]) -> None:
    """Lock the firms' rows (in id order, so two writers never wait on each other in a cycle):
    deals of one firm are written one writer at a time, so each sees the other's duplicates."""
    list(Organisation.objects.select_for_update().filter(pk__in=set(firm_ids)).order_by("pk").values_list("pk"))


def _duplicate_of(investment: Investment, *, earlier_only: bool = False) -> int | None:
    """The id of the earliest other deal with the same firm, date, amount and kind, if any; with
    ``earlier_only``, of one recorded before it (so two copies never point at each other)."""
    matches = Investment.objects.filter(
        firm_id=investment.firm_id, announced_on=investment.announced_on, kind=investment.kind
    ).exclude(pk=investment.pk)
    if earlier_only:
        matches = matches.filter(pk__lt=investment.pk)
    if investment.amount_gbp is None:
        matches = matches.filter(amount_gbp__isnull=True)
    else:
        matches = matches.filter(amount_gbp=investment.amount_gbp)
    return matches.order_by("pk").values_list("pk", flat=True).first()


def _investors_set(investment: Investment, investors: list[dict], actor: Actor) -> bool:
    """Make the deal's investor rows those of ``investors`` (each with an organisation), changing
    only what differs so the history shows real changes. Returns whether anything changed."""
    existing = {row.investor_id: row for row in investment.investor_rows.all()}
    wanted = {entry["investor"].pk: entry for entry in investors}
    changed = False

    def save(row: InvestmentInvestor, **kwargs) -> None:
        _record_actor(row, actor)
        row.save(**kwargs)

    for pk, row in existing.items():
        if pk not in wanted:
            _record_actor(row, actor)
            row.delete()
            changed = True
    # A lead that stops being the lead first, so the one-lead constraint holds at every step.
    for pk, row in existing.items():
        if pk in wanted and row.is_lead and not wanted[pk].get("is_lead"):
            row.is_lead = False
            save(row, update_fields=["is_lead"])
            changed = True
    for pk, entry in wanted.items():
        row = existing.get(pk)
        is_lead, country = bool(entry.get("is_lead")), entry["country"]
        if row is None:
            row = InvestmentInvestor(
                investment=investment, investor=entry["investor"], is_lead=is_lead, country=country
            )
            save(row)
            changed = True
        elif row.is_lead != is_lead or row.country.code != country:
            row.is_lead, row.country = is_lead, country
            save(row, update_fields=["is_lead", "country"])
            changed = True
    return changed


def _new_investors_create(investors: list[dict], actor: Actor) -> list[dict]:
    """The entries with an organisation each: a name the registry does not hold becomes a new
    investor organisation (a funder), which only staff may create (PermissionDenied otherwise)."""
    from portal.services import organisation_create

    entries = []
    for entry in investors:
        if entry.get("investor") is None:
            data = {"name": entry["name"].strip(), "kind": Organisation.Kind.FUNDER, "is_tech": False}
            entry = {**entry, "investor": organisation_create(data=data, actor=actor)}
        entries.append(entry)
    return entries


def investor_entries(investment: Investment) -> list[dict]:
    """A stored deal's investors in the shape the services take (for forms and partial updates)."""
    return [
        {"investor": row.investor, "is_lead": row.is_lead, "country": row.country.code}
        for row in investment.investor_rows.select_related("investor").order_by("-is_lead", "pk")
    ]


def _duplicates_recheck(pks: Iterable[int]) -> None:
    """Work out again what each of these deals may duplicate (after the deal they pointed at
    changed or went): another copy, or nothing."""
    for investment in Investment.objects.filter(pk__in=list(pks)).order_by("pk"):
        match = _duplicate_of(investment, earlier_only=True)
        if match != investment.possible_duplicate_of_id:
            investment.possible_duplicate_of_id = match
            investment._change_reason = "The deal it matched changed or was removed"
            investment.save(update_fields=["possible_duplicate_of", "updated_at"])


@transaction.atomic
def investment_create(
    *, data: dict, investors: list[dict], actor: Actor, origin: str = Investment.Origin.STAFF
) -> Investment:
    """Record one deal from ``data`` (the fields of ``INVESTMENT_FIELDS``, ``firm`` and
    ``opportunity`` as instances) and its ``investors`` (``{"investor", "is_lead", "country"}``;
    an entry with no ``investor`` but a ``name`` adds that organisation to the registry as a new
    funder, which only staff may).
    A partner client's deal has ``origin`` partner and its organisation as ``submitted_by``; a
    person's is ``origin`` (staff by default) with them as ``created_by``.

    Raises PermissionDenied unless ``can_record_investment`` allows it; ValidationError (every
    problem at once, field-keyed) for bad values. A deal like an existing one is saved flagged as
    its possible duplicate. Not idempotent: each call adds one (the API's Idempotency-Key makes a
    retried request safe)."""
    if not can_record_investment(actor):
        raise PermissionDenied(RECORD_REFUSAL)
    investment = Investment(**_fields(data))
    if actor.is_client:
        investment.origin, investment.submitted_by = Investment.Origin.PARTNER, actor.partner
    else:
        investment.origin, investment.created_by = origin, actor.history_user
    _raise_if(investment_value_errors(values=_values(investment), investors=investors))
    _firms_lock([investment.firm_id])
    investment.possible_duplicate_of_id = _duplicate_of(investment)
    _record_actor(investment, actor)
    investment.save()
    _investors_set(investment, _new_investors_create(investors, actor), actor)
    data_version_bump("investments")
    return investment


def _values(investment: Investment) -> dict:
    values = {name: getattr(investment, name) for name in INVESTMENT_FIELDS if name not in ("firm", "opportunity")}
    values["firm"] = investment.firm if investment.firm_id else None
    values["opportunity"] = investment.opportunity if investment.opportunity_id else None
    return values


@transaction.atomic
def investment_update(
    *, investment: Investment, data: dict, actor: Actor, investors: list[dict] | None = None
) -> Investment:
    """Change the given fields of a deal and, when ``investors`` is given, make its investors
    those (fields and investors left out stay). A change to the firm, date, amount or kind works
    out again whether it may duplicate another (and whether the deals flagged as its duplicates
    still are); a change to any fact takes away the verification, which staff give again.

    Raises PermissionDenied (before changing anything) unless ``can_change_investment`` allows
    it; ValidationError (every problem at once) for bad values. Idempotent: the same change again
    changes nothing and bumps nothing."""
    if not can_change_investment(actor, investment):
        raise PermissionDenied("You may change only the investments your organisation submitted.")
    fields = _fields(data)
    investment = (
        Investment.objects.select_for_update(of=("self",)).select_related("firm", "opportunity").get(pk=investment.pk)
    )
    before_key = duplicate_key(investment)
    before = {name: getattr(investment, _attribute(name)) for name in fields}
    for name, value in fields.items():
        setattr(investment, name, value)
    current = investor_entries(investment)
    wanted = investors if investors is not None else current
    _raise_if(investment_value_errors(values=_values(investment), investors=wanted))
    changed = [name for name in fields if getattr(investment, _attribute(name)) != before[name]]
    same_investors = sorted((investor_entry_key(e), bool(e.get("is_lead")), e["country"]) for e in wanted) == sorted(
        (investor_entry_key(e), bool(e.get("is_lead")), e["country"]) for e in current
    )
    if not changed and same_investors:
        return investment
    update_fields = [*changed, "updated_at"]
    key_changed = duplicate_key(investment) != before_key
    if key_changed:
        _firms_lock({before_key[0], investment.firm_id})
        investment.possible_duplicate_of_id = _duplicate_of(investment)
        update_fields.append("possible_duplicate_of")
    if investment.verified_at is not None:
        investment.verified_at, investment.verified_by = None, None
        update_fields += ["verified_at", "verified_by"]
    _record_actor(investment, actor)
    investment.save(update_fields=update_fields)
    if not same_investors:
        _investors_set(investment, _new_investors_create(wanted, actor), actor)
    if key_changed:
        _duplicates_recheck(Investment.objects.filter(possible_duplicate_of=investment).values_list("pk", flat=True))
    data_version_bump("investments")
    return investment


@transaction.atomic
def investment_verify(*, investment: Investment, actor: Actor) -> Investment:
    """Mark a deal checked by staff (who and when). Raises PermissionDenied for anyone but staff;
    ValidationError while it is flagged as a possible duplicate (clear the flag or delete one
    first). Idempotent: verifying a verified deal changes nothing and bumps nothing."""
    if not can_verify_investment(actor):
        raise PermissionDenied("Only commissioner staff verify investments.")
    investment = Investment.objects.select_for_update().get(pk=investment.pk)
    if investment.verified_at is not None:
        return investment
    if investment.possible_duplicate_of_id is not None:
        raise ValidationError(
            f"This may be a duplicate of investment #{investment.possible_duplicate_of_id}: delete one of "
            "them, or say it is not a duplicate, before verifying it."
        )
    investment.verified_at, investment.verified_by = timezone.now(), actor.history_user
    _record_actor(investment, actor)
    investment.save(update_fields=["verified_at", "verified_by", "updated_at"])
    data_version_bump("investments")
    return investment


@transaction.atomic
def investment_duplicate_clear(*, investment: Investment, actor: Actor) -> Investment:
    """Say a flagged deal is not a duplicate: the flag goes and stays gone while its firm, date,
    amount and kind stay the same. Raises PermissionDenied for anyone but staff. Idempotent."""
    if not can_verify_investment(actor):
        raise PermissionDenied("Only commissioner staff clear a possible-duplicate flag.")
    investment = Investment.objects.select_for_update().get(pk=investment.pk)
    if investment.possible_duplicate_of_id is None:
        return investment
    investment.possible_duplicate_of_id = None
    _record_actor(investment, actor)
    investment.save(update_fields=["possible_duplicate_of", "updated_at"])
    data_version_bump("investments")
    return investment


@transaction.atomic
def investment_delete(*, investment: Investment, actor: Actor) -> None:
    """Delete a deal (recorded twice, or in error); its history stays for the audit. Deals
    flagged as its duplicates are checked again (another copy, or no flag). Raises
    PermissionDenied unless ``can_delete_investment`` allows it."""
    if not can_delete_investment(actor, investment):
        raise PermissionDenied(investment_delete_refusal(actor, investment))
    investment = Investment.objects.select_for_update().get(pk=investment.pk)
    flagged = list(Investment.objects.filter(possible_duplicate_of=investment).values_list("pk", flat=True))
    for row in investment.investor_rows.all():
        _record_actor(row, actor)
        row.delete()
    _record_actor(investment, actor)
    investment.delete()
    _duplicates_recheck(flagged)
    data_version_bump("investments")


def investments_insert(
    items: list[tuple[Investment, list[dict]]], *, history_user=None, history_reason: str | None = None
) -> list[Investment]:
    """Insert many checked deals at once, each with its investors (with organisations), flagging
    each that matches a stored deal or an earlier one of ``items``; returns them in the order
    given. For callers that have checked every value (bulk writes, imports, the demo); they hold
    the transaction and bump the data key. A fixed number of statements per thousand deals."""
    if not items:
        return []
    _firms_lock(investment.firm_id for investment, _ in items)
    stored = Investment.objects.filter(
        firm_id__in={i.firm_id for i, _ in items}, announced_on__in={i.announced_on for i, _ in items}
    )
    first: dict[tuple, int] = {}
    for row in stored.order_by("pk").values("pk", "firm_id", "announced_on", "amount_gbp", "kind"):
        first.setdefault(duplicate_key(row), row["pk"])
    originals, copies, seen = [], [], set()
    for position, (investment, _) in enumerate(items):
        key = duplicate_key(investment)
        if key in first:
            investment.possible_duplicate_of_id = first[key]
            originals.append(position)
        elif key in seen:
            copies.append(position)
        else:
            seen.add(key)
            originals.append(position)
    options = {"default_user": history_user, "default_change_reason": history_reason}
    bulk_create_with_history([items[p][0] for p in originals], Investment, batch_size=500, **options)
    for position in originals:
        first.setdefault(duplicate_key(items[position][0]), items[position][0].pk)
    for position in copies:
        items[position][0].possible_duplicate_of_id = first[duplicate_key(items[position][0])]
    bulk_create_with_history([items[p][0] for p in copies], Investment, batch_size=500, **options)
    rows = [
        InvestmentInvestor(
            investment=investment,
            investor=entry["investor"],
            is_lead=bool(entry.get("is_lead")),
            country=entry["country"],
        )
        for investment, investors in items
        for entry in investors
    ]
    bulk_create_with_history(rows, InvestmentInvestor, batch_size=1000, **options)
    return [investment for investment, _ in items]
