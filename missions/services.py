"""Writes of the missions app: the KPI refresh and reported observations."""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, PositiveIntegerField, Q, When
from django.db.models import Value as SQLValue
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from portal.jobs import job_enqueue_on_commit, job_heartbeat
from portal.page_cache import data_version_bump
from portal.webhooks import webhook_event_emit, webhook_events_emit

from .models import Geography, Indicator, Observation, RefreshRun
from .permissions import can_report_indicator
from .registry import REGISTRY, RUN_LAST, period_label
from .values import observation_errors

logger = logging.getLogger(__name__)

COMPUTED_FIELDS = ["period_start", "period_end", "value", "numerator", "denominator", "suppressed", "computed_at"]


# KPI refresh ----------------------------------------------------------------------------------


def refresh_run_create(*, trigger: str, requested_by=None) -> tuple[RefreshRun, bool]:
    """Open a queued run, or join the one already open: returns ``(run, created)``.

    Single-flight rests on the database: a partial unique index lets at most one run be queued or
    running, so two requests at the same moment cannot both create one. A run whose worker died
    is marked failed first, so it never blocks the next one.
    """
    refresh_runs_reap()
    try:
        with transaction.atomic():
            run = RefreshRun.objects.create(trigger=trigger, requested_by=requested_by)
            data_version_bump("refreshes")
            return run, True
    except IntegrityError:
        run = RefreshRun.objects.filter(status__in=RefreshRun.OPEN_STATUSES).first()
        if run is None:  # it finished between our insert and this read: open a fresh one
            return refresh_run_create(trigger=trigger, requested_by=requested_by)
        return run, False


def refresh_run_request(*, trigger: str, requested_by=None) -> tuple[RefreshRun, bool]:
    """Staff button and API: open a run (or join the open one) and start it on a worker once the
    surrounding transaction commits.

    Raises BrokerUnavailableError (within about a second) when the broker does not take the job;
    the run it opened is marked failed first, so nothing is left open to block the next request.
    """
    from .tasks import refresh_kpis

    run, created = refresh_run_create(trigger=trigger, requested_by=requested_by)
    if created:
        job_enqueue_on_commit(refresh_kpis, run.pk, undo=lambda: _refresh_run_abandon(run.pk))
    return run, created


@transaction.atomic
def _refresh_run_abandon(run_id: int) -> None:
    if RefreshRun.objects.filter(pk=run_id, status=RefreshRun.Status.QUEUED).update(
        status=RefreshRun.Status.FAILED,
        finished_at=timezone.now(),
        error="The background-job broker was not answering, so this run was never started.",
    ):
        data_version_bump("refreshes")


def refresh_run_start(*, trigger: str, run_id: int | None = None) -> RefreshRun | None:
    """Run a refresh in this process: run ``run_id``, or without one open a run with ``trigger``
    and run it. Returns the finished run, or None when there was nothing to do: the run is no
    longer open, or (without an id) another run is already open. Idempotent, as
    ``refresh_run_execute`` is."""
    if run_id is None:
        run, created = refresh_run_create(trigger=trigger)
        if not created:
            return None
        run_id = run.pk
    return refresh_run_execute(run_id=run_id)


def refresh_runs_reap(*, now: datetime.datetime | None = None) -> int:
    """Mark failed the open runs that show no sign of life, so none blocks the next refresh:
    running with no heartbeat for ``KPI_REFRESH_STALE_AFTER`` (its worker died: a live worker
    beats every tenth of that, even inside one long indicator), or queued and claimed by no worker
    within ``KPI_REFRESH_QUEUED_TIMEOUT`` (its message was lost, say by a broker restarted empty,
    or no worker is running). Returns how many. Idempotent; one UPDATE, cheap when nothing is
    stale, so every request, page and API read of runs calls it, as does a job every minute."""
    now = now or timezone.now()
    stale_after, queued_timeout = settings.KPI_REFRESH_STALE_AFTER, settings.KPI_REFRESH_QUEUED_TIMEOUT
    running = Q(status=RefreshRun.Status.RUNNING, heartbeat_at__lt=now - stale_after)
    queued = Q(status=RefreshRun.Status.QUEUED, created_at__lt=now - queued_timeout)
    with transaction.atomic():
        reaped = RefreshRun.objects.filter(running | queued).update(
            status=RefreshRun.Status.FAILED,
            finished_at=now,
            error=Case(
                When(
                    status=RefreshRun.Status.QUEUED,
                    then=SQLValue(
                        f"No worker picked this run up within {queued_timeout.total_seconds():.0f} seconds: its "
                        "job was lost (the broker may have restarted) or no worker is running."
                    ),
                ),
                default=SQLValue(
                    f"The worker stopped: no heartbeat for {stale_after.total_seconds():.0f} seconds. Values "
                    "already written are complete per indicator."
                ),
                output_field=CharField(),
            ),
        )
        if reaped:
            data_version_bump("refreshes")
    return reaped


