"""API request rates per partner client, per user and per anonymous address, counted in Redis so
every web process counts the same.

Rates are fixed windows (``API_THROTTLE_RATES``, e.g. ``"1200/min"``): one Redis round trip per
request (``SET NX EX`` and ``INCR`` in one pipeline). A client over its rate gets 429 with
``Retry-After``, the seconds left in the window. Without Redis (the embedded development set-up)
each process counts in its own memory. If Redis fails, requests are let through and the failure
is logged: a limit must never take the API down.
"""

from __future__ import annotations

import functools
import logging
import time

import redis
from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import BaseThrottle

logger = logging.getLogger(__name__)

_PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


def rate_parse(rate: str) -> tuple[int, int]:
    """``"1200/min"`` as ``(1200, 60)``: requests allowed and the window in seconds."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period]


@functools.cache
def _redis(url: str) -> redis.Redis:
    # redis-py's pool notices a fork and opens fresh connections in the child.
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def _count(key: str, window: int) -> int:
    """Add one to ``key``'s count in the current window and return it."""
    if settings.REDIS_URL:
        pipeline = _redis(settings.REDIS_URL).pipeline(transaction=False)
        pipeline.set(key, 0, ex=window + 1, nx=True)
        pipeline.incr(key)
        return pipeline.execute()[1]
    store = caches["default"]
    store.add(key, 0, window + 1)
    return store.incr(key)


class ApiRateThrottle(BaseThrottle):
    """The API's one throttle: a partner's OAuth client (``client``), else a signed-in user
    (``user``), else the caller's address (``anon``), each at its rate in ``API_THROTTLE_RATES``."""

    def allow_request(self, request, view) -> bool:
        application_id = getattr(request.auth, "application_id", None)
        if application_id is not None:
            scope, who = "client", application_id
        elif request.user is not None and request.user.is_authenticated:
            scope, who = "user", request.user.pk
        else:
            scope, who = "anon", self.get_ident(request)
        rate = settings.API_THROTTLE_RATES.get(scope)
        if not rate:
            return True
        allowed, window = rate_parse(rate)
        now = time.time()
        key = f"api-rate:{scope}:{who}:{int(now // window)}"
        try:
            count = _count(key, window)
        except (redis.RedisError, ValueError, OSError):
            logger.warning("API rate limits are not counted: the rate store is unavailable", exc_info=True)
            return True
        self._wait = window - (now % window)
        return count <= allowed

    def wait(self) -> float:
        return max(1.0, self._wait)
