"""Reads of the programme budget: its quarters, and plan against spend by category, by quarter and
over time (the burn-up). The staff overview, the public totals and the missions indicators all read
``budget_overview``, so they agree to the penny.

Two queries whatever the number of spend entries: the plan lines, and spend summed by category and
quarter in the database. "To date" means up to the end of the current quarter for the plan (a
quarter's plan is for the whole quarter) and up to today for spend (spend is never dated later).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone

from portal.percentages import percentage

from .models import BudgetCategory, BudgetLine, SpendEntry

PROGRAMME_QUARTERS = 8  # two years
QUARTER_MONTHS = {1: "January to March", 2: "April to June", 3: "July to September", 4: "October to December"}
ZERO = Decimal("0.00")


@dataclass(frozen=True, order=True)
class Quarter:
    """One calendar quarter: ``number`` 1 (January to March) to 4."""

    year: int
    number: int

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, self.number * 3 - 2, 1)

    @property
    def end(self) -> datetime.date:
        month = self.number * 3
        return datetime.date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def label(self) -> str:
        """``2025 Q1``, as the pages show it."""
        return f"{self.year} Q{self.number}"

    @property
    def months(self) -> str:
        """``January to March 2025``."""
        return f"{QUARTER_MONTHS[self.number]} {self.year}"

    @property
    def slug(self) -> str:
        """``2025-Q1``: the period label of the indicators, and the spend list's filter value."""
        return f"{self.year}-Q{self.number}"

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)


def programme_quarters() -> list[Quarter]:
    """The programme's eight quarters, from the quarter of ``settings.FUNDING_BUDGET_STARTS_ON``."""
    quarter = Quarter.of(settings.FUNDING_BUDGET_STARTS_ON)
    quarters = []
    for _ in range(PROGRAMME_QUARTERS):
        quarters.append(quarter)
        quarter = quarter.next()
    return quarters


def programme_span() -> tuple[datetime.date, datetime.date]:
    """The programme's first and last day: spend is dated between them."""
    quarters = programme_quarters()
    return quarters[0].start, quarters[-1].end


def categories_with_lines() -> set[str]:
    """The categories that have at least one plan line: the only ones spend may be recorded in. One query."""
    return set(BudgetLine.objects.order_by().values_list("category", flat=True).distinct())


@dataclass
class Cell:
    """One category in one quarter: planned and spent. Over plan when more was spent than planned
    (spend in a quarter with no line is over a plan of £0)."""

    planned: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def over_by(self) -> Decimal:
        return max(self.spent - self.planned, ZERO)

    @property
    def is_over(self) -> bool:
        return self.spent > self.planned


@dataclass
class CategoryRow:
    """Plan against spend of one category over the whole programme. ``cells`` follow the quarters."""

    category: str
    label: str
    cells: list[Cell]
    planned: Decimal = ZERO
    planned_to_date: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        """What is left of the category's plan; negative when it is overspent."""
        return self.planned - self.spent

    @property
    def over_by(self) -> Decimal:
        return max(self.spent - self.planned, ZERO)

    @property
    def is_over(self) -> bool:
        """Overspent: more spent so far than the category's whole two-year plan."""
        return self.spent > self.planned

    @property
    def spent_share(self) -> Decimal | None:
        """Spent as a percentage of the category's whole plan; None without a plan."""
        return percentage(self.spent, self.planned)


@dataclass(frozen=True)
class BurnUpRow:
    """One quarter of the burn-up: planned and spent in it, and both added up from the programme's
    start. ``started`` is False for a quarter after today's, which has no spend yet."""

    quarter: Quarter
    planned: Decimal
    planned_to_date: Decimal
    spent: Decimal
    spent_to_date: Decimal
    started: bool

    @property
    def against_plan(self) -> Decimal | None:
        """Spent to date as a percentage of planned to date; None while nothing was planned."""
        return percentage(self.spent_to_date, self.planned_to_date)


@dataclass(frozen=True)
class OverspentLine:
    """A category in a quarter where more was spent than planned."""

    category_label: str
    quarter: Quarter
    planned: Decimal
    spent: Decimal

    @property
    def over_by(self) -> Decimal:
        return self.spent - self.planned


