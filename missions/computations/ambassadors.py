"""M1 indicators computed from the ambassador network: projects landed by type (foreign direct
investment, UK firms opening an office, expansions), their origin countries, new and safeguarded
jobs and capital invested, active ambassadors, countries covered, leads referred and landed per
ambassador, and the conversion of referred leads into landed projects.

A lead counts by its current state: it is a landed project only while its stage is ``landed``,
in the calendar year of ``landed_on`` (DBT counts a project in the year it lands). A lead landed
and later reopened or lost is not counted, and one landed again counts once, in the year of its
latest landing date. Every function runs one grouped query (two for the per-ambassador ratios),
whatever the number of leads, activities or ambassadors, and returns ``Value`` rows for the WMCA
area; plain ORM, so it runs on PostgreSQL and SQLite alike.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Case, Count, DateField, Min, Q, QuerySet, Sum, When
from django.db.models.functions import ExtractYear, TruncDate
from django.utils import timezone

from ambassadors.models import Activity, Ambassador, Lead
from ambassadors.querysets import ACTIVE_WITHIN_DAYS
from missions.registry import Value, period_value, rate_value, register, year_period

from .firms import current_year
from .workspaces import _quarter_bounds, _quarter_index


def landed_projects() -> QuerySet[Lead]:
    """Leads landed now, with their landing date: the projects the indicators count."""
    return Lead.objects.filter(stage=Lead.Stage.LANDED, landed_on__isnull=False).order_by()


def _yearly(rows: dict[int, Decimal]) -> list[Value]:
    """One value per calendar year from the first year in ``rows`` to this year, zero where a year
    has none; no values at all when ``rows`` is empty."""
    if not rows:
        return []
    return [
        period_value(*year_period(year), Decimal(rows.get(year, 0))) for year in range(min(rows), current_year() + 1)
    ]


def _landed_by_year(aggregate, queryset: QuerySet[Lead] | None = None) -> list[Value]:
    """``aggregate`` (an expression over leads) of the landed projects, by year landed. One query."""
    rows = (
        (landed_projects() if queryset is None else queryset)
        .annotate(year=ExtractYear("landed_on"))
        .values_list("year")
        .annotate(total=aggregate)
        .order_by()
    )
    return _yearly({year: total or 0 for year, total in rows})


# Projects landed, by type and origin (KPIS §2.7, M1-11 and M1-12) ------------------------------


def projects_landed(kind: str) -> list[Value]:
    """Landed projects of ``kind`` (a ``Lead.Kind``) by year landed."""
    return _landed_by_year(Count("pk"), landed_projects().filter(kind=kind))


@register("leads_landed_fdi")
def leads_landed_fdi() -> list[Value]:
    return projects_landed(Lead.Kind.FDI)


@register("leads_landed_uk_office")
def leads_landed_uk_office() -> list[Value]:
    return projects_landed(Lead.Kind.UK_OFFICE)


@register("leads_landed_expansion")
def leads_landed_expansion() -> list[Value]:
    return projects_landed(Lead.Kind.EXPANSION)


@register("leads_landed_origin_countries")
def leads_landed_origin_countries() -> list[Value]:
    """Distinct origin countries of the projects landed in the year (a lead with no origin
    country recorded is not counted)."""
    return _landed_by_year(Count("origin_country", distinct=True), landed_projects().exclude(origin_country=""))


@register("leads_new_jobs")
def leads_new_jobs() -> list[Value]:
    return _landed_by_year(Sum("new_jobs"))


@register("leads_safeguarded_jobs")
def leads_safeguarded_jobs() -> list[Value]:
    return _landed_by_year(Sum("safeguarded_jobs"))


@register("leads_capital_invested")
def leads_capital_invested() -> list[Value]:
    return _landed_by_year(Sum("capital_invested"))


# The network: active ambassadors and countries covered -------------------------------------------


EARLIEST_QUARTER_YEARS = 10  # quarters further back are not computed: the network is younger


def _quarter_ends(today: datetime.date) -> dict[int, datetime.date]:
    """The quarters of the last ``EARLIEST_QUARTER_YEARS`` years up to the current one (by
    ``_quarter_index``), each mapped to the day it is measured on: its last day, or today for the
    current quarter."""
    current = _quarter_index(today)
    return {
        index: min(_quarter_bounds(index)[1], today)
        for index in range(current - 4 * EARLIEST_QUARTER_YEARS + 1, current + 1)
    }


def _quarterly_activity(count: Callable[[Q], Count]) -> list[Value]:
    """``count(window)`` over activities for every quarter from the first activity's to the
    current one, where ``window`` selects the activities of the 90 days up to the day the quarter
    is measured on. One query: a conditional aggregate per quarter, and the first activity's date."""
    today = timezone.localdate()
    ends = _quarter_ends(today)
    window = datetime.timedelta(days=ACTIVE_WITHIN_DAYS)
    counts = (
        Activity.objects.filter(occurred_on__gt=min(ends.values()) - window, occurred_on__lte=today)
        .order_by()
        .aggregate(
            first=Min("occurred_on"),
            **{
                f"q{index}": count(Q(occurred_on__gt=end - window, occurred_on__lte=end)) for index, end in ends.items()
            },
        )
    )
    if counts["first"] is None:
        return []
    first = _quarter_index(counts["first"])
    return [period_value(*_quarter_bounds(index), Decimal(counts[f"q{index}"])) for index in ends if index >= first]


