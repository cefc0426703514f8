"""A cache of this process's memory in front of a shared Redis cache, for the page cache."""

import logging
from time import monotonic

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# After the shared cache fails, this process leaves it alone for this many seconds.
SHARED_RETRY_SECONDS = 30.0


def key_as_is(key: str, key_prefix: str, version) -> str:
    """The shared layer's key function: the layered cache has already applied its prefix and version."""
    return key


class _Memory(LocMemCache):
    """The memory layer: keys arrive finished and checked by the layered cache, so none is built or
    checked again on every read."""

    def make_and_validate_key(self, key, version=None):
        return key


class LayeredCache(BaseCache):
    """Reads this process's memory first, then the shared cache (Redis), and keeps what it found.

    Made for entries that never change once written (the page cache's keys carry data versions):
    a process that rendered a fragment shares it with every other process and machine, and a hit
    in memory costs no network round trip. The shared layer is best effort: when Redis fails, the
    error is logged once and the cache works from memory alone for ``SHARED_RETRY_SECONDS``, so
    pages keep working while Redis is down.

    ``LOCATION`` is the Redis URL (empty: memory only); ``OPTIONS["MAX_ENTRIES"]`` bounds memory.
    """

    def __init__(self, location, params):
        super().__init__(params)
        options = params.get("OPTIONS", {})
        self._local = _Memory(
            f"layered-{location}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": options.get("MAX_ENTRIES", 2000)}},
        )
        self._shared = (
            RedisCache(
                location,
                {"KEY_FUNCTION": key_as_is, "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}},
            )
            if location
            else None
        )
        self._shared_down_until = 0.0

    def _shared_call(self, method: str, *args, default=None, **kwargs):
        if self._shared is None or monotonic() < self._shared_down_until:
            return default
        try:
            return getattr(self._shared, method)(*args, **kwargs)
        except Exception:  # noqa: BLE001 - any failure of the shared layer falls back to memory
            logger.warning("Shared cache unavailable; using this process's memory for %ss", SHARED_RETRY_SECONDS)
            self._shared_down_until = monotonic() + SHARED_RETRY_SECONDS
            return default

    def _key(self, key, version) -> str:
        """This cache's full key (its KEY_PREFIX and version applied), used as is by both layers."""
        key = self.make_key(key, version=version)
        self.validate_key(key)
        return key

    def _timeout(self, timeout):
        return self.default_timeout if timeout is DEFAULT_TIMEOUT else timeout

    def get(self, key, default=None, version=None):
        key = self._key(key, version)
        sentinel = object()
        value = self._local.get(key, sentinel)
        if value is not sentinel:
            return value
        value = self._shared_call("get", key, sentinel, default=sentinel)
        if value is sentinel:
            return default
        self._local.set(key, value)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key, timeout = self._key(key, version), self._timeout(timeout)
        self._local.set(key, value, timeout)
        self._shared_call("set", key, value, timeout)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key, timeout = self._key(key, version), self._timeout(timeout)
        added = self._local.add(key, value, timeout)
        self._shared_call("add", key, value, timeout)
        return added

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key, timeout = self._key(key, version), self._timeout(timeout)
        self._shared_call("touch", key, timeout)
        return self._local.touch(key, timeout)

    def delete(self, key, version=None):
        key = self._key(key, version)
        self._shared_call("delete", key)
        return self._local.delete(key)

    def has_key(self, key, version=None):
        key = self._key(key, version)
        return self._local.has_key(key) or bool(self._shared_call("has_key", key, default=False))

    def clear(self):
        """Empty this process's memory only: Redis's ``clear`` would empty the whole database,
        broker queues included. To retire every page cached anywhere, move the data versions on
        (``manage.py clear_page_cache``)."""
        self._local.clear()
