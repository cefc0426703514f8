"""Browser harness: a live server driven by Playwright in Debian's Chromium, an axe-core check, and
the steps every browser test shares (visit and check a page, move by keyboard, sign in)."""

import os
import re
import shutil

import pytest

from tests.conftest import DEMO_TOTP_SECRET, require

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(scope="session")
def browser(django_db_setup):
    require(os.path.exists(CHROMIUM), "Chromium is not installed (apt-get install -y chromium)")
    from django.db import connection
    from playwright.sync_api import sync_playwright

    contents = getattr(connection, "_test_serialized_contents", None)
    with sync_playwright() as p:
        # Playwright's loop gives this thread a new context, in which Django hands out another
        # connection object: give it the serialized database that rollback tests restore from.
        if contents is not None:
            connection._test_serialized_contents = contents
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def make_page(browser, live_server):
    """make_page(javascript=True, **context_options) -> a new page in a browser context of its own
    (so its own cookies: one signed-in person per page). Every context opened is closed at the end.

    The page carries ``javascript_enabled``, ``console_errors`` (the text of every console error),
    ``error_documents`` (the URLs of pages the server answered with a 4xx or 5xx status) and
    ``unexpected_console_errors`` (every console error but the failed load of those pages)."""
    contexts = []

    def make(javascript: bool = True, **options):
        context = browser.new_context(base_url=live_server.url, java_script_enabled=javascript, **options)
        contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.javascript_enabled = javascript
        page.console_errors = []
        page.unexpected_console_errors = []
        page.error_documents = set()

        def on_response(response):
            if response.request.resource_type == "document" and response.status >= 400:
                page.error_documents.add(response.url)

        def on_console(message):
            if message.type != "error":
                return
            page.console_errors.append(message.text)
            # A page the server answered with an error status is reported as a failed load of the
            # document itself: the test asked for it. Anything else (a script, a style, an image
            # that failed, a script error) is not expected.
            if not (
                message.text.startswith("Failed to load resource")
                and (message.location or {}).get("url") in page.error_documents
            ):
                page.unexpected_console_errors.append(message.text)

        page.on("response", on_response)
        page.on("console", on_console)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    return make_page()


@pytest.fixture
def nojs_page(make_page):
    return make_page(javascript=False)


def assert_accessible(page) -> None:
    """Fail with axe-core's report when the page has any WCAG 2.2 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def check_page(page, title: str | re.Pattern | None = None, *, console_clean: bool = False) -> None:
    """The page has loaded (with ``title`` in its <title>, when given) and, where JavaScript is on,
    passes axe-core (which runs as JavaScript in the page; the same pages are checked in the runs
    with it on) and GOV.UK Frontend's JavaScript started: the CSP let the same-origin scripts run.
    No console error but the failed load of a page the server answered with an error status (a
    form sent back with errors answers 400; a missing page 404); with ``console_clean``, not even
    that, since the page opened."""
    page.wait_for_load_state("load")
    if isinstance(title, re.Pattern):
        assert title.search(page.title()), page.title()
    elif title is not None:
        assert title in page.title(), page.title()
    if page.javascript_enabled:
        assert_accessible(page)
        assert "govuk-frontend-supported" in page.evaluate("document.body.className"), page.console_errors
    assert page.unexpected_console_errors == [], page.console_errors
    if console_clean:
        assert page.console_errors == [], page.console_errors


def visit(
    page, path: str, status: int = 200, title: str | re.Pattern | None = None, *, console_clean: bool = False
) -> None:
    """Go to ``path``, which answers ``status``, and check the page as ``check_page`` does."""
    response = page.goto(path)
    page.wait_for_load_state("load")
    assert response.status == status, (path, response.status)
    check_page(page, title, console_clean=console_clean)


def focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent").strip()


def tab_to(page, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element has focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused_id(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


def press(page, target=None, key: str = "Enter") -> None:
    """Press ``key`` (on ``target`` first given focus, as a keyboard user moves to a link or
    button) and wait for the page it leads to."""
    if target is not None:
        target.focus()
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("load")


def type_into(page, field_id: str, text: str) -> None:
    """Give a field focus and type into it, key by key."""
    page.locator(f"#{field_id}").focus()
    page.keyboard.type(text)


def totp_now(secret: str = DEMO_TOTP_SECRET) -> str:
    import pyotp

    return pyotp.TOTP(secret).now()


def sign_in(page, email: str, password: str = PASSWORD, totp: bool = True) -> None:
    """Sign in through the real pages, answering the TOTP step when asked."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    # Wait for each answer to arrive: a goto racing the POST would leave the session half signed in.
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    if totp:
        for _ in range(2):  # a code typed as its 30 s ran out is refused: the next one is not
            page.get_by_label(re.compile("code", re.I)).fill(totp_now())
            with page.expect_navigation():
                page.get_by_role("button", name=re.compile("sign in|verify|confirm", re.I)).click()
            if "/2fa/authenticate/" not in page.url:
                break
    page.wait_for_load_state()


def sign_in_with_keyboard(page, email: str, password: str = PASSWORD, totp: bool = True) -> None:
    """Sign in as a keyboard user does: focus each field, type, press Enter; the sign-in and TOTP
    pages are checked with ``check_page`` (axe-core where JavaScript is on)."""
    visit(page, "/accounts/login/", title=re.compile("sign in", re.I))
    page.get_by_label("Email").focus()
    page.keyboard.type(email)
    page.get_by_label("Password").focus()
    page.keyboard.type(password)
    press(page)
    if totp:
        check_page(page)
        page.get_by_label(re.compile("code", re.I)).focus()
        page.keyboard.type(totp_now())
        press(page)
    check_page(page)
    assert page.get_by_role("button", name="Sign out").count() == 1, page.url
