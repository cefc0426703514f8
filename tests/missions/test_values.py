"""Values checked by the indicator's unit and frequency, the same way in the staff form, the
partner API, the service and the reference figures loader."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from missions import services
from missions.catalogue import indicator_catalogue_sync
from missions.models import Indicator, Observation
from missions.reference import reference_figures_load
from missions.values import period_shape_matches, unit_kind
from tests.missions.factories import WMCA, IndicatorFactory, ObservationFactory, geography
from tests.missions.test_views import form_data as staff_form_data
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

FORM = "/dashboard/observations/new/"
A_YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
A_QUARTER = (datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
YEARLY = "is reported yearly: give 1 January to 31 December of one year"
PERCENTAGE = "Enter a percentage from 0 to 100."
HEADER = (
    "id,mission,topic,indicator,geography,period,value,unit,value_status,original_publisher,"
    "source_title,source_url,source_date,notes\n"
)


@pytest.fixture
def partner():
    return OrganisationFactory(kind="partner", name="Digital Inclusion Partnership")


@pytest.fixture
def share(partner):
    return IndicatorFactory(code="M2-80", unit="%", owner=partner)


@pytest.fixture
def people(partner):
    return IndicatorFactory(code="M2-81", unit="people", owner=partner)


@pytest.fixture
def cost(partner):
    return IndicatorFactory(code="M5-80", unit="£", owner=partner, frequency=Indicator.Frequency.QUARTERLY)


def submit(indicator, *, period=A_YEAR, value=Decimal("12"), **extra):
    return services.observation_submit(
        indicator=indicator,
        geography=geography(),
        period_start=period[0],
        period_end=period[1],
        value=value,
        organisation=indicator.owner,
        **extra,
    )


def refused(indicator, **kwargs) -> dict[str, list[str]]:
    before = Observation.objects.count()
    with pytest.raises(ValidationError) as exc:
        submit(indicator, **kwargs)
    assert Observation.objects.count() == before
    return exc.value.message_dict


# The rules


@pytest.mark.parametrize(
    ("unit", "kind"),
    [
        ("%", "percentage"),
        ("% premises", "percentage"),
        ("pp", "percentage_points"),
        ("people", "count"),
        ("firms", "count"),
        ("£", "money"),
        ("GBP m", "money"),
        ("USD m", "money"),
        ("enterprises per 10,000", "other"),
    ],
)
def test_a_unit_says_what_kind_of_number_it_holds(unit, kind):
    assert unit_kind(unit) == kind


@pytest.mark.parametrize(
    ("frequency", "start", "end", "fits"),
    [
        ("annual", "2024-01-01", "2024-12-31", True),
        ("annual", "2024-04-01", "2025-03-31", True),  # a financial year
        ("annual", "2024-01-01", "2024-03-31", False),
        ("annual", "2024-07-01", "2025-06-30", False),
        ("quarterly", "2024-10-01", "2024-12-31", True),
        ("quarterly", "2024-02-01", "2024-04-30", False),
        ("quarterly", "2024-01-01", "2024-12-31", False),
        ("monthly", "2024-02-01", "2024-02-29", True),
        ("monthly", "2024-02-01", "2024-02-28", False),
        ("ad_hoc", "2024-07-05", "2025-03-31", True),
    ],
)
def test_a_period_fits_its_frequency(frequency, start, end, fits):
    dates = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    assert period_shape_matches(frequency, *dates) is fits


# The service every writer goes through


@pytest.mark.parametrize("value", ["-5", "150", "100.01"])
def test_a_percentage_outside_0_to_100_is_refused(share, value):
    assert refused(share, value=Decimal(value)) == {"value": [PERCENTAGE]}


@pytest.mark.parametrize("value", ["-3", "2.5"])
def test_a_count_is_whole_and_not_negative(people, value):
    assert refused(people, value=Decimal(value)) == {"value": ["Enter a whole number of people, 0 or more."]}


def test_money_is_not_negative(cost):
    assert refused(cost, period=A_QUARTER, value=Decimal("-0.5")) == {"value": ["Enter an amount of 0 or more."]}


def test_values_of_every_kind_within_their_rules_are_kept(share, people, cost):
    assert submit(share, value=Decimal("0"))[0].value == Decimal("0")
    assert submit(people, value=Decimal("1250"))[0].value == Decimal("1250")
    assert submit(cost, period=A_QUARTER, value=Decimal("4.35"))[0].period_label == "2024-Q1"


def test_bounds_and_suppression_are_kept(share, people):
    bounded, _ = submit(share, value=Decimal("95"), bound=">")
    assert (bounded.bound, bounded.value) == (">", Decimal("95"))
    suppressed, _ = submit(people, value=None, suppressed=True)
    assert suppressed.suppressed and suppressed.value is None
    assert refused(
        share, period=(datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)), value=Decimal("101"), bound="<"
    ) == {"value": [PERCENTAGE]}


def test_a_quarter_in_an_annual_series_is_refused_naming_the_shape(share):
    errors = refused(share, period=A_QUARTER)
    assert errors == {
        "period_start": [
            "M2-80 is reported yearly: give 1 January to 31 December of one year, or 1 April to 31 March "
            "for a financial year."
        ]
    }


def test_a_year_in_a_quarterly_series_is_refused_naming_the_shape(cost):
    assert "M5-80 is reported quarterly: give one calendar quarter" in refused(cost)["period_start"][0]


@override_settings(TIME_ZONE="Europe/London")
def test_a_period_from_year_1_to_9999_is_refused_with_every_error_at_once(share):
    errors = refused(share, period=(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)), value=Decimal("150"))
    next_year = datetime.date.today().year + 1
    assert errors == {
        "value": [PERCENTAGE],
        "period_start": ["The period cannot start before 1 January 1990."],
        "period_end": [f"The period cannot end after 31 December {next_year}."],
    }


def test_next_year_is_the_latest_a_period_may_end(share):
    next_year = datetime.date.today().year + 1
    assert submit(share, period=(datetime.date(next_year, 1, 1), datetime.date(next_year, 12, 31)))[1]
    assert "period_start" in refused(
        share, period=(datetime.date(next_year + 1, 1, 1), datetime.date(next_year + 1, 12, 31))
    )


# The staff form


def form_data(indicator, **overrides) -> dict:
    """The staff form's data (``tests.missions.test_views``) with a value of 12 unless overridden."""
    return staff_form_data(indicator, **{"value": "12", **overrides})


