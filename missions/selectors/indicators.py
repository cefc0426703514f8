"""One indicator's page (its series, comparators and earlier values) and its downloads."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from missions.catalogue import SPECIALISTS
from missions.models import Geography, Indicator, Observation

from .figures import (
    AREA_PREFERENCE,
    COMPARATOR_STATUSES,
    SERIES_KIND,
    STATUS_ORDER,
    SYNTHETIC_NOTE,
    base_text,
    decimal_year,
    is_cohort,
    is_small_base,
    is_synthetic,
    period_key,
    period_text,
    value_text,
)
from .summaries import IndicatorSummary, demo_register_exists, indicator_summarise


@dataclass(frozen=True)
class Point:
    """One value as the chart draws it and its table shows it: the same numbers in both, with
    how its period reads, the counts behind a rate and whether it is a synthetic demo value."""

    observation: Observation
    text: str
    period: str = ""
    base: str = ""
    small_base: bool = False
    synthetic: bool = False

    @property
    def x(self) -> float:
        return decimal_year(self.observation.period_start)

    @property
    def y(self) -> float | None:
        value = self.observation.value
        return None if self.observation.suppressed or value is None else float(value)


@dataclass(frozen=True)
class Series:
    """One line of the chart: the values of one status for one geography."""

    label: str
    status: str
    points: list[Point]


@dataclass(frozen=True)
class IndicatorDetail:
    indicator: Indicator
    summary: IndicatorSummary
    series: list[Series]
    comparators: list[Point]
    earlier_values: list[Point]

    @property
    def methodology_plain(self) -> str:
        """The methodology in plain English: the catalogue text before "For specialists"."""
        return self.indicator.methodology.split(SPECIALISTS, 1)[0]

    @property
    def methodology_specialist(self) -> str:
        """The formula and technical detail, kept for specialists; empty when there is none."""
        parts = self.indicator.methodology.split(SPECIALISTS, 1)
        return parts[1] if len(parts) == 2 else ""

    @property
    def is_cohort(self) -> bool:
        return is_cohort(self.indicator)

    @property
    def synthetic(self) -> bool:
        """Any value on the page is a synthetic demo value."""
        return any(p.synthetic for s in self.series for p in s.points) or self.summary.synthetic

    @property
    def has_base(self) -> bool:
        """Any value in the table carries the counts behind its rate."""
        return any(p.base for s in self.series for p in s.points)

    @property
    def chart(self) -> dict:
        """The data the chart script draws, for ``json_script``."""
        return {
            "unit": self.indicator.unit,
            "datasets": [
                {
                    "label": s.label,
                    "kind": s.status,
                    "data": [
                        {"x": p.x, "y": p.y, "period": p.observation.period_label, "text": p.text} for p in s.points
                    ],
                }
                for s in self.series
            ],
        }

    @property
    def chart_label(self) -> str:
        names = "; ".join(s.label for s in self.series)
        return (
            f"Line chart of {self.indicator.name} ({self.indicator.unit}) over time, {len(self.series)} "
            f"series: {names}. The table after the chart gives every value."
        )


def _point(indicator: Indicator, observation: Observation, text: str, *, demo_register: bool) -> Point:
    return Point(
        observation,
        text,
        period=period_text(indicator, observation),
        base=base_text(indicator, observation),
        small_base=is_small_base(observation),
        synthetic=is_synthetic(observation, demo_register=demo_register),
    )


def _series(
    indicator: Indicator, observations: list[Observation], headline_id: int | None, *, demo_register: bool = False
) -> list[Series]:
    grouped: dict[tuple, list[Observation]] = defaultdict(list)
    for observation in observations:
        grouped[(observation.status, observation.geography_id)].append(observation)

    def order(key: tuple) -> tuple:
        status, geography_id = key
        code = grouped[key][0].geography.code
        return (STATUS_ORDER[status], geography_id != headline_id, AREA_PREFERENCE.get(code, 9), code)

    series = []
    for key in sorted(grouped, key=order):
        status, rows = key[0], sorted(grouped[key], key=period_key)
        label = f"{SERIES_KIND[status]}: {rows[0].geography.name}"
        points = [_point(indicator, o, value_text(o), demo_register=demo_register) for o in rows]
        series.append(Series(label=label, status=status, points=points))
    has_target = any(s.status == Observation.Status.TARGET for s in series)
    if indicator.target_value is not None and indicator.target_date and not has_target:
        # The catalogue's own target, drawn when no target observation carries it.
        target = Observation(
            indicator=indicator,
            period_start=indicator.target_date,
            period_end=indicator.target_date,
            period_label=f"by {indicator.target_date.day} {indicator.target_date:%B %Y}",
            status=Observation.Status.TARGET,
            value=indicator.target_value,
        )
        series.append(
            Series(
                label="Target",
                status=Observation.Status.TARGET,
                points=[Point(target, value_text(target), period=target.period_label)],
            )
        )
    return series


def indicator_detail_get(
    *, indicator: Indicator, with_history: bool = False, now: datetime.datetime | None = None
) -> IndicatorDetail:
    """Everything the indicator page shows, for an indicator already read through
    ``indicator_list(user=…)``. Two queries, three ``with_history`` (earlier, replaced values)."""
    observations = list(Observation.objects.filter(indicator=indicator).select_related("geography"))
    demo_register = demo_register_exists()
    summary = indicator_summarise(indicator, observations, now=now, demo_register=demo_register)
    headline_id = summary.latest.geography_id if summary.latest else None
    comparators = sorted(
        (o for o in observations if o.status in COMPARATOR_STATUSES),
        key=lambda o: (
            (STATUS_ORDER[o.status], AREA_PREFERENCE.get(o.geography.code, 9), o.geography.name) + period_key(o)
        ),
    )
    return IndicatorDetail(
        indicator=indicator,
        summary=summary,
        series=_series(indicator, observations, headline_id, demo_register=demo_register),
        comparators=[_point(indicator, o, value_text(o, indicator.unit), demo_register=False) for o in comparators],
        earlier_values=_earlier_values(indicator) if with_history else [],
    )


def _earlier_values(indicator: Indicator) -> list[Point]:
    """Reported values that a later submission replaced, newest first, from the audit history."""
    records = (
        Observation.history.filter(indicator_id=indicator.pk, status=Observation.Status.REPORTED)
        .exclude(history_type="-")
        .select_related("geography", "history_user")
        .order_by("-history_date", "-history_id")
    )
    seen: set[int] = set()
    earlier = []
    for record in records:
        if record.id in seen:  # every record after an observation's newest one is an earlier value
            earlier.append(
                Point(
                    record,
                    value_text(record, indicator.unit),
                    period=period_text(indicator, record),
                    synthetic=record.notes.startswith(SYNTHETIC_NOTE),
                )
            )
        seen.add(record.id)
    return earlier


# Downloads ------------------------------------------------------------------------------------

EXPORT_FIELDS = [
    "indicator_code",
    "period_label",
    "period_start",
    "period_end",
    "geography_code",
    "geography_name",
    "status",
    "value",
    "bound",
    "suppressed",
    "numerator",
    "denominator",
    "unit",
    "source_title",
    "source_url",
    "source_publisher",
    "source_date",
    "secondary",
    "notes",
]


def observation_export_list(*, indicator: Indicator) -> list[dict]:
    """Every observation of an indicator already read through ``indicator_list(user=…)``, as
    plain values keyed by ``EXPORT_FIELDS`` (dates, Decimals and booleans kept), ordered by period,
    geography and status. One query."""
    rows = (
        Observation.objects.filter(indicator=indicator)
        .select_related("geography")
        .order_by("period_start", "period_end", "geography__code", "status")
    )
    return [
        {
            "indicator_code": indicator.code,
            "period_label": o.period_label,
            "period_start": o.period_start,
            "period_end": o.period_end,
            "geography_code": o.geography.code,
            "geography_name": o.geography.name,
            "status": o.status,
            "value": o.value,
            "bound": o.bound,
            "suppressed": o.suppressed,
            "numerator": o.numerator,
            "denominator": o.denominator,
            "unit": indicator.unit,
            "source_title": o.source_title,
            "source_url": o.source_url,
            "source_publisher": o.source_publisher,
            "source_date": o.source_date,
            "secondary": o.secondary,
            "notes": o.notes,
        }
        for o in rows
    ]


def geography_list():
    """Every geography observations may be recorded for."""
    return Geography.objects.order_by("level", "name")
