"""Summaries of indicators and missions for the mission pages and the staff dashboard."""

import datetime
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, Q, Value, When, Window
from django.db.models.functions import Rank
from django.utils import timezone

from missions.geographies import WMCA_CODE
from missions.models import Indicator, Mission, Observation

from .figures import (
    AREA_PREFERENCE,
    PORTAL_STATUSES,
    REFERENCE_CODES,
    TargetStatus,
    amount_text,
    is_stale,
    number_text,
    observation_updated_at,
    period_key,
    target_status,
    value_change,
    value_text,
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

    @property
    def is_reference(self) -> bool:
        return self.indicator.code in REFERENCE_CODES

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
    earlier = [o for o in series[:-1] if o.status == latest.status]
    return latest, earlier[-1] if earlier else None


def indicator_summarise(
    indicator: Indicator,
    observations: list[Observation],
    *,
    now: datetime.datetime | None = None,
    portal_counts: Mapping[int, int] | None = None,
) -> IndicatorSummary:
    """Summarise one indicator from its observations (geography loaded). Runs no query.

    Latest is the portal value with the greatest ``period_end`` for the headline geography;
    previous is the one before it for the same geography and status. ``portal_counts`` as for
    ``portal_latest``.
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
    kept), and the published figures of the newest period. Window functions pick them in the
    database, so the rows loaded stay few however long the series grow; the result is the same as
    summarising every observation (``indicator_summarise`` with all of them)."""
    portal = Q(status__in=PORTAL_STATUSES)
    rows = (
        Observation.objects.filter(indicator_id__in=[i.pk for i in indicators])
        .filter(portal | Q(status=Observation.Status.PUBLISHED))
        .annotate(
            series_rank=Window(
                Rank(),
                partition_by=[F("indicator_id"), F("geography_id"), F("status")],
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
    summaries = []
    for indicator in indicators:
        entry = loaded.get(indicator.pk) or _Loaded()
        summaries.append(indicator_summarise(indicator, entry.observations, now=now, portal_counts=entry.portal_counts))
    return summaries


def mission_summary_list(*, user, now: datetime.datetime | None = None) -> list[MissionSummary]:
    """All five missions, each with the indicators ``user`` may see. Three queries."""
    missions = list(Mission.objects.all())
    by_mission: dict[int, list[IndicatorSummary]] = defaultdict(list)
    for summary in _summaries(list(indicator_list(user=user)), now):
        by_mission[summary.indicator.mission_id].append(summary)
    return [MissionSummary(mission=m, summaries=by_mission[m.pk]) for m in missions]


def mission_summary_get(*, user, mission: Mission, now: datetime.datetime | None = None) -> MissionSummary:
    """One mission with the indicators ``user`` may see. Two queries."""
    indicators = list(indicator_list(user=user).filter(mission=mission))
    return MissionSummary(mission=mission, summaries=_summaries(indicators, now))
