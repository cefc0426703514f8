"""Invariants of the missions models, enforced by the database."""

import datetime

import pytest
from django.db import IntegrityError

from missions.models import Geography, Indicator, Mission, Observation, RefreshRun

pytestmark = pytest.mark.django_db


def _indicator(**kwargs) -> Indicator:
    defaults = {
        "code": "T-01",
        "mission": Mission.objects.get(code="M1"),
        "name": "Test indicator",
        "definition": "A test.",
        "unit": "%",
        "method": Indicator.Method.REPORTED,
    }
    return Indicator.objects.create(**{**defaults, **kwargs})


def _observation(indicator, **kwargs) -> Observation:
    defaults = {
        "period_start": datetime.date(2024, 1, 1),
        "period_end": datetime.date(2024, 12, 31),
        "period_label": "2024",
        "geography": Geography.objects.get(code="E47000007"),
        "status": Observation.Status.REPORTED,
        "value": 12,
    }
    return Observation.objects.create(indicator=indicator, **{**defaults, **kwargs})


def test_the_five_missions_have_stable_codes():
    assert list(Mission.objects.values_list("code", "slug")) == [
        ("M1", "economy"),
        ("M2", "inclusion"),
        ("M3", "data"),
        ("M4", "connectivity"),
        ("M5", "public-services"),
    ]


def test_the_seven_wmca_boroughs_are_geographies():
    boroughs = set(Geography.objects.filter(level="local_authority").values_list("name", flat=True))
    assert boroughs == {"Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall", "Wolverhampton"}


def test_a_computed_indicator_needs_a_function():
    with pytest.raises(IntegrityError):
        _indicator(method=Indicator.Method.COMPUTED, computation="")


def test_one_observation_per_period_geography_and_status():
    indicator = _indicator()
    _observation(indicator)
    _observation(indicator, status=Observation.Status.PUBLISHED)  # a comparator sits beside it
    with pytest.raises(IntegrityError):
        _observation(indicator)


def test_a_period_cannot_end_before_it_starts():
    with pytest.raises(IntegrityError):
        _observation(_indicator(), period_end=datetime.date(2023, 12, 31))


def test_a_suppressed_observation_holds_no_value():
    with pytest.raises(IntegrityError):
        _observation(_indicator(), suppressed=True, value=3)


def test_only_one_refresh_runs_at_a_time():
    RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF, status=RefreshRun.Status.RUNNING)
    RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF, status=RefreshRun.Status.SUCCEEDED)
    with pytest.raises(IntegrityError):
        RefreshRun.objects.create(trigger=RefreshRun.Trigger.SCHEDULE, status=RefreshRun.Status.QUEUED)


@pytest.mark.parametrize(
    ("status", "is_open"), [("queued", True), ("running", True), ("succeeded", False), ("failed", False)]
)
def test_a_run_is_open_until_it_finishes(status, is_open):
    assert RefreshRun(status=status).is_open is is_open
