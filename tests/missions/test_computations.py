"""The M1 computing functions: cohort survival, high growth, scale-up conversion, diversity shares
and firm counts by origin, checked to the decimal on constructed firms."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from missions.computations import firms
from missions.registry import REGISTRY
from portal.models import FirmYear, LocalAuthority, Organisation
from tests.portal.factories import FirmYearFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.localdate().year
KEYS = {
    "survival_1y",
    "survival_3y",
    "survival_5y",
    "high_growth_incidence",
    "scaleup_conversion",
    "leadership_women_share",
    "leadership_ethnic_minority_share",
    "leadership_disclosure_rate",
    "staff_women_share",
    "staff_ethnic_minority_share",
    "staff_disclosure_rate",
    "firms_home_grown",
    "firms_relocated_uk",
    "firms_relocated_abroad",
}


def firm(**fields) -> Organisation:
    return OrganisationFactory(company_number="", **fields)


def firms_bulk(count: int, **fields) -> list[Organisation]:
    return Organisation.objects.bulk_create(
        [OrganisationFactory.build(company_number="", **fields) for _ in range(count)]
    )


def ignored_firms(**fields) -> list[Organisation]:
    """Firms that must never count: outside the area, no borough, not tech, not a firm."""
    return [
        firm(local_authority=LocalAuthority.OUTSIDE, **fields),
        firm(local_authority="", **fields),
        firm(is_tech=False, **fields),
        firm(kind=Organisation.Kind.PARTNER, **fields),
    ]


def by_label(values) -> dict:
    return {value.period_label: value for value in values}


def test_every_key_is_registered():
    assert set(REGISTRY) >= KEYS
    assert REGISTRY["survival_3y"] is firms.survival_3y


def test_west_midlands_2010_cohort_reproduced_at_one_fifth():
    # KPIS §2.1: 17,805 births and 15,515 / 12,880 / 10,175 / 8,585 / 7,360 survivors, divided by 5.
    births, survivors = 3561, [3103, 2576, 2035, 1717, 1472]
    still_active = [births, *survivors]
    founded = datetime.date(2010, 4, 1)
    for n in range(5):
        # Dissolved during 2010+n: active in 2010+n, so survived n years but not n+1.
        firms_bulk(
            still_active[n] - still_active[n + 1], founded_on=founded, dissolved_on=datetime.date(2010 + n, 9, 1)
        )
    firms_bulk(survivors[-1], founded_on=founded, dissolved_on=None)
    ignored_firms(founded_on=founded)

    expected = {1: "87.1", 2: "72.3", 3: "57.1", 4: "48.2", 5: "41.3"}
    for years, rate in expected.items():
        value = by_label(firms.survival_values(years=years))["2010"]
        assert value.value == Decimal(rate)
        assert value.numerator == survivors[years - 1]
        assert value.denominator == births
        assert value.geography_code == "E47000007"
        assert (value.period_start, value.period_end) == (datetime.date(2010, 1, 1), datetime.date(2010, 12, 31))
    assert by_label(REGISTRY["survival_1y"]())["2010"].value == Decimal("87.1")
    assert by_label(REGISTRY["survival_3y"]())["2010"].value == Decimal("57.1")
    assert by_label(REGISTRY["survival_5y"]())["2010"].value == Decimal("41.3")


def test_dissolved_in_year_c_plus_n_survives_n_years_and_in_c_plus_n_minus_1_does_not():
    founded = datetime.date(2015, 1, 10)
    firm(founded_on=founded, dissolved_on=datetime.date(2018, 12, 31))
    firm(founded_on=founded, dissolved_on=datetime.date(2018, 1, 1))
    firm(founded_on=founded, dissolved_on=datetime.date(2017, 12, 31))
    value = by_label(firms.survival_3y())["2015"]
    assert (value.value, value.numerator, value.denominator) == (Decimal("66.7"), 2, 3)
    assert by_label(firms.survival_values(years=4))["2015"].value == Decimal("0.0")


def test_survival_reports_only_cohorts_that_can_be_judged():
    firm(founded_on=datetime.date(THIS_YEAR - 2, 6, 1))
    assert str(THIS_YEAR - 2) in by_label(firms.survival_1y())
    assert str(THIS_YEAR - 2) not in by_label(firms.survival_3y())
    assert firms.survival_5y() == []


def _growth(organisation, before: int, after: int, year: int = 2023) -> None:
    FirmYearFactory(organisation=organisation, year=year - 3, employees=before)
    FirmYearFactory(organisation=organisation, year=year, employees=after)


def test_high_growth_is_strictly_more_than_twenty_percent_a_year_from_ten_employees():
    _growth(firm(), 1000, 1728)  # exactly 20% a year: eligible, not high-growth
    _growth(firm(), 1000, 1729)  # high-growth
    _growth(firm(), 10, 17)  # eligible, 10 employees at t−3 included
    _growth(firm(), 9, 100)  # 9 at t−3: not eligible at all
    FirmYearFactory(organisation=firm(), year=2023, employees=500)  # no t−3 row
    for organisation in ignored_firms():
        _growth(organisation, 10, 100)

    value = by_label(firms.high_growth_incidence())["2023"]
    assert (value.value, value.numerator, value.denominator) == (Decimal("33.3"), 1, 3)
    assert set(by_label(firms.high_growth_incidence())) == {"2023"}


def test_scaleup_conversion_counts_high_growth_within_eight_years_of_birth():
    founded = datetime.date(2010, 3, 1)
    _growth(firm(founded_on=founded), 10, 50, year=2018)  # HGE in 2018 = c+8: converts
    _growth(firm(founded_on=founded), 10, 50, year=2019)  # HGE only in 2019: too late
    _growth(firm(founded_on=founded), 10, 15, year=2017)  # never high-growth
    firm(founded_on=founded)  # no yearly facts at all
    for organisation in ignored_firms(founded_on=founded):
        _growth(organisation, 10, 50, year=2015)
    firm(founded_on=datetime.date(THIS_YEAR - 7, 1, 1))  # cohort too young to judge

    values = by_label(firms.scaleup_conversion())
    assert (values["2010"].value, values["2010"].numerator, values["2010"].denominator) == (Decimal("25.0"), 1, 4)
    assert str(THIS_YEAR - 7) not in values


def test_diversity_shares_use_consenting_firms_and_suppress_under_ten_people():
    first, second, refuser = firm(), firm(), firm()
    people = {"leadership_total": 6, "leadership_disclosed": 5, "leadership_women": 2, "leadership_ethnic_minority": 1}
    staff = {"staff_total": 20, "staff_disclosed": 12, "staff_women": 5, "staff_ethnic_minority": 4}
    FirmYearFactory(organisation=first, year=2024, **people, **staff)
    FirmYearFactory(organisation=first, year=2023, **people, **staff)
    FirmYearFactory(
        organisation=second,
        year=2024,
        leadership_total=8,
        leadership_disclosed=6,
        leadership_women=3,
        leadership_ethnic_minority=0,
        staff_total=30,
        staff_disclosed=30,
        staff_women=9,
        staff_ethnic_minority=6,
    )
    FirmYearFactory(organisation=refuser, year=2024, consent=False, leadership_total=100, leadership_disclosed=100)
    for organisation in ignored_firms():
        FirmYearFactory(organisation=organisation, year=2024, leadership_total=50, leadership_disclosed=50)

    expected_2024 = {
        "leadership_women_share": ("45.5", 5, 11),
        "leadership_ethnic_minority_share": ("9.1", 1, 11),
        "leadership_disclosure_rate": ("78.6", 11, 14),
        "staff_women_share": ("33.3", 14, 42),
        "staff_ethnic_minority_share": ("23.8", 10, 42),
        "staff_disclosure_rate": ("84.0", 42, 50),
    }
    for key, (rate, numerator, denominator) in expected_2024.items():
        values = by_label(REGISTRY[key]())
        value = values["2024"]
        assert (value.value, value.numerator, value.denominator, value.suppressed) == (
            Decimal(rate),
            numerator,
            denominator,
            False,
        ), key
        small = values["2023"]
        if key.startswith("leadership"):  # 5 disclosed, 6 in total: under 10 people
            assert (small.value, small.numerator, small.denominator, small.suppressed) == (None, None, None, True)
        else:  # 12 disclosed, 20 in total
            assert small.suppressed is False


def test_firms_by_origin_counts_active_firms_each_year():
    firm(founded_on=datetime.date(2018, 2, 1), dissolved_on=datetime.date(2020, 6, 1))
    firm(founded_on=datetime.date(2019, 2, 1), origin=Organisation.Origin.RELOCATED_UK)
    firm(founded_on=datetime.date(2020, 2, 1), origin=Organisation.Origin.RELOCATED_ABROAD, origin_country="IN")
    ignored_firms(founded_on=datetime.date(2010, 1, 1))

    years = [str(year) for year in range(2018, THIS_YEAR + 1)]
    home = by_label(firms.firms_home_grown())
    uk = by_label(firms.firms_relocated_uk())
    abroad = by_label(firms.firms_relocated_abroad())
    assert list(home) == list(uk) == list(abroad) == years
    assert [home[y].value for y in ("2018", "2019", "2020", "2021")] == [1, 1, 1, 0]
    assert [uk[y].value for y in ("2018", "2019", str(THIS_YEAR))] == [0, 1, 1]
    assert [abroad[y].value for y in ("2019", "2020", str(THIS_YEAR))] == [0, 1, 1]


def test_each_origin_takes_two_queries_whatever_the_number_of_firms():
    origins = (firms.firms_home_grown, firms.firms_relocated_uk, firms.firms_relocated_abroad)
    counts = []
    for batch in (1, 40):
        for _ in range(batch):
            firm(founded_on=datetime.date(2019, 2, 1), origin=Organisation.Origin.RELOCATED_UK)
        with CaptureQueriesContext(connection) as queries:
            results = [function() for function in origins]
        counts.append(len(queries.captured_queries))
    assert counts == [6, 6]
    assert by_label(results[1])["2019"].value == 41


def _population(size: int) -> None:
    organisations = firms_bulk(size, founded_on=datetime.date(2012, 1, 1))
    FirmYear.objects.bulk_create(
        FirmYearFactory.build(organisation=organisation, year=year, employees=10 + index * (year - 2014))
        for index, organisation in enumerate(organisations)
        for year in (2015, 2018, 2021)
    )


@pytest.mark.parametrize("key", sorted(KEYS))
def test_query_count_does_not_grow_with_the_number_of_firms(key):
    counts = []
    for size in (10, 200):
        _population(size)
        with CaptureQueriesContext(connection) as queries:
            values = REGISTRY[key]()
        assert values
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] <= 2
