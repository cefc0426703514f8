"""Importing deals from a CSV file (staff): read with tablib, every row checked, a preview, then
all of it or nothing. The columns, the template and the register's download are in
``investment_csv``.

Reading never writes: ``investment_import_read`` returns the checked rows or raises one
ValidationError listing every problem as "Row 4, amount_gbp: …" (rows counted as a spreadsheet
shows them, the header being row 1). ``investment_import_prepare`` keeps the checked rows on the
server (``InvestmentImport``); ``investment_import_confirm`` creates them in one transaction.
"""

from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal.models import Organisation
from portal.page_cache import data_version_bump
from portal.permissions import Actor
from portal.selectors import organisations_find

from . import investment_rules as rules
from . import investment_services as services
from .investment_csv import EXPORT_ONLY_COLUMNS, IMPORT_COLUMNS, REQUIRED_COLUMNS
from .models import Investment, InvestmentImport, Opportunity

IMPORT_MAX_BYTES = 2 * 1024 * 1024
IMPORT_MAX_ROWS = 5000
_WHOLE_POUNDS = re.compile(r"^£?\s*([0-9][0-9,]*)(?:\.0+)?$")


def _row_label(row: int | None, column: str | None) -> str:
    if row is None:
        return ""
    return f"Row {row}, {column}: " if column else f"Row {row}: "


def _choice(value: str, choices) -> str | None:
    """A choice given by its code or its label, case and spaces ignored; None if neither."""
    wanted = value.strip().lower().replace(" ", "_").replace("-", "_")
    for code, label in choices:
        if wanted in (code, label.lower().replace(" ", "_").replace("-", "_")):
            return code
    return None


def _amount(text: str) -> tuple[int | None, str]:
    text = text.strip()
    if not text:
        return None, ""
    match = _WHOLE_POUNDS.match(text.replace(" ", ""))
    if match is None:
        if re.match(r"^£?[0-9,]+\.[0-9]+$", text.replace(" ", "")):
            return None, f"Enter whole pounds, without pence: not {text}"
        return (
            None,
            f"Enter whole pounds, like 250000, or leave it empty if the amount was not disclosed: not {text}",
        )
    return int(match.group(1).replace(",", "")), ""


def _date(text: str) -> tuple[datetime.date | None, str]:
    text = text.strip()
    if not text:
        return None, "Enter the date, like 2025-03-31"
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date(), ""  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None, f"Enter a real date as 2025-03-31 or 31/03/2025: not {text}"


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";")] if text.strip() else []


def _dataset(content: bytes) -> tablib.Dataset:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError('The file is not UTF-8 text: save it from your spreadsheet as "CSV UTF-8"') from None
    if "\x00" in text:
        raise ValidationError("The file is not a CSV file: save it from your spreadsheet as CSV")
    dataset = tablib.Dataset()
    try:
        dataset.load(text, format="csv")
    except tablib.InvalidDimensions:
        raise ValidationError(
            "A row has more cells than the header has columns: put quotes around values that contain commas"
        ) from None
    except (csv.Error, tablib.UnsupportedFormat) as error:
        raise ValidationError(f"The file could not be read as CSV: {error}") from None
    return dataset


