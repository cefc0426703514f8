"""The people pages of the ambassador network in Chromium, with the keyboard only and axe-core on
every page: staff invite; the invited person signs up from the link (no second verification mail),
sets up TOTP, completes the profile, logs an activity (which puts them in the public directory) and
refers a lead; staff record another credited to her by typing her name (her address suggested)
and take hers to landed; the ambassador sees the credit on "my impact"; after a KPI refresh the
relocation and jobs indicators count it. The same with JavaScript off. Every other page of the
people part passes axe, for each role, and the pages that refuse or explain pass it too."""

import datetime
import re

import pyotp
import pytest
from django.core import mail
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from ambassadors.models import Activity, Ambassador, Lead
from missions.catalogue import indicator_catalogue_sync
from missions.models import Observation, RefreshRun
from missions.services import refresh_run_start
from tests.ambassadors.factories import ActivityFactory, AmbassadorFactory, BriefingFactory, InvitationFactory
from tests.browser.conftest import check_page, press, sign_in, sign_in_with_keyboard, type_into, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "a-long-unusual-passphrase"


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def nav_link(page, label: str):
    return page.get_by_role("navigation", name="Menu").get_by_role("link", name=label, exact=True)


def tick(page, label: str) -> None:
    page.get_by_label(label, exact=True).focus()
    page.keyboard.press("Space")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_journey_from_invitation_to_a_landed_lead_that_the_indicators_count(make_page, javascript, staff_user):
    cache.clear()  # sign-up is rate limited per address; the other run signed up a moment ago

    # Staff invite by keyboard.
    staff = make_page(javascript=javascript)
    sign_in_with_keyboard(staff, staff_user.email)
    press(staff, nav_link(staff, "Ambassador network"))
    check_page(staff, "Ambassadors")
    press(staff, staff.get_by_role("button", name="Invite an ambassador"))
    check_page(staff, "Invite an ambassador")
    press(staff, button(staff, "Send the invitation"))  # empty: every error at once
    check_page(staff, "Error: Invite an ambassador")
    assert staff.locator(".govuk-error-summary li").count() == 2
    type_into(staff, "id_full_name", "Mei Chen")
    type_into(staff, "id_email", "mei@example.org")
    press(staff, button(staff, "Send the invitation"))
    check_page(staff, "Invitations")
    assert "Invited Mei Chen" in staff.locator("main").inner_text()
    link = re.search(r"http://\S+/ambassadors/invitations/\S+/", mail.outbox[-1].body).group(0)
    sent = len(mail.outbox)

    # The invited person opens the link, signs up and sets up TOTP.
    mei = make_page(javascript=javascript)
    mei.goto(link)
    check_page(mei, "Your invitation to join the ambassadors")
    press(mei, mei.get_by_role("button", name="Create your account"))
    check_page(mei, "Create an account")
    assert mei.locator("#id_email").input_value() == "mei@example.org"
    type_into(mei, "id_full_name", "Mei Chen")
    type_into(mei, "id_password1", PASSWORD)
    type_into(mei, "id_password2", PASSWORD)
    press(mei, mei.get_by_role("button", name="Create account"))
    check_page(mei)
    assert len(mail.outbox) == sent  # no verification mail: the link proved the address
    if "reauthenticate" in mei.url:
        type_into(mei, "id_password", PASSWORD)
        press(mei, mei.get_by_role("button", name="Continue"))
        check_page(mei)
    assert "/accounts/2fa/totp/activate/" in mei.url, mei.url
    secret = re.search(r"\b([A-Z2-7]{32})\b", mei.content()).group(1)
    mei.get_by_label(re.compile("code", re.I)).focus()
    mei.keyboard.type(pyotp.TOTP(secret).now())
    press(mei, mei.get_by_role("button", name="Set up the authenticator app"))
    check_page(mei)

    # Lands on the portal, completes the profile.
    mei.goto("/ambassadors/")
    check_page(mei, "Ambassador portal")
    assert "Your profile is not complete yet" in mei.locator("main").inner_text()
    press(mei, mei.get_by_role("link", name="Add your country and the sectors you cover"))
    check_page(mei, "Your profile")
    mei.locator("#id_country").focus()
    mei.keyboard.type("Singapore")
    assert mei.locator("#id_country").input_value() == "SG"
    type_into(mei, "id_city", "Singapore")
    tick(mei, "Fintech")
    tick(mei, "AI and data")
    type_into(mei, "id_expertise", "Payments and regulation")
    tick(mei, "Show my profile in the public directory")
    press(mei, button(mei, "Save your profile"))
    check_page(mei, "Ambassador portal")
    assert "Your profile has been saved" in mei.locator("main").inner_text()

    # Logs an activity: first with a mistake, then right.
    press(mei, mei.get_by_role("button", name="Log an activity"))
    check_page(mei, "Log an activity")
    press(mei, button(mei, "Log the activity"))
    check_page(mei, "Error: Log an activity")
    summary = mei.locator(".govuk-error-summary").inner_text()
    assert "Choose what kind of activity it was" in summary and "Enter the date of the activity" in summary
    tick(mei, "Investor meeting")
    day = timezone.localdate() - datetime.timedelta(days=1)
    type_into(mei, "id_occurred_on_day", str(day.day))
    type_into(mei, "id_occurred_on_month", str(day.month))
    type_into(mei, "id_occurred_on_year", str(day.year))
    type_into(mei, "id_place", "Marina Bay")
    type_into(mei, "id_reach", "12")
    press(mei, button(mei, "Log the activity"))
    check_page(mei, "Your activities")
    assert "Marina Bay" in mei.locator("main table").inner_text()

    ambassador = Ambassador.objects.get(user__email="mei@example.org")
    assert ambassador.status == "active" and ambassador.country.code == "SG" and ambassador.public_profile
    assert Activity.objects.get(ambassador=ambassador).kind == "investor_meeting"

    # The public directory shows her, and staff see her on the network list.
    public = make_page(javascript=javascript)
    visit(public, "/ambassadors/directory/?country=SG")
    press(public, public.get_by_role("link", name="Mei Chen"))
    check_page(public, "Mei Chen, ambassador")
    assert "Payments and regulation" in public.locator("main").inner_text()
    staff.goto("/dashboard/ambassadors/?country=SG")
    check_page(staff, "Ambassadors")
    assert "Mei Chen" in staff.locator("main table").inner_text()

    # She refers a lead.
    mei.goto("/ambassadors/leads/")
    check_page(mei, "Your leads")
    press(mei, mei.get_by_role("button", name="Refer a lead"))
    check_page(mei, "Refer a lead")
    type_into(mei, "id_name", "Marina Payments Pte Ltd")
    type_into(mei, "id_summary", "A European office for 25 engineers.")
    tick(mei, "Foreign direct investment")
    press(mei, button(mei, "Refer the lead"))
    check_page(mei, "Marina Payments Pte Ltd")
    lead = Lead.objects.get(name="Marina Payments Pte Ltd")
    assert lead.referred_by == ambassador and lead.stage == "referred"

    # Staff record a lead she brought by word of mouth, naming her by typing (with JavaScript her
    # address is suggested as they type her name; without, the name is found when it is sent).
    staff.goto("/dashboard/leads/new/")
    check_page(staff, "Record a lead")
    type_into(staff, "id_name", "Orchard Robotics Pte Ltd")
    type_into(staff, "id_referred_by", "Mei C")
    if javascript:
        expect(staff.locator("#id_referred_by_suggestions option")).to_have_count(1)
        assert staff.locator("#id_referred_by_suggestions option").get_attribute("value") == "mei@example.org"
    type_into(staff, "id_referred_by", "hen")
    press(staff, button(staff, "Record the lead"))
    check_page(staff, "Orchard Robotics Pte Ltd")
    assert Lead.objects.get(name="Orchard Robotics Pte Ltd").referred_by == ambassador

    # Staff qualify it and take it to landed, one stage at a time.
    landed_on = timezone.localdate() - datetime.timedelta(days=3)
    steps = [
        ("qualified", "Qualified", {"id_sector": "fintech", "id_origin_country": "SG"}, {}),
        (
            "active",
            "Active",
            {"id_owner": str(staff_user.pk)},
            {"id_expected_jobs": "25", "id_expected_capital": "2000000"},
        ),
        (
            "verify_win",
            "Verify win",
            {},
            {
                "id_new_jobs": "22",
                "id_safeguarded_jobs": "3",
                "id_capital_invested": "1800000",
                "id_landed_on_day": str(landed_on.day),
                "id_landed_on_month": str(landed_on.month),
                "id_landed_on_year": str(landed_on.year),
            },
        ),
        ("landed", "Landed", {}, {"id_company_number": "SC654321"}),
    ]
    for stage, label, choices, typed in steps:
        staff.goto(f"/dashboard/leads/{lead.pk}/")
        check_page(staff, lead.name)
        press(staff, staff.get_by_role("link", name=f"Move the lead to {label.lower()}"))
        check_page(staff, f"Move {lead.name} to {label.lower()}")
        for field, value in choices.items():
            staff.locator(f"#{field}").focus()
            staff.locator(f"#{field}").select_option(value)
        for field, value in typed.items():
            staff.locator(f"#{field}").fill("")
            type_into(staff, field, value)
        press(staff, button(staff, f"Move to {label.lower()}"))
        check_page(staff, lead.name)
        lead.refresh_from_db()
        assert lead.stage == stage
    assert lead.organisation.company_number == "SC654321"
    assert lead.changes.count() == 5  # referred, then the four moves, each with who and when

    # She sees the credit on "my impact".
    mei.goto("/ambassadors/impact/")
    check_page(mei, "Your impact")
    impact = mei.locator("main").inner_text()
    assert "Marina Payments Pte Ltd" in impact and "22" in impact and "1,800,000" in impact

    # After a KPI refresh the relocation and jobs indicators count it.
    indicator_catalogue_sync()
    refresh_run_start(trigger=RefreshRun.Trigger.STAFF)
    year = str(landed_on.year)
    landed = Observation.objects.get(indicator__code="M1-11", period_label=year, geography__code="E47000007")
    jobs = Observation.objects.get(indicator__code="M1-11J", period_label=year, geography__code="E47000007")
    assert (landed.value, jobs.value) == (1, 22)
    visit(public, "/indicators/M1-11J/")
    assert "22" in public.locator("main").inner_text()


