"""The page reads: latest value, change, status against target, freshness, comparators kept apart,
visibility, and a fixed number of queries."""

import datetime
import random
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from missions import selectors
from missions.models import Indicator, Observation
from missions.selectors import SUPPRESSED_TEXT, TargetStatus
from missions.services import observation_submit
from portal.roles import user_roles
from tests.missions.factories import UK, WEST_MIDLANDS, WMCA, IndicatorFactory, ObservationFactory, geography

pytestmark = pytest.mark.django_db

NOW = timezone.now()
BIRMINGHAM, ENGLAND = "E08000025", "E92000001"


def summary(indicator: Indicator) -> selectors.IndicatorSummary:
    observations = list(Observation.objects.filter(indicator=indicator).select_related("geography"))
    return selectors.indicator_summarise(indicator, observations, now=NOW)


def values(indicator: Indicator, *pairs, **fields) -> None:
    for year, value in pairs:
        ObservationFactory(indicator=indicator, year=year, value=None if value is None else Decimal(value), **fields)


# Latest and change


def test_latest_is_the_wmca_value_with_the_greatest_period_end():
    indicator = IndicatorFactory()
    values(indicator, (2022, "40"), (2024, "45"), (2023, "42"))
    values(indicator, (2025, "99"), geography=geography(UK))  # a later period elsewhere
    result = summary(indicator)
    assert result.latest.period_label == "2024"
    assert result.latest.geography.code == "E47000007"
    assert result.previous.period_label == "2023"
    assert result.change == Decimal("3")
    assert result.change_text == "+3 pp"
    assert result.latest_text == "45%"


def test_without_a_wmca_value_the_geography_with_most_values_is_the_headline():
    indicator = IndicatorFactory(unit="firms")
    values(indicator, (2023, "10"), (2024, "12"), geography=geography(WEST_MIDLANDS))
    values(indicator, (2025, "500"), geography=geography(UK))
    result = summary(indicator)
    assert result.latest.geography.code == WEST_MIDLANDS
    assert result.latest_text == "12 firms"
    assert result.change_text == "+2 firms"


def test_official_figures_and_targets_are_never_the_portal_value():
    indicator = IndicatorFactory()
    values(indicator, (2023, "42"))
    values(indicator, (2025, "60"), status=Observation.Status.PUBLISHED)
    values(indicator, (2026, "80"), status=Observation.Status.TARGET)
    result = summary(indicator)
    assert result.latest.value == Decimal("42")
    assert result.previous is None
    assert result.change is None
    assert result.official.value == Decimal("60")


def test_an_indicator_with_only_official_figures_has_no_latest_value():
    indicator = IndicatorFactory()
    values(indicator, (2024, "60"), status=Observation.Status.PUBLISHED)
    result = summary(indicator)
    assert result.latest is None
    assert result.latest_text == ""
    assert result.updated_at is None
    assert result.stale is False


def test_change_is_against_the_previous_value_of_the_same_status():
    indicator = IndicatorFactory(method=Indicator.Method.COMPUTED, computation="survival_1y")
    values(indicator, (2022, "30"), status=Observation.Status.REPORTED)
    values(indicator, (2021, "20"), (2024, "35"), status=Observation.Status.COMPUTED, computed_at=NOW)
    result = summary(indicator)
    assert result.latest.status == Observation.Status.COMPUTED
    assert result.previous.period_label == "2021"
    assert result.change == Decimal("15")


def test_a_suppressed_value_reads_as_suppressed_and_has_no_change():
    indicator = IndicatorFactory()
    values(indicator, (2023, "40"))
    values(indicator, (2024, None), suppressed=True)
    result = summary(indicator)
    assert result.latest_text == SUPPRESSED_TEXT
    assert result.change is None
    assert result.change_text == ""


def test_a_bound_is_shown_with_its_comparator_and_gives_no_change():
    indicator = IndicatorFactory(unit="firms")
    values(indicator, (2023, "100"))
    values(indicator, (2024, "120"), bound=">")
    result = summary(indicator)
    assert result.latest_text == "> 120 firms"
    assert result.change is None


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (Decimal("1234567.5000"), "people", "1,234,567.5 people"),
        (Decimal("83.0000"), "% premises", "83% premises"),
        (Decimal("12.5000"), "£", "£12.5"),
        (Decimal("0.0000"), "%", "0%"),
        (Decimal("-3.2500"), "pp", "-3.25 pp"),
    ],
)
def test_value_text(value, unit, text):
    assert selectors.value_text(Observation(value=value), unit) == text


# Against target


