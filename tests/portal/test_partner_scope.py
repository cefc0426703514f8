"""What a partner's API client may change: the firms its organisation created or maintains, and
nothing else in the registry it reads. Founders change their own firm, staff anything; every
write names its writer in the change history."""

import pytest
from django.test import RequestFactory

from portal.models import FirmYear, Organisation
from portal.permissions import Actor, can_change_organisation, can_create_organisation, request_actor
from tests.portal.factories import FirmYearFactory, OrganisationFactory
from tests.portal.test_api import LIST_URL, YEAR_FACTS, detail_url, year_url, years_url

pytestmark = pytest.mark.django_db

ALL_SCOPES = ("read", "observations:write", "companies:write", "investments:write")
K = Organisation.Kind

HIJACK = {"name": "Hijacked by a partner", "website": "https://evil.example", "dissolved_on": "2025-01-01"}

# Each write operation the API offers on an organisation: name -> call(client, organisation).
WRITES = {
    "PATCH organisation": lambda c, o: c.patch(detail_url(o), HIJACK, format="json"),
    "PUT organisation": lambda c, o: c.put(detail_url(o), {**HIJACK, "kind": o.kind}, format="json"),
    "POST years": lambda c, o: c.post(years_url(o), {**YEAR_FACTS, "year": 2024}, format="json"),
    "PUT year": lambda c, o: c.put(year_url(o, 2024), YEAR_FACTS, format="json"),
    "PUT new year": lambda c, o: c.put(year_url(o, 2023), YEAR_FACTS, format="json"),
}


def snapshot(organisation: Organisation) -> tuple:
    """Everything a refused write could have touched: the row, its years and both histories."""
    row = Organisation.objects.filter(pk=organisation.pk).values().get()
    years = list(FirmYear.objects.filter(organisation=organisation).order_by("year").values())
    histories = (
        organisation.history.count(),
        FirmYear.history.filter(organisation_id=organisation.pk).count(),
    )
    return row, years, histories


@pytest.fixture
def partner_client(as_partner):
    """A client carrying a token of every scope, and its partner organisation."""
    return as_partner(*ALL_SCOPES, organisation=OrganisationFactory(kind=K.PARTNER, name="Birmingham Tech (test)"))


@pytest.fixture
def targets(partner_client, founder_user):
    """Organisations the partner can read but must not change, each with facts for 2024."""
    _, partner = partner_client
    other_partner = OrganisationFactory(kind=K.PARTNER, name="Midlands University (test)", is_tech=False)
    rows = {
        "another partner's firm": OrganisationFactory(name="Their Firm Ltd", recorded_by=other_partner),
        "a founder's firm": OrganisationFactory(name="Founder's Own Ltd", members=[founder_user]),
        "a firm nobody handed over": OrganisationFactory(name="Unclaimed Ltd"),
        "a public body": OrganisationFactory(name="Combined Authority (test)", kind=K.PUBLIC_BODY, is_tech=False),
        "a funder": OrganisationFactory(name="Growth Fund (test)", kind=K.FUNDER, is_tech=False),
        "a workspace provider": OrganisationFactory(name="Hub (test)", kind=K.WORKSPACE_PROVIDER, is_tech=False),
        "another partner": other_partner,
        "its own partner organisation": partner,
        # Partners never change non-firms, even ones that name them as maintainer.
        "a funder it maintains": OrganisationFactory(kind=K.FUNDER, is_tech=False, recorded_by=partner),
    }
    for organisation in rows.values():
        FirmYearFactory(organisation=organisation, year=2024, employees=50, consent=False, staff_women=3)
    return rows


TARGET_NAMES = [
    "another partner's firm",
    "a founder's firm",
    "a firm nobody handed over",
    "a public body",
    "a funder",
    "a workspace provider",
    "another partner",
    "its own partner organisation",
    "a funder it maintains",
]


@pytest.mark.parametrize("target", TARGET_NAMES)
@pytest.mark.parametrize("write", list(WRITES))
def test_partner_cannot_change_what_is_not_its_firm(partner_client, targets, target, write):
    """ACCEPTANCE: a readable organisation the partner does not maintain is a 403 with a reason,
    whatever the write, and nothing about it changes."""
    client, _ = partner_client
    organisation = targets[target]
    assert client.get(detail_url(organisation)).status_code == 200  # it may read it
    before = snapshot(organisation)

    response = WRITES[write](client, organisation)

    assert response.status_code == 403, response.content
    error = response.json()["errors"][0]
    assert error["code"] == "permission_denied"
    assert "Partners change" in error["detail"]
    assert snapshot(organisation) == before


@pytest.mark.parametrize("write", list(WRITES))
def test_partner_writes_to_a_missing_organisation_are_404(partner_client, write):
    client, _ = partner_client
    missing = Organisation(pk=2**31 - 1, kind=K.FIRM)
    assert WRITES[write](client, missing).status_code == 404