@pytest.fixture
def network(staff_user):
    aiko = AmbassadorFactory(full_name="Aiko Tanaka", country="JP", sectors=["fintech", "software"], public=True)
    ActivityFactory(ambassador=aiko)
    BriefingFactory(title="Tokyo roadshow messages")
    invitation = InvitationFactory(email="new@example.org")
    return aiko, invitation


def test_public_directory_pages_are_accessible(page, network):
    aiko, _ = network
    visit(page, "/ambassadors/directory/")
    visit(page, f"/ambassadors/directory/{aiko.pk}/", title="Aiko Tanaka")
    visit(page, "/ambassadors/directory/?country=XX", status=400)
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    visit(page, f"/ambassadors/directory/{aiko.pk + 999}/", status=404)


def test_the_directory_filters_work_with_the_keyboard_alone(nojs_page, network):
    page = nojs_page
    visit(page, "/ambassadors/directory/")
    page.locator("#id_country").focus()
    page.keyboard.type("Japan")
    press(page, button(page, "Apply filters"))
    check_page(page, "Ambassadors")
    assert "country=JP" in page.url
    assert page.get_by_role("link", name="Aiko Tanaka").count() == 1


def test_staff_people_pages_are_accessible(page, staff_user, network):
    aiko, _ = network
    sign_in(page, staff_user.email)
    for path in [
        "/dashboard/ambassadors/",
        f"/dashboard/ambassadors/{aiko.pk}/",
        f"/dashboard/ambassadors/{aiko.pk}/edit/",
        "/dashboard/ambassadors/invitations/",
        "/dashboard/ambassadors/invitations/new/",
        "/dashboard/briefings/",
    ]:
        visit(page, path)
    visit(page, "/dashboard/ambassadors/?status=asleep", status=400)
    # Pausing is a button on the ambassador's page, pressed by keyboard.
    page.goto(f"/dashboard/ambassadors/{aiko.pk}/")
    press(page, page.get_by_role("button", name="Pause Aiko Tanaka"))
    check_page(page, "Aiko Tanaka")
    assert "Aiko Tanaka is now paused" in page.locator("main").inner_text()
    # The briefing form reports every error at once.
    page.goto("/dashboard/briefings/")
    press(page, button(page, "Publish the briefing"))
    check_page(page, "Error: Briefings for ambassadors")
    assert page.locator(".govuk-error-summary li").count() == 2


