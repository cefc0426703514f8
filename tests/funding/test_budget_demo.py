"""The demo budget: £160,000 planned over the eight quarters, synthetic spend up to today within the
rules the services keep, an overspent category for the warnings to show, the same rows on the same
day, and nothing added the second time."""

import datetime
import random
from decimal import Decimal

import pytest

from funding import budget_demo
from funding.budget_selectors import budget_overview, categories_with_lines, programme_span
from funding.models import BudgetLine, SpendEntry

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 20)  # the programme's sixth quarter


def test_the_demo_budget_is_160000_over_two_years_with_spend_up_to_today():
    counts = budget_demo.seed(today=TODAY)
    assert counts["new_lines"] == counts["lines"] == BudgetLine.objects.count() == 55
    assert counts["new_entries"] == counts["entries"] > 100
    overview = budget_overview(TODAY)
    assert overview.planned == Decimal("160000.00")
    start, _end = programme_span()
    lined = categories_with_lines()
    for entry in SpendEntry.objects.all():
        assert start <= entry.spent_on <= TODAY, entry
        assert entry.category in lined and entry.amount_gbp > 0 and entry.supplier.endswith("(demo)"), entry
        assert entry.note == budget_demo.NOTE
    assert Decimal("0.8") * overview.planned_to_date < overview.spent < overview.planned_to_date
    assert not [row for row in overview.burn_up if not row.started and row.spent]
    # Events and communications runs over its plan, so the overview has warnings to show.
    assert {line.category_label for line in overview.overspent_lines} >= {"Events and communications"}
    assert [row.category for row in overview.rows if row.spent > row.planned_to_date] == ["events"]


def test_the_demo_budget_is_the_same_on_the_same_day_and_added_once():
    first = budget_demo._spend(TODAY, random.Random(2025), None)
    again = budget_demo._spend(TODAY, random.Random(2025), None)
    assert [(e.spent_on, e.category, e.supplier, e.amount_gbp) for e in first] == [
        (e.spent_on, e.category, e.supplier, e.amount_gbp) for e in again
    ]
    budget_demo.seed(today=TODAY)
    total = budget_overview(TODAY).spent
    counts = budget_demo.seed(today=TODAY + datetime.timedelta(days=30))
    assert (counts["new_lines"], counts["new_entries"]) == (0, 0)
    assert budget_overview(TODAY).spent == total
