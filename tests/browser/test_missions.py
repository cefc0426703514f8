"""Mission pages, indicator charts and the staff observation form in Chromium: axe-core finds no
WCAG 2.2 A/AA violation, the chart draws the numbers its table holds, the form works by keyboard."""

import datetime
import re
from decimal import Decimal
from functools import partial

import pytest

from missions.catalogue import indicator_catalogue_sync
from missions.models import Indicator, Observation, RefreshRun
from missions.reference import reference_figures_load
from missions.services import refresh_run_execute
from portal.models import FirmYear, Organisation
from tests.browser import conftest
from tests.browser.conftest import assert_accessible, focused_id, focused_text, press, sign_in
from tests.missions.factories import IndicatorFactory, ObservationFactory
from tests.portal.factories import FirmYearFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PUBLIC_PAGES = ["/missions/", "/missions/economy/", "/missions/connectivity/", "/indicators/M1-04-5Y/"]
SUPPRESSED = "suppressed (fewer than 10 people)"
# These pages log no console error at all, not even the failed load of an error page before them.
visit = partial(conftest.visit, console_clean=True)


@pytest.fixture
def missions_data():
    """The catalogue, the official reference figures, computed values from 40 firms, reported
    values (one suppressed) and a non-public indicator."""
    indicator_catalogue_sync()
    reference_figures_load()
    organisations = Organisation.objects.bulk_create(
        OrganisationFactory.build(company_number="", founded_on=datetime.date(2012 + n % 8, 5, 1)) for n in range(40)
    )
    FirmYear.objects.bulk_create(
        FirmYearFactory.build(organisation=organisation, year=year, employees=10 + n % 5 * (year - 2014))
        for n, organisation in enumerate(organisations)
        for year in (2015, 2018, 2021)
    )
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF)
    refresh_run_execute(run_id=run.pk)
    supported = Indicator.objects.get(code="M2-01")
    ObservationFactory(indicator=supported, year=2023, value=Decimal("21.5"))
    ObservationFactory(indicator=supported, year=2024, value=None, suppressed=True)
    hidden = IndicatorFactory(code="MX-HIDDEN", name="Hidden pilot measure", is_public=False)
    ObservationFactory(indicator=hidden, value=Decimal("12"))


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_mission_pages_are_accessible(page, missions_data, path):
    visit(page, path)


def test_mission_list_links_every_mission(page, missions_data):
    visit(page, "/missions/")
    with page.expect_navigation():
        page.get_by_role("link", name="Connectivity", exact=True).click()
    page.wait_for_load_state("load")
    assert page.get_by_role("heading", level=1).inner_text() == "Connectivity"


def _number(text: str) -> float | None:
    if text == SUPPRESSED:
        return None
    return float(re.sub(r"^[<>]=?\s*", "", text).replace(",", ""))


@pytest.mark.parametrize("code", ["M1-04-5Y", "M4-01", "M2-01"])
def test_the_chart_draws_the_numbers_in_its_table(page, missions_data, code):
    visit(page, f"/indicators/{code}/")
    canvas = page.locator("canvas[data-chart-source]")
    assert canvas.is_visible()
    assert canvas.get_attribute("role") == "img"
    assert code in page.title() and "Line chart of" in canvas.get_attribute("aria-label")
    drawn = page.evaluate(
        """() => Chart.getChart(document.querySelector('canvas[data-chart-source]')).data.datasets
                 .map(d => [d.label, d.data.map(p => p.y)])"""
    )
    rows = page.locator("#values-table tbody tr").evaluate_all(
        "rows => rows.map(r => [r.dataset.series, r.cells[2].textContent.trim()])"
    )
    table: dict[str, list] = {}
    for label, text in rows:
        table.setdefault(label, []).append(_number(text))
    assert [label for label, _ in drawn] == list(table)
    assert dict(drawn) == table
    assert len(drawn) >= 2  # the portal's own values and at least one comparator or target
    if code == "M2-01":
        assert None in table["Reported: WMCA area"]  # a suppressed value is a gap, never a number
        assert SUPPRESSED in page.locator("#values-table").inner_text()


def test_without_javascript_the_table_stands_in_for_the_chart(nojs_page, missions_data):
    nojs_page.goto("/indicators/M1-04-5Y/")
    assert nojs_page.locator("#values-table").is_visible()
    assert not nojs_page.locator("[data-portal-chart]").is_visible()
    assert nojs_page.get_by_role("link", name=re.compile("CSV")).is_visible()


def test_staff_mission_pages_are_accessible(page, staff_user, missions_data):
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/")
    assert page.get_by_text("Hidden pilot measure").first.is_visible()
    visit(page, "/missions/inclusion/")
    visit(page, "/indicators/MX-HIDDEN/")
    assert page.get_by_text("Not public").first.is_visible()
    visit(page, "/indicators/M2-01/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Report a value")).click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert page.get_by_label("Indicator").input_value() == str(Indicator.objects.get(code="M2-01").pk)


def test_observation_form_errors_are_accessible_and_take_focus(page, staff_user, missions_data):
    sign_in(page, staff_user.email)
    before = Observation.objects.count()
    visit(page, "/dashboard/observations/new/")
    page.get_by_label("Value", exact=True).fill("about twelve")
    with page.expect_navigation():
        page.get_by_role("button", name="Save value").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert "Enter the value as a number" in summary.inner_text()
    summary.get_by_role("link", name="Enter the value as a number, like 42 or 42.5").click()
    assert focused_id(page) == "id_value"
    assert Observation.objects.count() == before


def test_observation_form_can_be_completed_with_the_keyboard_only(page, staff_user, missions_data):
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/observations/new/")
    keyboard = page.keyboard
    keyboard.press("Tab")  # the skip link
    keyboard.press("Enter")
    keyboard.press("Tab")
    assert focused_id(page) == "id_indicator"
    keyboard.type("M2-03")
    keyboard.press("Tab")
    assert focused_id(page) == "id_geography"
    keyboard.type("WMCA")
    for text in ["1", "4", "2024", "31", "3", "2025", "1,234"]:  # M2-03 is yearly: a financial year
        keyboard.press("Tab")
        keyboard.type(text)
    keyboard.press("Tab")  # bound: exact
    keyboard.press("Tab")  # suppressed: not ticked
    keyboard.press("Tab")
    keyboard.type("Programme returns")
    keyboard.press("Tab")
    keyboard.type("https://example.org/returns")
    keyboard.press("Tab")
    keyboard.type("2024-07")
    keyboard.press("Tab")
    keyboard.type("Typed with the keyboard.")
    keyboard.press("Tab")
    assert focused_text(page) == "Save value"
    press(page)
    assert page.url.endswith("/indicators/M2-03/")
    assert "Saved the value of M2-03" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    observation = Observation.objects.get(indicator__code="M2-03")
    assert observation.value == Decimal("1234")
    assert observation.period_label == "2024-04-01/2025-03-31"
    assert observation.geography.code == "E47000007"
    assert observation.notes == "Typed with the keyboard."


@pytest.mark.parametrize("role", ["founder", "reviewer"])
def test_other_roles_see_public_mission_pages_only(page, make_user, missions_data, role):
    user = make_user(role, mfa=role != "founder")
    sign_in(page, user.email, totp=role != "founder")
    visit(page, "/missions/inclusion/")
    assert page.get_by_text("Hidden pilot measure").count() == 0
    assert page.goto("/indicators/MX-HIDDEN/").status == 404
    assert page.goto("/dashboard/observations/new/").status == 403
    assert_accessible(page)
