"""The leads API: staff see all, an ambassador only their own (another's is a 404), partners none;
referring and recording; stage moves with field-level errors, a skipped stage and a stale version
refused as the pages refuse them; the list's query count does not grow with the leads."""

from decimal import Decimal

import pytest

from ambassadors.models import Lead
from portal.roles import Role
from tests.conftest import _user_with_role

from .lead_factories import LeadAmbassadorFactory, LeadFactory, staff_member

pytestmark = pytest.mark.django_db
S = Lead.Stage
LEADS = "/api/v1/leads/"


def detail(lead) -> str:
    return f"{LEADS}{lead.pk}/"


def errors_by_attr(response) -> dict:
    body = response.json()
    return {error["attr"]: (error["code"], error["detail"]) for error in body["errors"]}


@pytest.fixture
def staff():
    return staff_member()


def test_staff_see_every_lead_and_an_ambassador_only_theirs(as_user, staff):
    ambassador = LeadAmbassadorFactory()
    mine = LeadFactory(referred_by=ambassador)
    theirs = LeadFactory()

    client = as_user(ambassador.user)
    listing = client.get(LEADS).json()
    assert [row["id"] for row in listing["results"]] == [mine.pk]
    assert client.get(detail(mine)).status_code == 200
    response = client.get(detail(theirs))
    assert response.status_code == 404 and response.json()["errors"][0]["code"] == "not_found"

    client = as_user(staff)
    assert {row["id"] for row in client.get(LEADS).json()["results"]} == {mine.pk, theirs.pk}


@pytest.mark.parametrize("value", ["999999", "-3", "446996812893052660088832"])
@pytest.mark.parametrize("name", ["owner", "ambassador"])
def test_an_id_of_nobody_on_the_list_matches_no_lead(as_user, staff, name, value):
    # The schema documents both as integers with no bound; a 24-digit one was a 400 (found by the
    # stateful schema run).
    LeadFactory()
    response = as_user(staff).get(LEADS, {name: value})
    assert response.status_code == 200, response.json()
    assert response.json()["results"] == []


def test_partners_and_signed_out_clients_get_no_lead(api_client, as_partner):
    lead = LeadFactory()
    response = api_client.get(LEADS)
    assert response.status_code in (401, 403)
    client, _ = as_partner("read", "companies:write", "observations:write", "investments:write")
    for response in (client.get(LEADS), client.get(detail(lead)), client.post(LEADS, {"name": "X"}, format="json")):
        assert response.status_code == 403
        assert response.json()["errors"][0]["detail"] == "Partner tokens cannot read or write leads."
    assert Lead.objects.count() == 1


