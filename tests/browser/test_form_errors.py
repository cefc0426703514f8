"""Every form in the portal that people reach by a journey, in Chromium, submitted empty and then
with every field wrong (values a tampered or out-of-date page could send), lists all its errors
at once in the error summary, passes axe-core, and changes nothing until it is right.

The credential, sign-in, application step and workspace forms are in ``test_journeys``; the
feedback form in ``test_feedback``; the account and two-factor forms in ``test_account_pages``."""

import datetime
import re

import pytest
from django.utils import timezone

from missions.catalogue import indicator_catalogue_sync
from missions.models import Observation
from tests.browser.conftest import check_page, sign_in, visit
from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory, offered_application
from workspaces import selectors, services
from workspaces.models import Application, DeskType, Review, Tenancy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

S = Application.Status
TOO_LONG = "x" * 3001


def summary_items(page) -> list[str]:
    return [text.strip() for text in page.locator(".govuk-error-summary__list li").all_inner_texts()]


def submit(page, name: str, *, errors: int) -> list[str]:
    """Press the button; the page comes back (a 400) with ``errors`` items in its summary."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("load")
    check_page(page, re.compile("^Error: "))
    items = summary_items(page)
    assert len(items) == errors, items
    return items


def force(page, values: dict[str, str]) -> None:
    """Set each field to a value whatever it offers: a select gains the option, a radio or
    checkbox takes the value and is ticked, a text box takes text past its maxlength."""
    page.evaluate(
        """(values) => {
          for (const [selector, value] of Object.entries(values)) {
            const field = document.querySelector(selector);
            if (field.tagName === "SELECT") {
              const option = document.createElement("option");
              option.value = value; option.textContent = value; field.appendChild(option);
            }
            if (field.type === "radio" || field.type === "checkbox") { field.checked = true; }
            field.value = value;
          }
        }""",
        values,
    )


@pytest.fixture
def workspace():
    return WorkspaceFactory(name="Innovation Hub", pools={DeskType.FIXED_DESK: 4})


# Founders ---------------------------------------------------------------------------------------


def test_withdrawing_an_application(page, founder_user, workspace):
    application = ApplicationFactory(applicant=founder_user, submitted=True, workspaces=[workspace])
    sign_in(page, founder_user.email, totp=False)
    visit(page, f"/workspaces/applications/{application.pk}/withdraw/")
    force(page, {"#id_reason": TOO_LONG})
    assert submit(page, "Withdraw application", errors=1) == ["The reason must be 2,000 characters or fewer"]
    application.refresh_from_db()
    assert application.status == S.SUBMITTED

    # The only field is optional: sent empty, the application is withdrawn.
    page.locator("#id_reason").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Withdraw application").click()
    check_page(page, f"Application {application.reference}")
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN


def test_responding_to_an_offer(page, founder_user, staff_user, workspace):
    application = offered_application(staff=staff_user, workspace=workspace, applicant=founder_user)
    sign_in(page, founder_user.email, totp=False)
    visit(page, f"/workspaces/applications/{application.pk}/respond/")
    assert submit(page, "Continue", errors=1) == ["Select whether you accept or decline the offer"]

    force(page, {"#id_decision_0": "maybe", "#id_reason": TOO_LONG})
    assert submit(page, "Continue", errors=2) == [
        "Select whether you accept or decline the offer",
        "The reason must be 2,000 characters or fewer",
    ]
    application.refresh_from_db()
    assert application.status == S.OFFERED


def test_the_diversity_step(page, founder_user, workspace):
    draft = services.application_draft_create(applicant=founder_user)
    sign_in(page, founder_user.email, totp=False)
    visit(page, f"/workspaces/applications/{draft.pk}/steps/diversity/")
    force(
        page,
        {"#id_founders_women": "-1", "#id_founders_ethnic_minority": "lots", "#id_founders_disabled": "21"},
    )
    items = submit(page, "Save and check your answers", errors=4)
    assert items[0].startswith("Tick the box to agree"), items


# Reviewers and staff ----------------------------------------------------------------------------


def test_scoring_an_application(page, reviewer_user, workspace):
    application = ApplicationFactory(in_review=True, workspaces=[workspace])
    criteria = list(selectors.criterion_list())
    sign_in(page, reviewer_user.email)
    visit(page, f"/dashboard/applications/{application.pk}/")
    submit(page, "Save scores", errors=len(criteria) + 1)

    force(page, {f"#id_criterion_{criterion.pk}": "9" for criterion in criteria} | {"#id_comment": TOO_LONG})
    items = submit(page, "Save scores", errors=len(criteria) + 1)
    assert items[-1] == "The comment must be 3,000 characters or fewer"
    assert not Review.objects.exists()


def test_deciding_an_application(page, staff_user, workspace):
    application = ApplicationFactory(in_review=True, workspaces=[workspace], desks=2)
    sign_in(page, staff_user.email)
    url = f"/dashboard/applications/{application.pk}/"
    visit(page, url)

    force(page, {"#offer_pool": "", "#offer_desks": "", "#offer_expires_in_days": ""})
    submit(page, "Offer desks", errors=3)
    force(
        page,
        {"#offer_pool": "999999", "#offer_desks": "lots", "#offer_expires_in_days": "0", "#offer_reason": TOO_LONG},
    )
    submit(page, "Offer desks", errors=4)
    # Fewer desks than asked for, without the reason the applicant is told, beside the other errors.
    force(page, {"#offer_pool": "999999", "#offer_desks": "1", "#offer_expires_in_days": "61", "#offer_reason": ""})
    items = submit(page, "Offer desks", errors=3)
    assert any("fewer desks than the 2 asked for" in item for item in items), items

    visit(page, url)
    submit(page, "Turn down", errors=1)
    force(page, {"#reject_reason": TOO_LONG})
    submit(page, "Turn down", errors=1)

    visit(page, url)
    force(page, {"#waitlist_reason": TOO_LONG})
    submit(page, "Put on the waiting list", errors=1)
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


def test_bulk_decisions_on_the_queue(page, staff_user, workspace):
    application = ApplicationFactory(submitted=True, workspaces=[workspace])
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/applications/")
    items = submit(page, "Apply to selected applications", errors=2)
    assert items == ["Select at least one application", "Choose what to do with the applications"]

    force(
        page,
        {
            f"input[name=applications][value='{application.pk}']": "²",
            "#bulk_action": "explode",
            "#bulk_reason": TOO_LONG,
        },
    )
    items = submit(page, "Apply to selected applications", errors=3)
    assert "²" in items[0] and items[1] == "Choose an action", items
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_ending_a_tenancy(page, staff_user, workspace):
    application = offered_application(staff=staff_user, workspace=workspace, start_on=timezone.localdate())
    tenancy = services.application_accept_offer(application=application, actor=application.applicant)
    sign_in(page, staff_user.email)
    url = f"/dashboard/tenancies/{tenancy.pk}/end/"

    visit(page, url)
    force(page, {"#id_ended_on_day": "31", "#id_ended_on_month": "2", "#id_ended_on_year": "20x6"})
    assert submit(page, "End tenancy", errors=1)[0].startswith("The end date must be a real date")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    force(
        page,
        {
            "#id_ended_on_day": str(tomorrow.day),
            "#id_ended_on_month": str(tomorrow.month),
            "#id_ended_on_year": str(tomorrow.year),
        },
    )
    submit(page, "End tenancy", errors=1)
    assert Tenancy.objects.get(pk=tenancy.pk).is_current

    # The only field may be left empty: it means today.
    force(page, {"#id_ended_on_day": "", "#id_ended_on_month": "", "#id_ended_on_year": ""})
    with page.expect_navigation():
        page.get_by_role("button", name="End tenancy").click()
    check_page(page)
    assert "Ended the tenancy" in page.locator(".govuk-notification-banner").inner_text()


def test_reporting_a_value(page, staff_user):
    indicator_catalogue_sync()
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/observations/new/")
    force(page, {"#id_indicator": ""})
    # indicator, area, period start and end
    submit(page, "Save value", errors=4)
    force(
        page,
        {
            "#id_indicator": "999999",
            "#id_geography": "999999",
            "#id_period_start_day": "31",
            "#id_period_start_month": "2",
            "#id_period_start_year": "2024",
            "#id_period_end_day": "x",
            "#id_period_end_month": "12",
            "#id_period_end_year": "2024",
            "#id_value": "about twelve",
            "#id_bound": "~",
            "#id_source_title": TOO_LONG,
            "#id_source_url": "not a web address",
            "#id_source_date": TOO_LONG,
        },
    )
    submit(page, "Save value", errors=9)
    assert Observation.objects.count() == 0
