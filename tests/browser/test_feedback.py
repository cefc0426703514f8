"""The feedback page in Chromium, with JavaScript on (axe-core) and off: reached from the phase
banner, every error listed at once, then the thank-you page after the report is stored."""

import pytest

from portal.models import Feedback
from tests.browser.conftest import check_page, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.mark.parametrize("javascript", [True, False])
def test_reporting_a_problem_from_the_phase_banner(make_page, javascript):
    page = make_page(javascript=javascript)
    visit(page, "/workspaces/")
    with page.expect_navigation():
        page.get_by_role("link", name="tell us about the problem").click()
    check_page(page, "Tell us about a problem")

    page.get_by_label("Email address (optional)").fill("not-an-address")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    check_page(page, "Error: Tell us about a problem")
    summary = page.locator(".govuk-error-summary").inner_text()
    for message in ["Tell us what you were doing", "Tell us what went wrong", "Enter an email address"]:
        assert message in summary

    page.get_by_label("What were you doing?").fill("Looking for a workspace")
    page.get_by_label("What went wrong?").fill("The map did not load")
    page.get_by_label("Email address (optional)").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    check_page(page, "Thank you for your feedback")
    assert page.url.endswith("/feedback/thank-you/")
    feedback = Feedback.objects.get()
    assert (feedback.problem, feedback.page) == ("The map did not load", "/workspaces/")
