"""Safe retries (``Idempotency-Key``) and limits (rates per client, body size) of the API."""

import datetime
import json
import threading

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from portal import services
from portal.models import IdempotencyKey, Organisation
from portal.rest.idempotency import request_fingerprint

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/organisations/"


def post(client, body: dict, key: str | None = "order-42"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(LIST_URL, body, format="json", **headers)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_writes_nothing(as_partner):
    client, partner = as_partner("read", "companies:write")
    first = post(client, {"name": "Retry Robotics Ltd", "company_number": "SC765432"})
    again = post(client, {"name": "Retry Robotics Ltd", "company_number": "SC765432"})

    assert first.status_code == 201
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Organisation.objects.filter(name="Retry Robotics Ltd").count() == 1


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(as_partner):
    client, _ = as_partner("read", "companies:write")
    assert post(client, {"name": "First Body Ltd"}).status_code == 201

    response = post(client, {"name": "Second Body Ltd"})

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "idempotency_key_reused"
    assert not Organisation.objects.filter(name="Second Body Ltd").exists()


def test_a_refused_request_is_not_kept_so_the_corrected_one_may_reuse_its_key(as_partner):
    client, _ = as_partner("read", "companies:write")
    refused = post(client, {"name": "Corrected Ltd", "website": "not a web address"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "website"

    corrected = post(client, {"name": "Corrected Ltd", "website": "https://corrected.example"})

    assert corrected.status_code == 201
    assert Organisation.objects.filter(name="Corrected Ltd").count() == 1


def test_keys_belong_to_one_client(as_partner, partner_token):
    client, _ = as_partner("read", "companies:write")
    other_token, _ = partner_token("read", "companies:write")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {other_token}")

    assert post(client, {"name": "Shared Key One Ltd"}).status_code == 201
    assert post(other, {"name": "Shared Key Two Ltd"}).status_code == 201

    assert Organisation.objects.filter(name__startswith="Shared Key").count() == 2


def test_a_malformed_key_is_refused_before_anything_is_written(as_partner):
    client, _ = as_partner("read", "companies:write")
    response = post(client, {"name": "Bad Key Ltd"}, key="two words")

    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid_idempotency_key"
    assert not Organisation.objects.filter(name="Bad Key Ltd").exists()


def test_a_key_past_its_lifetime_is_never_replayed_and_the_job_deletes_it(as_partner):
    client, _ = as_partner("read", "companies:write")
    assert post(client, {"name": "Old Key Ltd"}).status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - datetime.timedelta(hours=25))

    assert services.idempotency_keys_expire() == 1
    assert not IdempotencyKey.objects.exists()
    # Once expired, the key is free: another request with it is served afresh, not refused as reused.
    assert post(client, {"name": "New Key Ltd"}).status_code == 201


def test_a_session_user_may_send_keys_too(as_user, founder_user):
    client = as_user(founder_user)
    first = post(client, {"name": "Founder Retry Ltd"})
    again = post(client, {"name": "Founder Retry Ltd"})

    assert first.status_code == 201
    assert again.json() == first.json()
    assert Organisation.objects.filter(name="Founder Retry Ltd").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_with_one_key_at_the_same_moment_write_once_and_answer_alike(partner_token):
    token, _ = partner_token("read", "companies:write")
    start = threading.Barrier(2)
    answers = []

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        start.wait()
        try:
            response = post(client, {"name": "Race Condition Ltd", "company_number": "SC123456"}, key="same-moment")
            answers.append((response.status_code, response.content, response.get("Idempotent-Replayed")))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(answers) == 2
    assert answers[0][:2] == answers[1][:2]
    assert answers[0][0] == 201
    assert sorted(str(replayed) for *_, replayed in answers) == ["None", "true"]
    assert Organisation.objects.filter(company_number="SC123456").count() == 1


def test_the_fingerprint_covers_method_address_and_body(rf):
    base = rf.post("/api/v1/organisations/", data=b'{"name": "A"}', content_type="application/json")
    other_body = rf.post("/api/v1/organisations/", data=b'{"name": "B"}', content_type="application/json")
    other_path = rf.post("/api/v1/organisations/?x=1", data=b'{"name": "A"}', content_type="application/json")
    other_method = rf.put("/api/v1/organisations/", data=b'{"name": "A"}', content_type="application/json")

    prints = {request_fingerprint(r) for r in (base, other_body, other_path, other_method)}

    assert len(prints) == 4


# Limits


@pytest.fixture
def rate_store():
    """The shared rate counters in Redis, emptied before and after."""
    store = redis.Redis.from_url(settings.REDIS_URL)

    def clear():
        for key in store.scan_iter("api-rate:*"):
            store.delete(key)

    clear()
    yield store
    clear()


def test_a_client_over_its_rate_gets_429_with_retry_after_counted_in_redis(as_partner, rate_store):
    client, partner = as_partner("read")
    with override_settings(API_THROTTLE_RATES={"client": "3/min", "user": "3/min", "anon": "3/min"}):
        statuses = [client.get("/api/v1/missions/").status_code for _ in range(4)]
        refused = client.get("/api/v1/missions/")

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["errors"][0]["code"] == "throttled"
    # Counted in Redis, where every web process counts: one counter for this client.
    [key] = list(rate_store.scan_iter("api-rate:client:*"))
    assert int(rate_store.get(key)) == 5


def test_clients_users_and_addresses_are_counted_apart(as_partner, rate_store, partner_token):
    client, _ = as_partner("read")
    other_token, _ = partner_token("read")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {other_token}")
    anonymous = APIClient()
    with override_settings(API_THROTTLE_RATES={"client": "2/min", "user": "2/min", "anon": "2/min"}):
        assert [client.get("/api/v1/missions/").status_code for _ in range(3)] == [200, 200, 429]
        assert other.get("/api/v1/missions/").status_code == 200
        assert anonymous.get("/api/v1/missions/").status_code == 200


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(as_partner):
    client, _ = as_partner("read", "companies:write")
    body = json.dumps({"name": "Large Ltd", "notes": "x" * 2000})
    with override_settings(API_MAX_BODY_BYTES=1000):
        response = client.generic("POST", LIST_URL, body, content_type="application/json")

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"
    assert not Organisation.objects.filter(name="Large Ltd").exists()


def test_the_schema_declares_the_key_header_and_the_new_answers(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    create = schema["paths"]["/api/v1/organisations/"]["post"]
    listing = schema["paths"]["/api/v1/organisations/"]["get"]

    assert "Idempotency-Key" in [p["name"] for p in create["parameters"] if p["in"] == "header"]
    assert {"409", "413", "422", "429"} <= set(create["responses"])
    assert "Retry-After" in listing["responses"]["429"]["headers"]
    assert "Idempotency-Key" not in [p["name"] for p in listing.get("parameters", [])]
