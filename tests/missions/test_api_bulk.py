"""Reporting many values of an indicator at once: all or nothing, with each error naming its item."""

import pytest

from missions.models import Observation
from tests.missions.factories import WMCA, IndicatorFactory, ObservationFactory, geography
from tests.missions.test_api import VALUE
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def bulk_url(indicator) -> str:
    return f"/api/v1/indicators/{indicator.code}/observations/bulk/"


def year(y: int, value: float = 50.0) -> dict:
    return {**VALUE, "period_start": f"{y}-01-01", "period_end": f"{y}-12-31", "value": value}


@pytest.fixture
def partner():
    return OrganisationFactory(kind="partner", name="Bulk Data Partner")


@pytest.fixture
def owned(partner):
    return IndicatorFactory(code="M2-95", owner=partner, name="Residents online", unit="%", frequency="annual")


def test_a_partner_reports_many_values_at_once_and_replaces_earlier_ones(as_partner, partner, owned):
    geography(WMCA)
    ObservationFactory(indicator=owned, period_start="2020-01-01", period_end="2020-12-31", value=10)
    client, _ = as_partner("read", "observations:write", organisation=partner)

    response = client.post(bulk_url(owned), [year(y, 40 + y - 2018) for y in range(2018, 2025)], format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["count"], response.json()["created"], response.json()["replaced"]) == (7, 6, 1)
    values = dict(Observation.objects.filter(indicator=owned).values_list("period_label", "value"))
    assert len(values) == 7
    assert values["2020"] == 42


def test_one_bad_item_writes_nothing_and_names_its_index_and_field(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    items = [year(2021), year(2022, 150.0), year(2023), {**year(2024), "period_start": "2024-04-01"}]

    response = client.post(bulk_url(owned), items, format="json")

    assert response.status_code == 400
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert "1.value" in attrs  # a percentage above 100
    assert any(attr.startswith("3.") for attr in attrs)  # April to December is not an annual period
    assert not any(attr.startswith(("0.", "2.")) for attr in attrs)
    assert not Observation.objects.filter(indicator=owned).exists()


def test_a_shape_error_names_its_index_and_field_too(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.post(bulk_url(owned), [year(2021), {**year(2022), "geography": "nowhere"}], format="json")

    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["1.geography"]
    assert not Observation.objects.exists()


def test_the_same_period_twice_in_one_request_is_refused(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.post(bulk_url(owned), [year(2021), year(2022), year(2021, 60.0)], format="json")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "2.period_start"
    assert "Item 0" in error["detail"]
    assert not Observation.objects.exists()


def test_an_empty_or_oversized_list_is_refused(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    assert client.post(bulk_url(owned), [], format="json").status_code == 400
    assert client.post(bulk_url(owned), {"not": "a list"}, format="json").status_code == 400
    response = client.post(bulk_url(owned), [year(2021)] * 1001, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "non_field_errors"
    assert not Observation.objects.exists()


def test_bulk_follows_the_rights_of_a_single_value(as_partner, partner, owned, as_user, founder_user):
    other = IndicatorFactory(code="M2-96", owner=OrganisationFactory(kind="partner"), unit="%")
    client, _ = as_partner("read", "observations:write", organisation=partner)
    assert client.post(bulk_url(other), [year(2021)], format="json").status_code == 403
    client, _ = as_partner("read", organisation=partner)
    assert client.post(bulk_url(owned), [year(2021)], format="json").status_code == 403
    assert as_user(founder_user).post(bulk_url(owned), [year(2021)], format="json").status_code == 403
    assert not Observation.objects.exists()
