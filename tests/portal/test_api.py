"""The organisations API as partners, founders and staff use it: scopes, scoping, validation, idempotency."""

import datetime

import pytest
from django.core.cache import caches
from oauth2_provider.models import AccessToken

from portal import services
from portal.models import FirmYear, Organisation
from portal.page_cache import CACHE_ALIAS
from portal.rest.serializers import DIVERSITY_FIELDS
from portal.roles import Role
from tests.portal.factories import FirmYearFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/organisations/"

YEAR_FACTS = {
    "employees": 14,
    "turnover_gbp": 1_200_000,
    "leadership_total": 4,
    "leadership_disclosed": 3,
    "leadership_women": 2,
    "leadership_ethnic_minority": 1,
    "staff_total": 14,
    "staff_disclosed": 12,
    "staff_women": 6,
    "staff_ethnic_minority": 4,
    "consent": False,
    "as_of": "2025-01-31",
}


def detail_url(organisation) -> str:
    return f"{LIST_URL}{organisation.pk}/"


def years_url(organisation) -> str:
    return f"{LIST_URL}{organisation.pk}/years/"


def year_url(organisation, year: int) -> str:
    return f"{LIST_URL}{organisation.pk}/years/{year}/"


@pytest.fixture
def firm(founder_user):
    return OrganisationFactory(name="Founder's Firm Ltd", members=[founder_user])


