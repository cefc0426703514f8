"""A real Celery worker, in its own process, consuming from the real Redis broker."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from missions import services as missions_services
from missions import tasks as missions_tasks
from missions.catalogue import indicator_catalogue_sync
from missions.models import Indicator, Observation, RefreshRun
from portal import tasks
from portal.celery import app as celery_app
from portal.models import YearlyFactsRequest
from tests.missions.test_refresh import firms_build
from tests.missions.test_refresh import snapshot as refresh_snapshot
from tests.portal.factories import OrganisationFactory, UserFactory
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen
    log: Path

    def lines(self) -> list[str]:
        """What the worker has written so far. It writes to a file: a pipe nobody reads fills up
        after 64 KB of log, and the worker then stops at its next line, mid-job."""
        return self.log.read_text(errors="replace").splitlines()


@pytest.fixture
def start_worker(redis_url, postgres, tmp_path):
    """start_worker(queue=None, **environment) -> Worker: a `celery worker` on its own queue (or
    ``queue``) against the test database, with extra environment variables (settings) if given.
    Tasks of this process are published, not run eagerly, until the test ends."""
    workers = []

    def start(queue: str | None = None, **environment: str) -> Worker:
        queue = queue or f"test-{uuid.uuid4().hex[:8]}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
            "REDIS_URL": redis_url,
            **environment,
        }
        log = tmp_path / f"worker-{len(workers)}.log"
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", queue]
        with log.open("w") as output:
            process = subprocess.Popen(
                [*command, "--loglevel=INFO"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )
        workers.append(Worker(queue, process, log))
        return workers[-1]

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield start
    finally:
        celery_app.conf.task_always_eager = eager
        for worker in workers:
            worker.process.terminate()
            try:
                worker.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.process.kill()


@pytest.fixture
def real_worker(start_worker):
    """A `celery worker` on a private queue against the test database."""
    return start_worker()


# Serialized rollback puts the migrations' rows (roles, missions) back after the flush, so a
# later run with --reuse-db starts from a complete database.
@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_enqueued_after_commit_runs_on_real_worker(real_worker, mailoutbox):
    founder = UserFactory()
    with transaction.atomic():
        firm = OrganisationFactory(members=[founder])
        tasks.yearly_facts_request_send.apply_async_on_commit(args=(firm.pk, 2025), queue=real_worker.queue)
        # Nothing is published before the transaction commits.
        assert not YearlyFactsRequest.objects.exists()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not YearlyFactsRequest.objects.filter(organisation=firm).exists():
        time.sleep(0.25)
    request = YearlyFactsRequest.objects.get(organisation=firm)
    assert request.year == 2025
    # The worker sent the email, not this process.
    assert mailoutbox == []


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kpi_refresh_runs_on_real_worker_to_100_percent(real_worker):
    indicator_catalogue_sync()
    firms_build()
    with transaction.atomic():
        run, created = missions_services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
        missions_tasks.refresh_kpis.apply_async_on_commit(args=(run.pk,), queue=real_worker.queue)
    wait_for(lambda: RefreshRun.objects.get(pk=run.pk).status not in ("queued", "running"))
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.SUCCEEDED, run.error
    assert run.percent == 100
    assert run.indicators_done == Indicator.objects.filter(method="computed").count()
    assert Observation.objects.filter(status="computed", indicator__code="M1-04-1Y").exists()


STALE_SECONDS = 5  # for the worker killed mid-refresh: its stated stale time, shortened


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_killed_mid_refresh_leaves_running_within_its_stale_time_and_a_rerun_equals_a_clean_run(
    start_worker, settings, as_user, staff_user
):
    settings.KPI_REFRESH_STALE_AFTER = datetime.timedelta(seconds=STALE_SECONDS)
    worker = start_worker(KPI_REFRESH_STALE_SECONDS=str(STALE_SECONDS))
    api = as_user(staff_user)
    indicator_catalogue_sync()
    firms_build()
    computed = list(Indicator.objects.filter(method="computed").order_by("code"))
    blocked = computed[4]

    def run_as_the_api_shows_it() -> dict:
        return api.get(f"/api/v1/kpi-refreshes/{run.pk}/").json()  # each read reaps dead runs first

    run, _ = missions_services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    with transaction.atomic():
        # Hold the fifth indicator's row lock, so the worker finishes four indicators and then
        # waits inside the fifth one's transaction: one long indicator, then the moment to kill it.
        Indicator.objects.select_for_update().get(pk=blocked.pk)
        missions_tasks.refresh_kpis.apply_async(args=(run.pk,), queue=worker.queue)
        wait_for(lambda: RefreshRun.objects.filter(pk=run.pk, indicators_done=4).exists())
        # Twice its stale time inside one indicator: the heartbeat keeps it alive for every reader.
        beats = set()
        deadline = time.monotonic() + 2 * STALE_SECONDS
        while time.monotonic() < deadline:
            shown = run_as_the_api_shows_it()
            assert shown["status"] == "running", shown
            assert shown["stale_after_seconds"] == STALE_SECONDS
            beats.add(shown["heartbeat_at"])
            time.sleep(0.5)
        assert len(beats) >= 5  # the heartbeat moved on all the while (a beat every half second)
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(timeout=20)
        killed_at = time.monotonic()

    # The killed run wrote four whole indicators and nothing of the fifth.
    written = set(Observation.objects.filter(status="computed").values_list("indicator__code", flat=True))
    assert written == {indicator.code for indicator in computed[:4]}

    # It leaves "running" within its stated stale time plus a minute (in fact within the stale time
    # and the last half-second beat), seen by whoever looks next.
    limit = run_as_the_api_shows_it()["stale_after_seconds"] + 60
    wait_for(lambda: run_as_the_api_shows_it()["status"] != "running", timeout=limit)
    left_after = time.monotonic() - killed_at
    assert left_after <= limit
    shown = run_as_the_api_shows_it()
    assert shown["status"] == "failed"
    assert f"no heartbeat for {STALE_SECONDS} seconds" in shown["error"]

    rerun, created = missions_services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    assert created
    assert missions_services.refresh_run_execute(run_id=rerun.pk).status == RefreshRun.Status.SUCCEEDED
    after_rerun = refresh_snapshot()

    Observation.objects.filter(status="computed").delete()
    clean, _ = missions_services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    missions_services.refresh_run_execute(run_id=clean.pk)
    assert refresh_snapshot() == after_rerun


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_a_refresh_is_refused_at_once_and_once_it_is_back_one_runs_to_the_end(
    broker, start_worker, settings, as_user, staff_user
):
    worker = start_worker(queue=broker.queue)  # reads the broker directly; this process through it
    indicator_catalogue_sync()
    api = as_user(staff_user)
    api.raise_request_exception = False  # the API reports its 5xx to error monitoring
    assert api.get("/api/v1/kpi-refreshes/").status_code == 200  # a warm process, as in service

    broker.stop()
    started = time.monotonic()
    response = api.post("/api/v1/kpi-refreshes/")
    assert response.status_code == 503
    assert time.monotonic() - started < 1
    assert response["Retry-After"]
    assert not RefreshRun.objects.filter(status__in=RefreshRun.OPEN_STATUSES).exists()

    # Back, empty: a run queued earlier lost its message. It blocks nothing past its stated time.
    broker.start()
    lost, _ = missions_services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    RefreshRun.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - settings.KPI_REFRESH_QUEUED_TIMEOUT - datetime.timedelta(seconds=1)
    )
    response = api.post("/api/v1/kpi-refreshes/")
    assert response.status_code == 202, response.content
    run = RefreshRun.objects.get(pk=response.json()["id"])
    assert run != lost
    wait_for(lambda: RefreshRun.objects.get(pk=run.pk).status not in ("queued", "running"))
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.SUCCEEDED, run.error
    assert run.indicators_done == run.indicators_total > 0
    lost.refresh_from_db()
    assert lost.status == RefreshRun.Status.FAILED
    assert worker.process.poll() is None  # nothing was restarted
