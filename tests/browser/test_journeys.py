"""Journeys that finish, in Chromium: a credential is issued once however often the page is
reloaded, every form lists all its errors at once, each role lands on its own page after signing
in, and the busiest tables fit a 320 px phone and a 1280 px desktop without a clipped column."""

import re

import pytest

from portal.models import Organisation, PartnerCredential
from tests.browser.conftest import assert_accessible, check_page, sign_in, visit
from tests.portal.factories import OrganisationFactory
from tests.workspaces.factories import ApplicationFactory, ProviderFactory, WorkspaceFactory, offered_application
from workspaces.models import DeskType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CREDENTIALS = "/dashboard/api-credentials/"
QUEUE = "/dashboard/applications/"

# The widest part of the page past the viewport, and every table header whose right edge is
# hidden: beyond the page, or beyond a scrolling box around its table.
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`page is ${document.documentElement.scrollWidth}px wide in a ${width}px window`);
  }
  for (const cell of document.querySelectorAll("table th, table td")) {
    // A header row hidden on purpose (read by screen readers, hidden on small screens).
    const head = cell.closest("thead");
    if (cell.offsetParent === null || (head && head.getBoundingClientRect().width <= 1)) continue;
    const rect = cell.getBoundingClientRect();
    if (rect.width === 0) continue;
    const box = cell.closest(".portal-table-wrapper");
    const right = box ? box.getBoundingClientRect().right : width;
    if (rect.right > right + 1) {
      const name = cell.innerText.trim().slice(0, 30);
      problems.push(`"${name}" ends at ${Math.round(rect.right)}px, past ${Math.round(right)}px`);
    }
  }
  return problems;
}"""


def layout_problems(page) -> list[str]:
    return page.evaluate(LAYOUT_PROBLEMS)


def summary_items(page) -> list[str]:
    """The error summary's messages, in order."""
    return [text.strip() for text in page.locator(".govuk-error-summary__list li").all_inner_texts()]


def submit(page, name: str | re.Pattern) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    page.wait_for_load_state("load")


def force_value(page, selector: str, value: str) -> None:
    """Send ``value`` from a field whatever it offers (a select gains an option), as a tampered or
    out-of-date form would."""
    page.evaluate(
        """([selector, value]) => {
          const field = document.querySelector(selector);
          if (field.tagName === "SELECT") {
            const option = document.createElement("option");
            option.value = value; option.textContent = value; field.appendChild(option);
          }
          field.value = value;
        }""",
        [selector, value],
    )


# Post/redirect/get ---------------------------------------------------------------------------


def test_reloading_after_creating_a_credential_creates_nothing(page, staff_user):
    OrganisationFactory(name="Coventry University", kind=Organisation.Kind.PARTNER, company_number="")
    sign_in(page, staff_user.email)
    visit(page, CREDENTIALS)
    page.get_by_label("Partner organisation").fill("Coventry University")
    submit(page, "Create credential")
    check_page(page)
    assert page.url.endswith(CREDENTIALS)  # the page shown is a GET, after a redirect
    secret = page.locator("code.portal-secret").nth(1).inner_text()
    assert secret and "will not be shown again" in page.content()
    assert PartnerCredential.objects.count() == 1

    page.reload()
    page.wait_for_load_state("load")
    assert PartnerCredential.objects.count() == 1
    assert secret not in page.content()  # shown once, then gone

    page.go_back()
    page.wait_for_load_state("load")
    assert PartnerCredential.objects.count() == 1


def test_revoking_a_credential_asks_first(page, staff_user):
    OrganisationFactory(name="Coventry University", kind=Organisation.Kind.PARTNER, company_number="")
    sign_in(page, staff_user.email)
    visit(page, CREDENTIALS)
    page.get_by_label("Partner organisation").fill("Coventry University")
    submit(page, "Create credential")
    credential = PartnerCredential.objects.get()

    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Revoke")).click()
    check_page(page, "Revoke the credential of Coventry University")
    credential.refresh_from_db()
    assert credential.is_active  # nothing happens until it is confirmed

    submit(page, "Revoke the credential")
    check_page(page)
    credential.refresh_from_db()
    assert not credential.is_active
    assert "Revoked the credential of Coventry University" in page.content()


