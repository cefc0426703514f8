"""Writes of the programme budget: record, change and remove spend; replace the plan lines. The staff
pages and the demo loader call these; nothing else writes the budget.

Every write checks every value at once and raises one field-keyed ValidationError naming every
problem: money is pounds and pence, more than £0 and less than ``MONEY_LIMIT``; spend is dated
within the programme's two years and not after today, in a category that has a plan line; a plan
line lies in one of the programme's quarters. Each write records who made it in the change
history and bumps the ``budget`` data key as its last statement, so cached budget pages never show
the old figures.

A category's plan lines and its spend are checked against each other under row locks (the lines
are locked first by both writers), so a plan that drops a category's last line and spend recorded
in that category at the same moment cannot both succeed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.page_cache import data_version_bump

from .budget_selectors import (
    Quarter,
    categories_with_lines,
    money_text,
    programme_quarters,
    programme_span,
    spend_by_category,
)
from .models import BudgetCategory, BudgetLine, SpendEntry

# Ten million pounds: more for one cost or one quarter's line of a £160,000 programme is a typing slip.
MONEY_LIMIT = Decimal("10000000")
SPEND_FIELDS = ("spent_on", "category", "supplier", "amount_gbp", "note")
SUPPLIER_MAX, NOTE_MAX = 200, 2000


def money_error(value, name: str) -> str | None:
    """Why ``value`` cannot be stored as the amount called ``name``, or None when it can: pounds
    and pence, more than £0 and less than ``MONEY_LIMIT``."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite():
        return f"Enter the {name} in pounds, like 1250 or 1250.50"
    if amount <= 0:
        return f"The {name} must be more than £0"
    if amount >= MONEY_LIMIT:
        return f"The {name} must be less than {money_text(MONEY_LIMIT)}"
    if amount != amount.quantize(Decimal("0.01")):
        return f"Enter the {name} in pounds and pence, with at most 2 decimal places"
    return None


