"""The KPI refresh: idempotent, single-flight, one transaction per indicator, and a run whose
worker died is marked failed instead of staying "running"."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from missions import services, tasks
from missions.catalogue import indicator_catalogue_sync
from missions.models import Indicator, Observation, RefreshRun
from portal.models import FirmYear, LocalAuthority, Organisation
from tests.missions.factories import IndicatorFactory, ObservationFactory, RefreshRunFactory
from tests.portal.factories import FirmYearFactory, OrganisationFactory
from tests.workspaces.factories import offered_application
from workspaces import services as workspace_services

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def firms_build(count: int = 30) -> None:
    """Firms born 2012–2016 across the boroughs, some dissolved, with staff counts that grow."""
    boroughs = [choice for choice in LocalAuthority.values if choice != LocalAuthority.OUTSIDE]
    for index in range(count):
        firm = OrganisationFactory(
            company_number="",
            founded_on=datetime.date(2012 + index % 5, 3, 1),
            dissolved_on=datetime.date(2016 + index % 4, 6, 1) if index % 3 == 0 else None,
            local_authority=boroughs[index % len(boroughs)],
        )
        FirmYear.objects.bulk_create(
            FirmYearFactory.build(organisation=firm, year=year, employees=10 + index * (year - 2014))
            for year in (2015, 2018, 2021)
        )


def snapshot() -> set[tuple]:
    """The computed observations as their natural key and numbers (timestamps excluded)."""
    return set(
        Observation.objects.filter(status=Observation.Status.COMPUTED).values_list(
            "indicator__code",
            "period_label",
            "geography__code",
            "period_start",
            "period_end",
            "value",
            "numerator",
            "denominator",
            "suppressed",
        )
    )


def refresh() -> RefreshRun:
    run, created = services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    assert created
    return services.refresh_run_execute(run_id=run.pk)


@pytest.fixture
def catalogue(db):
    indicator_catalogue_sync()
    return Indicator.objects.filter(method=Indicator.Method.COMPUTED).count()


@pytest.mark.django_db
def test_a_run_computes_every_computed_indicator_and_reaches_100_percent(catalogue, staff_user):
    firms_build()
    # One of those firms takes desks in a workspace, so the workspace indicators have values too.
    supported = Organisation.objects.filter(kind=Organisation.Kind.FIRM).order_by("pk").last()
    offer = offered_application(staff=staff_user, organisation=supported, start_on=timezone.localdate())
    workspace_services.application_accept_offer(application=offer, actor=offer.applicant)
    run = refresh()
    assert run.status == RefreshRun.Status.SUCCEEDED
    assert run.indicators_done == run.indicators_total == catalogue
    assert run.percent == 100
    assert run.started_at <= run.finished_at
    computed = set(Observation.objects.filter(status="computed").values_list("indicator__code", flat=True))
    assert computed == set(Indicator.objects.filter(method="computed").values_list("code", flat=True))
    survival = Observation.objects.get(indicator__code="M1-04-1Y", period_label="2012", status="computed")
    assert survival.geography.code == "E47000007"
    assert survival.denominator == 6  # the firms born in 2012
    assert survival.computed_at is not None


@pytest.mark.django_db
def test_running_twice_leaves_exactly_the_same_observations(catalogue):
    firms_build()
    refresh()
    first = snapshot()
    ids = set(Observation.objects.values_list("pk", flat=True))
    refresh()
    assert snapshot() == first
    # Upserts on the natural key: the same rows were updated, none added or replaced.
    assert set(Observation.objects.values_list("pk", flat=True)) == ids


@pytest.mark.django_db
def test_periods_no_longer_produced_are_removed_and_other_statuses_are_kept(catalogue):
    firms_build()
    comparator = ObservationFactory(
        indicator=Indicator.objects.get(code="M1-04-1Y"), status=Observation.Status.PUBLISHED, year=2012
    )
    refresh()
    assert Observation.objects.filter(indicator__code="M1-04-1Y", period_label="2016", status="computed").exists()
    Organisation.objects.filter(founded_on__year=2016).delete()
    refresh()
    assert not Observation.objects.filter(indicator__code="M1-04-1Y", period_label="2016", status="computed").exists()
    comparator.refresh_from_db()  # the official figure beside it is never touched


@pytest.mark.django_db
def test_a_broken_indicator_fails_the_run_but_not_the_others(catalogue):
    firms_build()
    IndicatorFactory(code="M1-99", computed=True, computation="no_such_function")
    run = refresh()
    assert run.status == RefreshRun.Status.FAILED
    assert "no_such_function" in run.error
    assert run.indicators_done == run.indicators_total == catalogue + 1
    assert Observation.objects.filter(indicator__code="M1-04-1Y", status="computed").exists()


@pytest.mark.django_db
def test_a_second_request_joins_the_open_run():
    first, created = services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    second, joined_created = services.refresh_run_create(trigger=RefreshRun.Trigger.API)
    assert created and not joined_created
    assert second == first
    assert RefreshRun.objects.count() == 1


@pytest.mark.django_db
def test_a_finished_run_is_not_run_again(catalogue):
    run = refresh()
    assert services.refresh_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.SUCCEEDED


@pytest.mark.django_db
def test_a_run_whose_worker_stopped_is_marked_failed_and_no_longer_blocks(settings):
    now = timezone.now()
    dead = RefreshRunFactory(status=RefreshRun.Status.RUNNING, heartbeat_at=now - datetime.timedelta(minutes=11))
    assert services.refresh_runs_reap(now=now) == 1
    dead.refresh_from_db()
    assert dead.status == RefreshRun.Status.FAILED
    assert "worker stopped" in dead.error
    assert services.refresh_run_execute(run_id=dead.pk) is None  # a late redelivery leaves it alone

    alive = RefreshRunFactory(status=RefreshRun.Status.RUNNING, heartbeat_at=now - datetime.timedelta(minutes=9))
    assert services.refresh_runs_reap(now=now) == 0
    alive.refresh_from_db()
    assert alive.status == RefreshRun.Status.RUNNING


@pytest.mark.django_db
def test_a_queued_run_never_picked_up_times_out():
    run = RefreshRunFactory()
    later = timezone.now() + datetime.timedelta(minutes=31)
    assert services.refresh_runs_reap(now=later) == 1
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.FAILED


@pytest.mark.django_db
def test_a_request_after_a_dead_run_opens_a_new_one():
    dead = RefreshRunFactory(
        status=RefreshRun.Status.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    run, created = services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    assert created and run != dead


@pytest.mark.django_db
def test_request_starts_the_task_only_after_commit(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run, created = services.refresh_run_request(trigger=RefreshRun.Trigger.STAFF)
        run.refresh_from_db()
        assert run.status == RefreshRun.Status.QUEUED
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.SUCCEEDED
    # Joining an open run enqueues nothing more.
    RefreshRunFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        services.refresh_run_request(trigger=RefreshRun.Trigger.STAFF)
    assert callbacks == []


@pytest.mark.django_db
def test_the_scheduled_task_opens_its_own_run_or_leaves_an_open_one_alone(catalogue):
    result = tasks.refresh_kpis.apply().get()
    run = RefreshRun.objects.get(pk=result["run"])
    assert run.trigger == RefreshRun.Trigger.SCHEDULE
    assert run.status == RefreshRun.Status.SUCCEEDED
    RefreshRunFactory()
    assert tasks.refresh_kpis.apply().get() is None


@pytest.mark.django_db
def test_the_hourly_schedule_exists():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="missions.refresh_kpis")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "hours")


def _in_threads(*functions):
    errors = []

    def call(function):
        try:
            function()
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


@TRANSACTIONAL
def test_two_requests_at_the_same_moment_open_one_run(postgres):
    barrier = threading.Barrier(8)
    results = []

    def request():
        barrier.wait()
        results.append(services.refresh_run_create(trigger=RefreshRun.Trigger.API))

    _in_threads(*[request] * 8)
    assert sum(created for _, created in results) == 1
    assert len({run.pk for run, _ in results}) == 1
    assert RefreshRun.objects.count() == 1


@TRANSACTIONAL
def test_the_same_run_delivered_twice_at_once_gives_the_clean_result(postgres):
    indicator_catalogue_sync()
    firms_build()
    refresh()
    clean = snapshot()
    Observation.objects.filter(status="computed").delete()

    run, _ = services.refresh_run_create(trigger=RefreshRun.Trigger.API)
    barrier = threading.Barrier(2)

    def execute():
        barrier.wait()
        services.refresh_run_execute(run_id=run.pk)

    _in_threads(execute, execute)
    assert snapshot() == clean
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.SUCCEEDED
    assert run.indicators_done == run.indicators_total
