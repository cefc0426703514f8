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
from tests.browser.conftest import check_page, press, sign_in_with_keyboard, type_into
from tests.workspaces.factories import WorkspaceFactory
from workspaces import selectors
from workspaces.models import Application, DeskType, Tenancy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-unusual-passphrase"


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def nav_link(page, label: str):
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=label, exact=True)


def occupancy_row(page, workspace_name: str) -> list[str]:
    row = page.locator("#workspace-occupancy tbody tr").filter(has_text=workspace_name)
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def indicator_row(page, name: str) -> str:
    return page.locator("tr").filter(has=page.get_by_role("link", name=name, exact=True)).inner_text()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_apply_review_offer_accept_and_occupancy(make_page, javascript, reviewer_user, staff_user):
    cache.clear()  # sign-up is rate limited per address; the other run signed up a moment ago
    indicator_catalogue_sync()
    workspace = WorkspaceFactory(name="Digbeth Digital Hub", pools={DeskType.FIXED_DESK: 2})
    today = timezone.localdate()

    # A founder signs up and confirms their address with the code they are emailed.
    founder = make_page(javascript=javascript)
    founder.goto("/workspaces/")
    check_page(founder, "Workspaces")
    founder.goto("/accounts/signup/")
    check_page(founder, "Create an account")
    type_into(founder, "id_full_name", "Ada Founder")
    type_into(founder, "id_email", "ada@startup.example")
    type_into(founder, "id_password1", PASSWORD)
    type_into(founder, "id_password2", PASSWORD)
    press(founder, founder.get_by_role("button", name="Create account"))
    check_page(founder, re.compile("code|confirm|verify", re.I))
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    founder.get_by_label(re.compile("code", re.I)).focus()
    founder.keyboard.type(code)
    press(founder, founder.get_by_role("button", name=re.compile("confirm", re.I)))

    # Applies: the first two steps, then leaves.
    founder.goto("/workspaces/applications/")
    check_page(founder, "Your workspace applications")
    press(founder, button(founder, "Start a new application"))
    check_page(founder, "Apply for workspace")
    press(founder, button(founder, "Start application"))
    check_page(founder, "Your firm")
    type_into(founder, "id_company_number", "13579246")
    type_into(founder, "id_firm_name", "Canal Side Analytics Ltd")
    founder.locator("#id_firm_local_authority").focus()
    founder.keyboard.type("Bir")  # typing into a focused select chooses the first option starting so
    assert founder.locator("#id_firm_local_authority").input_value() == "birmingham"
    press(founder, button(founder, "Save and continue"))
    check_page(founder, "Your team")
    type_into(founder, "id_team_size", "3")
    type_into(founder, "id_founders", "2")
    type_into(founder, "id_team_description", "Two founders and a data engineer.")
    press(founder, button(founder, "Save and come back later"))
    check_page(founder, "Your workspace applications")
    founder.goto("/")
    check_page(founder, "Tech Commissioner Portal")

    # Comes back: the draft resumes at the first unanswered step.
    press(founder, founder.get_by_role("link", name="Your applications"))
    press(founder, founder.get_by_role("link", name=re.compile("Continue your application")))
    check_page(founder, "The workspace you need")
    founder.get_by_label("Digbeth Digital Hub").focus()
    founder.keyboard.press("Space")
    founder.get_by_label("Fixed desk").focus()
    founder.keyboard.press("Space")
    type_into(founder, "id_desks", "1")
    type_into(founder, "id_start_on_day", str(today.day))
    type_into(founder, "id_start_on_month", str(today.month))
    type_into(founder, "id_start_on_year", str(today.year))
    press(founder, button(founder, "Save and continue"))
    check_page(founder, "Your pitch")
    founder.get_by_label("Earning revenue").focus()
    founder.keyboard.press("Space")
    type_into(founder, "id_pitch", "Footfall analytics for the canal-side businesses of Birmingham.")
    press(founder, button(founder, "Save and continue"))
    check_page(founder, "Diversity monitoring")
    press(founder, founder.get_by_role("button", name=re.compile("Save and (continue|check)")))
    check_page(founder, "Check your answers")
    press(founder, button(founder, "Submit application"))
    check_page(founder, "Application submitted")
    application = Application.objects.get(applicant__email="ada@startup.example")
    assert application.status == Application.Status.SUBMITTED
    assert application.organisation.company_number == "13579246"

    # A reviewer scores it.
    reviewer = make_page(javascript=javascript)
    sign_in_with_keyboard(reviewer, reviewer_user.email)
    press(reviewer, nav_link(reviewer, "Review queue"))
    check_page(reviewer, "Review queue")
    press(reviewer, reviewer.get_by_role("link", name=application.reference))
    check_page(reviewer, "Canal Side Analytics Ltd")
    for criterion in selectors.criterion_list():
        reviewer.locator(f"input[name=criterion_{criterion.pk}][value='4']").focus()
        reviewer.keyboard.press("Space")
    type_into(reviewer, "id_comment", "Clear demand from local businesses.")
    press(reviewer, button(reviewer, "Save scores"))
    check_page(reviewer, "Canal Side Analytics Ltd")
    assert reviewer.locator("input[name=decision]").count() == 0  # reviewers do not decide

    # Staff see the desks free on the dashboard, then offer one.
    staff = make_page(javascript=javascript)
    sign_in_with_keyboard(staff, staff_user.email)
    press(staff, nav_link(staff, "Dashboard"))
    check_page(staff, "Dashboard")
    assert occupancy_row(staff, "Digbeth Digital Hub") == ["2", "0", "2", "0.0%"]
    assert "Not published yet" in indicator_row(staff, "Workspace occupancy")
    press(staff, nav_link(staff, "Review queue"))
    check_page(staff, "Review queue")
    press(staff, staff.get_by_role("link", name=application.reference))
    check_page(staff, "Canal Side Analytics Ltd")
    assert "Clear demand from local businesses." in staff.locator("main").inner_text()
    assert staff.locator("#offer_pool option:checked").inner_text().startswith("Digbeth Digital Hub")
    press(staff, button(staff, "Offer desks"))
    check_page(staff, "Canal Side Analytics Ltd")
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED

    # The founder accepts; the tenancy shows, and never a score.
    founder.goto("/workspaces/applications/")
    check_page(founder, "Your workspace applications")
    press(founder, founder.get_by_role("link", name=re.compile("Respond to your offer")))
    check_page(founder, "Respond to your offer")
    founder.locator("#id_decision_0").focus()
    founder.keyboard.press("Space")
    press(founder, button(founder, "Continue"))
    check_page(founder, f"Application {application.reference}")
    desks = founder.locator("main").inner_text()
    assert "Your desks" in desks and "Digbeth Digital Hub" in desks
    assert "Clear demand from local businesses." not in desks
    tenancy = Tenancy.objects.get(application=application)
    assert (tenancy.pool.workspace, tenancy.desks, tenancy.start_on) == (workspace, 1, today)

    # The dashboard's occupancy has changed, live and, after a refresh, in the indicator.
    staff.goto("/dashboard/")
    check_page(staff, "Dashboard")
    assert occupancy_row(staff, "Digbeth Digital Hub") == ["2", "1", "1", "50.0%"]
    press(staff, button(staff, "Refresh KPIs now"))
    staff.goto("/dashboard/")
    check_page(staff, "Dashboard")
    assert "50" in indicator_row(staff, "Workspace occupancy")