def test_an_ambassador_refers_through_the_api(as_user):
    ambassador = LeadAmbassadorFactory()
    response = as_user(ambassador.user).post(
        LEADS, {"name": "Seoul Games Co", "origin_country": "KR", "sector": "games", "kind": "fdi"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage"] == "referred" and body["referred_by"]["id"] == ambassador.pk
    assert body["origin_country"] == "KR" and body["version"] == 1
    assert body["history"][0]["from_stage"] is None and body["history"][0]["to_stage"] == "referred"


def test_a_referral_with_errors_names_each_field(as_user):
    ambassador = LeadAmbassadorFactory()
    response = as_user(ambassador.user).post(
        LEADS, {"name": "", "origin_country": "ZZ", "kind": "loan", "company_number": "bad one"}, format="json"
    )
    assert response.status_code == 400
    errors = errors_by_attr(response)
    assert errors["name"][1] == "Enter the company's name"
    assert errors["origin_country"][1] == "Choose the country the company comes from from the list"
    assert errors["kind"][1] == "Choose the type of investment from the list"


def test_a_referral_that_sends_staff_only_fields_is_refused_and_nothing_is_stored(as_user):
    ambassador = LeadAmbassadorFactory()
    body = {"name": "", "expected_capital": -5, "safeguarded_jobs": 3, "competing_location": "x" * 300}
    response = as_user(ambassador.user).post(LEADS, body, format="json")
    assert response.status_code == 400
    errors = errors_by_attr(response)
    assert set(errors) == {"name", "expected_capital", "safeguarded_jobs", "competing_location"}
    assert errors["expected_capital"] == ("staff_only", "Only commissioner staff set this: leave it out of a referral.")
    assert errors["safeguarded_jobs"][0] == "staff_only"
    assert not Lead.objects.exists()


def test_the_schema_declares_each_refusal_of_a_staff_only_field(as_user, client):
    """A client generated from the schema must accept the referral's refusal: each field's error
    component lists the code the refusal carries."""
    ambassador = LeadAmbassadorFactory()
    body = {"name": "Acme", "owner": 1, "referred_by": 1, "landed_on": "2026-01-01", "capital_invested": 5}
    errors = as_user(ambassador.user).post(LEADS, body, format="json").json()["errors"]
    components = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    assert {error["attr"] for error in errors} == set(body) - {"name"}
    for error in errors:
        component = "LeadsCreate" + error["attr"].title().replace("_", "") + "ErrorComponent"
        assert error["code"] in components[component]["properties"]["code"]["enum"], error


@pytest.mark.parametrize("who", ["founder", "paused"])
def test_only_active_ambassadors_and_staff_create(as_user, who):
    user = _user_with_role(Role.FOUNDER, mfa=False) if who == "founder" else LeadAmbassadorFactory(paused=True).user
    response = as_user(user).post(LEADS, {"name": "Nope Ltd"}, format="json")
    assert response.status_code == 403
    assert not Lead.objects.exists()


def test_staff_record_a_lead_credited_to_an_ambassador(as_user, staff):
    ambassador = LeadAmbassadorFactory()
    response = as_user(staff).post(LEADS, {"name": "Walk-in", "referred_by": ambassador.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["referred_by"] == {"id": ambassador.pk, "full_name": ambassador.full_name}


def test_a_move_without_its_fields_is_refused_field_by_field(as_user, staff):
    lead = LeadFactory(qualified=True)
    response = as_user(staff).post(
        f"{detail(lead)}move/",
        {"stage": "active", "version": 1, "expected_jobs": -1, "expected_capital": "1.005"},
        format="json",
    )
    assert response.status_code == 400
    assert errors_by_attr(response) == {
        "owner": ("invalid", "Choose the member of staff who owns the lead"),
        "expected_jobs": ("invalid", "The number of jobs expected cannot be negative: enter 0 or more"),
        "expected_capital": (
            "invalid",
            "Enter the capital expected in pounds and pence, with at most 2 decimal places",
        ),
    }
    lead.refresh_from_db()
    assert lead.stage == S.QUALIFIED and lead.version == 1


def test_a_skipped_stage_is_refused_on_stage(as_user, staff):
    lead = LeadFactory()
    response = as_user(staff).post(f"{detail(lead)}move/", {"stage": "landed", "version": 1}, format="json")
    assert response.status_code == 400
    code, message = errors_by_attr(response)["stage"]
    assert code == "stage_not_allowed"
    assert (
        message == "A referred lead moves to qualified or lost next; it cannot go to landed without the stages between."
    )


def test_a_stale_version_is_a_409_and_changes_nothing(as_user, staff):
    lead = LeadFactory(qualified=True)
    client = as_user(staff)
    body = {"stage": "lost", "version": 1, "lost_reason": "Went to Leeds", "competing_location": "Leeds"}
    assert client.post(f"{detail(lead)}move/", body, format="json").status_code == 200
    again = client.post(f"{detail(lead)}move/", {**body, "stage": "active"}, format="json")
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "lead_changed"
    assert "changed by someone else" in again.json()["errors"][0]["detail"]
    lead.refresh_from_db()
    assert (lead.stage, lead.version) == (S.LOST, 2)


def test_staff_take_a_lead_to_landed_through_the_api(as_user, staff):
    lead = LeadFactory(referred_by=LeadAmbassadorFactory())
    client = as_user(staff)
    steps = [
        {"stage": "qualified", "sector": "cyber", "origin_country": "IL", "kind": "fdi"},
        {"stage": "active", "owner": staff.pk, "expected_jobs": 20, "expected_capital": 900000},
        {
            "stage": "verify_win",
            "new_jobs": 18,
            "safeguarded_jobs": 2,
            "capital_invested": "850000.00",
            "landed_on": "2026-02-01",
        },
        {"stage": "landed", "company_number": "SC654321", "reason": "Office opened"},
    ]
    for version, step in enumerate(steps, start=1):
        response = client.post(f"{detail(lead)}move/", {**step, "version": version}, format="json")
        assert response.status_code == 200, response.json()
    body = response.json()
    assert body["stage"] == "landed" and body["organisation"]["company_number"] == "SC654321"
    assert body["capital_invested"] == 850000.0 and body["new_jobs"] == 18
    assert [(h["from_stage"], h["to_stage"]) for h in body["history"]] == [
        ("referred", "qualified"),
        ("qualified", "active"),
        ("active", "verify_win"),
        ("verify_win", "landed"),
    ]
    assert all(h["changed_by"]["id"] == staff.pk and h["changed_at"] for h in body["history"])


def test_staff_change_details_with_the_version_read(as_user, staff):
    lead = LeadFactory(active=True)
    client = as_user(staff)
    response = client.patch(detail(lead), {"version": 1, "expected_jobs": 75}, format="json")
    assert response.status_code == 200 and response.json()["expected_jobs"] == 75
    assert client.patch(detail(lead), {"version": 1, "expected_jobs": 80}, format="json").status_code == 409
    assert client.patch(detail(lead), {"expected_jobs": 80}, format="json").status_code == 400  # no version


def test_an_ambassador_cannot_move_or_change_a_lead(as_user):
    ambassador = LeadAmbassadorFactory()
    mine, theirs = LeadFactory(referred_by=ambassador), LeadFactory()
    client = as_user(ambassador.user)
    assert client.post(f"{detail(mine)}move/", {"stage": "qualified", "version": 1}, format="json").status_code == 403
    assert client.patch(detail(mine), {"version": 1, "name": "X"}, format="json").status_code == 403
    assert client.post(f"{detail(theirs)}move/", {"stage": "qualified", "version": 1}, format="json").status_code == 404


def test_the_list_filters_as_the_pipeline_does(as_user, staff):
    LeadFactory(qualified=True, sector="fintech", name="Fin")
    LeadFactory(qualified=True, sector="games", name="Game")
    client = as_user(staff)
    assert [r["name"] for r in client.get(f"{LEADS}?sector=fintech").json()["results"]] == ["Fin"]
    response = client.get(f"{LEADS}?stage=won")
    assert response.status_code == 400 and errors_by_attr(response)["stage"][1] == "Choose a stage from the list"


@pytest.mark.parametrize("who", ["staff", "ambassador"])
def test_the_list_query_count_does_not_grow_with_the_leads(as_user, staff, count_queries, who):
    ambassador = LeadAmbassadorFactory()
    client = as_user(staff if who == "staff" else ambassador.user)
    counts = []
    for total in (10, 1000):
        Lead.objects.bulk_create(
            Lead(name=f"Lead {i}", referred_by=ambassador, owner=staff, stage="active", expected_capital=Decimal(5))
            for i in range(total - Lead.objects.count())
        )
        from django.core.cache import caches

        caches["template_fragments"].clear()
        with count_queries() as queries:
            response = client.get(LEADS)
        assert response.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
    assert response.json()["count"] == 1000
