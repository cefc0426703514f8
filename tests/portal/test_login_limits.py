"""Failed sign-ins are rate-limited per account, and the limit lifts by itself (a cool-off)."""

import time

import pytest
from django.core.cache import cache

from tests.portal.factories import UserFactory

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _login(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


@pytest.mark.django_db
def test_failed_logins_are_limited_then_cool_off(client, monkeypatch):
    founder = UserFactory(roles=["founder"])
    for _ in range(5):
        assert _login(client, founder.email, "wrong-password").status_code == 400  # the form, with its error

    # The sixth attempt is refused even with the right password.
    refused = _login(client, founder.email, PASSWORD)
    assert "You have tried to sign in too many times" in refused.text
    assert "_auth_user_id" not in client.session

    # Five minutes later the limit has lifted: no permanent lockout.
    later = time.time() + 5 * 60 + 1
    monkeypatch.setattr("allauth.core.internal.ratelimit.time.time", lambda: later)
    accepted = _login(client, founder.email, PASSWORD)
    assert accepted.status_code == 302
    assert client.session["_auth_user_id"] == str(founder.pk)


@pytest.mark.django_db
def test_limit_is_per_account_so_other_users_still_sign_in(client):
    target, other = UserFactory(roles=["founder"]), UserFactory(roles=["founder"])
    for _ in range(6):
        _login(client, target.email, "wrong-password")
    assert _login(client, other.email, PASSWORD).status_code == 302
