"""Rejected and withdrawn applications are anonymised ``WORKSPACES_RETENTION_MONTHS`` after they
were closed, by a daily job that runs each once; the aggregate figures do not change."""

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from missions.computations import workspaces as workspace_indicators
from tests.conftest import run_at_once
from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory, offered_application
from workspaces import services
from workspaces.models import Application, StatusChange
from workspaces.personal_data import application_anonymise, applications_retention_anonymise
from workspaces.tasks import applications_retention_anonymise as retention_task

pytestmark = pytest.mark.django_db

S = Application.Status


def closed(application: Application, *, months_ago: int, days: int = 0) -> Application:
    """Date the application's closing change (and everything before it) back by ``months_ago``."""
    when = timezone.now() - relativedelta(months=months_ago, days=days)
    StatusChange.objects.filter(application=application).update(created_at=when)
    Application.objects.filter(pk=application.pk).update(submitted_at=when, decided_at=when)
    return application


@pytest.fixture
def applications(staff_user, founder_user):
    workspace = WorkspaceFactory()
    rejected_old = ApplicationFactory(in_review=True, workspaces=[workspace])
    services.application_reject(application=rejected_old, actor=staff_user, reason="Too early for Ann's firm.")
    rejected_new = ApplicationFactory(in_review=True, workspaces=[workspace])
    services.application_reject(application=rejected_new, actor=staff_user, reason="Too early.")
    withdrawn_old = ApplicationFactory(submitted=True, workspaces=[workspace])
    services.application_withdraw(application=withdrawn_old, actor=withdrawn_old.applicant)
    waitlisted_old = ApplicationFactory(in_review=True, workspaces=[workspace])
    services.application_waitlist(application=waitlisted_old, actor=staff_user)
    accepted_old = offered_application(staff=staff_user, workspace=workspace)
    services.application_accept_offer(application=accepted_old, actor=accepted_old.applicant)
    for application in (rejected_old, withdrawn_old, waitlisted_old, accepted_old):
        closed(application, months_ago=24, days=1)
    closed(rejected_new, months_ago=23)
    return {
        "rejected_old": rejected_old,
        "rejected_new": rejected_new,
        "withdrawn_old": withdrawn_old,
        "waitlisted_old": waitlisted_old,
        "accepted_old": accepted_old,
    }


def test_rejected_and_withdrawn_applications_past_retention_are_anonymised(applications):
    assert applications_retention_anonymise() == 2

    for name in ("rejected_old", "withdrawn_old"):
        application = Application.objects.get(pk=applications[name].pk)
        assert application.anonymised_at is not None, name
        assert application.applicant_id is None and application.firm_name == "" and application.pitch == ""
        assert application.status in (S.REJECTED, S.WITHDRAWN) and application.submitted_at is not None
        assert not StatusChange.objects.filter(application=application).exclude(reason="").exists()
        assert not Application.history.filter(id=application.pk, applicant__isnull=False).exists()
    for name in ("rejected_new", "waitlisted_old", "accepted_old"):
        application = Application.objects.get(pk=applications[name].pk)
        assert application.anonymised_at is None and application.applicant_id is not None, name
        assert application.firm_name


def test_the_job_is_idempotent(applications):
    assert applications_retention_anonymise() == 2
    first = dict(Application.objects.filter(anonymised_at__isnull=False).values_list("pk", "anonymised_at"))
    assert applications_retention_anonymise() == 0
    assert dict(Application.objects.filter(anonymised_at__isnull=False).values_list("pk", "anonymised_at")) == first


def test_the_retention_period_counts_from_the_change_that_closed_it(applications):
    """Waitlisted over two years ago and withdrawn today: kept for another two years."""
    waitlisted = applications["waitlisted_old"]
    services.application_withdraw(application=waitlisted, actor=waitlisted.applicant)
    assert applications_retention_anonymise() == 2
    assert Application.objects.get(pk=waitlisted.pk).anonymised_at is None
    assert applications_retention_anonymise(now=timezone.now() + relativedelta(months=24, days=1)) == 2
    assert Application.objects.get(pk=waitlisted.pk).anonymised_at is not None


def test_the_aggregate_figures_do_not_change(applications):
    figures = (
        workspace_indicators.workspace_applications_received,
        workspace_indicators.workspace_applications_decided,
        workspace_indicators.workspace_decided_within_service_level,
    )
    before = [compute() for compute in figures]
    assert applications_retention_anonymise() == 2
    assert [compute() for compute in figures] == before


def test_the_applicant_no_longer_sees_it(client, applications):
    applicant = applications["rejected_old"].applicant
    client.force_login(applicant)
    page = reverse("workspaces:application-detail", args=[applications["rejected_old"].pk])
    assert client.get(page).status_code == 200
    applications_retention_anonymise()
    assert client.get(page).status_code == 404


def test_anonymising_twice_changes_nothing(applications):
    application = applications["rejected_old"]
    assert application_anonymise(application=application) is True
    stamped = Application.objects.get(pk=application.pk).anonymised_at
    assert application_anonymise(application=application) is False
    assert Application.objects.get(pk=application.pk).anonymised_at == stamped


def test_the_task_runs_the_job_and_is_scheduled_daily(applications):
    assert retention_task.delay().get() == 2
    task = PeriodicTask.objects.get(task="workspaces.applications_retention_anonymise")
    assert task.enabled and task.crontab.hour == "3" and task.crontab.day_of_week == "*"


def test_the_retention_period_is_a_setting(applications, settings):
    settings.WORKSPACES_RETENTION_MONTHS = 12
    assert applications_retention_anonymise() == 3  # rejected_new too, 23 months ago


def rejected_long_ago(staff, count: int) -> list[Application]:
    made = []
    for _ in range(count):
        application = ApplicationFactory(in_review=True)
        services.application_reject(application=application, actor=staff, reason="Not this time.")
        made.append(closed(application, months_ago=30))
    return made


def test_the_job_runs_the_same_statements_for_many_applications(staff_user, count_queries):
    rejected_long_ago(staff_user, 2)
    with count_queries() as few:
        assert applications_retention_anonymise() == 2
    rejected_long_ago(staff_user, 20)
    with count_queries() as many:
        assert applications_retention_anonymise() == 20
    assert many.count == few.count, [q["sql"] for q in many.captured_queries]


def test_the_job_works_in_batches(staff_user):
    rejected_long_ago(staff_user, 5)
    assert applications_retention_anonymise(batch_size=2) == 5
    assert not Application.objects.filter(anonymised_at__isnull=True, status=S.REJECTED).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_anonymise_each_application_once(postgres, make_user):
    rejected_long_ago(make_user("staff"), 8)
    results = run_at_once([lambda: applications_retention_anonymise(batch_size=3)] * 2)
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 8
    assert Application.objects.filter(anonymised_at__isnull=False).count() == 8
