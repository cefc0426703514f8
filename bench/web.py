"""Benchmark: the portal's pages and API lists served as in production, each against a reference
served the same way in the same run.

Makes its own database, migrates it, runs ``seed_demo`` and ``collectstatic`` (and, with
``BENCH_WEB_SCALE=large``, ``seed_demo --scale large`` and ``VACUUM ANALYZE``), then serves the
portal with gunicorn (2 sync workers, ``portal.settings.bench``: production's settings with DEBUG
off, Redis as cache and broker, whitenoise's manifest storage, over plain http on 127.0.0.1) and
drives every target in ``TARGETS`` with wrk (8 connections, 2 threads), several rounds, one target
after another, so noise spreads evenly. Two references exist only in the benchmark settings: a
minimal template page (pages are compared with it) and a minimal DRF list of 50 rows of a
one-table model (API lists are compared with it).

Every page (each GET a person can load) and API list of every app is a target; a path's
``{name}`` is a real id of the demo data (``demo_ids``). Prints req/s, p50 and p95 with each
figure's ratio to its reference, each target's SQL queries (counted in-process with an empty
cache, at ``seed_demo`` and again at the larger size: ``--scale large`` with
``BENCH_WEB_SCALE=large``, else ``--scale 10``) and the thresholds marked pass or fail (public
pages at least 1/3 of the reference page's req/s, staff pages and a signed-in person's own pages
1/5, API lists 1/2 of the reference list's; p95 under 50 ms; the same query count at both sizes),
and writes
the same as JSON to ``var/bench/web.json`` (gunicorn's log beside it). A failed threshold is
reported, not raised: the script exits 0 unless the harness itself breaks (a target that does not
answer 200, wrk or gunicorn failing).

Needs PostgreSQL, Redis and wrk (``apt-get install wrk``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/web.py

``BENCH_WEB_ROUNDS`` (default 3, 2 at the large size) and ``BENCH_WEB_SECONDS`` (default 5, 3 at
the large size) set the rounds and each wrk run's length; ``BENCH_WEB_SCALE=large`` (what ``make
bench`` runs) measures on the large data set.
"""

import datetime
import io
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "portal.settings.bench"
# Every cache entry of this run lives under this prefix and is deleted at the end.
CACHE_PREFIX = f"bench-web-{os.getpid()}"

os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
os.environ["BENCH_CACHE_PREFIX"] = CACHE_PREFIX
os.environ.setdefault("LOG_LEVEL", "WARNING")  # production logs every job at INFO; seeding runs hundreds


def _preflight() -> None:
    """Say what is missing before anything starts."""
    missing = []
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        missing.append("DATABASE_URL must point at PostgreSQL (e.g. postgres://postgres@127.0.0.1:5432/portal)")
    if not os.environ.get("REDIS_URL"):
        missing.append("REDIS_URL must point at Redis (e.g. redis://127.0.0.1:6379/0)")
    if shutil.which("wrk") is None:
        missing.append("wrk is not installed: apt-get install wrk")
    if missing:
        sys.exit("bench/web.py cannot run:\n  " + "\n  ".join(missing))


_preflight()

import serving  # noqa: E402
from django.db import connections  # noqa: E402
from harness import CaptureQueriesContext, Client, bench_database, connection  # noqa: E402
from serving import HarnessError, status_of  # noqa: E402

# BENCH_WEB_SCALE=large (what ``make bench`` runs): measure on seed_demo --scale large's data set
# and count queries at seed_demo's size and the large one. Unset: measure on seed_demo's data and
# count queries there and at --scale 10, a few minutes quicker while working on a page.
LARGE = os.environ.get("BENCH_WEB_SCALE", "") == "large"
LARGE_SCALE: int | str = "large" if LARGE else 10
# Every target at the large size, one after another: shorter runs keep the whole under 20 minutes.
ROUNDS = int(os.environ.get("BENCH_WEB_ROUNDS", "2" if LARGE else "3"))
SECONDS = int(os.environ.get("BENCH_WEB_SECONDS", "3" if LARGE else "5"))
WARM_UP_SECONDS = 1
CONNECTIONS, THREADS, WORKERS = 8, 2, 2
QUERY_SIZES = "1x/large" if LARGE else f"1x/{LARGE_SCALE}x"
P95_LIMIT_MS = 50.0
JSON_PATH = ROOT / "var" / "bench" / "web.json"
LOG_PATH = ROOT / "var" / "bench" / "web-gunicorn.log"

