"""Reporting many organisations' yearly facts at once: all or nothing, the single write's rights per
item, each error naming its item's index and field."""

import pytest

from portal.models import FirmYear, Organisation
from tests.portal.factories import FirmYearFactory, OrganisationFactory
from tests.portal.test_api import YEAR_FACTS

pytestmark = pytest.mark.django_db

BULK = "/api/v1/organisations/years/bulk/"


def item(organisation, year: int = 2024, **facts) -> dict:
    return {"organisation": organisation.pk, "year": year, **YEAR_FACTS, **facts}


@pytest.fixture
def partner():
    return OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Bulk Years Partner")


@pytest.fixture
def maintained(partner):
    return OrganisationFactory.create_batch(3, kind=Organisation.Kind.FIRM, recorded_by=partner)


def test_a_partner_reports_the_years_of_its_firms_at_once(as_partner, partner, maintained):
    FirmYearFactory(organisation=maintained[0], year=2024, employees=3)
    client, _ = as_partner("read", "companies:write", organisation=partner)

    response = client.post(BULK, [item(firm, year) for firm in maintained for year in (2023, 2024)], format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["count"], response.json()["created"], response.json()["replaced"]) == (6, 5, 1)
    assert FirmYear.objects.get(organisation=maintained[0], year=2024).employees == 14
    assert set(FirmYear.objects.values_list("source", flat=True)) == {FirmYear.Source.PARTNER}


def test_one_item_breaking_a_rule_writes_nothing_and_names_its_index(as_partner, partner, maintained):
    client, _ = as_partner("read", "companies:write", organisation=partner)
    items = [item(maintained[0]), item(maintained[1], staff_women=20), item(maintained[2])]

    response = client.post(BULK, items, format="json")

    assert response.status_code == 400
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert attrs and all(attr.startswith("1.") for attr in attrs), attrs
    assert not FirmYear.objects.exists()


def test_a_badly_shaped_item_names_its_index_and_field(as_partner, partner, maintained):
    client, _ = as_partner("read", "companies:write", organisation=partner)
    response = client.post(BULK, [item(maintained[0]), item(maintained[1], employees=-1)], format="json")

    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["1.employees"]
    assert not FirmYear.objects.exists()


def test_a_firm_the_partner_does_not_maintain_is_refused_by_index_and_nothing_is_written(
    as_partner, partner, maintained
):
    stranger = OrganisationFactory(kind=Organisation.Kind.FIRM)
    client, _ = as_partner("read", "companies:write", organisation=partner)

    response = client.post(BULK, [item(maintained[0]), item(stranger), item(maintained[1])], format="json")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "1.organisation"
    assert "Partners change" in error["detail"] or "maintain" in error["detail"]
    assert not FirmYear.objects.exists()


def test_unknown_organisations_and_repeated_years_are_refused(as_partner, partner, maintained):
    client, _ = as_partner("read", "companies:write", organisation=partner)
    items = [item(maintained[0]), {**item(maintained[0]), "organisation": 999999}, item(maintained[0])]

    response = client.post(BULK, items, format="json")

    assert response.status_code == 400
    assert {error["attr"] for error in response.json()["errors"]} == {"1.organisation", "2.year"}
    assert not FirmYear.objects.exists()


def test_a_founder_reports_only_the_firms_they_belong_to(as_user, founder_user):
    mine = OrganisationFactory(kind=Organisation.Kind.FIRM)
    mine.members.add(founder_user)
    theirs = OrganisationFactory(kind=Organisation.Kind.FIRM)
    client = as_user(founder_user)

    response = client.post(BULK, [item(mine), item(theirs)], format="json")

    assert response.status_code == 400
    assert [error["attr"] for error in response.json()["errors"]] == ["1.organisation"]
    assert "No organisation with this id" in response.json()["errors"][0]["detail"]  # not theirs: unknown
    assert client.post(BULK, [item(mine)], format="json").status_code == 200


def test_the_scope_and_the_list_are_checked_first(as_partner, partner, maintained, api_client):
    client, _ = as_partner("read", organisation=partner)
    assert client.post(BULK, [item(maintained[0])], format="json").status_code == 403
    client, _ = as_partner("read", "companies:write", organisation=partner)
    assert client.post(BULK, [], format="json").status_code == 400
    assert client.post(BULK, [item(maintained[0])] * 1001, format="json").status_code == 400
    assert not FirmYear.objects.exists()
