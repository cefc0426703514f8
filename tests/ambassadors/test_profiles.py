"""Profiles: the ambassador edits their own (every error at once, 400; consent changes what is
public at once); staff change the term, pause, resume and retire; the portal's home and who may
reach it."""

import datetime
import html
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ambassadors import services
from ambassadors.models import Ambassador
from portal.roles import Role
from tests.ambassadors.factories import AmbassadorFactory

pytestmark = pytest.mark.django_db

HOME = reverse("ambassadors:home")
PROFILE = reverse("ambassadors:profile-edit")
DIRECTORY = reverse("ambassadors:directory")


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def detail_url(ambassador) -> str:
    return reverse("ambassadors:ambassador-detail", args=[ambassador.pk])


PROFILE_POST = {
    "country": "JP",
    "city": "Osaka",
    "sectors": ["fintech", "ai_data"],
    "expertise": "Payments",
    "languages": "Japanese, English",
    "bio": "Ran a payments start-up.",
    "public_profile": "true",
}


# Services ------------------------------------------------------------------------------------


def test_the_ambassador_updates_their_profile_and_sectors():
    ambassador = AmbassadorFactory(sectors=["software", "games"])
    services.ambassador_profile_update(
        ambassador=ambassador,
        actor=ambassador.user,
        data={"country": "JP", "city": " Osaka ", "public_profile": True},
        sectors=["games", "fintech"],
    )
    ambassador.refresh_from_db()
    assert (ambassador.country.code, ambassador.city, ambassador.public_profile) == ("JP", "Osaka", True)
    assert sorted(ambassador.sector_codes) == ["fintech", "games"]
    assert ambassador.public_profile_changed_at is not None


def test_the_profile_service_names_every_problem_at_once():
    ambassador = AmbassadorFactory()
    with pytest.raises(ValidationError) as error:
        services.ambassador_profile_update(
            ambassador=ambassador, actor=ambassador.user, data={"country": "XX"}, sectors=["non_tech"]
        )
    assert set(error.value.message_dict) == {"country", "sectors"}


def test_nobody_else_edits_a_profile_and_a_paused_ambassador_neither(staff_user):
    ambassador = AmbassadorFactory()
    other = AmbassadorFactory()
    for actor in (other.user, staff_user):
        with pytest.raises(PermissionDenied):
            services.ambassador_profile_update(
                ambassador=ambassador, actor=actor, data={"country": "FR"}, sectors=["software"]
            )
    paused = AmbassadorFactory(paused=True)
    with pytest.raises(PermissionDenied):
        services.ambassador_profile_update(
            ambassador=paused, actor=paused.user, data={"country": "FR"}, sectors=["software"]
        )


@pytest.mark.parametrize(
    ("start", "to", "allowed"),
    [
        ("active", "paused", True),
        ("paused", "active", True),
        ("active", "retired", True),
        ("paused", "retired", True),
        ("retired", "active", False),
        ("invited", "active", False),
        ("invited", "paused", False),
    ],
)
def test_staff_status_moves(staff_user, start, to, allowed):
    ambassador = AmbassadorFactory(**({start: True} if start != "active" else {}))
    if allowed:
        services.ambassador_status_change(ambassador=ambassador, actor=staff_user, to_status=to)
        ambassador.refresh_from_db()
        assert ambassador.status == to
    else:
        with pytest.raises(ValidationError):
            services.ambassador_status_change(ambassador=ambassador, actor=staff_user, to_status=to)


def test_retiring_ends_the_term_today(staff_user):
    ambassador = AmbassadorFactory(term_ends_on=timezone.localdate() + datetime.timedelta(days=300))
    services.ambassador_status_change(ambassador=ambassador, actor=staff_user, to_status="retired")
    ambassador.refresh_from_db()
    assert ambassador.term_ends_on == timezone.localdate()


def test_only_staff_change_status_and_term(ambassador_user):
    ambassador = AmbassadorFactory()
    with pytest.raises(PermissionDenied):
        services.ambassador_status_change(ambassador=ambassador, actor=ambassador.user, to_status="paused")
    with pytest.raises(PermissionDenied):
        services.ambassador_term_update(
            ambassador=ambassador, actor=ambassador.user, full_name="X", term_starts_on=None, term_ends_on=None
        )


# Pages: the ambassador -----------------------------------------------------------------------


def test_the_home_page_shows_the_profile_and_what_to_do_next(client):
    ambassador = AmbassadorFactory(country="", sectors=[])
    client.force_login(ambassador.user)
    response = client.get(HOME)
    assert response.status_code == 200
    page = text(response)
    assert f"Welcome, {ambassador.full_name}" in page
    assert "Your profile is not complete yet" in page and "Log an activity" in page
    assert "None" not in page


def test_a_paused_ambassador_reads_the_portal_but_cannot_change_anything(client):
    ambassador = AmbassadorFactory(paused=True)
    client.force_login(ambassador.user)
    response = client.get(HOME)
    assert response.status_code == 200 and "Your membership is paused" in text(response)
    assert "Log an activity" not in text(response)
    assert client.get(PROFILE).status_code == 403
    assert client.post(PROFILE, PROFILE_POST).status_code == 403