REFERENCE_PAGE = "/bench/reference/"
REFERENCE_LIST = "/api/v1/bench/reference/"


class Target(NamedTuple):
    path: str
    # "public" (anonymous), "staff", "reviewer", "ambassador" or "founder" (the demo person's session),
    # "partner" (the demo partner's token)
    who: str
    reference: str | None  # None for a reference itself
    least_ratio: float | None  # the least req/s ratio to the reference that passes


# Everything measured, in the order each round visits it: every page (each GET a person can load)
# and API list of every app. A new page or API list adds a row. ``{name}`` in a path is the id (or
# slug) ``demo_ids`` finds in the seeded data, so each page shows a real row of the demo data.
PUBLIC, SIGNED_IN, STAFF_BAR = 1 / 3, 1 / 5, 1 / 5
TARGETS = [
    Target(REFERENCE_PAGE, "public", None, None),
    # Public pages and downloads
    Target("/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/missions/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/missions/economy/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/indicators/M1-06/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/indicators/M1-01/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/indicators/M1-06/observations.csv", "public", REFERENCE_PAGE, PUBLIC),
    Target("/indicators/M1-06/observations.json", "public", REFERENCE_PAGE, PUBLIC),
    Target("/workspaces/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/workspaces/criteria/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/workspaces/fazeley-yard-studios/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/workspaces.csv", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/workspaces.json", "public", REFERENCE_PAGE, PUBLIC),
    Target("/funding/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/funding/{opportunity}/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/funding/deadlines.ics", "public", REFERENCE_PAGE, PUBLIC),
    Target("/funding/budget/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/funding/alerts/unsubscribed/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/accessibility/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/feedback/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/feedback/thank-you/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/privacy/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/partners/getting-started/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/catalog.jsonld", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/catalog.ttl", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/funding-opportunities.csv", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/funding-opportunities.json", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/ambassadors.csv", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/ambassadors.json", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/grants-360giving.json", "public", REFERENCE_PAGE, PUBLIC),
    Target("/data/grants-360giving.csv", "public", REFERENCE_PAGE, PUBLIC),
    Target("/api/v1/docs/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/ambassadors/directory/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/ambassadors/directory/{public_ambassador}/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/account/deleted/", "public", REFERENCE_PAGE, PUBLIC),
    Target("/healthz", "public", REFERENCE_PAGE, PUBLIC),
    # Staff: the dashboard, partners and credentials, KPI refreshes
    Target("/dashboard/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/partners/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/partners/{partner}/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/api-credentials/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/api-credentials/suggest/organisations/?q=Birmingham", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/api-credentials/{credential}/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/api-credentials/{credential}/rotate/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/api-credentials/{credential}/revoke/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/observations/new/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/kpi-refreshes/{refresh_run}/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/kpi-refreshes/{refresh_run}/progress/", "staff", REFERENCE_PAGE, STAFF_BAR),
    # Staff and reviewers: workspaces, applications, tenancies
    Target("/dashboard/applications/", "reviewer", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/applications/{submitted_application}/", "reviewer", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/workspaces/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/workspaces/new/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/workspaces/fazeley-yard-studios/edit/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/tenancies/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/tenancies/{tenancy}/end/", "staff", REFERENCE_PAGE, STAFF_BAR),
    # Staff: the ambassador network and leads
    Target("/dashboard/ambassadors/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/ambassadors/{ambassador}/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/ambassadors/{ambassador}/edit/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/ambassadors/invitations/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/ambassadors/invitations/new/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/briefings/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/ambassadors/coverage/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/ambassadors/target-markets/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/ambassadors/map/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/leads/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/leads/?view=board", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/leads/new/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/leads/suggest/ambassadors/?q=Kavya", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/leads/{lead}/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/leads/{lead}/move/", "staff", REFERENCE_PAGE, STAFF_BAR),
    # Staff: funding, the budget and the investment register
    Target("/dashboard/funding/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/funding/new/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/funding/suggest/funders/?q=Midlands", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/funding/{opportunity}/edit/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/funding/{opportunity}/withdraw/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/budget/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/budget/plan/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/budget/spend/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/budget/spend/new/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/budget/spend/{spend}/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/budget/spend/{spend}/edit/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/budget/spend/{spend}/remove/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target(
        "/dashboard/investments/?kind=equity&lead=international&ordering=-amount_gbp",
        "staff",
        REFERENCE_PAGE,
        STAFF_BAR,
    ),
    Target("/dashboard/investments/export.csv", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/duplicates/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/{investment}/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/{investment}/edit/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/{investment}/delete/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/new/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/suggest/firms/?q=Synthetic", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/suggest/investors/?q=Birmingham", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/import/", "staff", REFERENCE_PAGE, STAFF_BAR),
    Target("/dashboard/investments/import/template.csv", "staff", REFERENCE_PAGE, STAFF_BAR),
    # The ambassador's own pages
    Target("/ambassadors/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    Target("/ambassadors/profile/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    Target("/ambassadors/activities/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    Target("/ambassadors/activities/new/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    Target("/ambassadors/activities/{own_activity}/edit/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    Target("/ambassadors/briefings/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    Target("/ambassadors/leads/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    Target("/ambassadors/leads/new/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    Target("/ambassadors/leads/{own_lead}/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    Target("/ambassadors/impact/", "ambassador", REFERENCE_PAGE, SIGNED_IN),
    # A founder's own pages: applications, the opportunities that fit their firm, funding alerts.
    Target("/workspaces/applications/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/workspaces/applications/new/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/workspaces/applications/{draft_application}/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/workspaces/applications/{draft_application}/steps/firm/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/workspaces/applications/{draft_application}/check/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/workspaces/applications/{offered_application}/respond/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/workspaces/applications/{offered_application}/withdraw/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/funding/matches/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/funding/alerts/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/funding/alerts/new/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/funding/alerts/{alert}/edit/", "founder", REFERENCE_PAGE, SIGNED_IN),
    Target("/funding/alerts/{alert}/delete/", "founder", REFERENCE_PAGE, SIGNED_IN),
    # A person's own account pages: sessions, their data and its download, deleting the account.
    Target("/accounts/sessions/", "staff", REFERENCE_PAGE, SIGNED_IN),
    Target("/account/data/", "staff", REFERENCE_PAGE, SIGNED_IN),
    Target("/account/data/download/", "staff", REFERENCE_PAGE, SIGNED_IN),
    Target("/account/delete/", "staff", REFERENCE_PAGE, SIGNED_IN),
    # Every API list
    Target(REFERENCE_LIST, "partner", None, None),
    Target("/api/v1/indicators/", "partner", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/missions/", "partner", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/kpi-refreshes/", "staff", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/workspaces/", "partner", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/workspace-applications/", "staff", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/organisations/", "partner", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/ambassadors/", "partner", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/ambassador-activities/", "staff", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/api-writes/", "partner", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/webhook-subscriptions/", "partner", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/webhook-deliveries/", "partner", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/leads/", "staff", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/funding-opportunities/", "partner", REFERENCE_LIST, 1 / 2),
    Target("/api/v1/investments/", "partner", REFERENCE_LIST, 1 / 2),
]

# BENCH_WEB_ONLY=/dashboard/,/missions/ measures those (and the references) alone, while working on them.
_ONLY = {path for path in os.environ.get("BENCH_WEB_ONLY", "").split(",") if path}
if _ONLY:
    TARGETS = [target for target in TARGETS if target.reference is None or target.path in _ONLY]

# wrk prints its own summary, then this line: the figures of one run, in microseconds.
WRK_REPORT_LUA = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def _sigterm_exits(signum, frame):
    raise SystemExit(128 + signum)  # so every cleanup below runs, as on Ctrl-C


# Setting up: data, static files, who signs the requests


def demo_seed(scale: int) -> None:
    from django.core.management import call_command

    call_command("seed_demo", scale=scale, stdout=io.StringIO())


def database_analyse() -> None:
    """VACUUM ANALYZE after the bulk load, as an operator would, so the planner knows the sizes."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def reference_rows_seed(count: int = 60) -> None:
    from django.utils import timezone

    from bench.reference.models import ReferenceRow

    now = timezone.now()
    ReferenceRow.objects.bulk_create(
        ReferenceRow(name=f"Reference row {n:03d}", value=n * 7, created_at=now - datetime.timedelta(hours=n))
        for n in range(count)
    )


def demo_ids() -> dict[str, object]:
    """The ids (or slugs) the targets' paths name, looked up in the seeded demo data: each the
    first of its kind by id, so the same row at every size (the large data set is added after
    the demo data). A row the demo data does not hold is a HarnessError."""
    from ambassadors.models import Activity, Ambassador, Lead
    from funding.models import Alert, Investment, Opportunity, SpendEntry
    from missions.models import RefreshRun
    from portal.models import Organisation, PartnerCredential
    from workspaces.models import Application, Tenancy

    demo_ambassador = {"user__email": "ambassador@example.org"}
    founder = {"applicant__email": "founder@example.org"}
    A = Application.Status
    queries = {
        "opportunity": Opportunity.objects.filter(withdrawn_at__isnull=True),
        "public_ambassador": Ambassador.objects.filter(public_profile=True, status=Ambassador.Status.ACTIVE),
        "partner": Organisation.objects.exclude(kind=Organisation.Kind.FIRM).filter(credentials__isnull=False),
        "credential": PartnerCredential.objects.filter(revoked_at__isnull=True),
        "refresh_run": RefreshRun.objects.all(),
        "submitted_application": Application.objects.filter(status__in=[A.SUBMITTED, A.IN_REVIEW]),
        "tenancy": Tenancy.objects.filter(ended_on__isnull=True),
        "ambassador": Ambassador.objects.filter(**demo_ambassador),
        "lead": Lead.objects.filter(referred_by__user__email="ambassador@example.org"),
        "spend": SpendEntry.objects.all(),
        "investment": Investment.objects.all(),
        "own_activity": Activity.objects.filter(ambassador__user__email="ambassador@example.org"),
        "own_lead": Lead.objects.filter(referred_by__user__email="ambassador@example.org"),
        "draft_application": Application.objects.filter(status=A.DRAFT, **founder),
        "offered_application": Application.objects.filter(status=A.OFFERED, **founder),
        "alert": Alert.objects.filter(user__email="founder@example.org"),
    }
    ids = {}
    for name, queryset in queries.items():
        ids[name] = queryset.order_by("pk").values_list("pk", flat=True).first()
        if ids[name] is None:
            raise HarnessError(f"the demo data has no row for {{{name}}}")
    return ids


def targets_resolve(ids: dict[str, object]) -> None:
    """Put the demo data's ids into the targets' paths (module-wide, as every step reads TARGETS)."""
    global TARGETS
    TARGETS = [target._replace(path=target.path.format(**ids)) for target in TARGETS]


def person_sign_in(email: str) -> Client:
    """A demo person (staff, ambassador) signed in through allauth's own pages: password, then TOTP."""
    import pyotp
    from django.urls import reverse

    from portal import demo

    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": demo.DEMO_PASSWORD})
    if response.status_code != 302 or response["Location"] != reverse("mfa_authenticate"):
        raise HarnessError(f"{email} sign-in: expected the TOTP step, got {response.status_code}")
    response = client.post(reverse("mfa_authenticate"), {"code": pyotp.TOTP(demo.DEMO_TOTP_SECRET).now()})
    if response.status_code != 302 or response["Location"] == reverse("mfa_authenticate"):
        raise HarnessError(f"{email} sign-in: the TOTP code was refused ({response.status_code})")
    client.get(response["Location"])  # the page after sign-in, which shows and clears its message
    return client


def founder_sign_in(email: str = "founder@example.org") -> Client:
    """The demo founder signed in through allauth's own page: a founder needs no TOTP."""
    from django.urls import reverse

    from portal import demo

    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": demo.DEMO_PASSWORD})
    if response.status_code != 302:
        raise HarnessError(f"{email} sign-in: expected a redirect, got {response.status_code}")
    client.get(response["Location"])
    return client


def session_cookies(client: Client) -> str:
    return "; ".join(
        f"{name}={client.cookies[name].value}" for name in ("sessionid", "csrftoken") if name in client.cookies
    )


def partner_token() -> str:
    """A bearer token of the demo partner, by client credentials at /o/token/."""
    from portal import demo

    response = Client().post(
        "/o/token/",
        {
            "grant_type": "client_credentials",
            "client_id": demo.DEMO_PARTNER_CLIENT_ID,
            "client_secret": demo.DEMO_PARTNER_SECRET,
        },
    )
    if response.status_code != 200:
        raise HarnessError(f"partner token: /o/token/ answered {response.status_code}: {response.content[:200]!r}")
    return response.json()["access_token"]


def requesters() -> tuple[dict[str, Client], dict[str, list[str]]]:
    """For each kind of requester: a test client (in-process counts) and its HTTP headers (wrk)."""
    staff = person_sign_in("staff@example.org")
    reviewer = person_sign_in("reviewer@example.org")
    # The demo ambassador's profile and leads come from the ambassadors app's demo data.
    ambassador = person_sign_in("ambassador@example.org")
    # The demo founder's firm and alerts come from the portal's and the funding app's demo data.
    founder = founder_sign_in()
    token = partner_token()
    clients = {
        "public": Client(),
        "staff": staff,
        "reviewer": reviewer,
        "ambassador": ambassador,
        "founder": founder,
        "partner": Client(headers={"Authorization": f"Bearer {token}"}),
    }
    headers = {
        "public": [],
        "staff": [f"Cookie: {session_cookies(staff)}"],
        "reviewer": [f"Cookie: {session_cookies(reviewer)}"],
        "ambassador": [f"Cookie: {session_cookies(ambassador)}"],
        "founder": [f"Cookie: {session_cookies(founder)}"],
        "partner": [f"Authorization: Bearer {token}"],
    }
    return clients, headers


# SQL queries, in-process


@contextmanager
def cache_prefixed(suffix: str):
    """Every cache under a prefix of its own: an empty cache without flushing anyone's Redis."""
    from django.conf import settings
    from django.test.utils import override_settings

    caches = {
        alias: {**config, "KEY_PREFIX": f"{config['KEY_PREFIX']}-{suffix}"} for alias, config in settings.CACHES.items()
    }
    with override_settings(CACHES=caches):
        yield


def queries_count(clients: dict[str, Client], label: str) -> dict[str, dict[str, int]]:
    """Each target's SQL queries: the first request on an empty cache, then a repeat."""
    counts = {}
    with cache_prefixed(label):
        for target in TARGETS:
            # A signed-in session records its activity at most once a minute (UserSessionsMiddleware):
            # a request to the reference page just before takes that write, so no target counts it.
            clients[target.who].get(REFERENCE_PAGE)
            per_request = []
            for _ in range(2):
                # Every database's queries: with DATABASE_REPLICA_URL set, most reads go to the replica.
                with ExitStack() as stack:
                    queries = [stack.enter_context(CaptureQueriesContext(each)) for each in connections.all()]
                    response = clients[target.who].get(target.path)
                if not 200 <= response.status_code < 300:
                    raise HarnessError(f"{target.path} ({target.who}) answered {response.status_code} in-process")
                per_request.append(sum(len(each.captured_queries) for each in queries))
            counts[target.path] = {"first": per_request[0], "repeat": per_request[1]}
    return counts


# Serving and measuring


@contextmanager
def gunicorn_serving(database_name: str, log_path: Path):
    """gunicorn against the benchmark's database (bench/serving.py), ready once the reference page
    answers."""
    url = urlsplit(os.environ["DATABASE_URL"])
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": url._replace(path=f"/{database_name}").geturl(),
    }
    with serving.gunicorn_serving(env, log_path, workers=WORKERS, ready_path=REFERENCE_PAGE) as port:
        yield port


def wrk(port: int, target: Target, headers: list[str], seconds: int, script: Path) -> dict:
    """One wrk run against one target: its counts and latency percentiles."""
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    command.append(f"http://127.0.0.1:{port}{target.path}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    lines = [line for line in result.stdout.splitlines() if line.startswith("BENCH ")]
    if result.returncode != 0 or not lines:
        raise HarnessError(f"wrk failed on {target.path}: {result.returncode}\n{result.stdout}{result.stderr}")
    figures = json.loads(lines[-1].removeprefix("BENCH "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def serve_and_measure(database_name: str, headers: dict[str, list[str]], workdir: Path) -> dict[str, list[dict]]:
    script = workdir / "report.lua"
    script.write_text(WRK_REPORT_LUA)
    LOG_PATH.parent.mkdir(parents=True, exist_ok=True)
    with gunicorn_serving(database_name, LOG_PATH) as port:
        wrong = [
            f"{t.path} ({t.who}): {status}"
            for t in TARGETS
            if not 200 <= (status := status_of(port, t.path, headers[t.who])) < 300
        ]
        if wrong:
            raise HarnessError("every target must answer 2xx before it is measured:\n  " + "\n  ".join(wrong))
        for target in TARGETS:  # each worker compiles its templates and opens its connection
            wrk(port, target, headers[target.who], WARM_UP_SECONDS, script)
        runs = {target.path: [] for target in TARGETS}
        for round_ in range(ROUNDS):
            print(f"  round {round_ + 1} of {ROUNDS}", file=sys.stderr, flush=True)
            for target in TARGETS:
                runs[target.path].append(wrk(port, target, headers[target.who], SECONDS, script))
    return runs


# Reporting


def summarise(runs: dict[str, list[dict]], queries: dict[int, dict]) -> list[dict]:
    """Median of the rounds per target, ratios to the reference and the thresholds' verdicts."""
    rows = {}
    for target in TARGETS:
        rounds = runs[target.path]
        rows[target.path] = {
            "path": target.path,
            "who": target.who,
            "reference": target.reference,
            "rps": statistics.median(r["rps"] for r in rounds),
            "p50_ms": statistics.median(r["p50_us"] for r in rounds) / 1000,
            "p95_ms": statistics.median(r["p95_us"] for r in rounds) / 1000,
            "non_2xx": sum(r["non_2xx"] for r in rounds),
            "socket_errors": sum(r["socket_errors"] for r in rounds),
            "queries": {str(scale): counts[target.path] for scale, counts in queries.items()},
            "rounds": rounds,
        }
    for target in TARGETS:
        row = rows[target.path]
        first = {counts["first"] for counts in row["queries"].values()}
        # A reference is not judged, only checked for errors: it is what the others are judged by.
        checks = {"errors": row["non_2xx"] + row["socket_errors"] == 0, "queries": len(first) == 1}
        if target.reference:
            reference = rows[target.reference]
            row["ratio"] = {key: row[key] / reference[key] for key in ("rps", "p50_ms", "p95_ms")}
            row["least_rps_ratio"] = target.least_ratio
            checks["req/s"] = row["ratio"]["rps"] >= target.least_ratio
            checks["p95"] = row["p95_ms"] < P95_LIMIT_MS
        row["checks"] = checks
        row["pass"] = all(checks.values())
    return list(rows.values())


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    return {"nproc": os.cpu_count(), "cpu": cpu, "date": datetime.date.today().isoformat(), "load_average": load}


def report(rows: list[dict], about: dict) -> None:
    def fraction(ratio: float) -> str:
        return {1 / 3: "1/3", 1 / 5: "1/5", 1 / 2: "1/2"}.get(ratio, f"{ratio:.2f}")

    print(
        f"Web benchmark: gunicorn ({WORKERS} sync workers, DEBUG off, PostgreSQL, Redis), wrk -t{THREADS} "
        f"-c{CONNECTIONS}, median of {ROUNDS} rounds of {SECONDS} s per target; "
        + ("seed_demo --scale large data" if LARGE else "seed_demo data")
    )
    print(f"Machine: {about['nproc']} CPUs, {about['cpu']}, {about['date']}, load average {about['load_average']}")
    head = f"{'target':<36} {'req/s':>7} {'x ref':>6} {'p50 ms':>7} {'x ref':>6} {'p95 ms':>7} {'x ref':>6}"
    head += f"  {'queries ' + QUERY_SIZES:>15}  {'needs':<20} result"
    print(head)
    for row in rows:
        queries = "/".join(str(row["queries"][scale]["first"]) for scale in row["queries"])
        if row["reference"]:
            ratio = row["ratio"]
            ratios = [f"{ratio['rps']:6.2f}", f"{ratio['p50_ms']:6.2f}", f"{ratio['p95_ms']:6.2f}"]
            needs = f">={fraction(row['least_rps_ratio'])} ref, p95<{P95_LIMIT_MS:.0f}"
        else:
            ratios = ["   ref"] * 3
            needs = "reference"
        failed = [name for name, ok in row["checks"].items() if not ok]
        result = ("FAIL " + ", ".join(failed)) if failed else ("pass" if row["reference"] else "-")
        name = row["path"] + (f" ({row['who']})" if row["who"] in ("staff", "ambassador", "founder") else "")
        print(
            f"{name:<36} {row['rps']:>7.0f} {ratios[0]} {row['p50_ms']:>7.1f} {ratios[1]} {row['p95_ms']:>7.1f} "
            f"{ratios[2]}  {queries:>15}  {needs:<20} {result}"
        )
    print("API rows are requested with the demo partner's bearer token (the leads list with the staff session);")
    print("queries are the SQL statements of one")
    print(f"request on an empty cache, after seed_demo and after seed_demo --scale {LARGE_SCALE}.")
    if LARGE:
        print("Every figure but the first query count is measured on seed_demo --scale large's data set.")
    for row in rows:
        if not row["checks"]["errors"]:
            print(
                f"Errors on {row['path']}: {row['non_2xx']} answers other than 2xx/3xx, {row['socket_errors']} "
                f"socket errors or timeouts; see {LOG_PATH.relative_to(ROOT)}"
            )
        if not row["reference"] and row["p95_ms"] >= P95_LIMIT_MS:
            print(
                f"Note: the reference {row['path']} itself takes {row['p95_ms']:.0f} ms at p95, so p95 < "
                f"{P95_LIMIT_MS:.0f} ms\nis out of reach on this machine as loaded; "
                "the ratios still compare like with like."
            )


def cache_entries_delete() -> None:
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    # Django's Redis cache puts ":<version>:" before the prefix, so match it anywhere in the key.
    keys = list(client.scan_iter(match=f"*{CACHE_PREFIX}*", count=1000))
    if keys:
        client.delete(*keys)


def main() -> None:
    from django.core.management import call_command

    from portal.celery import app as celery_app

    # Ctrl-C and SIGTERM unwind through every cleanup below, even when started in the background.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _sigterm_exits)
    # Seeding runs its jobs (e-mails) here instead of leaving them on the broker.
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    about = machine()  # the load average before this script adds its own
    started = time.monotonic()
    try:
        with bench_database(), tempfile.TemporaryDirectory(prefix="bench-web-") as workdir:
            database_name = connection.settings_dict["NAME"]
            call_command("collectstatic", interactive=False, verbosity=0)
            demo_seed(scale=1)
            reference_rows_seed()
            targets_resolve(demo_ids())
            clients, headers = requesters()
            queries_count(clients, "warm-up")  # per-process caches (content types, URL resolvers)
            queries = {1: queries_count(clients, "queries-1x")}
            if LARGE:  # measured on the large data set, its queries counted first
                demo_seed(scale=LARGE_SCALE)
                database_analyse()
                queries[LARGE_SCALE] = queries_count(clients, f"queries-{LARGE_SCALE}")
            print(f"Seeded and counted in {time.monotonic() - started:.0f} s; measuring", file=sys.stderr)
            runs = serve_and_measure(database_name, headers, Path(workdir))
            if not LARGE:
                demo_seed(scale=LARGE_SCALE)
                queries[LARGE_SCALE] = queries_count(clients, f"queries-{LARGE_SCALE}x")
    finally:
        cache_entries_delete()
    rows = summarise(runs, queries)
    report(rows, about)
    JSON_PATH.parent.mkdir(parents=True, exist_ok=True)
    settings_used = {
        "workers": WORKERS,
        "connections": CONNECTIONS,
        "threads": THREADS,
        "rounds": ROUNDS,
        "seconds": SECONDS,
        "data": "seed_demo --scale large" if LARGE else "seed_demo",
        "query_sizes": [str(size) for size in queries],
    }
    payload = {"machine": about, "settings": settings_used, "p95_limit_ms": P95_LIMIT_MS, "targets": rows}
    JSON_PATH.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"Figures written to {JSON_PATH.relative_to(ROOT)} ({time.monotonic() - started:.0f} s in all)")


if __name__ == "__main__":
    try:
        main()
    except HarnessError as error:
        sys.exit(f"bench/web.py failed: {error}")
    except KeyboardInterrupt:
        sys.exit("bench/web.py interrupted; gunicorn stopped and the database dropped")
