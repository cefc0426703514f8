"""The feedback page, the admin pages staff are promised, the address in emails' links, and how
client errors are logged."""

import datetime
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from portal import demo, services
from portal.models import Feedback, Organisation
from portal.roles import Role
from portal.site_url import site_url

pytestmark = pytest.mark.django_db

FEEDBACK = "/feedback/"
GOOD = {"doing": "Applying for workspace", "problem": "The needs step lost my answers", "email": "ada@example.org"}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# Feedback


def test_the_phase_banner_and_the_footer_link_to_the_feedback_page(client):
    content = text(client.get("/workspaces/"))
    assert 'href="/feedback/?from=/workspaces/">tell us about the problem</a>' in content
    assert 'href="/feedback/">Feedback</a>' in content


def test_feedback_is_stored_emailed_to_staff_and_thanked_for(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PORTAL_CONTACT_EMAIL = "office@example.org"
    page = client.get(f"{FEEDBACK}?from=/workspaces/")
    assert page.status_code == 200
    assert 'name="page" value="/workspaces/"' in text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FEEDBACK, {**GOOD, "page": "/workspaces/"})
    assert response.status_code == 302 and response["Location"] == "/feedback/thank-you/"
    feedback = Feedback.objects.get()
    assert (feedback.doing, feedback.problem, feedback.email, feedback.page) == (
        GOOD["doing"],
        GOOD["problem"],
        GOOD["email"],
        "/workspaces/",
    )
    assert feedback.emailed_at is not None
    (email,) = mailoutbox
    assert email.to == ["office@example.org"]
    assert GOOD["problem"] in email.body and GOOD["doing"] in email.body and "ada@example.org" in email.body
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and "Thank you for your feedback" in text(thanks)


def test_feedback_lists_every_error_at_once_and_stores_nothing(client, mailoutbox):
    response = client.post(FEEDBACK, {"doing": " ", "problem": "", "email": "not-an-address", "page": "//evil"})
    assert response.status_code == 400
    content = text(response)
    for anchor, message in [
        ("id_doing", "Tell us what you were doing"),
        ("id_problem", "Tell us what went wrong"),
        ("id_email", "Enter an email address in the correct format, like name@example.com"),
    ]:
        assert f'<a href="#{anchor}">{message}</a>' in content
    assert Feedback.objects.count() == 0 and mailoutbox == []


def test_feedback_from_another_site_keeps_no_page(client):
    client.post(FEEDBACK, {**GOOD, "page": "https://evil.example/"})
    assert Feedback.objects.get().page == ""


