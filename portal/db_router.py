"""Reads from a PostgreSQL read replica, writes to the primary, and each writer reads its own writes.

Installed only when ``DATABASE_REPLICA_URL`` is set (``portal/settings/base.py`` adds the
``replica`` database, ``ReplicaRouter`` and ``PrimaryPinMiddleware``). The rules:

- **Writes** always go to the primary (``default``); migrations run only there.
- **Only web requests read from the replica**, and only safe ones (GET, HEAD, OPTIONS) that are
  not pinned. Everything else reads from the primary: Celery tasks, the KPI refresh, management
  commands and the shell never enter a request, so they never leave the primary.
- **Read-your-writes.** A POST, PUT, PATCH or DELETE pins its sender to the primary for
  ``DATABASE_REPLICA_STICKY_SECONDS`` (longer than normal replica lag): a signed cookie for
  browsers and session clients, and a cache entry per ``Authorization`` header for partner clients
  (which keep no cookies). A safe request that writes (a session's last-seen time, at most once a
  minute) reads from the primary for the rest of its own course, but pins nobody: such
  bookkeeping would otherwise send every signed-in person to the primary for a while each minute.
- **Transactions.** A read inside a transaction (``atomic``, ``select_for_update``) is on the
  primary, with the rest of the transaction.
- **Credentials** (sessions and OAuth2 tokens) are always read from the primary: a token issued a
  moment ago works at once, and a session signed out or a credential revoked stops at once.
- **A replica that does not answer** is left alone for ``REPLICA_RETRY_SECONDS``: reads go to the
  primary meanwhile, so its loss slows the portal down but fails no request.
"""

import contextvars
import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections
from django.http import FileResponse

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"
# The cookie that pins a browser to the primary; signed, so a client cannot extend its own window.
PIN_COOKIE = "db_primary"
PIN_SALT = "portal.db_router.pin"
# Apps whose rows are credentials: read from the primary, always.
PRIMARY_APPS = {"sessions", "oauth2_provider", "usersessions"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
REPLICA_RETRY_SECONDS = 10.0
# monotonic() before which this process does not try the replica again (it failed to answer).
_replica_down_until = 0.0


@dataclass
class Routing:
    """Where the current request's reads may go: ``replica_allowed`` is set by the middleware for
    a safe, unpinned request; ``wrote`` turns true at the request's first write; ``replica_answers``
    is found out at the first read that would go to the replica (a request that reads nothing, a
    static file, never touches it)."""

    replica_allowed: bool = False
    wrote: bool = False
    replica_answers: bool | None = None


# None outside a request (tasks, commands, the shell): reads from the primary.
_routing: contextvars.ContextVar[Routing | None] = contextvars.ContextVar("db_routing", default=None)


class ReplicaRouter:
    """Sends reads to ``replica`` when the current request allows it (see the module's rules)."""

    def db_for_read(self, model, **hints):
        routing = _routing.get()
        if routing is None or not routing.replica_allowed or routing.wrote:
            return PRIMARY
        if model._meta.app_label in PRIMARY_APPS:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if routing.replica_answers is None:
            routing.replica_answers = _replica_usable()
        return REPLICA if routing.replica_answers else PRIMARY

    def db_for_write(self, model, **hints):
        routing = _routing.get()
        if routing is not None:
            routing.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def _client_pin_key(request) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if not authorization:
        return None
    return "db-primary:" + hashlib.sha256(authorization.encode()).hexdigest()[:40]


def _pinned(request) -> bool:
    if request.method not in SAFE_METHODS:
        return True
    if request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.DATABASE_REPLICA_STICKY_SECONDS
    ):
        return True
    key = _client_pin_key(request)
    if key is None:
        return False
    try:
        return caches["default"].get(key) is not None
    except Exception:  # noqa: BLE001 - the cache down: the primary is always right
        logger.warning("Read-your-writes pin not readable (cache down); reading from the primary")
        return True


def _pin(request, response) -> None:
    seconds = settings.DATABASE_REPLICA_STICKY_SECONDS
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_SALT,
        max_age=seconds,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    key = _client_pin_key(request)
    if key is not None:
        try:
            caches["default"].set(key, 1, timeout=seconds)
        except Exception:  # noqa: BLE001 - the write is done; only its sticky window is lost
            logger.warning("Read-your-writes pin not stored (cache down)")


def _replica_usable() -> bool:
    """Whether the replica answers: its connection opened (or, kept from an earlier request, still
    usable, the check Django would make on first use). A failure is remembered for
    ``REPLICA_RETRY_SECONDS``, so only one request in that time waits on a replica that is down."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    replica = connections[REPLICA]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DatabaseError:
        _replica_down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        logger.warning("The read replica does not answer; reading from the primary for %.0f s", REPLICA_RETRY_SECONDS)
        return False
    return True


class PrimaryPinMiddleware:
    """Decides where each request reads (see the module's rules) and pins a writer to the primary
    for ``DATABASE_REPLICA_STICKY_SECONDS``. Outermost, so every other middleware's reads (the
    signed-in user, their MFA set-up) follow the same rules as the view's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        routing = Routing(replica_allowed=not _pinned(request))
        token = _routing.set(routing)
        try:
            response = self.get_response(request)
        finally:
            _routing.reset(token)
        if request.method not in SAFE_METHODS:
            _pin(request, response)
        # A file (a briefing) needs no database, and keeps the server's own way of sending files.
        if response.streaming and routing.replica_allowed and not isinstance(response, FileResponse):
            response.streaming_content = _routed(response.streaming_content, routing)
        return response


def _routed(chunks, routing: Routing):
    """A streamed body (a CSV export) is read after the middleware returns: give each chunk's reads
    the routing of the request that made it."""
    iterator = iter(chunks)
    while True:
        token = _routing.set(routing)
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        finally:
            _routing.reset(token)
        yield chunk
