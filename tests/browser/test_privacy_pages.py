"""A person's own data in Chromium at 320 px, with the keyboard: where they are signed in (and
signing another browser out), downloading their data, and deleting their account; each page
axe-clean, without "None" or sideways scrolling, and working without JavaScript."""

import json
import re
from pathlib import Path

import pytest

from portal.models import User
from tests.browser.conftest import (
    PASSWORD,
    check_page,
    focused_text,
    press,
    sign_in,
    sign_in_with_keyboard,
    tab_to,
    type_into,
    visit,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 320, "height": 800}}
LONG_BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 "
    "Safari/537.36 with-a-very-long-unbroken-suffix-that-must-wrap-on-a-small-screen"
)


def fits_and_reads(page) -> None:
    """No word "None" on the page and nothing past a 320 px screen."""
    assert "None" not in page.evaluate("document.body.innerText"), page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_signing_another_browser_out_with_the_keyboard(make_page, founder_user, javascript):
    laptop = make_page(javascript=javascript, **PHONE)
    phone = make_page(javascript=javascript, user_agent=LONG_BROWSER, **PHONE)
    sign_in_with_keyboard(laptop, founder_user.email, totp=False)
    sign_in(phone, founder_user.email, totp=False)

    visit(laptop, "/accounts/sessions/", title="Where you are signed in")
    fits_and_reads(laptop)
    assert laptop.locator(".govuk-summary-card").count() == 2
    assert laptop.get_by_text("This browser").count() == 1
    sign_out = laptop.get_by_role("button", name=re.compile(r"^Sign out the session signed in"))
    tab_to(laptop, sign_out.get_attribute("id"))
    press(laptop)
    check_page(laptop, "Where you are signed in")
    fits_and_reads(laptop)
    assert "That session is signed out" in laptop.content()
    assert laptop.locator(".govuk-summary-card").count() == 1

    phone.goto("/account/data/")
    assert "/accounts/login/" in phone.url  # its next request finds it signed out


def test_downloading_your_data(make_page, founder_user):
    page = make_page(**PHONE)
    sign_in_with_keyboard(page, founder_user.email, totp=False)
    visit(page, "/account/data/", title="Your data")
    fits_and_reads(page)
    assert page.get_by_role("link", name="Your data", exact=True).get_attribute("aria-current") == "page"
    tab_to(page, "download-data")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"]["email"] == founder_user.email


def test_deleting_your_account_with_the_keyboard(make_page, founder_user):
    page = make_page(**PHONE)
    sign_in_with_keyboard(page, founder_user.email, totp=False)
    visit(page, "/account/delete/", title="Delete your account")
    fits_and_reads(page)

    # A wrong password: the error summary takes focus and names the field; nothing is deleted.
    type_into(page, "id_password", "not-my-password")
    press(page)
    check_page(page, "Error: Delete your account")
    fits_and_reads(page)
    assert "The password is not correct" in page.locator(".govuk-error-summary").inner_text()
    assert User.objects.get(pk=founder_user.pk).deleted_at is None

    type_into(page, "id_password", PASSWORD)
    tab_to(page, "delete-account")
    assert focused_text(page) == "Delete my account"
    press(page)
    check_page(page, "Your account has been deleted")
    fits_and_reads(page)
    assert page.get_by_role("link", name="Sign in").count() == 1  # signed out
    assert User.objects.get(pk=founder_user.pk).deleted_at is not None


def test_the_last_member_of_staff_is_told_why_they_cannot_delete(make_page, staff_user):
    page = make_page(**PHONE)
    sign_in(page, staff_user.email)
    visit(page, "/account/delete/", title="Delete your account")
    fits_and_reads(page)
    assert "You are the only active member of staff" in page.content()
    assert page.get_by_role("button", name="Delete my account").count() == 0
