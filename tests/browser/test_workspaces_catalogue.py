"""The workspace catalogue and the staff workspace pages in Chromium: axe-core finds no WCAG 2.2
A/AA violation, the filters work by keyboard alone and without JavaScript, and the staff form
reports its errors accessibly."""

import re

import pytest
from django.utils import timezone

from portal.models import LocalAuthority
from tests.browser.conftest import assert_accessible, focused_id, focused_text, press, sign_in, tab_to, visit
from tests.workspaces.factories import ProviderFactory, WorkspaceFactory, offered_application
from workspaces import services
from workspaces.models import DeskPool, DeskType, Workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def catalogue(staff_user):
    """Birmingham with free hot desks; Coventry with its one fixed desk let; Coventry with free
    private office desks, free of charge; a tenancy to end."""
    hub = WorkspaceFactory(
        name="Alpha Hub", slug="alpha-hub", local_authority=LocalAuthority.BIRMINGHAM, pools={DeskType.HOT_DESK: 10}
    )
    full = WorkspaceFactory(
        name="Beta Works", slug="beta-works", local_authority=LocalAuthority.COVENTRY, pools={DeskType.FIXED_DESK: 1}
    )
    application = offered_application(staff=staff_user, workspace=full, start_on=timezone.localdate())
    services.application_accept_offer(application=application, actor=application.applicant)
    studio = WorkspaceFactory(
        name="Gamma Studio",
        slug="gamma-studio",
        local_authority=LocalAuthority.COVENTRY,
        pools={DeskType.PRIVATE_OFFICE: 2},
        accepting_applications=False,
    )
    DeskPool.objects.filter(workspace=studio).update(monthly_price_gbp=None)
    ProviderFactory(name="Canal Spaces Ltd")
    return hub, full, studio


def listed(page) -> list[str]:
    return page.locator("main section h3").all_inner_texts()


@pytest.mark.parametrize(
    "path", ["/workspaces/", "/workspaces/beta-works/", "/workspaces/gamma-studio/", "/workspaces/criteria/"]
)
def test_public_catalogue_pages_are_accessible(page, catalogue, path):
    visit(page, path)
    assert page.console_errors == [], page.console_errors


def test_a_bad_filter_is_reported_accessibly(page, catalogue):
    visit(page, "/workspaces/?borough=atlantis", status=400)
    summary = page.locator(".govuk-error-summary")
    assert "Choose a borough from the list" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.get_by_role("link", name="Choose a borough from the list").click()
    assert focused_id(page) == "id_borough"


def test_founders_see_the_apply_button_and_it_passes_axe(page, founder_user, catalogue):
    sign_in(page, founder_user.email, totp=False)
    visit(page, "/workspaces/")
    assert page.get_by_role("button", name="Apply for workspace").is_visible()
    visit(page, "/workspaces/alpha-hub/")
    assert page.get_by_role("button", name="Apply for workspace").is_visible()


def test_the_filters_work_with_the_keyboard_alone(page, catalogue):
    visit(page, "/workspaces/")
    keyboard = page.keyboard
    keyboard.press("Tab")  # the skip link
    keyboard.press("Enter")
    tab_to(page, "id_borough", limit=20)
    keyboard.type("Coventry")
    keyboard.press("Tab")
    assert focused_id(page) == "id_desk_type"
    keyboard.press("Tab")
    assert focused_id(page) == "id_available"
    keyboard.press("Space")
    assert page.locator("#id_available").is_checked()
    keyboard.press("Tab")
    assert focused_id(page) == "id_accepting_applications"
    keyboard.press("Tab")
    assert focused_text(page) == "Apply filters"
    press(page)
    assert "borough=coventry" in page.url and "available=true" in page.url
    assert listed(page) == ["Gamma Studio"]
    assert page.get_by_role("heading", name="1 workspace").is_visible()
    assert page.locator("#id_borough").input_value() == "coventry"
    assert_accessible(page)


def test_the_filters_work_without_javascript(nojs_page, catalogue):
    page = nojs_page
    page.goto("/workspaces/")
    assert sorted(listed(page)) == ["Alpha Hub", "Beta Works", "Gamma Studio"]
    page.select_option("#id_desk_type", "fixed_desk")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("load")
    assert listed(page) == ["Beta Works"]
    page.check("#id_available")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state("load")
    assert listed(page) == []
    assert page.get_by_text("No workspaces match these filters").is_visible()
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_load_state("load")
    assert len(listed(page)) == 3
    response = page.goto("/workspaces/?available=maybe")
    assert response.status == 400
    assert page.locator(".govuk-error-summary").is_visible()


def test_staff_workspace_pages_are_accessible(page, staff_user, catalogue):
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/workspaces/")
    assert page.get_by_role("button", name="Add a workspace").is_visible()
    visit(page, "/dashboard/workspaces/beta-works/edit/")
    visit(page, "/dashboard/tenancies/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^End")).click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="End tenancy").click()
    page.wait_for_load_state("load")
    assert "Ended the tenancy" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)


def test_staff_add_a_workspace_and_errors_are_accessible(page, staff_user, catalogue):
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/workspaces/new/")
    page.get_by_label("Number of hot desks").fill("-3")
    with page.expect_navigation():
        page.get_by_role("button", name="Add workspace").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary")
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert "Enter the workspace's name" in summary.inner_text()
    summary.get_by_role("link", name="The number of hot desks cannot be negative").click()
    assert focused_id(page) == "id_capacity_hot_desk"
    assert Workspace.objects.count() == 3

    page.get_by_label("Provider").select_option(label="Canal Spaces Ltd")
    page.get_by_label("Name", exact=True).fill("Delta Exchange")
    page.get_by_label("Address").fill("2 Canal Street\nWolverhampton")
    page.get_by_label("Postcode").fill("WV1 1AA")
    page.get_by_label("Borough").select_option("wolverhampton")
    page.get_by_label("Who may apply").fill("Digital firms under three years old.")
    page.get_by_label("Accessibility").fill("Step-free throughout.")
    page.get_by_label("Number of hot desks").fill("12")
    page.get_by_label("Monthly price per hot desk (£)").fill("95")
    with page.expect_navigation():
        page.get_by_role("button", name="Add workspace").click()
    page.wait_for_load_state("load")
    assert "Added Delta Exchange." in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    workspace = Workspace.objects.get(name="Delta Exchange")
    assert workspace.desk_pools.get().capacity == 12