def _date_text(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def spend_value_errors(data: Mapping, *, today: datetime.date | None = None) -> dict[str, list[str]]:
    """Every rule the spend values in ``data`` (``SPEND_FIELDS``) break, keyed by field; empty when
    they break none. A field left out is not checked; a field given as None or "" is missing. One
    query (the categories that have a plan line) when a category is given."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if "spent_on" in data:
        day = data["spent_on"]
        start, end = programme_span()
        if not isinstance(day, datetime.date):
            add("spent_on", "Enter the date")
        elif not start <= day <= end:
            add("spent_on", f"The date must be within the programme, {_date_text(start)} to {_date_text(end)}")
        elif day > today:
            add("spent_on", "The date cannot be in the future: record spend once it is invoiced or paid")
    if "category" in data:
        category = data["category"]
        if category not in BudgetCategory.values:
            add("category", "Choose a category from the list")
        elif category not in categories_with_lines():
            add(
                "category",
                f"{BudgetCategory(category).label} has no plan lines: add its plan first, or choose another category",
            )
    if "supplier" in data:
        supplier = (data["supplier"] or "").strip()
        if not supplier:
            add("supplier", "Enter the supplier")
        elif len(supplier) > SUPPLIER_MAX:
            add("supplier", f"The supplier must be {SUPPLIER_MAX} characters or fewer")
    if "amount_gbp" in data:
        if data["amount_gbp"] in (None, ""):
            add("amount_gbp", "Enter the amount")
        elif message := money_error(data["amount_gbp"], "amount"):
            add("amount_gbp", message)
    if "note" in data and len(data["note"] or "") > NOTE_MAX:
        add("note", f"The note must be {NOTE_MAX:,} characters or fewer")
    return errors


def _clean_spend(data: Mapping) -> dict:
    unknown = set(data) - set(SPEND_FIELDS)
    if unknown:
        raise ValueError(f"Unknown spend fields: {sorted(unknown)}")
    values = dict(data)
    for name in ("supplier", "note"):
        if name in values:
            values[name] = (values[name] or "").strip()
    if values.get("amount_gbp") not in (None, ""):
        values["amount_gbp"] = Decimal(values["amount_gbp"])
    return values


def _lock_lines(categories: Iterable[str] | None = None) -> None:
    """Lock the plan lines (of ``categories``, or all) until the transaction ends. PostgreSQL only;
    SQLite writes one transaction at a time anyway."""
    lines = BudgetLine.objects.select_for_update().order_by("pk")
    if categories is not None:
        lines = lines.filter(category__in=list(categories))
    list(lines.values_list("pk", flat=True))


@transaction.atomic
def spend_record(*, data: Mapping, actor) -> SpendEntry:
    """Record one cost from ``data`` (every one of ``SPEND_FIELDS``; ``note`` may be empty), by
    ``actor`` (a staff user, named in the history as who recorded it). Raises ValidationError
    (field-keyed, every problem at once) for bad or missing values. Not idempotent: each call adds
    one entry."""
    values = _clean_spend({"note": "", **data})
    missing = [name for name in SPEND_FIELDS if name not in values]
    if missing:
        raise ValueError(f"Missing spend fields: {missing}")
    if values.get("category") in BudgetCategory.values:
        _lock_lines([values["category"]])
    errors = spend_value_errors(values)
    if errors:
        raise ValidationError(errors)
    entry = SpendEntry(**values, recorded_by=actor)
    entry._history_user = actor
    entry.save()
    data_version_bump("budget")
    return entry


@transaction.atomic
def spend_update(*, entry: SpendEntry, data: Mapping, actor) -> SpendEntry:
    """Change the given fields of a spend entry (the others stay), by ``actor`` (named in the
    history). The entry's row is locked, so two changes at once apply one after the other. Raises
    ValidationError (field-keyed, every problem at once) for bad values, and SpendEntry.DoesNotExist
    when it was removed meanwhile. Idempotent: the same change twice leaves the same entry."""
    values = _clean_spend(data)
    if values.get("category") in BudgetCategory.values:
        _lock_lines([values["category"]])
    entry = SpendEntry.objects.select_for_update().get(pk=entry.pk)
    errors = spend_value_errors(values)
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in values.items() if getattr(entry, name) != value]
    if not changed:
        return entry
    for name in changed:
        setattr(entry, name, values[name])
    entry._history_user = actor
    entry.save(update_fields=[*changed, "updated_at"])
    data_version_bump("budget")
    return entry


@transaction.atomic
def spend_remove(*, entry: SpendEntry, actor) -> bool:
    """Remove a spend entry recorded by mistake; its history keeps what it was and who removed it.
    Returns False, changing nothing, when it was already removed (idempotent)."""
    found = SpendEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if found is None:
        return False
    found._history_user = actor
    found.delete()
    data_version_bump("budget")
    return True


# The plan --------------------------------------------------------------------------------------


def _planned(amount) -> Decimal | None:
    """A plan amount as a Decimal: £0 for no line (None, "" or 0); None when it is not a number."""
    if amount in (None, ""):
        return Decimal(0)
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return value if value.is_finite() else None


def line_key(category: str, quarter: Quarter) -> str:
    """The name of one plan line in a ValidationError (and the plan form's field): ``events_2025_q3``."""
    return f"{category}_{quarter.year}_q{quarter.number}"


def budget_plan_value_errors(amounts: Mapping[tuple[str, Quarter], Decimal | None]) -> dict[str, list[str]]:
    """Every rule the plan ``amounts`` ((category, quarter) -> amount; None or £0 for no line)
    break on their own, keyed by ``line_key``: each line is a category of the list in one of the
    programme's quarters, and each amount is money. No query."""
    quarters = programme_quarters()
    errors: dict[str, list[str]] = {}
    for (category, quarter), amount in amounts.items():
        key = line_key(category, quarter)
        if category not in BudgetCategory.values:
            errors.setdefault(key, []).append("Choose a category from the list")
        elif quarter not in quarters:
            errors.setdefault(key, []).append(
                f"{quarter.label} is not one of the programme's quarters, {quarters[0].label} to {quarters[-1].label}"
            )
        elif _planned(amount) != 0:
            label = f"{BudgetCategory(category).label}, {quarter.label}"
            if message := money_error(amount, f"amount planned for {label}"):
                errors.setdefault(key, []).append(message)
    return errors


def budget_plan_spend_errors(amounts: Mapping[tuple[str, Quarter], Decimal | None]) -> dict[str, list[str]]:
    """A category that ``amounts`` would leave with no line (every amount given None or £0, and no
    stored line of a quarter not given) while it has spend recorded, keyed by the ``line_key`` of
    its first quarter: its spend would have no plan to be measured against. Two queries at most."""
    quarters = programme_quarters()
    emptied = {category for category, _q in amounts} - {
        category for (category, _q), amount in amounts.items() if _planned(amount)
    }
    if not emptied:
        return {}
    kept = {
        category
        for category, year, number in BudgetLine.objects.filter(category__in=emptied).values_list(
            "category", "year", "quarter"
        )
        if (category, Quarter(year, number)) not in amounts
    }
    spend = spend_by_category()
    return {
        line_key(category, quarters[0]): [
            f"{BudgetCategory(category).label} has {money_text(spend[category])} of spend recorded: "
            "keep at least one plan line for it"
        ]
        for category in sorted(emptied - kept)
        if spend.get(category)
    }


def budget_plan_errors(amounts: Mapping[tuple[str, Quarter], Decimal | None]) -> dict[str, list[str]]:
    """Every rule the plan ``amounts`` break, keyed by ``line_key``: ``budget_plan_value_errors``,
    then, when the values are sound, ``budget_plan_spend_errors``."""
    return budget_plan_value_errors(amounts) or budget_plan_spend_errors(amounts)


@transaction.atomic
def budget_plan_replace(*, amounts: Mapping[tuple[str, Quarter], Decimal | None], actor) -> dict[str, int]:
    """Set the plan lines given in ``amounts`` ((category, quarter) -> amount; None or £0 removes
    the line), by ``actor`` (named in each line's history); lines not given stay as they are.
    Raises ValidationError keyed by ``line_key`` with every problem at once (``budget_plan_errors``).
    Returns how many lines were ``added``, ``changed`` and ``removed``. Idempotent: the same plan
    twice changes nothing the second time, and bumps nothing."""
    _lock_lines()
    errors = budget_plan_errors(amounts)
    if errors:
        raise ValidationError(errors)
    existing = {(line.category, Quarter(line.year, line.quarter)): line for line in BudgetLine.objects.all()}
    counts = {"added": 0, "changed": 0, "removed": 0}
    for (category, quarter), given in amounts.items():
        amount = _planned(given)
        line = existing.get((category, quarter))
        if line is None and amount:
            line = BudgetLine(category=category, year=quarter.year, quarter=quarter.number, planned_gbp=amount)
            line.updated_by = actor
            line._history_user = actor
            line.save()
            counts["added"] += 1
        elif line is not None and not amount:
            line._history_user = actor
            line.delete()
            counts["removed"] += 1
        elif line is not None and line.planned_gbp != amount:
            line.planned_gbp, line.updated_by = amount, actor
            line._history_user = actor
            line.save(update_fields=["planned_gbp", "updated_by", "updated_at"])
            counts["changed"] += 1
    if any(counts.values()):
        data_version_bump("budget")
    return counts


@transaction.atomic
def budget_bulk_create(*, lines: Iterable[BudgetLine], entries: Iterable[SpendEntry]) -> tuple[int, int]:
    """Insert plan lines and spend entries at once (the demo data, benchmarks) and bump the data
    key once. The caller answers for the values (they skip the checks); a line that exists already
    (same category and quarter) is left as it is. Returns how many lines and entries were given."""
    lines, entries = list(lines), list(entries)
    BudgetLine.objects.bulk_create(lines, ignore_conflicts=True)
    SpendEntry.objects.bulk_create(entries)
    data_version_bump("budget")
    return len(lines), len(entries)
