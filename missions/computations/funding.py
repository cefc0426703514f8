"""M1 indicators computed from the investment register (KPIS §2.6 portal rule): equity investment
raised by the region's tech firms with the deal count and the undisclosed count beside it, by year
and by quarter; the split between domestic and international money by the lead investor's
country; funding secured through the catalogue's listed opportunities; grants awarded; and the
share of grants published in the 360Giving standard (M3-05).

Every indicator counts the same investments (``counted_investments``): those into the portal's
tech firms in the seven WMCA boroughs (``firm_population``), dated by ``announced_on`` (the day a
round closed or an award was made) up to today, leaving out a record staff flagged as a possible
duplicate of another until they clear the flag. An undisclosed amount is counted as a deal and
never valued: values sum disclosed amounts only. Each function runs one grouped query and returns
``Value`` rows for the WMCA area; plain ORM, so it runs on PostgreSQL and SQLite alike.
"""

from decimal import Decimal

from django.db.models import Count, FilteredRelation, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from funding.grants import GRANTS, grant_publishable, grants_held
from funding.models import Investment
from missions.geographies import WMCA_BOROUGHS
from missions.registry import Value, period_value, rate_value, register, year_period
from portal.models import Organisation

from .firms import current_year
from .workspaces import _quarter_bounds, _quarter_index, _sql_quarter_index

DOMESTIC_COUNTRY = "GB"


def counted_investments() -> QuerySet[Investment]:
    """Investments into portal tech firms in the WMCA boroughs, dated up to today, possible
    duplicates left out. Not ordered."""
    return Investment.objects.filter(
        firm__kind=Organisation.Kind.FIRM,
        firm__is_tech=True,
        firm__local_authority__in=WMCA_BOROUGHS,
        announced_on__lte=timezone.localdate(),
        possible_duplicate_of__isnull=True,
    ).order_by()


def equity_rounds() -> QuerySet[Investment]:
    return counted_investments().filter(kind=Investment.Kind.EQUITY)


def _aggregate_by(queryset: QuerySet[Investment], period, measure) -> dict[int, Decimal]:
    """``measure`` (an aggregate over investments) of ``queryset`` grouped by ``period`` (an
    expression giving a year or a quarter index). One query."""
    rows = queryset.annotate(period=period).values_list("period").annotate(total=measure).order_by()
    return {int(key): Decimal(total or 0) for key, total in rows}


def _yearly(queryset: QuerySet[Investment], measure) -> list[Value]:
    """``measure`` by calendar year from the first year with any investment to this year, zero in
    years with none; no values at all while there is none."""
    rows = _aggregate_by(queryset, ExtractYear("announced_on"), measure)
    if not rows:
        return []
    years = range(min(rows), current_year() + 1)
    return [period_value(*year_period(year), rows.get(year, Decimal(0))) for year in years]


def _quarterly(queryset: QuerySet[Investment], measure) -> list[Value]:
    """``measure`` by calendar quarter from the first quarter with any investment to the current
    one, zero in quarters with none."""
    rows = _aggregate_by(queryset, _sql_quarter_index("announced_on"), measure)
    if not rows:
        return []
    quarters = range(min(rows), _quarter_index(timezone.localdate()) + 1)
    return [period_value(*_quarter_bounds(index), rows.get(index, Decimal(0))) for index in quarters]


DISCLOSED_VALUE = Sum("amount_gbp")  # SUM leaves out the undisclosed (null) amounts
DEALS = Count("pk")
UNDISCLOSED = Count("pk", filter=Q(amount_gbp__isnull=True))


# Equity investment raised (M1-01, M1-02) ---------------------------------------------------------


@register("funding_equity_value")
def funding_equity_value() -> list[Value]:
    """Disclosed equity raised by the region's tech firms in each year, in pounds."""
    return _yearly(equity_rounds(), DISCLOSED_VALUE)


@register("funding_equity_value_quarterly")
def funding_equity_value_quarterly() -> list[Value]:
    return _quarterly(equity_rounds(), DISCLOSED_VALUE)


@register("funding_equity_deals")
def funding_equity_deals() -> list[Value]:
    """Equity rounds closed in each year, disclosed or not."""
    return _yearly(equity_rounds(), DEALS)


@register("funding_equity_deals_quarterly")
def funding_equity_deals_quarterly() -> list[Value]:
    return _quarterly(equity_rounds(), DEALS)


@register("funding_equity_undisclosed")
def funding_equity_undisclosed() -> list[Value]:
    """Equity rounds closed in each year whose amount was not disclosed."""
    return _yearly(equity_rounds(), UNDISCLOSED)


