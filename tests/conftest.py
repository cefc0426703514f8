"""Shared fixtures: users per role, partner tokens, API clients, a query-count helper, a broker
the test can stop and start (``broker``), and ``run_at_once`` for concurrency tests."""

import os
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from portal.roles import Role
from tests.portal.factories import OrganisationFactory, UserFactory
from tests.redis_proxy import RedisProxy

DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip with a reason on a machine that lacks a service; under CI=true, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


DATA_MIGRATIONS = [
    ("portal.migrations.0003_roles", "create_roles"),
    ("portal.migrations.0004_schedules", "create_schedules"),
    ("portal.migrations.0009_staff_admin_permissions", "grant"),
    ("portal.migrations.0011_idempotency_keys_schedule", "create_schedule"),
    ("portal.migrations.0014_webhook_schedule", "create_schedule"),
    ("portal.migrations.0015_feedback_owed_schedule", "create_schedule"),
    ("missions.migrations.0002_missions_and_geographies", "create"),
    ("missions.migrations.0003_refresh_schedule", "create_schedule"),
    ("missions.migrations.0004_refresh_reap_schedule", "create_schedule"),
    ("workspaces.migrations.0002_criteria_and_schedules", "create"),
    ("workspaces.migrations.0003_owed_notifications_schedule", "create_schedule"),
    ("workspaces.migrations.0006_application_retention_schedule", "create_schedule"),
    ("ambassadors.migrations.0002_people_schedules", "create_schedules"),
    ("ambassadors.migrations.0004_leads_company_number_and_owed_emails", "create_schedule"),
    ("funding.migrations.0003_alerts", "create_schedules"),
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Make sure the rows the data migrations create are there, even in a reused test database.

    Transactional tests end with a flush, so a database kept with --reuse-db can come back
    without roles or missions. The data migrations are idempotent: run them again, then
    re-serialize so serialized-rollback tests restore the complete set.
    """
    import importlib

    from django.apps import apps

    with django_db_blocker.unblock():
        for module, function in DATA_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, None)
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(marker and marker.kwargs.get("transaction")) or bool({"transactional_db", "live_server"} & fixtures)


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table; put back what the migrations made, so the
    next test finds it whatever order the tests run in (pytest -n hands each process whole files,
    not every other test before the transactional ones)."""
    yield
    if not _transactional(item) or not hasattr(connection, "_test_serialized_contents"):
        return
    with item.config.stash[blocking_manager_key].unblock():
        connection.creation.deserialize_db_from_string(connection._test_serialized_contents)
        connection.close()


@pytest.fixture(autouse=True)
def _outside_any_task():
    """Each test starts outside any Celery task. An eager task marks the process as inside one
    for its run (``denied_join_result``: a global saved and put back), so two threads running
    eager tasks at once (a live server's and the test's, or ``run_at_once``) can put back the
    wrong value and leave every later ``.delay().get()`` of the process refused."""
    from celery._state import _set_task_join_will_block

    _set_task_join_will_block(False)


@pytest.fixture(autouse=True)
def _empty_caches():
    """Each test starts with empty caches: a database rolled back between tests takes the data
    versions back too, so a page cached by an earlier test could otherwise match a later key."""
    from django.conf import settings
    from django.core.cache import caches

    from portal.selectors import partner_organisation_id

    for alias in settings.CACHES:
        caches[alias].clear()
    partner_organisation_id.cache_clear()


@pytest.fixture
def postgres():
    """Tests that need PostgreSQL features (row locks, concurrency) ask for this."""
    require(connection.vendor == "postgresql", "PostgreSQL is not reachable on 127.0.0.1:5432")


@pytest.fixture
def redis_url(settings):
    require(bool(settings.REDIS_URL), "Redis is not reachable on 127.0.0.1:6379")
    return settings.REDIS_URL


@dataclass
class Broker:
    """The Celery broker seen through a ``RedisProxy``: ``stop()`` and ``start()`` it; jobs go to
    ``queue`` (the test's own); ``queued()`` counts the messages waiting there."""

    proxy: RedisProxy
    queue: str
    client: redis.Redis

    def stop(self) -> None:
        self.proxy.stop()

    def start(self) -> None:
        self.proxy.start()

    def queued(self) -> int:
        return self.client.llen(self.queue)


def celery_routes_use(routes: dict) -> None:
    """Give the Celery app of this process ``routes`` (``{}``: every job to the default queue)."""
    from portal.celery import app

    app.conf.task_routes = routes
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)  # built from the routes on first use, then kept