def refresh_run_execute(*, run_id: int) -> RefreshRun | None:
    """Recompute every computed indicator for all periods, one transaction per indicator.

    Safe to run twice, at once or after a crash: each indicator's rows are locked, upserted on
    their natural key and the periods no longer produced are deleted, all in one transaction, so
    a reader sees either the old or the new set of an indicator, never a mix. Returns None when
    the run is no longer open (it finished, or was marked failed after its worker died).

    A second delivery of a run that is already running (a redelivered task) joins it: its start
    time and progress are kept, never moved back.

    While it runs, a thread stamps the run's heartbeat every tenth of ``KPI_REFRESH_STALE_AFTER``,
    even inside one long indicator, so ``refresh_runs_reap`` fails it only once this process died.
    """
    every = settings.KPI_REFRESH_STALE_AFTER.total_seconds() / 10
    with job_heartbeat(lambda: _heartbeat(run_id), every=every):
        return _refresh_run_execute(run_id)


def _refresh_run_execute(run_id: int) -> RefreshRun | None:
    now = timezone.now()
    # By code, the computations that measure the others (RUN_LAST: open data freshness) last.
    indicators = list(
        Indicator.objects.filter(method=Indicator.Method.COMPUTED)
        .annotate(last=Case(When(computation__in=sorted(RUN_LAST), then=SQLValue(1)), default=SQLValue(0)))
        .order_by("last", "code")
        .values_list("pk", "computation")
    )
    with transaction.atomic():
        claimed = _refresh_run_claim(run_id, now, len(indicators))
        if claimed:
            data_version_bump("refreshes")
    if not claimed:
        return None
    geographies = dict(Geography.objects.values_list("code", "pk"))
    failures = []
    for done, (indicator_id, key) in enumerate(indicators, start=1):
        try:
            with transaction.atomic():
                _indicator_refresh(indicator_id, key, geographies)
                _progress(run_id, done)
        except Exception as error:  # one broken indicator must not stop the others
            logger.exception("KPI refresh %s: indicator %s (%s) failed", run_id, indicator_id, key)
            failures.append(f"{key}: {error}")
            _progress(run_id, done)
    with transaction.atomic():
        finished = RefreshRun.Status.FAILED if failures else RefreshRun.Status.SUCCEEDED
        if RefreshRun.objects.filter(pk=run_id, status=RefreshRun.Status.RUNNING).update(
            status=finished, finished_at=timezone.now(), error="\n".join(failures)
        ):
            webhook_event_emit(
                event="kpi_refresh.finished",
                data={"run": run_id, "status": finished, "indicators": len(indicators), "failed": len(failures)},
            )
            data_version_bump("refreshes")
    return RefreshRun.objects.get(pk=run_id)


def _refresh_run_claim(run_id: int, now: datetime.datetime, total: int) -> int:
    # The right-hand sides read the row as it was, so ``status`` below is the status before the
    # claim. Greatest: a total never drops below the progress already made (a check constraint).
    return RefreshRun.objects.filter(pk=run_id, status__in=RefreshRun.OPEN_STATUSES).update(
        status=RefreshRun.Status.RUNNING,
        started_at=Coalesce("started_at", SQLValue(now)),
        heartbeat_at=now,
        indicators_total=Greatest("indicators_total", SQLValue(total), output_field=PositiveIntegerField()),
        indicators_done=Case(
            When(status=RefreshRun.Status.QUEUED, then=SQLValue(0)),
            default=F("indicators_done"),
            output_field=PositiveIntegerField(),
        ),
        error="",
    )