def _status(direction: str, target: str | None, *pairs, bound: str = "") -> str:
    indicator = IndicatorFactory(direction=direction, target_value=None if target is None else Decimal(target))
    values(indicator, *pairs)
    if bound:
        Observation.objects.filter(indicator=indicator, period_label=str(pairs[-1][0])).update(bound=bound)
    return summary(indicator).target_status


@pytest.mark.parametrize(
    ("direction", "target", "pairs", "expected"),
    [
        ("up", None, [(2023, "10"), (2024, "20")], TargetStatus.NO_TARGET),
        ("up", "80", [], TargetStatus.UNKNOWN),
        ("up", "80", [(2024, "85")], TargetStatus.MET),
        ("up", "80", [(2024, "80")], TargetStatus.MET),
        ("up", "80", [(2023, "60"), (2024, "70")], TargetStatus.ON_TRACK),
        ("up", "80", [(2023, "70"), (2024, "60")], TargetStatus.OFF_TRACK),
        ("up", "80", [(2023, "70"), (2024, "70")], TargetStatus.OFF_TRACK),
        ("up", "80", [(2024, "70")], TargetStatus.UNKNOWN),
        ("up", "80", [(2023, "70"), (2024, None)], TargetStatus.UNKNOWN),
        ("down", "15", [(2024, "14")], TargetStatus.MET),
        ("down", "15", [(2023, "22"), (2024, "20")], TargetStatus.ON_TRACK),
        ("down", "15", [(2023, "20"), (2024, "22")], TargetStatus.OFF_TRACK),
        ("on_plan", "0", [(2023, "-4"), (2024, "2")], TargetStatus.ON_TRACK),
        ("on_plan", "0", [(2023, "2"), (2024, "-4")], TargetStatus.OFF_TRACK),
        ("on_plan", "0", [(2024, "0")], TargetStatus.MET),
    ],
)
def test_status_against_target(direction, target, pairs, expected):
    suppressed = [(y, v) for y, v in pairs if v is None]
    indicator = IndicatorFactory(direction=direction, target_value=None if target is None else Decimal(target))
    values(indicator, *[(y, v) for y, v in pairs if v is not None])
    values(indicator, *suppressed, suppressed=True)
    assert summary(indicator).target_status == expected


def test_a_bound_counts_as_met_only_when_it_guarantees_the_target():
    assert _status("up", "95", (2024, "95"), bound=">") == TargetStatus.MET
    assert _status("up", "95", (2024, "96"), bound="<") == TargetStatus.UNKNOWN
    assert _status("down", "15", (2024, "10"), bound="<") == TargetStatus.MET
    assert _status("down", "15", (2024, "10"), bound=">") == TargetStatus.UNKNOWN


# Freshness


@pytest.mark.parametrize(
    ("frequency", "fresh_days", "stale_days"),
    [("annual", 400, 401), ("quarterly", 100, 101), ("monthly", 35, 36)],
)
def test_a_value_is_stale_when_older_than_its_frequency_allows(frequency, fresh_days, stale_days):
    indicator = IndicatorFactory(frequency=frequency)
    values(indicator, (2024, "50"))
    observations = Observation.objects.filter(indicator=indicator)
    observations.update(updated_at=NOW - datetime.timedelta(days=fresh_days, hours=-1))
    assert summary(indicator).stale is False
    observations.update(updated_at=NOW - datetime.timedelta(days=stale_days))
    result = summary(indicator)
    assert result.stale is True
    assert result.updated_at == NOW - datetime.timedelta(days=stale_days)


def test_an_ad_hoc_indicator_is_never_stale():
    indicator = IndicatorFactory(frequency="ad_hoc")
    values(indicator, (2010, "50"))
    Observation.objects.filter(indicator=indicator).update(updated_at=NOW - datetime.timedelta(days=5000))
    assert summary(indicator).stale is False


def test_a_computed_value_is_as_fresh_as_its_computation():
    indicator = IndicatorFactory(computed=True)
    computed_at = NOW - datetime.timedelta(days=500)
    values(indicator, (2024, "50"), status=Observation.Status.COMPUTED, computed_at=computed_at)
    result = summary(indicator)
    assert result.updated_at == computed_at
    assert result.stale is True


# Visibility and series


def test_mission_summaries_show_the_public_only_non_staff_users(founder_user, staff_user):
    public = IndicatorFactory(code="MX-PUB")
    IndicatorFactory(code="MX-HID", is_public=False)
    for user in (AnonymousUser(), founder_user):
        codes = {s.indicator.code for m in selectors.mission_summary_list(user=user) for s in m.summaries}
        assert public.code in codes
        assert "MX-HID" not in codes
    codes = {s.indicator.code for m in selectors.mission_summary_list(user=staff_user) for s in m.summaries}
    assert {"MX-PUB", "MX-HID"} <= codes


