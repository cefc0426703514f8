"""M1 indicators computed from the workspaces app: desk occupancy, applications received and
decided, the share decided within the service level, and the firms the workspaces support (with
their survival and high growth, through the firm-register functions restricted to those firms).

Every function runs one or two grouped queries (never a Python loop over applications or
tenancies) and returns ``Value`` rows; plain ORM, so it runs on PostgreSQL and SQLite alike.
"""

import calendar
import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
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


def _current_quarter() -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    first_month = (today.month - 1) // 3 * 3 + 1
    last_month = first_month + 2
    end = datetime.date(today.year, last_month, calendar.monthrange(today.year, last_month)[1])
    return datetime.date(today.year, first_month, 1), end


def _borough_codes() -> dict[str, str]:
    """LocalAuthority choice -> ONS code of the Geography row of the same name."""
    labels = {LocalAuthority(choice).label: choice for choice in WMCA_BOROUGHS}
    rows = Geography.objects.filter(level=Geography.Level.LOCAL_AUTHORITY, name__in=labels).values_list("name", "code")
    return {labels[name]: code for name, code in rows}


# Occupancy -----------------------------------------------------------------------------------


@register("workspace_occupancy")
def workspace_occupancy() -> list[Value]:
    """Desks let in current tenancies over desk capacity, for the current quarter: the WMCA area
    and each borough whose workspaces have desks. Desks held by open offers are not let, so they
    are left out here (the dashboard's live panel counts them as held)."""
    start, end = _current_quarter()
    capacity = dict(
        DeskPool.objects.filter(workspace__local_authority__in=WMCA_BOROUGHS)
        .values_list("workspace__local_authority")
        .annotate(total=Sum("capacity"))
        .order_by()
    )
    let = dict(
        Tenancy.objects.filter(
            ended_on__isnull=True, start_on__lte=end, pool__workspace__local_authority__in=WMCA_BOROUGHS
        )
        .values_list("pool__workspace__local_authority")
        .annotate(total=Sum("desks"))
        .order_by()
    )
    codes = _borough_codes()
    label = period_label(start, end)

    def value(code: str, desks: int, total: int) -> Value:
        return Value(
            period_label=label,
            period_start=start,
            period_end=end,
            geography_code=code,
            value=_percentage(desks, total),
            numerator=Decimal(desks),
            denominator=Decimal(total),
        )

    values = [
        value(codes[borough], let.get(borough, 0), total)
        for borough, total in sorted(capacity.items())
        if total and borough in codes
    ]
    overall = sum(capacity.values())
    if overall:
        values.insert(0, value(WMCA_CODE, sum(let.values()), overall))
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
