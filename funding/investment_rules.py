"""The rules every deal of the investment register keeps, whoever writes it (the staff form, a
CSV import, the API): the values against their units and periods, the investors, and what makes
two deals the same. Pure functions of the values: no query, no write; the services raise what
these find, the forms and the import show it on the field or column it concerns."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_countries import countries

from portal.models import Organisation

from .models import Investment

INVESTMENT_FIELDS = ("firm", "kind", "stage", "amount_gbp", "announced_on", "opportunity", "title", "source")
EARLIEST_DATE = datetime.date(1990, 1, 1)
MAX_INVESTMENT_GBP = 10**11  # a hundred billion pounds: anything larger is a typing slip
MAX_INVESTORS = 50
TITLE_MAX, SOURCE_MAX = 200, 500


def duplicate_key(investment) -> tuple:
    """What two deals share when one may be the other: firm, date, amount (None when undisclosed)
    and kind. Works on a model instance and on a ``values()`` row alike."""
    get = investment.get if isinstance(investment, dict) else lambda name: getattr(investment, name)
    return (get("firm_id"), get("announced_on"), get("amount_gbp"), get("kind"))


def investor_entry_key(entry: dict):
    """One investor of a deal: its organisation's id, or a new organisation's name in lower case."""
    organisation = entry.get("investor")
    return organisation.pk if organisation is not None else ("new", (entry.get("name") or "").strip().lower())


def investment_value_errors(
    *, values: dict, investors: list[dict] | None, today: datetime.date | None = None
) -> dict[str, list[str]]:
    """Every problem of a deal's ``values`` (the model's fields, ``firm`` and ``opportunity`` as
    instances) and of its ``investors`` (each ``{"investor": Organisation or None, "name": a new
    organisation's name, "is_lead": bool, "country": ISO code}``), keyed by field; an investor's
    by ``investors.<index>.<investor|country>``, a rule across them by ``investors``. Runs no
    query. Empty when all is well."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    firm = values.get("firm")
    if firm is None:
        add("firm", "Choose the firm the money went to")
    elif firm.kind != Organisation.Kind.FIRM:
        add("firm", f"{firm.name} is a {firm.get_kind_display().lower()}, not a firm")
    kind, stage = values.get("kind") or "", values.get("stage") or ""
    if not kind:
        add("kind", "Choose the kind: equity round, grant, loan or other")
    elif kind not in Investment.Kind.values:
        add("kind", "Choose the kind from the list: equity, grant, loan or other")
    if stage and stage not in Investment.Stage.values:
        add("stage", "Choose the stage from the list")
    elif stage and kind in Investment.Kind.values and kind != Investment.Kind.EQUITY:
        add("stage", "Only equity rounds have a stage: leave it empty for a " + Investment.Kind(kind).label.lower())
    amount = values.get("amount_gbp")
    if amount is not None:
        if isinstance(amount, bool) or not isinstance(amount, int):
            add("amount_gbp", "Enter the amount as a whole number of pounds, like 250000")
        elif amount <= 0:
            add("amount_gbp", "The amount must be more than £0; leave it empty when it was not disclosed")
        elif amount > MAX_INVESTMENT_GBP:
            add("amount_gbp", f"The amount must be at most £{MAX_INVESTMENT_GBP:,}")
    day = values.get("announced_on")
    if day is None:
        add("announced_on", "Enter the date the deal closed or the award was made")
    elif day > today:
        add("announced_on", "The date cannot be in the future: record a deal once it has closed")
    elif day < EARLIEST_DATE:
        add("announced_on", f"The date must be in {EARLIEST_DATE.year} or later")
    if not (values.get("source") or "").strip():
        add("source", "Say where the figure comes from: a web address or a document")
    elif len(values["source"]) > SOURCE_MAX:
        add("source", f"The source must be {SOURCE_MAX} characters or fewer")
    if len(values.get("title") or "") > TITLE_MAX:
        add("title", f"What it is for must be {TITLE_MAX} characters or fewer")
    for key, message in investor_errors(investors or [], firm).items():
        errors.setdefault(key, []).extend(message)
    return errors


def investor_errors(investors: list[dict], firm: Organisation | None) -> dict[str, list[str]]:
    """The problems of a deal's investors alone (see ``investment_value_errors``). No query."""
    errors: dict[str, list[str]] = {}
    if len(investors) > MAX_INVESTORS:
        errors["investors"] = [f"Record at most {MAX_INVESTORS} investors of one deal"]
        return errors
    seen: dict = {}
    leads = []
    for index, entry in enumerate(investors):
        organisation = entry.get("investor")
        name = organisation.name if organisation is not None else (entry.get("name") or "").strip()
        if organisation is None and not name:
            errors[f"investors.{index}.investor"] = ["Choose the investor"]
        elif firm is not None and organisation is not None and organisation.pk == firm.pk:
            errors[f"investors.{index}.investor"] = ["The firm cannot be its own investor"]
        elif investor_entry_key(entry) in seen:
            errors[f"investors.{index}.investor"] = [f"{name} is listed twice: list each investor once"]
        seen.setdefault(investor_entry_key(entry), index)
        country = entry.get("country") or ""
        if not country:
            errors[f"investors.{index}.country"] = ["Choose the country the investor is based in"]
        elif country not in countries:
            errors[f"investors.{index}.country"] = ["Choose a country from the list (a two-letter code like GB or US)"]
        if entry.get("is_lead"):
            leads.append(name)
    if len(leads) > 1:
        errors["investors"] = [f"Only one investor can be the lead: {', '.join(leads)} are all marked as the lead"]
    return errors
