"""How the pages read a value: formatting, the change since the previous period, the status
against target and freshness. Pure functions: no queries."""

import calendar
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

# Computed indicators whose period is a birth cohort: "2021" is the firms born in 2021.
COHORT_COMPUTATIONS = frozenset(
    {"survival_1y", "survival_3y", "survival_5y", "scaleup_conversion", "workspace_supported_survival_3y"}
)
# What the numerator and denominator of each computed rate count ("24 of 24 firms").
RATE_BASES = {
    "survival_1y": "firms",
    "survival_3y": "firms",
    "survival_5y": "firms",
    "scaleup_conversion": "firms",
    "workspace_supported_survival_3y": "firms",
    "high_growth_incidence": "firms",
    "workspace_supported_high_growth": "firms",
    "leads_conversion": "leads",
    "leadership_women_share": "people",
    "leadership_ethnic_minority_share": "people",
    "leadership_disclosure_rate": "people",
    "staff_women_share": "people",
    "staff_ethnic_minority_share": "people",
    "staff_disclosure_rate": "people",
    "workspace_occupancy": "desks",
    "workspace_decided_within_service_level": "applications",
    "funding_equity_international_share": "pounds raised in rounds with a known lead investor",
    "funding_grants_published_share": "grants",
    "open_data_freshness": "datasets",
}
# A rate over fewer than this many firms, people or desks is marked "small base".
SMALL_BASE = 30
# How the notes of a synthetic demo value begin (missions.demo.SYNTHETIC).
SYNTHETIC_NOTE = "Synthetic demo value"
# Demo firms carry Companies House numbers SY000001…, a prefix Companies House never issues.
DEMO_COMPANY_PREFIX = "SY"
NO_OWNER = "the Tech Commissioner's office"
EXPECTED = {
    Indicator.Frequency.ANNUAL: "expected yearly",
    Indicator.Frequency.QUARTERLY: "expected every quarter",
    Indicator.Frequency.MONTHLY: "expected every month",
    Indicator.Frequency.AD_HOC: "expected when next published",
}


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
        NO_TARGET: ("No target set", "govuk-tag--grey"),
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


def is_cohort(indicator: Indicator) -> bool:
    """True when the indicator's periods are birth cohorts (its computation follows firms born in
    a year), so "2021" means "firms born in 2021"."""
    return indicator.computation in COHORT_COMPUTATIONS


def period_text(indicator: Indicator, observation) -> str:
    """How a period reads: ``"firms born in 2021"`` for a cohort indicator's own values, else the
    period label (``"2024"``, ``"2026-Q1"``). Official figures keep their source's label."""
    label = observation.period_label
    if is_cohort(indicator) and observation.status in PORTAL_STATUSES:
        return f"firms born in {label}"
    return label


# Computed ratios of two different things: what the numerator and the denominator count.
RATIO_BASES = {
    "leads_referred_per_ambassador": ("leads", "ambassadors"),
    "leads_landed_per_ambassador": ("projects", "ambassadors"),
}


def base_text(indicator: Indicator, observation) -> str:
    """The counts behind a computed rate, ``"24 of 24 firms"``, or a ratio, ``"30 leads over 12
    ambassadors"``; empty when the value has none."""
    if observation is None or observation.numerator is None or observation.denominator is None:
        return ""
    if indicator.computation in RATIO_BASES:
        part, whole = RATIO_BASES[indicator.computation]
        return f"{number_text(observation.numerator)} {part} over {number_text(observation.denominator)} {whole}"
    noun = RATE_BASES.get(indicator.computation, "")
    return f"{number_text(observation.numerator)} of {number_text(observation.denominator)} {noun}".rstrip()


def is_small_base(observation) -> bool:
    """True when a rate's denominator is under ``SMALL_BASE`` (30)."""
    denominator = observation.denominator if observation is not None else None
    return denominator is not None and denominator < SMALL_BASE


def is_synthetic(observation, *, demo_register: bool) -> bool:
    """True when a value is not a real figure: a reported value whose notes mark it as a synthetic
    demo value, or a computed value while the firm register holds demo firms (every computed
    figure then counts synthetic records)."""
    if observation is None:
        return False
    if observation.status == Observation.Status.COMPUTED:
        return demo_register
    synthetic = getattr(observation, "synthetic_note", None)
    if synthetic is None:  # notes loaded
        synthetic = observation.notes.startswith(SYNTHETIC_NOTE)
    return bool(synthetic)


def owner_text(indicator: Indicator) -> str:
    """Who publishes the indicator's values: its owner organisation, else the office."""
    return indicator.owner.name if indicator.owner_id and indicator.owner else NO_OWNER


def expected_text(indicator: Indicator) -> str:
    """When values are expected and who owns them, for an indicator with none yet: ``"Expected
    yearly from Birmingham Tech (demo)."``; the portal computes a computed indicator itself."""
    when = EXPECTED.get(indicator.frequency, "expected when next published")
    if indicator.method == Indicator.Method.COMPUTED:
        return f"{when.capitalize()}: the portal computes it once its records cover a full period."
    return f"{when.capitalize()} from {owner_text(indicator)}."


def period_length(observation) -> tuple[str, int]:
    """A period's length, to compare like with like: ``("months", 12)`` for a calendar year,
    ``("months", 3)`` for a quarter (any run of whole months), else ``("days", n)``."""
    start, end = observation.period_start, observation.period_end
    if start.day == 1 and end.day == calendar.monthrange(end.year, end.month)[1]:
        return ("months", (end.year - start.year) * 12 + end.month - start.month + 1)
    return ("days", (end - start).days + 1)


# Rules ----------------------------------------------------------------------------------------


def value_change(latest: Observation | None, previous: Observation | None) -> Decimal | None:
    """Latest minus previous; None when either is missing, suppressed or only a bound, or when
    their periods differ in length (a quarter is never compared with a year)."""
    if latest is None or previous is None:
        return None
    if period_length(latest) != period_length(previous):
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
