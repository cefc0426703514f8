"""HTML views of the portal core: health, the staff dashboard, partner credentials, the admin's login and
the header navigation."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oauth2_provider.models import AccessToken

from portal import services
from portal.models import Organisation, PartnerCredential
from portal.roles import Role
from portal.selectors import organisation_reference
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"
CREDENTIALS = "/dashboard/api-credentials/"


def revoke_url(pk: int) -> str:
    return f"{CREDENTIALS}{pk}/revoke/"


# Health


def test_healthz_reports_database_and_broker(client, redis_url):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_says_which_service_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down"}


# Dashboard


def test_dashboard_sends_anonymous_users_to_login(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/")


def test_dashboard_refuses_founders(client, founder_user):
    client.force_login(founder_user)
    assert client.get(DASHBOARD).status_code == 403


def test_dashboard_sends_staff_without_totp_to_mfa_setup(client, make_user):
    client.force_login(make_user(Role.STAFF, mfa=False))
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # Every other page sends them there too, until TOTP is set up.
    assert client.get(CREDENTIALS)["Location"] == "/accounts/2fa/totp/activate/"


def test_dashboard_shows_staff_with_totp_the_counts(client, staff_user):
    OrganisationFactory.create_batch(3)
    client.force_login(staff_user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert response.context["stats"]["organisations"] == 3
    assert response.context["stats"]["firms"] == 3


# Partner credentials


@pytest.fixture
def partner():
    return OrganisationFactory(kind=Organisation.Kind.PARTNER, name="University of the Midlands")


def test_staff_create_a_credential_and_see_the_secret_once(client, staff_user, partner):
    client.force_login(staff_user)
    created = client.post(
        CREDENTIALS, {"organisation": organisation_reference(partner), "scopes": ["read", "companies:write"]}
    )
    # Post/redirect/get: the reply to the POST carries no secret, so reloading issues nothing.
    assert created.status_code == 303
    assert created["Location"] == CREDENTIALS
    credential = PartnerCredential.objects.get()
    assert (credential.organisation, credential.scope_list, credential.created_by) == (
        partner,
        ["companies:write", "read"],
        staff_user,
    )
    assert not credential.is_staff_owned
    response = client.get(CREDENTIALS)
    secret = response.context["new_secret"]
    assert secret and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert credential.application.client_id in response.content.decode()
    # Only a hash is kept, and the session forgets the secret once shown: a reload shows the list.
    assert credential.application.client_secret != secret
    reloaded = client.get(CREDENTIALS)
    assert secret not in reloaded.content.decode()
    assert "will not be shown again" not in reloaded.content.decode()
    assert PartnerCredential.objects.count() == 1

    token = client.post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": credential.application.client_id,
            "client_secret": secret,
        },
    )
    assert token.status_code == 200
    assert set(token.json()["scope"].split()) == {"read", "companies:write"}


def test_staff_mark_a_credential_as_run_by_the_office(client, staff_user, partner):
    client.force_login(staff_user)
    created = client.post(CREDENTIALS, {"organisation": partner.name, "scopes": ["webhooks"], "is_staff_owned": "on"})
    assert created.status_code == 303
    assert PartnerCredential.objects.get().is_staff_owned
    assert "Run by the Commissioner&#x27;s office" in client.get(CREDENTIALS).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"scopes": ["read"]},  # no organisation
        {"organisation": "PARTNER", "scopes": []},
        {"organisation": "PARTNER", "scopes": ["admin"]},
        {"organisation": "FIRM", "scopes": ["read"]},  # credentials are for partners, not firms
    ],
)
def test_invalid_credential_form_creates_nothing(client, staff_user, partner, data):
    firm = OrganisationFactory(kind=Organisation.Kind.FIRM)
    ids = {"PARTNER": organisation_reference(partner), "FIRM": organisation_reference(firm)}
    if "organisation" in data:
        data = {**data, "organisation": ids[data["organisation"]]}
    client.force_login(staff_user)
    response = client.post(CREDENTIALS, data)
    assert response.status_code == 400
    assert not PartnerCredential.objects.exists()


def test_staff_revoke_a_credential_and_its_tokens(client, staff_user, partner_token, partner):
    token, _ = partner_token("read", organisation=partner)
    credential = PartnerCredential.objects.get()
    client.force_login(staff_user)
    response = client.post(revoke_url(credential.pk))
    assert response.status_code == 303
    assert response["Location"] == CREDENTIALS
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    assert not AccessToken.objects.exists()
    # Revoking again is harmless.
    assert client.post(revoke_url(credential.pk)).status_code == 303


def test_the_credential_list_is_cached_until_a_credential_or_an_organisation_changes(client, staff_user, partner):
    credential, _ = services.partner_credential_create(organisation=partner, scopes=["read"], created_by=None)
    client.force_login(staff_user)
    client.get(CREDENTIALS)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(CREDENTIALS).content.decode()
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "portal_partnercredential" not in tables and "portal_organisation" not in tables
    assert credential.application.client_id in page and "Active" in page
    assert 'name="organisation" type="text" value=""' in page  # the form lists no organisations

    services.partner_credential_revoke(credential=credential)
    assert "Revoked" in client.get(CREDENTIALS).content.decode()
    other = services.organisation_create(data={"name": "Midlands Angels", "kind": Organisation.Kind.FUNDER})
    # A refused form is shown as posted, not from the cache.
    refused = client.post(CREDENTIALS, {"organisation": "Midlands Angels", "scopes": []}).content.decode()
    assert 'name="organisation" type="text" value="Midlands Angels"' in refused
    services.partner_credential_create(organisation=other, scopes=["read"], created_by=None)
    assert "Midlands Angels" in client.get(CREDENTIALS).content.decode()


def test_revoke_asks_for_confirmation_first(client, staff_user, partner):
    credential, _ = services.partner_credential_create(organisation=partner, scopes=["read"], created_by=None)
    client.force_login(staff_user)
    page = client.get(revoke_url(credential.pk))
    assert page.status_code == 200
    assert f"Revoke the credential of {partner.name}?" in page.content.decode()
    credential.refresh_from_db()
    assert credential.is_active
    # The list's revoke control leads to the confirmation page, not straight to the POST.
    listing = client.get(CREDENTIALS).content.decode()
    assert f'href="{revoke_url(credential.pk)}"' in listing


def test_confirming_a_revoked_credential_goes_back_to_the_list(client, staff_user, partner):
    credential, _ = services.partner_credential_create(organisation=partner, scopes=["read"], created_by=None)
    services.partner_credential_revoke(credential=credential)
    client.force_login(staff_user)
    response = client.get(revoke_url(credential.pk))
    assert (response.status_code, response["Location"]) == (302, CREDENTIALS)


def test_revoking_a_missing_credential_is_404(client, staff_user):
    client.force_login(staff_user)
    assert client.post(revoke_url(999999)).status_code == 404


def test_founders_cannot_manage_credentials(client, founder_user, partner):
    credential, _ = services.partner_credential_create(organisation=partner, scopes=["read"], created_by=None)
    client.force_login(founder_user)
    assert client.get(CREDENTIALS).status_code == 403
    assert client.post(CREDENTIALS, {"organisation": partner.name, "scopes": ["read"]}).status_code == 403
    assert client.post(revoke_url(credential.pk)).status_code == 403
    assert PartnerCredential.objects.count() == 1
    credential.refresh_from_db()
    assert credential.is_active


def test_anonymous_users_are_sent_to_login_from_credentials(client, partner):
    credential, _ = services.partner_credential_create(organisation=partner, scopes=["read"], created_by=None)
    response = client.post(revoke_url(credential.pk))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    credential.refresh_from_db()
    assert credential.is_active


def test_credential_list_query_count_does_not_grow(client, staff_user, count_queries):
    client.force_login(staff_user)

    def issue(n: int) -> None:
        for _ in range(n):
            organisation = OrganisationFactory(kind=Organisation.Kind.PARTNER)
            services.partner_credential_create(organisation=organisation, scopes=["read"], created_by=None)

    issue(2)
    with count_queries() as small:
        assert client.get(CREDENTIALS).status_code == 200
    issue(20)
    with count_queries() as large:
        response = client.get(CREDENTIALS)
    assert response.status_code == 200
    assert len(response.context["credentials"]) == 22
    assert large.count == small.count


# Admin


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_admin_refuses_signed_in_non_staff(client, founder_user):
    client.force_login(founder_user)
    assert client.get("/admin/login/").status_code == 403


# Header navigation: the items each role sees, and which one is marked as the current section

ANONYMOUS_NAV = ["Home", "Missions", "Workspaces", "Funding", "Ambassadors", "API"]


def nav_for(user, path: str = "/") -> list[dict]:
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from portal.context_processors import navigation

    request = RequestFactory().get(path)
    request.user = user or AnonymousUser()
    return navigation(request)["nav_items"]


def labels(items: list[dict]) -> list[str]:
    return [item["label"] for item in items]


def active(items: list[dict]) -> list[str]:
    return [item["label"] for item in items if item["active"]]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, ANONYMOUS_NAV),
        (
            Role.FOUNDER,
            ["Home", "Missions", "Workspaces", "Funding", "Ambassadors", "Your applications", "Account", "API"],
        ),
        (Role.REVIEWER, ["Home", "Missions", "Workspaces", "Funding", "Ambassadors", "Review queue", "Account", "API"]),
        (
            Role.AMBASSADOR,
            ["Home", "Missions", "Workspaces", "Funding", "Ambassadors", "Ambassador portal", "Account", "API"],
        ),
        (
            Role.STAFF,
            [
                "Home",
                "Missions",
                "Workspaces",
                "Funding",
                "Ambassadors",
                "Dashboard",
                "Ambassador network",
                "Leads",
                "Review queue",
                "API credentials",
                "Account",
                "API",
            ],
        ),
    ],
)
def test_the_navigation_shows_each_role_its_own_items(make_user, role, expected):
    user = make_user(role, mfa=role != Role.FOUNDER) if role else None
    items = nav_for(user)
    assert labels(items) == expected
    urls = {item["label"]: item["url"] for item in items}
    assert {label: urls[label] for label in expected if label not in ANONYMOUS_NAV} == {
        label: url
        for label, url in {
            "Your applications": "/workspaces/applications/",
            "Dashboard": DASHBOARD,
            "Review queue": "/dashboard/applications/",
            "Ambassador portal": "/ambassadors/",
            "Ambassador network": "/dashboard/ambassadors/",
            "Leads": "/dashboard/leads/",
            "API credentials": CREDENTIALS,
            "Account": "/accounts/email/",
        }.items()
        if label in expected
    }


def test_a_founder_who_is_also_staff_sees_both_sets_of_items(make_user):
    user = make_user(Role.STAFF)
    user.groups.add(*make_user(Role.FOUNDER, mfa=False).groups.all())
    assert labels(nav_for(user)) == [
        "Home",
        "Missions",
        "Workspaces",
        "Funding",
        "Ambassadors",
        "Your applications",
        "Dashboard",
        "Ambassador network",
        "Leads",
        "Review queue",
        "API credentials",
        "Account",
        "API",
    ]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", ["Home"]),
        ("/missions/", ["Missions"]),
        ("/missions/economy/", ["Missions"]),
        ("/indicators/M1-04-5Y/", ["Missions"]),  # indicator pages belong to the Missions section
        ("/workspaces/", ["Workspaces"]),
        ("/workspaces/alpha-hub/", ["Workspaces"]),
        ("/dashboard/", ["Dashboard"]),
        ("/dashboard/workspaces/", ["Dashboard"]),
        ("/dashboard/api-credentials/", ["API credentials"]),  # the longest prefix wins, not Dashboard
        ("/dashboard/api-credentials/3/revoke/", ["API credentials"]),
        ("/dashboard/applications/", ["Review queue"]),
        ("/dashboard/applications/12/", ["Review queue"]),
        ("/accounts/email/", ["Account"]),
        ("/api/v1/docs/", ["API"]),
        ("/privacy/", []),  # Home matches "/" exactly, never as a prefix
        ("/accounts/2fa/", []),
    ],
)
def test_the_longest_matching_item_is_the_one_marked_current_for_staff(staff_user, path, expected):
    assert active(nav_for(staff_user, path)) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/workspaces/applications/", ["Your applications"]),  # not Workspaces as well
        ("/workspaces/applications/7/steps/firm/", ["Your applications"]),
        ("/workspaces/criteria/", ["Workspaces"]),
    ],
)
def test_a_founders_applications_are_their_own_section(founder_user, path, expected):
    assert active(nav_for(founder_user, path)) == expected


def test_without_the_item_a_deeper_page_falls_back_to_its_section(make_user):
    # An anonymous reader on a founder's page: there is no "Your applications" item to win.
    assert active(nav_for(None, "/workspaces/applications/")) == ["Workspaces"]
    # A reviewer has no Dashboard item, so a dashboard page outside the queue marks nothing.
    assert active(nav_for(make_user(Role.REVIEWER), "/dashboard/")) == []
    assert active(nav_for(make_user(Role.REVIEWER), "/dashboard/applications/4/")) == ["Review queue"]


def test_the_page_marks_only_the_current_item(client, staff_user):
    client.force_login(staff_user)
    content = client.get(CREDENTIALS).content.decode()
    marked = re.findall(r'<a [^>]*href="([^"]+)"[^>]*aria-current="true"', content)
    assert marked == [CREDENTIALS]
    assert "govuk-service-navigation__item--active" in content
    assert content.count("govuk-service-navigation__item--active") == 1
