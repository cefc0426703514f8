"""What a value of an indicator may be: its kind follows from the indicator's unit, and the shape
of its period from the indicator's frequency.

One set of rules for every way a value comes in (the staff form, the partner API, the reference
figures loader): ``observation_value_errors`` returns the broken rules keyed by field, and each
caller reports them all at once as field errors. ``observation_errors`` adds the rules of a
reported value (suppression, bounds), which the service and the staff form both check.
"""

import calendar
import datetime
from decimal import Decimal

from django.utils import timezone

from .models import Indicator, Observation

PERIOD_EARLIEST = datetime.date(1990, 1, 1)
VALUE_LIMIT = Decimal(10) ** 16  # Observation.value: DecimalField(max_digits=20, decimal_places=4)

PERCENTAGE = "percentage"
PERCENTAGE_POINTS = "percentage_points"
COUNT = "count"
MONEY = "money"
OTHER = "other"

# Units that count whole things. A unit not listed here and not a percentage or money (a rate
# such as "enterprises per 10,000") may take any number.
COUNT_UNITS = frozenset(
    {
        "ambassadors",
        "applications",
        "countries",
        "datasets",
        "deals",
        "enterprises",
        "families",
        "firms",
        "grants",
        "investments",
        "jobs",
        "organisations",
        "people",
        "premises",
        "projects",
    }
)
MONEY_PREFIXES = ("£", "GBP", "USD")
# Shares of a plan or a budget, which spending can pass: a percentage of 0 or more, with no top.
PERCENTAGE_OF_PLAN_UNITS = frozenset({"% of plan", "% of budget"})

FREQUENCY_SHAPES = {
    Indicator.Frequency.ANNUAL: (
        "yearly",
        "give 1 January to 31 December of one year, or 1 April to 31 March for a financial year",
    ),
    Indicator.Frequency.QUARTERLY: (
        "quarterly",
        "give one calendar quarter, such as 1 January to 31 March or 1 April to 30 June of one year",
    ),
    Indicator.Frequency.MONTHLY: ("monthly", "give the first to the last day of one month"),
}


def unit_kind(unit: str) -> str:
    """The kind of number a unit holds: a percentage ("%", "% premises"), percentage points
    ("pp"), a count of whole things (``COUNT_UNITS``), money ("£", "GBP m", "USD m"), or other."""
    unit = unit.strip()
    if unit.startswith("%"):
        return PERCENTAGE
    if unit == "pp":
        return PERCENTAGE_POINTS
    if unit in COUNT_UNITS:
        return COUNT
    if unit.startswith(MONEY_PREFIXES):
        return MONEY
    return OTHER


def period_latest(today: datetime.date | None = None) -> datetime.date:
    """The last day a period may end on: 31 December of next year."""
    today = today or timezone.localdate()
    return datetime.date(today.year + 1, 12, 31)


def value_error(unit: str, value: Decimal) -> str | None:
    """Why ``value`` (a finite number) cannot be stored as a value in ``unit``, or None when it can."""
    if abs(value) >= VALUE_LIMIT or value != value.quantize(Decimal("0.0001")):
        return "Enter a number below 10^16 with at most 4 decimal places."
    kind = unit_kind(unit)
    if kind == PERCENTAGE and unit.strip() in PERCENTAGE_OF_PLAN_UNITS:
        if value < 0:
            return "Enter a percentage of 0 or more."
    elif kind == PERCENTAGE and not 0 <= value <= 100:
        return "Enter a percentage from 0 to 100."
    if kind == PERCENTAGE_POINTS and not -100 <= value <= 100:
        return "Enter a difference in percentage points from -100 to 100."
    if kind == COUNT and (value < 0 or value != value.to_integral_value()):
        return f"Enter a whole number of {unit}, 0 or more."
    if kind == MONEY and value < 0:
        return "Enter an amount of 0 or more."
    return None


def _is_month_span(start: datetime.date, end: datetime.date, months: int) -> bool:
    """Whether ``start``–``end`` runs from the first day of a month to the last day of the
    ``months``-th month from it."""
    if start.day != 1:
        return False
    last_month = start.month - 1 + months - 1
    year, month = start.year + last_month // 12, last_month % 12 + 1
    return end == datetime.date(year, month, calendar.monthrange(year, month)[1])


def period_shape_matches(frequency: str, start: datetime.date, end: datetime.date) -> bool:
    """Whether a period fits a frequency: a calendar year or an April–March financial year
    (annual), a calendar quarter (quarterly), a calendar month (monthly); anything for ad hoc."""
    if frequency == Indicator.Frequency.ANNUAL:
        return start.month in (1, 4) and _is_month_span(start, end, 12)
    if frequency == Indicator.Frequency.QUARTERLY:
        return start.month % 3 == 1 and _is_month_span(start, end, 3)
    if frequency == Indicator.Frequency.MONTHLY:
        return _is_month_span(start, end, 1)
    return True


def period_errors(
    indicator: Indicator, start: datetime.date, end: datetime.date, *, today: datetime.date | None = None
) -> dict[str, str]:
    """The period's broken rules by field: within 1 January 1990 to 31 December of next year, in
    order, and of the indicator's frequency (the message names the shape expected)."""
    errors = {}
    latest = period_latest(today)
    if start < PERIOD_EARLIEST:
        errors["period_start"] = "The period cannot start before 1 January 1990."
    elif start > latest:
        errors["period_start"] = f"The period cannot start after 31 December {latest.year}."
    if end > latest:
        errors["period_end"] = f"The period cannot end after 31 December {latest.year}."
    elif end < start:
        errors["period_end"] = "The period must end on or after the day it starts."
    if not errors and not period_shape_matches(indicator.frequency, start, end):
        word, shape = FREQUENCY_SHAPES[indicator.frequency]
        errors["period_start"] = f"{indicator.code} is reported {word}: {shape}."
    return errors


def observation_value_errors(
    *,
    indicator: Indicator,
    value: Decimal | None,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    check_period: bool = True,
    today: datetime.date | None = None,
) -> dict[str, str]:
    """Every rule of the indicator's unit and frequency that a value breaks, keyed by field
    (``value``, ``period_start``, ``period_end``); empty when it breaks none. A value or date that
    is None is not checked (its own field reports it). ``check_period=False`` checks the value
    only (a target may lie years ahead)."""
    errors = {}
    if value is not None and value.is_finite() and (message := value_error(indicator.unit, value)):
        errors["value"] = message
    if check_period and period_start is not None and period_end is not None:
        errors.update(period_errors(indicator, period_start, period_end, today=today))
    return errors


def observation_errors(
    *,
    indicator: Indicator,
    value: Decimal | None,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    bound: str = Observation.Bound.EXACT,
    suppressed: bool = False,
) -> dict[str, str]:
    """Every rule a reported value breaks, keyed by field: those of ``observation_value_errors``,
    and a suppressed value has no number, any other has one, a bound is one of
    ``Observation.Bound`` and needs a number. Empty when it breaks none."""
    errors = observation_value_errors(
        indicator=indicator, value=value, period_start=period_start, period_end=period_end
    )
    if suppressed and value is not None:
        errors["value"] = "A suppressed value is withheld: leave the value empty."
    elif not suppressed and value is None:
        errors["value"] = "Enter a value, or mark it suppressed."
    elif value is not None and not value.is_finite():
        errors["value"] = "Enter a number, not NaN or infinity."
    if bound not in Observation.Bound.values:
        errors["bound"] = "Choose exact, >, >=, < or <=."
    elif bound and value is None:
        errors["bound"] = "A bound needs a value."
    return errors
