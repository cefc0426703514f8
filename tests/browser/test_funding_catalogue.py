"""The funding catalogue, an opportunity's page and the staff pages in Chromium: axe-core finds no
WCAG 2.2 A/AA violation, the search works by keyboard alone and without JavaScript, the results
fit a 320 px phone, and the staff form reports its errors accessibly."""

import re

import pytest
from playwright.sync_api import expect

from funding.models import Opportunity
from portal.models import LocalAuthority, Sector
from tests.browser.conftest import assert_accessible, focused_id, press, sign_in, tab_to, type_into, visit
from tests.funding.factories import FunderFactory, OpportunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def catalogue():
    funder = FunderFactory(name="West Midlands Innovation and Growth Fund for Digital Firms")
    grant = OpportunityFactory(
        funder=funder,
        title="Net zero manufacturing innovation grant for small and medium-sized enterprises",
        summary="Grants for factories that cut carbon with sensors, robots and digital twins.",
        eligibility="Manufacturers in the region with fewer than 250 staff.",
        sectors=[Sector.MANUFACTURING, Sector.CLEANTECH],
        boroughs=[LocalAuthority.WOLVERHAMPTON],
        stages=["revenue"],
        amount_min_gbp=25_000,
        amount_max_gbp=1_500_000,
    )
    OpportunityFactory(funder=funder, title="Games prototype prize", kind=Opportunity.Kind.PRIZE, closing_soon=True)
    OpportunityFactory(title="Founders' rolling loan", kind=Opportunity.Kind.LOAN, is_rolling=True)
    OpportunityFactory(title="Last year's accelerator", kind=Opportunity.Kind.ACCELERATOR, closed=True)
    return grant


def listed(page) -> list[str]:
    return page.locator("main li h3").all_inner_texts()


def test_catalogue_and_detail_pages_are_accessible(page, catalogue):
    visit(page, "/funding/", title="Funding opportunities")
    assert sorted(listed(page)) == sorted([catalogue.title, "Games prototype prize", "Founders' rolling loan"])
    visit(page, "/funding/?status=closed&kind=accelerator")
    assert listed(page) == ["Last year's accelerator"]
    with page.expect_navigation():
        page.get_by_role("link", name="Last year's accelerator").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    visit(page, catalogue.get_absolute_url(), title=catalogue.title)
    assert page.get_by_text("£25,000 to £1,500,000").is_visible()
    assert page.get_by_role("link", name=re.compile("Read more and apply")).is_visible()


def test_a_bad_filter_is_reported_accessibly(page, catalogue):
    visit(page, "/funding/?amount=lots", status=400)
    summary = page.locator(".govuk-error-summary")
    message = "Enter the amount as a whole number of pounds, like 25000"
    assert message in summary.inner_text()
    summary.get_by_role("link", name=message).click()
    assert focused_id(page) == "id_amount"


def test_search_by_keyboard_alone(page, catalogue):
    visit(page, "/funding/")
    keyboard = page.keyboard
    keyboard.press("Tab")  # the skip link
    keyboard.press("Enter")
    tab_to(page, "id_q", limit=30)
    keyboard.type("robots carbon")
    tab_to(page, "id_kind_0", limit=3)  # Grant
    keyboard.press("Space")
    tab_to(page, "id_sector", limit=10)
    keyboard.type("Advanced")
    tab_to(page, "id_ordering", limit=20)
    press(page, page.get_by_role("button", name="Apply filters"))
    assert "q=robots+carbon" in page.url and "kind=grant" in page.url and "sector=manufacturing" in page.url
    assert listed(page) == [catalogue.title]
    assert page.locator("#id_q").input_value() == "robots carbon"
    assert_accessible(page)


def test_the_filters_work_without_javascript(nojs_page, catalogue):
    page = nojs_page
    page.goto("/funding/")
    page.check("#id_status_3")  # Closed
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("load")
    assert listed(page) == ["Last year's accelerator"]
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_load_state("load")
    assert len(listed(page)) == 3


def test_results_fit_a_phone(make_page, catalogue):
    page = make_page(viewport={"width": 320, "height": 800})
    for path in ["/funding/", catalogue.get_absolute_url()]:
        visit(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path


def test_staff_pages_are_accessible_and_the_form_reports_every_error(page, staff_user, catalogue):
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/funding/", title="Manage funding opportunities")
    visit(page, "/dashboard/funding/new/", title="Add a funding opportunity")
    page.get_by_label("Smallest amount (£, optional)").fill("9000")
    page.get_by_label("Largest amount (£, optional)").fill("10")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish opportunity").click()
    page.wait_for_load_state("load")
    summary = page.locator(".govuk-error-summary").inner_text()
    for message in [
        "Enter the funder's name or Companies House number",
        "Enter the title",
        "The largest amount must be at least the smallest, £9,000",
    ]:
        assert message in summary, summary
    assert page.title().startswith("Error:")
    assert_accessible(page)

    # The registry's funders are suggested as staff type; the one picked is what is sent.
    type_into(page, "id_funder", "Innovation and Gro")
    suggestions = page.locator("#id_funder_suggestions option")
    expect(suggestions).to_have_count(1)
    assert suggestions.get_attribute("value") == catalogue.funder.name
    page.locator("#id_funder").fill(suggestions.get_attribute("value"))
    page.get_by_label("Title").fill("Digital skills grant")
    page.select_option("#id_kind", "grant")
    page.get_by_label("Summary").fill("Training grants.")
    page.get_by_label("Largest amount (£, optional)").fill("20000")
    page.get_by_label("Rolling: open until further notice, with no closing date").check()
    page.get_by_label("Who can apply").fill("Any firm in the region.")
    page.get_by_label("Web address of the funder's page").fill("funder.example/skills")
    with page.expect_navigation():
        page.get_by_role("button", name="Publish opportunity").click()
    page.wait_for_load_state("load")
    assert "Published Digital skills grant." in page.locator(".govuk-notification-banner").inner_text()
    assert Opportunity.objects.get(title="Digital skills grant").funder == catalogue.funder
    assert_accessible(page)
    visit(page, f"/dashboard/funding/{catalogue.pk}/edit/", title="Change")
    visit(page, f"/dashboard/funding/{catalogue.pk}/withdraw/", title="Withdraw")
