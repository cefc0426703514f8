"""Signing in through allauth's pages: each role lands on its own work, a safe ``next`` address
comes first, and the pages speak the portal's words."""

import pyotp
import pytest

from tests.conftest import DEMO_TOTP_SECRET

PASSWORD = "correct-horse-battery-staple"


def _sign_in(client, user, *, mfa: bool, next_url: str = "") -> str:
    """Sign in through the real views (the TOTP step when the user has one); the address the
    last answer redirects to."""
    login = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    data = {"login": user.email, "password": PASSWORD, **({"next": next_url} if next_url else {})}
    response = client.post(login, data)
    assert response.status_code == 302, response.content.decode()[:500]
    if mfa:
        assert response["Location"] == "/accounts/2fa/authenticate/"
        response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
        assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize(
    ("role", "mfa", "landing"),
    [
        ("staff", True, "/dashboard/"),
        ("reviewer", True, "/dashboard/applications/"),
        ("founder", False, "/workspaces/applications/"),
        ("ambassador", True, "/"),
        ("partner_admin", False, "/"),
    ],
)
def test_each_role_lands_on_its_own_page(client, make_user, role, mfa, landing):
    user = make_user(role, mfa=mfa)
    assert _sign_in(client, user, mfa=mfa) == landing
    assert client.get(landing).status_code == 200


def test_staff_who_also_review_land_on_the_dashboard(client, make_user):
    from portal.roles import Role, role_group

    user = make_user("staff")
    user.groups.add(role_group(Role.REVIEWER))
    assert _sign_in(client, user, mfa=True) == "/dashboard/"


def test_a_safe_next_address_comes_first(client, founder_user):
    assert _sign_in(client, founder_user, mfa=False, next_url="/workspaces/") == "/workspaces/"


def test_an_unsafe_next_address_is_ignored(client, founder_user):
    assert _sign_in(client, founder_user, mfa=False, next_url="https://evil.example/") == "/workspaces/applications/"


@pytest.mark.django_db
def test_sign_in_page_speaks_the_portals_words(client):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in" in page
    assert "Sign In" not in page
    assert "Remember Me" not in page
    assert "please sign up first" not in page
    assert "placeholder=" not in page
    assert '<label class="govuk-label' in page


@pytest.mark.django_db
def test_sign_up_page_has_labels_not_placeholders(client):
    page = client.get("/accounts/signup/").content.decode()
    assert "placeholder=" not in page
    assert "Sign Up" not in page


LIBRARY_WORDS = [
    "Sign In",
    "Sign Out",
    "Sign Up",
    "Remember Me",
    "Reset My Password",
    "Change Password",
    "placeholder=",
]


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
@pytest.mark.django_db
def test_the_entrance_pages_use_no_library_wording(client, path):
    page = client.get(path).content.decode()
    assert [words for words in LIBRARY_WORDS if words in page] == []


@pytest.mark.parametrize("path", ["/accounts/logout/", "/accounts/password/change/"])
def test_the_account_pages_use_no_library_wording(client, founder_user, path):
    client.force_login(founder_user)
    page = client.get(path).content.decode()
    assert [words for words in LIBRARY_WORDS if words in page] == []
