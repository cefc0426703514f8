"""A founder applies for workspace in Chromium: all five steps with the keyboard only, axe-core
(WCAG 2.2 A/AA) on every page, the error summary takes focus, and the journey works without
JavaScript."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, check_page, focused_id, focused_text, press, sign_in
from tests.workspaces.factories import WorkspaceFactory, offered_application
from workspaces.models import Application, DeskType, Tenancy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

START = timezone.localdate() + datetime.timedelta(days=40)


@pytest.fixture
def workspaces():
    return [WorkspaceFactory(name="Alpha Works"), WorkspaceFactory(name="Beta Hub")]


def type_then_tab(page, *texts: str) -> None:
    for text in texts:
        page.keyboard.type(text)
        page.keyboard.press("Tab")


def start_application(page) -> None:
    page.goto("/workspaces/applications/")
    check_page(page, "Your workspace applications")
    press(page, page.get_by_role("button", name="Start a new application"))
    check_page(page, "Apply for workspace")
    press(page, page.get_by_role("button", name="Start application"))


def test_a_founder_applies_with_the_keyboard_only(page, founder_user, workspaces):
    sign_in(page, founder_user.email, totp=False)
    start_application(page)
    keyboard = page.keyboard

    check_page(page, "Your firm")
    assert page.get_by_text("Step 1 of 5").is_visible()
    page.locator("#id_company_number").focus()
    type_then_tab(page, "sc123456", "Keyboard Clinics Ltd")
    assert focused_id(page) == "id_firm_local_authority"
    type_then_tab(page, "Cov")
    assert focused_id(page) == "id_firm_sector"
    type_then_tab(page, "Health", "14", "3", "2022")
    assert focused_id(page) == "id_firm_website"
    keyboard.type("https://keyboard-clinics.example.org")
    press(page)  # Enter in a text box presses the first button: Save and continue

    check_page(page, "Your team")
    page.locator("#id_team_size").focus()
    type_then_tab(page, "6", "2", "Two founders and four engineers.")
    assert focused_text(page) == "Save and continue"
    press(page)

    check_page(page, "The workspace you need")
    page.locator("#id_workspaces_0").focus()
    keyboard.press("Space")
    keyboard.press("Tab")
    keyboard.press("Tab")  # past Beta Hub, into the desk types
    assert focused_id(page) == "id_desk_type_0"
    keyboard.press("ArrowDown")  # moves to, and selects, Fixed desk
    keyboard.press("Tab")
    assert focused_id(page) == "id_desks"
    type_then_tab(page, "2", str(START.day), str(START.month), str(START.year), "A mentor, please.")
    press(page)

    check_page(page, "Your pitch")
    page.locator("#id_stage_0").focus()
    keyboard.press("ArrowDown")
    keyboard.press("Tab")
    assert focused_id(page) == "id_pitch"
    keyboard.type("Booking software for community clinics.")
    expect(page.locator(".govuk-character-count__status")).to_contain_text("2,961 characters remaining")
    keyboard.press("Tab")
    press(page)

    check_page(page, "Diversity monitoring")
    assert not page.locator("#id_founders_women").is_visible()
    page.locator("#id_diversity_consent").focus()
    keyboard.press("Space")
    keyboard.press("Tab")
    assert focused_id(page) == "id_founders_women"  # revealed by the tick
    type_then_tab(page, "1", "", "0")
    press(page)

    check_page(page, "Check your answers")
    assert page.locator(".govuk-error-summary").count() == 0
    for answer in [
        "SC123456",
        "Keyboard Clinics Ltd",
        "Coventry",
        "Health and medtech",
        "14 March 2022",
        "Alpha Works",
    ]:
        assert page.locator(".govuk-summary-list").get_by_text(answer, exact=True).count() == 1, answer
    press(page, page.get_by_role("button", name="Submit application"))

    check_page(page, "Application submitted")
    application = Application.objects.get(applicant=founder_user)
    assert page.locator(".govuk-panel").inner_text().endswith(application.reference)
    assert application.status == Application.Status.SUBMITTED
    assert application.organisation.company_number == "SC123456"
    assert (application.desk_type, application.desks, application.start_on) == (DeskType.FIXED_DESK, 2, START)
    assert list(application.workspaces.all()) == [workspaces[0]]
    assert (application.diversity_consent, application.founders_women, application.founders_disabled) == (True, 1, 0)
    assert application.founders_ethnic_minority is None


def test_a_missing_answer_takes_focus_to_the_error_summary(page, founder_user, workspaces):
    sign_in(page, founder_user.email, totp=False)
    start_application(page)
    page.locator("#id_firm_name").focus()
    page.keyboard.type("No Number Ltd")
    press(page)

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    check_page(page, "Error: Your firm")
    assert "Enter the firm's Companies House number" in summary.inner_text()
    summary.get_by_role("link", name="Enter the firm's Companies House number").focus()
    page.keyboard.press("Enter")
    assert focused_id(page) == "id_company_number"
    assert page.locator("#id_firm_name").input_value() == "No Number Ltd"
    assert Application.objects.get(applicant=founder_user).firm_name == ""

    # The check page names every gap, and a refused submission is focused the same way.
    page.goto(f"/workspaces/applications/{Application.objects.get().pk}/check/")
    check_page(page, "Check your answers")
    press(page, page.get_by_role("button", name="Submit application"))
    expect(summary).to_be_focused()
    assert_accessible(page)
    assert Application.objects.get().status == Application.Status.DRAFT


def test_an_offer_is_answered_on_accessible_pages(page, founder_user, staff_user, workspaces):
    application = offered_application(staff=staff_user, applicant=founder_user, workspace=workspaces[0])
    sign_in(page, founder_user.email, totp=False)
    page.goto("/workspaces/applications/")
    check_page(page, "Your workspace applications")
    press(page, page.get_by_role("link", name=f"Respond to your offer ({application.reference})"))
    check_page(page, "Respond to your offer")
    page.locator("#id_decision_0").focus()
    page.keyboard.press("Space")
    press(page, page.get_by_role("button", name="Continue"))
    check_page(page, f"Application {application.reference}")
    assert "You have accepted 1 fixed desk at Alpha Works" in page.locator(".govuk-notification-banner").inner_text()
    assert Tenancy.objects.filter(application=application).exists()
    page.goto(f"/workspaces/applications/{application.pk}/withdraw/")
    assert page.url.endswith(f"/workspaces/applications/{application.pk}/")  # nothing to withdraw now


def test_the_journey_works_without_javascript(nojs_page, founder_user, workspaces):
    page = nojs_page
    sign_in(page, founder_user.email, totp=False)
    page.goto("/workspaces/applications/new/")
    page.get_by_role("button", name="Start application").click()

    page.wait_for_url("**/steps/firm/")
    page.locator("#id_company_number").fill("01234567")
    page.locator("#id_firm_name").fill("No Script Ltd")
    page.locator("#id_firm_local_authority").select_option("walsall")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/steps/team/")
    page.locator("#id_team_size").fill("3")
    page.locator("#id_founders").fill("1")
    page.locator("#id_team_description").fill("One founder, two developers.")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/steps/needs/")
    page.get_by_label("Beta Hub").check()
    page.get_by_label("Hot desk").check()
    page.locator("#id_desks").fill("1")
    page.locator("#id_start_on_day").fill(str(START.day))
    page.locator("#id_start_on_month").fill(str(START.month))
    page.locator("#id_start_on_year").fill(str(START.year))
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/steps/pitch/")
    assert page.get_by_text("You can enter up to 3000 characters").is_visible()  # the count's hint, without JS
    page.get_by_label("Earning revenue").check()
    page.locator("#id_pitch").fill("Tools for small manufacturers.")
    page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url("**/steps/diversity/")
    assert page.locator("#id_founders_women").is_visible()  # nothing hidden without JavaScript
    page.get_by_role("button", name="Save and check your answers").click()

    page.wait_for_url("**/check/")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_load_state("load")
    assert "Application submitted" in page.locator("h1").inner_text()
    application = Application.objects.get(applicant=founder_user)
    assert application.status == Application.Status.SUBMITTED
    assert application.submitted_at <= timezone.now()
    assert application.diversity_consent is False
