"""allauth's account and two-factor pages in Chromium at 320 px: each page a user can reach, as
that user, in the portal layout with axe-core clean, no "None" and no sideways scroll; the
password-change and authenticator set-up forms list every error at once."""

import re

import pyotp
import pytest
from django.core import mail

from tests.browser.conftest import PASSWORD, check_page, sign_in, totp_now, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"viewport": {"width": 320, "height": 800}}


def fits_and_reads(page) -> None:
    """No word "None" on the page and nothing past a 320 px screen."""
    assert "None" not in page.evaluate("document.body.innerText"), page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, page.url


def account_page(page, path: str, title: str, status: int = 200) -> None:
    visit(page, path, status=status, title=title)
    assert page.get_by_role("heading", level=1).first.inner_text() == title
    fits_and_reads(page)


def submit(page, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    page.wait_for_load_state("load")


def summary_items(page) -> list[str]:
    return [text.strip() for text in page.locator(".govuk-error-summary__list li").all_inner_texts()]


def confirm_with_password(page) -> None:
    """Answer "Confirm it is you" with the password (a code already used to sign in cannot be
    used twice in its 30 seconds)."""
    if "/2fa/reauthenticate/" in page.url:
        with page.expect_navigation():
            page.get_by_role("link", name="Confirm with your password").click()
    check_page(page, "Confirm it is you")
    fits_and_reads(page)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page, "Continue")


def test_a_founders_account_pages(make_page, founder_user):
    page = make_page(**PHONE)
    sign_in(page, founder_user.email, totp=False)
    account_page(page, "/accounts/email/", "Your email addresses")
    account_page(page, "/accounts/password/change/", "Change your password")
    account_page(page, "/accounts/2fa/", "Two-factor authentication")
    account_page(page, "/accounts/logout/", "Sign out")

    # Adding an address leads to its confirmation by code.
    visit(page, "/accounts/email/")
    page.get_by_label("Email address").fill("a-rather-long-second-address@startup-with-a-long-name.example")
    submit(page, "Add the email address")
    check_page(page, "Confirm your email address")
    fits_and_reads(page)
    page.get_by_label("Confirmation code").fill("WRONG-CODE")
    submit(page, "Confirm email address")
    check_page(page, "Error: Confirm your email address")
    assert summary_items(page) == ["Confirmation code: The code is not correct: check the email we sent you"]
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    page.get_by_label("Confirmation code").fill(code)
    submit(page, "Confirm email address")
    check_page(page)
    assert "You have confirmed a-rather-long-second-address" in page.content()
    assert founder_user.emailaddress_set.filter(verified=True).count() == 2

    # Setting up the authenticator app asks to confirm it is you first.
    visit(page, "/accounts/2fa/")
    with page.expect_navigation():
        page.get_by_role("button", name="Set up the authenticator app").click()
    confirm_with_password(page)
    check_page(page, "Set up the authenticator app")
    fits_and_reads(page)


def test_password_change_lists_every_error_at_once(make_page, founder_user):
    page = make_page(**PHONE)
    sign_in(page, founder_user.email, totp=False)
    visit(page, "/accounts/password/change/")

    submit(page, "Change password")
    check_page(page, "Error: Change your password")
    fits_and_reads(page)
    assert summary_items(page) == [
        "Current password: Enter your current password",
        "New password: Enter a new password",
        "Confirm new password: Confirm your new password",
    ]

    page.get_by_label("Current password").fill("not-my-password")
    page.get_by_label("New password", exact=True).fill("12345678")
    page.get_by_label("Confirm new password").fill("87654321")
    submit(page, "Change password")
    check_page(page, "Error: Change your password")
    items = summary_items(page)
    assert items[0] == "Current password: Your current password is not correct"
    assert "New password: This password is entirely numeric." in items
    assert items[-1] == "Confirm new password: Enter the same new password in both boxes"

    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a-new-long-passphrase")
    page.get_by_label("Confirm new password").fill("a-new-long-passphrase")
    submit(page, "Change password")
    check_page(page)
    assert "/accounts/password/change/" in page.url  # a GET after the redirect
    assert "Your password has been changed." in page.content()


