"""M1 indicators computed from the firm register: cohort survival, high growth, scale-up
conversion, diversity shares and firm counts by origin.

Every function reads the portal's tech firms in the seven WMCA boroughs, runs one or two grouped
queries (never a Python loop over firms or firm-years) and returns a ``Value`` per period for the
WMCA area. The SQL is plain ORM so it runs on PostgreSQL and SQLite alike.
"""

from decimal import Decimal

from django.db.models import BigIntegerField, Count, F, FilteredRelation, Min, Q, QuerySet, Sum
from django.db.models.functions import Cast, ExtractYear
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from missions.geographies import WMCA_BOROUGHS
from missions.registry import Value, period_value, rate_value, register, year_period
from portal.models import FirmYear, Organisation

SUPPRESSION_THRESHOLD = 10
SCALEUP_YEARS = 8
HGE_MIN_EMPLOYEES = 10


def firm_population() -> QuerySet[Organisation]:
    """Tech firms located in one of the seven WMCA boroughs (not outside, not blank)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.FIRM, is_tech=True, local_authority__in=WMCA_BOROUGHS
    ).order_by()


def current_year() -> int:
    """The last year a computing function reports: this calendar year, in the portal's time zone."""
    return timezone.localdate().year


# Survival (KPIS §2.1) ------------------------------------------------------------------------


def survival_values(*, years: int, population: QuerySet[Organisation] | None = None) -> list[Value]:
    """N-year survival of each birth cohort c with c+N <= this year, one grouped query.

    Survivors are firms born in c still active in c+N: not dissolved, or dissolved in c+N or later
    (a firm dissolved during year c+N was active in it). ``population`` narrows the firms counted
    (a subset of ``firm_population()``); by default it is the whole of it.
    """
    last_cohort = current_year() - years
    rows = (
        (firm_population() if population is None else population)
        .filter(founded_on__isnull=False)
        .annotate(cohort=ExtractYear("founded_on"), dissolved_year=ExtractYear("dissolved_on"))
        .filter(cohort__lte=last_cohort)
        .values("cohort")
        .annotate(
            births=Count("id"),
            survivors=Count("id", filter=Q(dissolved_on__isnull=True) | Q(dissolved_year__gte=F("cohort") + years)),
        )
        .order_by("cohort")
    )
    return [rate_value(*year_period(row["cohort"]), row["survivors"], row["births"]) for row in rows]


@register("survival_1y")
def survival_1y() -> list[Value]:
    return survival_values(years=1)


@register("survival_3y")
def survival_3y() -> list[Value]:
    return survival_values(years=3)


@register("survival_5y")
def survival_5y() -> list[Value]:
    return survival_values(years=5)


# High growth (KPIS §2.2, §2.3) ----------------------------------------------------------------


def _growth_base(population: QuerySet[Organisation] | None = None) -> QuerySet[FirmYear]:
    """Population firm-years t with known employees and 10+ employees in t−3 (annotated ``base``).

    The year t−3 is joined in (the firm's firm-year of that year, one at most), so the database
    matches all the pairs in one hash join rather than looking one up for every firm-year."""
    return (
        FirmYear.objects.filter(
            organisation__in=firm_population() if population is None else population, employees__isnull=False
        )
        .annotate(
            three_years_before=FilteredRelation(
                "organisation__years", condition=Q(organisation__years__year=F("year") - 3)
            ),
            base=F("three_years_before__employees"),
        )
        .filter(base__gte=HGE_MIN_EMPLOYEES)
        .order_by()
    )


def _is_high_growth() -> GreaterThan:
    # (e_t / e_{t−3})^(1/3) − 1 > 0.20  ⇔  1000·e_t > 1728·e_{t−3}: exact, no floating point.
    return GreaterThan(Cast("employees", BigIntegerField()) * 1000, Cast("base", BigIntegerField()) * 1728)


def high_growth_values(*, population: QuerySet[Organisation] | None = None) -> list[Value]:
    """Share of firms with 10+ employees three years earlier that grew over 20% a year, by year t,
    among ``population`` (by default every firm of ``firm_population()``)."""
    rows = (
        _growth_base(population)
        .values("year")
        .annotate(eligible=Count("id"), high_growth=Count("id", filter=_is_high_growth()))
        .order_by("year")
    )
    return [rate_value(*year_period(row["year"]), row["high_growth"], row["eligible"]) for row in rows]


@register("high_growth_incidence")
def high_growth_incidence() -> list[Value]:
    return high_growth_values()


