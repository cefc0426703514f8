"""The ``ambassadors`` API (public profiles only, for everyone) and ``ambassador-activities`` (an
ambassador's own; staff all; partner tokens refused): scoping, field errors, the schema, and query
counts that do not grow."""

import datetime

import pytest
from django.utils import timezone

from ambassadors.models import Activity, Lead
from tests.ambassadors.factories import ActivityFactory, AmbassadorFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

AMBASSADORS = "/api/v1/ambassadors/"
ACTIVITIES = "/api/v1/ambassador-activities/"
PRIVATE_KEYS = {"user", "email", "status", "term_starts_on", "term_ends_on", "public_profile"}


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def assert_field_error(response, attr: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error", body
    assert [error for error in body["errors"] if error["attr"] == attr], body


@pytest.fixture
def profiles():
    return {
        "public": AmbassadorFactory(country="JP", sectors=["fintech"], public=True),
        "private": AmbassadorFactory(country="JP", sectors=["fintech"]),
        "retired": AmbassadorFactory(public=True, retired=True),
    }


# ambassadors ---------------------------------------------------------------------------------


def test_everyone_sees_public_profiles_only(api_client, as_user, as_partner, staff_user, profiles):
    expected = {profiles["public"].pk}
    assert ids(api_client.get(AMBASSADORS)) == expected
    client, _ = as_partner("read")
    assert ids(client.get(AMBASSADORS)) == expected
    client.credentials()
    assert ids(as_user(staff_user).get(AMBASSADORS)) == expected
    for key in ("private", "retired"):
        assert api_client.get(f"{AMBASSADORS}{profiles[key].pk}/").status_code == 404


def test_a_public_profile_carries_nothing_private(api_client, profiles):
    body = api_client.get(f"{AMBASSADORS}{profiles['public'].pk}/").json()
    assert not PRIVATE_KEYS & set(body)
    assert body["country"] == "JP" and body["sectors"] == ["fintech"]
    assert body["profile_page"].endswith(f"/ambassadors/directory/{profiles['public'].pk}/")
    assert profiles["public"].user.email not in str(body)


def test_the_profiles_filter_by_country_and_sector_and_refuse_bad_values(api_client, profiles):
    other = AmbassadorFactory(country="FR", sectors=["software"], public=True)
    assert ids(api_client.get(f"{AMBASSADORS}?country=FR")) == {other.pk}
    assert ids(api_client.get(f"{AMBASSADORS}?sector=fintech")) == {profiles["public"].pk}
    assert_field_error(api_client.get(f"{AMBASSADORS}?country=XX"), "country")


def test_the_profile_list_keeps_its_query_count(api_client, count_queries):
    from django.core.cache import caches

    from portal.page_cache import CACHE_ALIAS

    AmbassadorFactory.create_batch(3, public=True, sectors=["software", "cyber"])
    with count_queries() as few:
        api_client.get(AMBASSADORS)
    AmbassadorFactory.create_batch(20, public=True, sectors=["software", "cyber"])
    caches[CACHE_ALIAS].clear()
    with count_queries() as many:
        response = api_client.get(AMBASSADORS)
    assert response.json()["count"] == 23
    assert many.count == few.count


# ambassador-activities -----------------------------------------------------------------------


def test_an_ambassador_sees_only_their_own_activities_and_staff_all(as_user, staff_user):
    mine = ActivityFactory()
    theirs = ActivityFactory()
    client = as_user(mine.ambassador.user)
    assert ids(client.get(ACTIVITIES)) == {mine.pk}
    assert client.get(f"{ACTIVITIES}{theirs.pk}/").status_code == 404
    assert ids(as_user(staff_user).get(ACTIVITIES)) == {mine.pk, theirs.pk}


def test_partner_tokens_and_signed_out_callers_are_refused(api_client, as_partner):
    ActivityFactory()
    assert api_client.get(ACTIVITIES).status_code in (401, 403)
    client, _ = as_partner("read", "companies:write")
    assert client.get(ACTIVITIES).status_code == 403


def test_a_founder_sees_no_activity_and_cannot_log_one(as_user, founder_user):
    ActivityFactory()
    client = as_user(founder_user)
    assert ids(client.get(ACTIVITIES)) == set()
    response = client.post(ACTIVITIES, {"kind": "event", "occurred_on": "2026-01-05"}, format="json")
    assert response.status_code == 403


def test_an_ambassador_logs_an_activity_through_the_api(as_user):
    ambassador = AmbassadorFactory()
    lead = Lead.objects.create(name="Osaka Pay", referred_by=ambassador)
    organisation = OrganisationFactory()
    client = as_user(ambassador.user)
    day = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    response = client.post(
        ACTIVITIES,
        {"kind": "media", "occurred_on": day, "reach": 5000, "organisation": organisation.pk, "lead": lead.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["ambassador"], body["lead"], body["organisation"], body["reach"]) == (
        ambassador.pk,
        lead.pk,
        organisation.pk,
        5000,
    )
    assert Activity.objects.get().occurred_on.isoformat() == day


def test_field_errors_come_at_once_and_another_ambassadors_lead_does_not_exist(as_user):
    ambassador = AmbassadorFactory()
    other_lead = Lead.objects.create(name="Not yours", referred_by=AmbassadorFactory())
    client = as_user(ambassador.user)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(ACTIVITIES, {"kind": "party", "occurred_on": future, "lead": other_lead.pk}, format="json")
    assert_field_error(response, "kind")
    assert_field_error(response, "lead")
    response = client.post(ACTIVITIES, {"kind": "event", "occurred_on": future}, format="json")
    assert_field_error(response, "occurred_on")
    assert not Activity.objects.exists()


def test_an_ambassador_changes_their_own_activity_but_not_anothers(as_user):
    mine = ActivityFactory()
    theirs = ActivityFactory()
    client = as_user(mine.ambassador.user)
    payload = {"kind": "trade_mission", "occurred_on": mine.occurred_on.isoformat(), "place": "Seoul"}
    response = client.put(f"{ACTIVITIES}{mine.pk}/", payload, format="json")
    assert response.status_code == 200 and response.json()["place"] == "Seoul"
    assert client.put(f"{ACTIVITIES}{theirs.pk}/", payload, format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.kind == "event"


def test_a_paused_ambassador_cannot_log_through_the_api(as_user):
    paused = AmbassadorFactory(paused=True)
    response = as_user(paused.user).post(
        ACTIVITIES, {"kind": "event", "occurred_on": timezone.localdate().isoformat()}, format="json"
    )
    assert response.status_code == 403


def test_an_ambassador_without_totp_gets_a_403(as_user):
    ambassador = AmbassadorFactory(user__totp=False)
    response = as_user(ambassador.user).get(ACTIVITIES)
    assert response.status_code == 403 and response.json()["errors"][0]["code"] == "mfa_required"


def test_the_activity_list_keeps_its_query_count(as_user, staff_user, count_queries):
    from django.core.cache import caches

    from portal.page_cache import CACHE_ALIAS

    client = as_user(staff_user)
    ActivityFactory.create_batch(3, organisation=OrganisationFactory())
    client.get(ACTIVITIES)
    caches[CACHE_ALIAS].clear()
    with count_queries() as few:
        client.get(ACTIVITIES)
    ActivityFactory.create_batch(20, organisation=OrganisationFactory())
    caches[CACHE_ALIAS].clear()
    with count_queries() as many:
        response = client.get(ACTIVITIES)
    assert response.json()["count"] == 23
    assert many.count == few.count


def test_both_endpoints_are_in_the_schema(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert {"get"} <= set(paths["/api/v1/ambassadors/"])
    assert {"get", "post"} <= set(paths["/api/v1/ambassador-activities/"])
    assert {"get", "put"} <= set(paths["/api/v1/ambassador-activities/{id}/"])
    assert "ActivityKindEnum" in schema["components"]["schemas"]
