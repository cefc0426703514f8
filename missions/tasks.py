"""Celery tasks of the missions app: thin wrappers that call one service."""

from celery import shared_task

from portal.tasks import RETRY

from . import services
from .models import RefreshRun


@shared_task(name="missions.refresh_kpis", **RETRY)
def refresh_kpis(run_id: int | None = None) -> dict | None:
    """Run a requested refresh, or (scheduled, no id) open one and run it unless one is already
    open: ``services.refresh_run_start``. Idempotent: a run that is no longer open is left alone."""
    run = services.refresh_run_start(trigger=RefreshRun.Trigger.SCHEDULE, run_id=run_id)
    return None if run is None else {"run": run.pk, "status": run.status, "done": run.indicators_done}


@shared_task(name="missions.refresh_runs_reap", **RETRY)
def refresh_runs_reap() -> int:
    """Scheduled every minute: mark failed the open runs that show no sign of life, so a refresh
    whose worker died stops blocking the next one even when nobody looks:
    ``services.refresh_runs_reap``. Idempotent."""
    return services.refresh_runs_reap()