def test_authenticator_set_up_lists_its_error_then_turns_on(make_page, founder_user):
    page = make_page(**PHONE)
    sign_in(page, founder_user.email, totp=False)
    page.goto("/accounts/2fa/totp/activate/")
    confirm_with_password(page)
    check_page(page, "Set up the authenticator app")
    secret = page.locator("code.portal-secret").inner_text()

    submit(page, "Set up the authenticator app")
    check_page(page, "Error: Set up the authenticator app")
    fits_and_reads(page)
    assert summary_items(page) == ["Code from your authenticator app: Enter the code from your authenticator app"]

    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    page.get_by_label("Code from your authenticator app").fill(wrong)
    submit(page, "Set up the authenticator app")
    check_page(page, "Error: Set up the authenticator app")
    assert summary_items(page) == [
        "Code from your authenticator app: The code is not correct: enter the code your authenticator app shows now"
    ]

    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    submit(page, "Set up the authenticator app")
    check_page(page)
    assert "Two-factor authentication is on" in page.content()
    assert founder_user.authenticator_set.filter(type="totp").exists()


def test_two_factor_pages_of_staff(make_page, staff_user):
    page = make_page(**PHONE)
    sign_in(page, staff_user.email)
    account_page(page, "/accounts/2fa/", "Two-factor authentication")

    page.goto("/accounts/2fa/reauthenticate/")
    check_page(page, "Confirm it is you")
    fits_and_reads(page)
    assert page.get_by_label("Code from your authenticator app").count() == 1

    page.goto("/accounts/2fa/recovery-codes/")
    confirm_with_password(page)
    check_page(page, "Your recovery codes")
    fits_and_reads(page)
    codes = page.locator(".portal-code li").all_inner_texts()
    assert len(codes) == 10

    download = page.request.get("/accounts/2fa/recovery-codes/download/")
    assert download.status == 200 and all(code in download.text() for code in codes)

    account_page(page, "/accounts/2fa/recovery-codes/generate/", "Make new recovery codes")
    submit(page, "Make new recovery codes")
    check_page(page, "Your recovery codes")
    assert not set(codes) & set(page.locator(".portal-code li").all_inner_texts())

    # Staff must keep the authenticator app: the page says why, with no button to turn it off.
    account_page(page, "/accounts/2fa/totp/deactivate/", "Turn off two-factor authentication")
    assert "Your role must sign in with two-factor authentication" in summary_items(page)[0]
    assert page.get_by_role("button", name="Turn off two-factor authentication").count() == 0
    assert staff_user.authenticator_set.filter(type="totp").exists()


def test_a_founder_with_the_app_may_turn_it_off(make_page, make_user):
    founder = make_user("founder", mfa=True)
    page = make_page(**PHONE)
    sign_in(page, founder.email)
    page.goto("/accounts/2fa/totp/deactivate/")
    confirm_with_password(page)
    check_page(page, "Turn off two-factor authentication")
    fits_and_reads(page)
    submit(page, "Turn off two-factor authentication")
    check_page(page, "Two-factor authentication")
    assert "Two-factor authentication is off" in page.content()
    assert not founder.authenticator_set.filter(type="totp").exists()


def test_the_sign_in_code_step(make_page, staff_user):
    page = make_page(**PHONE)
    sign_in(page, staff_user.email, totp=False)
    check_page(page, "Enter your sign-in code")
    fits_and_reads(page)
    submit(page, "Sign in")
    check_page(page, "Error: Enter your sign-in code")
    assert summary_items(page) == ["Code from your authenticator app: Enter the code from your authenticator app"]
    page.get_by_label("Code from your authenticator app").fill(totp_now())
    submit(page, "Sign in")
    assert page.url.endswith("/dashboard/")


def test_resetting_a_forgotten_password(make_page, founder_user):
    page = make_page(**PHONE)
    account_page(page, "/accounts/password/reset/", "Reset your password")
    page.get_by_label("Email address").fill(founder_user.email)
    submit(page, "Send the reset link")
    check_page(page, "Check your email")
    assert page.url.endswith("/accounts/password/reset/done/")
    fits_and_reads(page)

    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    check_page(page, "Choose a new password")
    fits_and_reads(page)
    submit(page, "Save the new password")
    check_page(page, "Error: Choose a new password")
    assert summary_items(page) == [
        "New password: Enter a new password",
        "Confirm new password: Confirm your new password",
    ]
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Confirm new password").fill("other")
    submit(page, "Save the new password")
    items = summary_items(page)
    assert len(items) == 2 and "too short" in items[0] and "same new password" in items[1], items

    page.get_by_label("New password", exact=True).fill("a-new-long-passphrase")
    page.get_by_label("Confirm new password").fill("a-new-long-passphrase")
    submit(page, "Save the new password")
    assert page.url.endswith("/accounts/password/reset/key/done/")
    account_page(page, "/accounts/password/reset/key/done/", "Your password has been changed")

    account_page(page, link, "This link does not work")  # used once, then gone
