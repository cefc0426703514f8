"""Reads of KPI refresh runs for the staff pages."""

from ..models import RefreshRun

RECENT_RUNS = 10


def refresh_run_latest() -> RefreshRun | None:
    return RefreshRun.objects.select_related("requested_by").order_by("-created_at", "-pk").first()


def refresh_run_list(*, limit: int = RECENT_RUNS) -> list[RefreshRun]:
    return list(RefreshRun.objects.order_by("-created_at", "-pk")[:limit])
