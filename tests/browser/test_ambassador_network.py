"""The staff network views in Chromium: axe-core finds no WCAG 2.2 A/AA violation on the coverage
matrix, the target markets and the map; the map is drawn from the portal's own files under the
CSP, and without JavaScript the table is the page; target markets are added and removed with the
keyboard alone; the matrix and the map's table fit a 320 px phone."""

import pytest

from tests.ambassadors.network_factories import AmbassadorFactory, LeadFactory, TargetMarketFactory
from tests.browser.conftest import (
    assert_accessible,
    check_page,
    focused_id,
    focused_text,
    press,
    sign_in,
    tab_to,
    visit,
)
from tests.browser.test_journeys import layout_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COVERAGE = "/dashboard/ambassadors/coverage/"
MARKETS = "/dashboard/ambassadors/target-markets/"
MAP = "/dashboard/ambassadors/map/"


@pytest.fixture
def network(db):
    india = AmbassadorFactory(full_name="Asha Rao", country="IN", sectors=["fintech", "ai_data"])
    AmbassadorFactory(full_name="Ben Ode", country="NG", sectors=["healthtech"])
    AmbassadorFactory(full_name="Cara Weiss", country="DE", sectors=["mobility", "manufacturing", "cyber"])
    TargetMarketFactory(country="IN", sector="fintech")
    TargetMarketFactory(country="JP", sector="cyber")
    LeadFactory(landed=True, referred_by=india, origin_country="IN", new_jobs=40)
    LeadFactory(landed=True, referred_by=india, origin_country="US", kind="uk_office", new_jobs=8)
    LeadFactory(referred_by=india, origin_country="FR")


@pytest.fixture
def staff_page(page, staff_user, network):
    sign_in(page, staff_user.email)
    return page


@pytest.mark.parametrize("path", [COVERAGE, MARKETS, MAP])
def test_the_network_pages_are_accessible(staff_page, path):
    visit(staff_page, path, console_clean=True)


def test_the_map_is_drawn_from_the_portals_own_files(staff_page):
    requests = []
    staff_page.on("request", lambda request: requests.append(request.url))
    visit(staff_page, MAP, console_clean=True)
    staff_page.wait_for_selector("[data-portal-map]:not([hidden])")
    staff_page.wait_for_function(
        "() => [...document.querySelectorAll('[data-portal-map] canvas')].every(c => window.Chart.getChart(c))"
    )
    assert staff_page.locator("[data-portal-map] canvas").count() == 2
    assert any(url.endswith("/static/build/countries-110m.json") for url in requests), requests
    origin = staff_page.url.split("/dashboard/")[0]
    assert all(url.startswith(origin) or url.startswith("data:") for url in requests), requests
    assert staff_page.locator("#network-map-table").is_visible()
    assert_accessible(staff_page)


def test_without_javascript_the_table_is_the_page(make_page, staff_user, network):
    page = make_page(javascript=False)
    sign_in(page, staff_user.email)
    visit(page, MAP)
    assert not page.locator("[data-portal-map]").is_visible()
    table = page.locator("#network-map-table")
    assert table.is_visible()
    assert "India" in table.inner_text() and "40" in table.inner_text()
    visit(page, COVERAGE)
    assert "Japan: Cyber security" in page.locator("#gap-list").inner_text()


def test_staff_add_and_remove_a_target_market_with_the_keyboard(staff_page):
    visit(staff_page, MARKETS)
    tab_to(staff_page, "id_country")
    staff_page.keyboard.type("Brazil")
    staff_page.keyboard.press("Tab")
    assert focused_id(staff_page) == "id_sector"
    staff_page.keyboard.type("Fintech")
    staff_page.keyboard.press("Tab")
    assert focused_text(staff_page) == "Add target market"
    press(staff_page)
    check_page(staff_page, "Target markets")
    assert "Added Brazil: Fintech to the target markets." in staff_page.inner_text("main")

    remove = staff_page.get_by_role("button", name="Remove Brazil: Fintech")
    press(staff_page, remove)
    check_page(staff_page, "Target markets")
    assert "Removed Brazil: Fintech from the target markets." in staff_page.inner_text("main")
    assert staff_page.get_by_role("button", name="Remove Brazil: Fintech").count() == 0


def test_an_error_is_reported_accessibly(staff_page):
    visit(staff_page, MARKETS)
    staff_page.get_by_role("button", name="Add target market").click()
    staff_page.wait_for_load_state("load")
    summary = staff_page.locator(".govuk-error-summary")
    assert "Choose a country." in summary.inner_text() and "Choose a sector." in summary.inner_text()
    assert_accessible(staff_page)
    summary.get_by_role("link", name="Choose a country.").click()
    assert focused_id(staff_page) == "id_country"


@pytest.mark.parametrize("width", [320, 1280])
def test_the_matrix_and_the_map_table_fit_a_phone_and_a_desktop(make_page, staff_user, network, width):
    page = make_page(viewport={"width": width, "height": 900})
    sign_in(page, staff_user.email)
    for path in (COVERAGE, MARKETS, MAP):
        visit(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert layout_problems(page) == [], (path, width)
    visit(page, COVERAGE)
    assert "Gap" in page.locator("#coverage-table").inner_text()
