"""The freshness indicator (M3-03): the share of the open data catalogue's datasets updated within
their stated frequency, computed by the KPI refresh for the current quarter, with the earlier
quarters kept as they were measured; a fixed number of queries however many datasets."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from missions import open_data
from missions.catalogue import indicator_catalogue_sync
from missions.models import Indicator, Observation, RefreshRun
from missions.registry import REGISTRY
from missions.services import refresh_run_execute
from tests.funding.factories import OpportunityFactory
from tests.missions.factories import IndicatorFactory, ObservationFactory
from tests.workspaces.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def quarter_label(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def next_quarter_start(day: datetime.date) -> datetime.date:
    month = (day.month - 1) // 3 * 3 + 4
    return datetime.date(day.year + (month > 12), (month - 1) % 12 + 1, 1)


@pytest.fixture
def catalogue():
    """Eight datasets, four fresh: an annual indicator updated now (fresh), an annual one with no
    value (not), a quarterly one last updated 200 days ago (not), one updated when it changes with
    a value (fresh); the workspaces and the opportunities (fresh: they have rows); the ambassador
    directory and the 360Giving grants (not: nothing published yet)."""
    fresh = IndicatorFactory(frequency=Indicator.Frequency.ANNUAL)
    ObservationFactory(indicator=fresh)
    IndicatorFactory(frequency=Indicator.Frequency.ANNUAL)
    stale = IndicatorFactory(frequency=Indicator.Frequency.QUARTERLY)
    ObservationFactory(indicator=stale, period_start="2024-01-01", period_end="2024-03-31", period_label="2024-Q1")
    Observation.objects.filter(indicator=stale).update(updated_at=timezone.now() - datetime.timedelta(days=200))
    irregular = IndicatorFactory(frequency=Indicator.Frequency.AD_HOC)
    ObservationFactory(indicator=irregular)
    WorkspaceFactory()
    OpportunityFactory()


def test_freshness_is_the_share_of_datasets_updated_within_their_frequency(catalogue):
    assert len(open_data.dataset_list()) == 8
    (value,) = REGISTRY["open_data_freshness"]()
    assert (value.period_label, value.value, value.numerator, value.denominator) == (
        quarter_label(TODAY),
        Decimal("50.0"),
        4,
        8,
    )
    assert value.geography_code == "E47000007"


def _refresh() -> None:
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF)
    assert refresh_run_execute(run_id=run.pk).status == RefreshRun.Status.SUCCEEDED


def test_the_refresh_computes_it_and_keeps_earlier_quarters_as_measured(catalogue, monkeypatch):
    freshness = IndicatorFactory(
        code="M3-03",
        method=Indicator.Method.COMPUTED,
        computation="open_data_freshness",
        frequency=Indicator.Frequency.QUARTERLY,
    )
    _refresh()
    first = Observation.objects.get(indicator=freshness, status="computed")
    # Nine datasets now: M3-03 is one, counted as fresh since the refresh updates it: five are.
    assert (first.period_label, first.value, first.denominator) == (quarter_label(TODAY), Decimal("55.6"), 9)

    next_quarter = next_quarter_start(TODAY)
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: next_quarter)
    IndicatorFactory(frequency=Indicator.Frequency.ANNUAL)  # one more dataset, with no value
    _refresh()
    values = dict(
        Observation.objects.filter(indicator=freshness, status="computed").values_list("period_label", "value")
    )
    # The earlier quarter stays as measured; this quarter has five fresh datasets of ten.
    assert values == {quarter_label(TODAY): Decimal("55.6"), quarter_label(next_quarter): Decimal("50.0")}


def test_the_query_count_does_not_grow_with_the_datasets(catalogue):
    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            REGISTRY["open_data_freshness"]()
        return len(queries.captured_queries)

    small = measure()
    for _ in range(10):
        ObservationFactory(indicator=IndicatorFactory())
    assert measure() == small == 7


def test_two_refreshes_in_a_row_give_the_same_freshness(catalogue):
    # The whole catalogue: freshness is measured after every other computed indicator is updated.
    indicator_catalogue_sync()
    _refresh()
    (first,) = Observation.objects.filter(indicator__code="M3-03", status="computed")
    _refresh()
    (second,) = Observation.objects.filter(indicator__code="M3-03", status="computed")
    assert (first.value, first.numerator, first.denominator) == (second.value, second.numerator, second.denominator)
