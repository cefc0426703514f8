"""Two web processes and two workers on one broker serve the same data: a write through one web
process is read through the other, and the jobs it starts are each run once, by either worker."""

import os
import re
import uuid

import pytest
from django.db import connection

from ambassadors.models import Invitation
from bench.serving import gunicorn_serving
from portal.roles import Role
from tests.test_celery_worker import start_worker  # noqa: F401 - a fixture
from tests.test_replica import signed_in
from tests.waiting import wait_for

INVITATIONS = 12
TASK_DONE = re.compile(r"Task ambassadors\.invitation_send\[([0-9a-f-]+)\] succeeded")


def tasks_done(worker) -> list[str]:
    """The ids of the invitation jobs ``worker`` finished, from its log."""
    return [match[1] for line in worker.lines() if (match := TASK_DONE.search(line))]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_web_processes_and_two_workers_serve_the_same_data_and_run_each_job_once(
    start_worker,  # noqa: F811 - the fixture imported above
    redis_url,
    make_user,
    tmp_path,
):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    workers = [start_worker(queue=queue) for _ in range(2)]  # one broker, the same queue
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "REDIS_URL": redis_url,
        "TEST_CACHE_PREFIX": queue,
        "TEST_CELERY_EAGER": "false",  # jobs go to the broker, for the workers
        "TEST_CELERY_QUEUE": queue,
    }
    staff = make_user(Role.STAFF)
    with (
        gunicorn_serving(environment, tmp_path / "web-1.log", workers=1) as first_port,
        gunicorn_serving(environment, tmp_path / "web-2.log", workers=1) as second_port,
    ):
        first = signed_in(f"http://127.0.0.1:{first_port}", staff)
        second = signed_in(f"http://127.0.0.1:{second_port}", staff)
        wait_for(lambda: all(any(" ready." in line for line in worker.lines()) for worker in workers))

        emails = [f"ambassador-{n}@example.org" for n in range(INVITATIONS)]
        for n, email in enumerate(emails):
            response = first.post(
                "/dashboard/ambassadors/invitations/new/", data={"email": email, "full_name": f"Ambassador {n}"}
            )
            assert response.status_code == 302, response.text

        listed = second.get("/dashboard/ambassadors/invitations/")
        assert listed.status_code == 200
        assert all(email in listed.text for email in emails)  # written through one, read through the other

        wait_for(lambda: Invitation.objects.filter(emailed_at__isnull=False).count() == INVITATIONS)
        wait_for(lambda: sum(len(tasks_done(worker)) for worker in workers) == INVITATIONS)

    done = [tasks_done(worker) for worker in workers]
    assert len(set(done[0]) | set(done[1])) == INVITATIONS  # every job ran, each once
    assert not set(done[0]) & set(done[1])  # and by one worker only
    assert all(done), f"one worker took every job: {[len(d) for d in done]}"
