"""allauth's account and two-factor pages in the portal's words: each page a user can reach
renders in the portal layout with labels and no library wording, a form shown with errors answers
400 and lists every error in the summary, and POSTs that succeed redirect."""

import re

import pyotp
import pytest
from django.core import mail

PASSWORD = "correct-horse-battery-staple"
LIBRARY_WORDS = [
    "Sign In",
    "Sign Out",
    "Remember Me",
    "Change Password",
    "Email Addresses",
    "Make Primary",
    "Re-send Verification",
    "Add Email",
    "Confirm Access",
    "Two-Factor Authentication",
    "Authenticator App",
    "Activate",
    "Deactivate",
    "Recovery Codes",
    "Bad Token",
    "Please ",
    "placeholder=",
    "This field is required",
    "None",
]


def sign_in_and_confirm(client, user) -> None:
    """Sign in and confirm it is you with the password, as changing how you sign in asks."""
    client.force_login(user)
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:300]


def assert_portal_page(response, heading: str) -> str:
    page = response.content.decode()
    assert f'<h1 class="govuk-heading-l">{heading}</h1>' in page or f">{heading}</h1>" in page, page[:2000]
    assert "Tech Commissioner Portal" in page and 'id="main-content"' in page
    main = page.split('id="main-content"', 1)[1]
    assert [words for words in LIBRARY_WORDS if words in main] == []
    return main


def error_summary(page: str) -> str:
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert match, page[:3000]
    return match.group(0)


def test_email_addresses_page(client, founder_user):
    client.force_login(founder_user)
    main = assert_portal_page(client.get("/accounts/email/"), "Your email addresses")
    assert "Main address" in main and "Make it my main address" in main
    assert '<label class="govuk-label" for="id_email">Email address</label>' in main


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "Enter an email address"), ("not-an-address", "Enter an email address in the correct format")],
)
def test_adding_an_email_address_with_a_mistake_answers_400(client, founder_user, value, message):
    client.force_login(founder_user)
    response = client.post("/accounts/email/", {"action_add": "", "email": value})
    assert response.status_code == 400
    assert message in error_summary(response.content.decode())


def test_an_added_email_address_is_confirmed_by_code(client, founder_user):
    client.force_login(founder_user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "second@startup.example"})
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    main = assert_portal_page(client.get("/accounts/confirm-email/"), "Confirm your email address")
    assert "second@startup.example" in main and "Confirmation code" in main

    for code, message in [("", "Enter the code from the email"), ("WRONG-CODE", "The code is not correct")]:
        response = client.post("/accounts/confirm-email/", {"code": code})
        assert response.status_code == 400
        assert message in error_summary(response.content.decode())

    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    response = client.post("/accounts/confirm-email/", {"code": code})
    assert response.status_code == 302
    assert founder_user.emailaddress_set.get(email="second@startup.example").verified