def test_refusals_say_why(partner_client, targets):
    client, partner = partner_client
    detail = client.patch(detail_url(targets["a public body"]), {"name": "x"}, format="json").json()["errors"][0]
    assert "public body" in detail["detail"]
    detail = client.patch(detail_url(targets["another partner's firm"]), {"name": "x"}, format="json").json()
    assert partner.name in detail["errors"][0]["detail"]


@pytest.mark.parametrize("kind", [K.PARTNER, K.FUNDER, K.PUBLIC_BODY, K.WORKSPACE_PROVIDER])
def test_partner_creates_firms_only(partner_client, kind):
    client, _ = partner_client
    before = Organisation.objects.count()
    response = client.post(LIST_URL, {"name": "A new body", "kind": kind}, format="json")
    assert response.status_code == 403, response.content
    assert "firms only" in response.json()["errors"][0]["detail"]
    assert Organisation.objects.count() == before


def test_partner_cannot_turn_its_firm_into_something_else(partner_client):
    client, partner = partner_client
    firm = OrganisationFactory(recorded_by=partner)
    before = snapshot(firm)
    for write in (
        lambda: client.patch(detail_url(firm), {"kind": K.PUBLIC_BODY}, format="json"),
        lambda: client.put(detail_url(firm), {"name": firm.name, "kind": K.PARTNER}, format="json"),
    ):
        response = write()
        assert response.status_code == 403, response.content
    assert snapshot(firm) == before


def test_partner_changes_a_firm_it_created_and_the_history_names_its_client(partner_client):
    client, partner = partner_client
    response = client.post(LIST_URL, {"name": "Made By Partner Ltd", "company_number": "SC765432"}, format="json")
    assert response.status_code == 201, response.content
    firm = Organisation.objects.get(pk=response.json()["id"])
    assert firm.recorded_by == partner

    assert client.patch(detail_url(firm), {"website": "https://made.example"}, format="json").status_code == 200
    response = client.put(detail_url(firm), {"name": "Made By Partner Group Ltd", "kind": K.FIRM}, format="json")
    assert response.status_code == 200, response.content
    assert client.post(years_url(firm), {**YEAR_FACTS, "year": 2023}, format="json").status_code == 201
    assert client.put(year_url(firm, 2024), YEAR_FACTS, format="json").status_code == 201
    assert client.put(year_url(firm, 2024), {**YEAR_FACTS, "employees": 15}, format="json").status_code == 200

    firm.refresh_from_db()
    assert (firm.name, firm.recorded_by) == ("Made By Partner Group Ltd", partner)
    assert firm.years.get(year=2024).employees == 15
    client_id = partner.credentials.get().application.client_id
    reason = f"API client {client_id} ({partner.name})"
    organisation_history = list(firm.history.values_list("history_type", "history_user", "history_change_reason"))
    assert organisation_history == [("~", None, reason), ("~", None, reason), ("+", None, reason)]
    year_history = FirmYear.history.filter(organisation_id=firm.pk)
    assert year_history.count() == 3
    assert set(year_history.values_list("history_user", "history_change_reason", "recorded_by")) == {
        (None, reason, partner.pk)
    }


