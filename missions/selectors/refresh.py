"""Reads of KPI refresh runs for the staff pages."""

from ..models import RefreshRun

RECENT_RUNS = 10


def refresh_run_latest() -> RefreshRun | None:
    """The most recently requested run (open or finished), or None before the first. One query."""
    return RefreshRun.objects.order_by("-created_at", "-pk").first()


def refresh_run_list(*, limit: int = RECENT_RUNS) -> list[RefreshRun]:
    """The ``limit`` most recently requested runs, newest first. One query."""
    return list(RefreshRun.objects.order_by("-created_at", "-pk")[:limit])