# Every error at once -------------------------------------------------------------------------


def test_the_credential_form_lists_every_error_at_once(page, staff_user):
    sign_in(page, staff_user.email)
    visit(page, CREDENTIALS)
    page.get_by_label(re.compile("^read")).uncheck()
    submit(page, "Create credential")
    check_page(page)
    assert len(summary_items(page)) == 2, summary_items(page)

    page.get_by_label("Partner organisation").fill("Nobody University")  # no such organisation
    page.evaluate(
        "document.querySelector('#id_scopes_0').value = 'admin'; document.querySelector('#id_scopes_0').checked = true"
    )
    submit(page, "Create credential")
    check_page(page)
    assert len(summary_items(page)) == 2, summary_items(page)
    assert PartnerCredential.objects.count() == 0


def test_the_sign_in_form_lists_every_error_at_once(page):
    visit(page, "/accounts/login/")
    submit(page, "Sign in")
    check_page(page)
    items = summary_items(page)
    assert any("Email" in item for item in items) and any("Password" in item for item in items), items


@pytest.fixture
def founder_draft(founder_user):
    from workspaces import services

    WorkspaceFactory(name="Innovation Hub", pools={DeskType.FIXED_DESK: 4})
    return services.application_draft_create(applicant=founder_user)


STEP_ERRORS = {
    # step: (errors when empty, wrong answers by field id, errors when wrong)
    "firm": (
        3,
        {
            "#id_company_number": "NOT-A-NUMBER!",
            "#id_firm_name": "x" * 201,
            "#id_firm_local_authority": "atlantis",
            "#id_firm_sector": "alchemy",
            "#id_firm_founded_on_day": "31",
            "#id_firm_founded_on_month": "2",
            "#id_firm_founded_on_year": "2020",
            "#id_firm_website": "not a web address",
        },
        6,
    ),
    "team": (
        3,
        {"#id_team_size": "many", "#id_founders": "0", "#id_team_description": "x" * 2001},
        3,
    ),
    "needs": (
        4,
        {
            "#id_desks": "lots",
            "#id_start_on_day": "1",
            "#id_start_on_month": "1",
            "#id_start_on_year": "2020",
            "#id_support_needs": "x" * 2001,
        },
        # workspaces and desk type still missing, desks not a number, the date past, support too long
        5,
    ),
    "pitch": (2, {"#id_pitch": "x" * 3001}, 2),  # the stage still missing, the pitch too long
}


@pytest.mark.parametrize("step", STEP_ERRORS)
def test_each_application_step_lists_every_error_at_once(page, founder_user, founder_draft, step):
    empty, wrong, wrong_count = STEP_ERRORS[step]
    sign_in(page, founder_user.email, totp=False)
    visit(page, f"/workspaces/applications/{founder_draft.pk}/steps/{step}/")
    submit(page, "Save and continue")
    check_page(page)
    assert len(summary_items(page)) == empty, summary_items(page)

    for selector, value in wrong.items():
        force_value(page, selector, value)
    submit(page, "Save and continue")
    check_page(page)
    assert len(summary_items(page)) == wrong_count, summary_items(page)


def test_the_workspace_form_lists_every_error_at_once(page, staff_user):
    workspace = WorkspaceFactory(name="Theta Yard")  # 5 fixed desks
    offered_application(staff=staff_user, workspace=workspace, desks=3)
    ProviderFactory()
    sign_in(page, staff_user.email)

    visit(page, "/dashboard/workspaces/new/")
    submit(page, re.compile("Add|Save"))
    check_page(page)
    # provider, name, address, postcode, borough, who may apply, accessibility
    assert len(summary_items(page)) == 7, summary_items(page)

    visit(page, f"/dashboard/workspaces/{workspace.slug}/edit/")
    for selector, value in {
        "#id_name": "",
        "#id_postcode": "NOTAPOSTCODE",
        "#id_local_authority": "atlantis",
        "#id_capacity_fixed_desk": "2",  # below the 3 desks offered
        "#id_price_fixed_desk": "cheap",
        "#id_capacity_hot_desk": "-1",
        "#id_price_hot_desk": "9.999",
    }.items():
        force_value(page, selector, value)
    submit(page, re.compile("Add|Save"))
    check_page(page)
    items = summary_items(page)
    assert len(items) == 7, items
    assert any("capacity cannot be less than 3" in item for item in items), items
    assert any("postcode" in item for item in items), items


