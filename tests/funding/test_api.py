"""Writes to the funding-opportunities API: staff, and funder partners with `opportunities:write`
for their own organisation only; JSON errors with a message per field."""

import pytest

from funding.models import Opportunity
from portal.models import Organisation
from portal.page_cache import data_versions
from tests.funding.factories import FunderFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/funding-opportunities/"


def url(opportunity: Opportunity) -> str:
    return f"{API}{opportunity.pk}/"


def body(**changes) -> dict:
    data = {
        "title": "Clean growth grant",
        "kind": "grant",
        "summary": "Grants for clean growth.",
        "eligibility": "Firms under five years old.",
        "amount_min_gbp": 5_000,
        "amount_max_gbp": 40_000,
        "opens_on": "2026-01-01",
        "closes_on": "2030-06-30",
        "sectors": ["cleantech"],
        "boroughs": ["coventry", "walsall"],
        "stages": ["idea"],
        "link": "https://funder.example/clean-growth",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def attrs(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["type"] == "validation_error"
    found: dict[str, list[str]] = {}
    for error in payload["errors"]:
        found.setdefault(error["attr"], []).append(error["detail"])
    return found


@pytest.fixture
def funder_partner(as_partner):
    """The API client of a funder partner with `read` and `opportunities:write`."""
    organisation = FunderFactory(name="Midlands Seed Fund")
    client, _ = as_partner("read", "opportunities:write", organisation=organisation)
    return client, organisation


# Partner scope --------------------------------------------------------------------------------


def test_a_funder_partner_publishes_for_its_own_organisation(funder_partner):
    client, organisation = funder_partner
    before = data_versions()["funding"]
    response = client.post(API, body(), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["funder"] == {"id": organisation.pk, "name": "Midlands Seed Fund"}
    assert created["status"] == "open"
    assert created["sectors"] == ["cleantech"] and created["boroughs"] == ["coventry", "walsall"]
    opportunity = Opportunity.objects.get(pk=created["id"])
    assert opportunity.created_by is None
    assert opportunity.history.first().history_change_reason.startswith("API client")
    assert data_versions()["funding"] > before
    # Its own organisation named explicitly is the same.
    assert client.post(API, body(funder=organisation.pk), format="json").status_code == 201


def test_a_funder_partner_cannot_publish_for_another_funder(funder_partner):
    client, _ = funder_partner
    other = FunderFactory()
    response = client.post(API, body(funder=other.pk), format="json")
    assert response.status_code == 403
    assert "own organisation" in response.json()["errors"][0]["detail"]
    assert not Opportunity.objects.exists()


def test_a_funder_partner_changes_and_withdraws_only_its_own(funder_partner):
    client, organisation = funder_partner
    own = OpportunityFactory(funder=organisation, title="Own")
    other = OpportunityFactory(title="Another's")
    assert client.patch(url(own), {"title": "Own, renamed"}, format="json").status_code == 200
    assert Opportunity.objects.get(pk=own.pk).title == "Own, renamed"
    # Another funder's opportunity does not exist for this partner's writes.
    assert client.patch(url(other), {"title": "Taken"}, format="json").status_code == 404
    assert client.put(url(other), body(), format="json").status_code == 404
    assert client.delete(url(other)).status_code == 404
    other.refresh_from_db()
    assert other.title == "Another's" and other.withdrawn_at is None
    # ...though it reads it, as everyone does.
    assert client.get(url(other)).status_code == 200
    # Nor may it hand its own to another funder.
    assert client.patch(url(own), {"funder": other.funder_id}, format="json").status_code == 403
    assert client.delete(url(own)).status_code == 204
    assert client.delete(url(own)).status_code == 204  # idempotent
    assert client.get(url(own)).status_code == 404  # withdrawn: gone from the catalogue
    assert Opportunity.objects.get(pk=own.pk).withdrawn_at is not None


@pytest.mark.parametrize("scopes", [("read",), ("read", "companies:write", "investments:write")])
def test_without_the_scope_a_partner_write_is_403(as_partner, scopes):
    organisation = FunderFactory()
    client, _ = as_partner(*scopes, organisation=organisation)
    own = OpportunityFactory(funder=organisation)
    assert client.post(API, body(), format="json").status_code == 403
    assert client.patch(url(own), {"title": "x"}, format="json").status_code == 403
    assert client.delete(url(own)).status_code == 403
    assert client.get(API).status_code == 200


def test_a_token_without_read_cannot_list(as_partner):
    client, _ = as_partner("opportunities:write", organisation=FunderFactory())
    assert client.get(API).status_code == 403


# Staff and other people --------------------------------------------------------------------


def test_staff_publish_for_any_funder_and_see_withdrawn_ones(as_user, staff_user):
    client = as_user(staff_user)
    funder = FunderFactory()
    response = client.post(API, body(funder=funder.pk), format="json")
    assert response.status_code == 201, response.content
    opportunity = Opportunity.objects.get(pk=response.json()["id"])
    assert opportunity.created_by == staff_user
    assert client.delete(url(opportunity)).status_code == 204
    assert client.get(url(opportunity)).json()["withdrawn_at"] is not None


def test_staff_must_name_the_funder(as_user, staff_user):
    assert "funder" in attrs(as_user(staff_user).post(API, body(), format="json"))


@pytest.mark.parametrize("role", ["founder_user", "reviewer_user", "ambassador_user"])
def test_other_roles_cannot_write(request, as_user, role):
    client = as_user(request.getfixturevalue(role))
    opportunity = OpportunityFactory()
    assert client.post(API, body(funder=opportunity.funder_id), format="json").status_code == 403
    assert client.patch(url(opportunity), {"title": "x"}, format="json").status_code == 403


def test_anonymous_reads_but_cannot_write(api_client):
    opportunity = OpportunityFactory()
    assert api_client.get(API).status_code == 200
    assert api_client.get(url(opportunity)).status_code == 200
    assert api_client.post(API, body(funder=opportunity.funder_id), format="json").status_code in (401, 403)


# Values -----------------------------------------------------------------------------------------


def test_every_bad_value_is_reported_at_once_on_its_field(funder_partner):
    client, _ = funder_partner
    response = client.post(
        API,
        body(
            amount_min_gbp=50_000,
            amount_max_gbp=10_000,
            opens_on="2030-07-01",
            closes_on="2030-06-30",
            firm_age_min_years=5,
            firm_age_max_years=2,
        ),
        format="json",
    )
    errors = attrs(response)
    assert errors["amount_max_gbp"] == ["The largest amount must be at least the smallest, £50,000"]
    assert errors["closes_on"] == ["The closing date must be the same as or after the opening date"]
    assert errors["firm_age_max_years"] == ["The largest firm age must be at least the smallest, 5"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount_min_gbp": -1}, "amount_min_gbp"),
        ({"amount_max_gbp": "10000"}, "amount_max_gbp"),  # a string is not a number
        ({"link": 'https://example.org/"><script>'}, "link"),
        ({"link": "ftp://example.org/file"}, "link"),
        ({"rolling": True}, "closes_on"),  # rolling but with a closing date
        ({"closes_on": ...}, "closes_on"),  # neither rolling nor a closing date
        ({"kind": "bursary"}, "kind"),
        ({"sectors": ["atlantis"]}, "sectors"),
        ({"boroughs": ["outside"]}, "boroughs"),
        ({"stages": "idea"}, "stages"),  # not a list
        ({"stages": {}}, "stages"),  # an object would otherwise pass as an empty list
        ({"sectors": {"fintech": True}}, "sectors"),
        ({"title": ""}, "title"),
        ({"opens_on": "1066-10-14"}, "opens_on"),
    ],
)
def test_a_bad_value_is_a_400_on_its_field(funder_partner, changes, field):
    client, _ = funder_partner
    assert field in attrs(client.post(API, body(**changes), format="json"))
    assert not Opportunity.objects.exists()


def test_a_rolling_opportunity_has_no_closing_date(funder_partner):
    client, _ = funder_partner
    response = client.post(API, body(rolling=True, closes_on=None), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "open" and response.json()["closes_on"] is None


def test_put_replaces_the_rules_and_patch_keeps_those_left_out(funder_partner):
    client, organisation = funder_partner
    opportunity = OpportunityFactory(funder=organisation, sectors=["fintech"], boroughs=["dudley"])
    response = client.patch(url(opportunity), {"stages": ["scaling"]}, format="json")
    assert (response.json()["sectors"], response.json()["boroughs"], response.json()["stages"]) == (
        ["fintech"],
        ["dudley"],
        ["scaling"],
    )
    response = client.put(url(opportunity), body(sectors=..., boroughs=..., stages=...), format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["sectors"], response.json()["boroughs"], response.json()["stages"]) == ([], [], [])


def test_a_funder_of_the_wrong_kind_is_refused(as_user, staff_user):
    firm = Organisation.objects.create(name="A firm", kind=Organisation.Kind.FIRM)
    assert "funder" in attrs(as_user(staff_user).post(API, body(funder=firm.pk), format="json"))


def test_list_query_count_does_not_grow_with_page_rows(api_client, count_queries):
    funder = FunderFactory()
    OpportunityFactory.create_batch(2, funder=funder, sectors=["fintech"])
    with count_queries() as few:
        api_client.get(API, {"ordering": "-created_at"})
    OpportunityFactory.create_batch(30, funder=funder, sectors=["fintech"], boroughs=["dudley"], stages=["idea"])
    with count_queries() as many:
        api_client.get(API, {"ordering": "-created_at"})
    assert many.count == few.count
