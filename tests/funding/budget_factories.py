"""Factories of the programme budget. Made rows bump the ``budget`` data key
(``VersionedModelFactory``), as the services do; they skip the services' checks, as fixtures do."""

import datetime
from decimal import Decimal

import factory

from funding.models import BudgetCategory, BudgetLine, SpendEntry
from tests.portal.factories import VersionedModelFactory

# The programme of the base settings (FUNDING_BUDGET_STARTS_ON): 2025 Q1 to 2026 Q4.
FIRST_DAY, LAST_DAY = datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)


class BudgetLineFactory(VersionedModelFactory):
    """£4,000 planned for the Tech Commissioner in 2025 Q1."""

    class Meta:
        model = BudgetLine
        django_get_or_create = ("category", "year", "quarter")

    category = BudgetCategory.COMMISSIONER
    year = 2025
    quarter = 1
    planned_gbp = Decimal("4000.00")


class SpendEntryFactory(VersionedModelFactory):
    """£1,000 to a supplier for the Tech Commissioner on 14 February 2025."""

    class Meta:
        model = SpendEntry

    spent_on = datetime.date(2025, 2, 14)
    category = BudgetCategory.COMMISSIONER
    supplier = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    amount_gbp = Decimal("1000.00")
    note = ""