def _heartbeat(run_id: int) -> None:
    # SKIP LOCKED: a row locked by the run's own indicator transaction is about to be stamped by
    # ``_progress``, so the beat never waits behind it.
    with transaction.atomic():
        running = RefreshRun.objects.select_for_update(skip_locked=True).filter(
            pk=run_id, status=RefreshRun.Status.RUNNING
        )
        RefreshRun.objects.filter(pk__in=running.values("pk")).update(heartbeat_at=timezone.now())


@transaction.atomic
def _progress(run_id: int, done: int) -> None:
    # Greatest: a duplicate delivery of the same run never moves progress backwards.
    if RefreshRun.objects.filter(pk=run_id, status=RefreshRun.Status.RUNNING).update(
        indicators_done=Greatest("indicators_done", done), heartbeat_at=timezone.now()
    ):
        data_version_bump("refreshes")


def _indicator_refresh(indicator_id: int, key: str, geographies: dict[str, int]) -> int:
    """Upsert one indicator's computed observations; delete the ones no longer produced.

    Every upserted row gets this call's ``computed_at``, so "no longer produced" is every other
    computed row of the indicator: one fixed-size DELETE whatever the output. The delete goes
    through ``QuerySet.delete()`` on purpose: the observation history (simple_history) records
    each computed value that disappears, which loads those rows first. The upserts themselves write
    no history (``bulk_create`` sends no signals): a computed value's history is its deletion only;
    reported values keep their full history.
    """
    # The row lock serialises two runs over the same indicator.
    Indicator.objects.select_for_update().filter(pk=indicator_id).first()
    if key not in REGISTRY:
        raise LookupError(f"no registered computation {key!r}")
    now = timezone.now()
    rows = [
        Observation(
            indicator_id=indicator_id,
            period_label=value.period_label,
            period_start=value.period_start,
            period_end=value.period_end,
            geography_id=geographies[value.geography_code],
            status=Observation.Status.COMPUTED,
            value=value.value,
            numerator=value.numerator,
            denominator=value.denominator,
            suppressed=value.suppressed,
            computed_at=now,
        )
        for value in REGISTRY[key]()
    ]
    Observation.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["indicator", "period_label", "geography", "status"],
        update_fields=COMPUTED_FIELDS,
    )
    Observation.objects.filter(indicator_id=indicator_id, status=Observation.Status.COMPUTED).exclude(
        computed_at=now
    ).delete()
    data_version_bump("missions")
    return len(rows)


# Reported observations ------------------------------------------------------------------------


def observation_submit(
    *,
    indicator: Indicator,
    geography: Geography,
    period_start: datetime.date,
    period_end: datetime.date,
    value: Decimal | None,
    bound: str = Observation.Bound.EXACT,
    suppressed: bool = False,
    source_title: str = "",
    source_url: str = "",
    source_date: str = "",
    notes: str = "",
    submitted_by=None,
    organisation=None,
) -> tuple[Observation, bool]:
    """Record a reported value; returns ``(observation, created)``.

    Staff may report any reported indicator; a partner organisation only those it owns. A second
    submission for the same indicator, period and geography replaces the first, and the earlier
    value stays in the observation's history. Raises ``ValidationError`` keyed by field, with every
    broken rule at once: the value must fit the indicator's unit and the period its frequency
    (``missions.values``), a suppressed value has no value, a bound needs one.
    """
    _observation_report_check(indicator, submitted_by, organisation)
    item = {
        "geography": geography,
        "period_start": period_start,
        "period_end": period_end,
        "value": value,
        "bound": bound,
        "suppressed": suppressed,
        "source_title": source_title,
        "source_url": source_url,
        "source_date": source_date,
        "notes": notes,
    }
    observation, errors = _observation_build(indicator, item, submitted_by, organisation)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        result = _observation_upsert(observation)
        _observations_published(indicator, [result[0]])
        data_version_bump("missions")
    return result


BULK_LIMIT = 1000


