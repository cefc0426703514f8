"""The missions API as the public, partners, staff and other roles use it: visibility, scopes,
reported values (validation, idempotency, attribution) and KPI refreshes."""

import datetime
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.utils import timezone

from missions import selectors
from missions.catalogue import indicator_catalogue_sync
from missions.models import Indicator, Observation, RefreshRun
from portal.page_cache import CACHE_ALIAS
from portal.roles import Role
from tests.missions.factories import (
    UK,
    WEST_MIDLANDS,
    WMCA,
    IndicatorFactory,
    ObservationFactory,
    RefreshRunFactory,
    geography,
)
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

MISSIONS_URL = "/api/v1/missions/"
INDICATORS_URL = "/api/v1/indicators/"
REFRESHES_URL = "/api/v1/kpi-refreshes/"
BIRMINGHAM = "E08000025"

VALUE = {
    "geography": WMCA,
    "period_start": "2024-01-01",
    "period_end": "2024-12-31",
    "value": 61.5,
    "source_title": "Partner survey 2024",
    "source_url": "https://partner.example/survey-2024",
    "source_date": "2025-02",
    "notes": "Weighted to the 2021 Census.",
}


def indicator_url(indicator) -> str:
    return f"{INDICATORS_URL}{indicator.code}/"


def observations_url(indicator) -> str:
    return f"{INDICATORS_URL}{indicator.code}/observations/"


def refresh_url(run) -> str:
    return f"{REFRESHES_URL}{run.pk}/"


@pytest.fixture
def partner():
    return OrganisationFactory(kind="partner", name="Birmingham Data Observatory")


@pytest.fixture
def owned(partner):
    """A reported, hidden indicator the partner owns."""
    return IndicatorFactory(code="M2-90", owner=partner, is_public=False, name="Devices lent")


@pytest.fixture
def foreign_public():
    return IndicatorFactory(code="M2-91", owner=OrganisationFactory(kind="partner"), name="Data poverty")


@pytest.fixture
def foreign_hidden():
    return IndicatorFactory(code="M2-92", owner=OrganisationFactory(kind="partner"), is_public=False)