def celery_broker_use(url: str) -> None:
    """Point the Celery app of this process at ``url``, leaving its pooled connections."""
    from portal.celery import app

    app.conf.broker_url = url
    # Dropped, not closed: kombu keeps pools in a registry of its own and would hand a closed one
    # back for the same address.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker(redis_url, settings):
    """Jobs published for real (not run eagerly) to a broker the test can stop and start again,
    in this process as a deployed web process would: see ``Broker``."""
    from portal import health
    from portal.celery import app

    url = urlsplit(redis_url)
    proxy = RedisProxy(url.hostname or "127.0.0.1", url.port or 6379)
    proxy.start()
    proxied = urlunsplit(url._replace(netloc=f"127.0.0.1:{proxy.port}"))
    queue = f"test-{uuid.uuid4().hex[:8]}"
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue, app.conf.task_routes
    settings.CELERY_BROKER_URL = proxied  # what /healthz and the pages probe
    celery_broker_use(proxied)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    celery_routes_use({})  # every job of the test to its own queue, whatever queue it names
    health.broker_probe_forget()
    client = redis.Redis.from_url(redis_url)
    try:
        yield Broker(proxy, queue, client)
    finally:
        proxy.stop()
        app.conf.task_always_eager, app.conf.task_default_queue = saved[1], saved[2]
        celery_routes_use(saved[3])
        celery_broker_use(saved[0])
        health.broker_probe_forget()
        client.delete(queue)
        client.close()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def as_user(api_client):
    """as_user(user) -> the API client, signed in as ``user`` (a session, as the portal's pages use)."""

    def make(user):
        api_client.force_login(user)
        return api_client

    return make


@pytest.fixture
def as_partner(api_client, partner_token):
    """as_partner("read", ..., organisation=None) -> (the API client carrying a bearer token of
    those scopes, the partner organisation the token belongs to)."""

    def make(*scopes: str, organisation=None):
        token, partner = partner_token(*scopes, organisation=organisation)
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return api_client, partner

    return make


def _user_with_role(role: str, mfa: bool = True, **kwargs):
    user = UserFactory(roles=[role], **kwargs)
    if mfa:
        from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
        from allauth.mfa.totp.internal.auth import TOTP

        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)  # as setting TOTP up through the pages does
    return user


@pytest.fixture
def staff_user(db):
    return _user_with_role(Role.STAFF)


@pytest.fixture
def reviewer_user(db):
    return _user_with_role(Role.REVIEWER)


@pytest.fixture
def ambassador_user(db):
    return _user_with_role(Role.AMBASSADOR)


@pytest.fixture
def staff_client(client, staff_user):
    """Django's test client, signed in as a member of staff."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def founder_user(db):
    return _user_with_role(Role.FOUNDER, mfa=False)


@pytest.fixture
def make_user(db):
    """make_user("staff", mfa=True) returns a user holding that role."""
    return _user_with_role


@pytest.fixture
def partner_token(db):
    """partner_token("read", "companies:write") -> (access token string, partner organisation)."""
    from datetime import timedelta

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, set_token_value

    from portal import services

    def make(*scopes: str, organisation=None):
        organisation = organisation or OrganisationFactory(kind="partner", name="Test Partner University")
        credential, _ = services.partner_credential_create(
            organisation=organisation, scopes=list(scopes) or ["read"], created_by=None
        )
        raw = f"test-token-{credential.pk}-{'-'.join(scopes)}"
        token = AccessToken(
            application=credential.application, expires=timezone.now() + timedelta(hours=1), scope=" ".join(scopes)
        )
        set_token_value(token, raw)
        token.save()
        return raw, organisation

    return make


@pytest.fixture
def count_queries():
    """Usage: ``with count_queries() as q: ...; q.count`` — the number of SQL queries run."""

    @contextmanager
    def counter():
        with CaptureQueriesContext(connection) as ctx:
            yield ctx

        ctx.count = len(ctx.captured_queries)

    return counter


def run_at_once(functions, timeout: float = 120) -> list:
    """Start every function at the same moment, each in its own thread (so with its own database
    connection and transaction); return each one's result, or the exception it raised, in order."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def call(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # collected for the test to inspect
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), f"a thread was still running after {timeout}s"
    return results


def pytest_collection_modifyitems(items):
    """A transactional test must restore the database it found (``serialized_rollback=True``):
    one that does not ends by emptying every table, content types and roles included, and every
    later test that restores the database then fails on duplicate rows."""
    careless = sorted(
        {
            item.nodeid
            for item in items
            for marker in item.iter_markers("django_db")
            if marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback")
        }
    )
    if careless:
        raise pytest.UsageError(f"transactional tests without serialized_rollback=True: {careless}")
