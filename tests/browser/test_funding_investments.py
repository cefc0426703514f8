"""The investment register in Chromium: staff record an investment with the keyboard alone, with
and without JavaScript (adding an investor row included), then verify it; axe-core finds no WCAG
2.2 A/AA violation on the register, the form (also with its errors), a deal's page, the duplicates
and an import's preview; the register fits a 320 px phone. A deal staff record moves the equity
indicators after the next KPI refresh started from the dashboard (issue 12, acceptance 5)."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from funding.models import Investment
from missions.catalogue import indicator_catalogue_sync
from missions.models import Observation
from tests.browser.conftest import assert_accessible, focused_id, press, sign_in, tab_to, type_into, visit
from tests.funding.factories import InvestmentFactory, InvestorFactory
from tests.portal.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def register():
    firm = OrganisationFactory(name="Canal Robotics and Advanced Manufacturing Ltd", company_number="01234567")
    InvestorFactory(name="Midlands Angel Network")
    InvestorFactory(name="Rhine Industrial Ventures")
    original = InvestmentFactory(firm=firm, lead=(InvestorFactory(name="Atlantic Bridge Ventures"), "US"))
    InvestmentFactory(firm=firm, possible_duplicate_of=original, title="The same round, reported again")
    InvestmentFactory(grant=True, amount_gbp=None, verified=True, announced_on=datetime.date(2023, 9, 1))
    return firm


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_staff_record_an_investment_with_the_keyboard(make_page, staff_user, register, javascript):
    page = make_page(javascript=javascript)
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/investments/", title="Investment register")
    press(page, page.get_by_role("button", name="Record an investment"))
    assert page.url.endswith("/dashboard/investments/new/")

    keyboard = page.keyboard
    if javascript:
        # The registry's firms are suggested as staff type, the number going into the field.
        type_into(page, "id_firm", "Canal Rob")
        expect(page.locator("#id_firm_suggestions option")).to_have_count(1)
        assert page.locator("#id_firm_suggestions option").get_attribute("value") == "01234567"
        page.locator("#id_firm").fill("")
    type_into(page, "id_firm", "01234567")
    tab_to(page, "id_kind", limit=3)
    keyboard.type("Equity")
    tab_to(page, "id_stage", limit=3)
    keyboard.type("Seed")
    tab_to(page, "id_amount_gbp", limit=3)
    keyboard.type("1,250,000")
    tab_to(page, "id_announced_on_day", limit=4)
    keyboard.type("30")
    tab_to(page, "id_announced_on_month", limit=2)
    keyboard.type("6")
    tab_to(page, "id_announced_on_year", limit=2)
    keyboard.type("2025")
    tab_to(page, "id_source", limit=6)
    keyboard.type("https://news.example/canal-robotics-seed")

    # A second investor row is asked for before filling the first: the page comes back with the
    # new row's field focused, and what was typed kept.
    tab_to(page, "id_investors-0-investor", limit=6)
    keyboard.type("Rhine Industrial Ventures")
    if javascript:
        expect(page.locator("#id_investors-0-investor_suggestions option")).to_have_count(1)
    tab_to(page, "id_investors-0-country", limit=4)
    keyboard.type("Germany")
    tab_to(page, "id_investors-0-is_lead", limit=3)
    keyboard.press("Space")
    press(page, page.get_by_role("button", name="Add another investor"))
    assert page.locator("#id_investors-0-investor").input_value() == "Rhine Industrial Ventures"
    assert page.locator("#id_amount_gbp").input_value() == "1,250,000"
    assert focused_id(page) == "id_investors-1-investor"
    keyboard.type("Midlands Angel Network")
    press(page, page.get_by_role("button", name="Record the investment"))

    assert "Recorded the equity round into Canal Robotics" in page.locator(".govuk-notification-banner").inner_text()
    assert page.title().startswith("Equity round (Seed) into Canal Robotics")
    if javascript:
        assert_accessible(page)
    investment = Investment.objects.get(source="https://news.example/canal-robotics-seed")
    assert investment.amount_gbp == 1_250_000 and investment.announced_on == datetime.date(2025, 6, 30)
    rows = {(r.investor.name, r.is_lead, r.country.code) for r in investment.investor_rows.select_related("investor")}
    assert rows == {("Rhine Industrial Ventures", True, "DE"), ("Midlands Angel Network", False, "GB")}
    assert "Rhine Industrial Ventures (Germany): international" in page.locator("main").inner_text()

    press(page, page.get_by_role("button", name="Verify this investment"))
    assert "Verified" in page.locator(".govuk-notification-banner").inner_text()
    investment.refresh_from_db()
    assert investment.verified_by == staff_user


def test_the_form_reports_every_error_accessibly(page, staff_user, register):
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/investments/new/", title="Record an investment")
    page.get_by_label("Firm").fill("Nobody Ltd")
    page.get_by_label("Amount (£)").fill("lots")
    page.locator("#id_investors-0-investor").fill("Unknown Capital")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the investment").click()
    page.wait_for_load_state("load")
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary")
    text = summary.inner_text()
    for message in [
        "No firm called “Nobody Ltd” is in the registry",
        "Choose the kind of deal",
        "Enter the amount as a whole number of pounds",
        "Enter the date",
        "Say where the figure comes from",
        "Investor 1: No organisation called “Unknown Capital” is in the registry",
    ]:
        assert message in text, text
    assert_accessible(page)
    summary.get_by_role("link", name="Investor 1: No organisation called “Unknown Capital”", exact=False).click()
    assert focused_id(page) == "id_investors-0-investor"


def test_register_pages_are_accessible_and_the_preview_too(page, staff_user, register, tmp_path):
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/investments/", title="Investment register")
    visit(page, "/dashboard/investments/?lead=international&kind=equity", title="Investment register")
    visit(page, "/dashboard/investments/?year=someday", status=400, title="Error: Investment register")
    visit(page, "/dashboard/investments/duplicates/", title="Possible duplicate investments")
    flagged = Investment.objects.get(title="The same round, reported again")
    visit(page, f"/dashboard/investments/{flagged.pk}/", title="into Canal Robotics")
    assert "This may be a duplicate of investment" in page.locator("main").inner_text()
    visit(page, f"/dashboard/investments/{flagged.pk}/edit/", title=f"Change investment #{flagged.pk}")
    visit(page, f"/dashboard/investments/{flagged.pk}/delete/", title="Delete investment")

    visit(page, "/dashboard/investments/import/", title="Import investments from a CSV file")
    csv = tmp_path / "deals.csv"
    csv.write_text(
        "firm,kind,stage,amount_gbp,date,lead_investor,lead_investor_country,source\n"
        "01234567,equity,seed,250000,2024-05-15,Brand New Capital,FR,https://news.example/again\n"
        "01234567,grant,,9000,2024-06-01,Midlands Angel Network,GB,Award letter\n",
        encoding="utf-8",
    )
    page.set_input_files("#id_file", str(csv))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state("load")
    assert page.title().startswith("Check the import of deals.csv")
    text = page.locator("main").inner_text()
    assert "Importing adds 2 investments, 1 of them flagged as possible duplicates" in text
    assert "Brand New Capital" in text
    assert_accessible(page)

    csv.write_text("firm,kind,date,source\n01234567,equity,someday,x\n", encoding="utf-8")
    visit(page, "/dashboard/investments/import/")
    page.set_input_files("#id_file", str(csv))
    with page.expect_navigation():
        page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state("load")
    assert (
        "Row 2, date: Enter a real date as 2025-03-31 or 31/03/2025: not someday" in page.locator("main").inner_text()
    )
    assert_accessible(page)


def test_the_register_fits_a_phone(make_page, staff_user, register):
    page = make_page(viewport={"width": 320, "height": 800})
    sign_in(page, staff_user.email)
    deal = Investment.objects.order_by("pk").first()
    for path in ["/dashboard/investments/", "/dashboard/investments/duplicates/", f"/dashboard/investments/{deal.pk}/"]:
        visit(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path


def _refresh_from_the_dashboard(page) -> None:
    page.goto("/dashboard/")
    press(page, page.get_by_role("button", name="Refresh KPIs now"))
    page.wait_for_url(re.compile(r"/dashboard/kpi-refreshes/\d+/$"))
    assert "Succeeded" in page.get_by_role("status").inner_text()


def _year_row(page, year: int) -> str:
    """The text of the indicator table's first row for calendar year ``year``."""
    cell = page.locator("td", has_text=re.compile(rf"^\s*{year}\s*$"))
    return page.locator("main table tr").filter(has=cell).first.inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_recorded_investment_moves_the_indicator_after_a_refresh(make_page, staff_user, javascript):
    indicator_catalogue_sync()
    day = timezone.localdate() - datetime.timedelta(days=40)
    firm = OrganisationFactory(name="Foundry Quantum Ltd", company_number="07654321", local_authority="coventry")
    InvestmentFactory(firm=firm, amount_gbp=500_000, announced_on=day)
    InvestorFactory(name="Atlantic Bridge Ventures")
    page = make_page(javascript=javascript)
    sign_in(page, staff_user.email)

    _refresh_from_the_dashboard(page)
    visit(page, "/indicators/M1-01/")
    assert "500,000" in _year_row(page, day.year)

    page.goto("/dashboard/investments/new/")
    page.fill("#id_firm", "07654321")
    page.select_option("#id_kind", label="Equity round")
    page.select_option("#id_stage", label="Series A")
    page.fill("#id_amount_gbp", "1,250,000")
    page.fill("#id_announced_on_day", str(day.day))
    page.fill("#id_announced_on_month", str(day.month))
    page.fill("#id_announced_on_year", str(day.year))
    page.fill("#id_source", "https://news.example/foundry-quantum-series-a")
    page.fill("#id_investors-0-investor", "Atlantic Bridge Ventures")
    page.select_option("#id_investors-0-country", label="United States of America")
    page.check("#id_investors-0-is_lead")
    press(page, page.get_by_role("button", name="Record the investment"))
    assert "Recorded the equity round into Foundry Quantum" in page.locator(".govuk-notification-banner").inner_text()

    _refresh_from_the_dashboard(page)
    visit(page, "/indicators/M1-01/")
    assert "1,750,000" in _year_row(page, day.year)
    value = Observation.objects.get(indicator__code="M1-01", period_label=str(day.year), geography__code="E47000007")
    assert value.value == 1_750_000
    international = Observation.objects.get(
        indicator__code="M1-03I", period_label=str(day.year), geography__code="E47000007"
    )
    assert international.value == 1_250_000
