"""Reads of the investment register: the kinds of organisation that invest, and a deal's history
in words. The organisations a person names (by name or Companies House number) are found by
``portal.selectors.organisations_find``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django_countries import countries

from portal.models import Organisation

from .models import Investment, InvestmentInvestor, Opportunity

# A deal's history ----------------------------------------------------------------------------

# The fields the history names, in words; the others (timestamps, who recorded it) are not news.
HISTORY_FIELDS = {
    "firm": "Firm",
    "kind": "Kind",
    "stage": "Stage",
    "amount_gbp": "Amount",
    "announced_on": "Date",
    "opportunity": "Listed opportunity",
    "title": "What it is for",
    "source": "Source",
}


@dataclass
class HistoryEntry:
    """One change to a deal: when, by whom (a person's name, or the API client and its partner)
    and what changed, in sentences."""

    when: datetime
    who: str
    changes: list[str] = field(default_factory=list)


def _who(record) -> str:
    user = record.history_user
    if user is not None:
        return user.full_name or user.email
    return record.history_change_reason or "The portal"


def _value_text(name: str, value, names: dict) -> str:
    if value is None or value == "":
        empty = {"amount_gbp": "not disclosed", "opportunity": "no listed opportunity", "stage": "not given"}
        return empty.get(name, "nothing")
    if name == "amount_gbp":
        return f"£{value:,}"
    if name == "kind":
        return Investment.Kind(value).label if value in Investment.Kind.values else str(value)
    if name == "stage":
        return Investment.Stage(value).label if value in Investment.Stage.values else str(value)
    if name == "announced_on":
        return f"{value:%-d %B %Y}"
    if name in ("firm", "opportunity"):
        return names.get((name, value), f"#{value}")
    return str(value)


def investment_history(investment: Investment) -> list[HistoryEntry]:
    """Every change to ``investment`` and its investors, oldest first: recorded, each field that
    changed (from, to), investors added, changed and removed, verified, and the duplicate flag set
    or cleared. Changes made in one save by one writer are one entry. A fixed number of queries
    (five) whatever the length of the history."""
    records = list(investment.history.select_related("history_user").order_by("history_date", "history_id"))
    investor_records = list(
        InvestmentInvestor.history.filter(investment_id=investment.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    organisation_ids = {r.firm_id for r in records} | {r.investor_id for r in investor_records}
    organisations = Organisation.objects.in_bulk(organisation_ids - {None})
    opportunity_ids = {r.opportunity_id for r in records} - {None}
    opportunities = Opportunity.objects.in_bulk(opportunity_ids)
    names = {("firm", pk): o.name for pk, o in organisations.items()}
    names.update({("opportunity", pk): o.title for pk, o in opportunities.items()})

    events: list[tuple[datetime, int, str, str]] = []
    previous = None
    for record in records:
        who = _who(record)
        if previous is None:
            events.append((record.history_date, 0, who, f"Recorded ({record.get_origin_display().lower()})"))
        else:
            for name, label in HISTORY_FIELDS.items():
                attribute = f"{name}_id" if name in ("firm", "opportunity") else name
                before, after = getattr(previous, attribute), getattr(record, attribute)
                if before != after:
                    events.append(
                        (
                            record.history_date,
                            0,
                            who,
                            f"{label}: {_value_text(name, before, names)} to {_value_text(name, after, names)}",
                        )
                    )
            if previous.verified_at is None and record.verified_at is not None:
                events.append((record.history_date, 0, who, "Verified"))
            elif previous.verified_at is not None and record.verified_at is None:
                events.append((record.history_date, 0, who, "No longer verified: the deal changed since"))
            if previous.possible_duplicate_of_id != record.possible_duplicate_of_id:
                if record.possible_duplicate_of_id is None:
                    events.append((record.history_date, 0, who, "Possible-duplicate flag cleared"))
                else:
                    events.append(
                        (
                            record.history_date,
                            0,
                            who,
                            f"Flagged as a possible duplicate of investment #{record.possible_duplicate_of_id}",
                        )
                    )
        previous = record
    last: dict[int, object] = {}
    for record in investor_records:
        organisation = organisations.get(record.investor_id)
        name = organisation.name if organisation else f"#{record.investor_id}"
        role = f"{'lead, ' if record.is_lead else ''}{countries.name(record.country) or record.country}"
        if record.history_type == "+":
            text = f"Investor added: {name} ({role})"
        elif record.history_type == "-":
            text = f"Investor removed: {name}"
        else:
            before = last.get(record.id)
            parts = []
            if before is not None and before.is_lead != record.is_lead:
                parts.append("now the lead" if record.is_lead else "no longer the lead")
            if before is not None and before.country != record.country:
                parts.append(f"based in {countries.name(record.country) or record.country}")
            text = f"Investor {name}: {', '.join(parts) or 'changed'}"
        last[record.id] = record
        events.append((record.history_date, 1, _who(record), text))

    events.sort(key=lambda event: (event[0], event[1]))
    entries: list[HistoryEntry] = []
    for when, _order, who, text in events:
        # One save writes the deal and its investors a moment apart: one entry for the reader.
        if entries and entries[-1].who == who and abs((when - entries[-1].when).total_seconds()) < 2:
            entries[-1].changes.append(text)
        else:
            entries.append(HistoryEntry(when=when, who=who, changes=[text]))
    return entries