@pytest.mark.parametrize(
    ("fixture", "overrides", "errors"),
    [
        ("share", {"value": "-5"}, {"value": PERCENTAGE}),
        ("share", {"value": "150"}, {"value": PERCENTAGE}),
        ("people", {"value": "-3"}, {"value": "Enter a whole number of people"}),
        ("people", {"value": "2.5"}, {"value": "Enter a whole number of people"}),
        ("share", {"period_end_month": "3", "period_end_day": "31"}, {"period_start": YEARLY}),
        (
            "share",
            {"period_start_year": "0001", "period_end_year": "9999", "value": "150"},
            {
                "value": PERCENTAGE,
                "period_start": "cannot start before 1 January 1990",
                "period_end": "The period cannot end after 31 December",
            },
        ),
        ("share", {"value": "١٢"}, {"value": "Enter the value with the digits 0 to 9"}),
        ("share", {"value": "²"}, {"value": "Enter the value with the digits 0 to 9"}),
        ("share", {"value": "１２"}, {"value": "Enter the value with the digits 0 to 9"}),
        ("share", {"period_start_year": "２０２４"}, {"period_start": "Period start must be a real date"}),
        ("share", {"period_end_day": "³¹"}, {"period_end": "Period end must be a real date"}),
    ],
)
def test_the_staff_form_shows_each_broken_rule_on_its_field(request, client, staff_user, fixture, overrides, errors):
    indicator = request.getfixturevalue(fixture)
    client.force_login(staff_user)
    response = client.post(FORM, form_data(indicator, **overrides))
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="govuk-error-summary"' in content
    form_errors = response.context["form"].errors
    assert set(form_errors) == set(errors)
    for field, message in errors.items():
        assert message in form_errors[field][0]
        assert f'id="id_{field}_error"' in content
    assert not Observation.objects.exists()


