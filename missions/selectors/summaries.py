"""Summaries of indicators and missions for the mission pages and the staff dashboard."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, F, Q, Value, When, Window
from django.db.models.functions import ExtractMonth, ExtractYear, Rank
from django.utils import timezone

from missions.geographies import WMCA_CODE
from missions.models import Indicator, Mission, Observation
from portal.models import Organisation

from .figures import (
    AREA_PREFERENCE,
    DEMO_COMPANY_PREFIX,
    PORTAL_STATUSES,
    REFERENCE_CODES,
    SYNTHETIC_NOTE,
    TargetStatus,
    amount_text,
    base_text,
    expected_text,
    is_cohort,
    is_small_base,
    is_stale,
    is_synthetic,
    number_text,
    observation_updated_at,
    period_key,
    period_length,
    period_text,
    target_status,
    value_change,
    value_text,
)

TILES_PER_MISSION = 4
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 36, 4


def demo_register_exists() -> bool:
    """True when the firm register holds demo firms (Companies House numbers ``SY…``): every
    computed figure then counts synthetic records. One query."""
    return Organisation.objects.filter(company_number__startswith=DEMO_COMPANY_PREFIX).exists()


@dataclass(frozen=True)
class Sparkline:
    """A small trend line drawn as inline SVG (attributes only, no style): ``points`` for a
    ``<polyline>``, the last point for a dot. Decorative: the numbers are in the table."""

    points: str
    last_x: float
    last_y: float
    first_label: str
    last_label: str
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT

    @classmethod
    def from_series(cls, indicator: Indicator, series: list[Observation]) -> "Sparkline | None":
        """A line through the exact values of a series (oldest first); None under two values."""
        values = [o for o in series if o.value is not None and not o.suppressed]
        if len(values) < 2:
            return None
        low, high = min(o.value for o in values), max(o.value for o in values)
        span = (high - low) or 1
        step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(values) - 1)
        coordinates = [
            (
                round(SPARK_PAD + index * step, 1),
                round(SPARK_HEIGHT - SPARK_PAD - float((o.value - low) / span) * (SPARK_HEIGHT - 2 * SPARK_PAD), 1),
            )
            for index, o in enumerate(values)
        ]
        return cls(
            points=" ".join(f"{x},{y}" for x, y in coordinates),
            last_x=coordinates[-1][0],
            last_y=coordinates[-1][1],
            first_label=period_text(indicator, values[0]),
            last_label=period_text(indicator, values[-1]),
        )


@dataclass(frozen=True)
class IndicatorSummary:
    """One indicator's latest portal value, its change, target status and freshness, with the
    latest official figure beside it."""

    indicator: Indicator
    latest: Observation | None = None
    previous: Observation | None = None
    official: Observation | None = None
    target_status: str = TargetStatus.NO_TARGET
    updated_at: datetime.datetime | None = None
    stale: bool = False
    demo_register: bool = False
    trend: list[Observation] = field(default_factory=list)

    @property
    def is_reference(self) -> bool:
        return self.indicator.code in REFERENCE_CODES

    @property
    def is_cohort(self) -> bool:
        return is_cohort(self.indicator)

    @property
    def latest_period_text(self) -> str:
        """``"firms born in 2021"`` for a cohort indicator, else the period label."""
        return period_text(self.indicator, self.latest) if self.latest else ""

    @property
    def previous_period_text(self) -> str:
        return period_text(self.indicator, self.previous) if self.previous else ""

    @property
    def base_text(self) -> str:
        """The counts behind the latest rate, ``"24 of 24 firms"``; empty for a value without."""
        return base_text(self.indicator, self.latest)

    @property
    def small_base(self) -> bool:
        return is_small_base(self.latest)

    @property
    def synthetic(self) -> bool:
        """The latest value is a synthetic demo value, not a real figure."""
        return is_synthetic(self.latest, demo_register=self.demo_register)

    @property
    def expected_text(self) -> str:
        """When a value is expected and from whom, for an indicator with none yet."""
        return expected_text(self.indicator)

    @property
    def sparkline(self) -> Sparkline | None:
        return Sparkline.from_series(self.indicator, self.trend)

    @property
    def latest_text(self) -> str:
        return value_text(self.latest, self.indicator.unit) if self.latest else ""

    @property
    def official_text(self) -> str:
        return value_text(self.official, self.indicator.unit) if self.official else ""

    @property
    def change(self) -> Decimal | None:
        return value_change(self.latest, self.previous)

    @property
    def change_text(self) -> str:
        """``"+1.5 pp"``, ``"-3 firms"``, ``"no change"``; empty when there is no change to show."""
        change = self.change
        if change is None:
            return ""
        if change == 0:
            return "no change"
        unit = self.indicator.unit
        unit = "pp" if unit.startswith("%") else unit  # a change of a percentage is in points
        sign = "+" if change > 0 else "-"
        text = number_text(abs(change))
        return f"{sign}£{text}" if unit == "£" else f"{sign}{text} {unit}".rstrip()

    @property
    def change_label(self) -> str:
        """The change and the two periods it compares: ``"+3 people since 2024"``, ``"+2 pp
        compared with firms born in 2020"``; empty when there is no change to show."""
        text = self.change_text
        if not text:
            return ""
        previous = self.previous_period_text
        return f"{text} compared with {previous}" if self.is_cohort else f"{text} since {previous}"

    @property
    def change_missing_text(self) -> str:
        """Why no change is shown."""
        if self.latest is None:
            return "Not published"
        if self.previous is None:
            return "No earlier value for a period of the same length"
        return "Not comparable (suppressed or a bound)"

    @property
    def baseline_text(self) -> str:
        return amount_text(self.indicator.baseline_value, self.indicator.unit)

    @property
    def target_text(self) -> str:
        return amount_text(self.indicator.target_value, self.indicator.unit)

    @property
    def target_status_label(self) -> str:
        return TargetStatus.LABELS[self.target_status][0]

    @property
    def target_status_class(self) -> str:
        return TargetStatus.LABELS[self.target_status][1]


