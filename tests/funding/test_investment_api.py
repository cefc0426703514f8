"""The investments API: partners read with `read` and write with `investments:write`, attributed
to their organisation, changing only their own (another's is a 404); staff read and write all;
anyone else is refused; bulk writes are all or nothing with errors naming `index.field`; the list
filters, orders and runs the same queries for 10 and 10,000 deals."""

import datetime

import pytest
from django.core.cache import caches

from funding.models import Investment, InvestmentInvestor
from portal.models import Organisation
from portal.page_cache import CACHE_ALIAS, data_versions
from tests.funding.factories import InvestmentFactory, InvestorFactory, OpportunityFactory
from tests.funding.test_investment_views import bulk_investments
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/investments/"
BULK = f"{API}bulk/"


def url(investment) -> str:
    return f"{API}{investment.pk}/"


def body(firm, *investors, **changes) -> dict:
    data = {
        "firm": firm.pk,
        "kind": "equity",
        "stage": "series_a",
        "amount_gbp": 3_000_000,
        "announced_on": "2025-06-30",
        "title": "Series A",
        "source": "https://news.example/series-a",
        "investors": [
            {"organisation": investor.pk, "is_lead": index == 0, "country": country}
            for index, (investor, country) in enumerate(investors)
        ],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def attrs(response) -> dict[str, list[str]]:
    assert response.status_code == 400, response.content
    found: dict[str, list[str]] = {}
    for error in response.json()["errors"]:
        found.setdefault(str(error["attr"]), []).append(error["detail"])
    return found


@pytest.fixture
def writer(as_partner):
    """A partner's API client with `read` and `investments:write`."""
    organisation = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Birmingham Tech (test)", is_tech=False)
    client, _ = as_partner("read", "investments:write", organisation=organisation)
    return client, organisation


def test_a_partner_records_a_deal_attributed_to_its_organisation(writer):
    client, organisation = writer
    firm, lead = OrganisationFactory(), InvestorFactory(name="Atlantic Bridge Ventures")
    before = data_versions()["investments"]
    response = client.post(API, body(firm, (lead, "US")), format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["origin"] == "partner" and created["submitted_by"]["id"] == organisation.pk
    assert created["reach"] == "international" and created["lead_country"] == "US"
    assert created["investors"] == [
        {
            "organisation": {"id": lead.pk, "name": "Atlantic Bridge Ventures", "company_number": ""},
            "is_lead": True,
            "country": "US",
        }
    ]
    assert created["verified"] is False and created["possible_duplicate_of"] is None
    investment = Investment.objects.get()
    assert investment.history.get().history_change_reason.startswith("API client")
    assert data_versions()["investments"] > before
    # The same deal again is recorded, flagged.
    again = client.post(API, body(firm, (lead, "US")), format="json").json()
    assert again["possible_duplicate_of"] == investment.pk


def test_an_undisclosed_amount_is_sent_as_null_never_left_out(writer):
    client, _ = writer
    firm = OrganisationFactory()
    assert "amount_gbp" in attrs(client.post(API, body(firm, amount_gbp=...), format="json"))
    response = client.post(API, body(firm, amount_gbp=None), format="json")
    assert response.status_code == 201 and response.json()["amount_gbp"] is None


def test_every_problem_is_a_400_on_its_field(writer):
    client, _ = writer
    funder = InvestorFactory()
    errors = attrs(
        client.post(
            API,
            body(
                funder,
                (funder, "GB"),
                kind="grant",
                amount_gbp=-1,
                announced_on="2999-01-01",
                opportunity=987654,
                investors=[
                    {"organisation": 999_999, "country": "GB"},
                    {"organisation": funder.pk, "country": "GB", "is_lead": True},
                ],
            ),
            format="json",
        )
    )
    assert set(errors) == {
        "firm",
        "stage",
        "amount_gbp",
        "announced_on",
        "opportunity",
        "investors.0.organisation",
        "investors.1.organisation",
    }, errors
    assert errors["investors.1.organisation"] == ["The firm cannot be its own investor"]
    assert errors["investors.0.organisation"] == ["No organisation with this id."]
    # Shapes the serializer refuses: a string amount, a number for a country, an unknown kind.
    errors = attrs(
        client.post(
            API,
            body(OrganisationFactory(), amount_gbp="1000", kind="gift", investors=[{"organisation": 1, "country": 44}]),
            format="json",
        )
    )
    assert {"amount_gbp", "kind", "investors.0.country"} <= set(errors)
    assert not Investment.objects.exists()


def test_a_partner_changes_and_deletes_only_its_own(writer):
    client, organisation = writer
    own = InvestmentFactory(submitted_by=organisation, origin="partner")
    other = InvestmentFactory(title="Another's")
    response = client.patch(url(own), {"title": "Renamed"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Renamed"
    for method in (client.patch, client.put):
        assert method(url(other), body(other.firm), format="json").status_code == 404
    assert client.delete(url(other)).status_code == 404
    other.refresh_from_db()
    assert other.title == "Another's"
    assert client.get(url(other)).status_code == 200  # it reads every deal
    # PUT replaces: investors left out are none.
    own_investor = InvestmentInvestor.objects.create(investment=own, investor=InvestorFactory(), is_lead=True)
    response = client.put(url(own), body(own.firm), format="json")
    assert response.status_code == 200 and response.json()["investors"] == []
    assert not InvestmentInvestor.objects.filter(pk=own_investor.pk).exists()
    assert client.delete(url(own)).status_code == 204
    assert not Investment.objects.filter(pk=own.pk).exists()


def test_a_partner_cannot_delete_a_deal_staff_verified(writer):
    client, organisation = writer
    own = InvestmentFactory(submitted_by=organisation, origin="partner", verified=True)
    response = client.delete(url(own))
    assert response.status_code == 403 and "verified" in response.json()["errors"][0]["detail"]
    # A change takes the verification away; staff verify again.
    client.patch(url(own), {"amount_gbp": 1}, format="json")
    own.refresh_from_db()
    assert own.verified_at is None


@pytest.mark.parametrize("scopes", [("read",), ("read", "companies:write", "opportunities:write")])
def test_without_the_scope_a_partner_write_is_403(as_partner, scopes):
    client, organisation = as_partner(*scopes)
    own = InvestmentFactory(submitted_by=organisation)
    firm = OrganisationFactory()
    assert client.post(API, body(firm), format="json").status_code == 403
    assert client.post(BULK, [body(firm)], format="json").status_code == 403
    assert client.patch(url(own), {"title": "x"}, format="json").status_code == 403
    assert client.delete(url(own)).status_code == 403
    assert client.get(API).status_code == 200
    assert not Investment.objects.exclude(pk=own.pk).exists()


def test_a_token_without_read_cannot_list(as_partner):
    client, _ = as_partner("investments:write")
    assert client.get(API).status_code == 403


def test_staff_read_and_write_everything(as_user, staff_user):
    client = as_user(staff_user)
    other = InvestmentFactory(submitted_by=OrganisationFactory(kind="partner"), origin="partner")
    response = client.post(API, body(OrganisationFactory()), format="json")
    assert response.status_code == 201 and response.json()["origin"] == "staff"
    assert Investment.objects.get(pk=response.json()["id"]).created_by == staff_user
    assert client.patch(url(other), {"title": "Checked"}, format="json").status_code == 200
    assert client.get(API).json()["count"] == 2


@pytest.mark.parametrize("role", ["founder_user", "reviewer_user", "ambassador_user"])
def test_other_people_are_refused(as_user, request, role):
    investment = InvestmentFactory()
    client = as_user(request.getfixturevalue(role))
    for response in (
        client.get(API),
        client.get(url(investment)),
        client.post(API, body(OrganisationFactory()), format="json"),
        client.delete(url(investment)),
    ):
        assert response.status_code == 403
    assert Investment.objects.count() == 1


def test_the_signed_out_are_refused(api_client):
    investment = InvestmentFactory()
    assert api_client.get(API).status_code in (401, 403)
    assert api_client.get(url(investment)).status_code in (401, 403)
    assert api_client.post(API, {}, format="json").status_code in (401, 403)


def test_bulk_is_all_or_nothing_and_names_the_index_and_field(writer):
    client, organisation = writer
    firm, lead = OrganisationFactory(), InvestorFactory()
    good = body(firm, (lead, "GB"), kind="grant", stage="")
    response = client.post(
        BULK,
        [good, {**good, "amount_gbp": 0}, {**good, "firm": 999_999}, {**good, "kind": "gift"}],
        format="json",
    )
    assert set(attrs(response)) == {"1.amount_gbp", "2.firm", "3.kind"}
    assert {e["attr"]: e["code"] for e in response.json()["errors"]}["3.kind"] == "invalid_choice"
    assert not Investment.objects.exists()
    response = client.post(BULK, [good, good, {**good, "amount_gbp": None}], format="json")
    assert response.status_code == 200, response.content
    result = response.json()
    assert (result["count"], result["flagged"]) == (3, 1)
    assert {r["submitted_by"]["id"] for r in result["results"]} == {organisation.pk}
    assert InvestmentInvestor.objects.filter(is_lead=True).count() == 3


def test_bulk_takes_at_most_1000_items(as_user, staff_user):
    client = as_user(staff_user)
    item = body(OrganisationFactory())
    assert client.post(BULK, [item] * 1001, format="json").status_code == 400
    assert client.post(BULK, [], format="json").status_code == 400
    assert not Investment.objects.exists()


def test_the_list_filters_and_orders(as_partner):
    client, _ = as_partner("read")
    firm = OrganisationFactory(name="Canal Robotics Ltd")
    big = InvestmentFactory(firm=firm, amount_gbp=9_000_000, lead=(InvestorFactory(), "US"))
    small = InvestmentFactory(firm=firm, amount_gbp=10, announced_on=datetime.date(2023, 1, 1))
    hidden = InvestmentFactory(grant=True, amount_gbp=None, opportunity=OpportunityFactory())

    def ids(**query):
        response = client.get(API, query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [big.pk, hidden.pk, small.pk] or ids() == [hidden.pk, big.pk, small.pk]
    assert ids(ordering="-amount_gbp") == [big.pk, small.pk, hidden.pk]
    assert ids(lead="international") == [big.pk] and ids(lead="unknown", kind="grant") == [hidden.pk]
    assert ids(year=2023) == [small.pk] and ids(q="robotics", ordering="announced_on") == [small.pk, big.pk]
    assert set(attrs(client.get(API, {"year": "x", "ordering": "colour", "verified": "maybe"}))) == {
        "year",
        "ordering",
        "verified",
    }


@pytest.mark.parametrize("query", ["", "?kind=equity&lead=domestic&ordering=-amount_gbp", "?flagged=true&q=firm"])
def test_the_api_list_runs_the_same_queries_for_10_and_10000_rows(as_partner, count_queries, query):
    client, _ = as_partner("read")
    bulk_investments(10)
    client.get(API + query)
    caches[CACHE_ALIAS].clear()
    with count_queries() as small:
        assert client.get(API + query).status_code == 200
    bulk_investments(9_990)
    caches[CACHE_ALIAS].clear()
    with count_queries() as large:
        response = client.get(API + query)
        assert response.status_code == 200
    assert large.count == small.count, [q["sql"] for q in large.captured_queries]
    assert response.json()["count"] > 0


def test_a_patch_is_partial_for_the_deal_never_for_an_investor(writer):
    client, organisation = writer
    own = InvestmentFactory(submitted_by=organisation, origin="partner")
    response = client.patch(url(own), {"investors": [{"is_lead": True, "country": "GB"}]}, format="json")
    assert attrs(response) == {"investors.0.organisation": ["This field is required."]}
