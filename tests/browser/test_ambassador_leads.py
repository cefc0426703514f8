"""The leads pages in Chromium: axe-core finds no WCAG 2.2 A/AA violation on any of them, with
errors shown or not; an ambassador refers a lead with the keyboard alone; staff record a lead
credited to an ambassador they name by typing (matches suggested) and move a lead with the
keyboard; the board by stage reads as plain lists with JavaScript off; and the lists fit a 320 px
phone without scrolling sideways."""

import re

import pytest
from playwright.sync_api import expect

from ambassadors.models import Lead
from tests.ambassadors.lead_factories import LeadAmbassadorFactory, LeadFactory, staff_member
from tests.browser.conftest import (
    assert_accessible,
    check_page,
    focused_id,
    focused_text,
    press,
    sign_in,
    tab_to,
    type_into,
    visit,
)
from tests.browser.test_journeys import layout_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

S = Lead.Stage


@pytest.fixture
def ambassador():
    return LeadAmbassadorFactory(full_name="Priya Raman")


@pytest.fixture
def staff():
    return staff_member(full_name="Sam Staff")


@pytest.fixture
def pipeline(ambassador, staff):
    """A lead in every stage, with long names, some referred by the ambassador."""
    leads = {"referred": LeadFactory(referred_by=ambassador, name="Bengaluru Precision Sensors Private Limited")}
    for stage in ("qualified", "active", "verify_win", "landed", "lost"):
        leads[stage] = LeadFactory(
            referred_by=ambassador if stage in ("landed", "active") else None,
            name=f"International {stage.replace('_', ' ').title()} Holdings Incorporated",
            **{stage: True},
        )
    return leads


def summary_items(page) -> list[str]:
    return [text.strip() for text in page.locator(".govuk-error-summary__list li").all_inner_texts()]


def test_an_ambassador_refers_a_lead_with_the_keyboard_alone(page, ambassador, pipeline):
    sign_in(page, ambassador.user.email)
    visit(page, "/ambassadors/leads/", title="Your leads")
    assert page.get_by_role("link", name=pipeline["referred"].name).count() == 1
    press(page, page.get_by_role("button", name="Refer a lead"))
    check_page(page, "Refer a lead")

    # Sent empty: the summary lists the problem, takes focus and links to the field.
    tab_to(page, "id_name")
    press(page)
    check_page(page, "Error: Refer a lead")
    assert summary_items(page) == ["Enter the company's name"]
    assert page.evaluate("document.activeElement.className").startswith("govuk-error-summary")

    type_into(page, "id_name", "Chennai Cloud Systems")
    type_into(page, "id_summary", "A support centre of 40 people.")
    tab_to(page, "id_kind_0")
    page.keyboard.press("Space")
    assert page.locator("#id_kind_0").is_checked()
    page.keyboard.press("Tab")
    assert focused_text(page) == "Refer the lead"
    press(page)
    check_page(page, "Chennai Cloud Systems")
    assert "Chennai Cloud Systems is referred" in page.locator(".govuk-notification-banner").inner_text()
    assert page.get_by_text("Recorded as referred").count() == 1
    lead = Lead.objects.get(name="Chennai Cloud Systems")
    assert (lead.referred_by, lead.kind) == (ambassador, "fdi")

    visit(page, "/ambassadors/impact/", title="Your impact")
    assert "1 of the 4 leads you referred" in page.locator("#impact-figures").inner_text()
    visit(page, f"/ambassadors/leads/{pipeline['landed'].pk}/", title=pipeline["landed"].name)
    visit(page, f"/ambassadors/leads/{pipeline['qualified'].pk}/", status=404)


