"""The budget pages in Chromium: staff record spend with the keyboard alone, with JavaScript and
without, and see the burn-up table change; axe-core finds no WCAG 2.2 A/AA violation on any page,
errors shown or not; the burn-up chart shows only with JavaScript, its table always; and the pages
fit a 320 px phone and a 1280 px desktop."""

import datetime
import re
from decimal import Decimal

import pytest

from funding.models import SpendEntry
from tests.ambassadors.lead_factories import staff_member
from tests.browser.conftest import (
    assert_accessible,
    check_page,
    focused_id,
    press,
    sign_in,
    sign_in_with_keyboard,
    type_into,
    visit,
)
from tests.browser.test_journeys import layout_problems
from tests.funding.budget_factories import BudgetLineFactory, SpendEntryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

OVERVIEW = "/dashboard/budget/"


@pytest.fixture
def staff():
    return staff_member(full_name="Sam Staff")


@pytest.fixture
def entry():
    """£8,000 planned for the Commissioner in 2025 Q1, £2,000 for events in 2025 Q2, and £2,500
    spent on events in 2025 Q2: overspent, so the warnings show."""
    BudgetLineFactory(category="commissioner", year=2025, quarter=1, planned_gbp=Decimal("8000"))
    BudgetLineFactory(category="events", year=2025, quarter=2, planned_gbp=Decimal("2000"))
    return SpendEntryFactory(
        category="events",
        spent_on=datetime.date(2025, 5, 2),
        amount_gbp=Decimal("2500"),
        supplier="Brindleyplace Venues International Conference Centre Limited",
        note="Launch night",
    )


def burn_up(page, quarter: str, column: str) -> str:
    return page.locator(f'#burn-up-table tr[data-quarter="{quarter}"] td[data-label="{column}"]').inner_text().strip()


def summary_items(page) -> list[str]:
    return [text.strip() for text in page.locator(".govuk-error-summary__list li").all_inner_texts()]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_staff_record_spend_with_the_keyboard_and_see_the_burn_up_change(make_page, staff, entry, javascript):
    page = make_page(javascript=javascript)
    sign_in_with_keyboard(page, staff.email)
    visit(page, OVERVIEW, title="Programme budget")
    assert burn_up(page, "2025-Q1", "Spent to date") == "£0.00"
    assert burn_up(page, "2025-Q2", "Spent to date") == "£2,500.00"
    assert page.locator("[data-portal-chart]").is_visible() is javascript
    assert page.locator("#burn-up-table").is_visible()
    assert "Events and communications" in page.locator("#budget-warning").inner_text()

    press(page, page.get_by_role("button", name="Record spend"))
    check_page(page, "Record spend")
    # Sent empty: every problem at once, each linked to its field.
    press(page, page.get_by_role("button", name="Record spend"))
    check_page(page, "Error: Record spend")
    assert summary_items(page) == ["Enter the date", "Choose a category", "Enter the supplier", "Enter the amount"]
    if javascript:
        assert page.evaluate("document.activeElement.className").startswith("govuk-error-summary")
        page.get_by_role("link", name="Enter the supplier").focus()
        page.keyboard.press("Enter")
        assert focused_id(page) == "id_supplier"

    type_into(page, "id_spent_on_day", "3")
    type_into(page, "id_spent_on_month", "3")
    type_into(page, "id_spent_on_year", "2025")
    page.locator("#id_category").focus()
    page.keyboard.type("The Tech")
    assert page.locator("#id_category").input_value() == "commissioner"
    type_into(page, "id_supplier", "Jewellery Quarter Consulting")
    type_into(page, "id_amount_gbp", "1,250.50")
    type_into(page, "id_note", "Invoice 42")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Record spend"
    press(page)

    check_page(page, "Programme budget")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Recorded £1,250.50 to Jewellery Quarter Consulting (The Tech Commissioner)." in banner
    assert burn_up(page, "2025-Q1", "Spent") == "£1,250.50"
    assert burn_up(page, "2025-Q1", "Spent to date") == "£1,250.50"
    assert burn_up(page, "2025-Q1", "Spent against plan to date") == "15.6%"
    assert burn_up(page, "2025-Q2", "Spent to date") == "£3,750.50"
    recorded = SpendEntry.objects.get(supplier="Jewellery Quarter Consulting")
    assert (recorded.amount_gbp, recorded.recorded_by_id) == (Decimal("1250.50"), staff.pk)


def test_every_budget_page_is_accessible_with_and_without_errors(page, staff, entry):
    sign_in(page, staff.email)
    visit(page, OVERVIEW, title="Programme budget")
    visit(page, "/dashboard/budget/spend/", title="Spend")
    visit(page, "/dashboard/budget/spend/?category=nope", status=400, title="Error: Spend")
    visit(page, f"/dashboard/budget/spend/{entry.pk}/", title=f"Spend to {entry.supplier}")
    visit(page, f"/dashboard/budget/spend/{entry.pk}/edit/", title=f"Change spend to {entry.supplier}")
    visit(page, f"/dashboard/budget/spend/{entry.pk}/remove/", title=re.compile("Remove spend"))
    visit(page, "/dashboard/budget/plan/", title="Change the plan")

    # The plan with a box that is not an amount, and the last line of a category with spend emptied.
    page.locator("#id_commissioner_2025_q2").focus()
    page.keyboard.type("ten")
    page.locator("#id_events_2025_q2").fill("")
    press(page, page.get_by_role("button", name="Save the plan"))
    check_page(page, "Error: Change the plan")
    assert summary_items(page) == [
        "Enter the amount planned for The Tech Commissioner, 2025 Q2 in pounds, like 4000 or 4000.50",
        "Events and communications has £2,500.00 of spend recorded: keep at least one plan line for it",
    ]

    # Change an entry, and see its history.
    visit(page, f"/dashboard/budget/spend/{entry.pk}/edit/")
    page.locator("#id_amount_gbp").fill("")
    type_into(page, "id_amount_gbp", "2400")
    press(page, page.get_by_role("button", name="Save changes"))
    check_page(page, f"Spend to {entry.supplier}")
    assert "Amount from £2,500.00 to £2,400.00" in page.locator("#spend-history").inner_text()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("load")
    visit(page, "/funding/budget/", title="The programme's budget")
    assert entry.supplier not in page.content()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_budget_pages_fit_a_phone_and_a_desktop(make_page, staff, entry, width):
    page = make_page(viewport={"width": width, "height": 900})
    sign_in(page, staff.email)
    for path in [
        OVERVIEW,
        "/dashboard/budget/spend/",
        f"/dashboard/budget/spend/{entry.pk}/",
        "/dashboard/budget/plan/",
        "/funding/budget/",
    ]:
        visit(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert layout_problems(page) == [], (path, width)
    assert_accessible(page)
