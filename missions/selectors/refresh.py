"""Reads of KPI refresh runs for the staff pages."""

from django.db import connection

from ..models import RefreshRun

RECENT_RUNS = 10


def refresh_run_latest() -> RefreshRun | None:
    """The most recently requested run (open or finished), or None before the first. One query,
    in plain SQL: the staff dashboard reads it on every load, and building it through the ORM cost
    more than running it."""
    table = connection.ops.quote_name(RefreshRun._meta.db_table)
    query = f"SELECT * FROM {table} ORDER BY created_at DESC, id DESC LIMIT 1"  # noqa: S608 - our table  # nosec B608
    return next(iter(RefreshRun.objects.raw(query)), None)


def refresh_run_list(*, limit: int = RECENT_RUNS) -> list[RefreshRun]:
    """The ``limit`` most recently requested runs, newest first. One query."""
    return list(RefreshRun.objects.order_by("-created_at", "-pk")[:limit])
