"""Mission and indicator pages, downloads, the staff observation form and the dashboard, through
HTTP: visibility per role, CSV escaping, form errors, replacement with history, query counts."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from missions.catalogue import indicator_catalogue_sync
from missions.models import Indicator, Observation, RefreshRun
from missions.reference import reference_figures_load
from missions.services import refresh_run_execute
from portal.forms import date_example
from portal.models import FirmYear, Organisation
from tests.missions.factories import UK, IndicatorFactory, ObservationFactory, geography
from tests.portal.factories import FirmYearFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

FORM = "/dashboard/observations/new/"


def indicator_url(code: str, suffix: str = "") -> str:
    return f"/indicators/{code}/{suffix}"


@pytest.fixture
def hidden():
    """A non-public reported indicator with one value."""
    indicator = IndicatorFactory(code="MX-HIDDEN", name="Hidden pilot measure", is_public=False)
    ObservationFactory(indicator=indicator, value=Decimal("12.5"))
    return indicator


@pytest.fixture
def reported():
    return IndicatorFactory(code="MX-REP", name="Residents supported", unit="people")


def form_data(indicator: Indicator, /, **overrides) -> dict:
    data = {
        "indicator": indicator.pk,
        "geography": geography().pk,
        "period_start_day": "1",
        "period_start_month": "1",
        "period_start_year": "2024",
        "period_end_day": "31",
        "period_end_month": "12",
        "period_end_year": "2024",
        "value": "1,250",
        "bound": "",
        "source_title": "Programme returns",
        "source_url": "https://example.org/returns",
        "source_date": "2025-01",
        "notes": "",
    }
    data.update(overrides)
    return data


# Navigation and public pages


def test_the_home_page_links_every_mission_page(client):
    content = client.get("/").content.decode()
    links = re.findall(r'href="(/missions/[a-z-]+/)"', content)
    # Each of the five mission pages once, and nothing else under /missions/.
    assert sorted(links) == sorted(
        f"/missions/{slug}/" for slug in ["economy", "inclusion", "data", "connectivity", "public-services"]
    )
    assert all(client.get(link).status_code == 200 for link in links)
    assert 'href="/missions/"' in content  # the header navigation


def test_indicator_pages_sit_in_the_missions_section_of_the_navigation(client):
    IndicatorFactory(code="MX-NAV")
    content = client.get(indicator_url("MX-NAV")).content.decode()
    assert 'href="/missions/" aria-current="true"' in content


def test_mission_list_shows_all_five_missions_with_public_values(client, hidden):
    public = IndicatorFactory(name="Public reach measure")
    ObservationFactory(indicator=public, value=Decimal("41.5"))
    response = client.get(reverse("missions:mission-list"))
    assert response.status_code == 200
    content = response.content.decode()
    for name in ["Economy", "Inclusion", "Data", "Connectivity", "Public services"]:
        assert name in content
    assert "Public reach measure" in content
    assert "41.5%" in content
    assert "Hidden pilot measure" not in content


def test_mission_page_lists_its_indicators(client, hidden):
    public = IndicatorFactory(name="Public reach measure", target_value=Decimal("40"))
    ObservationFactory(indicator=public, value=Decimal("41.5"))
    response = client.get(reverse("missions:mission-detail", args=["inclusion"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Public reach measure" in content
    assert "Target met" in content
    assert "Hidden pilot measure" not in content
    assert client.get("/missions/no-such-mission/").status_code == 404


def test_staff_see_non_public_indicators_marked(client, staff_user, hidden):
    client.force_login(staff_user)
    for url in [reverse("missions:mission-list"), reverse("missions:mission-detail", args=["inclusion"])]:
        content = client.get(url).content.decode()
        assert "Hidden pilot measure" in content
        assert "Not public" in content
    response = client.get(indicator_url(hidden.code))
    assert response.status_code == 200
    assert "Not public" in response.content.decode()


@pytest.mark.parametrize("suffix", ["", "observations.csv", "observations.json"])
def test_a_non_public_indicator_is_not_found_for_anonymous_users_and_founders(client, founder_user, hidden, suffix):
    assert client.get(indicator_url(hidden.code, suffix)).status_code == 404
    client.force_login(founder_user)
    assert client.get(indicator_url(hidden.code, suffix)).status_code == 404
    assert client.get(indicator_url("NO-SUCH-CODE", suffix)).status_code == 404


@pytest.mark.parametrize("suffix", ["", "observations.csv", "observations.json"])
def test_staff_reach_a_non_public_indicator_and_its_downloads(client, staff_user, hidden, suffix):
    client.force_login(staff_user)
    assert client.get(indicator_url(hidden.code, suffix)).status_code == 200


def test_indicator_page_shows_suppressed_values_and_bounds_never_as_numbers(client):
    indicator = IndicatorFactory(name="Women in leadership", unit="%")
    ObservationFactory(indicator=indicator, year=2023, value=Decimal("31.7"))
    ObservationFactory(indicator=indicator, year=2024, value=None, suppressed=True)
    ObservationFactory(
        indicator=indicator,
        year=2024,
        value=Decimal("120"),
        bound=">",
        status=Observation.Status.PUBLISHED,
        geography=geography(UK),
        source_title="Official bulletin",
        source_url="https://example.org/bulletin",
        secondary=True,
    )
    response = client.get(indicator_url(indicator.code))
    content = response.content.decode()
    assert response.status_code == 200
    assert "suppressed (fewer than 10 people)" in content
    assert "&gt; 120%" in content
    assert "Official bulletin" in content
    assert "Secondary source" in content
    assert 'role="img"' in content
    assert 'id="indicator-chart-data" type="application/json"' in content


def test_indicator_page_offers_staff_the_form_for_reported_indicators_only(client, staff_user, reported):
    computed = IndicatorFactory(computed=True)
    client.force_login(staff_user)
    assert f"{FORM}?indicator={reported.code}" in client.get(indicator_url(reported.code)).content.decode()
    assert FORM not in client.get(indicator_url(computed.code)).content.decode()


# Downloads


def test_csv_escapes_formula_cells_and_keeps_numbers(client):
    indicator = IndicatorFactory(code="MX-CSV", unit="pp")
    ObservationFactory(
        indicator=indicator,
        value=Decimal("-4.5"),
        numerator=Decimal("9"),
        denominator=Decimal("200"),
        source_title='=HYPERLINK("https://evil.example","click")',
        source_publisher="+44 20 7946 0000",
        source_date="@SUM(1+1)",
        notes="-2+3",
    )
    ObservationFactory(indicator=indicator, year=2023, value=Decimal("3"), source_title="\tTabbed", notes="\rReturn")
    response = client.get(indicator_url(indicator.code, "observations.csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="mx-csv-observations.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["period_label"] for r in rows] == ["2023", "2024"]
    latest = rows[1]
    assert latest["value"] == "-4.5"  # a number, not escaped
    assert latest["numerator"] == "9"
    assert latest["denominator"] == "200"
    assert latest["source_title"] == '\'=HYPERLINK("https://evil.example","click")'
    assert latest["source_publisher"] == "'+44 20 7946 0000"
    assert latest["source_date"] == "'@SUM(1+1)"
    assert latest["notes"] == "'-2+3"
    assert latest["suppressed"] == "false"
    assert latest["geography_code"] == "E47000007"
    assert rows[0]["source_title"] == "'\tTabbed"
    assert rows[0]["notes"] == "'\rReturn"


def test_json_download_holds_every_visible_observation(client):
    indicator = IndicatorFactory(code="MX-JSON", name="Datasets published", unit="datasets")
    ObservationFactory(indicator=indicator, value=Decimal("14"), numerator=None)
    ObservationFactory(indicator=indicator, year=2023, value=None, suppressed=True)
    ObservationFactory(
        indicator=indicator, value=Decimal("120"), bound=">", status="published", geography=geography(UK)
    )
    response = client.get(indicator_url(indicator.code, "observations.json"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="mx-json-observations.json"'
    body = response.json()
    assert body["indicator"] == {
        "code": "MX-JSON",
        "name": "Datasets published",
        "mission": "M2",
        "unit": "datasets",
        "public": True,
    }
    observations = body["observations"]
    assert [(o["period_label"], o["geography_code"], o["status"]) for o in observations] == [
        ("2023", "E47000007", "reported"),
        ("2024", "E47000007", "reported"),
        ("2024", "K02000001", "published"),
    ]
    assert observations[0]["value"] is None
    assert observations[0]["suppressed"] is True
    assert observations[1]["value"] == 14
    assert observations[1]["period_start"] == "2024-01-01"
    assert observations[1]["geography_name"] == "WMCA area"
    assert observations[2]["bound"] == ">"
    assert observations[2]["value"] == 120


# The staff observation form


def test_the_form_sends_anonymous_users_to_sign_in(client):
    response = client.get(FORM)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(FORM, {}).status_code == 302


@pytest.mark.parametrize("role_fixture", ["founder_user", "reviewer_user", "ambassador_user"])
def test_the_form_refuses_signed_in_users_who_are_not_staff(client, request, role_fixture, reported):
    client.force_login(request.getfixturevalue(role_fixture))
    assert client.get(FORM).status_code == 403
    assert client.post(FORM, form_data(reported)).status_code == 403
    assert not Observation.objects.exists()


def test_the_form_offers_reported_indicators_and_preselects_one(client, staff_user, reported):
    computed = IndicatorFactory(computed=True, name="A computed measure")
    client.force_login(staff_user)
    response = client.get(f"{FORM}?indicator={reported.code}")
    content = response.content.decode()
    assert response.status_code == 200
    assert f'<option value="{reported.pk}" selected>' in content
    assert computed.name not in content
    assert client.get(f"{FORM}?indicator=NO-SUCH").status_code == 200


def test_staff_save_a_value_then_replace_it_keeping_its_history(client, staff_user, reported):
    client.force_login(staff_user)
    response = client.post(FORM, form_data(reported), follow=True)
    assert response.redirect_chain == [(indicator_url(reported.code), 302)]
    assert "Saved the value of MX-REP for 2024, WMCA area." in response.content.decode()
    observation = Observation.objects.get(indicator=reported)
    assert observation.value == Decimal("1250")
    assert observation.status == Observation.Status.REPORTED
    assert observation.submitted_by == staff_user
    assert observation.source_url == "https://example.org/returns"

    response = client.post(FORM, form_data(reported, value="1300"), follow=True)
    content = response.content.decode()
    assert "Replaced the earlier value" in content
    observation = Observation.objects.get(indicator=reported)
    assert observation.value == Decimal("1300")
    assert [h.value for h in observation.history.order_by("history_date")] == [Decimal("1250"), Decimal("1300")]
    assert "Earlier values" in content  # staff see the replaced value
    assert "1,250 people" in content


def test_a_suppressed_value_is_saved_without_a_number(client, staff_user, reported):
    client.force_login(staff_user)
    response = client.post(FORM, form_data(reported, value="", suppressed="on"))
    assert response.status_code == 302
    observation = Observation.objects.get(indicator=reported)
    assert observation.suppressed is True
    assert observation.value is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"value": "about twelve"}, "value", "Enter the value as a number, like 42 or 42.5"),
        ({"value": "NaN"}, "value", "Enter the value as a number, like 42 or 42.5"),
        ({"value": ""}, "value", "Enter a value, or mark it suppressed."),
        ({"value": "5", "suppressed": "on"}, "value", "A suppressed value is withheld: leave the value empty."),
        ({"value": "1.23456"}, "value", "Enter a number below 10^16 with at most 4 decimal places."),
        ({"period_end_year": "2023"}, "period_end", "The period must end on or after the day it starts."),
        (
            {"period_start_month": "13"},
            "period_start",
            f"Period start must be a real date, for example {date_example()}",
        ),
        ({"period_start_month": ""}, "period_start", "Period start must include a month"),
        (
            {"period_end_day": "", "period_end_month": "", "period_end_year": ""},
            "period_end",
            "Enter the period end",
        ),
        ({"geography": ""}, "geography", "Choose the area"),
        ({"indicator": "999999"}, "indicator", "Choose an indicator from the list"),
        ({"bound": "~"}, "bound", "Choose an exact value or a bound from the list"),
        ({"source_url": "not a web address"}, "source_url", "Enter a web address, like https://www.ons.gov.uk/"),
    ],
)
def test_form_errors_are_listed_and_nothing_is_saved(client, staff_user, reported, overrides, field, message):
    client.force_login(staff_user)
    response = client.post(FORM, form_data(reported, **overrides))
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="govuk-error-summary"' in content
    assert response.context["form"].errors[field] == [message]
    assert f'id="id_{field}_error"' in content
    assert not Observation.objects.exists()


def test_the_services_rules_show_beside_the_forms_own_errors(client, staff_user, reported):
    """The form checks with the service's own function (``missions.values.observation_errors``),
    so a suppressed value with a number and a bound without one show beside a missing area."""
    client.force_login(staff_user)
    response = client.post(FORM, form_data(reported, value="5", suppressed="on", geography=""))
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "geography": ["Choose the area"],
        "value": ["A suppressed value is withheld: leave the value empty."],
    }
    response = client.post(FORM, form_data(reported, value="", bound=">", geography=""))
    assert response.context["form"].errors == {
        "geography": ["Choose the area"],
        "value": ["Enter a value, or mark it suppressed."],
        "bound": ["A bound needs a value."],
    }
    assert not Observation.objects.exists()


def test_a_computed_indicator_cannot_be_reported(client, staff_user):
    computed = IndicatorFactory(computed=True)
    client.force_login(staff_user)
    response = client.post(FORM, form_data(computed))
    assert response.status_code == 400
    assert "indicator" in response.context["form"].errors
    assert not Observation.objects.exists()


def test_the_form_keeps_what_was_typed_after_an_error(client, staff_user, reported):
    client.force_login(staff_user)
    content = client.post(FORM, form_data(reported, value="twelve", period_start_day="7")).content.decode()
    assert 'value="twelve"' in content
    assert 'name="period_start_day" type="text" inputmode="numeric" value="7"' in content


# Dashboard


def test_dashboard_shows_every_indicator_per_mission_with_the_existing_panels(client, staff_user, hidden):
    computed = IndicatorFactory(name="Survival measure", computed=True, mission=hidden.mission)
    ObservationFactory(
        indicator=computed,
        status=Observation.Status.COMPUTED,
        computed_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
    )
    client.force_login(staff_user)
    response = client.get("/dashboard/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Firm-years of reported facts" in content  # the registry panel is still there
    for code in ["M1", "M2", "M3", "M4", "M5"]:
        assert f'id="dashboard-{code}-heading"' in content
    assert "Hidden pilot measure" in content
    assert "Not public" in content
    assert "Survival measure" in content
    assert "Stale" in content
    assert indicator_url(hidden.code) in content


# Query counts


def _firms(count: int, offset: int) -> None:
    organisations = Organisation.objects.bulk_create(
        OrganisationFactory.build(
            company_number="",
            founded_on=datetime.date(2008 + (offset + n) % 12, 3, 1),
            dissolved_on=datetime.date(2021, 6, 1) if n % 4 == 0 else None,
        )
        for n in range(count)
    )
    FirmYear.objects.bulk_create(
        FirmYearFactory.build(organisation=organisation, year=year, employees=10 + index % 7 * (year - 2014))
        for index, organisation in enumerate(organisations)
        for year in (2015, 2018, 2021)
    )


def _refresh() -> None:
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF)
    assert refresh_run_execute(run_id=run.pk).status == RefreshRun.Status.SUCCEEDED


def test_pages_issue_the_same_number_of_queries_with_10_or_1000_firms(client, staff_user, count_queries):
    indicator_catalogue_sync()
    pages = ["/dashboard/", "/missions/", "/missions/economy/", "/indicators/M1-04-1Y/", "/indicators/M1-08/"]
    counts = {}
    for size, offset in ((10, 0), (990, 10)):
        _firms(size, offset)
        _refresh()
        client.force_login(staff_user)
        client.get(pages[0])  # a first request fills per-process caches
        counts[size] = {}
        for page in pages:
            with count_queries() as queries:
                response = client.get(page)
            assert response.status_code == 200
            counts[size][page] = queries.count
        client.logout()
        with count_queries() as queries:
            assert client.get("/missions/economy/").status_code == 200
        counts[size]["anonymous"] = queries.count
    assert Organisation.objects.count() == 1000
    assert Observation.objects.filter(indicator__code="M1-04-1Y").count() > 5
    assert counts[10] == counts[990], counts


# Figures that explain themselves


def _visible_text(content: str) -> str:
    """The page's text as a reader sees it, roughly: scripts and tags dropped."""
    content = re.sub(r"<script.*?</script>", " ", content, flags=re.S)
    return re.sub(r"<[^>]+>", " ", content)


