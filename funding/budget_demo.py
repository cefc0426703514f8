"""The demo programme budget (local use only): £160,000 planned over the programme's eight quarters in
seven categories, and synthetic spend in every quarter up to today, recorded by the demo staff
account. Every supplier is fictional and named "(demo)"; every note says the entry is synthetic.

Spend runs at 72% to 103% of each line's plan, the current quarter in proportion to the days gone,
except events and communications, which runs 15% to 30% over its plan so the overview shows its
overspent warnings. Deterministic: the same rows on the same day. Idempotent: plan lines are keyed
on category and quarter, and no spend is added once any demo spend exists. Inserted in bulk
(``budget_services.budget_bulk_create``), which bumps the ``budget`` data key.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.models import User

from .budget_selectors import programme_quarters
from .budget_services import budget_bulk_create
from .models import BudgetCategory, BudgetLine, SpendEntry

C = BudgetCategory
# Category -> the amount planned in each of the eight quarters, in pounds; 0 is no line. £160,000 in all.
PLAN = {
    C.COMMISSIONER: [8000] * 8,
    C.AMBASSADORS: [2000, 3000, 3500, 4000, 4000, 4000, 3750, 3750],
    C.WORKSPACES: [0, 3000, 3000, 3000, 3000, 4000, 4000, 4000],
    C.FUNDING: [2000] * 8,
    C.EVENTS: [3000, 1000, 2500, 1000, 3000, 1000, 1500, 1000],
    C.DATA: [4000, 2000, 1000, 500, 500, 500, 500, 1000],
    C.OTHER: [500] * 8,
}
SUPPLIERS = {
    C.COMMISSIONER: ["Commissioner Services Ltd (demo)", "Midlands Travel Desk (demo)"],
    C.AMBASSADORS: ["Global Connect Events (demo)", "Trade Mission Partners (demo)", "Midlands Travel Desk (demo)"],
    C.WORKSPACES: ["Canalside Hub desk subsidy (demo)", "Black Country Makerspace desk subsidy (demo)"],
    C.FUNDING: ["Investor Day Productions (demo)", "Pitch Night Ltd (demo)"],
    C.EVENTS: ["Brindleyplace Venues (demo)", "Digbeth Print Works (demo)", "Copper Kettle Catering (demo)"],
    C.DATA: ["Open Data Studio (demo)", "Cloud Hosting Co (demo)"],
    C.OTHER: ["Office Supplies Direct (demo)", "Bank charges (demo)"],
}
NOTE = "Synthetic demo entry: not a real cost."
STAFF_EMAIL = "staff@example.org"


def _amounts(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """``total`` split into ``parts`` amounts in pounds and pence, each more than £0, adding up to it."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    amounts = [(total * Decimal(w / sum(weights))).quantize(Decimal("0.01")) for w in weights[:-1]]
    return [*amounts, total - sum(amounts, Decimal(0))]


def _spend(today: datetime.date, rng: random.Random, recorded_by: User | None) -> list[SpendEntry]:
    entries = []
    for index, quarter in enumerate(programme_quarters()):
        if quarter.start > today:
            break
        end = min(quarter.end, today)
        gone = Decimal((end - quarter.start).days + 1) / Decimal((quarter.end - quarter.start).days + 1)
        for category, plan in PLAN.items():
            if not plan[index]:
                continue
            low, high = (1.15, 1.3) if category == C.EVENTS else (0.72, 1.03)
            target = (Decimal(plan[index]) * Decimal(str(round(rng.uniform(low, high), 3))) * gone).quantize(
                Decimal("0.01")
            )
            parts = 3 if category == C.COMMISSIONER else rng.randint(1, 4)
            if target < parts:
                continue
            for amount in _amounts(target, parts, rng):
                entries.append(
                    SpendEntry(
                        spent_on=quarter.start + datetime.timedelta(days=rng.randint(0, (end - quarter.start).days)),
                        category=category,
                        supplier=rng.choice(SUPPLIERS[category]),
                        amount_gbp=amount,
                        note=NOTE,
                        recorded_by=recorded_by,
                    )
                )
    return entries


@transaction.atomic
def seed(*, today: datetime.date | None = None) -> dict:
    """Create the demo plan lines and spend that are missing. Returns counts: ``lines`` and
    ``entries`` (in all), ``new_lines`` and ``new_entries``."""
    today = today or timezone.localdate()
    rng = random.Random(2025)  # noqa: S311 - demo data, not security
    quarters = programme_quarters()
    existing = set(BudgetLine.objects.values_list("category", "year", "quarter"))
    lines = [
        BudgetLine(category=category, year=quarter.year, quarter=quarter.number, planned_gbp=Decimal(amount))
        for category, plan in PLAN.items()
        for quarter, amount in zip(quarters, plan, strict=True)
        if amount and (category, quarter.year, quarter.number) not in existing
    ]
    entries = []
    if not SpendEntry.objects.filter(note=NOTE).exists():
        entries = _spend(today, rng, User.objects.filter(email=STAFF_EMAIL).first())
    if lines or entries:
        budget_bulk_create(lines=lines, entries=entries)
    return {
        "lines": BudgetLine.objects.count(),
        "entries": SpendEntry.objects.count(),
        "new_lines": len(lines),
        "new_entries": len(entries),
    }
