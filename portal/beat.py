"""The beat scheduler: django-celery-beat's schedule from the database, sent by one beat at a time.

Two `celery beat` processes (a second one started by mistake, or a standby on another machine)
would each send every scheduled job, so each job would run twice per period. ``LeasedScheduler``
takes a lease in Redis before it sends anything: one key, set only if absent (``SET NX``), with an
expiry of ``BEAT_LEASE_SECONDS``. The beat that holds it renews it at least three times per lease
(checking it is still its own) and sends; every other beat sends nothing and tries to take the
lease at the same rate. When the holder dies its lease expires and another beat takes over within
``BEAT_LEASE_SECONDS`` and a third of it; on the way in it reads the schedule from the database
again, where the holder wrote each job's last run just before sending it, so nothing is sent
twice for one period. A beat that stops cleanly gives the lease up at once.

Without ``REDIS_URL`` (one machine, the filesystem broker) there is nothing to share a lease
through and the beat sends as django-celery-beat's ``DatabaseScheduler`` does.
"""

import contextlib
import datetime
import logging
import os
import socket
import uuid

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler
from redis.exceptions import LockError

logger = logging.getLogger(__name__)

LEASE_KEY = "portal:beat:lease"


def lease_holder(client: redis.Redis) -> str | None:
    """Who holds the beat lease now, as ``host:pid:nonce``, or None."""
    value = client.get(LEASE_KEY)
    return value.decode() if value else None


class LeasedScheduler(DatabaseScheduler):
    """``DatabaseScheduler`` that sends only while this beat holds the lease (see the module)."""

    def __init__(self, *args, **kwargs):
        self._leading = False
        self._lease = None
        if settings.REDIS_URL:
            self.lease_seconds = float(settings.BEAT_LEASE_SECONDS)
            client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=max(1.0, self.lease_seconds / 3)
            )
            self._lease = client.lock(LEASE_KEY, timeout=self.lease_seconds, thread_local=False)
            self._token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs) -> float:
        if self._lease is None:
            return super().tick(*args, **kwargs)
        # Renewed well before it expires, whatever the next job's time.
        every = self.lease_seconds / 3
        if not self._lease_hold():
            return every
        return min(super().tick(*args, **kwargs), every)

    def _lease_hold(self) -> bool:
        """Renew this beat's lease, or take it if it is free; True while this beat holds it."""
        try:
            if self._leading:
                try:
                    self._lease.reacquire()  # only while the key still holds this beat's token
                    return True
                except LockError:
                    self._leading = False
                    logger.warning("This beat lost its lease: another beat sends the scheduled jobs")
            if not self._lease.acquire(blocking=False, token=self._token):
                return False
        except redis.RedisError as error:
            # Redis is the broker too: nothing could be sent now anyway. Try again next tick.
            logger.warning("The beat lease could not be checked: %s", error)
            return False
        self._leading = True
        logger.info("This beat (%s) holds the lease and sends the scheduled jobs", self._token)
        self._schedule_reload()
        return True

    def reserve(self, entry):
        # The job's last run is written before it is sent, so a beat that takes over after this
        # one died never sends it again for the same period (it may miss one run instead, which
        # the next period's run covers: every scheduled job is a sweep of what is due).
        new_entry = super().reserve(entry)
        self.sync()
        # And kept in the schedule (DatabaseScheduler keeps only the entry it read): a rebuild of
        # the send order (after any edit of any schedule, such as another beat starting) would
        # otherwise find the job due again on its old last run and send it twice.
        if self._schedule is not None and new_entry.name in self._schedule:
            self._schedule[new_entry.name] = new_entry
        return new_entry

    def _schedule_reload(self) -> None:
        """Read every job's last run from the database, as the beat that sent before wrote it."""
        self._schedule = self.all_as_schedule()
        self._last_full_sync = datetime.datetime.now()
        self._initial_read = False
        self._heap = None  # rebuilt from the new entries on this tick

    def close(self) -> None:
        super().close()
        if self._leading:
            with contextlib.suppress(LockError, redis.RedisError):  # expired or unreachable: it lapses
                self._lease.release()
            self._leading = False