def _headline_geography_id(portal: list[Observation], counts: Mapping[int, int] | None) -> int | None:
    """The WMCA area if it has a portal value, else the geography with most of them (then by code)."""
    if not portal:
        return None
    codes = {o.geography_id: o.geography.code for o in portal}
    if WMCA_CODE in codes.values():  # the area the portal's own values are computed for
        return next(pk for pk, code in codes.items() if code == WMCA_CODE)
    counts = Counter(o.geography_id for o in portal) if counts is None else counts
    return min(codes, key=lambda pk: (-counts[pk], codes[pk]))


def _official_key(observation: Observation) -> tuple:
    return (
        observation.period_end,
        -AREA_PREFERENCE.get(observation.geography.code, 9),
        not observation.secondary,
        observation.source_date,
    )


def portal_latest(
    observations: list[Observation], *, portal_counts: Mapping[int, int] | None = None
) -> tuple[Observation | None, Observation | None]:
    """The portal's latest own value (computed or reported) and the one before it, for the
    headline geography. Runs no query: the API's ``latest`` and the pages share this rule.

    ``portal_counts`` (geography id -> number of portal values) is for a caller that loaded only
    the newest values of each series; without it the values given are counted.
    """
    portal = [o for o in observations if o.status in PORTAL_STATUSES]
    geography_id = _headline_geography_id(portal, portal_counts)
    series = sorted((o for o in portal if o.geography_id == geography_id), key=period_key)
    if not series:
        return None, None
    latest = series[-1]
    length = period_length(latest)
    earlier = [o for o in series[:-1] if o.status == latest.status and period_length(o) == length]
    return latest, earlier[-1] if earlier else None


def indicator_summarise(
    indicator: Indicator,
    observations: list[Observation],
    *,
    now: datetime.datetime | None = None,
    portal_counts: Mapping[int, int] | None = None,
    demo_register: bool = False,
    trend: list[Observation] | None = None,
) -> IndicatorSummary:
    """Summarise one indicator from its observations (geography loaded). Runs no query.

    Latest is the portal value with the greatest ``period_end`` for the headline geography;
    previous is the one before it for the same geography and status and a period of the same
    length (a quarter is compared with a quarter, never with a year). ``portal_counts`` as for
    ``portal_latest``; ``demo_register`` as ``demo_register_exists()`` (computed values are then
    synthetic).
    """
    now = now or timezone.now()
    latest, previous = portal_latest(observations, portal_counts=portal_counts)
    published = [o for o in observations if o.status == Observation.Status.PUBLISHED]
    updated_at = observation_updated_at(latest) if latest else None
    return IndicatorSummary(
        indicator=indicator,
        latest=latest,
        previous=previous,
        official=max(published, key=_official_key) if published else None,
        target_status=target_status(indicator, latest, previous),
        updated_at=updated_at,
        stale=is_stale(indicator, updated_at, now=now),
        demo_register=demo_register,
        trend=trend or [],
    )


@dataclass(frozen=True)
class MissionSummary:
    """A mission with a summary of each indicator the reader may see, in catalogue order."""

    mission: Mission
    summaries: list[IndicatorSummary] = field(default_factory=list)

    @property
    def indicators(self) -> list[IndicatorSummary]:
        """The mission's KPIs (everything but the reference-figure indicators)."""
        return [s for s in self.summaries if not s.is_reference]

    @property
    def references(self) -> list[IndicatorSummary]:
        """Indicators that only carry official reference figures."""
        return [s for s in self.summaries if s.is_reference]

    @property
    def tiles(self) -> list[IndicatorSummary]:
        """The mission's key indicators for its headline tiles: the first four public KPIs with a
        latest value, in catalogue order."""
        shown = [s for s in self.indicators if s.indicator.is_public and s.latest is not None]
        return shown[:TILES_PER_MISSION]

    @property
    def synthetic(self) -> bool:
        """Any latest value shown is a synthetic demo value."""
        return any(s.synthetic for s in self.indicators)

    @property
    def has_values(self) -> bool:
        return any(s.latest is not None for s in self.indicators)