def test_the_staff_form_lists_the_value_rules_beside_other_errors(client, staff_user, share):
    client.force_login(staff_user)
    response = client.post(FORM, form_data(share, value="150", geography="", period_end_month="3"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"value", "geography", "period_start"}


def test_the_staff_form_saves_a_value_that_fits(client, staff_user, share):
    client.force_login(staff_user)
    response = client.post(FORM, form_data(share, value="61.5"))
    assert response.status_code == 302
    assert Observation.objects.get().value == Decimal("61.5")


# The partner API


def api_value(**overrides) -> dict:
    return {"geography": WMCA, "period_start": "2024-01-01", "period_end": "2024-12-31", "value": 12, **overrides}


@pytest.mark.parametrize(
    ("fixture", "overrides", "attrs"),
    [
        ("share", {"value": -5}, {"value"}),
        ("share", {"value": 150}, {"value"}),
        ("people", {"value": -3}, {"value"}),
        ("people", {"value": 2.5}, {"value"}),
        ("cost", {"value": -1, "period_start": "2024-01-01", "period_end": "2024-03-31"}, {"value"}),
        ("people", {"period_start": "2026-01-01", "period_end": "2026-03-31"}, {"period_start"}),
        ("share", {"period_start": "0001-01-01", "period_end": "9999-12-31"}, {"period_start", "period_end"}),
        ("share", {"value": 150, "period_start": "2024-07-01", "period_end": "2024-09-30"}, {"value", "period_start"}),
        ("share", {"period_end": "2024-12-³¹"}, {"period_end"}),
    ],
)
def test_the_api_answers_400_naming_each_broken_field(request, as_partner, partner, fixture, overrides, attrs):
    indicator = request.getfixturevalue(fixture)
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.post(f"/api/v1/indicators/{indicator.code}/observations/", api_value(**overrides), format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error"
    assert {error["attr"] for error in body["errors"]} == attrs
    assert all(error["detail"] and error["code"] for error in body["errors"])
    assert not Observation.objects.exists()


def test_the_api_reads_dates_in_other_digits_as_the_same_dates(as_partner, partner, share):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.post(
        f"/api/v1/indicators/{share.code}/observations/",
        api_value(period_start="٢٠٢٤-٠١-٠١", period_end="２０２４-１２-３１"),
        format="json",
    )
    assert response.status_code == 201, response.content
    observation = Observation.objects.get()
    assert (observation.period_start, observation.period_end) == A_YEAR


def test_the_api_names_the_expected_shape(as_partner, partner, people):
    client, _ = as_partner("read", "observations:write", organisation=partner)
    response = client.post(
        f"/api/v1/indicators/{people.code}/observations/",
        api_value(period_start="2026-01-01", period_end="2026-03-31", value=420),
        format="json",
    )
    assert response.json()["errors"][0]["detail"].startswith(f"{people.code} {YEARLY}")


# The reference figures loader


def test_the_loader_skips_rows_that_break_the_rules_and_says_why(tmp_path):
    indicator_catalogue_sync()
    rows = [
        "X-PCT,M2,use,Residents who are internet non-users,West Midlands,2022,150,% of residents,published,W,T,https://x.org,2023,",
        "X-NEG,M1,births,Business births,England,2022,-3,enterprises,published,ONS,T,https://x.org,2023,",
        "X-FRAC,M1,births,Business births,England,2021,2.5,enterprises,published,ONS,T,https://x.org,2023,",
        "X-QTR,M1,survival,1-year survival rate,England,Jan-Mar 2020,92,%,published,ONS,T,https://x.org,2021,",
        "X-OLD,M1,births,Business births,England,0001,100,enterprises,published,ONS,T,https://x.org,2023,",
        "X-FAR,M1,births,Business births,England,9999,100,enterprises,published,ONS,T,https://x.org,2023,",
        "X-DATE,M1,births,Business births,England,2019,100,enterprises,published,ONS,T,https://x.org,not shown,",
        "X-OK,M1,births,Business births,England,2020,100,enterprises,published,ONS,T,https://x.org,2021-11-18,",
    ]
    (tmp_path / "rows.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = reference_figures_load(directory=tmp_path)
    reasons = dict(result["skipped"])
    assert PERCENTAGE in reasons["X-PCT"]
    assert "whole number of enterprises" in reasons["X-NEG"] and "whole number" in reasons["X-FRAC"]
    assert YEARLY in reasons["X-QTR"]
    assert "before 1 January 1990" in reasons["X-OLD"]
    assert "cannot start after 31 December" in reasons["X-FAR"]
    assert "not a year, a month or a day" in reasons["X-DATE"]
    assert result["loaded"] == 1
    assert Observation.objects.get().notes.startswith("Reference row X-OK:")


def test_every_shipped_reference_figure_passes_the_value_rules():
    indicator_catalogue_sync()
    result = reference_figures_load()
    reasons = dict(result["skipped"])
    # Two rows break the rules and are skipped, never loaded: a cumulative count "to March 2022" in
    # a yearly series, and a money gap below zero.
    assert "M2-06 (people, annual)" in reasons["DI-WM-BOOTCAMPS"]
    assert "Enter an amount of 0 or more." in reasons["RM-11"]
    for observation in Observation.objects.select_related("indicator"):
        if unit_kind(observation.indicator.unit) == "percentage":
            assert 0 <= observation.value <= 100, observation
        assert datetime.date(1990, 1, 1) <= observation.period_start


@pytest.mark.parametrize("digits", ["²", "١٢", "２０２４", "٢٠٢٤-٠١-٠١", "2024-01-0¹"])
def test_other_digits_in_filters_and_addresses_never_give_a_500(client, api_client, staff_user, share, digits):
    ObservationFactory(indicator=share)
    paths = [
        f"/api/v1/indicators/{share.code}/observations/?year={digits}",
        f"/api/v1/indicators/{share.code}/observations/?period_start_after={digits}",
        f"/api/v1/organisations/?founded_after={digits}",
        f"/api/v1/organisations/1/years/{digits}/",
    ]
    api_client.force_authenticate(staff_user)
    for path in paths:
        assert api_client.get(path).status_code in (200, 400, 404), path
    client.force_login(staff_user)
    response = client.post(FORM, form_data(share, period_start_year=digits, value=digits))
    assert response.status_code == 400
