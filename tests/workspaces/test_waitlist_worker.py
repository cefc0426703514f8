"""The waiting list on a real Celery worker against the real broker and a real (test) mail server:
a worker killed inside the promotion that follows an expired offer leaves nothing half done, and
the job, delivered again to another worker, offers each freed desk once, in waiting-list order,
with one email per change."""

import datetime
import signal
import uuid
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portal.celery import app as celery_app
from portal.roles import Role
from tests.funding.test_digest_worker import mail_server  # noqa: F401 - a fixture
from tests.portal.factories import UserFactory
from tests.test_celery_worker import start_worker  # noqa: F401 - a fixture
from tests.waiting import wait_for
from workspaces import services, tasks
from workspaces.models import Application, DeskPool, StatusChange

from .factories import ApplicationFactory, WorkspaceFactory, offered_application

S = Application.Status
VISIBILITY_TIMEOUT = 2  # seconds: the second worker's, so the dead worker's job comes back soon


@contextmanager
def jobs_run_here():
    """Set-up as the portal would have done it earlier: its jobs (the emails of the setup's
    decisions) run in this process, not on the test's worker."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = eager


def backends_waiting_on_a_lock() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            " AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def changes_to(status: str, applications) -> int:
    return StatusChange.objects.filter(to_status=status, application__in=applications).count()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_inside_the_waitlist_promotion_leaves_each_freed_desk_offered_once_in_order(
    start_worker,  # noqa: F811
    mail_server,  # noqa: F811
):
    staff = UserFactory(roles=[Role.STAFF])
    first_hub = WorkspaceFactory(pools={"fixed_desk": 2})
    second_hub = WorkspaceFactory(pools={"fixed_desk": 1})
    with jobs_run_here():
        # Offers are expired newest first: the second hub's, then the first hub's two.
        lapsed_first = [offered_application(staff=staff, workspace=first_hub) for _ in range(2)]
        lapsed_second = [offered_application(staff=staff, workspace=second_hub)]
        waiting_first = [ApplicationFactory(in_review=True, workspaces=[first_hub]) for _ in range(3)]
        waiting_second = [ApplicationFactory(in_review=True, workspaces=[second_hub]) for _ in range(2)]
        # The waiting list runs in order of the decision to waitlist, not of the application.
        for application in [waiting_first[2], waiting_first[0], waiting_second[0], waiting_first[1], waiting_second[1]]:
            services.application_waitlist(application=application, actor=staff)
    lapsed = lapsed_first + lapsed_second
    Application.objects.filter(pk__in=[a.pk for a in lapsed]).update(
        offer_expires_at=timezone.now() - datetime.timedelta(hours=1)
    )
    first_pool = DeskPool.objects.get(workspace=first_hub)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    environment = {"TEST_EMAIL_PORT": str(mail_server.port), "TEST_CELERY_QUEUE": queue}
    first = start_worker(queue=queue, **environment)

    with transaction.atomic():
        # Hold the first hub's desk pool: the worker expires the second hub's offer and promotes
        # its waiting list, then waits inside the transaction of the first hub's first offer.
        DeskPool.objects.select_for_update().get(pk=first_pool.pk)
        tasks.offers_expire.apply_async(queue=queue)
        wait_for(lambda: Application.objects.filter(pk=lapsed_second[0].pk, status=S.EXPIRED).exists())
        wait_for(backends_waiting_on_a_lock)
        [blocked] = backends_waiting_on_a_lock()
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=20)
    wait_for(lambda: not backend_alive(blocked), timeout=30)  # its transaction rolled back

    # Nothing half done: the second hub's transaction is whole, the first hub's left no trace.
    assert Application.objects.get(pk=waiting_second[0].pk).status == S.OFFERED
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in lapsed_first])} == {S.OFFERED}
    assert changes_to(S.EXPIRED, lapsed_first) == 0
    assert {a.status for a in Application.objects.filter(pk__in=[a.pk for a in waiting_first])} == {S.WAITLISTED}
    first_pool.refresh_from_db()
    assert first_pool.allocated == 2

    # A second worker takes the killed job again once Redis hands it back (after its visibility
    # timeout), and the emails queued by the part that was committed.
    second = start_worker(queue=queue, TEST_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT), **environment)
    wait_for(lambda: changes_to(S.EXPIRED, lapsed) == 3)
    offered = [waiting_first[2], waiting_first[0], waiting_second[0]]
    changes = StatusChange.objects.filter(application__in=lapsed + offered, to_status__in=[S.EXPIRED, S.OFFERED])
    wait_for(lambda: changes_to(S.OFFERED, offered) == 3 and not changes.filter(notified_at__isnull=True).exists())
    # The worker takes its queue in order: once this last job is done, every one before it is.
    last = tasks.application_notify.apply_async(args=(987654,), queue=queue)
    wait_for(last.ready, timeout=60)
    assert second.process.poll() is None

    assert changes_to(S.EXPIRED, lapsed) == 3
    assert changes_to(S.OFFERED, offered) == 3  # each freed desk offered once
    statuses = dict(
        Application.objects.filter(pk__in=[a.pk for a in waiting_first + waiting_second]).values_list("pk", "status")
    )
    assert [statuses[a.pk] for a in waiting_first + waiting_second] == [
        S.OFFERED,
        S.WAITLISTED,
        S.OFFERED,
        S.OFFERED,
        S.WAITLISTED,
    ]
    assert dict(DeskPool.objects.values_list("workspace", "allocated")) == {first_hub.pk: 2, second_hub.pk: 1}
    # One email per change: the expiries and the offers, each to its applicant, each once.
    assert sorted(mail_server.accepted) == sorted(a.applicant.email for a in lapsed + offered)
    # The sweep for emails whose job was lost finds none owed.
    assert services.application_notifications_send_owed(now=timezone.now() + services.OWED_AFTER) == 0
