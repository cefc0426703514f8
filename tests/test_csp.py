"""A strict Content-Security-Policy on every page, and no inline script, style or event handler in
any page's HTML.

The policy allows same-origin scripts and styles only: no 'unsafe-inline', no 'unsafe-eval', no
nonce and no hash, so a script that got into a page (through a missed escape, say) would not run.
That only works if the portal itself needs no inline code, so each page the demo data makes
reachable is visited by a signed-out visitor and by each role (following the links each one is
shown, a few pages per URL pattern), and its header and HTML are checked; every URL pattern of the
authorisation matrix must be reached that way or be named below with the reason it is not. Chromium
running the pages' scripts with the policy on is tests/browser/test_csp.py's.
"""

import io
import re
from collections import Counter, deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from portal.models import User
from portal.roles import Role
from tests.test_authorisation import ACCESS, ANONYMOUS

pytestmark = pytest.mark.django_db

# The demo's people, one per role (portal/demo.py), each with TOTP set up where the role needs it.
DEMO_USERS = {
    Role.FOUNDER: "founder@example.org",
    Role.AMBASSADOR: "ambassador@example.org",
    Role.REVIEWER: "reviewer@example.org",
    Role.STAFF: "staff@example.org",
}
# Pages of each URL pattern visited per role: enough to see a list, a filtered list and a detail
# page in several states, few enough to keep the crawl to seconds.
PER_PATTERN = 2
# Where the crawl does not go: the API's JSON (its docs page is crawled), static files, the OAuth2
# endpoints, and signing out (which would end the crawl's session).
NOT_CRAWLED = re.compile(r"^/(api/(?!v1/docs/)|static/|o/|accounts/logout/)")
# Patterns of the authorisation matrix that no GET link leads to, each with why; their HTML (if any)
# comes from templates this test's template scan covers.
NOT_LINKED = {
    # forms' actions (POST only) that no page links to: each answers with a redirect or its form again
    "portal:webhook-delivery-resend",
    "portal:session-end",
    "missions:refresh-run-create",
    "workspaces:application-bulk",
    "workspaces:review-create",
    "workspaces:application-decide",
    "ambassadors:ambassador-status",
    "ambassadors:invitation-resend",
    "ambassadors:invitation-revoke",
    "ambassadors:briefing-delete",
    "ambassadors:target-market-remove",
    "funding:investment-verify",
    "funding:investment-not-duplicate",
    "funding:investment-import-preview",
    # a form field's suggestions, fetched by htmx as a person types (the field names the address)
    "portal:credential-suggest-organisations",
    "ambassadors:lead-suggest-ambassadors",
    "funding:opportunity-suggest-funders",
    "funding:investment-suggest-firms",
    "funding:investment-suggest-investors",
    # reached from an email or a signed link, not from a page
    "ambassadors:invitation-accept",
    "funding:alert-unsubscribe",
    "funding:alert-unsubscribed",
    "portal:account-deleted",
    "portal:feedback-thanks",
    # the OAuth2 endpoints and the health check answer JSON
    "oauth2-token",
    "oauth2-revoke-token",
    "healthz",
    # progress fragments polled by htmx from a refresh's page
    "missions:refresh-run-progress",
}
# Source values a strict policy must not hold for scripts or styles.
LOOSE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'nonce-", "'sha256-", "'sha384-", "'sha512-", "*")
# A <script> with one of these types is data, which the browser never runs (json_script's output).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def policy_of(response) -> dict[str, list[str]]:
    header = response.get("Content-Security-Policy", "")
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


def loose_sources(policy: dict[str, list[str]]) -> list[str]:
    """What in the policy would let inline or injected code run (empty for a strict one)."""
    problems = []
    for directive in ("default-src", "script-src", "style-src"):
        if directive not in policy:
            problems.append(f"no {directive}")
    for directive, values in policy.items():
        if directive.startswith(("default-src", "script-src", "style-src")):
            problems += [
                f"{directive} {value}"
                for value in values
                if value.startswith(LOOSE) or value in ("http:", "https:", "data:")
            ]
    if policy.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if policy.get("base-uri") not in (["'self'"], ["'none'"]):
        problems.append("base-uri is not 'self'")
    return problems