def test_partner_changes_a_firm_staff_handed_to_it_in_the_admin(partner_client, client, make_user, founder_user):
    """Staff hand a founder's firm to a partner by setting "maintained by"; from then on the
    partner's client may change it too, and the founder still can."""
    api, partner = partner_client
    firm = OrganisationFactory(name="Handed Over Ltd", members=[founder_user])
    assert api.patch(detail_url(firm), {"website": "https://handed.example"}, format="json").status_code == 403

    operator = make_user("staff")
    operator.is_staff = operator.is_superuser = True
    operator.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(operator)
    change_url = f"/admin/portal/organisation/{firm.pk}/change/"
    assert "Maintained by" in client.get(change_url).content.decode()
    response = client.post(
        change_url,
        {
            "name": firm.name,
            "kind": firm.kind,
            "company_number": firm.company_number,
            "sector": firm.sector,
            "local_authority": firm.local_authority,
            "founded_on": firm.founded_on.isoformat(),
            "origin": firm.origin,
            "is_tech": "on",
            "members": [founder_user.pk],
            "recorded_by": partner.pk,
            "years-TOTAL_FORMS": "0",
            "years-INITIAL_FORMS": "0",
            "years-MIN_NUM_FORMS": "0",
            "years-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    firm.refresh_from_db()
    assert firm.recorded_by == partner
    assert firm.history.latest().history_user == operator

    assert api.patch(detail_url(firm), {"website": "https://handed.example"}, format="json").status_code == 200
    assert api.put(year_url(firm, 2024), YEAR_FACTS, format="json").status_code == 201
    firm.refresh_from_db()
    assert firm.website == "https://handed.example"


def test_a_founders_session_writes_are_recorded_with_the_founder(as_user, founder_user):
    firm = OrganisationFactory(members=[founder_user])
    client = as_user(founder_user)
    assert client.patch(detail_url(firm), {"website": "https://own.example"}, format="json").status_code == 200
    assert client.put(year_url(firm, 2024), YEAR_FACTS, format="json").status_code == 201
    latest = firm.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (founder_user, None)
    assert FirmYear.history.get(organisation_id=firm.pk).history_user == founder_user


def test_a_founder_cannot_change_another_firm_nor_the_kind_of_their_own(as_user, founder_user):
    own = OrganisationFactory(members=[founder_user])
    other = OrganisationFactory(recorded_by=OrganisationFactory(kind=K.PARTNER))
    client = as_user(founder_user)
    before_own, before_other = snapshot(own), snapshot(other)
    for write in WRITES.values():
        assert write(client, other).status_code == 404  # another firm is invisible to a founder
    response = client.patch(detail_url(own), {"kind": K.FUNDER}, format="json")
    assert response.status_code == 403
    response = client.post(LIST_URL, {"name": "My Fund", "kind": K.FUNDER}, format="json")
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="My Fund").exists()
    assert (snapshot(own), snapshot(other)) == (before_own, before_other)


def test_staff_change_any_organisation_and_its_kind(as_user, staff_user, partner_client, targets):
    client = as_user(staff_user)
    client.credentials()  # the session's, not the partner's token
    public_body = targets["a public body"]
    response = client.patch(detail_url(public_body), {"website": "https://wmca.example"}, format="json")
    assert response.status_code == 200
    firm = targets["another partner's firm"]
    assert client.patch(detail_url(firm), {"kind": K.WORKSPACE_PROVIDER}, format="json").status_code == 200
    assert client.put(year_url(targets["a funder"], 2024), YEAR_FACTS, format="json").status_code == 200
    assert public_body.history.latest().history_user == staff_user


def test_a_token_whose_credential_was_revoked_changes_nothing(partner_client):
    client, partner = partner_client
    firm = OrganisationFactory(recorded_by=partner)
    credential = partner.credentials.get()
    credential.revoked_at = credential.created_at  # as if revoked, with its token still in hand
    credential.save(update_fields=["revoked_at"])
    assert client.patch(detail_url(firm), {"name": "x"}, format="json").status_code == 403
    assert client.post(LIST_URL, {"name": "Ghost Ltd"}, format="json").status_code == 403
    assert not Organisation.objects.filter(name="Ghost Ltd").exists()


def test_the_rules_read_a_pages_request_as_its_user(founder_user, staff_user):
    """Pages build the same actor from the session as the API does, so the apps share the rules."""
    own = OrganisationFactory(members=[founder_user])
    other = OrganisationFactory()
    request = RequestFactory().get("/")
    request.user = founder_user
    actor = request_actor(request)
    assert actor == Actor(user=founder_user)
    assert request_actor(request) is actor  # built once per request
    assert can_change_organisation(actor, own) and not can_change_organisation(actor, other)
    assert can_create_organisation(actor, K.FIRM) and not can_create_organisation(actor, K.PARTNER)
    assert can_change_organisation(staff_user, other)


def test_the_demo_partner_changes_its_demo_firms_and_nothing_else(api_client):
    """The issue's own examples, on the demo data: the demo partner's client cannot rename the
    Combined Authority nor overwrite the demo founder's facts, and can change a firm it maintains."""
    from portal import demo

    demo.seed(scale=1)
    response = api_client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": demo.DEMO_PARTNER_CLIENT_ID,
            "client_secret": demo.DEMO_PARTNER_SECRET,
        },
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    wmca = Organisation.objects.get(name="West Midlands Combined Authority (demo)")
    founders = Organisation.objects.get(company_number="SY000001")
    maintained = Organisation.objects.get(company_number="SY000010")
    before = snapshot(wmca), snapshot(founders)

    assert WRITES["PATCH organisation"](api_client, wmca).status_code == 403
    assert api_client.patch(detail_url(wmca), {"dissolved_on": "2025-01-01"}, format="json").status_code == 403
    assert WRITES["PUT year"](api_client, founders).status_code == 403
    assert (snapshot(wmca), snapshot(founders)) == before

    assert maintained.recorded_by.name == "Birmingham Tech (demo)"
    assert api_client.put(year_url(maintained, 2025), YEAR_FACTS, format="json").status_code in (200, 201)
    maintained_count = Organisation.objects.filter(recorded_by=maintained.recorded_by).count()
    assert maintained_count == demo.FIRMS_PER_SCALE // demo.MAINTAINED_EVERY
