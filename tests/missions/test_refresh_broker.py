"""A KPI refresh asked for while the broker is down: a clear 503 with Retry-After within a second
from the API and the dashboard button, no run left open, the dashboard says refreshes are paused,
and once the broker answers again the same process starts a refresh (a real worker finishing it is
in tests/test_celery_worker.py)."""

import time

import pytest

from missions.models import RefreshRun
from portal import health

# The request commits (as in production) so the job is published at once, not held for a commit
# that a test transaction never makes.
BROKER = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REFRESHES_URL = "/api/v1/kpi-refreshes/"
START = "/dashboard/kpi-refreshes/"


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def open_runs() -> int:
    return RefreshRun.objects.filter(status__in=RefreshRun.OPEN_STATUSES).count()


@BROKER
def test_the_api_answers_503_within_a_second_and_leaves_no_run_open(broker, as_user, staff_user):
    client = as_user(staff_user)
    # The API reports every 5xx to error monitoring, which the test client would raise here.
    client.raise_request_exception = False
    assert client.get(REFRESHES_URL).status_code == 200  # a warm process, as in service
    broker.stop()
    response, elapsed = timed(lambda: client.post(REFRESHES_URL))
    assert response.status_code == 503
    assert elapsed < 1, elapsed
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["type"] == "server_error"
    [error] = body["errors"]
    assert (error["code"], error["attr"]) == ("broker_unavailable", None)
    assert "job broker is not answering" in error["detail"]
    assert open_runs() == 0
    run = RefreshRun.objects.get()  # recorded, and closed
    assert run.status == RefreshRun.Status.FAILED
    assert "never started" in run.error
    assert broker.queued() == 0

    # Again while it is down: still a quick 503, still nothing open.
    response, elapsed = timed(lambda: client.post(REFRESHES_URL))
    assert (response.status_code, open_runs()) == (503, 0)
    assert elapsed < 1, elapsed

    # The broker answers again: the same process enqueues the next refresh, nothing restarted.
    broker.start()
    response = client.post(REFRESHES_URL)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    assert broker.queued() == 1


@BROKER
def test_the_button_shows_the_message_and_the_dashboard_says_refreshes_are_paused(broker, client, staff_user):
    client.force_login(staff_user)
    assert client.get("/dashboard/").status_code == 200  # a warm process, as in service
    broker.stop()
    response, elapsed = timed(lambda: client.post(START, HTTP_REFERER="http://testserver/dashboard/"))
    assert response.status_code == 503
    assert elapsed < 1, elapsed
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Background jobs are paused" in page
    assert "the job broker is not answering, so nothing was started" in page
    assert 'href="http://testserver/dashboard/"' in page  # the way back
    assert open_runs() == 0

    dashboard = client.get("/dashboard/").content.decode()
    assert "Refreshes are paused" in dashboard
    assert 'aria-describedby="refresh-paused"' in dashboard
    health_check = client.get("/healthz")
    assert (health_check.status_code, health_check.json()["broker"]) == (503, "down")

    broker.start()
    health.broker_probe_forget()  # rather than wait out the 30 seconds a probe is reused
    assert "Refreshes are paused" not in client.get("/dashboard/").content.decode()
    response = client.post(START)
    run = RefreshRun.objects.get(status=RefreshRun.Status.QUEUED)
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/kpi-refreshes/{run.pk}/"
    assert broker.queued() == 1


@BROKER
def test_the_way_back_from_the_message_never_leaves_the_site(broker, client, staff_user):
    client.force_login(staff_user)
    broker.stop()
    response = client.post(START, HTTP_REFERER="https://elsewhere.example/")
    assert response.status_code == 503
    assert 'href="/"' in response.content.decode()
    assert "elsewhere.example" not in response.content.decode()


@pytest.mark.django_db
def test_the_schema_documents_the_503_of_starting_a_refresh(api_client):
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/kpi-refreshes/"]["post"]
    answer = operation["responses"]["503"]
    assert "Retry-After" in answer["headers"]
    body = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    errors = schema["components"]["schemas"][body]["properties"]["errors"]["items"]["$ref"].rsplit("/", 1)[1]
    code = schema["components"]["schemas"][errors]["properties"]["code"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][code]["enum"] == ["broker_unavailable"]