@pytest.mark.parametrize("who", ["retired", "founder", "staff", "ambassador-role-without-profile"])
def test_the_portal_refuses_everyone_else(client, make_user, who):
    if who == "retired":
        user = AmbassadorFactory(retired=True).user
    elif who == "ambassador-role-without-profile":
        user = make_user(Role.AMBASSADOR)
    else:
        user = make_user(who, mfa=who != Role.FOUNDER)
    client.force_login(user)
    assert client.get(HOME).status_code == 403
    assert client.get(PROFILE).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_an_ambassador_without_totp_is_sent_to_set_it_up(client):
    ambassador = AmbassadorFactory(user__totp=False)
    client.force_login(ambassador.user)
    assert client.get(HOME).url == reverse("mfa_activate_totp")


def test_the_profile_form_saves_and_redirects(client):
    ambassador = AmbassadorFactory()
    client.force_login(ambassador.user)
    response = client.post(PROFILE, PROFILE_POST)
    assert response.status_code == 302 and response.url == HOME
    ambassador.refresh_from_db()
    assert ambassador.country.code == "JP" and sorted(ambassador.sector_codes) == ["ai_data", "fintech"]
    assert "Your profile has been saved" in text(client.get(HOME))


def test_the_profile_form_reports_every_error_at_once(client):
    ambassador = AmbassadorFactory()
    client.force_login(ambassador.user)
    response = client.post(PROFILE, {"country": "XX", "sectors": ["nonsense"], "bio": "x" * 2001})
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page
    for message in ("Choose a country from the list", "Choose sectors from the list", "About you must be 2,000"):
        assert message in page
    ambassador.refresh_from_db()
    assert ambassador.country.code == "IN"


def test_withdrawing_consent_takes_the_profile_off_the_directory_at_once(client):
    ambassador = AmbassadorFactory(public=True)
    assert ambassador.full_name in text(client.get(DIRECTORY))  # cached now
    profile_page = reverse("ambassadors:directory-profile", args=[ambassador.pk])
    assert client.get(profile_page).status_code == 200
    client.force_login(ambassador.user)
    client.post(PROFILE, {**PROFILE_POST, "public_profile": ""})
    client.logout()
    assert ambassador.full_name not in text(client.get(DIRECTORY))
    assert client.get(profile_page).status_code == 404


# Pages: staff --------------------------------------------------------------------------------


def test_staff_see_an_ambassador_and_pause_them(client, staff_user):
    ambassador = AmbassadorFactory()
    client.force_login(staff_user)
    response = client.get(detail_url(ambassador))
    assert response.status_code == 200 and ambassador.full_name in text(response)
    assert "None" not in text(response)
    response = client.post(
        reverse("ambassadors:ambassador-status", args=[ambassador.pk]), {"status": "paused"}, follow=True
    )
    assert f"{ambassador.full_name} is now paused" in text(response)
    assert Ambassador.objects.get(pk=ambassador.pk).status == "paused"


def test_a_refused_status_move_is_a_clear_message(client, staff_user):
    ambassador = AmbassadorFactory(invited=True)
    client.force_login(staff_user)
    response = client.post(
        reverse("ambassadors:ambassador-status", args=[ambassador.pk]), {"status": "paused"}, follow=True
    )
    assert "cannot be made paused" in text(response)
    assert Ambassador.objects.get(pk=ambassador.pk).status == "invited"


def test_staff_change_the_term_and_errors_come_at_once(client, staff_user):
    ambassador = AmbassadorFactory()
    client.force_login(staff_user)
    url = reverse("ambassadors:ambassador-update", args=[ambassador.pk])
    assert client.get(url).status_code == 200
    bad = {
        "full_name": "",
        "term_starts_on_day": "1",
        "term_starts_on_month": "6",
        "term_starts_on_year": "2026",
        "term_ends_on_day": "31",
        "term_ends_on_month": "5",
        "term_ends_on_year": "2026",
    }
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "Enter the ambassador's full name" in text(response)
    assert "The term must end on or after the day it starts" in text(response)
    response = client.post(url, {**bad, "full_name": "New Name", "term_ends_on_month": "12"})
    assert response.status_code == 302 and response.url == detail_url(ambassador)
    ambassador.refresh_from_db()
    assert ambassador.full_name == "New Name" and ambassador.term_ends_on == datetime.date(2026, 12, 31)


@pytest.mark.parametrize("role", [Role.AMBASSADOR, Role.FOUNDER, Role.REVIEWER])
def test_other_roles_are_refused_the_staff_ambassador_pages(client, make_user, role):
    ambassador = AmbassadorFactory()
    client.force_login(make_user(role, mfa=role != Role.FOUNDER))
    assert client.get(detail_url(ambassador)).status_code == 403
    assert client.get(reverse("ambassadors:network-list")).status_code == 403
    status = client.post(reverse("ambassadors:ambassador-status", args=[ambassador.pk]), {"status": "retired"})
    assert status.status_code == 403
    assert Ambassador.objects.get(pk=ambassador.pk).status == "active"
