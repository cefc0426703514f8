"""M1 indicators computed from the workspaces app: desk occupancy, applications received and
decided, the share decided within the service level, and the firms the workspaces support (with
their survival and high growth, through the firm-register functions restricted to those firms).

Every indicator counts the same population: the workspaces in the seven WMCA boroughs (an
application counts when it names at least one of them; a tenancy when its desks are in one of
them), and for supported firms the tech firms of ``firm_population()``, as M1-04 and M1-06 do.
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

from missions.geographies import BOROUGH_CODES, WMCA_BOROUGHS, WMCA_CODE
from missions.registry import Value, period_value, rate_value, register, year_period
from portal.models import Organisation
from workspaces.models import Application, DeskPool, Tenancy, Workspace

from .firms import current_year, firm_population, high_growth_values, survival_values


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


def wmca_applications() -> QuerySet[Application]:
    """Applications naming at least one workspace in the seven WMCA boroughs."""
    in_area = Workspace.objects.filter(applications=OuterRef("pk"), local_authority__in=WMCA_BOROUGHS)
    return Application.objects.filter(Exists(in_area)).order_by()


def wmca_tenancies() -> QuerySet[Tenancy]:
    """Tenancies of desks in workspaces in the seven WMCA boroughs."""
    return Tenancy.objects.filter(pool__workspace__local_authority__in=WMCA_BOROUGHS).order_by()


# Occupancy -----------------------------------------------------------------------------------


@register("workspace_occupancy")
def workspace_occupancy() -> list[Value]:
    """Desks let over desk capacity in every quarter from the quarter of the first tenancy start to
    the current one, for the WMCA area and each borough whose workspaces have desks.

    A tenancy is let on day d when ``start_on <= d`` and it has not ended by then (``ended_on`` null
    or after d); each quarter is measured on its last day, the current quarter today. Desks held by
    open offers are not let, so they are left out (the dashboard's live panel counts them as held).
    Capacity is today's ``DeskPool.capacity`` for every quarter (there is no capacity history).

    Two queries whatever the number of tenancies or quarters: capacity by borough, and the desks of
    the tenancies that have started, grouped by borough, start quarter and end quarter. A tenancy
    is let at the end of quarter q exactly when its start quarter <= q < its end quarter, where the
    end quarter is that of ``ended_on`` if it has ended by today and none otherwise; the few
    grouped rows are accumulated per quarter here.
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
    rows = (
        wmca_tenancies()
        .filter(start_on__lte=today)
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
        for borough, changes in change.items():
            let[borough] += changes.get(index, 0)
        values.append(rate_value(start, end, sum(let.values()), overall, geography_code=WMCA_CODE))
        values.extend(
            rate_value(start, end, let[borough], total, geography_code=BOROUGH_CODES[borough])
            for borough, total in sorted(capacity.items())
            if total
        )
    return values


# Applications and the service level ------------------------------------------------------------


def _yearly_application_counts(field: str) -> list[Value]:
    """Applications to WMCA workspaces by the calendar year of ``field`` (a timestamp), for every
    year from the first with any to this year, zero where there were none. One query."""
    rows = dict(
        wmca_applications()
        .filter(**{f"{field}__isnull": False})
        .annotate(year=ExtractYear(field))
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    if not rows:
        return []
    years = range(min(rows), current_year() + 1)
    return [period_value(*year_period(year), Decimal(rows.get(year, 0))) for year in years]


@register("workspace_applications_received")
def workspace_applications_received() -> list[Value]:
    """Applications submitted in each year (drafts never submitted are not received)."""
    return _yearly_application_counts("submitted_at")


@register("workspace_applications_decided")
def workspace_applications_decided() -> list[Value]:
    """Applications first decided (offered, rejected or waitlisted) in each year."""
    return _yearly_application_counts("decided_at")


@register("workspace_decided_within_service_level")
def workspace_decided_within_service_level() -> list[Value]:
    """Of the applications first decided in year t, the share decided within
    ``WORKSPACES_SERVICE_LEVEL_DAYS`` working days of submission."""
    limit = settings.WORKSPACES_SERVICE_LEVEL_DAYS
    rows = (
        wmca_applications()
        .filter(decided_at__isnull=False, decision_working_days__isnull=False)
        .annotate(year=ExtractYear("decided_at"))
        .values("year")
        .annotate(decided=Count("pk"), within=Count("pk", filter=Q(decision_working_days__lte=limit)))
        .order_by("year")
    )
    return [rate_value(*year_period(row["year"]), row["within"], row["decided"]) for row in rows]


# Supported firms ---------------------------------------------------------------------------------


def supported_firm_population() -> QuerySet[Organisation]:
    """The firms of ``firm_population()`` that have ever held desks in a WMCA workspace."""
    return firm_population().filter(Exists(wmca_tenancies().filter(organisation=OuterRef("pk"))))


@register("workspace_supported_firms")
def workspace_supported_firms() -> list[Value]:
    """Distinct supported firms (``supported_firm_population``) with a WMCA tenancy in year t
    (started by 31 December, not ended before 1 January), from the first such tenancy's year to
    this year. Two queries: the first year, then one count per year as conditional aggregates of
    a single scan."""
    tenancies = wmca_tenancies().filter(organisation__in=firm_population())
    first = tenancies.aggregate(first=Min("start_on"))["first"]
    if first is None:
        return []
    years = range(first.year, current_year() + 1)
    counts = tenancies.aggregate(
        **{
            f"y{year}": Count(
                "organisation",
                distinct=True,
                filter=Q(start_on__lte=year_period(year)[1])
                & (Q(ended_on__isnull=True) | Q(ended_on__gte=year_period(year)[0])),
            )
            for year in years
        }
    )
    return [period_value(*year_period(year), Decimal(counts[f"y{year}"])) for year in years]


@register("workspace_supported_survival_3y")
def workspace_supported_survival_3y() -> list[Value]:
    return survival_values(years=3, population=supported_firm_population())


@register("workspace_supported_high_growth")
def workspace_supported_high_growth() -> list[Value]:
    return high_growth_values(population=supported_firm_population())
