"""HTML views of the portal core: health, the staff dashboard, partner credentials and the admin's login."""

import pytest
from oauth2_provider.models import AccessToken

from portal import services
from portal.models import Organisation, PartnerCredential
from portal.roles import Role
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
    response = client.post(CREDENTIALS, {"organisation": partner.pk, "scopes": ["read", "companies:write"]})
    assert response.status_code == 201
    credential = PartnerCredential.objects.get()
    assert (credential.organisation, credential.scope_list, credential.created_by) == (
        partner,
        ["companies:write", "read"],
        staff_user,
    )
    secret = response.context["new_secret"]
    assert secret and secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert credential.application.client_id in response.content.decode()
    # Only a hash is kept: the page never shows the secret again.
    assert credential.application.client_secret != secret
    assert secret not in client.get(CREDENTIALS).content.decode()

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
    ids = {"PARTNER": partner.pk, "FIRM": firm.pk}
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
    assert response.status_code == 302
    assert response["Location"] == CREDENTIALS
    credential.refresh_from_db()
    assert credential.revoked_at is not None
    assert not AccessToken.objects.exists()
    # Revoking again is harmless.
    assert client.post(revoke_url(credential.pk)).status_code == 302


def test_revoke_needs_post(client, staff_user, partner):
    credential, _ = services.partner_credential_create(organisation=partner, scopes=["read"], created_by=None)
    client.force_login(staff_user)
    assert client.get(revoke_url(credential.pk)).status_code == 405
    credential.refresh_from_db()
    assert credential.is_active


def test_revoking_a_missing_credential_is_404(client, staff_user):
    client.force_login(staff_user)
    assert client.post(revoke_url(999999)).status_code == 404


def test_founders_cannot_manage_credentials(client, founder_user, partner):
    credential, _ = services.partner_credential_create(organisation=partner, scopes=["read"], created_by=None)
    client.force_login(founder_user)
    assert client.get(CREDENTIALS).status_code == 403
    assert client.post(CREDENTIALS, {"organisation": partner.pk, "scopes": ["read"]}).status_code == 403
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