def indicator_list(*, user):
    """The indicators ``user`` may see, with mission and owner: the pages' one entry point.

    Staff see every indicator; everyone else (signed in or not) only the public ones.
    """
    return Indicator.objects.visible_to(user).for_list()


@dataclass
class _Loaded:
    """What a summary needs of one indicator's observations, and how many portal values each
    geography has (the headline rule counts them, but only the newest are loaded)."""

    observations: list[Observation] = field(default_factory=list)
    portal_counts: dict[int, int] = field(default_factory=dict)


def _observations_by_indicator(indicators: list[Indicator]) -> dict[int, _Loaded]:
    """The observations of these indicators that a summary can use, with their geography, in one
    query: per geography and status of the portal's own values the two newest periods (ties
    kept) of each length in months, and the published figures of the newest period. Window
    functions pick them in the database, so the rows loaded stay few however long the series grow;
    the result is the same as summarising every observation (``indicator_summarise`` with all of
    them). ``synthetic_note`` tells whether the notes (not loaded) mark a synthetic demo value."""
    portal = Q(status__in=PORTAL_STATUSES)
    months = (ExtractYear("period_end") - ExtractYear("period_start")) * 12 + (
        ExtractMonth("period_end") - ExtractMonth("period_start")
    )
    rows = (
        Observation.objects.filter(indicator_id__in=[i.pk for i in indicators])
        .filter(portal | Q(status=Observation.Status.PUBLISHED))
        .annotate(
            series_rank=Window(
                Rank(),
                partition_by=[F("indicator_id"), F("geography_id"), F("status"), months],
                order_by=[F("period_end").desc(), F("period_start").desc()],
            ),
            newest_rank=Window(Rank(), partition_by=[F("indicator_id"), F("status")], order_by=F("period_end").desc()),
            geography_values=Window(
                Count("pk"),
                partition_by=[
                    F("indicator_id"),
                    F("geography_id"),
                    Case(When(portal, then=Value(True)), default=Value(False)),
                ],
            ),
        )
        .filter((portal & Q(series_rank__lte=2)) | Q(status=Observation.Status.PUBLISHED, newest_rank=1))
        .annotate(synthetic_note=ExpressionWrapper(Q(notes__startswith=SYNTHETIC_NOTE), output_field=BooleanField()))
        .select_related("geography")
        .defer("notes")
        .order_by()
    )
    loaded: dict[int, _Loaded] = defaultdict(_Loaded)
    for observation in rows:
        entry = loaded[observation.indicator_id]
        entry.observations.append(observation)
        if observation.status in PORTAL_STATUSES:
            entry.portal_counts[observation.geography_id] = observation.geography_values
    return loaded


def _summaries(indicators: list[Indicator], now: datetime.datetime | None) -> list[IndicatorSummary]:
    loaded = _observations_by_indicator(indicators)
    demo_register = demo_register_exists()
    summaries = []
    for indicator in indicators:
        entry = loaded.get(indicator.pk) or _Loaded()
        summaries.append(
            indicator_summarise(
                indicator, entry.observations, now=now, portal_counts=entry.portal_counts, demo_register=demo_register
            )
        )
    return summaries


def _trend(summary: IndicatorSummary, observations: list[Observation]) -> list[Observation]:
    """The latest value's series, oldest first: same geography, status and period length."""
    latest = summary.latest
    length = period_length(latest)
    series = [
        o
        for o in observations
        if o.geography_id == latest.geography_id and o.status == latest.status and period_length(o) == length
    ]
    return sorted(series, key=period_key)


def _with_trends(summaries: list[IndicatorSummary]) -> list[IndicatorSummary]:
    """The summaries, the tiles' indicators given their latest value's whole series. One query."""
    tiles = MissionSummary(mission=None, summaries=summaries).tiles
    if not tiles:
        return summaries
    grouped: dict[int, list[Observation]] = defaultdict(list)
    rows = Observation.objects.filter(
        indicator_id__in=[s.indicator.pk for s in tiles], status__in=PORTAL_STATUSES
    ).defer("notes")
    for observation in rows:
        grouped[observation.indicator_id].append(observation)
    wanted = {s.indicator.pk for s in tiles}
    return [replace(s, trend=_trend(s, grouped[s.indicator.pk])) if s.indicator.pk in wanted else s for s in summaries]


def mission_summary_list(*, user, now: datetime.datetime | None = None) -> list[MissionSummary]:
    """All five missions, each with the indicators ``user`` may see. Four queries."""
    missions = list(Mission.objects.all())
    by_mission: dict[int, list[IndicatorSummary]] = defaultdict(list)
    for summary in _summaries(list(indicator_list(user=user)), now):
        by_mission[summary.indicator.mission_id].append(summary)
    return [MissionSummary(mission=m, summaries=by_mission[m.pk]) for m in missions]


def mission_summary_get(*, user, mission: Mission, now: datetime.datetime | None = None) -> MissionSummary:
    """One mission with the indicators ``user`` may see, its tiles' indicators with their trend.
    Four queries."""
    indicators = list(indicator_list(user=user).filter(mission=mission))
    return MissionSummary(mission=mission, summaries=_with_trends(_summaries(indicators, now)))
