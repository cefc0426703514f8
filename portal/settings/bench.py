"""Benchmark settings (``bench/web.py``): production's behaviour, served over plain http on this
machine, plus two reference endpoints that exist only here.

Everything production does stays: DEBUG off, PostgreSQL with persistent connections, Redis as
cache and broker, whitenoise's manifest storage. Only what a local http run needs differs, and the
``bench.reference`` app (a minimal page and a minimal DRF list) is installed here and nowhere else.
"""

import os

# Production refuses to start without these; a benchmark on 127.0.0.1 has no secret to keep.
os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
os.environ.setdefault("EMAIL_HOST", "localhost")
os.environ.setdefault("SITE_URL", "http://127.0.0.1:8000")

from .production import *  # noqa: E402, F403
from .production import (  # noqa: E402
    CACHES,
    CELERY_BROKER_TRANSPORT_OPTIONS,
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS,
    INSTALLED_APPS,
    env,
)

# Demo data goes into the benchmark's own throwaway database only.
DEMO_DATA_ALLOWED = True
ALLOWED_HOSTS = ["127.0.0.1"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
# Each run keeps its cache entries under a prefix of its own and deletes them afterwards, so a
# page cached from another database (or another run) is never served.
_cache_prefix = env("BENCH_CACHE_PREFIX", default="bench")
CACHES = {
    alias: {**config, "KEY_PREFIX": ":".join(filter(None, [_cache_prefix, config.get("KEY_PREFIX")]))}
    for alias, config in CACHES.items()
}
# Its jobs too: the broker's keys (the queues among them) and the results' carry the same prefix, so
# the benchmark's workers never take the jobs of another process on the same Redis database.
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"{_cache_prefix}:"}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    **CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS,
    "global_keyprefix": f"{_cache_prefix}:",
}

INSTALLED_APPS = [*INSTALLED_APPS, "bench.reference"]
ROOT_URLCONF = "bench.reference.urls"
# wrk sends thousands of requests a second from one client: the limits are counted (their cost is
# measured) but set far above what the run sends.
API_THROTTLE_RATES = {"client": "10000000/min", "user": "10000000/min", "anon": "10000000/min"}
