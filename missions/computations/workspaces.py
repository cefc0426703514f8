"""M1 indicators computed from the workspaces app: desk occupancy, applications received and
decided, the share decided within the service level, and the firms the workspaces support (with
their survival and high growth, through the firm-register functions restricted to those firms).

Every function runs one or two grouped queries (never a Python loop over applications or
tenancies) and returns ``Value`` rows; plain ORM, so it runs on PostgreSQL and SQLite alike.
"""

import calendar
import datetime
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Sum, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone

from missions.models import Geography
from missions.registry import Value, register
from missions.services import period_label
from portal.models import LocalAuthority, Organisation
from workspaces.models import Application, DeskPool, Tenancy

from .firms import (
    WMCA_BOROUGHS,
    WMCA_CODE,
    _percentage,
    _rate_value,
    _year_value,
    firm_population,
    high_growth_values,
    survival_values,
)


def _quarter_index(day: datetime.date) -> int:
    """Quarters counted from year 0: ``year * 4 + quarter - 1``, so consecutive quarters differ by 1."""
    return day.year * 4 + (day.month - 1) // 3


def _quarter_bounds(index: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of the quarter ``_quarter_index`` numbers ``index``."""
    year, first_month = index // 4, index % 4 * 3 + 1
    last_month = first_month + 2
    return datetime.date(year, first_month, 1), datetime.date(
        year, last_month, calendar.monthrange(year, last_month)[1]
    )


def _sql_quarter_index(field: str) -> CombinedExpression:
    """``_quarter_index`` of a date column, in SQL (EXTRACT on PostgreSQL, Django's function on SQLite)."""
    return ExtractYear(field) * 4 + ExtractQuarter(field) - 1


def _borough_codes() -> dict[str, str]:
    """LocalAuthority choice -> ONS code of the Geography row of the same name."""
    labels = {LocalAuthority(choice).label: choice for choice in WMCA_BOROUGHS}
    rows = Geography.objects.filter(level=Geography.Level.LOCAL_AUTHORITY, name__in=labels).values_list("name", "code")
    return {labels[name]: code for name, code in rows}


# Occupancy -----------------------------------------------------------------------------------


@register("workspace_occupancy")
def workspace_occupancy() -> list[Value]:
    """Desks let over desk capacity in every quarter from the quarter of the first tenancy start to
    the current one, for the WMCA area and each borough whose workspaces have desks.

    A tenancy is let on day d when ``start_on <= d`` and it has not ended by then (``ended_on`` null
    or after d); each quarter is measured on its last day, the current quarter today. Desks held by
    open offers are not let, so they are left out (the dashboard's live panel counts them as held).
    Capacity is today's ``DeskPool.capacity`` for every quarter (there is no capacity history).

    Three queries whatever the number of tenancies or quarters: capacity by borough, the boroughs'
    codes, and the desks of the tenancies that have started, grouped by borough, start quarter and
    end quarter. A tenancy is let at the end of quarter q exactly when its start quarter <= q < its
    end quarter, where the end quarter is that of ``ended_on`` if it has ended by today and none
    otherwise; the few grouped rows are accumulated per quarter here.
    """
    today = timezone.localdate()
    current = _quarter_index(today)
    capacity = dict(
        DeskPool.objects.filter(workspace__local_authority__in=WMCA_BOROUGHS)
        .values_list("workspace__local_authority")
        .annotate(total=Sum("capacity"))
        .order_by()
    )
    overall = sum(capacity.values())
    if not overall:
        return []
    codes = _borough_codes()
    rows = (
        Tenancy.objects.filter(start_on__lte=today, pool__workspace__local_authority__in=WMCA_BOROUGHS)
        .annotate(
            start_quarter=_sql_quarter_index("start_on"),
            end_quarter=Case(
                When(ended_on__lte=today, then=_sql_quarter_index("ended_on")), output_field=IntegerField()
            ),
        )
        .values_list("pool__workspace__local_authority", "start_quarter", "end_quarter")
        .annotate(total=Sum("desks"))
        .order_by()
    )
    # change[borough][q]: desks let from quarter q on (positive) or given back from q on (negative).
    change: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    first = current
    for borough, start_quarter, end_quarter, desks in rows:
        start_quarter = int(start_quarter)
        first = min(first, start_quarter)
        change[borough][start_quarter] += desks
        if end_quarter is not None:
            change[borough][int(end_quarter)] -= desks

    let: dict[str, int] = defaultdict(int)
    values = []
    for index in range(first, current + 1):
        start, end = _quarter_bounds(index)
        label = period_label(start, end)
        for borough, changes in change.items():
            let[borough] += changes.get(index, 0)
        geographies = [(WMCA_CODE, sum(let.values()), overall)] + [
            (codes[borough], let[borough], total)
            for borough, total in sorted(capacity.items())
            if total and borough in codes
        ]
        values.extend(
            Value(
                period_label=label,
                period_start=start,
                period_end=end,
                geography_code=code,
                value=_percentage(desks, total),
                numerator=Decimal(desks),
                denominator=Decimal(total),
            )
            for code, desks, total in geographies
        )
    return values


# Applications and the service level ------------------------------------------------------------


def _yearly_counts(rows: dict[int, int]) -> list[Value]:
    """A count for every year from the first with any to this year, zero where there were none."""
    if not rows:
        return []
    return [_year_value(year, Decimal(rows.get(year, 0))) for year in range(min(rows), timezone.localdate().year + 1)]


@register("workspace_applications_received")
def workspace_applications_received() -> list[Value]:
    """Applications submitted in each year (drafts never submitted are not received)."""
    rows = (
        Application.objects.filter(submitted_at__isnull=False)
        .annotate(year=ExtractYear("submitted_at"))
        .values_list("year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _yearly_counts(dict(rows))


@register("workspace_applications_decided")
def workspace_applications_decided() -> list[Value]:
    """Applications first decided (offered, rejected or waitlisted) in each year."""
    rows = (
        Application.objects.filter(decided_at__isnull=False)
        .annotate(year=ExtractYear("decided_at"))
        .values_list("year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _yearly_counts(dict(rows))


@register("workspace_decided_within_service_level")
def workspace_decided_within_service_level() -> list[Value]:
    """Of the applications first decided in year t, the share decided within
    ``WORKSPACES_SERVICE_LEVEL_DAYS`` working days of submission."""
    limit = settings.WORKSPACES_SERVICE_LEVEL_DAYS
    rows = (
        Application.objects.filter(decided_at__isnull=False, decision_working_days__isnull=False)
        .annotate(year=ExtractYear("decided_at"))
        .values("year")
        .annotate(decided=Count("pk"), within=Count("pk", filter=Q(decision_working_days__lte=limit)))
        .order_by("year")
    )
    return [_rate_value(row["year"], row["within"], row["decided"]) for row in rows]


# Supported firms ---------------------------------------------------------------------------------


@register("workspace_supported_firms")
def workspace_supported_firms() -> list[Value]:
    """Distinct firms with a tenancy in year t (started by 31 December, not ended before 1 January),
    from the first tenancy's year to this year. Two queries: the first year, then one count per
    year as conditional aggregates of a single scan."""
    first = Tenancy.objects.aggregate(first=Min("start_on"))["first"]
    if first is None:
        return []
    years = range(first.year, timezone.localdate().year + 1)
    counts = Tenancy.objects.aggregate(
        **{
            f"y{year}": Count(
                "organisation",
                distinct=True,
                filter=Q(start_on__lte=datetime.date(year, 12, 31))
                & (Q(ended_on__isnull=True) | Q(ended_on__gte=datetime.date(year, 1, 1))),
            )
            for year in years
        }
    )
    return [_year_value(year, Decimal(counts[f"y{year}"])) for year in years]


def supported_firm_population() -> QuerySet[Organisation]:
    """The firms of ``firm_population()`` that have ever had a workspace tenancy."""
    return firm_population().filter(Exists(Tenancy.objects.filter(organisation=OuterRef("pk"))))


@register("workspace_supported_survival_3y")
def workspace_supported_survival_3y() -> list[Value]:
    return survival_values(years=3, population=supported_firm_population())


@register("workspace_supported_high_growth")
def workspace_supported_high_growth() -> list[Value]:
    return high_growth_values(population=supported_firm_population())
