"""Pages and API lists built from stored data, cached under keys tied to data versions.

The rules every app follows (the README's architecture section repeats them):

1. **Data keys.** Stored data is grouped under a few data keys (``DATA_KEYS``). Each key has a
   version number in the database (``DataVersion``).
2. **Writes bump.** Every write that changes what a cached read shows calls
   ``data_version_bump(key)`` inside the write's own transaction, as its last statement, so the new
   version becomes visible at the same commit as the data. A rolled-back write bumps nothing.
   Bumping last keeps the version row's lock short and taken after every other lock, so two
   writers never wait on each other in opposite orders.
3. **Reads read the version first.** A cached read takes the versions of the keys it depends on
   (one query per request, ``data_versions``) before it reads any data, and puts them in its
   cache key. A reader can therefore cache new data under an old version (harmless: nobody asks
   for the old key again) but never old data under a new one: a cached page is never stale.
4. **Audience.** A cache key also names who may see the same thing (``audience``): the public,
   staff, one partner organisation or one user. Two readers with different rights never share an
   entry; per-user parts of a page (the account header, forms with a CSRF token, live status)
   stay outside the cached fragment.
5. **Release.** Keys carry a fingerprint of the code and templates, so a deployment never serves
   pages rendered by the previous release.

On a cache miss the page is built as usual and stored; entries expire after ``CACHE_SECONDS`` or
when their key is no longer asked for. After restoring a database backup, versions can go back:
run ``manage.py clear_page_cache`` (``data_versions_retire``).
"""

import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, connections, router

# The data keys and what they cover. A new app adds its own.
DATA_KEYS = {
    "organisations": "the organisation registry and yearly firm facts",
    "missions": "missions, indicators and their observations",
    "workspaces": "workspaces, their desks and what is offered or let",
    "ambassadors": "ambassador profiles, their sectors, activities, leads and target markets",
    "refreshes": "KPI refresh runs: their status and progress (not their heartbeat)",
    "funding": "funding opportunities and their eligibility rules",
    "investments": "the investment register: deals, awards and their investors",
    "budget": "the programme budget: its lines and spend entries",
}

CACHE_SECONDS = 24 * 3600
CACHE_ALIAS = "template_fragments"  # the alias Django's {% cache %} tag uses; see settings.CACHES


def _check(keys: Iterable[str]) -> list[str]:
    keys = sorted(set(keys))
    unknown = set(keys) - set(DATA_KEYS)
    if unknown:
        raise ValueError(f"Unknown data keys {sorted(unknown)}; known: {sorted(DATA_KEYS)}")
    return keys


def data_version_bump(*keys: str) -> None:
    """Move the versions of ``keys`` on by one, in the caller's transaction.

    Call it as the last statement of the write's transaction (rule 2). One statement, an upsert,
    so a key without a row yet starts at 1. Raises ValueError for an unknown key.
    """
    from .models import DataVersion

    keys = _check(keys)
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    rows = ", ".join(["(%s, 1)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, version) VALUES {rows} "  # noqa: S608 - table name is ours  # nosec B608
            f"ON CONFLICT (key) DO UPDATE SET version = {table}.version + 1",
            keys,
        )


def data_versions_retire() -> None:
    """Move every data key to a fresh random version, so no page cached before (anywhere, under
    any earlier version) is ever served again. For after a database restore, when versions can
    go back to numbers already used. Idempotent in effect; one statement per key."""
    from .models import DataVersion

    for key in DATA_KEYS:
        version = secrets.randbelow(2**61) + 2**40
        DataVersion.objects.update_or_create(key=key, defaults={"version": version})


def data_versions(request=None) -> dict[str, int]:
    """The version of every data key, in one query; remembered on ``request`` for its lifetime, so
    a page and its fragments agree. A key never bumped is at version 0."""
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    versions = getattr(request, "_data_versions", None) if request is not None else None
    if versions is None:
        from .models import DataVersion

        versions = dict.fromkeys(DATA_KEYS, 0)
        # Plain SQL: this runs on every cached page, and the ORM's query building cost more than
        # the query itself. Read from the database the page's data comes from (the replica, when
        # this request reads from one), so old data is never cached under a newer version.
        reader = connections[router.db_for_read(DataVersion)]
        with reader.cursor() as cursor:
            cursor.execute(f"SELECT key, version FROM {reader.ops.quote_name(DataVersion._meta.db_table)}")  # noqa: S608  # nosec B608
            versions.update(cursor.fetchall())
        if request is not None:
            request._data_versions = versions
    return versions


@functools.cache
def release() -> str:
    """A fingerprint of the project's Python code and templates, computed once per process."""
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR)
    for pattern in ("*/*.py", "*/*/*.py", "*/*/*/*.py", "templates/**/*.html", "*/templates/**/*.html"):
        for path in sorted(base.glob(pattern)):
            if path.parts[len(base.parts)] in {".venv", "node_modules", "var", "tests", "bench"}:
                continue
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def audience(user, *, partner_id: int | None = None, personal: bool = False) -> str:
    """Who may see the same thing as this reader: ``staff`` (staff see everything), a partner
    organisation (``org:<id>``), one user when the content is ``personal`` (``user:<id>``), or
    ``public`` for everyone else, signed in or not."""
    from .roles import is_staff

    if partner_id is not None:
        return f"org:{partner_id}"
    if is_staff(user):
        return "staff"
    if personal and user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "public"


def query_text(request) -> str:
    """The request's query parameters in a stable order, for a cache key."""
    request = getattr(request, "_request", request)
    return "&".join(f"{name}={value}" for name, values in sorted(request.GET.lists()) for value in values)


def cache_key(name: str, *, request, data: Iterable[str], audience: str, vary: Iterable[str] = ()) -> str:
    """The cache key of one page fragment or API list (rules 3–5): its name, the release, the
    versions of ``data`` (read first), the audience and anything else it ``vary``s on."""
    data = _check(data)
    versions = data_versions(request) if data else {}
    version_text = ".".join(f"{key}{versions[key]}" for key in data)
    parts = [name, release(), version_text, audience, *(str(v) for v in vary)]
    return hashlib.blake2b("|".join(parts).encode(), digest_size=16).hexdigest()


def fragment_context(request, name: str, *, data: Iterable[str], audience: str, vary: Iterable[str] = ()) -> dict:
    """Template context for one cached fragment: ``{% cache page_cache_seconds "<name>"
    page_cache_key %}…{% endcache %}``. Whatever the fragment shows must be passed to the template
    lazily (``SimpleLazyObject`` or a callable), so a cache hit runs none of its queries."""
    key = cache_key(name, request=request, data=data, audience=audience, vary=vary)
    return {"page_cache_key": key, "page_cache_seconds": CACHE_SECONDS}


_MISSING = object()


def cached_value(request, name: str, *, data: Iterable[str], audience: str, compute: Callable[[], Any]) -> Any:
    """A value read through the page cache (rules 3–5): the stored one for the current versions of
    ``data``, else ``compute()``'s, stored for the next reader. For a small read a page needs on
    every load outside its cached fragments (a model instance, a list); ``None`` is cached too.
    The value must pickle."""
    key = cache_key(name, request=request, data=data, audience=audience)
    store = caches[CACHE_ALIAS]
    value = store.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        store.set(key, value, CACHE_SECONDS)
    return value