class InlineCode(HTMLParser):
    """Collects a page's inline code (scripts, styles, event handlers, javascript: addresses) and
    its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        data = (attributes.get("type") or "").lower() in DATA_SCRIPT_TYPES
        if tag == "script" and not attributes.get("src") and not data:
            self.found.append(f"inline <script {attributes}>")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.found.append(f"style attribute on <{tag}>: {value!r}")
            elif name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                self.found.append(f"event handler {name} on <{tag}>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"javascript: address in {name} on <{tag}>")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def pattern_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client: Client, start: list[str]) -> tuple[dict[str, int], list[str]]:
    """Visit the pages reachable from ``start`` by following same-site links, at most
    ``PER_PATTERN`` per URL pattern. Returns the visits per pattern name and every problem found."""
    seen_paths, visits, problems = set(), Counter(), []
    queue = deque(start)
    while queue:
        url = urldefrag(queue.popleft()).url
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or NOT_CRAWLED.match(parts.path):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        name = pattern_name(parts.path)
        # The admin's pages share a few templates: one page of each pattern shows them.
        limit = 1 if name and name.startswith("admin:") else PER_PATTERN
        if path in seen_paths or name is None or visits[name] >= limit:
            continue
        seen_paths.add(path)
        visits[name] += 1
        response = client.get(path)
        problems += [f"{path}: {problem}" for problem in loose_sources(policy_of(response))]
        if response.status_code >= 500:
            problems.append(f"{path}: answered {response.status_code}")
        if not response.get("Content-Type", "").startswith("text/html") or response.streaming:
            continue
        page = InlineCode()
        page.feed(response.content.decode())
        problems += [f"{path}: {problem}" for problem in page.found]
        queue.extend(page.links)
        if response.status_code in (301, 302, 303):
            queue.append(response["Location"])
    return visits, problems


@pytest.fixture
def demo(settings, tmp_path):
    """The demo data, a briefing with a file (the demo has none) and the founder's draft's address
    (its check page is linked only once every step is done)."""
    from django.core.files.base import ContentFile

    from tests.ambassadors.factories import BriefingFactory
    from workspaces.models import Application

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=io.StringIO())
    BriefingFactory(file=ContentFile(b"%PDF-1.4 briefing", name="pitch.pdf"))
    draft = Application.objects.filter(applicant__email=DEMO_USERS[Role.FOUNDER], status="draft").get()
    return [f"/workspaces/applications/{draft.pk}/check/"]


def test_the_policy_allows_same_origin_scripts_and_styles_only():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_every_page_has_a_strict_policy_and_no_inline_code(demo):
    start = [
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/admin/",
        "/no-such-page/",
        *demo,
    ]
    reached: set[str] = set()
    problems = []
    for role in [ANONYMOUS, *DEMO_USERS]:
        client = Client()
        if role != ANONYMOUS:
            client.force_login(User.objects.get(email=DEMO_USERS[role]))
        visits, found = crawl(client, start)
        reached |= set(visits)
        problems += [f"{role} {problem}" for problem in found]
    assert not problems, "\n".join(problems)
    # Every page of the matrix was checked (or cannot be reached by a link, as NOT_LINKED says).
    assert set(ACCESS) - NOT_LINKED - reached == set(), "pages no link reached: link them or say why in NOT_LINKED"
    assert NOT_LINKED & reached == set(), "pages reached after all: take them out of NOT_LINKED"
    # allauth's and the admin's pages were among them.
    assert {"account_login", "account_email", "mfa_index", "admin:index"} <= reached


def test_a_refused_form_gets_the_portals_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/feedback/", {"what_you_were_doing": "x"})
    assert response.status_code == 403
    assert loose_sources(policy_of(response)) == []
    page = InlineCode()
    page.feed(response.content.decode())
    assert page.found == []
    assert "The form could not be sent" in response.content.decode()


TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_IN_SOURCE = re.compile(
    r"<style\b|\sstyle=|\son[a-z]+=|\shx-on|javascript:|<script(?![^>]*\ssrc=)(?![^>]*type=\"application/(?:ld\+)?json\")",
    re.IGNORECASE,
)


def test_no_template_holds_inline_code():
    # The error pages (400, 429, 500, 503) and emails' HTML included, which the crawl may not meet.
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INLINE_IN_SOURCE.search(line)
    ]
    assert offenders == []