def test_every_mission_is_listed_in_code_order(staff_user):
    assert [m.mission.code for m in selectors.mission_summary_list(user=staff_user)] == ["M1", "M2", "M3", "M4", "M5"]


def test_detail_has_one_series_per_status_and_geography():
    indicator = IndicatorFactory(target_value=Decimal("90"), target_date=datetime.date(2030, 12, 31))
    values(indicator, (2023, "40"), (2024, None))
    Observation.objects.filter(indicator=indicator, period_label="2024").update(suppressed=True)
    values(indicator, (2022, "30"), geography=geography(UK))
    values(indicator, (2023, "55"), status=Observation.Status.PUBLISHED, geography=geography(UK))
    detail = selectors.indicator_detail_get(indicator=indicator)
    assert [s.label for s in detail.series] == [
        "Reported: WMCA area",
        "Reported: United Kingdom",
        "Official figure: United Kingdom",
        "Target",
    ]
    chart = detail.chart
    assert [[p["y"] for p in d["data"]] for d in chart["datasets"]] == [[40.0, None], [30.0], [55.0], [90.0]]
    assert [p.text for p in detail.series[0].points] == ["40", SUPPRESSED_TEXT]
    assert chart["datasets"][0]["data"][0]["x"] == 2023.0
    assert [p.observation.status for p in detail.comparators] == ["published"]


def test_earlier_values_come_from_the_history_of_replaced_values(staff_user):
    indicator = IndicatorFactory()
    fields = {
        "indicator": indicator,
        "geography": geography(),
        "period_start": datetime.date(2024, 1, 1),
        "period_end": datetime.date(2024, 12, 31),
        "submitted_by": staff_user,
    }
    observation_submit(value=Decimal("10"), **fields)
    observation_submit(value=Decimal("12"), **fields)
    observation_submit(value=Decimal("15"), **fields)
    detail = selectors.indicator_detail_get(indicator=indicator, with_history=True)
    assert detail.summary.latest.value == Decimal("15")
    assert [p.text for p in detail.earlier_values] == ["12%", "10%"]


def test_selectors_run_a_fixed_number_of_queries(count_queries, staff_user):
    user_roles(staff_user)  # the roles are read once per request, not per indicator
    counts = []
    for size in (1, 25):
        for _ in range(size):
            indicator = IndicatorFactory()
            values(indicator, (2022, "1"), (2023, "2"), (2024, "3"))
            values(indicator, (2024, "4"), status=Observation.Status.PUBLISHED, geography=geography(UK))
        with count_queries() as listed:
            missions = selectors.mission_summary_list(user=staff_user)
            [s.latest_text + s.change_label + s.official_text + str(s.synthetic) for m in missions for s in m.summaries]
        with count_queries() as mission:
            summary = selectors.mission_summary_get(user=staff_user, mission=indicator.mission)
            [s.sparkline for s in summary.tiles]
        with count_queries() as detail:
            d = selectors.indicator_detail_get(indicator=indicator, with_history=True)
            [p.text + p.observation.geography.name for p in d.comparators + [p for s in d.series for p in s.points]]
        counts.append((listed.count, mission.count, detail.count))
    # Each adds one query for whether the register holds demo firms; the mission page one for trends.
    assert counts[0] == counts[1] == (4, 4, 3)


def _summary_key(result: selectors.IndicatorSummary) -> tuple:
    return tuple(None if o is None else o.pk for o in (result.latest, result.previous, result.official)) + (
        result.target_status,
        result.updated_at,
        result.stale,
    )


