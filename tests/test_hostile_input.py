"""Hostile input: text that looks like markup is shown as text everywhere, and no ``next``
parameter sends a person off the portal."""

import re
from pathlib import Path

import pytest

from portal.models import Organisation
from tests.conftest import DEMO_TOTP_SECRET
from tests.funding.factories import OpportunityFactory
from tests.portal.factories import OrganisationFactory

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = '<script>alert("owned")</script><img src=x onerror=alert(1)>'
# Marking text safe switches Django's escaping off. Each use that stays names what it shows,
# none of which comes from a user: allauth's password rules, written by developers.
MARKED_SAFE = re.compile(r"\|\s*safe\b|autoescape\s+off|mark_safe\(|SafeString\(|format_html\(")
ALLOWED = {("templates/allauth/elements/fields.html", "field.help_text|safe")}
EVIL = ["https://evil.example/", "//evil.example/", "https:/\\evil.example/", "javascript:alert(1)"]


def test_nothing_user_written_is_marked_safe():
    found = set()
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/**/*.py")]:
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "node_modules/", "tests/")):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if MARKED_SAFE.search(line):
                found.add((relative, next((a for r, a in ALLOWED if r == relative and a in line), line.strip())))
    assert found <= ALLOWED, sorted(found - ALLOWED)


@pytest.mark.django_db
def test_markup_in_text_fields_is_shown_as_text(client, staff_user):
    funder = OrganisationFactory(kind=Organisation.Kind.FUNDER, name=SCRIPT, company_number="")
    opportunity = OpportunityFactory(funder=funder, title=SCRIPT, summary=SCRIPT, eligibility=SCRIPT)
    # The calendar feed is plain text by its standard, never read as HTML.
    assert client.get("/funding/deadlines.ics")["Content-Type"].startswith("text/calendar")
    pages = ["/funding/", f"/funding/{opportunity.pk}/"]
    client.force_login(staff_user)
    pages += ["/dashboard/funding/"]
    for path in pages:
        response = client.get(path)
        content = response.content.decode()
        assert response["Content-Type"].startswith("text/html"), path
        assert "<script>alert" not in content and "<img src=x" not in content, path
    assert (
        "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;"
        in client.get(f"/funding/{opportunity.pk}/").content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL)
def test_signing_in_never_follows_a_next_off_the_portal(client, founder_user, target):
    response = client.post(
        "/accounts/login/", {"login": founder_user.email, "password": "correct-horse-battery-staple", "next": target}
    )
    assert response.status_code in (302, 303), response.status_code
    assert not _off_site(response["Location"]), response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL)
def test_the_second_step_and_signing_out_never_follow_a_next_off_the_portal(client, staff_user, target):
    import pyotp

    client.post("/accounts/login/", {"login": staff_user.email, "password": "correct-horse-battery-staple"})
    response = client.post(
        f"/accounts/2fa/authenticate/?next={target}", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now(), "next": target}
    )
    assert response.status_code in (302, 303) and not _off_site(response["Location"]), response.get("Location")
    response = client.post("/accounts/logout/", {"next": target})
    assert response.status_code in (302, 303) and not _off_site(response["Location"]), response["Location"]


def _off_site(location: str) -> bool:
    return not location.startswith("/") or location.startswith(("//", "/\\"))


CSV_NOT_FOR_PEOPLE = {"portal/exports.py", "portal/bulk_copy.py"}


def test_every_csv_the_portal_writes_escapes_formula_cells():
    """Each module that writes CSV turns its cells into text with ``portal.exports.csv_text`` (or
    writes through ``csv_document``, which does): a new download cannot forget it."""
    writers = re.compile(r"csv\.(writer|DictWriter)\(")
    missing = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        # exports.py is the escaping itself; bulk_copy.py streams rows to PostgreSQL's COPY, never
        # to a person's spreadsheet.
        if relative.startswith((".venv/", "node_modules/", "tests/")) or relative in CSV_NOT_FOR_PEOPLE:
            continue
        text = path.read_text(encoding="utf-8")
        if writers.search(text) and "csv_text" not in text:
            missing.append(relative)
    assert missing == []
