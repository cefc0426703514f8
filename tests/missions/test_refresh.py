"""The KPI refresh: idempotent, single-flight, one transaction per indicator, and a run whose
worker died is marked failed instead of staying "running"."""

import datetime
import re
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from missions import services, tasks
from missions.catalogue import indicator_catalogue_sync
from missions.models import Geography, Indicator, Observation, RefreshRun
from missions.registry import REGISTRY, period_value, year_period
from portal.models import FirmYear, LocalAuthority, Organisation
from tests.ambassadors.network_factories import ActivityFactory, AmbassadorFactory, LeadFactory
from tests.conftest import run_at_once
from tests.funding.budget_factories import BudgetLineFactory, SpendEntryFactory
from tests.funding.factories import InvestmentFactory, InvestorFactory, OpportunityFactory
from tests.missions.factories import IndicatorFactory, ObservationFactory, RefreshRunFactory
from tests.portal.factories import FirmYearFactory, OrganisationFactory
from tests.workspaces.factories import offered_application
from workspaces import services as workspace_services

TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def firms_build(count: int = 30) -> None:
    """Firms born 2012–2016 across the boroughs, some dissolved, with staff counts that grow; the
    first raised a UK-led equity round, so the funding indicators (first by code) have values."""
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
        if index == 0:
            InvestmentFactory(firm=firm, lead=(InvestorFactory(), "GB"))


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
    # An ambassador with an activity and a landed project of each type, for the network's indicators.
    ambassador = AmbassadorFactory()
    ActivityFactory(ambassador=ambassador)
    for kind in ("fdi", "uk_office", "expansion"):
        LeadFactory(landed=True, kind=kind, referred_by=ambassador, landed_on=timezone.localdate())
    # A plan line and a cost, for the budget's indicators.
    BudgetLineFactory()
    SpendEntryFactory()
    # A UK-led round and a grant through a listed opportunity, for the funding indicators.
    InvestmentFactory(firm=supported, lead=(InvestorFactory(), "GB"))
    InvestmentFactory(firm=supported, grant=True, lead=(InvestorFactory(), "GB"), opportunity=OpportunityFactory())
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
def test_the_clean_up_is_one_fixed_size_statement_and_history_records_what_it_removes(monkeypatch):
    indicator = IndicatorFactory(computed=True, computation="test_years")
    geographies = dict(Geography.objects.values_list("code", "pk"))
    selecting = []
    for years in (range(2000, 2040), range(2010, 2012)):
        values = [period_value(*year_period(year), Decimal(year)) for year in years]
        monkeypatch.setitem(REGISTRY, "test_years", lambda values=values: values)
        with CaptureQueriesContext(connection) as queries:
            assert services._indicator_refresh(indicator.pk, "test_years", geographies) == len(values)
        # The statement that finds the rows no longer produced (the delete reads them first).
        sql = [q["sql"] for q in queries.captured_queries if "NOT" in q["sql"] and "computed_at" in q["sql"]]
        assert len(sql) == 1, sql
        selecting.append(re.sub(r"'[^']*'", "'?'", sql[0].split(" WHERE ", 1)[1]))  # literals aside
    # The same condition whatever the number of values produced: no term per value.
    assert all("period_label" not in where and " OR " not in where for where in selecting)
    assert selecting[0] == selecting[1]
    assert set(Observation.objects.filter(indicator=indicator).values_list("period_label", flat=True)) == {
        "2010",
        "2011",
    }
    # Removing computed values goes through the history (the upserts themselves write none).
    removed = Observation.history.filter(indicator_id=indicator.pk, history_type="-")
    assert removed.count() == 38
    assert not Observation.history.filter(indicator_id=indicator.pk).exclude(history_type="-").exists()


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
def test_a_duplicate_delivery_of_a_running_run_keeps_its_start_and_never_moves_progress_back(catalogue, monkeypatch):
    firms_build()
    started = timezone.now() - datetime.timedelta(minutes=2)
    run = RefreshRunFactory(
        status=RefreshRun.Status.RUNNING,
        started_at=started,
        heartbeat_at=timezone.now(),
        indicators_done=3,
        indicators_total=catalogue,
    )
    seen = []
    refresh_one = services._indicator_refresh

    def watched(*args):
        seen.append(RefreshRun.objects.values_list("indicators_done", "started_at").get(pk=run.pk))
        return refresh_one(*args)

    monkeypatch.setattr(services, "_indicator_refresh", watched)
    finished = services.refresh_run_execute(run_id=run.pk)
    assert finished.status == RefreshRun.Status.SUCCEEDED
    assert finished.started_at == started
    assert finished.indicators_done == finished.indicators_total == catalogue
    assert seen[0] == (3, started)  # joined where the first delivery had got to
    done = [done for done, _ in seen]
    assert done == sorted(done) and min(done) == 3


@pytest.mark.django_db
def test_a_queued_run_starts_now_from_zero(catalogue):
    run = RefreshRunFactory()
    before = timezone.now()
    finished = services.refresh_run_execute(run_id=run.pk)
    assert finished.started_at >= before
    assert finished.indicators_done == finished.indicators_total == catalogue