@register("funding_equity_undisclosed_quarterly")
def funding_equity_undisclosed_quarterly() -> list[Value]:
    return _quarterly(equity_rounds(), UNDISCLOSED)


# Domestic and international money (M1-03) --------------------------------------------------------


def _by_lead() -> dict[int, dict[str, Decimal]]:
    """Disclosed equity value by year, split into ``domestic`` (lead investor based in the UK),
    ``international`` (lead based elsewhere) and ``unknown`` (no lead recorded). One query, joining
    each round to its lead investor's row once (an investment has at most one lead)."""
    rows = (
        equity_rounds()
        .filter(amount_gbp__isnull=False)
        .alias(lead=FilteredRelation("investor_rows", condition=Q(investor_rows__is_lead=True)))
        .annotate(year=ExtractYear("announced_on"))
        .values_list("year")
        .annotate(
            domestic=Sum("amount_gbp", filter=Q(lead__country=DOMESTIC_COUNTRY)),
            international=Sum("amount_gbp", filter=Q(lead__country__isnull=False) & ~Q(lead__country=DOMESTIC_COUNTRY)),
            unknown=Sum("amount_gbp", filter=Q(lead__isnull=True)),
        )
        .order_by()
    )
    return {
        int(year): {"domestic": Decimal(d or 0), "international": Decimal(i or 0), "unknown": Decimal(u or 0)}
        for year, d, i, u in rows
    }


def _lead_values(part: str) -> list[Value]:
    rows = _by_lead()
    if not rows:
        return []
    return [
        period_value(*year_period(year), rows.get(year, {}).get(part, Decimal(0)))
        for year in range(min(rows), current_year() + 1)
    ]


@register("funding_equity_domestic")
def funding_equity_domestic() -> list[Value]:
    """Disclosed equity led by an investor based in the UK, by year."""
    return _lead_values("domestic")


@register("funding_equity_international")
def funding_equity_international() -> list[Value]:
    """Disclosed equity led by an investor based outside the UK, by year."""
    return _lead_values("international")


@register("funding_equity_lead_unknown")
def funding_equity_lead_unknown() -> list[Value]:
    """Disclosed equity of rounds with no lead investor recorded, by year."""
    return _lead_values("unknown")


@register("funding_equity_international_share")
def funding_equity_international_share() -> list[Value]:
    """International-led disclosed equity as a share of the disclosed equity whose lead is known,
    by year, with both amounts; a year with no known lead has no value."""
    rows = _by_lead()
    values = []
    for year, parts in sorted(rows.items()):
        known = parts["domestic"] + parts["international"]
        if known:
            values.append(rate_value(*year_period(year), int(parts["international"]), int(known)))
    return values


# Listed opportunities and grants (M1-13) ---------------------------------------------------------


def through_listed_opportunities() -> QuerySet[Investment]:
    """Counted investments of any kind made through an opportunity of the portal's catalogue."""
    return counted_investments().filter(opportunity__isnull=False)


def grants_awarded() -> QuerySet[Investment]:
    """Counted grants, by the same rule as the 360Giving export (``funding.grants``)."""
    return counted_investments().filter(GRANTS)


@register("funding_listed_value")
def funding_listed_value() -> list[Value]:
    """Disclosed money secured through listed opportunities, by year."""
    return _yearly(through_listed_opportunities(), DISCLOSED_VALUE)


@register("funding_listed_count")
def funding_listed_count() -> list[Value]:
    """Investments and awards secured through listed opportunities, disclosed or not, by year."""
    return _yearly(through_listed_opportunities(), DEALS)


@register("funding_grants_value")
def funding_grants_value() -> list[Value]:
    """Disclosed grants awarded to the region's tech firms, by year."""
    return _yearly(grants_awarded(), DISCLOSED_VALUE)


@register("funding_grants_count")
def funding_grants_count() -> list[Value]:
    """Grants awarded to the region's tech firms, disclosed or not, by year."""
    return _yearly(grants_awarded(), DEALS)


# Grant data published to 360Giving (M3-05) -------------------------------------------------------


@register("funding_grants_published_share")
def funding_grants_published_share() -> list[Value]:
    """Of the register's grants awarded in a year (to any firm, as the export covers them all), the
    share the 360Giving export publishes (a disclosed amount and a funder), with both counts."""
    rows = (
        grants_held()
        .filter(announced_on__lte=timezone.localdate())
        .annotate(year=ExtractYear("announced_on"))
        .values("year")
        .annotate(held=Count("pk"), published=Count("pk", filter=grant_publishable()))
        .order_by("year")
    )
    return [rate_value(*year_period(row["year"]), row["published"], row["held"]) for row in rows]