def assert_field_error(response, attr: str) -> str:
    """A drf-standardized-errors validation body naming ``attr``; returns its message."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    matching = [error for error in body["errors"] if error["attr"] == attr]
    assert matching, body
    assert matching[0]["detail"]
    assert matching[0]["code"]
    return matching[0]["detail"]


# Authentication and scopes


def test_partner_with_read_scope_lists_and_retrieves(as_partner):
    organisation = OrganisationFactory(name="Acme Robotics", company_number="SC123456")
    client, partner = as_partner("read")
    response = client.get(LIST_URL)
    assert response.status_code == 200
    names = [row["name"] for row in response.json()["results"]]
    assert names == sorted([organisation.name, partner.name])

    response = client.get(detail_url(organisation))
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["company_number"]) == (organisation.pk, "Acme Robotics", "SC123456")
    assert body["years_url"].endswith(years_url(organisation))


def test_anonymous_requests_get_401(api_client):
    organisation = OrganisationFactory()
    for url in (LIST_URL, detail_url(organisation), years_url(organisation)):
        response = api_client.get(url)
        assert response.status_code == 401
        assert response.json()["type"] == "client_error"
    assert api_client.post(LIST_URL, {"name": "Sneaky"}, format="json").status_code == 401
    assert Organisation.objects.count() == 1


def test_unknown_or_expired_token_gets_401(api_client, partner_token):
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api_client.get(LIST_URL).status_code == 401
    token, _ = partner_token("read")
    AccessToken.objects.update(expires=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get(LIST_URL).status_code == 401


def test_token_without_read_scope_cannot_read(as_partner):
    organisation = OrganisationFactory()
    client, _ = as_partner("companies:write")
    for url in (LIST_URL, detail_url(organisation), years_url(organisation), year_url(organisation, 2024)):
        assert client.get(url).status_code == 403, url


def test_token_without_companies_write_cannot_write(as_partner):
    """ACCEPTANCE: a missing scope is a 403 and nothing is written, even to a firm the partner maintains."""
    client, partner = as_partner("read", "observations:write", "investments:write")
    organisation = OrganisationFactory(recorded_by=partner)
    before = Organisation.objects.count()

    response = client.post(LIST_URL, {"name": "New Firm Ltd"}, format="json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    assert client.put(year_url(organisation, 2024), YEAR_FACTS, format="json").status_code == 403
    assert client.post(years_url(organisation), {**YEAR_FACTS, "year": 2024}, format="json").status_code == 403
    assert client.patch(detail_url(organisation), {"name": "Renamed"}, format="json").status_code == 403

    assert Organisation.objects.count() == before
    assert not FirmYear.objects.exists()
    organisation.refresh_from_db()
    assert organisation.name != "Renamed"


def test_token_with_companies_write_creates_an_attributed_organisation(as_partner):
    """ACCEPTANCE: with the scope, 201 and the row is attributed to the partner."""
    client, partner = as_partner("read", "companies:write")
    response = client.post(
        LIST_URL,
        {
            "name": "New Firm Ltd",
            "company_number": "1234567",
            "local_authority": "coventry",
            "founded_on": "2021-04-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["company_number"] == "01234567"
    created = Organisation.objects.get(pk=body["id"])
    assert created.recorded_by == partner
    assert created.members.count() == 0
    assert created.history.count() == 1


def test_partner_year_writes_are_attributed(as_partner):
    client, partner = as_partner("read", "companies:write")
    organisation = OrganisationFactory(recorded_by=partner)
    response = client.put(year_url(organisation, 2024), YEAR_FACTS, format="json")
    assert response.status_code == 201, response.content
    row = FirmYear.objects.get()
    assert (row.recorded_by, row.source) == (partner, FirmYear.Source.PARTNER)


# Validation: a field-level 400, never a 500, and nothing half-written


@pytest.mark.parametrize(
    ("payload", "attr"),
    [
        ({"name": "Bad", "company_number": "ABC"}, "company_number"),
        ({"name": "Bad", "company_number": "123456789"}, "company_number"),
        ({"name": "Bad", "company_number": "١٢٣٤٥٦٧٨"}, "company_number"),
        ({"name": "Dup", "company_number": "9999999"}, "company_number"),  # taken below, once padded
        ({"name": "Bad", "founded_on": "2020-01-01", "dissolved_on": "2019-12-31"}, "dissolved_on"),
        ({"name": "Bad", "founded_on": "last spring"}, "founded_on"),
        ({"name": "Bad", "kind": "bank"}, "kind"),
        ({"name": "Bad", "origin": "relocated_abroad"}, "origin_country"),
        ({"name": "Bad", "origin": "relocated_abroad", "origin_country": "France"}, "origin_country"),
        ({"name": "Bad\x00name"}, "name"),
        ({"name": ""}, "name"),
        ({"website": "https://example.org"}, "name"),
        ({"name": 42}, "name"),
        ({"name": "Bad", "is_tech": "yes"}, "is_tech"),
    ],
)
def test_bad_organisation_input_is_a_field_error(as_partner, payload, attr):
    OrganisationFactory(company_number="09999999")
    client, _ = as_partner("read", "companies:write")
    before = Organisation.objects.count()
    response = client.post(LIST_URL, payload, format="json")
    assert_field_error(response, attr)
    assert Organisation.objects.count() == before


def test_company_number_errors_carry_codes_clients_can_branch_on(as_partner):
    OrganisationFactory(company_number="09999999")
    client, _ = as_partner("read", "companies:write")
    bad = client.post(LIST_URL, {"name": "Bad", "company_number": "ABC"}, format="json")
    taken = client.post(LIST_URL, {"name": "Dup", "company_number": "9999999"}, format="json")
    assert bad.json()["errors"] == [
        {"code": "invalid_company_number", "detail": bad.json()["errors"][0]["detail"], "attr": "company_number"}
    ]
    assert taken.json()["errors"] == [
        {
            "code": "unique",
            "detail": "An organisation with this Companies House number already exists.",
            "attr": "company_number",
        }
    ]


def test_update_to_a_taken_number_is_a_field_error(as_partner):
    OrganisationFactory(company_number="01111111")
    client, partner = as_partner("read", "companies:write")
    organisation = OrganisationFactory(company_number="02222222", recorded_by=partner)
    response = client.patch(detail_url(organisation), {"company_number": "1111111"}, format="json")
    assert "already exists" in assert_field_error(response, "company_number")
    organisation.refresh_from_db()
    assert organisation.company_number == "02222222"


def test_form_encoded_writes_are_refused(as_partner):
    # Form parsers read "as_of=" as "not given" (today); the API takes JSON, where "" is an error.
    client, partner = as_partner("read", "companies:write")
    organisation = OrganisationFactory(recorded_by=partner)
    response = client.put(year_url(organisation, 2024), {**YEAR_FACTS, "as_of": ""}, format="multipart")
    assert response.status_code == 415
    assert_field_error(client.put(year_url(organisation, 2024), {**YEAR_FACTS, "as_of": ""}, format="json"), "as_of")
    assert not FirmYear.objects.exists()


def test_malformed_json_is_a_400(as_partner):
    client, _ = as_partner("read", "companies:write")
    response = client.generic("POST", LIST_URL, '{"name": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


@pytest.mark.parametrize(
    ("payload", "attr"),
    [
        ({"leadership_women": 4}, "leadership_women"),  # disclosed is 3
        ({"leadership_disclosed": None, "leadership_women": 5}, "leadership_women"),  # total is 4
        ({"staff_disclosed": None, "staff_ethnic_minority": 15}, "staff_ethnic_minority"),  # total is 14
        ({"employees": -1}, "employees"),
        ({"staff_disclosed": 15}, "staff_disclosed"),  # total is 14
        ({"employees": "lots"}, "employees"),
        ({"turnover_gbp": -5}, "turnover_gbp"),
        ({"employees": 2.5}, "employees"),
        ({"employees": 10**12}, "employees"),
        ({"as_of": "2999-01-01"}, "as_of"),
        ({"consent": "perhaps"}, "consent"),
        ({"consent": 0}, "consent"),  # a wrong type is refused, not guessed at
        ({"employees": "12"}, "employees"),
    ],
)
def test_bad_year_input_is_a_field_error(as_partner, payload, attr):
    client, partner = as_partner("read", "companies:write")
    organisation = OrganisationFactory(recorded_by=partner)
    FirmYearFactory(organisation=organisation, year=2024, employees=99)

    response = client.put(year_url(organisation, 2024), {**YEAR_FACTS, **payload}, format="json")
    assert_field_error(response, attr)
    response = client.post(years_url(organisation), {**YEAR_FACTS, **payload, "year": 2023}, format="json")
    assert_field_error(response, attr)

    assert list(organisation.years.values_list("year", "employees")) == [(2024, 99)]


@pytest.mark.parametrize("year", [1899, 2101, "twenty", None])
def test_year_out_of_range_in_body_is_a_field_error(as_partner, year):
    client, partner = as_partner("read", "companies:write")
    organisation = OrganisationFactory(recorded_by=partner)
    response = client.post(years_url(organisation), {**YEAR_FACTS, "year": year}, format="json")
    assert_field_error(response, "year")
    assert not FirmYear.objects.exists()


@pytest.mark.parametrize("year", [1899, 2101, 0, 99999999999999999999])
def test_year_out_of_range_in_path_is_not_found(as_partner, year):
    # The path names a resource that cannot exist, so reading or writing it is a 404, not a 500.
    client, partner = as_partner("read", "companies:write")
    organisation = OrganisationFactory(recorded_by=partner)
    response = client.put(year_url(organisation, year), YEAR_FACTS, format="json")
    assert response.status_code == 404
    assert "1900" in response.json()["errors"][0]["detail"]
    assert client.get(year_url(organisation, year)).status_code == 404
    assert not FirmYear.objects.exists()


@pytest.mark.parametrize("path", ["abc/", "-2024/", "20.5/", "2024x/"])
def test_malformed_year_in_path_is_a_json_404(as_partner, path):
    organisation = OrganisationFactory()
    client, _ = as_partner("read", "companies:write")
    response = client.get(years_url(organisation) + path)
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_unknown_api_path_is_a_json_404(as_partner):
    client, _ = as_partner("read")
    for url in ("/api/v1/no-such-thing/", f"{LIST_URL}abc/", f"{LIST_URL}999999999999999999999/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json()["type"] == "client_error", url


# Years: idempotent upserts


def test_post_year_creates_then_replaces(as_partner):
    client, partner = as_partner("read", "companies:write")
    organisation = OrganisationFactory(recorded_by=partner)
    first = client.post(years_url(organisation), {**YEAR_FACTS, "year": 2024}, format="json")
    assert first.status_code == 201, first.content
    again = client.post(years_url(organisation), {**YEAR_FACTS, "year": 2024, "employees": 15}, format="json")
    assert again.status_code == 200
    assert again.json()["employees"] == 15
    assert organisation.years.count() == 1
    assert organisation.years.get().employees == 15


def test_put_year_is_idempotent(as_partner):
    client, partner = as_partner("read", "companies:write")
    organisation = OrganisationFactory(recorded_by=partner)
    first = client.put(year_url(organisation, 2024), YEAR_FACTS, format="json")
    second = client.put(year_url(organisation, 2024), YEAR_FACTS, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    strip = lambda body: {k: v for k, v in body.items() if k != "updated_at"}  # noqa: E731
    assert strip(first.json()) == strip(second.json())
    assert first.json()["staff_women"] == YEAR_FACTS["staff_women"]
    row = organisation.years.get()
    assert (row.year, row.employees, row.as_of) == (2024, 14, datetime.date(2025, 1, 31))


def test_years_are_listed_newest_first(as_partner):
    organisation = OrganisationFactory()
    for year in (2022, 2024, 2023):
        FirmYearFactory(organisation=organisation, year=year)
    FirmYearFactory(year=2021)  # another firm's
    client, _ = as_partner("read")
    response = client.get(years_url(organisation))
    assert response.status_code == 200
    assert [row["year"] for row in response.json()["results"]] == [2024, 2023, 2022]
    assert client.get(year_url(organisation, 2023)).json()["year"] == 2023
    assert client.get(year_url(organisation, 2021)).status_code == 404


# Founders see and change only their own firm; staff see all


def test_founder_cannot_read_or_change_another_firms_facts(as_user, founder_user, firm):
    """ACCEPTANCE: another firm is a 404, whatever the method."""
    other = OrganisationFactory(name="Someone Else Ltd")
    FirmYearFactory(organisation=other, year=2024, employees=50)
    client = as_user(founder_user)

    assert client.get(detail_url(other)).status_code == 404
    assert client.get(years_url(other)).status_code == 404
    assert client.get(year_url(other, 2024)).status_code == 404
    assert client.put(year_url(other, 2024), YEAR_FACTS, format="json").status_code == 404
    assert client.put(year_url(other, 2023), YEAR_FACTS, format="json").status_code == 404
    assert client.post(years_url(other), {**YEAR_FACTS, "year": 2022}, format="json").status_code == 404
    assert client.patch(detail_url(other), {"name": "Mine now"}, format="json").status_code == 404

    other.refresh_from_db()
    assert other.name == "Someone Else Ltd"
    assert list(other.years.values_list("year", "employees")) == [(2024, 50)]
    listed = [row["id"] for row in client.get(LIST_URL).json()["results"]]
    assert listed == [firm.pk]


def test_founder_reads_and_changes_their_own_firm(as_user, founder_user, firm):
    client = as_user(founder_user)
    assert client.get(detail_url(firm)).status_code == 200
    response = client.put(year_url(firm, 2024), YEAR_FACTS, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["source"] == FirmYear.Source.SELF_REPORTED
    response = client.post(years_url(firm), {**YEAR_FACTS, "year": 2023}, format="json")
    assert response.status_code == 201
    assert [row["year"] for row in client.get(years_url(firm)).json()["results"]] == [2024, 2023]
    response = client.patch(detail_url(firm), {"website": "https://firm.example"}, format="json")
    assert response.status_code == 200
    firm.refresh_from_db()
    assert firm.website == "https://firm.example"
    assert firm.years.get(year=2024).recorded_by is None


def test_founder_registers_a_firm_and_becomes_its_member(as_user, founder_user):
    client = as_user(founder_user)
    response = client.post(LIST_URL, {"name": "Brand New Ltd", "company_number": "SC654321"}, format="json")
    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(pk=response.json()["id"])
    assert list(organisation.members.all()) == [founder_user]
    assert organisation.recorded_by is None
    assert client.get(detail_url(organisation)).status_code == 200


def test_user_without_a_creating_role_cannot_create(as_user, make_user):
    user = make_user(Role.PARTNER_ADMIN, mfa=False)
    client = as_user(user)
    assert client.post(LIST_URL, {"name": "Nope Ltd"}, format="json").status_code == 403
    assert not Organisation.objects.filter(name="Nope Ltd").exists()


def test_staff_see_and_change_every_firm(as_user, staff_user, firm):
    others = OrganisationFactory.create_batch(3)
    client = as_user(staff_user)
    listed = {row["id"] for row in client.get(LIST_URL).json()["results"]}
    assert listed == {firm.pk, *(o.pk for o in others)}
    response = client.put(year_url(others[0], 2024), YEAR_FACTS, format="json")
    assert response.status_code == 201
    assert response.json()["source"] == FirmYear.Source.STAFF
    assert client.get(year_url(others[0], 2024)).json()["leadership_women"] == 2


def test_staff_without_totp_are_refused_by_the_api(as_user, make_user):
    user = make_user(Role.STAFF, mfa=False)
    client = as_user(user)
    response = client.get(LIST_URL)
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "mfa_required"


# Diversity figures and consent


def test_one_firms_diversity_counts_are_never_shown_to_partners(as_partner, as_user, founder_user, firm):
    """Consent is to aggregate statistics of 10 people or more, never to one firm's figures: a
    partner reads the headcount and whether the firm consented, never the counts."""
    FirmYearFactory(organisation=firm, year=2024, consent=False, leadership_women=1, staff_women=4)
    FirmYearFactory(organisation=firm, year=2023, consent=True, leadership_women=2, staff_women=3)
    client, _ = as_partner("read")

    rows = {row["year"]: row for row in client.get(years_url(firm)).json()["results"]}
    assert rows[2024]["employees"] == 12
    for year in (2024, 2023):
        assert all(rows[year][field] is None for field in DIVERSITY_FIELDS), rows[year]
    assert (rows[2024]["consent"], rows[2023]["consent"]) == (False, True)
    assert client.get(year_url(firm, 2024)).json()["staff_women"] is None
    assert client.get(year_url(firm, 2023)).json()["leadership_women"] is None

    client.credentials()
    founder = as_user(founder_user)
    assert founder.get(year_url(firm, 2024)).json()["staff_women"] == 4
    assert founder.get(years_url(firm)).json()["results"][0]["leadership_women"] == 1


def test_partner_reads_of_their_own_submission_respect_consent(as_partner):
    client, partner = as_partner("read", "companies:write")
    organisation = OrganisationFactory(recorded_by=partner)
    response = client.put(year_url(organisation, 2024), YEAR_FACTS, format="json")
    assert response.status_code == 201
    assert client.get(year_url(organisation, 2024)).json()["leadership_women"] is None


# Lists: query count, pagination, filters, ordering


def test_list_query_count_does_not_grow_with_rows(as_partner, count_queries):
    client, _ = as_partner("read")
    OrganisationFactory.create_batch(10)
    client.get(LIST_URL)  # a first request fills per-process caches (the token's organisation)
    caches[CACHE_ALIAS].clear()  # both measured lists are built afresh, not served from the cache
    with count_queries() as small:
        assert client.get(LIST_URL).status_code == 200
    OrganisationFactory.create_batch(90)
    with count_queries() as large:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    assert response.json()["count"] == 101
    assert large.count == small.count


def test_list_query_count_for_a_founder_does_not_grow(as_user, founder_user, count_queries):
    client = as_user(founder_user)
    OrganisationFactory.create_batch(10, members=[founder_user])
    with count_queries() as small:
        assert client.get(LIST_URL).status_code == 200
    OrganisationFactory.create_batch(90, members=[founder_user])
    with count_queries() as large:
        assert client.get(LIST_URL).json()["count"] == 100
    assert large.count == small.count


def test_list_is_paginated(as_partner):
    client, _ = as_partner("read")
    OrganisationFactory.create_batch(59)
    first = client.get(LIST_URL).json()
    assert first["count"] == 60
    assert len(first["results"]) == 50
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 10
    assert second["next"] is None
    assert {r["id"] for r in first["results"]}.isdisjoint({r["id"] for r in second["results"]})
    assert client.get(LIST_URL, {"page": 3}).status_code == 404
    assert client.get(LIST_URL, {"page": "abc"}).status_code == 404


def test_list_filters(as_partner):
    client, partner = as_partner("read")
    coventry = OrganisationFactory(local_authority="coventry")
    OrganisationFactory(local_authority="dudley")
    funder = OrganisationFactory(kind=Organisation.Kind.FUNDER)

    def ids(**params):
        return {row["id"] for row in client.get(LIST_URL, params).json()["results"]}

    assert ids(kind="partner") == {partner.pk}
    assert ids(kind="funder") == {funder.pk}
    assert ids(local_authority="coventry") == {coventry.pk}
    assert ids(company_number=coventry.company_number) == {coventry.pk}
    assert ids(search=coventry.name) == {coventry.pk}
    funder.is_tech = False
    funder.save()
    assert ids(is_tech="false") == {funder.pk}
    assert funder.pk not in ids(is_tech="true")


def test_list_ordering(as_partner):
    client, partner = as_partner("read")
    partner.founded_on = datetime.date(2000, 1, 1)
    partner.save()
    newest = OrganisationFactory(founded_on=datetime.date(2024, 1, 1))
    middle = OrganisationFactory(founded_on=datetime.date(2015, 1, 1))
    ids = [row["id"] for row in client.get(LIST_URL, {"ordering": "-founded_on"}).json()["results"]]
    assert ids == [newest.pk, middle.pk, partner.pk]
    ids = [row["id"] for row in client.get(LIST_URL, {"ordering": "founded_on"}).json()["results"]]
    assert ids == [partner.pk, middle.pk, newest.pk]


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("kind", "bank"),
        ("local_authority", "london"),
        ("sector", "mining"),
        ("founded_after", "yesterday"),
        ("is_tech", "maybe"),
        ("is_tech", "null"),
        ("company_number", "\x00"),
        ("search", "acme\x00"),
    ],
)
def test_bad_filter_value_is_a_400(as_partner, param, value):
    client, _ = as_partner("read")
    assert_field_error(client.get(LIST_URL, {param: value}), param)


# OAuth2 client credentials, for real


def test_client_credentials_flow_issues_a_scoped_token(api_client):
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    services.partner_credential_create(
        organisation=partner, scopes=["read", "companies:write"], created_by=None, client_id="x", client_secret="y"
    )
    response = api_client.post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y", "scope": "read"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == "read"
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 3600

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert api_client.get(LIST_URL).status_code == 200
    # The token carries only what was asked for, not everything the client may ask for.
    assert api_client.post(LIST_URL, {"name": "Via token Ltd"}, format="json").status_code == 403


def test_client_credentials_default_scope_is_the_credentials_scopes(api_client):
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    services.partner_credential_create(
        organisation=partner, scopes=["read", "companies:write"], created_by=None, client_id="x", client_secret="y"
    )
    response = api_client.post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=_basic("x", "y"))
    assert response.status_code == 200, response.content
    assert set(response.json()["scope"].split()) == {"read", "companies:write"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    response = api_client.post(LIST_URL, {"name": "Via token Ltd"}, format="json")
    assert response.status_code == 201
    assert Organisation.objects.get(name="Via token Ltd").recorded_by == partner


@pytest.mark.parametrize("scope", ["read companies:write investments:write", "investments:write", "admin"])
def test_client_cannot_ask_for_a_scope_beyond_its_credential(api_client, scope):
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    services.partner_credential_create(
        organisation=partner, scopes=["read", "companies:write"], created_by=None, client_id="x", client_secret="y"
    )
    response = api_client.post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y", "scope": scope}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"
    assert not AccessToken.objects.exists()


def test_wrong_secret_gets_no_token(api_client):
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    services.partner_credential_create(
        organisation=partner, scopes=["read"], created_by=None, client_id="x", client_secret="y"
    )
    response = api_client.post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": "x", "client_secret": "wrong"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def _basic(client_id: str, secret: str) -> str:
    import base64

    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()