def test_no_page_shows_none_and_portal_rates_show_their_base(client, staff_user):
    indicator_catalogue_sync()
    reference_figures_load()
    _firms(40, 0)
    _refresh()
    client.force_login(staff_user)
    pages = ["/missions/", "/dashboard/"]
    pages += [f"/missions/{slug}/" for slug in Indicator.objects.values_list("mission__slug", flat=True).distinct()]
    pages += [indicator_url(code) for code in Indicator.objects.values_list("code", flat=True)]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        text = _visible_text(response.content.decode())
        assert not re.search(r"\bNone\b", text), page
    survival = Observation.objects.filter(indicator__code="M1-04-1Y", status="computed").latest("period_end")
    base = f"{survival.numerator:.0f} of {survival.denominator:.0f} firms"
    for page in ("/missions/economy/", "/dashboard/", indicator_url("M1-04-1Y")):
        assert base in client.get(page).content.decode(), page
    indicator_page = client.get(indicator_url("M1-04-1Y")).content.decode()
    assert f"firms born in {survival.period_label}" in indicator_page
    assert "For specialists" in indicator_page
    assert "No target set: no target was set in the Roadmap for this indicator" in indicator_page
    empty = client.get("/missions/connectivity/").content.decode()
    assert "Not published yet" in empty and "from the Tech Commissioner&#x27;s office." in empty