@register("ambassadors_active")
def ambassadors_active() -> list[Value]:
    """Ambassadors with at least one activity in the 90 days up to the end of each quarter."""
    return _quarterly_activity(lambda window: Count("ambassador", distinct=True, filter=window))


@register("ambassadors_countries_covered")
def ambassadors_countries_covered() -> list[Value]:
    """Countries with at least one active ambassador (as ``ambassadors_active``) at the end of each
    quarter, by the country on the ambassador's profile; a profile with no country is not counted."""
    return _quarterly_activity(
        lambda window: Count("ambassador__country", distinct=True, filter=window & ~Q(ambassador__country=""))
    )


# Leads per ambassador and conversion ------------------------------------------------------------


def _network_size_by_year(years: range) -> dict[int, int]:
    """Ambassadors on the network in each year of ``years``: accepted (not merely invited), their
    profile made by 31 December, and not gone before 1 January. An ambassador is gone after the
    year their term ends; a retired ambassador with no term end is gone after the year of the last
    change to their profile (when they were retired). One query of a few grouped rows."""
    groups = (
        Ambassador.objects.exclude(status=Ambassador.Status.INVITED)
        .annotate(
            joined=ExtractYear("created_at"),
            left=ExtractYear(
                Case(
                    When(term_ends_on__isnull=False, then="term_ends_on"),
                    When(status=Ambassador.Status.RETIRED, then=TruncDate("updated_at")),
                    output_field=DateField(),
                )
            ),
        )
        .values_list("joined", "left")
        .annotate(n=Count("pk"))
        .order_by()
    )
    groups = list(groups)
    return {
        year: sum(n for joined, left, n in groups if joined <= year and (left is None or left >= year))
        for year in years
    }


def _per_ambassador(leads: QuerySet[Lead], year_field: str) -> list[Value]:
    """Leads of ``leads`` by the year of ``year_field``, over the ambassadors on the network that
    year, to two decimal places with both counts; a year with no ambassador on the network has no
    value. Two queries."""
    per_year = dict(leads.annotate(year=ExtractYear(year_field)).values_list("year").annotate(n=Count("pk")).order_by())
    if not per_year:
        return []
    years = range(min(per_year), current_year() + 1)
    network = _network_size_by_year(years)
    values = []
    for year in years:
        if not network[year]:
            continue
        part = per_year.get(year, 0)
        ratio = (Decimal(part) / network[year]).quantize(Decimal("0.01"))
        values.append(
            period_value(*year_period(year), ratio, numerator=Decimal(part), denominator=Decimal(network[year]))
        )
    return values


def referred_leads() -> QuerySet[Lead]:
    """Leads an ambassador referred (staff may also record leads of their own, which do not count)."""
    return Lead.objects.filter(referred_by__isnull=False).order_by()


@register("leads_referred_per_ambassador")
def leads_referred_per_ambassador() -> list[Value]:
    """Leads referred by ambassadors in the year (by the date the lead was recorded), per
    ambassador on the network that year."""
    return _per_ambassador(referred_leads(), "created_at")


@register("leads_landed_per_ambassador")
def leads_landed_per_ambassador() -> list[Value]:
    """Projects landed in the year that an ambassador referred, per ambassador on the network."""
    return _per_ambassador(landed_projects().filter(referred_by__isnull=False), "landed_on")


@register("leads_conversion")
def leads_conversion() -> list[Value]:
    """Of the leads ambassadors referred in year c, the share landed now, for every year with any."""
    rows = (
        referred_leads()
        .annotate(cohort=ExtractYear("created_at"))
        .values("cohort")
        .annotate(
            referred=Count("pk"),
            landed=Count("pk", filter=Q(stage=Lead.Stage.LANDED, landed_on__isnull=False)),
        )
        .order_by("cohort")
    )
    return [rate_value(*year_period(row["cohort"]), row["landed"], row["referred"]) for row in rows]
