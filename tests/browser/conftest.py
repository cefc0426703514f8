"""Browser harness: a live server driven by Playwright in Debian's Chromium, and an axe-core check."""

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
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def nojs_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def assert_accessible(page) -> None:
    """Fail with axe-core's report when the page has any WCAG 2.2 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def totp_now(secret: str = DEMO_TOTP_SECRET) -> str:
    import pyotp

    return pyotp.TOTP(secret).now()


def sign_in(page, email: str, password: str = PASSWORD, totp: bool = True) -> None:
    """Sign in through the real pages, answering the TOTP step when asked."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    if totp:
        page.get_by_label(re.compile("code", re.I)).fill(totp_now())
        page.get_by_role("button", name=re.compile("sign in|verify|confirm", re.I)).click()
    page.wait_for_load_state()
