"""Failed sign-ins are rate-limited per account, and the limit lifts by itself (a cool-off); the
counts are shared by every web process, for the password and for the authenticator app's code."""

import html
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
import redis
import requests
from allauth.mfa.totp.internal.auth import TOTP
from django.core.cache import cache
from django.db import connection

from tests.conftest import DEMO_TOTP_SECRET
from tests.portal.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent.parent

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


# Every web process counts the same failures: the limits are kept in Redis (CACHES["default"]), not
# in each process's memory. Two gunicorn processes serve the test database with the real limits;
# failures sent to each in turn trip the limit at the configured count across both.


@dataclass
class Web:
    """A gunicorn process of its own, and a requests session that keeps its cookies; the
    session's cookies are the same on every server (they share the database and secret key)."""

    url: str
    process: subprocess.Popen


@pytest.fixture
def two_web_processes(redis_url, postgres):
    """Two gunicorn processes (one worker each) on free ports, against the test database, with the
    real sign-in limits counted in Redis under a key prefix of the test's own."""
    prefix = f"test-limits-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict),
        "REDIS_URL": redis_url,
        "TEST_SHARED_LIMITS_PREFIX": prefix,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    webs = []
    for _ in range(2):
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
        command.append("--no-control-socket")
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        webs.append(Web(f"http://127.0.0.1:{port}", process))
    store = redis.Redis.from_url(redis_url)
    try:
        for web in webs:
            wait_until_serving(web)
        yield webs, lambda: [store.delete(key) for key in store.scan_iter(f"{prefix}:*")]
    finally:
        for web in webs:
            web.process.terminate()
            web.process.wait(timeout=20)
        for key in store.scan_iter(f"{prefix}:*"):
            store.delete(key)
        store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(web: Web, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert web.process.poll() is None, web.process.stderr.read().decode()
        try:
            requests.get(f"{web.url}/accounts/login/", timeout=30)
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError(f"{web.url} did not start")


def post_form(session: requests.Session, url: str, data: dict) -> requests.Response:
    """Send a form as a browser does: the page first (for its CSRF token), then the POST."""
    page = session.get(url, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    return session.post(url, {**data, "csrfmiddlewaretoken": token}, headers={"Referer": url}, timeout=10)


REFUSED = "You have tried to sign in too many times"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failed_sign_ins_and_codes_are_counted_across_web_processes(two_web_processes):
    (first, second), forget_counts = two_web_processes
    founder = UserFactory(roles=["founder"])
    session = requests.Session()
    # Five failures (the limit per account), sent to each process in turn: neither saw five.
    for attempt in range(5):
        web = (first, second)[attempt % 2]
        response = post_form(session, f"{web.url}/accounts/login/", {"login": founder.email, "password": "wrong"})
        assert response.status_code == 400 and REFUSED not in response.text, attempt
    # The sixth, to the process that saw two, is refused even with the right password.
    refused = post_form(session, f"{second.url}/accounts/login/", {"login": founder.email, "password": PASSWORD})
    assert REFUSED in html.unescape(refused.text), (refused.status_code, refused.url, refused.history)
    assert refused.status_code == 400
    assert "/accounts/login/" in session.get(f"{first.url}/accounts/email/", timeout=10).url  # not signed in

    # The second step: five wrong codes from the authenticator app, alternately, then the right one.
    forget_counts()  # the address's own count (10 a minute) is not this part's subject
    staff = UserFactory(roles=["staff"])
    TOTP.activate(staff, DEMO_TOTP_SECRET)
    session = requests.Session()
    signed = post_form(session, f"{first.url}/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert signed.url.endswith("/accounts/2fa/authenticate/"), signed.url
    for attempt in range(5):
        web = (second, first)[attempt % 2]
        response = post_form(session, f"{web.url}/accounts/2fa/authenticate/", {"code": "000000"})
        assert response.status_code == 400 and REFUSED not in html.unescape(response.text), attempt
    code = pyotp.TOTP(DEMO_TOTP_SECRET).now()
    refused = post_form(session, f"{second.url}/accounts/2fa/authenticate/", {"code": code})
    assert refused.status_code == 400
    assert REFUSED in html.unescape(refused.text)
    # Still waiting for a code: not signed in.
    assert session.get(f"{first.url}/accounts/email/", timeout=10).url.endswith("/accounts/2fa/authenticate/")