def investment_import_read(content: bytes) -> list[dict]:
    """The rows of a CSV file of deals, checked and with the organisations they name found:
    each ``{"row", "firm", "kind", "stage", "amount_gbp", "announced_on", "title", "source",
    "opportunity", "investors": [{"organisation": id or None, "name", "is_lead", "country"}]}``
    (a new investor organisation has no id), ready to keep as JSON.

    Raises one ValidationError listing every problem of the file ("Row 4, amount_gbp: …"), so
    nothing is imported from a file with any bad row. Runs a fixed number of queries (five)
    whatever the number of rows."""
    dataset = _dataset(content)
    headers = [(header or "").strip().lower() for header in (dataset.headers or [])]
    problems = []
    known = set(IMPORT_COLUMNS) | set(EXPORT_ONLY_COLUMNS)
    unknown = [h for h in headers if h not in known]
    if unknown:
        problems.append(f"Unknown columns {', '.join(unknown)}: the columns are {', '.join(IMPORT_COLUMNS)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        problems.append(f"The file has no {', '.join(missing)} column{'s' if len(missing) > 1 else ''}")
    repeated = sorted({h for h in headers if headers.count(h) > 1})
    if repeated:
        problems.append(f"The columns {', '.join(repeated)} appear more than once")
    if problems:
        raise ValidationError(problems)
    records = [dict(zip(headers, (str(c or "") for c in row), strict=True)) for row in dataset]
    if not records:
        raise ValidationError("The file has a header but no rows of investments")
    if len(records) > IMPORT_MAX_ROWS:
        raise ValidationError(f"The file has {len(records):,} rows: import at most {IMPORT_MAX_ROWS:,} at once")

    firms = organisations_find((r.get("firm", "") for r in records), kinds=[Organisation.Kind.FIRM])
    investors = organisations_find(
        [r.get("lead_investor", "") for r in records]
        + [n for r in records for n in _split(r.get("other_investors", ""))]
    )
    opportunity_ids = {int(r["opportunity"]) for r in records if r.get("opportunity", "").strip().isdigit()}
    opportunities = set(Opportunity.objects.filter(pk__in=opportunity_ids).values_list("pk", flat=True))
    rows = []
    for number, record in enumerate(records, start=2):
        row, row_problems = _row_check(number, record, firms, investors, opportunities)
        problems += row_problems
        rows.append(row)
    if problems:
        raise ValidationError(problems)
    return rows


def _row_check(number: int, record: dict, firms: dict, investors: dict, opportunities: set) -> tuple[dict, list[str]]:
    """One row as the import keeps it, and its problems ("Row 4, kind: …")."""
    problems: dict[str, list[str]] = {}

    def add(column: str, message: str) -> None:
        problems.setdefault(column, []).append(message)

    get = lambda column: (record.get(column) or "").strip()  # noqa: E731
    firm = None
    if not get("firm"):
        add("firm", "Enter the firm's Companies House number or name")
    else:
        match = firms[get("firm")]
        firm = match.organisation
        if firm is None:
            add("firm", match.problem)
    kind = _choice(get("kind"), Investment.Kind.choices) if get("kind") else ""
    if kind is None:
        add("kind", f"Enter equity, grant, loan or other: not {get('kind')}")
    stage = _choice(get("stage"), Investment.Stage.choices) if get("stage") else ""
    if stage is None:
        add("stage", f"Enter one of {', '.join(Investment.Stage.values)}, or leave it empty: not {get('stage')}")
    amount, problem = _amount(get("amount_gbp"))
    if problem:
        add("amount_gbp", problem)
    day, problem = _date(get("date"))
    if problem:
        add("date", problem)
    opportunity = None
    if get("opportunity"):
        if not get("opportunity").isdigit() or int(get("opportunity")) not in opportunities:
            add("opportunity", f"No listed funding opportunity has the id {get('opportunity')}")
        else:
            opportunity = int(get("opportunity"))

    entries, columns = [], []
    if get("lead_investor"):
        entries.append({"text": get("lead_investor"), "is_lead": True, "country": get("lead_investor_country").upper()})
        columns.append(("lead_investor", "lead_investor_country"))
    elif get("lead_investor_country"):
        add("lead_investor", "Enter the lead investor, or leave its country empty")
    others, other_countries = _split(get("other_investors")), _split(get("other_investor_countries"))
    if len(others) != len(other_countries):
        add(
            "other_investor_countries",
            f"Give one country for each of the {len(others)} other investors, in the same order "
            f"(there are {len(other_countries)})",
        )
    for text, country in zip(others, other_countries + [""] * len(others), strict=False):
        entries.append({"text": text, "is_lead": False, "country": country.upper()})
        columns.append(("other_investors", "other_investor_countries"))
    investor_rows = []
    for entry, (name_column, _country_column) in zip(entries, columns, strict=True):
        match = investors.get(entry["text"])
        if match is not None and match.organisation is None and not match.unknown_name:
            add(name_column, match.problem)
        organisation = match.organisation if match is not None else None
        investor_rows.append(
            {
                "investor": organisation,
                "name": organisation.name if organisation else entry["text"],
                "is_lead": entry["is_lead"],
                "country": entry["country"],
            }
        )
    values = {
        "firm": firm,
        "kind": kind or "",
        "stage": stage or "",
        "amount_gbp": amount,
        "announced_on": day,
        "opportunity": None,
        "title": get("title"),
        "source": get("source"),
    }
    column_of = {"announced_on": "date"}
    for key, messages in rules.investment_value_errors(values=values, investors=investor_rows).items():
        parts = key.split(".")
        if parts[0] == "investors" and len(parts) == 3:
            name_column, country_column = columns[int(parts[1])]
            column = country_column if parts[2] == "country" else name_column
        elif parts[0] == "investors":
            column = "lead_investor"
        else:
            column = column_of.get(key, key)
        if column in problems:
            continue  # already said why, in the file's own words
        for message in messages:
            add(column, message)
    row = {
        "row": number,
        "firm": firm.pk if firm else None,
        "kind": kind or "",
        "stage": stage or "",
        "amount_gbp": amount,
        "announced_on": day.isoformat() if day else None,
        "title": get("title"),
        "source": get("source"),
        "opportunity": opportunity,
        "investors": [
            {
                "organisation": e["investor"].pk if e["investor"] else None,
                "name": e["name"],
                "is_lead": e["is_lead"],
                "country": e["country"],
            }
            for e in investor_rows
        ],
    }
    messages = [f"{_row_label(number, column)}{message}" for column, texts in problems.items() for message in texts]
    return row, messages


@transaction.atomic
def investment_import_prepare(*, content: bytes, file_name: str, actor: Actor) -> InvestmentImport:
    """Read and check a CSV file of deals and keep its rows for ``actor`` to confirm (uploads
    nobody confirmed in time are deleted first). Raises PermissionDenied for anyone but staff;
    ValidationError (every problem of the file, by row and column) and keeps nothing when any row
    is wrong."""
    if not actor.is_staff:
        raise PermissionDenied("Only commissioner staff import investments.")
    rows = investment_import_read(content)
    InvestmentImport.objects.stale().delete()
    return InvestmentImport.objects.create(
        uploaded_by=actor.user, file_name=(file_name or "investments.csv")[:200], rows=rows, row_count=len(rows)
    )


@dataclass(frozen=True)
class PreviewRow:
    """One row of an upload as its preview shows it."""

    row: int
    firm: Organisation
    kind: str
    stage: str
    amount_gbp: int | None
    announced_on: datetime.date
    investors: list[str]
    duplicate_of: Investment | None
    duplicate_of_row: int | None

    @property
    def flagged(self) -> bool:
        return self.duplicate_of is not None or self.duplicate_of_row is not None


@dataclass(frozen=True)
class ImportPreview:
    rows: list[PreviewRow]
    new_investors: list[str]

    @property
    def flagged(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.flagged]


def investment_import_preview(investment_import: InvestmentImport) -> ImportPreview:
    """What confirming the upload would create: each row with its firm and investors by name,
    and whether it may duplicate a stored deal or an earlier row of the file; and the investor
    organisations it would add. Four queries whatever the number of rows."""
    rows = investment_import.rows
    firms = Organisation.objects.in_bulk({row["firm"] for row in rows})
    named = Organisation.objects.in_bulk({i["organisation"] for row in rows for i in row["investors"]} - {None})
    days = {datetime.date.fromisoformat(row["announced_on"]) for row in rows}
    stored: dict[tuple, Investment] = {}
    for investment in (
        Investment.objects.filter(firm_id__in=set(firms), announced_on__in=days).select_related("firm").order_by("pk")
    ):
        stored.setdefault(rules.duplicate_key(investment), investment)
    seen: dict[tuple, int] = {}
    preview, new = [], {}
    for row in rows:
        day = datetime.date.fromisoformat(row["announced_on"])
        key = (row["firm"], day, row["amount_gbp"], row["kind"])
        names = []
        for entry in row["investors"]:
            organisation = named.get(entry["organisation"]) if entry["organisation"] else None
            name = organisation.name if organisation else entry["name"]
            if organisation is None:
                new.setdefault(name.lower(), name)
            role = "lead, " if entry["is_lead"] else ""
            names.append(f"{name} ({role}{entry['country']}){'' if organisation else ' (new)'}")
        preview.append(
            PreviewRow(
                row=row["row"],
                firm=firms.get(row["firm"]),
                kind=Investment.Kind(row["kind"]).label,
                stage=Investment.Stage(row["stage"]).label if row["stage"] else "",
                amount_gbp=row["amount_gbp"],
                announced_on=day,
                investors=names,
                duplicate_of=stored.get(key),
                duplicate_of_row=None if key in stored else seen.get(key),
            )
        )
        seen.setdefault(key, row["row"])
    return ImportPreview(rows=preview, new_investors=sorted(new.values(), key=str.lower))


@transaction.atomic
def investment_import_confirm(*, investment_import: InvestmentImport, actor: Actor) -> InvestmentImport:
    """Create every deal of an upload, all or nothing, as imported by ``actor`` (``origin``
    import), each flagged when it may duplicate a stored deal or an earlier row; new investor
    organisations are added to the registry as funders. Returns the upload with ``created_count``.

    Idempotent: an upload confirmed before creates nothing again (the row is locked, so two
    confirmations at once create it once). Raises PermissionDenied for anyone but staff;
    ValidationError when the upload is too old, or when a firm, investor or opportunity it names
    left the registry since (by row), creating nothing."""
    if not actor.is_staff:
        raise PermissionDenied("Only commissioner staff import investments.")
    upload = InvestmentImport.objects.select_for_update().get(pk=investment_import.pk)
    if upload.confirmed_at is not None:
        return upload
    if not InvestmentImport.objects.open().filter(pk=upload.pk).exists():
        raise ValidationError("This upload is more than a day old: upload the file again to see what it would import")
    rows = upload.rows
    firms = Organisation.objects.in_bulk({row["firm"] for row in rows})
    named = Organisation.objects.in_bulk({i["organisation"] for row in rows for i in row["investors"]} - {None})
    opportunities = Opportunity.objects.in_bulk({row["opportunity"] for row in rows} - {None})
    new_names = {i["name"] for row in rows for i in row["investors"] if i["organisation"] is None}
    found = organisations_find(new_names)
    created_investors: dict[str, Organisation] = {}
    problems, items = [], []
    for row in rows:
        firm = firms.get(row["firm"])
        if firm is None or firm.kind != Organisation.Kind.FIRM:
            problems.append(f"{_row_label(row['row'], 'firm')}The firm is no longer in the registry")
        if row["opportunity"] and row["opportunity"] not in opportunities:
            problems.append(f"{_row_label(row['row'], 'opportunity')}The opportunity is no longer listed")
        investors = []
        for entry in row["investors"]:
            organisation = named.get(entry["organisation"]) if entry["organisation"] else None
            if entry["organisation"] and organisation is None:
                problems.append(
                    f"{_row_label(row['row'], 'lead_investor')}{entry['name']} is no longer in the registry"
                )
                continue
            if organisation is None:
                match = found.get(entry["name"])
                organisation = match.organisation if match is not None else None
            if organisation is None:
                organisation = created_investors.get(entry["name"].lower())
            if organisation is None:
                from portal.services import organisation_create

                organisation = organisation_create(
                    data={"name": entry["name"], "kind": Organisation.Kind.FUNDER, "is_tech": False}, actor=actor
                )
                created_investors[entry["name"].lower()] = organisation
            investors.append({"investor": organisation, "is_lead": entry["is_lead"], "country": entry["country"]})
        investment = Investment(
            firm=firm,
            kind=row["kind"],
            stage=row["stage"],
            amount_gbp=row["amount_gbp"],
            announced_on=datetime.date.fromisoformat(row["announced_on"]),
            opportunity=opportunities.get(row["opportunity"]) if row["opportunity"] else None,
            title=row["title"],
            source=row["source"],
            origin=Investment.Origin.IMPORT,
            created_by=actor.history_user,
        )
        items.append((investment, investors))
    if problems:
        raise ValidationError(problems)
    reason = f"Imported from {upload.file_name}"[:100]
    services.investments_insert(items, history_user=actor.history_user, history_reason=reason)
    upload.confirmed_at, upload.created_count = timezone.now(), len(items)
    upload.save(update_fields=["confirmed_at", "created_count"])
    data_version_bump("investments")
    return upload