def test_staff_pages_are_accessible_and_a_move_works_with_the_keyboard(page, staff, ambassador, pipeline):
    lead = pipeline["qualified"]
    sign_in(page, staff.email)
    visit(page, "/dashboard/leads/", title="Leads")
    visit(page, "/dashboard/leads/?view=board", title="Leads by stage")
    visit(page, "/dashboard/leads/?stage=nope", status=400, title="Error: Leads")
    visit(page, "/dashboard/leads/new/", title="Record a lead")

    # The ambassador who brought a lead is named by typing: the matches are suggested, each by
    # the address that names them whatever their name.
    suggestions = page.locator("#id_referred_by_suggestions option")
    type_into(page, "id_name", "Walk-in Robotics Ltd")
    type_into(page, "id_referred_by", "Priya R")
    expect(suggestions).to_have_count(1)
    assert suggestions.get_attribute("value") == ambassador.user.email
    assert suggestions.inner_text() == "Priya Raman, India"
    page.locator("#id_referred_by").fill(ambassador.user.email)
    press(page, page.get_by_role("button", name="Record the lead"))
    check_page(page, "Walk-in Robotics Ltd")
    assert Lead.objects.get(name="Walk-in Robotics Ltd").referred_by == ambassador

    # The pipeline's filter names the ambassador the same way.
    visit(page, "/dashboard/leads/", title="Leads")
    type_into(page, "id_ambassador", "raman")
    expect(page.locator("#id_ambassador_suggestions option")).to_have_count(1)
    page.locator("#id_ambassador").fill(ambassador.user.email)
    press(page, page.get_by_role("button", name="Apply filters"))
    check_page(page, "Leads")
    assert page.get_by_role("link", name="Walk-in Robotics Ltd").count() == 1
    assert page.get_by_role("link", name=pipeline["qualified"].name).count() == 0
    visit(page, f"/dashboard/leads/{pipeline['landed'].pk}/", title=pipeline["landed"].name)
    visit(page, f"/dashboard/leads/{lead.pk}/", title=lead.name)

    press(page, page.get_by_role("link", name="Move the lead to active"))
    check_page(page, f"Move {lead.name} to active")
    tab_to(page, "id_expected_jobs")
    page.keyboard.type("-4")
    press(page)
    check_page(page, f"Error: Move {lead.name} to active")
    assert summary_items(page) == [
        "Choose the member of staff who owns the lead",
        "The jobs expected cannot be negative: enter 0 or more",
        "Enter the capital expected, in pounds",
    ]
    # The summary's links take the keyboard to each field.
    page.get_by_role("link", name="Enter the capital expected, in pounds").focus()
    page.keyboard.press("Enter")
    assert focused_id(page) == "id_expected_capital"

    page.locator("#id_owner").focus()
    page.locator("#id_owner").select_option(str(staff.pk))
    page.locator("#id_expected_jobs").fill("")
    type_into(page, "id_expected_jobs", "35")
    type_into(page, "id_expected_capital", "1200000")
    type_into(page, "id_reason", "Site visit booked")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Move to active"
    press(page)
    check_page(page, lead.name)
    assert f"{lead.name} moved to active." in page.locator(".govuk-notification-banner").inner_text()
    history = page.locator("#history ~ table").inner_text()
    assert "Qualified to active" in history and "Sam Staff" in history and "Site visit booked" in history
    lead.refresh_from_db()
    assert lead.stage == S.ACTIVE and lead.expected_jobs == 35


def test_the_board_reads_as_plain_lists_without_javascript(nojs_page, staff, pipeline):
    sign_in(nojs_page, staff.email)
    visit(nojs_page, "/dashboard/leads/?view=board", title="Leads by stage")
    headings = nojs_page.locator(".portal-board h2").all_inner_texts()
    assert [re.sub(r"\s+", " ", h).split(" ")[0] for h in headings] == [
        "Referred",
        "Qualified",
        "Active",
        "Verify",
        "Landed",
        "Lost",
    ]
    for stage, lead in pipeline.items():
        section = nojs_page.locator(f"section[aria-labelledby='board-{stage}']")
        assert section.locator("ol > li").count() == 1, stage
        assert section.get_by_role("link", name=lead.name).count() == 1, stage
    # A card leads to the lead, and a move works without JavaScript too.
    press(nojs_page, nojs_page.get_by_role("link", name=pipeline["verify_win"].name))
    press(nojs_page, nojs_page.get_by_role("link", name="Move the lead to landed"))
    nojs_page.locator("#id_company_number").fill("SC765432")
    press(nojs_page, nojs_page.get_by_role("button", name="Move to landed"))
    assert "moved to landed" in nojs_page.locator(".govuk-notification-banner").inner_text()
    assert Lead.objects.get(pk=pipeline["verify_win"].pk).stage == S.LANDED


@pytest.mark.parametrize("width", [320, 1280])
def test_the_leads_pages_fit_a_phone_and_a_desktop(make_page, staff, ambassador, pipeline, width):
    staff_page = make_page(viewport={"width": width, "height": 900})
    sign_in(staff_page, staff.email)
    ambassador_page = make_page(viewport={"width": width, "height": 900})
    sign_in(ambassador_page, ambassador.user.email)
    landed = pipeline["landed"]
    for page, path in [
        (staff_page, "/dashboard/leads/"),
        (staff_page, "/dashboard/leads/?view=board"),
        (staff_page, f"/dashboard/leads/{landed.pk}/"),
        (ambassador_page, "/ambassadors/leads/"),
        (ambassador_page, "/ambassadors/impact/"),
        (ambassador_page, f"/ambassadors/leads/{landed.pk}/"),
    ]:
        visit(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert layout_problems(page) == [], (path, width)
    assert_accessible(staff_page)
