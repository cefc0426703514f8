"""Browser journeys in Chromium: every page passes axe-core (WCAG 2.2 A/AA) for every role."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.models import Organisation, PartnerCredential, User
from tests.browser.conftest import (
    PASSWORD,
    assert_accessible,
    focused_id,
    focused_text,
    sign_in,
    totp_now,
    type_into,
    visit,
)
from tests.portal.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PUBLIC_PAGES = [
    "/",
    "/accessibility/",
    "/privacy/",
    "/partners/getting-started/",
    "/data/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/no-such-page/",
]
ACCOUNT_PAGES = ["/accounts/email/", "/accounts/password/change/", "/accounts/2fa/", "/accounts/logout/"]
MFA_ACCOUNT_PAGES = [*ACCOUNT_PAGES, "/accounts/2fa/recovery-codes/"]
STAFF_PAGES = ["/", "/dashboard/", "/dashboard/api-credentials/", "/dashboard/partners/", *MFA_ACCOUNT_PAGES]


def test_home_introduces_the_five_missions(page):
    visit(page, "/")
    headings = page.get_by_role("heading", level=3).all_inner_texts()
    for name in ["Economy", "Inclusion", "Data", "Connectivity", "Public services"]:
        assert any(name in h for h in headings), headings
    assert page.title().endswith("Tech Commissioner Portal")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_accessible(page, path):
    visit(page, path, status=404 if path == "/no-such-page/" else 200)
    assert [e for e in page.console_errors if "404" not in e] == []


def test_skip_link_is_first_and_moves_focus_to_main(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert focused_text(page) == "Skip to main content"
    page.keyboard.press("Enter")
    assert focused_id(page) == "main-content"


def test_founder_signs_up_and_verifies_email_by_code(page):
    visit(page, "/accounts/signup/")
    page.get_by_label("Full name").fill("Ada Founder")
    page.get_by_label("Email").fill("ada@startup.example")
    page.get_by_label("Password", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label(re.compile("Password \\(again\\)|Confirm", re.I)).fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state("load")
    assert_accessible(page)

    assert len(mail.outbox) == 1
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.M).group(1)
    page.get_by_label(re.compile("code", re.I)).fill(code)
    page.get_by_role("button", name=re.compile("confirm", re.I)).click()
    page.wait_for_load_state("load")
    assert_accessible(page)

    user = User.objects.get(email="ada@startup.example")
    assert user.full_name == "Ada Founder"
    assert list(user.groups.values_list("name", flat=True)) == ["founder"]
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_sign_up_errors_are_listed_and_take_focus(page):
    visit(page, "/accounts/signup/")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")


def test_staff_signs_in_with_totp_and_reaches_the_dashboard(page, staff_user):
    visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(staff_user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state("load")
    assert_accessible(page)  # the TOTP step
    page.get_by_label(re.compile("code", re.I)).fill(totp_now())
    page.get_by_role("button", name=re.compile("sign in|verify|confirm", re.I)).click()
    page.wait_for_load_state("load")
    visit(page, "/dashboard/")
    assert page.get_by_role("heading", name="Programme dashboard").is_visible()


def test_staff_sign_in_refuses_a_wrong_code(page, staff_user):
    sign_in(page, staff_user.email, totp=False)
    page.get_by_label(re.compile("code", re.I)).fill("000000" if totp_now() != "000000" else "111111")
    page.get_by_role("button", name=re.compile("sign in|verify|confirm", re.I)).click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert page.locator(".govuk-error-message, .govuk-error-summary").first.is_visible()
    # Still signed out: the dashboard sends the user back to finish signing in.
    page.goto("/dashboard/")
    assert "/dashboard/" not in page.url


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_pages_are_accessible(page, staff_user, path):
    sign_in(page, staff_user.email)
    visit(page, path)


def test_staff_see_a_partner_with_its_clients_and_indicators(page, staff_user):
    from portal import services
    from tests.missions.factories import IndicatorFactory

    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Data Partner (browser)")
    services.partner_credential_create(organisation=partner, scopes=["read", "observations:write"], created_by=None)
    IndicatorFactory(code="M3-91", name="Open datasets published", owner=partner)
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/partners/", title="Partner organisations")
    page.get_by_role("link", name="Data Partner (browser)").click()
    assert_accessible(page)
    assert page.get_by_role("link", name=re.compile("M3-91")).is_visible()


def test_staff_without_totp_must_set_it_up_first(page, make_user):
    user = make_user("staff", mfa=False)
    sign_in(page, user.email, totp=False)
    page.goto("/dashboard/")
    page.wait_for_load_state("load")
    if "reauthenticate" in page.url:
        assert_accessible(page)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state("load")
    assert "/accounts/2fa/totp/activate/" in page.url
    assert_accessible(page)

    import pyotp

    secret = re.search(r"\b([A-Z2-7]{32})\b", page.content()).group(1)
    page.get_by_label(re.compile("code", re.I)).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Set up the authenticator app").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    visit(page, "/dashboard/")
    assert page.get_by_role("heading", name="Programme dashboard").is_visible()


@pytest.mark.parametrize("role", ["reviewer", "ambassador"])
def test_reviewer_and_ambassador_pages_are_accessible(page, make_user, role):
    user = make_user(role)
    sign_in(page, user.email)
    for path in ["/", *MFA_ACCOUNT_PAGES]:
        visit(page, path)
    visit(page, "/dashboard/", status=403)  # staff only: the refusal page passes axe too


def test_founder_pages_are_accessible_and_dashboard_is_refused(page, founder_user):
    sign_in(page, founder_user.email, totp=False)
    for path in ["/", *ACCOUNT_PAGES]:
        visit(page, path)
    response = page.goto("/dashboard/")
    assert response.status == 403
    assert_accessible(page)


def test_staff_issue_and_revoke_a_partner_credential(page, staff_user):
    OrganisationFactory(name="Coventry University", kind=Organisation.Kind.PARTNER, company_number="")
    sign_in(page, staff_user.email)
    visit(page, "/dashboard/api-credentials/")
    # The registry's organisations are suggested as staff type; the one picked is what is sent.
    type_into(page, "id_organisation", "Coventry Uni")
    suggestions = page.locator("#id_organisation_suggestions option")
    expect(suggestions).to_have_count(1)
    assert suggestions.get_attribute("value") == "Coventry University"
    page.get_by_label("Partner organisation").fill(suggestions.get_attribute("value"))
    page.get_by_label(re.compile("companies:write")).check()
    page.get_by_role("button", name="Create credential").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert "will not be shown again" in page.content()
    credential = PartnerCredential.objects.get(organisation__name="Coventry University")
    assert credential.scope_list == ["companies:write", "read"]

    # Its page, with the log of writes, and replacing its secret (every error first, then done).
    page.goto("/dashboard/api-credentials/")
    page.get_by_role("link", name=re.compile("its writes and secret")).click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert "This client has sent no writes yet" in page.content()
    page.get_by_role("link", name="Replace the secret").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    page.get_by_role("button", name="Replace the secret").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert "Choose how long the old secret keeps working" in page.get_by_role("alert").inner_text()
    page.get_by_label("For 24 hours").check()
    page.get_by_role("button", name="Replace the secret").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    assert "will not be shown again" in page.content()
    assert "The old secret keeps working until" in page.content()

    page.goto("/dashboard/api-credentials/")
    page.get_by_role("link", name=re.compile("Revoke")).click()
    page.wait_for_load_state("load")
    assert_accessible(page)  # the confirmation page
    page.get_by_role("button", name="Revoke the credential").click()
    page.wait_for_load_state("load")
    assert_accessible(page)
    credential.refresh_from_db()
    assert credential.revoked_at is not None


def test_admin_pages_are_reached_through_the_portal_sign_in(page, staff_user):
    staff_user.is_staff = True
    staff_user.is_superuser = True
    staff_user.save(update_fields=["is_staff", "is_superuser"])
    page.goto("/admin/")
    assert "/accounts/login/" in page.url
    sign_in(page, staff_user.email)
    page.goto("/admin/portal/organisation/")
    assert page.get_by_role("heading", name=re.compile("organisation", re.I)).first.is_visible()


def test_sign_in_works_without_javascript(nojs_page, founder_user):
    # axe needs JavaScript to run; this page is checked with it on in test_public_pages_are_accessible.
    nojs_page.goto("/accounts/login/")
    nojs_page.get_by_label("Email").fill(founder_user.email)
    nojs_page.get_by_label("Password").fill(PASSWORD)
    nojs_page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    nojs_page.wait_for_load_state("load")
    assert nojs_page.get_by_role("button", name="Sign out").is_visible()


def test_mobile_menu_opens_with_the_keyboard(make_page):
    page = make_page(viewport={"width": 375, "height": 800})
    page.goto("/")
    assert_accessible(page)
    menu = page.get_by_role("button", name="Menu")
    menu.focus()
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("link", name="Home").is_visible()
