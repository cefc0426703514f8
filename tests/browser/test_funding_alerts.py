"""A founder's funding journey in Chromium, by keyboard alone, with and without JavaScript: from
their applications page to the opportunities that fit their firm, then an alert saved; axe-core
finds no WCAG 2.2 A/AA violation on any page of it, on the alert pages, or on the unsubscribe
pages a digest links to; the pages fit a 320 px phone."""

import datetime

import pytest
from django.urls import reverse

from funding import alerts
from funding.models import Alert, Opportunity
from portal.models import LocalAuthority, Sector
from tests.browser.conftest import (
    assert_accessible,
    check_page,
    press,
    sign_in,
    sign_in_with_keyboard,
    tab_to,
    visit,
)
from tests.funding.factories import OpportunityFactory
from tests.portal.factories import FirmYearFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GRANT = "Inclusive fintech growth grant for small firms in Solihull and Coventry"


@pytest.fixture
def firm(founder_user):
    firm = OrganisationFactory(
        name="Ledger Lane Fintech Ltd",
        members=[founder_user],
        sector=Sector.FINTECH,
        local_authority=LocalAuthority.SOLIHULL,
        founded_on=datetime.date(2021, 3, 1),
    )
    FirmYearFactory(organisation=firm, year=2024, employees=9)
    OpportunityFactory(
        title=GRANT,
        sectors=[Sector.FINTECH],
        boroughs=[LocalAuthority.SOLIHULL, LocalAuthority.COVENTRY],
        stages=["revenue"],
        firm_age_max_years=10,
        headcount_max=50,
    )
    OpportunityFactory(title="Founders' rolling loan", kind=Opportunity.Kind.LOAN, is_rolling=True)
    OpportunityFactory(title="Games prototype prize", kind=Opportunity.Kind.PRIZE, sectors=[Sector.GAMES])
    return firm


def listed(page) -> list[str]:
    return page.locator("main li h3").all_inner_texts()


def journey(page, founder_user) -> None:
    """Sign in, find the grant that fits, read why, and save an alert for fintech grants about
    inclusion: every step by keyboard."""
    sign_in_with_keyboard(page, founder_user.email, totp=False)
    assert page.url.endswith(reverse("workspaces:application-list"))
    press(page, page.get_by_role("link", name="See the funding opportunities that fit your firm"))
    check_page(page, "Funding that fits Ledger Lane Fintech Ltd")
    found = listed(page)
    assert GRANT in found
    assert "Games prototype prize" not in found
    reasons = page.locator("main").inner_text()
    for reason in ["For fintech firms", "For firms in Solihull", "Firms with up to 50 staff: yours has 9 (2024)"]:
        assert reason in reasons
    assert "Check" in reasons  # no workspace application: the stage rule is one to check

    press(page, page.get_by_role("link", name=GRANT))
    check_page(page, "Inclusive fintech growth grant")
    page.go_back()
    page.wait_for_load_state("load")

    press(page, page.get_by_role("link", name="Get an email when new opportunities come up").first)
    check_page(page, "Add a funding alert")
    assert page.locator("#id_sector").input_value() == "fintech"  # carried over from the firm
    tab_to(page, "id_kinds_0", limit=40)  # Grant
    page.keyboard.press("Space")
    tab_to(page, "id_words", limit=12)
    page.keyboard.type("inclusion")
    assert page.locator("#id_is_active").is_checked()
    press(page, page.get_by_role("button", name="Save alert"))
    check_page(page, "Your funding alerts")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "Saved your alert: Grants for fintech firms, with the words “inclusion”." in banner
    alert = Alert.objects.get(user=founder_user)
    assert (alert.kinds, alert.sector, alert.words, alert.is_active) == (["grant"], "fintech", "inclusion", True)


def test_a_founder_finds_a_matching_opportunity_and_subscribes_by_keyboard(page, founder_user, firm):
    journey(page, founder_user)


def test_the_same_journey_without_javascript(nojs_page, founder_user, firm):
    journey(nojs_page, founder_user)


def test_the_alert_form_reports_errors_accessibly_and_the_alert_pages_pass_axe(page, founder_user, firm):
    alerts.alert_create(user=founder_user, data={"kinds": ["grant"], "sector": "fintech"})
    sign_in(page, founder_user.email, totp=False)
    visit(page, reverse("funding:alert-create"), title="Add a funding alert")
    page.select_option("#id_sector", "fintech")
    page.check("#id_kinds_0")
    with page.expect_navigation():
        page.get_by_role("button", name="Save alert").click()
    page.wait_for_load_state("load")
    assert page.title().startswith("Error:")
    summary = page.locator(".govuk-error-summary").inner_text()
    assert "You already have an alert with these choices" in summary
    assert_accessible(page)
    alert = Alert.objects.get(user=founder_user)
    visit(page, reverse("funding:alert-list"), title="Your funding alerts")
    visit(page, reverse("funding:alert-update", args=[alert.pk]), title="Change your alert")
    visit(page, reverse("funding:alert-delete", args=[alert.pk]), title="Delete your alert")
    press(page, page.get_by_role("button", name="Delete alert"))
    check_page(page, "Your funding alerts")
    assert not Alert.objects.filter(user=founder_user).exists()


def test_a_founder_with_no_firm_gets_an_accessible_next_step(page, founder_user):
    sign_in(page, founder_user.email, totp=False)
    visit(page, reverse("funding:match-list"), title="Funding that fits your firm")
    assert "Your account is not linked to a firm yet" in page.locator("main").inner_text()


@pytest.mark.parametrize("javascript", [True, False])
def test_unsubscribing_signed_out_by_keyboard(make_page, founder_user, javascript):
    alerts.alert_create(user=founder_user, data={"sector": "fintech"})
    page = make_page(javascript=javascript)
    token = alerts.alert_unsubscribe_token(user=founder_user)
    visit(page, reverse("funding:alert-unsubscribe", args=[token]), title="Stop funding alert emails")
    assert Alert.objects.get(user=founder_user).is_active  # opening the link changes nothing
    press(page, page.get_by_role("button", name="Unsubscribe"))
    check_page(page, "You have unsubscribed")
    assert not Alert.objects.get(user=founder_user).is_active
    visit(page, reverse("funding:alert-unsubscribe", args=[token[:-2] + "xx"]), status=400)
    assert "This unsubscribe link does not work" in page.locator("h1").inner_text()


def test_the_pages_fit_a_phone(make_page, founder_user, firm):
    alerts.alert_create(user=founder_user, data={"kinds": ["grant", "loan", "prize"], "sector": "fintech"})
    page = make_page(viewport={"width": 320, "height": 800})
    sign_in(page, founder_user.email, totp=False)
    for path in [reverse("funding:match-list"), reverse("funding:alert-list"), reverse("funding:alert-create")]:
        visit(page, path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