def observations_submit_bulk(
    *, indicator: Indicator, items: list[dict], submitted_by=None, organisation=None
) -> list[tuple[Observation, bool]]:
    """Record up to ``BULK_LIMIT`` reported values of one indicator, all or nothing; returns
    ``(observation, created)`` per item, in order.

    Each item is checked as ``observation_submit`` checks one, and two items for the same period
    and geography are refused. Raises ``ValidationError`` keyed ``"<index>.<field>"`` (index from
    0) naming every broken rule of every item, and writes nothing; ``PermissionDenied`` as
    ``observation_submit`` does.
    """
    _observation_report_check(indicator, submitted_by, organisation)
    if len(items) > BULK_LIMIT:
        raise ValidationError({"non_field_errors": f"Send at most {BULK_LIMIT} values in one request."})
    errors, observations, seen = {}, [], {}
    for index, item in enumerate(items):
        observation, item_errors = _observation_build(indicator, item, submitted_by, organisation)
        key = (item["geography"].pk, observation.period_label)
        if not item_errors and key in seen:
            item_errors = {"period_start": f"Item {seen[key]} already reports this period and geography."}
        seen.setdefault(key, index)
        errors.update({f"{index}.{field}": message for field, message in item_errors.items()})
        observations.append(observation)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        results = [_observation_upsert(observation) for observation in observations]
        _observations_published(indicator, [observation for observation, _ in results])
        data_version_bump("missions")
    return results


def _observation_report_check(indicator: Indicator, submitted_by, organisation) -> None:
    if not can_report_indicator(submitted_by, indicator, organisation=organisation):
        if indicator.method != Indicator.Method.REPORTED:
            raise ValidationError({"indicator": "This indicator is computed by the portal, not reported."})
        raise PermissionDenied("Your organisation does not own this indicator.")


def _observation_build(indicator: Indicator, item: dict, submitted_by, organisation) -> tuple[Observation, dict]:
    """The unsaved observation of one reported value and its errors by field (empty when valid)."""
    value, suppressed = item.get("value"), item.get("suppressed", False)
    bound = item.get("bound", Observation.Bound.EXACT)
    period_start, period_end = item["period_start"], item["period_end"]
    errors = observation_errors(
        indicator=indicator,
        value=value,
        period_start=period_start,
        period_end=period_end,
        bound=bound,
        suppressed=suppressed,
    )
    observation = Observation(
        indicator=indicator,
        geography=item["geography"],
        period_label=period_label(period_start, period_end) if period_start <= period_end else "",
        status=Observation.Status.REPORTED,
        period_start=period_start,
        period_end=period_end,
        value=value,
        bound=bound,
        suppressed=suppressed,
        source_title=item.get("source_title", ""),
        source_url=item.get("source_url", ""),
        source_date=item.get("source_date", ""),
        notes=item.get("notes", ""),
        submitted_by=submitted_by if submitted_by and submitted_by.is_authenticated else None,
        submitted_by_organisation=organisation,
    )
    if not errors:
        try:
            observation.full_clean(
                exclude=["indicator", "geography"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            errors.update({field: messages[0] for field, messages in error.message_dict.items()})
    return observation, errors


def _observations_published(indicator: Indicator, observations: list[Observation]) -> None:
    """Tell the partners subscribed to it: everyone of a public indicator, only its owner of one
    that is not public."""
    webhook_events_emit(
        event="observation.published",
        data_list=[
            {
                "indicator": indicator.code,
                "geography": observation.geography.code,
                "period": observation.period_label,
                "period_start": observation.period_start.isoformat(),
                "period_end": observation.period_end.isoformat(),
                "value": None if observation.value is None else str(observation.value),
                "bound": observation.bound,
                "suppressed": observation.suppressed,
                "status": observation.status,
            }
            for observation in observations
        ],
        organisation_ids=None if indicator.is_public else {indicator.owner_id} - {None},
    )


def _observation_upsert(observation: Observation) -> tuple[Observation, bool]:
    # update_or_create, not a bulk upsert: a replaced value must stay in the observation's history.
    fields = {
        name: getattr(observation, name)
        for name in (
            "period_start",
            "period_end",
            "value",
            "bound",
            "suppressed",
            "source_title",
            "source_url",
            "source_date",
            "notes",
            "submitted_by",
            "submitted_by_organisation",
        )
    }
    return Observation.objects.update_or_create(
        indicator=observation.indicator,
        geography=observation.geography,
        period_label=observation.period_label,
        status=Observation.Status.REPORTED,
        defaults=fields,
    )
