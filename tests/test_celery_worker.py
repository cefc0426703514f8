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
from django.conf import settings
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

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Worker:
    queue: str
    process: subprocess.Popen


@pytest.fixture
def real_worker(redis_url, postgres):
    """Start `celery worker` on a private queue against the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "REDIS_URL": redis_url,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield Worker(queue, worker)
    finally:
        celery_app.conf.task_always_eager = eager
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


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


def _wait_for(condition, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_kpi_refresh_runs_on_real_worker_to_100_percent(real_worker):
    indicator_catalogue_sync()
    firms_build()
    with transaction.atomic():
        run, created = missions_services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
        missions_tasks.refresh_kpis.apply_async_on_commit(args=(run.pk,), queue=real_worker.queue)
    _wait_for(lambda: RefreshRun.objects.get(pk=run.pk).status not in ("queued", "running"))
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.SUCCEEDED, run.error
    assert run.percent == 100
    assert run.indicators_done == Indicator.objects.filter(method="computed").count()
    assert Observation.objects.filter(status="computed", indicator__code="M1-04-1Y").exists()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_killed_mid_refresh_then_rerun_equals_a_clean_run(real_worker):
    indicator_catalogue_sync()
    firms_build()
    computed = list(Indicator.objects.filter(method="computed").order_by("code"))
    blocked = computed[4]

    run, _ = missions_services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    with transaction.atomic():
        # Hold the fifth indicator's row lock, so the worker finishes four indicators and then
        # waits inside the fifth one's transaction: the moment to kill it.
        Indicator.objects.select_for_update().get(pk=blocked.pk)
        missions_tasks.refresh_kpis.apply_async(args=(run.pk,), queue=real_worker.queue)
        _wait_for(lambda: RefreshRun.objects.filter(pk=run.pk, indicators_done=4).exists())
        time.sleep(0.5)
        real_worker.process.send_signal(signal.SIGKILL)
        real_worker.process.wait(timeout=20)

    # The killed run wrote four whole indicators and nothing of the fifth.
    written = set(Observation.objects.filter(status="computed").values_list("indicator__code", flat=True))
    assert written == {indicator.code for indicator in computed[:4]}
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.RUNNING  # until the reaper sees its heartbeat is stale

    later = timezone.now() + settings.KPI_REFRESH_STALE_AFTER + datetime.timedelta(seconds=1)
    assert missions_services.refresh_runs_reap(now=later) == 1
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.FAILED

    rerun, created = missions_services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    assert created
    assert missions_services.refresh_run_execute(run_id=rerun.pk).status == RefreshRun.Status.SUCCEEDED
    after_rerun = refresh_snapshot()

    Observation.objects.filter(status="computed").delete()
    clean, _ = missions_services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    missions_services.refresh_run_execute(run_id=clean.pk)
    assert refresh_snapshot() == after_rerun