def assert_field_error(response, attr: str) -> str:
    """A drf-standardized-errors validation body naming ``attr``; returns its message."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error", body
    matching = [error for error in body["errors"] if error["attr"] == attr]
    assert matching, body
    assert matching[0]["detail"]
    assert matching[0]["code"]
    return matching[0]["detail"]


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


# Missions


def test_anyone_lists_and_reads_the_five_missions(api_client):
    response = api_client.get(MISSIONS_URL)
    assert codes(response) == ["M1", "M2", "M3", "M4", "M5"]
    assert response.json()["count"] == 5

    body = api_client.get(f"{MISSIONS_URL}M4/").json()
    assert (body["code"], body["slug"], body["name"]) == ("M4", "connectivity", "Connectivity")
    assert body["roadmap_wording"] == "Becoming the UK's best-connected region"
    assert body["summary"]
    assert body["url"].endswith(f"{MISSIONS_URL}M4/")


@pytest.mark.parametrize("path", ["M9/", "m1/", "X1/", "M10/", "economy/"])
def test_unknown_mission_is_a_json_404(api_client, path):
    response = api_client.get(MISSIONS_URL + path)
    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


def test_mission_lists_only_the_indicators_the_reader_may_see(
    api_client, as_partner, as_user, staff_user, partner, owned, foreign_public, foreign_hidden
):
    def mission_indicators(client) -> list[str]:
        return [row["code"] for row in client.get(f"{MISSIONS_URL}M2/").json()["indicators"]]

    assert mission_indicators(api_client) == ["M2-91"]
    listed = api_client.get(MISSIONS_URL).json()["results"]
    assert [row["code"] for row in listed[1]["indicators"]] == ["M2-91"]
    assert listed[1]["indicators"][0]["url"].endswith(indicator_url(foreign_public))

    client, _ = as_partner("read", organisation=partner)
    assert mission_indicators(client) == ["M2-90", "M2-91"]

    client.credentials()
    assert mission_indicators(as_user(staff_user)) == ["M2-90", "M2-91", "M2-92"]


def test_mission_list_query_count_does_not_grow(api_client, count_queries):
    IndicatorFactory.create_batch(3)
    with count_queries() as small:
        assert api_client.get(MISSIONS_URL).status_code == 200
    IndicatorFactory.create_batch(30)
    with count_queries() as large:
        assert api_client.get(MISSIONS_URL).status_code == 200
    assert large.count == small.count


# Indicators: fields and the latest value


def test_indicator_shows_its_fields_and_latest_own_value(api_client, partner):
    indicator = IndicatorFactory(
        code="M2-95",
        name="Residents with a home broadband connection",
        unit="%",
        owner=partner,
        baseline_value=Decimal("72.5"),
        baseline_period="2021",
        with_target=True,
    )
    ObservationFactory(indicator=indicator, year=2022, status=Observation.Status.COMPUTED, value=Decimal("70"))
    ObservationFactory(indicator=indicator, year=2023, value=Decimal("74.25"), bound=">=")
    ObservationFactory(indicator=indicator, year=2024, geography=geography(BIRMINGHAM), value=Decimal("80"))
    ObservationFactory(indicator=indicator, year=2025, status=Observation.Status.PUBLISHED, value=Decimal("1"))
    ObservationFactory(indicator=indicator, year=2030, status=Observation.Status.TARGET, value=Decimal("90"))

    response = api_client.get(indicator_url(indicator))
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "M2-95"
    assert body["mission"] == "M2"
    assert body["name"] == "Residents with a home broadband connection"
    assert (body["unit"], body["direction"], body["frequency"], body["method"]) == ("%", "up", "annual", "reported")
    assert body["baseline_value"] == 72.5
    assert body["target_value"] == 80
    assert body["target_date"] == "2030-12-31"
    assert body["is_public"] is True
    assert body["owner"] == {"id": partner.pk, "name": "Birmingham Data Observatory"}
    assert body["observations_url"].endswith(observations_url(indicator))
    # The WMCA area's value wins over a later one for a borough; published and target rows are
    # comparators, not the portal's own value.
    latest = body["latest"]
    assert latest["period_label"] == "2023"
    assert (latest["period_start"], latest["period_end"]) == ("2023-01-01", "2023-12-31")
    assert latest["geography"] == WMCA
    assert latest["value"] == 74.25
    assert isinstance(latest["value"], float)
    assert (latest["bound"], latest["suppressed"], latest["status"]) == (">=", False, "reported")


def test_latest_value_without_a_wmca_row_follows_the_pages_rule_the_area_with_most_values(api_client):
    indicator = IndicatorFactory(code="M4-95")
    # The UK has more values; the West Midlands has a later one. The pages headline the area with
    # most values (not the latest period of any area), so the API's latest is the UK's 2023.
    for year in (2021, 2022, 2023):
        ObservationFactory(indicator=indicator, year=year, geography=geography(UK), value=Decimal(year - 2013))
    ObservationFactory(indicator=indicator, year=2019, geography=geography(WEST_MIDLANDS), value=Decimal("4"))
    ObservationFactory(indicator=indicator, year=2024, geography=geography(WEST_MIDLANDS), value=None, suppressed=True)
    latest = api_client.get(indicator_url(indicator)).json()["latest"]
    assert (latest["geography"], latest["period_label"], latest["value"], latest["suppressed"]) == (
        UK,
        "2023",
        10,
        False,
    )
    # The same value as the pages show (indicator_summarise) and the rule they share (portal_latest).
    observations = list(Observation.objects.filter(indicator=indicator).select_related("geography"))
    shared, _ = selectors.portal_latest(observations)
    mission_page = selectors.mission_summary_get(user=AnonymousUser(), mission=indicator.mission)
    (listed,) = [s.latest for s in mission_page.summaries if s.indicator == indicator]
    for pages in (selectors.indicator_summarise(indicator, observations).latest, shared, listed):
        assert (latest["geography"], latest["period_label"]) == (pages.geography.code, pages.period_label)


def test_latest_value_is_null_without_an_own_value(api_client):
    indicator = IndicatorFactory(code="M4-96")
    ObservationFactory(indicator=indicator, status=Observation.Status.PUBLISHED)
    body = api_client.get(indicator_url(indicator)).json()
    assert body["latest"] is None
    assert body["owner"] is None
    assert body["target_value"] is None


def test_catalogue_codes_are_lookups(as_user, staff_user):
    indicator_catalogue_sync()
    client = as_user(staff_user)
    for code in ("M1-04-1Y", "M2-01", "M1-R-BIRTHS", "M4-R-5GUMLAUT"):
        response = client.get(f"{INDICATORS_URL}{code}/")
        assert response.status_code == 200, code
        assert response.json()["code"] == code


@pytest.mark.parametrize("path", ["M1-99/", "m2-01/", "M2_01/", "M1.04/", "A" * 21 + "/"])
def test_unknown_indicator_is_a_json_404(api_client, path):
    IndicatorFactory(code="M1-04")
    response = api_client.get(INDICATORS_URL + path)
    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


# Indicators: visibility and scopes


def test_hidden_indicator_does_not_exist_for_those_who_may_not_see_it(
    api_client, as_partner, as_user, founder_user, reviewer_user, staff_user, partner, owned, foreign_public
):
    ObservationFactory(indicator=owned)
    for client in (api_client, as_user(founder_user), as_user(reviewer_user)):
        assert client.get(indicator_url(owned)).status_code == 404
        assert client.get(observations_url(owned)).status_code == 404
        assert "M2-90" not in codes(client.get(INDICATORS_URL))
        client.logout()

    client, _ = as_partner("read")  # another partner
    assert client.get(indicator_url(owned)).status_code == 404
    assert client.get(observations_url(owned)).status_code == 404
    assert codes(client.get(INDICATORS_URL)) == ["M2-91"]

    client, _ = as_partner("read", organisation=partner)
    assert client.get(indicator_url(owned)).status_code == 200
    assert client.get(observations_url(owned)).json()["count"] == 1
    assert codes(client.get(INDICATORS_URL)) == ["M2-90", "M2-91"]

    client.credentials()
    client = as_user(staff_user)
    assert client.get(indicator_url(owned)).status_code == 200
    assert codes(client.get(INDICATORS_URL)) == ["M2-90", "M2-91"]


def test_token_without_read_scope_cannot_read(as_partner, foreign_public):
    client, _ = as_partner("observations:write")
    for url in (MISSIONS_URL, f"{MISSIONS_URL}M1/", INDICATORS_URL, indicator_url(foreign_public)):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["errors"][0]["code"] == "permission_denied"
    assert client.get(observations_url(foreign_public)).status_code == 403


def test_invalid_token_gets_401_even_for_public_data(api_client, foreign_public):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get(INDICATORS_URL).status_code == 401
    assert api_client.get(MISSIONS_URL).status_code == 401


# Indicators: list filters, search, ordering, query count


def test_indicator_filters_search_and_ordering(api_client, as_user, staff_user):
    from missions.models import Mission

    IndicatorFactory(code="M1-90", mission=Mission.objects.get(code="M1"), name="Zeta firms", computed=True)
    IndicatorFactory(code="M2-90", name="Alpha devices")
    IndicatorFactory(code="M2-91", name="Beta skills", is_public=False)

    assert codes(api_client.get(INDICATORS_URL)) == ["M1-90", "M2-90"]
    assert codes(api_client.get(INDICATORS_URL, {"mission": "M2"})) == ["M2-90"]
    assert codes(api_client.get(INDICATORS_URL, {"mission": "M9"})) == []
    assert codes(api_client.get(INDICATORS_URL, {"method": "computed"})) == ["M1-90"]
    assert codes(api_client.get(INDICATORS_URL, {"search": "alpha"})) == ["M2-90"]
    assert codes(api_client.get(INDICATORS_URL, {"search": "M1-9"})) == ["M1-90"]
    assert codes(api_client.get(INDICATORS_URL, {"ordering": "-name"})) == ["M1-90", "M2-90"]
    assert codes(api_client.get(INDICATORS_URL, {"ordering": "name"})) == ["M2-90", "M1-90"]
    assert codes(api_client.get(INDICATORS_URL, {"is_public": "false"})) == []

    staff = as_user(staff_user)
    assert codes(staff.get(INDICATORS_URL, {"is_public": "false"})) == ["M2-91"]
    assert codes(staff.get(INDICATORS_URL, {"mission": "M2", "is_public": "true"})) == ["M2-90"]


@pytest.mark.parametrize(
    ("params", "attr"),
    [({"method": "guessed"}, "method"), ({"is_public": "yes"}, "is_public"), ({"mission": "M\x001"}, "mission")],
)
def test_bad_indicator_filter_is_a_field_error(api_client, params, attr):
    assert_field_error(api_client.get(INDICATORS_URL, params), attr)


@pytest.mark.parametrize("reader", ["anonymous", "partner", "staff"])
def test_indicator_list_query_count_does_not_grow(
    api_client, as_partner, as_user, staff_user, count_queries, partner, reader
):
    if reader == "partner":
        as_partner("read", organisation=partner)
    elif reader == "staff":
        as_user(staff_user)

    def build(count: int) -> None:
        for index in range(count):
            indicator = IndicatorFactory(owner=partner, is_public=index % 2 == 0)
            for year in range(2015, 2025):
                ObservationFactory(indicator=indicator, year=year)
                ObservationFactory(indicator=indicator, year=year, geography=geography(BIRMINGHAM))

    build(3)
    api_client.get(INDICATORS_URL)  # a first request fills per-process caches (the token's organisation)
    caches[CACHE_ALIAS].clear()  # both measured lists are built afresh, not served from the cache
    with count_queries() as small:
        response = api_client.get(INDICATORS_URL)
    assert response.status_code == 200
    assert all(row["latest"]["period_label"] == "2024" for row in response.json()["results"])
    build(27)
    with count_queries() as large:
        response = api_client.get(INDICATORS_URL)
    assert response.status_code == 200
    assert response.json()["count"] == (Indicator.objects.public().count() if reader == "anonymous" else 30)
    assert large.count == small.count


# Observations: reading


def test_observations_are_listed_in_period_order_and_filtered(api_client):
    indicator = IndicatorFactory(code="M2-93")
    for year in (2024, 2022, 2023):
        ObservationFactory(indicator=indicator, year=year)
    ObservationFactory(indicator=indicator, year=2023, geography=geography(BIRMINGHAM))
    ObservationFactory(indicator=indicator, year=2023, status=Observation.Status.PUBLISHED, source_title="ONS")
    ObservationFactory(year=2023)  # another indicator's

    def labels(params=None) -> list[tuple]:
        response = api_client.get(observations_url(indicator), params or {})
        assert response.status_code == 200, response.content
        return [(row["period_label"], row["geography"], row["status"]) for row in response.json()["results"]]

    assert labels() == [
        ("2022", WMCA, "reported"),
        ("2023", BIRMINGHAM, "reported"),
        ("2023", WMCA, "published"),
        ("2023", WMCA, "reported"),
        ("2024", WMCA, "reported"),
    ]
    assert labels({"status": "published"}) == [("2023", WMCA, "published")]
    assert labels({"geography": BIRMINGHAM}) == [("2023", BIRMINGHAM, "reported")]
    assert labels({"year": 2024}) == [("2024", WMCA, "reported")]
    assert labels({"period_start_after": "2023-01-01", "period_start_before": "2023-06-30", "status": "reported"}) == [
        ("2023", BIRMINGHAM, "reported"),
        ("2023", WMCA, "reported"),
    ]
    assert labels({"ordering": "-period_start", "geography": WMCA, "status": "reported"})[0][0] == "2024"
    row = api_client.get(observations_url(indicator), {"status": "published"}).json()["results"][0]
    assert (row["value"], row["source_title"], row["geography_name"]) == (50.0, "ONS", "WMCA area")


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"year": 1800}, "year"),
        ({"year": "2024.5"}, "year"),
        ({"status": "guessed"}, "status"),
        ({"period_start_after": "soon"}, "period_start_after"),
    ],
)
def test_bad_observation_filter_is_a_field_error(api_client, params, attr):
    indicator = IndicatorFactory(code="M2-94")
    assert_field_error(api_client.get(observations_url(indicator), params), attr)


def test_observation_list_query_count_does_not_grow(api_client, count_queries):
    indicator = IndicatorFactory()
    for year in range(2020, 2023):
        ObservationFactory(indicator=indicator, year=year)
    with count_queries() as small:
        assert api_client.get(observations_url(indicator)).status_code == 200
    for year in range(1990, 2020):
        ObservationFactory(indicator=indicator, year=year)
    with count_queries() as large:
        assert api_client.get(observations_url(indicator)).json()["count"] == 33
    assert large.count == small.count


# Observations: reporting a value


def test_owning_partner_reports_a_value_attributed_to_its_organisation(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.post(observations_url(owned), VALUE, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["period_label"], body["geography"], body["status"], body["value"]) == ("2024", WMCA, "reported", 61.5)

    observation = Observation.objects.get()
    assert observation.indicator == owned
    assert observation.value == Decimal("61.5")
    assert observation.submitted_by_organisation == partner
    assert observation.submitted_by is None
    assert (observation.source_title, observation.source_date) == ("Partner survey 2024", "2025-02")
    assert client.get(indicator_url(owned)).json()["latest"]["value"] == 61.5


def test_staff_report_a_value_attributed_to_themselves(as_user, staff_user, foreign_public):
    client = as_user(staff_user)
    payload = {"geography": BIRMINGHAM, "period_start": "2024-01-01", "period_end": "2024-12-31", "value": 12}
    response = client.post(observations_url(foreign_public), payload, format="json")
    assert response.status_code == 201, response.content
    observation = Observation.objects.get()
    assert observation.period_label == "2024"
    assert observation.submitted_by == staff_user
    assert observation.submitted_by_organisation is None


def test_resubmission_replaces_the_value_and_keeps_the_earlier_one_in_history(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    assert client.post(observations_url(owned), VALUE, format="json").status_code == 201
    again = client.post(observations_url(owned), {**VALUE, "value": 63.25, "notes": "Revised"}, format="json")
    assert again.status_code == 200, again.content
    assert again.json()["value"] == 63.25

    observation = Observation.objects.get()
    assert (observation.value, observation.notes) == (Decimal("63.25"), "Revised")
    history = list(observation.history.order_by("history_date").values_list("value", flat=True))
    assert history == [Decimal("61.5"), Decimal("63.25")]


def test_suppressed_value_is_recorded_without_a_value(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    payload = {**VALUE, "value": None, "suppressed": True}
    response = client.post(observations_url(owned), payload, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["value"], response.json()["suppressed"]) == (None, True)
    payload = {key: value for key, value in VALUE.items() if key != "value"}
    response = client.post(observations_url(owned), {**payload, "suppressed": True}, format="json")
    assert response.status_code == 200
    assert Observation.objects.get().value is None


def test_a_bound_is_kept(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.post(observations_url(owned), {**VALUE, "value": 95, "bound": ">"}, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["bound"], response.json()["value"]) == (">", 95)


def test_partner_cannot_report_for_an_indicator_it_does_not_own(as_partner, partner, foreign_public, foreign_hidden):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.post(observations_url(foreign_public), VALUE, format="json")
    assert response.status_code == 403
    assert "does not own" in response.json()["errors"][0]["detail"]
    assert client.post(observations_url(foreign_hidden), VALUE, format="json").status_code == 404
    assert not Observation.objects.exists()


def test_token_without_observations_write_cannot_report(as_partner, partner, owned):
    client, _ = as_partner("read", "companies:write", "investments:write", organisation=partner)
    response = client.post(observations_url(owned), VALUE, format="json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    assert not Observation.objects.exists()


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.REVIEWER, Role.AMBASSADOR, Role.PARTNER_ADMIN])
def test_other_roles_cannot_report(as_user, make_user, foreign_public, role):
    client = as_user(make_user(role, mfa=role != Role.FOUNDER and role != Role.PARTNER_ADMIN))
    response = client.post(observations_url(foreign_public), VALUE, format="json")
    assert response.status_code == 403
    assert "staff" in response.json()["errors"][0]["detail"]
    assert not Observation.objects.exists()


def test_anonymous_cannot_report(api_client, foreign_public):
    response = api_client.post(observations_url(foreign_public), VALUE, format="json")
    assert response.status_code == 401
    assert not Observation.objects.exists()


def test_a_computed_indicator_takes_no_reported_value(as_user, staff_user):
    indicator = IndicatorFactory(computed=True)
    response = as_user(staff_user).post(observations_url(indicator), VALUE, format="json")
    assert "computed" in assert_field_error(response, "indicator")
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "attr"),
    [
        ({"value": "12"}, "value"),
        ({"value": "61.5"}, "value"),
        ({"value": True}, "value"),
        ({"value": [1]}, "value"),
        ({"value": 1.23456}, "value"),
        ({"value": 1e16}, "value"),
        ({"value": -(10**17)}, "value"),
        ({"value": None}, "value"),  # not suppressed
        ({"value": 5, "suppressed": True}, "value"),
        ({"period_end": "2023-12-31"}, "period_end"),
        ({"period_start": "2024-13-01"}, "period_start"),
        ({"period_start": 20240101}, "period_start"),
        ({"geography": "E99999999"}, "geography"),
        ({"geography": "wmca"}, "geography"),
        ({"geography": 47000007}, "geography"),
        ({"geography": "E47\x00"}, "geography"),
        ({"bound": "~"}, "bound"),
        ({"bound": ">", "value": None, "suppressed": True}, "bound"),
        ({"suppressed": "yes"}, "suppressed"),
        ({"suppressed": 0}, "suppressed"),
        ({"source_url": "not a url"}, "source_url"),
        ({"source_date": "x" * 41}, "source_date"),
        ({"notes": "bad\x00notes"}, "notes"),
        ({"notes": 5}, "notes"),
    ],
)
def test_bad_value_is_a_field_error_and_writes_nothing(as_partner, partner, owned, changes, attr):
    ObservationFactory(indicator=owned, year=2024, value=Decimal("40"))
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.post(observations_url(owned), {**VALUE, **changes}, format="json")
    assert_field_error(response, attr)
    assert list(Observation.objects.values_list("period_label", "value")) == [("2024", Decimal("40.0000"))]


@pytest.mark.parametrize("field", ["geography", "period_start", "period_end"])
def test_missing_required_field_is_a_field_error(as_partner, partner, owned, field):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    payload = {key: value for key, value in VALUE.items() if key != field}
    assert_field_error(client.post(observations_url(owned), payload, format="json"), field)
    assert not Observation.objects.exists()


def test_missing_value_when_not_suppressed_is_a_field_error(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    payload = {key: value for key, value in VALUE.items() if key != "value"}
    assert "suppressed" in assert_field_error(client.post(observations_url(owned), payload, format="json"), "value")
    assert not Observation.objects.exists()


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_a_field_error_not_a_500(as_partner, partner, owned, literal):
    # Python's JSON parser reads these (1e400 as infinity): they must not reach the database.
    client, _ = as_partner("read", "observations:write", organisation=partner)
    body = json.dumps({**VALUE, "value": 0}).replace('"value": 0', f'"value": {literal}')
    response = client.generic("POST", observations_url(owned), body, content_type="application/json")
    assert "NaN or infinity" in assert_field_error(response, "value")
    assert not Observation.objects.exists()


def test_malformed_or_non_json_body_is_a_400(as_partner, partner, owned):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.generic("POST", observations_url(owned), '{"value": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    assert client.post(observations_url(owned), VALUE, format="multipart").status_code == 415
    response = client.generic("POST", observations_url(owned), "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert not Observation.objects.exists()


# KPI refreshes


def test_staff_start_a_refresh_and_a_second_request_joins_it(as_user, staff_user):
    client = as_user(staff_user)
    first = client.post(REFRESHES_URL)
    assert first.status_code == 202, first.content
    body = first.json()
    run = RefreshRun.objects.get()
    assert (body["id"], body["status"], body["trigger"], body["joined"]) == (run.pk, "queued", "api", False)
    assert first["Location"].endswith(refresh_url(run))
    assert run.requested_by == staff_user

    second = client.post(REFRESHES_URL)
    assert second.status_code == 200
    assert (second.json()["id"], second.json()["joined"]) == (run.pk, True)
    assert not second.has_header("Location")
    assert RefreshRun.objects.count() == 1


def test_a_requested_refresh_runs_after_commit_and_reports_progress(
    as_user, staff_user, django_capture_on_commit_callbacks
):
    indicator_catalogue_sync()
    client = as_user(staff_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(REFRESHES_URL)
    assert response.status_code == 202
    assert len(callbacks) == 1

    body = client.get(response["Location"]).json()
    computed = Indicator.objects.filter(method=Indicator.Method.COMPUTED).count()
    assert body["status"] == "succeeded", body["error"]
    assert body["indicators_done"] == body["indicators_total"] == computed > 0
    assert body["percent"] == 100
    assert body["started_at"] and body["finished_at"] and body["heartbeat_at"]
    assert body["error"] == ""
    # Finished: the next request starts a new run.
    assert client.post(REFRESHES_URL).status_code == 202


def test_refreshes_are_listed_newest_first(as_user, staff_user):
    old = RefreshRunFactory(status=RefreshRun.Status.FAILED, error="The worker stopped.")
    new = RefreshRunFactory(status=RefreshRun.Status.SUCCEEDED, indicators_done=4, indicators_total=8)
    client = as_user(staff_user)
    rows = client.get(REFRESHES_URL).json()["results"]
    assert [row["id"] for row in rows] == [new.pk, old.pk]
    assert (rows[0]["percent"], rows[0]["indicators_done"], rows[0]["joined"]) == (50, 4, False)
    assert rows[1]["error"] == "The worker stopped."
    assert client.get(refresh_url(old)).json()["status"] == "failed"


@pytest.mark.parametrize("path", ["999999/", "abc/", "99999999999999999999/"])
def test_unknown_refresh_is_a_404(as_user, staff_user, path):
    RefreshRunFactory()
    response = as_user(staff_user).get(REFRESHES_URL + path)
    assert response.status_code == 404
    assert response.json()["type"] == "client_error"


def test_partner_tokens_cannot_use_refreshes(as_partner):
    run = RefreshRunFactory()
    client, _ = as_partner("read", "observations:write", "companies:write", "investments:write")
    for response in (client.get(REFRESHES_URL), client.get(refresh_url(run)), client.post(REFRESHES_URL)):
        assert response.status_code == 403
        assert "Partner tokens" in response.json()["errors"][0]["detail"]
    assert RefreshRun.objects.count() == 1


@pytest.mark.parametrize("fixture", ["founder_user", "reviewer_user", "ambassador_user"])
def test_other_roles_cannot_use_refreshes(request, as_user, fixture):
    run = RefreshRunFactory()
    client = as_user(request.getfixturevalue(fixture))
    for response in (client.get(REFRESHES_URL), client.get(refresh_url(run)), client.post(REFRESHES_URL)):
        assert response.status_code == 403
    assert RefreshRun.objects.count() == 1


def test_anonymous_cannot_use_refreshes(api_client):
    run = RefreshRunFactory()
    for response in (api_client.get(REFRESHES_URL), api_client.get(refresh_url(run)), api_client.post(REFRESHES_URL)):
        assert response.status_code == 401
    assert RefreshRun.objects.count() == 1


def test_refresh_list_query_count_does_not_grow(as_user, staff_user, count_queries):
    client = as_user(staff_user)
    for _ in range(3):
        RefreshRunFactory(status=RefreshRun.Status.SUCCEEDED)
    with count_queries() as small:
        assert client.get(REFRESHES_URL).status_code == 200
    for _ in range(30):
        RefreshRunFactory(status=RefreshRun.Status.SUCCEEDED)
    with count_queries() as large:
        assert client.get(REFRESHES_URL).json()["count"] == 33
    assert large.count == small.count


def test_staff_session_without_totp_is_refused(api_client, make_user):
    api_client.force_login(make_user(Role.STAFF, mfa=False))
    response = api_client.post(REFRESHES_URL)
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "mfa_required"
    assert not RefreshRun.objects.exists()


def test_dates_in_the_refresh_are_iso(as_user, staff_user):
    RefreshRunFactory(status=RefreshRun.Status.RUNNING, started_at=datetime.datetime(2025, 1, 2, tzinfo=datetime.UTC))
    row = as_user(staff_user).get(REFRESHES_URL).json()["results"][0]
    assert row["started_at"].startswith("2025-01-02T")
    assert row["finished_at"] is None


def test_the_api_never_shows_a_dead_run_as_open_and_states_its_stale_time(as_user, staff_user):
    client = as_user(staff_user)
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    dead = RefreshRunFactory(status=RefreshRun.Status.RUNNING, heartbeat_at=long_ago)
    row = client.get(REFRESHES_URL).json()["results"][0]
    assert (row["id"], row["status"]) == (dead.pk, "failed")
    assert "no heartbeat for 60 seconds" in row["error"]
    lost = RefreshRunFactory()
    assert client.get(refresh_url(lost)).json()["stale_after_seconds"] == 60
    RefreshRun.objects.filter(pk=lost.pk).update(created_at=long_ago)
    body = client.get(refresh_url(lost)).json()
    assert body["status"] == "failed"
    assert "No worker picked this run up within 60 seconds" in body["error"]
