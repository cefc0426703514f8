"""The registry of computed indicators: registry key -> function computing every period's values.

A computing function takes no arguments, runs set-based SQL (aggregates in the database, never a
Python loop over all rows) and returns a list of ``Value`` rows, one per period and geography.
Indicators name their function by key in ``Indicator.computation``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


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


REGISTRY: dict[str, Callable[[], list[Value]]] = {}


def register(key: str):
    """Decorator: add a computing function to the registry under ``key``."""

    def decorate(function):
        if key in REGISTRY:
            raise ValueError(f"Computation {key!r} is registered twice")
        REGISTRY[key] = function
        return function

    return decorate
