"""Test settings: PostgreSQL and Redis when reachable (required under CI=true), eager Celery."""

import os
import socket
from urllib.parse import urlsplit

from .base import *  # noqa: F403
from .base import REDIS_TRANSPORT_OPTIONS, env


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


CI = env.bool("CI", default=False)

if not env("DATABASE_URL", default="") and _reachable("127.0.0.1", 5432):
    DATABASES = {**DATABASES, "default": env.db_url_config("postgres://postgres@127.0.0.1:5432/portal")}  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # A test that serves the portal with gunicorn keeps connections open, as production does.
    for _database in DATABASES.values():  # noqa: F405
        _database["CONN_MAX_AGE"] = env.int("TEST_CONN_MAX_AGE", default=0)
if CI and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":  # noqa: F405
    raise RuntimeError("CI=true requires PostgreSQL: set DATABASE_URL or start it on 127.0.0.1:5432")

REDIS_URL = env("REDIS_URL", default="")
if not REDIS_URL and _reachable("127.0.0.1", 6379):
    REDIS_URL = "redis://127.0.0.1:6379/15"
if CI and not REDIS_URL:
    raise RuntimeError("CI=true requires Redis: set REDIS_URL or start it on 127.0.0.1:6379")
# Run in several processes (pytest -n), each process of the suite has a Redis database of its own,
# counted down from REDIS_URL's, so one's jobs, locks and counts never meet another's. Processes a
# test starts inherit the environment and keep the database they are given.
_worker = env("PYTEST_XDIST_WORKER", default="")
if REDIS_URL and _worker and not env.bool("TEST_REDIS_PER_WORKER", default=False):
    _url = urlsplit(REDIS_URL)
    _database = (int(_url.path.strip("/") or 0) - int(_worker.removeprefix("gw"))) % 16
    REDIS_URL = _url._replace(path=f"/{_database}").geturl()
    os.environ.update(REDIS_URL=REDIS_URL, TEST_REDIS_PER_WORKER="true")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS

# Each test starts with empty caches (tests/conftest.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal-test"},
    "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal-test-pages"},
}
# A test that serves the portal from several processes (tests/test_replica.py) gives them the shared
# Redis cache production uses, under a key prefix of its own.
if env("TEST_CACHE_PREFIX", default=""):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("TEST_CACHE_PREFIX"),
    }

# Tasks run in-process unless a test starts a real worker; web processes a test serves publish them
# to the broker with TEST_CELERY_EAGER=false.
CELERY_TASK_ALWAYS_EAGER = env.bool("TEST_CELERY_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A test that starts a real worker may give it a mail server of its own on 127.0.0.1, and a queue
# of its own for the jobs the worker enqueues itself.
if env("TEST_EMAIL_PORT", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT, EMAIL_TIMEOUT = "127.0.0.1", env.int("TEST_EMAIL_PORT"), 120
# A test that kills a worker may give the next one a short visibility timeout, looked at every
# second, so the dead worker's unacknowledged job comes back to its queue within seconds instead of
# the time limit and a minute.
if REDIS_URL and env("TEST_VISIBILITY_TIMEOUT", default=""):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **REDIS_TRANSPORT_OPTIONS,
        "visibility_timeout": env.int("TEST_VISIBILITY_TIMEOUT"),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
# A test that runs beat processes may shorten their lease, to see one take over from another.
BEAT_LEASE_SECONDS = env.int("TEST_BEAT_LEASE_SECONDS", default=BEAT_LEASE_SECONDS)  # noqa: F405
CELERY_TASK_DEFAULT_QUEUE = env("TEST_CELERY_QUEUE", default="default")
if env("TEST_CELERY_QUEUE", default=""):  # that worker's (or beat's) jobs all go to its own queue
    CELERY_TASK_ROUTES = {}
    CELERY_TASK_ALWAYS_EAGER = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = {**ACCOUNT_RATE_LIMITS, "login": False}  # noqa: F405
# A test that starts web processes of its own may give them the real sign-in limits, counted in
# Redis under a key prefix of its own, as deployed web processes count them (CACHES["default"]).
if env("TEST_SHARED_LIMITS_PREFIX", default=""):
    from . import base

    ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("TEST_SHARED_LIMITS_PREFIX"),
    }
# Far above what any test sends; the limits' own tests set low rates.
API_THROTTLE_RATES = {"client": "100000/min", "user": "100000/min", "anon": "100000/min"}
# The portal's logging, written only where pytest captures it (caplog and the failure report).
LOGGING = {**LOGGING, "root": {"handlers": [], "level": "INFO"}}  # noqa: F405
# Webhook receivers in tests listen on 127.0.0.1 over http.
WEBHOOK_ALLOW_HTTP = True
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
