"""The funding alert digest: it lists only what matches, goes once per person and period under
repeated and concurrent runs and a send that dies, is not sent empty, and its unsubscribe link works
signed out (with the RFC 8058 one-click POST) and is refused when tampered with."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from funding import alerts, digests, tasks
from funding.models import Alert, AlertDigest, Opportunity
from tests.conftest import run_at_once
from tests.funding.factories import OpportunityFactory
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

S = AlertDigest.Status
DAY = datetime.timedelta(days=1)


def published(opportunity: Opportunity, when: datetime.datetime) -> Opportunity:
    Opportunity.objects.filter(pk=opportunity.pk).update(created_at=when)
    return opportunity


def alert(user, **data) -> Alert:
    return alerts.alert_create(user=user, data=data)


@pytest.fixture
def reader():
    """A person with two alerts: fintech grants, and anything about robots."""
    person = UserFactory(email="reader@example.org", full_name="Rita Reader")
    alert(person, kinds=["grant"], sector="fintech")
    alert(person, words="robots")
    return person


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """run(now=None) -> the emails one digest run sends, its jobs run as the worker would."""

    def go(now=None) -> list:
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            digests.alert_digests_send(now=now)
        return mail.outbox[before:]

    return go


def test_the_digest_lists_only_new_matching_opportunities_and_matching_ones_closing_soon(reader, run):
    old = timezone.now() - 30 * DAY
    OpportunityFactory(title="Fintech grant", sectors=["fintech", "cyber"])
    OpportunityFactory(title="Grant for any sector")
    OpportunityFactory(title="Robots prize", kind=Opportunity.Kind.PRIZE, summary="For robots in factories.")
    OpportunityFactory(title="Fintech grant opening soon", sectors=["fintech"], upcoming=True)
    published(OpportunityFactory(title="Old fintech grant closing", sectors=["fintech"], closing_soon=True), old)
    # Not in it:
    OpportunityFactory(title="Fintech loan", kind=Opportunity.Kind.LOAN, sectors=["fintech"])
    OpportunityFactory(title="Cyber grant", sectors=["cyber"])
    published(OpportunityFactory(title="Old fintech grant", sectors=["fintech"]), old)
    OpportunityFactory(title="Closed fintech grant", sectors=["fintech"], closed=True)
    withdrawn = OpportunityFactory(title="Withdrawn fintech grant", sectors=["fintech"])
    Opportunity.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    OpportunityFactory(title="Someone else's topic", kind=Opportunity.Kind.EQUITY, summary="Drones.")

    [email] = run()
    assert email.to == ["reader@example.org"]
    assert email.subject == "Funding alerts: 4 new opportunities and 1 closing soon"
    body = email.body
    new, closing = body.split("CLOSING WITHIN 14 DAYS")
    for title in ["Fintech grant", "Grant for any sector", "Robots prize", "Fintech grant opening soon"]:
        assert f"\n{title}\n" in new, title
    assert "\nOld fintech grant closing\n" in closing
    for title in ["Fintech loan", "Cyber grant", "Old fintech grant\n", "Closed", "Withdrawn", "Someone else"]:
        assert title not in body, title
    assert "Matches your alert: Grants for fintech firms" in body
    assert "Matches your alert: Every kind of funding, with the words “robots”" in body
    assert "Hello Rita Reader," in body
    assert "None" not in body and "&#" not in body
    digest = AlertDigest.objects.get(user=reader)
    assert (digest.status, digest.new_count, digest.closing_count) == (S.SENT, 4, 1)
    assert digest.sent_at is not None


def test_an_opportunity_matching_two_alerts_is_listed_once_with_both(reader, run):
    OpportunityFactory(title="Fintech robots grant", sectors=["fintech"], summary="Robots for banks.")
    [email] = run()
    assert email.body.count("\nFintech robots grant\n") == 1
    assert "Matches your alerts: Grants for fintech firms; Every kind of funding, with the words “robots”" in email.body


def test_the_email_has_a_one_click_unsubscribe_link_and_headers(reader, run):
    OpportunityFactory(sectors=["fintech"])
    [email] = run()
    unsubscribe = email.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and unsubscribe.endswith(">")
    url = unsubscribe[1:-1]
    assert "/funding/alerts/unsubscribe/" in url
    assert url in email.body
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    digest = AlertDigest.objects.get()
    assert email.extra_headers["Message-ID"].startswith(f"<funding-digest-{digest.pk}@")
    message = email.message()
    assert message["List-Unsubscribe"] == unsubscribe


# Once per person and period ------------------------------------------------------------------


def test_a_second_run_in_the_period_sends_nothing(reader, run):
    OpportunityFactory(sectors=["fintech"])
    assert len(run()) == 1
    OpportunityFactory(sectors=["fintech"], title="Published after the first run")
    assert run() == []
    assert AlertDigest.objects.count() == 1


def test_the_next_period_lists_what_was_published_since_the_last_digest(reader, run):
    OpportunityFactory(title="Before the first digest", sectors=["fintech"])
    first_run = timezone.now()
    assert len(run(now=first_run)) == 1
    OpportunityFactory(title="After the first digest", sectors=["fintech"])
    [email] = run(now=first_run + 7 * DAY)
    assert "After the first digest" in email.body
    assert "Before the first digest" not in email.body
    second = AlertDigest.objects.get(period=timezone.localdate(first_run + 7 * DAY))
    assert second.since == AlertDigest.objects.get(period=timezone.localdate(first_run)).until


def test_a_run_redelivered_after_midnight_does_not_start_a_second_period(reader, run):
    OpportunityFactory(sectors=["fintech"], closing_soon=True)
    late = timezone.localtime().replace(hour=23, minute=55)
    assert len(run(now=late)) == 1
    assert run(now=late + datetime.timedelta(minutes=20)) == []  # the next day, by the clock
    assert AlertDigest.objects.count() == 1


def test_nothing_is_sent_when_nothing_matches(reader, run):
    OpportunityFactory(kind=Opportunity.Kind.LOAN, sectors=["fintech"])
    assert run() == []
    digest = AlertDigest.objects.get(user=reader)
    assert digest.status == S.EMPTY and digest.sent_at is None


def test_people_without_an_active_alert_get_no_digest(run):
    quiet = UserFactory()
    alert(quiet, sector="fintech", is_active=False)
    gone = UserFactory()
    alert(gone, sector="fintech")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    OpportunityFactory(sectors=["fintech"])
    assert run() == []
    assert not AlertDigest.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_one_email_each(postgres):
    people = [UserFactory() for _ in range(3)]
    for person in people:
        alert(person, sector="fintech")
    OpportunityFactory(sectors=["fintech"])
    results = run_at_once([digests.alert_digests_send, digests.alert_digests_send])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert AlertDigest.objects.filter(status=S.SENT).count() == 3


def test_a_failed_send_leaves_the_digest_owed_and_the_retry_sends_it_once(reader):
    OpportunityFactory(sectors=["fintech"])
    digests.alert_digests_plan(now=timezone.now())
    digest = AlertDigest.objects.get()
    failing = mock.patch("django.core.mail.EmailMessage.send", side_effect=ConnectionError("mail server away"))
    with failing, pytest.raises(ConnectionError):
        digests.alert_digest_send(digest=digest)
    digest.refresh_from_db()
    assert (digest.status, digest.sent_at) == (S.OWED, None)
    assert tasks.alert_digest_send(digest.pk) is True
    assert tasks.alert_digest_send(digest.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_digest_another_worker_is_sending_is_skipped_then_seen_sent(reader, postgres):
    from django.db import transaction

    OpportunityFactory(sectors=["fintech"])
    digests.alert_digests_plan(now=timezone.now())
    digest = AlertDigest.objects.get()
    with transaction.atomic():
        AlertDigest.objects.select_for_update().get(pk=digest.pk)  # another worker, mid-send
        [skipped] = run_at_once([lambda: digests.alert_digest_send(digest=digest)])
        assert skipped is False
    assert mail.outbox == []
    assert digests.alert_digest_send(digest=digest) is True
    assert digests.alert_digest_send(digest=digest) is False
    assert len(mail.outbox) == 1


def test_the_sweep_sends_the_digests_whose_job_never_ran(reader):
    OpportunityFactory(sectors=["fintech"])
    start = timezone.now()
    digests.alert_digests_plan(now=start)  # rows owed; their jobs were never published
    assert digests.alert_digests_send_owed(now=start + datetime.timedelta(minutes=1)) == 0  # their job has time
    assert digests.alert_digests_send_owed(now=start + datetime.timedelta(minutes=6)) == 1
    assert digests.alert_digests_send_owed(now=start + datetime.timedelta(minutes=16)) == 0
    assert len(mail.outbox) == 1


def test_a_job_for_a_row_that_is_gone_does_nothing():
    assert tasks.alert_digest_send(987654) is False


def test_planning_takes_the_same_statements_for_3_and_30_people(count_queries):
    def people(n):
        for _ in range(n):
            alert(UserFactory(), sector="fintech")

    people(3)
    now = timezone.now()
    with count_queries() as few:
        digests.alert_digests_plan(now=now)
    AlertDigest.objects.all().delete()
    people(27)
    with count_queries() as many:
        assert digests.alert_digests_plan(now=now) == 30
    assert many.count == few.count


def test_the_weekly_schedule_and_the_sweep_are_in_the_beat_schedule():
    weekly = PeriodicTask.objects.get(task="funding.alert_digests_send")
    assert (weekly.crontab.day_of_week, weekly.crontab.hour, weekly.crontab.minute) == ("1", "8", "0")
    assert str(weekly.crontab.timezone) == "Europe/London"
    sweep = PeriodicTask.objects.get(task="funding.alert_digests_send_owed")
    assert (sweep.interval.every, sweep.interval.period) == (10, "minutes")


# Unsubscribing, signed out -------------------------------------------------------------------


def unsubscribe_url(user) -> str:
    return reverse("funding:alert-unsubscribe", args=[alerts.alert_unsubscribe_token(user=user)])


def test_the_link_asks_to_confirm_and_a_get_changes_nothing(client, reader):
    response = client.get(unsubscribe_url(reader))
    assert response.status_code == 200
    assert "Stop funding alert emails?" in response.content.decode()
    assert Alert.objects.filter(user=reader, is_active=True).count() == 2


def test_unsubscribing_signed_out_turns_every_alert_off_and_stops_the_digest(reader, run):
    client = Client(enforce_csrf_checks=True)  # the token is the credential: no CSRF token needed
    response = client.post(unsubscribe_url(reader))
    assert response.status_code == 303
    assert response["Location"] == reverse("funding:alert-unsubscribed")
    assert "You have unsubscribed" in client.get(response["Location"]).content.decode()
    assert not Alert.objects.filter(user=reader, is_active=True).exists()
    assert Alert.objects.filter(user=reader).count() == 2  # kept, switched off
    OpportunityFactory(sectors=["fintech"])
    assert run() == []
    # Again: nothing more to do, and still fine.
    assert client.post(unsubscribe_url(reader)).status_code == 303


def test_the_one_click_post_of_a_mail_program_is_answered_200(reader):
    client = Client(enforce_csrf_checks=True)
    response = client.post(unsubscribe_url(reader), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You have unsubscribed" in response.content.decode()
    assert not Alert.objects.filter(user=reader, is_active=True).exists()


def test_an_owed_digest_of_someone_who_unsubscribed_since_is_not_sent(reader):
    OpportunityFactory(sectors=["fintech"])
    digests.alert_digests_plan(now=timezone.now())
    alerts.alerts_unsubscribe(user=reader)
    assert tasks.alert_digest_send(AlertDigest.objects.get().pk) is False
    assert AlertDigest.objects.get().status == S.SKIPPED
    assert mail.outbox == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature changed
        lambda token: token.replace(token.split(":")[0], "eyJ1c2VyIjoxfQ"),  # another person's id
        lambda token: token[: len(token) // 2],  # cut short
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused_with_a_clear_page_and_changes_nothing(client, reader, tamper):
    url = reverse("funding:alert-unsubscribe", args=[tamper(alerts.alert_unsubscribe_token(user=reader))])
    for response in (client.get(url), client.post(url), client.post(url, {"List-Unsubscribe": "One-Click"})):
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
    assert Alert.objects.filter(user=reader, is_active=True).count() == 2


def test_a_link_of_someone_whose_account_is_gone_is_refused(client, reader):
    url = unsubscribe_url(reader)
    reader.delete()
    assert client.get(url).status_code == 400