def test_the_lists_load_only_the_newest_values_and_summarise_exactly_as_from_all_of_them(staff_user):
    """The mission lists read per series only the newest two values (and the newest official
    figures): on varied data every summary equals the one made from every observation."""
    rng = random.Random(7)  # noqa: S311 - test data
    other_areas = [WEST_MIDLANDS, UK, BIRMINGHAM]
    official_areas = [WMCA, WEST_MIDLANDS, ENGLAND, UK]  # distinct preferences: no ties to break
    indicators = []
    for n in range(30):
        indicator = IndicatorFactory(with_target=n % 2 == 0, direction=rng.choice(["up", "down", "on_plan"]))
        indicators.append(indicator)
        # Most without a WMCA value, so the headline is the area with most values.
        portal_areas = rng.sample(other_areas, rng.randint(0, 3)) + ([WMCA] if n % 4 == 0 else [])
        for area in portal_areas:
            for status in rng.sample(["computed", "reported"], rng.randint(1, 2)):
                for year in rng.sample(range(2012, 2026), rng.randint(1, 6)):
                    value = None if rng.random() < 0.1 else Decimal(rng.randint(0, 100))
                    ObservationFactory(
                        indicator=indicator,
                        year=year,
                        geography=geography(area),
                        status=status,
                        value=value,
                        suppressed=value is None,
                        computed_at=NOW - datetime.timedelta(days=rng.randint(0, 900)),
                    )
        for area in rng.sample(official_areas, rng.randint(0, 3)):
            for year in rng.sample(range(2015, 2026), rng.randint(1, 3)):
                ObservationFactory(
                    indicator=indicator,
                    year=year,
                    geography=geography(area),
                    status=Observation.Status.PUBLISHED,
                    secondary=rng.random() < 0.5,
                )
        if rng.random() < 0.3:
            ObservationFactory(indicator=indicator, year=2030, status=Observation.Status.TARGET)
    listed = {s.indicator.pk: s for m in selectors.mission_summary_list(user=staff_user, now=NOW) for s in m.summaries}
    assert sum(1 for i in indicators if summary(i).latest is not None) > 10  # the data exercises the rule
    assert sum(1 for i in indicators if summary(i).previous is not None) > 5
    for indicator in indicators:
        assert _summary_key(listed[indicator.pk]) == _summary_key(summary(indicator)), indicator.code


# Like for like: change, labels, bases, synthetic values


def quarter(indicator: Indicator, year: int, q: int, value: str, **fields) -> Observation:
    start = datetime.date(year, 3 * q - 2, 1)
    end = datetime.date(year, 3 * q, 31 if q in (1, 4) else 30)
    return ObservationFactory(
        indicator=indicator,
        period_start=start,
        period_end=end,
        period_label=f"{year}-Q{q}",
        value=Decimal(value),
        **fields,
    )


def test_a_quarter_is_never_compared_with_a_year():
    indicator = IndicatorFactory(unit="people")
    values(indicator, (2024, "1500"), (2025, "1532"))
    quarter(indicator, 2026, 1, "420")
    for result in (summary(indicator), _listed(indicator)):
        assert result.latest.period_label == "2026-Q1"
        assert result.previous is None
        assert result.change is None
        assert result.change_label == ""
        assert result.change_missing_text == "No earlier value for a period of the same length"


def test_a_quarter_is_compared_with_the_quarter_before_it_of_the_same_length():
    indicator = IndicatorFactory(unit="people")
    quarter(indicator, 2025, 4, "400")
    values(indicator, (2025, "1532"))
    quarter(indicator, 2026, 1, "420")
    for result in (summary(indicator), _listed(indicator)):
        assert result.previous.period_label == "2025-Q4"
        assert result.change_label == "+20 people since 2025-Q4"


def test_value_change_refuses_periods_of_different_lengths():
    indicator = IndicatorFactory()
    year = ObservationFactory(indicator=indicator, year=2025, value=Decimal("10"))
    spring = quarter(indicator, 2026, 1, "12")
    assert selectors.figures.value_change(spring, year) is None
    assert selectors.figures.value_change(year, year) == 0


def test_change_says_which_two_periods_it_compares():
    indicator = IndicatorFactory(unit="people")
    values(indicator, (2024, "10"), (2025, "13"))
    assert summary(indicator).change_label == "+3 people since 2024"
    flat = IndicatorFactory(unit="people")
    values(flat, (2024, "10"), (2025, "10"))
    assert summary(flat).change_label == "no change since 2024"


def _listed(indicator: Indicator) -> selectors.IndicatorSummary:
    summary = selectors.mission_summary_get(user=AnonymousUser(), mission=indicator.mission)
    return next(s for s in summary.summaries if s.indicator == indicator)


def _computed(indicator: Indicator, year: int, part: int, whole: int) -> Observation:
    return ObservationFactory(
        indicator=indicator,
        year=year,
        status=Observation.Status.COMPUTED,
        value=Decimal(part * 100) / whole,
        numerator=Decimal(part),
        denominator=Decimal(whole),
        computed_at=NOW,
    )


def test_cohort_indicators_say_their_periods_are_birth_cohorts():
    indicator = IndicatorFactory(computed=True, computation="survival_3y")
    _computed(indicator, 2020, 20, 40)
    _computed(indicator, 2021, 24, 24)
    result = summary(indicator)
    assert result.latest_period_text == "firms born in 2021"
    assert result.change_label == "+50 pp compared with firms born in 2020"
    detail = selectors.indicator_detail_get(indicator=indicator)
    assert [p.period for p in detail.series[0].points] == ["firms born in 2020", "firms born in 2021"]
    # A count indicator's years are plain years.
    counted = IndicatorFactory(computed=True, computation="firms_home_grown", unit="firms")
    _computed(counted, 2021, 5, 5)
    assert summary(counted).latest_period_text == "2021"