# Sign-in landings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "mfa", "landing", "heading"),
    [
        ("staff", True, "/dashboard/", "Programme dashboard"),
        ("reviewer", True, "/dashboard/applications/", "Review queue"),
        ("founder", False, "/workspaces/applications/", "Your workspace applications"),
        ("ambassador", True, "/", None),
    ],
)
def test_each_role_lands_on_its_own_page_after_signing_in(page, make_user, role, mfa, landing, heading):
    user = make_user(role, mfa=mfa)
    sign_in(page, user.email, totp=mfa)
    check_page(page)
    assert page.url.removeprefix(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2]) == landing
    if heading:
        assert page.get_by_role("heading", level=1).first.inner_text() == heading


def test_signing_in_from_a_page_returns_to_it(page, founder_user):
    page.goto("/workspaces/applications/new/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Email").fill(founder_user.email)
    page.get_by_label("Password").fill("correct-horse-battery-staple")
    submit(page, "Sign in")
    assert page.url.endswith("/workspaces/applications/new/")


def test_the_sign_in_pages_speak_the_portals_words(page, staff_user):
    visit(page, "/accounts/login/", title="Sign in")
    content = page.content()
    for library_words in ["Sign In", "Remember Me", "please sign up first", "placeholder="]:
        assert library_words not in content, library_words
    assert page.get_by_label("Keep me signed in on this device").count() == 1
    sign_in(page, staff_user.email, totp=False)
    check_page(page, "Enter your sign-in code")
    assert page.get_by_label(re.compile("code", re.I)).count() == 1


# Tables at 320 px and 1280 px -----------------------------------------------------------------


@pytest.fixture
def busy(staff_user, founder_user):
    """Long names everywhere: a founder's applications, a queue, a credential, a workspace."""
    from portal import services as portal_services

    workspace = WorkspaceFactory(name="Innovation Hub Birmingham Central", pools={DeskType.FIXED_DESK: 8})
    for i in range(3):
        ApplicationFactory(submitted=True, workspaces=[workspace], firm_name=f"Clinic Scheduling Services Limited {i}")
    ApplicationFactory(applicant=founder_user, submitted=True, workspaces=[workspace], firm_name="Canal Robotics Ltd")
    offered_application(staff=staff_user, workspace=workspace, applicant=founder_user)
    partner = OrganisationFactory(
        name="University of the West Midlands", kind=Organisation.Kind.PARTNER, company_number=""
    )
    portal_services.partner_credential_create(
        organisation=partner, scopes=["read", "observations:write", "companies:write"], created_by=None
    )


@pytest.mark.parametrize("width", [320, 1280])
def test_tables_fit_a_phone_and_a_desktop(make_page, staff_user, founder_user, busy, width):
    founder = make_page(viewport={"width": width, "height": 900})
    sign_in(founder, founder_user.email, totp=False)
    staff = make_page(viewport={"width": width, "height": 900})
    sign_in(staff, staff_user.email)
    for page, path in [
        (founder, "/workspaces/applications/"),
        (staff, QUEUE),
        (staff, CREDENTIALS),
        (staff, "/dashboard/workspaces/"),
        (staff, "/workspaces/"),
    ]:
        visit(page, path)
        assert page.locator("table, .govuk-summary-card, .govuk-summary-list").count() >= 1, path
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert layout_problems(page) == [], (path, width)
    assert_accessible(staff)
