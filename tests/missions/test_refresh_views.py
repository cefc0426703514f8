"""The staff pages of the KPI refresh: the dashboard button and broker notice, the run page and
its live fragment."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from missions.catalogue import indicator_catalogue_sync
from missions.models import RefreshRun
from portal import health
from tests.missions.factories import RefreshRunFactory

pytestmark = pytest.mark.django_db

START = "/dashboard/kpi-refreshes/"


def run_url(run, suffix: str = "") -> str:
    return f"/dashboard/kpi-refreshes/{run.pk}/{suffix}"


def test_the_dashboard_offers_a_refresh_and_shows_the_latest(client, staff_user):
    client.force_login(staff_user)
    assert "not been refreshed yet" in client.get("/dashboard/").content.decode()
    run = RefreshRunFactory(status=RefreshRun.Status.SUCCEEDED, indicators_done=14, indicators_total=14)
    page = client.get("/dashboard/").content.decode()
    assert "Refresh KPIs now" in page
    assert f'href="{run_url(run)}"' in page
    assert "14 of 14 indicators" in page


UNAVAILABLE = "Background jobs are unavailable"


def test_the_dashboard_says_when_background_jobs_are_unavailable(client, staff_user, settings):
    client.force_login(staff_user)
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    health.broker_probe_forget()
    response = client.get("/dashboard/")
    assert response.status_code == 200
    assert UNAVAILABLE in response.content.decode()
    assert "Refresh KPIs now" in response.content.decode()  # the stored figures are still there


def test_the_dashboard_says_nothing_when_the_broker_answers(client, staff_user, redis_url):
    client.force_login(staff_user)
    health.broker_probe_forget()
    assert UNAVAILABLE not in client.get("/dashboard/").content.decode()


def test_the_dashboard_probes_the_broker_once_for_many_loads(client, staff_user, monkeypatch):
    probes = []
    monkeypatch.setattr(health, "broker_ok", lambda: probes.append(1) or False)
    health.broker_probe_forget()
    client.force_login(staff_user)
    for _ in range(3):
        assert UNAVAILABLE in client.get("/dashboard/").content.decode()
    assert len(probes) == 1


def test_staff_start_a_refresh_that_runs_after_commit(client, staff_user, django_capture_on_commit_callbacks):
    indicator_catalogue_sync()
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START)
    run = RefreshRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == run_url(run)
    run.refresh_from_db()
    assert (run.trigger, run.requested_by, run.status) == ("staff", staff_user, "succeeded")
    page = client.get(run_url(run)).content.decode()
    assert f"KPI refresh {run.pk} has started." in page
    assert "100%" in page
    assert "hx-trigger" not in page  # finished: nothing to poll


def test_a_second_press_joins_the_open_run(client, staff_user):
    client.force_login(staff_user)
    open_run = RefreshRunFactory(status=RefreshRun.Status.RUNNING, indicators_done=3, indicators_total=14)
    open_run.heartbeat_at = open_run.created_at
    open_run.save()
    response = client.post(START, follow=True)
    assert RefreshRun.objects.count() == 1
    page = response.content.decode()
    assert f"already under way: this is refresh {open_run.pk}" in page
    assert "3 of 14 indicators (21%)" in page
    assert 'hx-trigger="every 2s"' in page
    assert "Check progress again" in page  # without JavaScript


def test_the_progress_fragment_tells_htmx_to_stop_when_the_run_ends(client, staff_user):
    client.force_login(staff_user)
    run = RefreshRunFactory(status=RefreshRun.Status.RUNNING, indicators_done=1, indicators_total=4)
    response = client.get(run_url(run, "progress/"))
    assert response.status_code == 200
    assert "1 of 4 indicators (25%)" in response.content.decode()
    RefreshRun.objects.filter(pk=run.pk).update(status="failed", indicators_done=4, error="survival_1y: boom")
    response = client.get(run_url(run, "progress/"))
    assert response.status_code == 286
    assert "survival_1y: boom" in response.content.decode()


@pytest.mark.parametrize("path", [START, "/dashboard/kpi-refreshes/1/", "/dashboard/kpi-refreshes/1/progress/"])
def test_other_roles_are_refused_and_anonymous_users_sent_to_sign_in(client, path, founder_user, reviewer_user):
    RefreshRunFactory(pk=1)
    method = client.post if path == START else client.get
    assert method(path).url.startswith(reverse("account_login"))
    for user in (founder_user, reviewer_user):
        client.force_login(user)
        assert method(path).status_code == 403
    assert RefreshRun.objects.count() == 1


def test_an_unknown_run_is_not_found(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/dashboard/kpi-refreshes/999999/").status_code == 404
    assert client.get("/dashboard/kpi-refreshes/999999/progress/").status_code == 404


def dead_run() -> RefreshRun:
    RefreshRun.objects.all().delete()
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    return RefreshRunFactory(status=RefreshRun.Status.RUNNING, heartbeat_at=long_ago, indicators_total=14)


def test_a_dead_run_is_shown_failed_wherever_staff_look(client, staff_user):
    client.force_login(staff_user)
    run = dead_run()
    dashboard = " ".join(client.get("/dashboard/").content.decode().split())
    assert f"refresh {run.pk}</a>, failed" in dashboard
    run = dead_run()
    assert "no heartbeat for 60 seconds" in client.get(run_url(run)).content.decode()
    run = dead_run()
    assert client.get(run_url(run, "progress/")).status_code == 286  # htmx stops polling it


def test_the_run_page_states_how_long_an_open_run_may_show_no_sign_of_life(client, staff_user):
    client.force_login(staff_user)
    queued = RefreshRunFactory()
    assert "no sign of life for 60 seconds (no worker picks it up)" in client.get(run_url(queued)).content.decode()
    RefreshRun.objects.filter(pk=queued.pk).update(status="running", heartbeat_at=timezone.now())
    page = client.get(run_url(queued)).content.decode()
    assert "no sign of life for 60 seconds (its worker stops sending a heartbeat)" in page
