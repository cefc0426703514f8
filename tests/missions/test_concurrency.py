"""Reported values under concurrency, on PostgreSQL with real threads: each request has its own
connection and transaction, so the unique constraint and the row lock of the upsert are what keep
one value per indicator, period and geography."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from missions.models import Observation
from tests.conftest import run_at_once
from tests.missions.factories import WMCA, IndicatorFactory
from tests.portal.factories import OrganisationFactory

VALUE = {"geography": WMCA, "period_start": "2024-01-01", "period_end": "2024-12-31", "value": 61.5}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_value_reported_twice_at_once_is_one_observation_created_once_and_replaced_once(
    postgres, partner_token
):
    partner = OrganisationFactory(kind="partner", name="Birmingham Data Observatory")
    indicator = IndicatorFactory(code="M2-90", owner=partner, is_public=False, name="Devices lent")
    token, _ = partner_token("read", "observations:write", organisation=partner)
    url = f"/api/v1/indicators/{indicator.code}/observations/"

    def report(value):
        client = APIClient()  # one client per thread: nothing shared but the token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        client.raise_request_exception = False  # a 500 must show as a 500, not as an exception here
        return client.post(url, {**VALUE, "value": value}, format="json")

    first, second = run_at_once([lambda: report(61.5), lambda: report(63.25)])

    assert sorted([first.status_code, second.status_code]) == [200, 201], (first.content, second.content)
    created, replaced = (first, second) if first.status_code == 201 else (second, first)
    observation = Observation.objects.get()
    # The value that stands is the one the later request (the 200) wrote, and its answer says so;
    # the history holds both, in the order they were written.
    assert observation.value == Decimal(str(replaced.json()["value"]))
    assert replaced.json()["id"] == created.json()["id"] == observation.pk
    history = list(observation.history.order_by("history_date").values_list("value", flat=True))
    assert history == [Decimal(str(created.json()["value"])), observation.value]