def test_ambassador_pages_are_accessible_and_refusals_pass_axe(page, network):
    aiko, _ = network
    other = ActivityFactory()
    sign_in(page, aiko.user.email)
    assert page.url.endswith("/ambassadors/"), page.url  # where an ambassador lands
    check_page(page, "Ambassador portal")
    activity = aiko.activities.get()
    for path in [
        "/ambassadors/profile/",
        "/ambassadors/activities/",
        "/ambassadors/activities/new/",
        f"/ambassadors/activities/{activity.pk}/edit/",
        "/ambassadors/briefings/",
    ]:
        visit(page, path)
    press(page, page.get_by_role("link", name="Tokyo roadshow messages"))
    check_page(page, "Tokyo roadshow messages")
    visit(page, f"/ambassadors/activities/{other.pk}/edit/", status=404)
    visit(page, "/dashboard/ambassadors/", status=403)


@pytest.mark.parametrize(
    ("change", "status"),
    [({"status": "revoked"}, 410), ({"expires_at": timezone.now() - datetime.timedelta(days=1)}, 410), ({}, 200)],
)
def test_invitation_pages_are_accessible(page, change, status):
    invitation = InvitationFactory(**change)
    visit(page, f"/ambassadors/invitations/{invitation.token}/", status=status)
    visit(page, "/ambassadors/invitations/no-such-token/", status=404)
