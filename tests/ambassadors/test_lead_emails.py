"""The referring ambassador's email about a move: sent after commit by a job, owed when the broker
is down (the move still commits, never a 500), and sent once by the sweep or a retried job."""

import datetime
import time

import pytest

from ambassadors import lead_tasks
from ambassadors.models import Lead, LeadChange
from ambassadors.services import leads as services

from .lead_factories import LeadFactory, staff_member

S = Lead.Stage


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_move_with_the_broker_down_commits_and_the_sweep_emails_once(client, broker, mailoutbox):
    lead = LeadFactory()
    staff = staff_member()
    broker.stop()
    client.force_login(staff)
    started = time.monotonic()
    response = client.post(
        f"/dashboard/leads/{lead.pk}/move/",
        {"stage": "qualified", "version": 1, "sector": "software", "origin_country": "IN", "kind": "fdi"},
    )
    assert response.status_code == 302
    assert time.monotonic() - started < 1.5
    lead.refresh_from_db()
    assert lead.stage == S.QUALIFIED
    change = LeadChange.objects.get(lead=lead)
    assert change.notified_at is None and mailoutbox == [] and broker.queued() == 0

    broker.start()
    due = change.changed_at + services.OWED_AFTER + datetime.timedelta(seconds=1)
    assert services.lead_notifications_send_owed(now=due) == 1
    assert services.lead_notifications_send_owed(now=due) == 0
    assert [m.to for m in mailoutbox] == [[lead.referred_by.user.email]]
    assert mailoutbox[0].subject == f"Your lead {lead.name} has been qualified"


@pytest.mark.django_db
def test_the_job_sends_once_and_is_quiet_about_a_change_that_is_gone(mailoutbox):
    lead = LeadFactory()
    services.lead_move(
        lead=lead,
        actor=staff_member(),
        to=S.LOST,
        version=1,
        data={"lost_reason": "Budget cut", "competing_location": "Nowhere"},
        reason="Called the CEO",
    )
    change = LeadChange.objects.get(lead=lead)
    assert lead_tasks.lead_notify(change.pk, "https://portal.example.org") is True
    assert lead_tasks.lead_notify(change.pk, "https://portal.example.org") is False
    assert lead_tasks.lead_notify(999_999) is False
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert mailoutbox[0].subject == f"Your lead {lead.name} has been closed"
    assert "it chose Nowhere" in body and "Why: Called the CEO" in body
    assert f"https://portal.example.org/ambassadors/leads/{lead.pk}/" in body
    assert lead_tasks.lead_notifications_send_owed() == 0


@pytest.mark.django_db
def test_the_sweep_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="ambassadors.lead_notifications_send_owed")
    assert (task.interval.every, task.interval.period) == (10, "minutes")
