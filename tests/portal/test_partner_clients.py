"""Partner clients: secret rotation with a grace period, and the log of every write a client sends,
for staff on the credential's page and for the partner through the API."""

import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from portal import services
from portal.exceptions import CredentialAlreadyRevokedError
from portal.models import ApiWrite, Organisation, PartnerCredential
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

CREDENTIALS = "/dashboard/api-credentials/"
WRITES = "/api/v1/api-writes/"


def token_answer(client, credential, secret):
    return client.post(
        "/o/token/",
        {"grant_type": "client_credentials", "client_id": credential.application.client_id, "client_secret": secret},
    )


@pytest.fixture
def credential_and_secret():
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Rotating Partner")
    return services.partner_credential_create(organisation=partner, scopes=["read"], created_by=None)


# Rotation


def test_a_rotated_secret_works_during_its_grace_period_and_then_stops(client, credential_and_secret):
    credential, old = credential_and_secret
    credential, new = services.partner_credential_rotate(credential=credential, grace=datetime.timedelta(hours=1))

    assert new != old
    assert token_answer(client, credential, new).status_code == 200
    assert token_answer(client, credential, old).status_code == 200

    PartnerCredential.objects.filter(pk=credential.pk).update(
        previous_secret_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert token_answer(client, credential, old).status_code == 401
    assert token_answer(client, credential, new).status_code == 200


def test_a_rotation_without_grace_stops_the_old_secret_at_once(client, credential_and_secret):
    credential, old = credential_and_secret
    credential, new = services.partner_credential_rotate(credential=credential, grace=datetime.timedelta(0))

    assert token_answer(client, credential, old).status_code == 401
    assert token_answer(client, credential, new).status_code == 200


def test_a_second_rotation_ends_the_first_ones_grace(client, credential_and_secret):
    credential, first = credential_and_secret
    credential, second = services.partner_credential_rotate(credential=credential, grace=datetime.timedelta(days=1))
    credential, third = services.partner_credential_rotate(credential=credential, grace=datetime.timedelta(days=1))

    assert token_answer(client, credential, first).status_code == 401
    assert token_answer(client, credential, second).status_code == 200
    assert token_answer(client, credential, third).status_code == 200


def test_a_revoked_credential_cannot_be_rotated_and_its_old_secret_stops(client, credential_and_secret):
    credential, old = credential_and_secret
    credential, new = services.partner_credential_rotate(credential=credential, grace=datetime.timedelta(days=1))
    services.partner_credential_revoke(credential=credential)

    with pytest.raises(CredentialAlreadyRevokedError):
        services.partner_credential_rotate(credential=credential, grace=datetime.timedelta(0))
    assert token_answer(client, credential, old).status_code == 401
    assert token_answer(client, credential, new).status_code == 401


def test_staff_rotate_on_a_confirmation_page_and_see_the_new_secret_once(client, staff_user, credential_and_secret):
    credential, old = credential_and_secret
    client.force_login(staff_user)
    rotate = f"{CREDENTIALS}{credential.pk}/rotate/"

    empty = client.post(rotate, {})
    assert empty.status_code == 400
    assert "Choose how long the old secret keeps working" in empty.content.decode()

    response = client.post(rotate, {"grace_seconds": "86400"})
    assert response.status_code == 303
    assert response["Location"] == f"{CREDENTIALS}{credential.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "will not be shown again" in page
    assert "The old secret keeps working until" in page
    reloaded = client.get(response["Location"]).content.decode()
    assert "will not be shown again" not in reloaded
    assert token_answer(client, credential, old).status_code == 200


def test_only_staff_reach_a_credentials_page_and_its_rotation(client, founder_user, credential_and_secret):
    credential, _ = credential_and_secret
    detail, rotate = f"{CREDENTIALS}{credential.pk}/", f"{CREDENTIALS}{credential.pk}/rotate/"
    assert client.get(detail).status_code == 302  # to sign in
    client.force_login(founder_user)
    assert client.get(detail).status_code == 403
    assert client.post(rotate, {"grace_seconds": "0"}).status_code == 403
    credential.refresh_from_db()
    assert credential.rotated_at is None


def test_an_unknown_or_revoked_credential_is_404_for_rotation(client, staff_user, credential_and_secret):
    credential, _ = credential_and_secret
    client.force_login(staff_user)
    assert client.get(f"{CREDENTIALS}999999/").status_code == 404
    services.partner_credential_revoke(credential=credential)
    assert client.get(f"{CREDENTIALS}{credential.pk}/rotate/").status_code == 404


# The write log


def test_every_write_of_a_partner_client_is_logged_with_its_answer(as_partner):
    client, partner = as_partner("read", "companies:write")
    created = client.post("/api/v1/organisations/", {"name": "Logged Ltd"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    client.post("/api/v1/organisations/", {"name": "Logged Ltd"}, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    refused = client.post("/api/v1/organisations/", {"name": "Bad", "website": "nope"}, format="json")
    client.get("/api/v1/organisations/")  # reads are not writes

    writes = list(ApiWrite.objects.order_by("pk").values_list("method", "status_code", "error_code", "replayed"))
    assert created.status_code == 201 and refused.status_code == 400
    assert writes == [("POST", 201, "", False), ("POST", 201, "", True), ("POST", 400, "invalid", False)]
    assert set(ApiWrite.objects.values_list("credential__organisation", flat=True)) == {partner.pk}


def test_a_partner_reads_its_own_clients_writes_and_no_one_elses(as_partner, partner_token):
    client, partner = as_partner("read", "companies:write")
    other_token, _ = partner_token("read", "companies:write")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {other_token}")
    client.post("/api/v1/organisations/", {"name": "Mine Ltd"}, format="json")
    other.post("/api/v1/organisations/", {"name": "Theirs Ltd"}, format="json")
    theirs = ApiWrite.objects.exclude(credential__organisation=partner).get()

    mine = client.get(WRITES).json()

    assert [row["organisation"] for row in mine["results"]] == [partner.name]
    assert mine["results"][0]["path"] == "/api/v1/organisations/"
    assert client.get(f"{WRITES}{theirs.pk}/").status_code == 404
    assert client.get(WRITES, {"status_code": 201}).json()["count"] == 1
    assert client.get(WRITES, {"status_code": 400}).json()["count"] == 0


def offset(hours: int, minutes: int) -> datetime.timezone:
    sign = 1 if hours >= 0 else -1
    return datetime.timezone(sign * datetime.timedelta(hours=abs(hours), minutes=minutes))


HOUR = datetime.timedelta(hours=1)


@pytest.mark.parametrize(
    ("after", "before", "count"),
    [
        # +21:58 is valid ISO 8601 but beyond what PostgreSQL reads (±15:59): it is turned to UTC first.
        (lambda write: (write - HOUR).astimezone(offset(21, 58)), None, 1),
        (None, lambda write: (write + HOUR).astimezone(offset(-23, 59)), 1),
        (lambda write: (write + HOUR).astimezone(offset(-21, 58)), None, 0),
        (lambda write: "0254-11-05T13:08:26.070726+21:58", None, 1),  # found by the stateful schema run (a 500)
    ],
    ids=["after-plus-21:58", "before-minus-23:59", "after-minus-21:58", "year-254"],
)
def test_writes_are_filtered_by_a_time_with_any_offset(as_partner, after, before, count):
    client, _ = as_partner("read", "companies:write")
    client.post("/api/v1/organisations/", {"name": "Offset Ltd"}, format="json")
    write = ApiWrite.objects.get().created_at
    query = {
        name: str(moment(write)).replace(" ", "T")
        for name, moment in [("created_after", after), ("created_before", before)]
        if moment
    }
    response = client.get(WRITES, query)
    assert response.status_code == 200, response.json()
    assert response.json()["count"] == count


def test_a_time_beyond_the_first_or_last_utc_moment_matches_as_that_moment(as_partner):
    client, _ = as_partner("read", "companies:write")
    client.post("/api/v1/organisations/", {"name": "Edge Ltd"}, format="json")
    for query, count in [
        ({"created_before": "0001-01-01T00:00:00+05:00"}, 0),
        ({"created_after": "0001-01-01T00:00:00+05:00"}, 1),
        ({"created_before": "9999-12-31T23:00:00-05:00"}, 1),
        ({"created_after": "9999-12-31T23:00:00-05:00"}, 0),
    ]:
        response = client.get(WRITES, query)
        assert response.status_code == 200, (query, response.json())
        assert response.json()["count"] == count, query


def test_staff_read_every_clients_writes_and_others_are_refused(as_partner, as_user, staff_user, founder_user):
    client, _ = as_partner("read", "companies:write")
    client.post("/api/v1/organisations/", {"name": "Staff See Ltd"}, format="json")
    client.credentials()

    assert as_user(staff_user).get(WRITES).json()["count"] == 1
    assert as_user(founder_user).get(WRITES).status_code == 403
    assert APIClient().get(WRITES).status_code == 401
    assert as_user(staff_user).post(WRITES, {}, format="json").status_code == 405


def test_staff_see_a_clients_writes_on_its_page(client, staff_user, as_partner):
    api, partner = as_partner("read", "companies:write")
    api.post("/api/v1/organisations/", {"name": "Paged Ltd"}, format="json", HTTP_IDEMPOTENCY_KEY="page-key")
    credential = PartnerCredential.objects.get(organisation=partner)
    client.force_login(staff_user)

    page = client.get(f"{CREDENTIALS}{credential.pk}/").content.decode()

    assert "POST /api/v1/organisations/" in page
    assert "page-key" in page


def test_the_write_log_list_keeps_its_query_count_as_it_grows(
    as_user, staff_user, credential_and_secret, count_queries
):
    credential, _ = credential_and_secret

    def add(n):
        ApiWrite.objects.bulk_create(
            ApiWrite(credential=credential, method="POST", path="/api/v1/organisations/", status_code=201)
            for _ in range(n)
        )

    client = as_user(staff_user)
    add(2)
    with count_queries() as small:
        assert client.get(WRITES).status_code == 200
    add(200)
    with count_queries() as large:
        response = client.get(WRITES)
    assert response.json()["count"] == 202
    assert large.count == small.count
