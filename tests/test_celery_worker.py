"""A real Celery worker, in its own process, consuming from the real Redis broker."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction

from portal import tasks
from portal.celery import app as celery_app
from portal.models import YearlyFactsRequest
from tests.portal.factories import OrganisationFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def real_worker(redis_url, postgres):
    """Start `celery worker` on a private queue against the test database; yield the queue name."""
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
        yield queue
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
        tasks.yearly_facts_request_send.apply_async_on_commit(args=(firm.pk, 2025), queue=real_worker)
        # Nothing is published before the transaction commits.
        assert not YearlyFactsRequest.objects.exists()

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not YearlyFactsRequest.objects.filter(organisation=firm).exists():
        time.sleep(0.25)
    request = YearlyFactsRequest.objects.get(organisation=firm)
    assert request.year == 2025
    # The worker sent the email, not this process.
    assert mailoutbox == []
