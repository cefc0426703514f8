"""Two real `celery beat` processes and a real worker against the test database and Redis: only the
beat holding the lease sends, so each scheduled job runs once per period, and when that beat dies
the other takes over within the lease and carries on, still once per period."""

import datetime
import os
import re
import signal
import subprocess
import sys
import uuid

import pytest
import redis
from django.db import connection
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from missions.models import RefreshRun
from portal.beat import LEASE_KEY, lease_holder
from tests.test_celery_worker import ROOT, start_worker  # noqa: F401 - a fixture
from tests.waiting import wait_for

PERIOD = 1  # second: the scheduled KPI refresh's, shortened
LEASE = 2  # seconds: the beats' lease, shortened
JOB = "Refresh the computed KPIs"
RECEIVED = re.compile(r"Task missions\.refresh_kpis\[([0-9a-f-]+)\] received")
SENT = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): INFO/\w+\] Scheduler: Sending due task " + JOB)


@pytest.fixture
def start_beat(redis_url, postgres, tmp_path):
    """start_beat(queue) -> a `celery beat` process sending to ``queue``, its log in a file."""
    beats = []

    def start(queue: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.test",
            "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
            "REDIS_URL": redis_url,
            "TEST_CELERY_QUEUE": queue,
            "TEST_BEAT_LEASE_SECONDS": str(LEASE),
        }
        log = tmp_path / f"beat-{len(beats)}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO"],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
            )
        process.log = log
        beats.append(process)
        return process

    yield start
    for process in beats:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def sends(beat: subprocess.Popen) -> list[datetime.datetime]:
    """When ``beat`` sent the job, from its log."""
    lines = beat.log.read_text().splitlines()
    return [datetime.datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f") for line in lines if (m := SENT.match(line))]


def jobs_received(worker) -> list[str]:
    """The ids of the refresh jobs ``worker`` received, from its log."""
    return [match[1] for line in worker.lines() if (match := RECEIVED.search(line))]


def gaps(times: list[datetime.datetime]) -> list[float]:
    times = sorted(times)
    return [(later - earlier).total_seconds() for earlier, later in zip(times, times[1:], strict=False)]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_beats_send_each_scheduled_job_once_per_period_and_one_takes_over_when_the_other_dies(
    start_worker,  # noqa: F811
    start_beat,
    redis_url,
):
    PeriodicTask.objects.exclude(name=JOB).update(enabled=False)
    every_second = IntervalSchedule.objects.create(every=PERIOD, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.filter(name=JOB).update(interval=every_second, last_run_at=None, enabled=True)
    client = redis.Redis.from_url(redis_url)
    wait_for(lambda: lease_holder(client) is None, timeout=LEASE + 5)  # a lease left by an earlier run
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue=queue, TEST_CELERY_QUEUE=queue)
    beats = [start_beat(queue), start_beat(queue)]

    # Both beats run; one holds the lease and sends, the other sends nothing.
    wait_for(lambda: len(sends(beats[0]) + sends(beats[1])) >= 4)
    assert min(gaps(sends(beats[0]) + sends(beats[1]))) >= PERIOD / 2  # never two sends for one period
    holder = lease_holder(client)
    assert holder is not None
    leader = next(beat for beat in beats if holder.split(":")[1] == str(beat.pid))
    standby = next(beat for beat in beats if beat is not leader)
    assert sends(standby) == []

    # The leader dies without a word: its lease expires and the standby takes over.
    leader.send_signal(signal.SIGKILL)
    leader.wait(timeout=20)
    sent_by_leader = sends(leader)
    wait_for(lambda: len(sends(standby)) >= 3, timeout=LEASE + 30)
    assert lease_holder(client).split(":")[1] == str(standby.pid)
    all_sends = sent_by_leader + sends(standby)
    assert min(gaps(all_sends)) >= PERIOD / 2
    # The handover costs at most the lease, its renewal interval and a period.
    assert max(gaps(all_sends)) <= LEASE + LEASE / 3 + PERIOD + 2  # and slack for a busy machine

    # Every job sent ran once on the worker: one scheduled refresh per job it received. A beat
    # logs a send before it publishes, so the leader's last logged send may have died with it.
    standby.send_signal(signal.SIGTERM)
    standby.wait(timeout=20)
    wait_for(lambda: lease_holder(client) is None, timeout=5)  # a clean stop gives the lease up
    total = len(sent_by_leader) + len(sends(standby))
    scheduled = RefreshRun.objects.filter(trigger=RefreshRun.Trigger.SCHEDULE)

    def drained() -> bool:
        received = len(jobs_received(worker))
        return (
            client.llen(queue) == 0
            and received >= total - 1
            and scheduled.count() == received
            and not scheduled.filter(status__in=RefreshRun.OPEN_STATUSES).exists()
        )

    try:
        wait_for(drained)
    except AssertionError as error:  # say what was missing
        runs = list(scheduled.values_list("status", flat=True))
        raise AssertionError(
            f"{total} sends logged, {len(jobs_received(worker))} jobs received, "
            f"{client.llen(queue)} queued, runs {runs}"
        ) from error
    assert total - 1 <= scheduled.count() == len(jobs_received(worker)) <= total
    assert not client.exists(LEASE_KEY)