def test_every_portal_rate_shows_its_base_and_a_small_base_under_30():
    indicator = IndicatorFactory(computed=True, computation="survival_3y")
    _computed(indicator, 2021, 24, 24)
    result = summary(indicator)
    assert result.latest_text == "100%"
    assert result.base_text == "24 of 24 firms"
    assert result.small_base is True
    large = IndicatorFactory(computed=True, computation="staff_women_share")
    _computed(large, 2021, 30, 120)
    assert summary(large).base_text == "30 of 120 people"
    assert summary(large).small_base is False
    reported = IndicatorFactory()
    values(reported, (2024, "40"))
    assert summary(reported).base_text == ""


def test_synthetic_values_are_reported_demo_values_or_computed_from_a_demo_register():
    from tests.portal.factories import OrganisationFactory

    reported = IndicatorFactory()
    ObservationFactory(indicator=reported, year=2024, notes="Synthetic demo value, not a real figure.")
    real = IndicatorFactory()
    ObservationFactory(indicator=real, year=2024, notes="Programme returns.")
    computed = IndicatorFactory(computed=True, computation="survival_3y")
    _computed(computed, 2021, 24, 24)

    def synthetic() -> dict:
        listed = selectors.mission_summary_get(user=AnonymousUser(), mission=reported.mission)
        flags = {s.indicator.code: s.synthetic for s in listed.summaries}
        for indicator in (reported, real, computed):  # the indicator page reads the same
            assert selectors.indicator_detail_get(indicator=indicator).synthetic is flags[indicator.code]
        return {code: flags[code] for code in (reported.code, real.code, computed.code)}

    assert synthetic() == {reported.code: True, real.code: False, computed.code: False}
    OrganisationFactory(company_number="SY000001")
    assert synthetic() == {reported.code: True, real.code: False, computed.code: True}


def test_without_values_the_page_says_when_data_is_expected_and_from_whom():
    from tests.portal.factories import OrganisationFactory

    yearly = IndicatorFactory()
    assert summary(yearly).expected_text == "Expected yearly from the Tech Commissioner's office."
    owned = IndicatorFactory(
        frequency=Indicator.Frequency.QUARTERLY, owner=OrganisationFactory(name="Midlands University")
    )
    assert summary(owned).expected_text == "Expected every quarter from Midlands University."
    assert summary(yearly).target_status_label == "No target set"


def test_mission_tiles_are_the_first_four_public_indicators_with_a_value_and_their_trend():
    mission_indicators = [IndicatorFactory(unit="firms") for _ in range(6)]
    IndicatorFactory(is_public=False)
    for n, indicator in enumerate(mission_indicators):
        if n != 1:  # the second has no value
            values(indicator, (2022, "4"), (2023, "8"), (2024, str(6 + n)))
    quarter(mission_indicators[0], 2025, 1, "3")  # a quarter after the years: the tile's own series
    summary = selectors.mission_summary_get(user=AnonymousUser(), mission=mission_indicators[0].mission)
    tiles = summary.tiles
    assert [t.indicator for t in tiles] == [mission_indicators[i] for i in (0, 2, 3, 4)]
    assert [o.period_label for o in tiles[0].trend] == ["2025-Q1"]
    assert tiles[0].sparkline is None  # one value draws no line
    line = tiles[1].sparkline
    assert [o.period_label for o in tiles[1].trend] == ["2022", "2023", "2024"]
    assert (line.first_label, line.last_label) == ("2022", "2024")
    # 4, 8, 8: lowest at the bottom, highest at the top, within the drawing.
    ys = [float(point.split(",")[1]) for point in line.points.split()]
    assert ys[0] == line.height - 4 and ys[1] == ys[2] == 4


def test_methodology_reads_in_plain_english_with_the_formula_for_specialists():
    from missions.catalogue import CATALOGUE

    for spec in CATALOGUE:
        if spec.method == Indicator.Method.COMPUTED:
            indicator = IndicatorFactory(methodology=spec.methodology)
            detail = selectors.indicator_detail_get(indicator=indicator)
            assert detail.methodology_specialist, spec.code
            assert "#{" not in detail.methodology_plain and "x 100" not in detail.methodology_plain, spec.code
    plain = selectors.indicator_detail_get(indicator=IndicatorFactory(methodology="Reported by its owner."))
    assert (plain.methodology_plain, plain.methodology_specialist) == ("Reported by its owner.", "")
