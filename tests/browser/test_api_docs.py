"""The API documentation page in Chromium: Swagger UI draws every operation under the portal's own
Content-Security-Policy with no violation and no console message, and passes axe-core (WCAG 2.2
A/AA) closed, with every operation and schema open, after a request is tried, and in its dialog."""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Installed before any script of the page runs, so a violation by its very first script counts.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def docs_page(make_page, live_server):
    """A page that records every console message, script error, CSP violation and the origin of
    every request it makes."""
    page = make_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.messages, page.origins = [], set()
    page.on("console", lambda message: page.messages.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: page.messages.append(f"pageerror: {error}"))
    page.on("request", lambda request: page.origins.add(urlsplit(request.url)[:2]))
    return page


def open_docs(page) -> None:
    response = page.goto("/api/v1/docs/")
    assert response.status == 200
    policy = response.headers["content-security-policy"]
    assert "style-src 'self';" in f"{policy};" and "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    # Swagger UI has fetched the schema and drawn the operations.
    page.get_by_text("List organisations").first.wait_for()
    page.wait_for_load_state("networkidle")


def csp_violations(page) -> list[str]:
    return page.evaluate("window.cspViolations")


def test_docs_draw_every_operation_with_no_csp_violation_or_console_message(docs_page, live_server):
    open_docs(docs_page)
    assert docs_page.locator(".opblock").count() >= 20
    assert csp_violations(docs_page) == []
    assert docs_page.messages == []
    # Everything, Swagger UI's files included, came from the portal itself.
    assert docs_page.origins == {urlsplit(live_server.url)[:2]}
    assert docs_page.locator("html").get_attribute("lang") == "en-gb"
    assert docs_page.get_by_role("heading", level=1).all_inner_texts() == ["API documentation"]
    assert docs_page.get_by_role("main").count() == 1
    assert docs_page.title() == "API documentation – Tech Commissioner Portal"


OPENED = [
    "indicators-indicators_list",
    "investments-investments_retrieve",
    "organisations-organisations_create",
    "investments-investments_bulk_create",
    "investments-investments_partial_update",
    "webhook-subscriptions-webhook_subscriptions_destroy",
]


def test_docs_pass_axe_in_every_state_a_reader_reaches(docs_page, live_server):
    open_docs(docs_page)
    assert_accessible(docs_page)

    # An operation of every kind open, with its parameters, responses and examples: a list, a
    # read, a create with its example body, a bulk write, a partial update and a delete. (Every
    # operation is drawn from the same parts; opening all of them at once made a page that took
    # axe minutes to read.)
    for operation in OPENED:
        docs_page.locator(f"#operations-{operation} .opblock-summary-control").click()
    docs_page.locator(".opblock.is-open .responses-wrapper").first.wait_for()
    assert docs_page.locator(".opblock.is-open").count() == len(OPENED)
    # Off the last summary, whose copy button grows in while hovered, and its transition ended.
    docs_page.mouse.move(0, 0)
    docs_page.wait_for_function("() => document.getAnimations().length === 0")
    assert docs_page.locator(".opblock.is-open .body-param__example, .opblock.is-open .microlight").count() > 0
    assert_accessible(docs_page)

    # A request tried from the page: the fields become editable and the answer is shown.
    listing = docs_page.locator("#operations-indicators-indicators_list")
    listing.get_by_role("button", name="Try it out").click()
    listing.get_by_role("button", name="Execute").click()
    status = listing.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    assert_accessible(docs_page)

    # The dialog for a partner's client credentials.
    docs_page.get_by_role("button", name="Authorize").first.click()
    docs_page.locator(".modal-ux").wait_for()
    assert_accessible(docs_page)
    docs_page.get_by_role("button", name="Close dialog").focus()
    docs_page.keyboard.press("Enter")
    docs_page.locator(".modal-ux").wait_for(state="detached")

    # The schemas, each opened one level.
    docs_page.locator("section.models").scroll_into_view_if_needed()
    for control in docs_page.locator("section.models button.model-box-control[aria-expanded=false]").all()[:10]:
        control.click()
    docs_page.locator("section.models .model-box .inner-object").first.wait_for()
    assert_accessible(docs_page)

    assert csp_violations(docs_page) == []
    # Chromium's "verbose" notes on the dialog's markup (a password field outside a form) are hints
    # to developers, not errors.
    assert [m for m in docs_page.messages if not m.startswith("verbose:")] == []
