"""The whole workspace journey in Chromium, with the keyboard only and axe-core on every page: a
founder signs up, applies over several steps, leaves and comes back to the draft, submits; a
reviewer scores; staff offer a desk; the founder accepts; the tenancy shows, and the staff
dashboard's occupancy changes. The same journey runs again with JavaScript turned off."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone

from missions.catalogue import indicator_catalogue_sync
from tests.browser.conftest import assert_accessible, sign_in
from tests.workspaces.factories import WorkspaceFactory
from workspaces.models import Application, Criterion, DeskType, Tenancy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-unusual-passphrase"


def new_page(browser, live_server, javascript: bool):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript)
    context.set_default_timeout(15_000)
    context.javascript_enabled = javascript
    return context.new_page()


def checked(page, title: str | re.Pattern) -> None:
    """The page has loaded with ``title`` in its <title> and passes axe-core (which runs as
    JavaScript in the page, so only where JavaScript is on; the same pages are checked then)."""
    page.wait_for_load_state("load")
    if isinstance(title, re.Pattern):
        assert title.search(page.title()), page.title()
    else:
        assert title in page.title(), page.title()
    if page.context.javascript_enabled:
        assert_accessible(page)


def press(page, target) -> None:
    """Move focus to a link or button and press Enter, as a keyboard user does."""
    target.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def type_into(page, field_id: str, text: str) -> None:
    page.locator(f"#{field_id}").focus()
    page.keyboard.type(text)


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def occupancy_row(page, workspace_name: str) -> list[str]:
    row = page.locator("#workspace-occupancy tbody tr").filter(has_text=workspace_name)
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def indicator_row(page, name: str) -> str:
    return page.locator("tr").filter(has=page.get_by_role("link", name=name, exact=True)).inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_apply_review_offer_accept_and_occupancy(browser, live_server, javascript, reviewer_user, staff_user):
    cache.clear()  # sign-up is rate limited per address; the other run signed up a moment ago
    indicator_catalogue_sync()
    workspace = WorkspaceFactory(name="Digbeth Digital Hub", pools={DeskType.FIXED_DESK: 2})
    today = timezone.localdate()

    # A founder signs up and confirms their address with the code they are emailed.
    founder = new_page(browser, live_server, javascript)
    founder.goto("/workspaces/")
    checked(founder, "Workspaces")
    founder.goto("/accounts/signup/")
    checked(founder, "Signup")
    type_into(founder, "id_full_name", "Ada Founder")
    type_into(founder, "id_email", "ada@startup.example")
    type_into(founder, "id_password1", PASSWORD)
    type_into(founder, "id_password2", PASSWORD)
    press(founder, founder.get_by_role("button", name=re.compile("sign up", re.I)))
    checked(founder, re.compile("code|confirm|verify", re.I))
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    founder.get_by_label(re.compile("code", re.I)).focus()
    founder.keyboard.type(code)
    press(founder, founder.get_by_role("button", name=re.compile("confirm", re.I)))

    # Applies: the first two steps, then leaves.
    founder.goto("/workspaces/applications/")
    checked(founder, "Your workspace applications")
    press(founder, button(founder, "Start a new application"))
    checked(founder, "Apply for workspace")
    press(founder, button(founder, "Start application"))
    checked(founder, "Your firm")
    type_into(founder, "id_company_number", "13579246")
    type_into(founder, "id_firm_name", "Canal Side Analytics Ltd")
    founder.locator("#id_firm_local_authority").select_option("birmingham")
    press(founder, button(founder, "Save and continue"))
    checked(founder, "Your team")
    type_into(founder, "id_team_size", "3")
    type_into(founder, "id_founders", "2")
    type_into(founder, "id_team_description", "Two founders and a data engineer.")
    press(founder, button(founder, "Save and come back later"))
    checked(founder, "Your workspace applications")
    founder.goto("/")
    checked(founder, "Tech Commissioner Portal")

    # Comes back: the draft resumes at the first unanswered step.
    press(founder, founder.get_by_role("link", name="Your applications"))
    press(founder, founder.get_by_role("link", name=re.compile("Continue your application")))
    checked(founder, "The workspace you need")
    founder.get_by_label("Digbeth Digital Hub").focus()
    founder.keyboard.press("Space")
    founder.get_by_label("Fixed desk").focus()
    founder.keyboard.press("Space")
    type_into(founder, "id_desks", "1")
    type_into(founder, "id_start_on_day", str(today.day))
    type_into(founder, "id_start_on_month", str(today.month))
    type_into(founder, "id_start_on_year", str(today.year))
    press(founder, button(founder, "Save and continue"))
    checked(founder, "Your pitch")
    founder.get_by_label("Earning revenue").focus()
    founder.keyboard.press("Space")
    type_into(founder, "id_pitch", "Footfall analytics for the canal-side businesses of Birmingham.")
    press(founder, button(founder, "Save and continue"))
    checked(founder, "Diversity monitoring")
    press(founder, founder.get_by_role("button", name=re.compile("Save and (continue|check)")))
    checked(founder, "Check your answers")
    press(founder, button(founder, "Submit application"))
    checked(founder, "Application submitted")
    application = Application.objects.get(applicant__email="ada@startup.example")
    assert application.status == Application.Status.SUBMITTED
    assert application.organisation.company_number == "13579246"

    # A reviewer scores it.
    reviewer = new_page(browser, live_server, javascript)
    sign_in(reviewer, reviewer_user.email)
    reviewer.goto("/dashboard/applications/")
    checked(reviewer, "Review queue")
    press(reviewer, reviewer.get_by_role("link", name=application.reference))
    checked(reviewer, "Canal Side Analytics Ltd")
    for criterion in Criterion.objects.filter(is_active=True):
        reviewer.locator(f"input[name=criterion_{criterion.pk}][value='4']").focus()
        reviewer.keyboard.press("Space")
    type_into(reviewer, "id_comment", "Clear demand from local businesses.")
    press(reviewer, button(reviewer, "Save scores"))
    checked(reviewer, "Canal Side Analytics Ltd")
    assert reviewer.locator("input[name=decision]").count() == 0  # reviewers do not decide

    # Staff see the desks free on the dashboard, then offer one.
    staff = new_page(browser, live_server, javascript)
    sign_in(staff, staff_user.email)
    staff.goto("/dashboard/")
    checked(staff, "Dashboard")
    assert occupancy_row(staff, "Digbeth Digital Hub") == ["2", "0", "2", "0.0%"]
    assert "No value yet" in indicator_row(staff, "Workspace occupancy")
    staff.goto(f"/dashboard/applications/{application.pk}/")
    checked(staff, "Canal Side Analytics Ltd")
    assert "Clear demand from local businesses." in staff.locator("main").inner_text()
    assert staff.locator("#offer_pool option:checked").inner_text().startswith("Digbeth Digital Hub")
    press(staff, button(staff, "Offer desks"))
    checked(staff, "Canal Side Analytics Ltd")
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED

    # The founder accepts; the tenancy shows, and never a score.
    founder.goto("/workspaces/applications/")
    checked(founder, "Your workspace applications")
    press(founder, founder.get_by_role("link", name=re.compile("Respond to your offer")))
    checked(founder, "Respond to your offer")
    founder.locator("#id_decision_0").focus()
    founder.keyboard.press("Space")
    press(founder, button(founder, "Continue"))
    checked(founder, f"Application {application.reference}")
    desks = founder.locator("main").inner_text()
    assert "Your desks" in desks and "Digbeth Digital Hub" in desks
    assert "Clear demand from local businesses." not in desks
    tenancy = Tenancy.objects.get(application=application)
    assert (tenancy.pool.workspace, tenancy.desks, tenancy.start_on) == (workspace, 1, today)

    # The dashboard's occupancy has changed, live and, after a refresh, in the indicator.
    staff.goto("/dashboard/")
    checked(staff, "Dashboard")
    assert occupancy_row(staff, "Digbeth Digital Hub") == ["2", "1", "1", "50.0%"]
    press(staff, button(staff, "Refresh KPIs now"))
    staff.goto("/dashboard/")
    checked(staff, "Dashboard")
    assert "50" in indicator_row(staff, "Workspace occupancy")
