"""Where a person is signed in (allauth.usersessions with the portal's pages): each session is
listed for its owner only, and signing one out ends it at once, on its own next request."""

import pytest
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from portal import selectors
from portal.middleware import UserSessionsMiddleware
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SESSIONS = reverse("usersessions_list")
SIGNED_IN_PAGE = reverse("portal:account-data")


def signed_in(user, user_agent: str = "Browser A") -> Client:
    """A browser of its own, signed in as ``user`` through the sign-in page (a founder: no second
    factor), which records its session."""
    browser = Client(HTTP_USER_AGENT=user_agent)
    response = browser.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    assert browser.get(SIGNED_IN_PAGE).status_code == 200
    return browser


def session_of(browser: Client) -> UserSession:
    return UserSession.objects.get(session_key=browser.session.session_key)


def test_signing_in_records_the_session(founder_user):
    browser = signed_in(founder_user, "Firefox on a laptop")
    session = session_of(browser)
    assert (session.user, session.user_agent, session.ip) == (founder_user, "Firefox on a laptop", "127.0.0.1")


def test_the_page_lists_each_session_of_its_owner_only(founder_user, make_user):
    laptop = signed_in(founder_user, "Laptop browser")
    signed_in(founder_user, "Phone browser")
    signed_in(make_user("founder", mfa=False), "Someone else's browser")

    response = laptop.get(SESSIONS)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Laptop browser" in page and "Phone browser" in page
    assert "Someone else&#x27;s browser" not in page and "Someone else's browser" not in page
    assert page.count('class="govuk-summary-card"') == 2
    assert "This browser" in page and "Sign out all other sessions" in page
    assert "None" not in page


def test_signing_out_another_session_ends_it_on_its_next_request(founder_user):
    laptop = signed_in(founder_user, "Laptop browser")
    phone = signed_in(founder_user, "Phone browser")
    phone_session = session_of(phone)

    response = laptop.post(reverse("portal:session-end", args=[phone_session.pk]))
    assert response.status_code == 303 and response["Location"] == SESSIONS
    assert not UserSession.objects.filter(pk=phone_session.pk).exists()
    assert "That session is signed out" in laptop.get(SESSIONS).content.decode()

    after = phone.get(SIGNED_IN_PAGE)
    assert after.status_code == 302 and after["Location"].startswith(reverse("account_login"))
    assert laptop.get(SIGNED_IN_PAGE).status_code == 200  # the laptop is still signed in


def test_signing_out_every_other_session_at_once(founder_user):
    laptop = signed_in(founder_user, "Laptop browser")
    others = [signed_in(founder_user, f"Browser {n}") for n in range(3)]

    response = laptop.post(SESSIONS)
    assert response.status_code == 303
    assert "Your other sessions are signed out." in laptop.get(SESSIONS).content.decode()
    for other in others:
        assert other.get(SIGNED_IN_PAGE).status_code == 302
    assert laptop.get(SIGNED_IN_PAGE).status_code == 200
    assert list(UserSession.objects.filter(user=founder_user)) == [session_of(laptop)]


def test_another_persons_session_is_a_404_and_stays(founder_user, make_user):
    mine = signed_in(founder_user)
    theirs = signed_in(make_user("founder", mfa=False))
    response = mine.post(reverse("portal:session-end", args=[session_of(theirs).pk]))
    assert response.status_code == 404
    assert theirs.get(SIGNED_IN_PAGE).status_code == 200


def test_an_ended_session_is_a_404(founder_user):
    laptop = signed_in(founder_user)
    phone = signed_in(founder_user)
    pk = session_of(phone).pk
    assert laptop.post(reverse("portal:session-end", args=[pk])).status_code == 303
    assert laptop.post(reverse("portal:session-end", args=[pk])).status_code == 404


def test_signing_out_this_session_goes_to_the_sign_out_page(founder_user):
    laptop = signed_in(founder_user)
    response = laptop.post(reverse("portal:session-end", args=[session_of(laptop).pk]))
    assert response.status_code == 303 and response["Location"] == reverse("account_logout")
    assert laptop.get(SIGNED_IN_PAGE).status_code == 200  # nothing ended until they confirm


def test_signed_out_visitors_are_sent_to_sign_in(client, founder_user):
    laptop = signed_in(founder_user)
    for response in (client.get(SESSIONS), client.post(reverse("portal:session-end", args=[session_of(laptop).pk]))):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert laptop.get(SIGNED_IN_PAGE).status_code == 200


def test_a_session_from_before_a_password_change_is_not_listed(founder_user):
    laptop = signed_in(founder_user)
    old_phone = signed_in(founder_user)
    founder_user.set_password("a-new-and-long-password")
    founder_user.save(update_fields=["password"])
    assert selectors.user_session_list(founder_user) == []  # neither signs anyone in any more
    assert old_phone.get(SIGNED_IN_PAGE).status_code == 302
    assert laptop.get(SIGNED_IN_PAGE).status_code == 302


def test_the_list_runs_the_same_queries_for_many_sessions(founder_user, count_queries):
    laptop = signed_in(founder_user)
    laptop.get(SESSIONS)
    with count_queries() as few:
        assert laptop.get(SESSIONS).status_code == 200
    for n in range(12):
        signed_in(founder_user, f"Browser {n}")
    with count_queries() as many:
        response = laptop.get(SESSIONS)
    assert response.status_code == 200 and response.content.decode().count('class="govuk-summary-card"') == 13
    assert many.count == few.count, [q["sql"] for q in many.captured_queries]


def test_activity_is_written_at_most_once_a_minute_per_session(founder_user, count_queries, monkeypatch):
    laptop = signed_in(founder_user)
    session = session_of(laptop)
    with count_queries() as again:
        laptop.get(reverse("portal:accessibility"), HTTP_USER_AGENT="Browser A, updated")
    assert not any("usersessions_usersession" in q["sql"] for q in again.captured_queries)
    session.refresh_from_db()
    assert session.user_agent == "Browser A"

    # A minute later the next request records the session's activity again.
    monkeypatch.setattr(UserSessionsMiddleware, "INTERVAL", 0.0)
    laptop.get(reverse("portal:accessibility"), HTTP_USER_AGENT="Browser A, updated")
    session.refresh_from_db()
    assert session.user_agent == "Browser A, updated" and session.last_seen_at > session.created_at


def test_a_session_signed_in_before_sessions_were_recorded_is_listed_once_seen_again(founder_user, monkeypatch):
    browser = Client(HTTP_USER_AGENT="Old browser")
    browser.force_login(founder_user)  # no sign-in page, so nothing recorded it
    monkeypatch.setattr(UserSessionsMiddleware, "INTERVAL", 0.0)
    browser.get(SIGNED_IN_PAGE)
    assert not UserSession.objects.filter(user=founder_user).exists()
    browser.get(SIGNED_IN_PAGE)
    assert session_of(browser).user_agent == "Old browser"