@dataclass
class BudgetOverview:
    """The whole budget as of ``today``: every number the staff overview, the public totals and the
    indicators show. ``outside`` is spend dated outside the programme's quarters (none, unless the
    programme's start date was changed after it was recorded), which no other figure counts."""

    today: datetime.date
    quarters: list[Quarter]
    rows: list[CategoryRow]
    burn_up: list[BurnUpRow]
    outside: Decimal = ZERO
    entries: int = 0
    overspent_lines: list[OverspentLine] = field(default_factory=list)

    @property
    def start(self) -> datetime.date:
        return self.quarters[0].start

    @property
    def end(self) -> datetime.date:
        return self.quarters[-1].end

    @property
    def planned(self) -> Decimal:
        return sum((row.planned for row in self.rows), ZERO)

    @property
    def planned_to_date(self) -> Decimal:
        return sum((row.planned_to_date for row in self.rows), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((row.spent for row in self.rows), ZERO)

    @property
    def remaining(self) -> Decimal:
        return self.planned - self.spent

    @property
    def spent_share(self) -> Decimal | None:
        """Spent so far as a percentage of the whole budget; None without a plan."""
        return percentage(self.spent, self.planned)

    @property
    def against_plan(self) -> Decimal | None:
        """Spent so far as a percentage of the plan to date; None while nothing was planned."""
        return percentage(self.spent, self.planned_to_date)

    @property
    def has_plan(self) -> bool:
        return any(row.planned for row in self.rows)

    @property
    def planned_rows(self) -> list[CategoryRow]:
        """The categories with a plan or with spend: the ones worth a row."""
        return [row for row in self.rows if row.planned or row.spent]

    @property
    def overspent_categories(self) -> list[CategoryRow]:
        return [row for row in self.rows if row.is_over]

    @property
    def current_quarter(self) -> Quarter | None:
        """Today's quarter when the programme is running; None before it starts or after it ends."""
        quarter = Quarter.of(self.today)
        return quarter if quarter in self.quarters else None

    @property
    def years(self) -> list[dict]:
        """The programme's two years for the lines tables, each {"label", "quarters", "rows"}, a row
        being (category row, [(quarter, cell)] of those quarters); only the categories with a plan or
        spend."""
        years = []
        for number, first in enumerate(range(0, len(self.quarters), 4), start=1):
            quarters = self.quarters[first : first + 4]
            years.append(
                {
                    "label": f"Year {number}: {quarters[0].label} to {quarters[-1].label}",
                    "quarters": quarters,
                    "rows": [
                        (row, list(zip(quarters, row.cells[first : first + 4], strict=True)))
                        for row in self.planned_rows
                    ],
                }
            )
        return years

    @property
    def chart_data(self) -> dict:
        """The burn-up for ``static/src/funding-budget.js``: both series added up quarter by quarter,
        the spend stopping at the current quarter. Each point carries its text as the table shows it."""
        return {
            "labels": [row.quarter.label for row in self.burn_up],
            "unit": "£",
            "datasets": [
                {
                    "label": "Planned to date",
                    "kind": "plan",
                    "data": [float(row.planned_to_date) for row in self.burn_up],
                    "text": [money_text(row.planned_to_date) for row in self.burn_up],
                },
                {
                    "label": "Spent to date",
                    "kind": "spend",
                    "data": [float(row.spent_to_date) if row.started else None for row in self.burn_up],
                    "text": [money_text(row.spent_to_date) if row.started else "" for row in self.burn_up],
                },
            ],
        }

    @property
    def chart_label(self) -> str:
        return (
            f"Burn-up chart: spend added up quarter by quarter against the plan added up, from "
            f"{self.quarters[0].label} to {self.quarters[-1].label}. The table below gives the same numbers."
        )


def money_text(amount: Decimal) -> str:
    """``£1,234.50``: pounds and pence, as every budget page shows money."""
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def budget_overview(today: datetime.date | None = None) -> BudgetOverview:
    """Plan against spend as of ``today`` (the local date by default), by category, by category
    and quarter, and quarter by quarter added up (the burn-up); with every line where more was
    spent than planned. Two queries, whatever the number of spend entries."""
    today = today or timezone.localdate()
    quarters = programme_quarters()
    position = {quarter: index for index, quarter in enumerate(quarters)}
    current = Quarter.of(today)
    rows = {value: CategoryRow(value, label, [Cell() for _ in quarters]) for value, label in BudgetCategory.choices}

    for category, year, number, planned in BudgetLine.objects.order_by().values_list(
        "category", "year", "quarter", "planned_gbp"
    ):
        quarter = Quarter(year, number)
        if quarter not in position or category not in rows:
            continue
        row = rows[category]
        row.cells[position[quarter]].planned += planned
        row.planned += planned
        if quarter <= current:
            row.planned_to_date += planned

    outside, entries = ZERO, 0
    spend = (
        SpendEntry.objects.order_by()
        .annotate(year=ExtractYear("spent_on"), number=ExtractQuarter("spent_on"))
        .values_list("category", "year", "number")
        .annotate(total=Sum("amount_gbp"), count=Count("pk"))
    )
    for category, year, number, total, count in spend:
        entries += count
        quarter = Quarter(year, number)
        if quarter not in position or category not in rows:
            outside += total
            continue
        rows[category].cells[position[quarter]].spent += total
        rows[category].spent += total

    burn_up, planned_to_date, spent_to_date = [], ZERO, ZERO
    for index, quarter in enumerate(quarters):
        planned = sum((row.cells[index].planned for row in rows.values()), ZERO)
        spent = sum((row.cells[index].spent for row in rows.values()), ZERO)
        planned_to_date += planned
        spent_to_date += spent
        burn_up.append(BurnUpRow(quarter, planned, planned_to_date, spent, spent_to_date, quarter <= current))

    overspent = [
        OverspentLine(row.label, quarter, cell.planned, cell.spent)
        for row in rows.values()
        for quarter, cell in zip(quarters, row.cells, strict=True)
        if cell.is_over
    ]
    return BudgetOverview(
        today=today,
        quarters=quarters,
        rows=list(rows.values()),
        burn_up=burn_up,
        outside=outside,
        entries=entries,
        overspent_lines=overspent,
    )


def plan_amounts() -> dict[tuple[str, Quarter], Decimal]:
    """Every plan line as (category, quarter) -> planned amount, for the plan form. One query."""
    return {
        (category, Quarter(year, number)): planned
        for category, year, number, planned in BudgetLine.objects.order_by().values_list(
            "category", "year", "quarter", "planned_gbp"
        )
    }


def spend_by_category() -> dict[str, Decimal]:
    """Spend recorded in each category (those with any), over every date. One query."""
    rows = SpendEntry.objects.order_by().values_list("category").annotate(total=Sum("amount_gbp"))
    return defaultdict(lambda: ZERO, dict(rows))


# A spend entry's history -------------------------------------------------------------------------

SPEND_LABELS = {
    "spent_on": "Date",
    "category": "Category",
    "supplier": "Supplier",
    "amount_gbp": "Amount",
    "note": "Note",
}
ACTIONS = {"+": "Recorded", "~": "Changed", "-": "Removed"}


@dataclass(frozen=True)
class HistoryItem:
    """One change to a spend entry: when, by whom, what (recorded, changed, removed), and each
    field changed as (label, before, after) in words."""

    when: datetime.datetime
    who: str
    action: str
    changes: list[tuple[str, str, str]]


def _spend_text(name: str, value) -> str:
    if value in (None, ""):
        return "None given" if name == "note" else "Not recorded"
    if name == "spent_on":
        return f"{value.day} {value:%B %Y}"
    if name == "category":
        return BudgetCategory(value).label if value in BudgetCategory.values else str(value)
    if name == "amount_gbp":
        return money_text(Decimal(value))
    return str(value)


def spend_history(entry: SpendEntry) -> list[HistoryItem]:
    """Every change to ``entry``, oldest first, each field that changed in words. One query."""
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    items, before = [], None
    for record in records:
        user = record.history_user
        who = (user.full_name or user.email) if user is not None else "Not recorded"
        changes = [
            (
                label,
                _spend_text(name, getattr(before, name) if before else None),
                _spend_text(name, getattr(record, name)),
            )
            for name, label in SPEND_LABELS.items()
            if before is not None and getattr(before, name) != getattr(record, name)
        ]
        items.append(HistoryItem(record.history_date, who, ACTIONS.get(record.history_type, "Changed"), changes))
        before = record
    return items
