"""The review queue and review page in Chromium: axe-core finds no WCAG 2.2 A/AA violation for a
reviewer or for staff, a reviewer scores and staff make an offer with the keyboard alone, scoring
and a confirmed bulk turn-down work with JavaScript turned off, and the applicant reads the offer's
terms on an accessible page."""

import pytest

from tests.browser.conftest import (
    assert_accessible,
    check_page,
    focused_id,
    focused_text,
    press,
    sign_in,
    tab_to,
    visit,
)
from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory
from workspaces import selectors, services
from workspaces.models import Application, Criterion, DeskPool, DeskType, Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

QUEUE = "/dashboard/applications/"
SCORES = [4, 3, 5, 0, 2]


@pytest.fixture
def applications():
    """One application submitted, one in review, at a workspace with free fixed desks."""
    workspace = WorkspaceFactory(name="Innovation Hub", pools={DeskType.FIXED_DESK: 4})
    return {
        "submitted": ApplicationFactory(submitted=True, workspaces=[workspace], firm_name="Clinic Scheduler Ltd"),
        "in_review": ApplicationFactory(in_review=True, workspaces=[workspace], firm_name="Canal Robotics Ltd"),
    }


def criteria() -> list[Criterion]:
    return list(selectors.criterion_list())


def test_reviewer_scores_an_application_with_the_keyboard_only(page, reviewer_user, applications):
    application = applications["submitted"]
    sign_in(page, reviewer_user.email)
    visit(page, QUEUE)
    assert page.locator("input[name=applications]").count() == 0  # no bulk actions for reviewers
    press(page, page.get_by_role("link", name=application.reference))
    assert_accessible(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Clinic Scheduler Ltd"
    assert page.locator("input[name=decision]").count() == 0  # no decision controls for reviewers

    active = criteria()
    tab_to(page, f"id_criterion_{active[0].pk}")
    for value in SCORES[: len(active)]:
        page.keyboard.press("Space")  # choose 0, then move the choice right
        for _ in range(value):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")
    assert focused_id(page) == "id_comment"
    page.keyboard.type("Paying customers and a clear hiring plan.")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Save scores"
    press(page)
    assert (
        f"Your scores for {application.reference} are saved." in page.locator(".govuk-notification-banner").inner_text()
    )
    assert_accessible(page)

    review = Review.objects.get(application=application, reviewer=reviewer_user)
    assert {s.criterion_id: s.value for s in review.scores.all()} == {
        c.pk: v for c, v in zip(active, SCORES, strict=False)
    }
    assert review.comment == "Paying customers and a clear hiring plan."
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW


def test_score_errors_are_accessible_and_take_focus(page, reviewer_user, applications):
    application = applications["in_review"]
    sign_in(page, reviewer_user.email)
    visit(page, f"{QUEUE}{application.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Save scores").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    summary.get_by_role("link", name="Enter a comment explaining your scores").click()
    assert focused_id(page) == "id_comment"
    assert not Review.objects.exists()


def test_staff_make_an_offer_with_the_keyboard_only(page, staff_user, applications):
    application = applications["in_review"]
    sign_in(page, staff_user.email)
    visit(page, QUEUE)
    assert page.locator("input[name=applications]").count() == 2
    visit(page, f"{QUEUE}{application.pk}/")
    tab_to(page, "offer_pool")
    assert page.locator("#offer_pool option:checked").inner_text().startswith("Innovation Hub: 4 of 4")
    page.keyboard.press("Tab")
    assert focused_id(page) == "offer_desks"
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    assert focused_id(page) == "offer_expires_in_days"
    page.keyboard.press("Tab")
    page.keyboard.type("Welcome to the hub.")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Offer desks"
    press(page)
    assert "was offered 2 desks at Innovation Hub" in page.locator(".govuk-notification-banner").inner_text()
    assert_accessible(page)
    application.refresh_from_db()
    assert application.status == Application.Status.OFFERED
    assert application.offer_desks == 2


def test_staff_bulk_action_result_is_accessible(page, staff_user, applications):
    sign_in(page, staff_user.email)
    visit(page, QUEUE)
    page.get_by_label(f"Select {applications['submitted'].reference}").check()
    page.get_by_label(f"Select {applications['in_review'].reference}").check()
    page.get_by_label("Start the review").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to selected applications").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    banners = page.locator(".govuk-notification-banner").all_inner_texts()
    assert any("1 application moved to in review." in b for b in banners)
    assert any("is in review, so it cannot be moved to in review" in b for b in banners)


def test_scoring_works_without_javascript(nojs_page, reviewer_user, applications):
    application = applications["in_review"]
    page = nojs_page
    sign_in(page, reviewer_user.email)
    page.goto(f"{QUEUE}{application.pk}/")
    active = criteria()
    for criterion in active:
        page.locator(f"input[name=criterion_{criterion.pk}][value='3']").check()
    page.get_by_label("Comment").fill("Scored without JavaScript.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save scores").click()
    assert "Your scores for" in page.locator(".govuk-notification-banner").inner_text()
    review = Review.objects.get(application=application, reviewer=reviewer_user)
    assert review.total == 3 * sum(c.weight for c in active)


@pytest.mark.parametrize("javascript", [True, False])
def test_bulk_turn_down_is_confirmed_first(make_page, staff_user, applications, javascript):
    page = make_page(javascript=javascript)
    submitted = applications["submitted"]
    sign_in(page, staff_user.email)
    visit(page, QUEUE)
    page.get_by_label(f"Select {submitted.reference}").check()
    page.get_by_label("Turn down").check()
    page.get_by_label("Reason").fill("The round is full.")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to selected applications").click()
    check_page(page, "Turn down 1 application?")
    assert submitted.reference in page.locator("main").inner_text()
    assert "The round is full." in page.locator("main").inner_text()
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED  # nothing changes before confirming
    with page.expect_navigation():
        page.get_by_role("button", name="Turn down 1 application").click()
    check_page(page, "Review queue")
    assert "1 application turned down." in page.locator(".govuk-notification-banner").inner_text()
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.REJECTED


def test_the_applicant_reads_the_offers_terms_and_a_partial_offers_reason(make_page, staff_user, applications):
    application = applications["in_review"]
    application.desks = 3
    application.save(update_fields=["desks"])
    pool = DeskPool.objects.get(workspace=application.workspaces.get(), desk_type=DeskType.FIXED_DESK)
    staff = make_page()
    sign_in(staff, staff_user.email)
    visit(staff, f"{QUEUE}{application.pk}/")
    staff.locator("#offer_desks").fill("2")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Offer desks").click()
    check_page(staff)
    assert (
        "Enter why you are offering fewer desks than the 3 asked for"
        in staff.locator(".govuk-error-summary").inner_text()
    )
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW
    services.application_offer(
        application=application, actor=staff_user, pool=pool, desks=2, reason="the third desk is let until June."
    )

    founder = make_page()
    sign_in(founder, application.applicant.email, totp=False)
    visit(founder, f"/workspaces/applications/{application.pk}/")
    terms = founder.locator("#offer-terms").inner_text()
    for expected in [
        "Innovation Hub",
        "1 Example Street",
        "Fixed desk",
        "£300.00 a month",
        "First three months free",
        "12 months",
    ]:
        assert expected in terms, expected
    assert (
        "You asked for 3 desks; we can offer 2 because the third desk is let until June."
        in founder.locator("#offer-partial").inner_text()
    )
    visit(founder, f"/workspaces/applications/{application.pk}/respond/")
    assert "What accepting means" in founder.locator("main").inner_text()
