"""The workspaces jobs: offer expiry, tenancy ends and the decision emails, as Celery runs them."""

import datetime

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from workspaces import tasks
from workspaces.models import Application, DeskPool, StatusChange

from .factories import ApplicationFactory, WorkspaceFactory, offered_application

pytestmark = pytest.mark.django_db
S = Application.Status


def test_expired_offers_free_their_desks_and_the_next_waiting_firm_is_offered_once(
    staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    workspace = WorkspaceFactory(pools={"fixed_desk": 1})
    lapsed = offered_application(staff=staff_user, workspace=workspace)
    current = offered_application(staff=staff_user, workspace=WorkspaceFactory())
    first, second = (ApplicationFactory(in_review=True, workspaces=[workspace]) for _ in range(2))
    from workspaces import services

    services.application_waitlist(application=first, actor=staff_user)
    services.application_waitlist(application=second, actor=staff_user)
    Application.objects.filter(pk=lapsed.pk).update(offer_expires_at=timezone.now() - datetime.timedelta(minutes=5))
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.offers_expire.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.offers_expire.delay().get() == 0

    statuses = dict(
        Application.objects.filter(pk__in=[lapsed.pk, current.pk, first.pk, second.pk]).values_list("pk", "status")
    )
    assert statuses == {lapsed.pk: S.EXPIRED, current.pk: S.OFFERED, first.pk: S.OFFERED, second.pk: S.WAITLISTED}
    assert DeskPool.objects.get(workspace=workspace).allocated == 1
    assert StatusChange.objects.filter(application=first, to_status=S.OFFERED).count() == 1
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects == sorted(
        [f"Your workspace offer {lapsed.reference} has expired", f"You have been offered workspace: {first.reference}"]
    )


def test_tenancies_past_their_end_are_ended_by_the_daily_job(staff_user):
    application = offered_application(staff=staff_user)
    from workspaces import services

    tenancy = services.application_accept_offer(application=application, actor=application.applicant)
    type(tenancy).objects.filter(pk=tenancy.pk).update(
        start_on=timezone.localdate() - datetime.timedelta(days=400),
        end_on=timezone.localdate() - datetime.timedelta(days=35),
    )
    assert tasks.tenancies_end_due.delay().get() == 1
    assert tasks.tenancies_end_due.delay().get() == 0
    assert DeskPool.objects.get(pk=tenancy.pool_id).allocated == 0


def test_the_notify_task_is_quiet_when_the_change_is_gone():
    assert tasks.application_notify.delay(987654).get() is False


def test_the_jobs_are_scheduled():
    expiry = PeriodicTask.objects.get(task="workspaces.offers_expire")
    assert expiry.enabled and (expiry.interval.every, expiry.interval.period) == (15, "minutes")
    ends = PeriodicTask.objects.get(task="workspaces.tenancies_end_due")
    assert ends.enabled and ends.crontab.hour == "2"
    owed = PeriodicTask.objects.get(task="workspaces.application_notifications_send_owed")
    assert owed.enabled and (owed.interval.every, owed.interval.period) == (10, "minutes")
