"""The programme budget's indicators on a hand-built plan and spend: the share of the whole budget
spent (M1-14) and spend against the plan to date (M1-14P), quarter by quarter, against numbers
worked out by hand; the catalogue's entries, the value rules (a share of a plan may pass 100%),
the query count and the KPI refresh."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding.models import SpendEntry
from missions.catalogue import indicator_catalogue_sync
from missions.computations import budget as computations
from missions.models import Indicator, Observation, RefreshRun
from missions.registry import REGISTRY
from missions.services import refresh_run_execute
from missions.values import observation_value_errors
from tests.funding.budget_factories import BudgetLineFactory, SpendEntryFactory

pytestmark = pytest.mark.django_db

D = Decimal
KEYS = {"budget_spent_share": "M1-14", "budget_spend_against_plan": "M1-14P"}


@pytest.fixture
def in_2025_q3(monkeypatch):
    """Today is 15 August 2025: the programme (2025 Q1 to 2026 Q4) is in its third quarter."""
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: datetime.date(2025, 8, 15))


@pytest.fixture
def budget():
    """£35,000 planned: the Commissioner £8,000 in 2025 Q1, Q2, Q3 and 2026 Q4; events £1,000 in
    2025 Q1 and £2,000 in Q3. £17,800 spent: £7,500 in Q1, £9,300 in Q2, £1,000 in Q3."""
    for quarter in (1, 2, 3):
        BudgetLineFactory(category="commissioner", year=2025, quarter=quarter, planned_gbp=D(8000))
    BudgetLineFactory(category="commissioner", year=2026, quarter=4, planned_gbp=D(8000))
    BudgetLineFactory(category="events", year=2025, quarter=1, planned_gbp=D(1000))
    BudgetLineFactory(category="events", year=2025, quarter=3, planned_gbp=D(2000))
    for day, category, amount in [
        (datetime.date(2025, 2, 10), "commissioner", 5000),
        (datetime.date(2025, 3, 31), "commissioner", 2500),
        (datetime.date(2025, 5, 1), "commissioner", 9000),
        (datetime.date(2025, 4, 20), "events", 300),
        (datetime.date(2025, 8, 1), "events", 1000),
    ]:
        SpendEntryFactory(spent_on=day, category=category, amount_gbp=D(amount))


def by_label(values) -> dict:
    return {value.period_label: value for value in values}


def test_both_indicators_are_registered_and_catalogued_in_mission_m1():
    indicator_catalogue_sync()
    for key, code in KEYS.items():
        assert key in REGISTRY, key
        indicator = Indicator.objects.get(code=code)
        assert (indicator.method, indicator.computation, indicator.mission.code) == ("computed", key, "M1")
        assert (indicator.frequency, indicator.direction) == ("quarterly", "on_plan")
        plain, formula = indicator.methodology.split("\n\nFor specialists: ")
        assert plain and formula and indicator.definition, code
    assert Indicator.objects.get(code="M1-14").unit == "% of budget"
    assert Indicator.objects.get(code="M1-14P").target_value == D(100)


def test_the_share_of_the_budget_spent_matches_the_hand_sums(in_2025_q3, budget):
    values = by_label(computations.budget_spent_share())
    assert list(values) == ["2025-Q1", "2025-Q2", "2025-Q3"]  # up to the current quarter
    # 7,500 / 35,000 = 21.43%; 16,800 / 35,000 = 48.00%; 17,800 / 35,000 = 50.86%
    assert {label: v.value for label, v in values.items()} == {
        "2025-Q1": D("21.4"),
        "2025-Q2": D("48.0"),
        "2025-Q3": D("50.9"),
    }
    q2 = values["2025-Q2"]
    assert (q2.numerator, q2.denominator) == (D("16800.00"), D("35000.00"))
    assert (q2.period_start, q2.period_end, q2.geography_code) == (
        datetime.date(2025, 4, 1),
        datetime.date(2025, 6, 30),
        "E47000007",
    )


def test_spend_against_the_plan_to_date_matches_the_hand_sums(in_2025_q3, budget):
    values = by_label(computations.budget_spend_against_plan())
    # 7,500 / 9,000 = 83.33%; 16,800 / 17,000 = 98.82%; 17,800 / 27,000 = 65.93%
    assert {label: v.value for label, v in values.items()} == {
        "2025-Q1": D("83.3"),
        "2025-Q2": D("98.8"),
        "2025-Q3": D("65.9"),
    }
    assert (values["2025-Q3"].numerator, values["2025-Q3"].denominator) == (D("17800.00"), D("27000.00"))


def test_spending_ahead_of_plan_goes_past_100_and_still_fits_the_unit(in_2025_q3, budget):
    SpendEntryFactory(spent_on=datetime.date(2025, 3, 1), amount_gbp=D(4500))  # Q1: 12,000 of 9,000
    indicator_catalogue_sync()
    against = by_label(computations.budget_spend_against_plan())
    assert against["2025-Q1"].value == D("133.3")
    for key, code in KEYS.items():
        indicator = Indicator.objects.get(code=code)
        for value in REGISTRY[key]():
            errors = observation_value_errors(
                indicator=indicator, value=value.value, period_start=value.period_start, period_end=value.period_end
            )
            assert errors == {}, (code, value, errors)
    assert observation_value_errors(
        indicator=Indicator.objects.get(code="M1-14P"), value=D(-1), period_start=None, period_end=None
    ) == {"value": "Enter a percentage of 0 or more."}


def test_a_finished_programme_has_a_value_for_each_of_its_eight_quarters(monkeypatch, budget):
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: datetime.date(2027, 3, 1))
    share = by_label(computations.budget_spent_share())
    assert len(share) == 8 and share["2026-Q4"].value == D("50.9")
    against = by_label(computations.budget_spend_against_plan())
    assert against["2026-Q4"].value == D("50.9")  # the whole plan is to date now


def test_no_plan_gives_no_values_and_a_quarter_with_nothing_planned_yet_has_none(in_2025_q3):
    assert computations.budget_spent_share() == [] and computations.budget_spend_against_plan() == []
    BudgetLineFactory(category="events", year=2025, quarter=2, planned_gbp=D(1000))
    assert list(by_label(computations.budget_spend_against_plan())) == ["2025-Q2", "2025-Q3"]
    assert by_label(computations.budget_spent_share())["2025-Q1"].value == D("0.0")


@pytest.mark.parametrize("key", sorted(KEYS))
def test_query_count_does_not_grow_with_spend(in_2025_q3, budget, key):
    counts = []
    for extra in (10, 500):
        SpendEntry.objects.bulk_create(
            SpendEntry(
                spent_on=datetime.date(2025, 1 + i % 7, 1 + i % 28),
                category="commissioner",
                supplier=f"Bulk {i}",
                amount_gbp=D("1.50"),
            )
            for i in range(extra)
        )
        with CaptureQueriesContext(connection) as queries:
            assert REGISTRY[key]()
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] <= 2, counts


def test_after_a_kpi_refresh_the_budget_indicators_hold_the_hand_sums(in_2025_q3, budget):
    indicator_catalogue_sync()
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF)
    assert refresh_run_execute(run_id=run.pk).status == RefreshRun.Status.SUCCEEDED

    def stored(code: str, label: str) -> Observation:
        return Observation.objects.get(indicator__code=code, period_label=label, status="computed")

    assert stored("M1-14", "2025-Q3").value == D("50.9")
    assert stored("M1-14P", "2025-Q2").value == D("98.8")
    assert stored("M1-14P", "2025-Q2").denominator == D("17000")
