"""Health probes of the services the portal depends on."""

from pathlib import Path
from time import monotonic

from django.conf import settings
from django.db import connection

# How long a page reuses a broker probe. /healthz always probes afresh.
BROKER_PROBE_MAX_AGE = 30.0

# (broker URL, monotonic() of the probe, its result): one per process, shared by its threads.
_broker_probe: tuple[str, float, bool] | None = None


def database_ok() -> bool:
    """True when the database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "down"
        return False


def broker_ok() -> bool:
    """True when the Celery broker answers (Redis PING, or the local broker folder is writable).
    A live probe: a Redis connection, up to a second when Redis does not answer."""
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        folder.mkdir(parents=True, exist_ok=True)
        return folder.is_dir()
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        return bool(client.ping())
    except Exception:  # noqa: BLE001
        return False


def broker_ok_cached() -> bool:
    """``broker_ok()``, probed at most once per ``BROKER_PROBE_MAX_AGE`` seconds per process, for
    pages that show whether background jobs are reachable without waiting on the broker on every
    load. A changed broker URL probes afresh. Two threads may both probe at expiry; that is harmless.
    """
    global _broker_probe
    url, now = settings.CELERY_BROKER_URL, monotonic()
    probe = _broker_probe
    if probe is None or probe[0] != url or now - probe[1] >= BROKER_PROBE_MAX_AGE:
        probe = _broker_probe = (url, now, broker_ok())
    return probe[2]


def broker_probe_forget() -> None:
    """Drop the remembered probe, so the next ``broker_ok_cached()`` probes (for tests)."""
    global _broker_probe
    _broker_probe = None