@register("scaleup_conversion")
def scaleup_conversion() -> list[Value]:
    """Share of birth cohort c that is high-growth in some year t <= c+8, for c+8 <= this year.

    Two grouped queries: the births of each cohort, and the distinct firms of each cohort among
    the high-growth firm-years t <= c+8 (a join, not a lookup per firm)."""
    last_cohort = current_year() - SCALEUP_YEARS
    births = (
        firm_population()
        .filter(founded_on__isnull=False)
        .annotate(cohort=ExtractYear("founded_on"))
        .filter(cohort__lte=last_cohort)
        .values_list("cohort")
        .annotate(n=Count("id"))
        .order_by("cohort")
    )
    scaleups = dict(
        _growth_base()
        .filter(_is_high_growth())
        .annotate(cohort=ExtractYear("organisation__founded_on"))
        .filter(cohort__lte=last_cohort, year__lte=F("cohort") + SCALEUP_YEARS)
        .values_list("cohort")
        .annotate(n=Count("organisation", distinct=True))
        .order_by()
    )
    return [rate_value(*year_period(cohort), scaleups.get(cohort, 0), born) for cohort, born in births]


# Diversity (KPIS §2.8) -----------------------------------------------------------------------


def diversity_values(*, numerator: str, denominator: str) -> list[Value]:
    """Σ numerator / Σ denominator × 100 per year over consenting population firm-years.

    Only rows where both counts are known enter either sum. A year whose denominator is under 10
    people is suppressed: no value and no counts. Years with no known counts are left out.
    """
    both_known = Q(**{f"{numerator}__isnull": False, f"{denominator}__isnull": False})
    rows = (
        FirmYear.objects.filter(organisation__in=firm_population(), consent=True)
        .filter(both_known)
        .values("year")
        .annotate(part=Sum(numerator), whole=Sum(denominator))
        .order_by("year")
    )
    values = []
    for row in rows:
        if row["whole"] < SUPPRESSION_THRESHOLD:
            values.append(period_value(*year_period(row["year"]), None, suppressed=True))
        else:
            values.append(rate_value(*year_period(row["year"]), row["part"], row["whole"]))
    return values


@register("leadership_women_share")
def leadership_women_share() -> list[Value]:
    return diversity_values(numerator="leadership_women", denominator="leadership_disclosed")


@register("leadership_ethnic_minority_share")
def leadership_ethnic_minority_share() -> list[Value]:
    return diversity_values(numerator="leadership_ethnic_minority", denominator="leadership_disclosed")


@register("leadership_disclosure_rate")
def leadership_disclosure_rate() -> list[Value]:
    return diversity_values(numerator="leadership_disclosed", denominator="leadership_total")


@register("staff_women_share")
def staff_women_share() -> list[Value]:
    return diversity_values(numerator="staff_women", denominator="staff_disclosed")


@register("staff_ethnic_minority_share")
def staff_ethnic_minority_share() -> list[Value]:
    return diversity_values(numerator="staff_ethnic_minority", denominator="staff_disclosed")


@register("staff_disclosure_rate")
def staff_disclosure_rate() -> list[Value]:
    return diversity_values(numerator="staff_disclosed", denominator="staff_total")


# Firms by origin -----------------------------------------------------------------------------


def active_firms_by_origin(*, origin: str) -> list[Value]:
    """Firms of ``origin`` active in each year y, from the population's earliest founding year (of
    any origin, so the three series cover the same years) to this year. Two queries: that year,
    and this origin's firms counted by (founding year, dissolution year), a few rows summed here."""
    first_founded = firm_population().aggregate(first=Min("founded_on"))["first"]
    if first_founded is None:
        return []
    groups = list(
        firm_population()
        .filter(origin=origin, founded_on__isnull=False)
        .annotate(born=ExtractYear("founded_on"), gone=ExtractYear("dissolved_on"))
        .values("born", "gone")
        .annotate(firms=Count("id"))
    )
    values = []
    for year in range(first_founded.year, current_year() + 1):
        active = sum(g["firms"] for g in groups if g["born"] <= year and (g["gone"] is None or g["gone"] >= year))
        values.append(period_value(*year_period(year), Decimal(active)))
    return values


@register("firms_home_grown")
def firms_home_grown() -> list[Value]:
    return active_firms_by_origin(origin=Organisation.Origin.HOME_GROWN)


@register("firms_relocated_uk")
def firms_relocated_uk() -> list[Value]:
    return active_firms_by_origin(origin=Organisation.Origin.RELOCATED_UK)


@register("firms_relocated_abroad")
def firms_relocated_abroad() -> list[Value]:
    return active_firms_by_origin(origin=Organisation.Origin.RELOCATED_ABROAD)