def test_feedback_is_rate_limited_per_address(client, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            assert client.post(FEEDBACK, GOOD).status_code == 302
        response = client.post(FEEDBACK, GOOD)
    assert response.status_code == 429
    assert "Wait 10 minutes, then try again." in text(response)
    assert Feedback.objects.count() == 5 and len(mailoutbox) == 5
    # Another address is not held back.
    assert client.post(FEEDBACK, GOOD, REMOTE_ADDR="192.0.2.7").status_code == 302


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_feedback_made_with_the_broker_down_is_emailed_once_by_the_sweep(client, broker, mailoutbox):
    broker.stop()
    response = client.post(FEEDBACK, GOOD)
    assert response.status_code == 302 and response["Location"] == "/feedback/thank-you/"
    feedback = Feedback.objects.get()
    assert feedback.emailed_at is None and mailoutbox == []

    broker.start()
    due = feedback.created_at + services.FEEDBACK_OWED_AFTER + datetime.timedelta(seconds=1)
    assert services.feedback_send_owed(now=due) == 1
    assert len(mailoutbox) == 1 and GOOD["problem"] in mailoutbox[0].body
    assert services.feedback_send_owed(now=due) == 0  # sent once
    assert services.feedback_send(feedback=feedback) is False  # and a late job sends nothing
    assert len(mailoutbox) == 1


def test_the_feedback_sweep_keeps_to_its_window_and_goes_on_past_a_failure(monkeypatch, mailoutbox):
    first = Feedback.objects.create(doing="Reading", problem="First problem")
    second = Feedback.objects.create(doing="Reading", problem="Second problem")
    Feedback.objects.create(doing="Reading", problem="Already sent", emailed_at=first.created_at)
    second_ = datetime.timedelta(seconds=1)

    # Its own job may still be on its way: left alone at first; too old: left to the admin.
    assert services.feedback_send_owed(now=first.created_at + services.FEEDBACK_OWED_AFTER - second_) == 0
    assert services.feedback_send_owed(now=second.created_at + services.FEEDBACK_OWED_WITHIN + second_) == 0
    assert mailoutbox == []

    from django.core import mail

    send = mail.EmailMessage.send

    def refused_for_first(self, fail_silently=False):
        if "First problem" in self.subject:
            raise ConnectionError("Mail server unavailable")
        return send(self, fail_silently)

    due = second.created_at + services.FEEDBACK_OWED_AFTER + second_
    with monkeypatch.context() as patch:
        patch.setattr(mail.EmailMessage, "send", refused_for_first)
        assert services.feedback_send_owed(now=due) == 1
    assert [message.subject for message in mailoutbox] == ["Portal feedback: Second problem"]
    first.refresh_from_db()
    assert first.emailed_at is None  # un-claimed, so the next sweep sends it
    assert services.feedback_send_owed(now=due) == 1
    assert len(mailoutbox) == 2


def test_the_feedback_sweep_is_scheduled_and_its_task_runs_it(mailoutbox, monkeypatch):
    from django_celery_beat.models import PeriodicTask

    from portal import tasks

    owed = PeriodicTask.objects.get(task="portal.feedback_send_owed")
    assert owed.enabled and (owed.interval.every, owed.interval.period) == (10, "minutes")
    Feedback.objects.create(doing="Reading", problem="Lost job")
    later = timezone.now() + services.FEEDBACK_OWED_AFTER + datetime.timedelta(seconds=1)
    monkeypatch.setattr("portal.services.timezone.now", lambda: later)
    assert tasks.feedback_send_owed.delay().get() == 1
    assert len(mailoutbox) == 1


# The admin pages the README promises staff


def test_demo_staff_can_manage_organisations_and_their_facts_in_the_admin(client):
    demo._account("staff@example.org", "Sam Staff (demo)", Role.STAFF, True)
    staff = demo.User.objects.get(email="staff@example.org")
    organisation = Organisation.objects.create(name="Canal Robotics Ltd", kind=Organisation.Kind.FIRM)
    client.force_login(staff)
    for url in [
        "/admin/",
        "/admin/portal/organisation/",
        f"/admin/portal/organisation/{organisation.pk}/change/",
        f"/admin/portal/organisation/{organisation.pk}/history/",
        "/admin/portal/organisation/add/",
        "/admin/portal/firmyear/",
        "/admin/portal/feedback/",
        "/admin/missions/indicator/",
        "/admin/missions/observation/",
        "/admin/django_celery_beat/periodictask/",
    ]:
        assert client.get(url).status_code == 200, url


def test_staff_do_not_get_the_operators_admin_pages(client, staff_user):
    staff_user.is_staff = True
    staff_user.save(update_fields=["is_staff"])
    client.force_login(staff_user)
    assert client.get("/admin/portal/partnercredential/").status_code == 403
    assert client.get("/admin/auth/group/").status_code == 403


# The address in emails' links


def test_site_url_is_the_setting_when_set_and_a_default_for_jobs_without_a_request(settings):
    settings.SITE_URL = "https://portal.example.org/"
    assert site_url() == "https://portal.example.org"
    settings.SITE_URL = ""
    assert site_url() == "http://127.0.0.1:8000"  # no request: a scheduled job


# Client errors are logged once, as one warning line


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/no-such-page/", 404, "Not Found: /no-such-page/"),
        ("/dashboard/", 403, "Forbidden (Permission denied): /dashboard/"),
    ],
)
def test_client_errors_are_logged_as_one_warning_line_without_a_traceback(
    client, founder_user, caplog, url, status, message
):
    client.force_login(founder_user)
    with caplog.at_level(logging.INFO):
        response = client.get(url)
    assert response.status_code == status
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert [(r.levelname, r.getMessage()) for r in records] == [("WARNING", message)]
    assert records[0].exc_info is None and records[0].exc_text is None
    # Only the root logger writes: the "django" logger has no handler of its own to write it twice.
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").handlers == []


def test_a_404_is_written_once_by_a_development_server():
    # With DEBUG on, Django's own "django" handler would write every warning a second time.
    script = "import django; django.setup(); from django.test import Client; Client().get('/no-such-page/')"
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SITE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent.parent,
        env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings.local", "DEBUG": "True", "ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "/no-such-page/" in line]
    assert len(lines) == 1, result.stderr
    assert "WARNING django.request Not Found: /no-such-page/" in lines[0]
    assert "Traceback" not in result.stderr