def test_password_reset_from_request_to_done(client, founder_user):
    assert_portal_page(client.get("/accounts/password/reset/"), "Reset your password")
    response = client.post("/accounts/password/reset/", {"email": ""})
    assert response.status_code == 400
    assert "Enter the email address you sign in with" in error_summary(response.content.decode())

    response = client.post("/accounts/password/reset/", {"email": founder_user.email})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/done/"
    assert_portal_page(client.get(response["Location"]), "Check your email")

    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    response = client.get(link)
    assert response.status_code == 302  # allauth keeps the key in the session, off the address
    form_url = response["Location"]
    main = assert_portal_page(client.get(form_url), "Choose a new password")
    assert "Confirm new password" in main

    response = client.post(form_url, {"password1": "", "password2": ""})
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "Enter a new password" in summary and "Confirm your new password" in summary

    response = client.post(form_url, {"password1": "short", "password2": "different"})
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "too short" in summary and "Enter the same new password in both boxes" in summary

    response = client.post(form_url, {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/key/done/"
    assert_portal_page(client.get(response["Location"]), "Your password has been changed")


@pytest.mark.django_db
def test_a_broken_reset_link_says_so(client):
    assert_portal_page(client.get("/accounts/password/reset/key/1-broken/"), "This link does not work")


def test_password_change_lists_every_error_at_once(client, founder_user):
    client.force_login(founder_user)
    main = assert_portal_page(client.get("/accounts/password/change/"), "Change your password")
    for label in ["Current password", "New password", "Confirm new password"]:
        assert f">{label}</label>" in main

    response = client.post("/accounts/password/change/", {"oldpassword": "", "password1": "", "password2": ""})
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    for message in ["Enter your current password", "Enter a new password", "Confirm your new password"]:
        assert message in summary

    response = client.post(
        "/accounts/password/change/", {"oldpassword": "wrong", "password1": "12345678", "password2": "123"}
    )
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    for message in ["Your current password is not correct", "entirely numeric", "same new password in both"]:
        assert message in summary

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    founder_user.refresh_from_db()
    assert founder_user.check_password("a-new-long-passphrase")


def test_sign_out_page(client, founder_user):
    client.force_login(founder_user)
    assert_portal_page(client.get("/accounts/logout/"), "Sign out")
    response = client.post("/accounts/logout/")
    assert response.status_code == 302


def test_password_reauthentication(client, founder_user):
    client.force_login(founder_user)  # no recorded sign-in: changing how you sign in asks again
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    main = assert_portal_page(client.get(response["Location"]), "Confirm it is you")
    assert ">Password</label>" in main

    response = client.post("/accounts/reauthenticate/", {"password": ""})
    assert response.status_code == 400
    assert "Enter your password" in error_summary(response.content.decode())
    response = client.post("/accounts/reauthenticate/", {"password": "wrong"})
    assert response.status_code == 400
    assert "The password is not correct" in error_summary(response.content.decode())
    response = client.post("/accounts/reauthenticate/?next=/accounts/2fa/totp/activate/", {"password": PASSWORD})
    assert response.status_code == 302


def test_code_reauthentication(client, staff_user):
    client.force_login(staff_user)
    main = assert_portal_page(client.get("/accounts/2fa/reauthenticate/"), "Confirm it is you")
    assert "Code from your authenticator app" in main and "Confirm with your password" in main
    response = client.post("/accounts/2fa/reauthenticate/", {"code": ""})
    assert response.status_code == 400
    assert "Enter the code from your authenticator app" in error_summary(response.content.decode())


def test_two_factor_settings_without_and_with_the_app(client, founder_user, staff_user):
    client.force_login(founder_user)
    main = assert_portal_page(client.get("/accounts/2fa/"), "Two-factor authentication")
    assert "Set up the authenticator app" in main
    client.force_login(staff_user)
    main = assert_portal_page(client.get("/accounts/2fa/"), "Two-factor authentication")
    assert "Turn off two-factor authentication" in main and "You have 10 unused codes of 10" in main


def test_setting_up_the_authenticator_app_lists_errors_then_redirects(client, founder_user):
    sign_in_and_confirm(client, founder_user)
    main = assert_portal_page(client.get("/accounts/2fa/totp/activate/"), "Set up the authenticator app")
    secret = re.search(r'<code class="portal-secret">([A-Z2-7]{32})</code>', main).group(1)
    assert "Code from your authenticator app" in main

    for code, message in [("", "Enter the code from your authenticator app"), ("000000", "The code is not correct")]:
        response = client.post("/accounts/2fa/totp/activate/", {"code": code})
        assert response.status_code == 400
        assert message in error_summary(response.content.decode())

    response = client.post("/accounts/2fa/totp/activate/", {"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    assert founder_user.authenticator_set.filter(type="totp").exists()


def test_a_founder_may_turn_the_app_off(client, make_user):
    founder = make_user("founder", mfa=True)
    sign_in_and_confirm(client, founder)
    assert_portal_page(client.get("/accounts/2fa/totp/deactivate/"), "Turn off two-factor authentication")
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not founder.authenticator_set.filter(type="totp").exists()


def test_staff_cannot_turn_the_app_off(client, staff_user):
    sign_in_and_confirm(client, staff_user)
    page = client.get("/accounts/2fa/totp/deactivate/").content.decode()
    assert "Your role must sign in with two-factor authentication" in error_summary(page)
    assert 'type="submit"' not in page.split('id="main-content"', 1)[1]
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 400
    assert "Your role must sign in with two-factor authentication" in error_summary(response.content.decode())
    assert staff_user.authenticator_set.filter(type="totp").exists()


def test_recovery_codes_view_generate_and_download(client, staff_user):
    sign_in_and_confirm(client, staff_user)
    main = assert_portal_page(client.get("/accounts/2fa/recovery-codes/"), "Your recovery codes")
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", main)
    assert len(codes) == 10

    download = client.get("/accounts/2fa/recovery-codes/download/")
    assert download.status_code == 200 and download["Content-Type"].startswith("text/plain")
    text = download.content.decode()
    assert text.startswith("Tech Commissioner Portal: recovery codes for") and all(code in text for code in codes)

    main = assert_portal_page(client.get("/accounts/2fa/recovery-codes/generate/"), "Make new recovery codes")
    assert "Your 10 unused codes will stop working" in main
    response = client.post("/accounts/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    fresh = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert not set(codes) & set(re.findall(r"<li>([a-z0-9]{8})</li>", fresh))


def test_the_sign_in_code_step(client, staff_user):
    response = client.post("/accounts/login/", {"login": staff_user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    main = assert_portal_page(client.get("/accounts/2fa/authenticate/"), "Enter your sign-in code")
    assert "Code from your authenticator app" in main
    response = client.post("/accounts/2fa/authenticate/", {"code": ""})
    assert response.status_code == 400
    assert "Enter the code from your authenticator app" in error_summary(response.content.decode())


def test_the_sign_in_page_answers_400_with_every_error(client, founder_user):
    response = client.post("/accounts/login/", {"login": "", "password": ""})
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    assert "Enter an email address" in summary and "Enter your password" in summary


@pytest.mark.django_db
def test_the_sign_up_form_lists_every_error_at_once(client):
    response = client.post("/accounts/signup/", {})
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    for message in ["Enter your full name", "Enter an email address", "Enter a password", "Confirm your password"]:
        assert message in summary

    response = client.post(
        "/accounts/signup/",
        {"full_name": "x" * 201, "email": "not-an-address", "password1": "short", "password2": "other"},
    )
    assert response.status_code == 400
    summary = error_summary(response.content.decode())
    for message in [
        "Your name must be 200 characters or fewer",
        "Enter an email address in the correct format",
        "This password is too short",
        "Enter the same password in both boxes",
    ]:
        assert message in summary
    assert "You must type the same password" not in summary