@pytest.mark.django_db
def test_start_opens_and_runs_a_refresh_or_leaves_an_open_one_alone(catalogue):
    run = services.refresh_run_start(trigger=RefreshRun.Trigger.STAFF)
    assert (run.trigger, run.status) == (RefreshRun.Trigger.STAFF, RefreshRun.Status.SUCCEEDED)
    assert services.refresh_run_start(trigger=RefreshRun.Trigger.STAFF, run_id=run.pk) is None  # finished
    RefreshRunFactory()
    assert services.refresh_run_start(trigger=RefreshRun.Trigger.STAFF) is None
    assert RefreshRun.objects.count() == 2


@pytest.mark.django_db
def test_a_run_whose_worker_stopped_is_marked_failed_and_no_longer_blocks(settings):
    now, stale = timezone.now(), settings.KPI_REFRESH_STALE_AFTER
    assert stale == datetime.timedelta(seconds=60)  # the stated default: about a minute
    second = datetime.timedelta(seconds=1)
    dead = RefreshRunFactory(status=RefreshRun.Status.RUNNING, heartbeat_at=now - stale - second)
    assert services.refresh_runs_reap(now=now) == 1
    dead.refresh_from_db()
    assert dead.status == RefreshRun.Status.FAILED
    assert dead.finished_at == now
    assert "The worker stopped: no heartbeat for 60 seconds." in dead.error
    assert services.refresh_run_execute(run_id=dead.pk) is None  # a late redelivery leaves it alone

    alive = RefreshRunFactory(status=RefreshRun.Status.RUNNING, heartbeat_at=now - stale + second)
    assert services.refresh_runs_reap(now=now) == 0
    alive.refresh_from_db()
    assert alive.status == RefreshRun.Status.RUNNING


@pytest.mark.django_db
def test_a_queued_run_never_picked_up_times_out(settings):
    assert settings.KPI_REFRESH_QUEUED_TIMEOUT.total_seconds() == 60  # the stated default
    run = RefreshRunFactory()
    assert run.stale_after_seconds == 60
    assert services.refresh_runs_reap(now=run.created_at + datetime.timedelta(seconds=59)) == 0
    assert services.refresh_runs_reap(now=run.created_at + datetime.timedelta(seconds=61)) == 1
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.FAILED
    assert "No worker picked this run up within 60 seconds" in run.error


@pytest.mark.django_db
def test_a_queued_run_whose_message_was_lost_does_not_block_the_next_request(settings):
    # Queued before the broker restarted empty: no message will ever start it.
    lost = RefreshRunFactory()
    RefreshRun.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - settings.KPI_REFRESH_QUEUED_TIMEOUT - datetime.timedelta(seconds=1)
    )
    run, created = services.refresh_run_request(trigger=RefreshRun.Trigger.API)
    assert created and run != lost
    lost.refresh_from_db()
    assert lost.status == RefreshRun.Status.FAILED


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


@pytest.mark.django_db
def test_the_reap_job_runs_every_minute_and_fails_dead_runs():
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="missions.refresh_runs_reap")
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (1, "minutes")
    dead = RefreshRunFactory(
        status=RefreshRun.Status.RUNNING, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert tasks.refresh_runs_reap.apply().get() == 1
    dead.refresh_from_db()
    assert dead.status == RefreshRun.Status.FAILED


def succeeded(results: list) -> list:
    """The results of ``run_at_once``, failing the test on any exception a thread raised."""
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors
    return results


@TRANSACTIONAL
def test_two_requests_at_the_same_moment_open_one_run(postgres):
    def request():
        return services.refresh_run_create(trigger=RefreshRun.Trigger.API)

    results = succeeded(run_at_once([request] * 8))
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

    def execute():
        return services.refresh_run_execute(run_id=run.pk)

    succeeded(run_at_once([execute, execute]))
    assert snapshot() == clean
    run.refresh_from_db()
    assert run.status == RefreshRun.Status.SUCCEEDED
    assert run.indicators_done == run.indicators_total


@TRANSACTIONAL
def test_a_long_indicator_keeps_the_heartbeat_fresh(postgres, settings, monkeypatch):
    # A stale time of one second, so the worker beats every tenth of a second; one indicator that
    # computes for three times as long, and looks at its own run all the while, as the pages do.
    settings.KPI_REFRESH_STALE_AFTER = datetime.timedelta(seconds=1)
    IndicatorFactory(computed=True, computation="test_slow")
    seen = []

    def slow():
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            time.sleep(0.2)
            assert services.refresh_runs_reap() == 0  # never taken for dead
            seen.append(timezone.now() - RefreshRun.objects.get(pk=run.pk).heartbeat_at)
        return []

    monkeypatch.setitem(REGISTRY, "test_slow", slow)
    run, _ = services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    finished = services.refresh_run_execute(run_id=run.pk)
    assert finished.status == RefreshRun.Status.SUCCEEDED, finished.error
    assert len(seen) >= 10
    assert max(seen) < datetime.timedelta(seconds=0.5), seen
    # The beats stopped with the run: the heartbeat stays where the run left it.
    time.sleep(0.5)
    run.refresh_from_db()
    assert run.heartbeat_at <= run.finished_at
