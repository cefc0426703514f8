"""How the pages read a value: formatting, the change since the previous period, the status
against target and freshness. Pure functions: no queries."""

import datetime
from decimal import Decimal

from missions.catalogue import COMPARATOR_INDICATORS
from missions.geographies import WMCA_CODE
from missions.models import Indicator, Observation

PORTAL_STATUSES = (Observation.Status.COMPUTED, Observation.Status.REPORTED)
COMPARATOR_STATUSES = (Observation.Status.PUBLISHED, Observation.Status.TARGET)
# Indicators that exist only to carry official reference figures; they have no portal value.
REFERENCE_CODES = frozenset(spec.code for spec in COMPARATOR_INDICATORS)
SUPPRESSED_TEXT = "suppressed (fewer than 10 people)"
STALE_AFTER = {
    Indicator.Frequency.ANNUAL: datetime.timedelta(days=400),
    Indicator.Frequency.QUARTERLY: datetime.timedelta(days=100),
    Indicator.Frequency.MONTHLY: datetime.timedelta(days=35),
    Indicator.Frequency.AD_HOC: None,
}
SERIES_KIND = {
    Observation.Status.COMPUTED: "Portal",
    Observation.Status.REPORTED: "Reported",
    Observation.Status.PUBLISHED: "Official figure",
    Observation.Status.TARGET: "Target",
}
# Official figures nearest the WMCA area come first when several share a period.
AREA_PREFERENCE = {WMCA_CODE: 0, "E12000005": 1, "E92000001": 2, "K02000001": 3}
STATUS_ORDER = {status: index for index, status in enumerate(Observation.Status.values)}


class TargetStatus:
    """How the latest portal value stands against the indicator's target (see ``target_status``)."""

    MET = "met"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    UNKNOWN = "unknown"
    NO_TARGET = "no_target"

    LABELS = {
        MET: ("Target met", "govuk-tag--green"),
        ON_TRACK: ("On track", "govuk-tag--turquoise"),
        OFF_TRACK: ("Off track", "govuk-tag--red"),
        UNKNOWN: ("Not enough data", "govuk-tag--yellow"),
        NO_TARGET: ("No target", "govuk-tag--grey"),
    }


# Formatting -----------------------------------------------------------------------------------


def number_text(value: Decimal) -> str:
    """``Decimal("1234.5000")`` -> ``"1,234.5"``: thousands separators, no trailing zeros."""
    if value == 0:
        return "0"
    return f"{value.normalize():,f}"


def value_text(observation, unit: str = "") -> str:
    """How a value reads: ``"suppressed (fewer than 10 people)"``, ``"> 120 firms"``, ``"43.2%"``.

    Works on any object with ``value``, ``bound`` and ``suppressed`` (an observation or one of its
    historical records). A suppressed value never shows a number.
    """
    if observation.suppressed:
        return SUPPRESSED_TEXT
    if observation.value is None:
        return "no value"
    text = number_text(observation.value)
    if unit.startswith("%"):
        text += unit
    elif unit == "£":
        text = "£" + text
    elif unit:
        text = f"{text} {unit}"
    return f"{observation.bound} {text}" if observation.bound else text


def amount_text(value: Decimal | None, unit: str) -> str:
    if value is None:
        return ""
    return value_text(Observation(value=value), unit)


def decimal_year(day: datetime.date) -> float:
    """2024-07-01 -> 2024.4973: a date as a position on a time axis measured in years."""
    start = datetime.date(day.year, 1, 1)
    length = (datetime.date(day.year + 1, 1, 1) - start).days
    return round(day.year + (day - start).days / length, 4)


def period_key(observation) -> tuple:
    return (observation.period_end, observation.period_start, STATUS_ORDER.get(observation.status, 9))


# Rules ----------------------------------------------------------------------------------------


def value_change(latest: Observation | None, previous: Observation | None) -> Decimal | None:
    """Latest minus previous; None when either is missing, suppressed or only a bound."""
    if latest is None or previous is None:
        return None
    if latest.value is None or previous.value is None or latest.bound or previous.bound:
        return None
    return latest.value - previous.value


def target_status(indicator: Indicator, latest: Observation | None, previous: Observation | None) -> str:
    """The latest portal value against ``indicator.target_value``, in the indicator's direction.

    The distance to the target is ``target - value`` when up is good, ``value - target`` when
    down is good and ``|value - target|`` when on plan is good.

    - ``no_target``: the indicator has no target value.
    - ``unknown``: there is no latest value (none yet, or suppressed); or it is a bound that does
      not settle the question; or it is not met and there is no exact previous value to compare.
    - ``met``: the distance is zero or less (a bound counts only when it guarantees this).
    - ``on_track``: not met, and the distance shrank since the previous period (same geography
      and status), so the value moves towards the target.
    - ``off_track``: not met, and the distance stayed the same or grew.
    """
    target = indicator.target_value
    if target is None:
        return TargetStatus.NO_TARGET
    if latest is None or latest.value is None:
        return TargetStatus.UNKNOWN

    def distance(value: Decimal) -> Decimal:
        if indicator.direction == Indicator.Direction.UP:
            return target - value
        if indicator.direction == Indicator.Direction.DOWN:
            return value - target
        return abs(value - target)

    if latest.bound:
        lower = latest.bound in (Observation.Bound.GT, Observation.Bound.GE)
        guaranteed = (indicator.direction == Indicator.Direction.UP and lower) or (
            indicator.direction == Indicator.Direction.DOWN and not lower
        )
        return TargetStatus.MET if guaranteed and distance(latest.value) <= 0 else TargetStatus.UNKNOWN
    if distance(latest.value) <= 0:
        return TargetStatus.MET
    change = value_change(latest, previous)
    if change is None:
        return TargetStatus.UNKNOWN
    return TargetStatus.ON_TRACK if distance(latest.value) < distance(previous.value) else TargetStatus.OFF_TRACK


def observation_updated_at(observation: Observation) -> datetime.datetime | None:
    """When a value was last written: ``computed_at`` for a computed value, else ``updated_at``."""
    if observation.status == Observation.Status.COMPUTED:
        return observation.computed_at
    return observation.updated_at


def is_stale(indicator: Indicator, updated_at: datetime.datetime | None, *, now: datetime.datetime) -> bool:
    """True when the value is older than the indicator's frequency allows (annual 400 days,
    quarterly 100, monthly 35); an ad hoc indicator is never stale."""
    limit = STALE_AFTER.get(indicator.frequency)
    return bool(limit and updated_at and now - updated_at > limit)
