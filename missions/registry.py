"""The registry of computed indicators: registry key -> function computing every period's values.

A computing function takes no arguments, runs set-based SQL (aggregates in the database, never a
Python loop over all rows) and returns a list of ``Value`` rows, one per period and geography,
built with ``period_value`` / ``rate_value``. Indicators name their function by key in
``Indicator.computation``.
"""

import calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from portal.percentages import percentage

from .geographies import WMCA_CODE


@dataclass(frozen=True)
class Value:
    """One computed value. ``value`` is None exactly when ``suppressed`` (fewer than 10 people)."""

    period_label: str
    period_start: datetime.date
    period_end: datetime.date
    geography_code: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    suppressed: bool = False


def period_label(start: datetime.date, end: datetime.date) -> str:
    """``2024`` for a calendar year, ``2024-Q3`` for a quarter, ``2024-07`` for a month, else
    ``2024-04-01/2025-03-31``."""
    month_end = calendar.monthrange(end.year, end.month)[1]
    if start.day == 1 and end.day == month_end and start.year == end.year:
        if start.month == 1 and end.month == 12:
            return str(start.year)
        if start.month == end.month:
            return f"{start.year}-{start.month:02d}"
        if start.month % 3 == 1 and end.month == start.month + 2:
            return f"{start.year}-Q{start.month // 3 + 1}"
    return f"{start.isoformat()}/{end.isoformat()}"


def year_period(year: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of calendar year ``year``."""
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def period_value(
    start: datetime.date, end: datetime.date, value: Decimal | None, *, geography_code: str = WMCA_CODE, **extra
) -> Value:
    """A value for the period ``start``–``end`` (labelled by ``period_label``) and a geography,
    by default the WMCA area."""
    return Value(
        period_label=period_label(start, end),
        period_start=start,
        period_end=end,
        geography_code=geography_code,
        value=value,
        **extra,
    )


def rate_value(
    start: datetime.date, end: datetime.date, part: int, whole: int, *, geography_code: str = WMCA_CODE
) -> Value:
    """``part`` of ``whole`` as a percentage (``portal.percentages``), with both counts. Raises
    ``ValueError`` when ``whole`` is zero: a share of nothing has no value, and a computing function
    leaves such a period out (or suppresses it) instead."""
    rate = percentage(part, whole)
    if rate is None:
        raise ValueError(f"A rate over nothing ({part}/{whole}) for {start}–{end}, {geography_code}")
    return period_value(
        start, end, rate, geography_code=geography_code, numerator=Decimal(part), denominator=Decimal(whole)
    )


REGISTRY: dict[str, Callable[[], list[Value]]] = {}
# Computations that measure the other indicators (the open data catalogue's freshness): a refresh
# runs them after every other one, so they see this run's values, not the previous run's.
RUN_LAST: set[str] = set()


def register(key: str, *, run_last: bool = False):
    """Decorator: add a computing function to the registry under ``key``; ``run_last`` puts it in
    ``RUN_LAST``."""

    def decorate(function):
        if key in REGISTRY:
            raise ValueError(f"Computation {key!r} is registered twice")
        REGISTRY[key] = function
        if run_last:
            RUN_LAST.add(key)
        return function

    return decorate
