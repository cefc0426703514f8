"""seed_demo fills the dashboards: owners, synthetic reported values marked as such, and a refresh."""

import io

import pytest
from django.core.management import call_command

from missions.demo import SYNTHETIC
from missions.models import Indicator, Observation, RefreshRun

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_twice_reports_refreshes_and_adds_nothing_the_second_time():
    first = _seed()
    counts = {status: Observation.objects.filter(status=status).count() for status in Observation.Status.values}
    assert "Reported demo values added: 20" in first
    assert counts["computed"] > 0 and counts["published"] > 0
    assert RefreshRun.objects.get().status == RefreshRun.Status.SUCCEEDED

    second = _seed()
    assert "Reported demo values added: 0" in second
    assert {s: Observation.objects.filter(status=s).count() for s in Observation.Status.values} == counts

    owned = Indicator.objects.get(code="M2-03")
    assert owned.owner.name == "Birmingham Tech (demo)"
    reported = Observation.objects.filter(indicator=owned, status="reported")
    assert reported.count() == 5
    assert all(observation.notes == SYNTHETIC for observation in reported)
    assert all(observation.submitted_by_organisation == owned.owner for observation in reported)
