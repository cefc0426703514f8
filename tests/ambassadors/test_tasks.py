"""The ambassadors' jobs: invitation expiry (hourly) and the monthly reminder to ambassadors with no
activity in 90 days, sent once per ambassador and month however often it runs; their schedules."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from ambassadors import services, tasks
from ambassadors.models import ActivityReminder, Ambassador, Invitation
from tests.ambassadors.factories import ActivityFactory, AmbassadorFactory, InvitationFactory
from tests.conftest import run_at_once

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)
LONG_AGO = timezone.make_aware(datetime.datetime(2025, 1, 1))


def ambassador(**kwargs) -> Ambassador:
    """An ambassador on the network since long ago (the reminder waits 90 days after joining)."""
    made = AmbassadorFactory(term_starts_on=datetime.date(2025, 1, 1), **kwargs)
    Ambassador.objects.filter(pk=made.pk).update(created_at=LONG_AGO)
    return made


@pytest.fixture
def quiet_and_busy():
    quiet = ambassador()
    ActivityFactory(ambassador=quiet, occurred_on=TODAY - datetime.timedelta(days=91))
    busy = ambassador()
    ActivityFactory(ambassador=busy, occurred_on=TODAY - datetime.timedelta(days=89))
    never = ambassador()
    return quiet, busy, never


def test_the_reminder_goes_to_ambassadors_quiet_for_90_days(quiet_and_busy):
    quiet, busy, never = quiet_and_busy
    ambassador(paused=True)  # paused: no reminder
    new = AmbassadorFactory(term_starts_on=TODAY - datetime.timedelta(days=10))  # joined recently
    assert services.activity_reminders_send(today=TODAY) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([quiet.user.email, never.user.email])
    assert "/ambassadors/activities/new/" in mail.outbox[0].body
    assert not ActivityReminder.objects.filter(ambassador__in=[busy, new]).exists()


def test_running_twice_in_a_month_sends_once_and_next_month_again(quiet_and_busy):
    assert services.activity_reminders_send(today=TODAY) == 2
    assert services.activity_reminders_send(today=TODAY) == 0
    assert len(mail.outbox) == 2
    # A month on, the busy one has been quiet for 120 days too.
    assert services.activity_reminders_send(today=datetime.date(2027, 1, 1)) == 3
    assert ActivityReminder.objects.count() == 5


# Serialized rollback, as every transactional test here: its flush then leaves no rows that the
# next serialized test would restore twice.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_reminder_once(postgres):
    for _ in range(3):
        ambassador()
    results = run_at_once([lambda: services.activity_reminders_send(today=TODAY)] * 2)
    assert all(isinstance(r, int) for r in results) and sum(results) == 3, results
    assert len(mail.outbox) == 3
    assert ActivityReminder.objects.filter(sent_at__isnull=False).count() == 3


def test_a_failed_send_is_sent_by_the_next_run(quiet_and_busy, monkeypatch):
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send
    monkeypatch.setattr(EmailMessage, "send", lambda self, *a, **k: (_ for _ in ()).throw(ConnectionError("down")))
    assert services.activity_reminders_send(today=TODAY) == 0
    assert ActivityReminder.objects.filter(sent_at__isnull=True).count() == 2
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert services.activity_reminders_send(today=TODAY) == 2


def test_the_reminder_task_runs_the_service_for_today():
    ambassador()
    ActivityFactory(ambassador=ambassador(), occurred_on=timezone.localdate())
    assert tasks.activity_reminders_send.delay().get() == 1
    assert tasks.activity_reminders_send.delay().get() == 0
    assert set(ActivityReminder.objects.values_list("month", flat=True)) == {timezone.localdate().replace(day=1)}


def test_the_expiry_task_marks_overdue_invitations():
    overdue = InvitationFactory(expires_at=timezone.now() - datetime.timedelta(minutes=5))
    assert tasks.invitations_expire.delay().get() == 1
    overdue.refresh_from_db()
    assert overdue.status == Invitation.Status.EXPIRED


def test_the_send_task_is_quiet_for_a_gone_invitation():
    assert tasks.invitation_send.delay(999_999, "token").get() is False


def test_both_jobs_are_scheduled():
    expiry = PeriodicTask.objects.get(task="ambassadors.invitations_expire")
    assert (expiry.interval.every, expiry.interval.period) == (1, "hours")
    reminder = PeriodicTask.objects.get(task="ambassadors.activity_reminders_send")
    assert (reminder.crontab.day_of_month, reminder.crontab.hour) == ("1", "10")
