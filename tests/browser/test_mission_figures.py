"""Figures that explain themselves, read in Chromium on the demo data: no page shows "None", every
portal rate shows its base, every demo value carries the synthetic tag, and a mission page's
tiles show the numbers of its table. axe-core checks every kind of page read."""

import re
import time
from functools import partial

import pytest
from django.core.management import call_command
from django.db.models import Q

from missions.models import Indicator, Mission, Observation
from missions.selectors.figures import SYNTHETIC_NOTE
from tests.browser import conftest
from tests.browser.conftest import sign_in, totp_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

visit = partial(conftest.visit, console_clean=True)
SYNTHETIC_TAG = "Synthetic demo value"
# One indicator page of each kind is checked with axe: cohort rate, share, count, quarterly rate,
# reported with demo values, reported without values, official reference figure.
AXE_INDICATORS = {"M1-04-3Y", "M1-08", "M1-16H", "M1-17", "M2-03", "M3-01", "M1-R-BIRTHS"}


@pytest.fixture
def demo_data(staff_user):
    """The demo data as ``make run`` loads it: synthetic firms (SY…), demo workspaces, reported
    values marked synthetic, the official figures and one KPI refresh."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - closed with the process


def _sign_in(page, email: str) -> None:
    """Sign in; when the code's 30-second window closed as it was sent, answer with the next one."""
    sign_in(page, email)
    if "/2fa/" in page.url:
        time.sleep(31 - time.time() % 30)
        page.get_by_label(re.compile("code", re.I)).fill(totp_now())
        with page.expect_navigation():
            page.get_by_role("button", name=re.compile("sign in|verify|confirm", re.I)).click()
    assert "/2fa/" not in page.url and "/accounts/login/" not in page.url, page.url


def _text(page) -> str:
    return page.evaluate("document.body.innerText")


def _pages() -> list[str]:
    missions = [f"/missions/{slug}/" for slug in Mission.objects.values_list("slug", flat=True)]
    indicators = [f"/indicators/{code}/" for code in Indicator.objects.values_list("code", flat=True)]
    return ["/missions/", *missions, "/dashboard/", *indicators]


def _shows_demo_value(path: str) -> bool:
    """Whether a page shows a value that is demo data: an indicator page with any computed or
    synthetic-noted value (the demo register makes every computed value synthetic); a mission page
    whose indicators have one; the list and the dashboard."""
    observations = Observation.objects.filter(Q(status="computed") | Q(notes__startswith=SYNTHETIC_NOTE))
    if path.startswith("/indicators/"):
        return observations.filter(indicator__code=path.split("/")[2]).exists()
    if path.startswith("/missions/") and path != "/missions/":
        return observations.filter(indicator__mission__slug=path.split("/")[2]).exists()
    return observations.exists()  # the list and the dashboard show every mission's latest values


def test_no_page_shows_none_and_every_demo_value_is_tagged(page, staff_user, demo_data):
    _sign_in(page, staff_user.email)
    pages = _pages()
    assert len(pages) > 60
    for path in pages:
        checked = not path.startswith("/indicators/") or path.split("/")[2] in AXE_INDICATORS
        if checked:
            visit(page, path)
        else:
            assert page.goto(path).status == 200, path
        text = _text(page)
        assert not re.search(r"\bNone\b", text), path
        if _shows_demo_value(path):
            assert SYNTHETIC_TAG in text, path
        else:
            assert SYNTHETIC_TAG not in text, path


def test_every_portal_rate_shows_its_base(page, staff_user, demo_data):
    _sign_in(page, staff_user.email)
    rates = {}
    for indicator in Indicator.objects.filter(method="computed", unit="%"):
        latest = (
            Observation.objects.filter(indicator=indicator, status="computed", denominator__isnull=False)
            .order_by("-period_end")
            .first()
        )
        if latest is not None:
            rates[indicator.code] = (indicator.mission.slug, latest)
    assert len(rates) >= 8
    for code, (slug, latest) in rates.items():
        base = f"{latest.numerator:,.0f} of {latest.denominator:,.0f}"
        for path in (f"/missions/{slug}/", "/dashboard/"):
            page.goto(path)
            cell = page.locator(f'tr[data-indicator="{code}"] td[data-cell="latest"]').first
            assert base in cell.inner_text(), (path, code)
            if latest.denominator < 30:
                assert "Small base" in cell.inner_text(), (path, code)
        page.goto(f"/indicators/{code}/")
        assert base in page.locator("#latest-figure").inner_text(), code
        rows = page.locator("#values-table tbody tr").evaluate_all(
            "rows => rows.filter(r => r.dataset.series.startsWith('Portal')).map(r => r.cells[3].textContent)"
        )
        assert rows and all(re.search(r"[\d,]+ of [\d,]+", row) for row in rows), code


def test_mission_tiles_show_the_numbers_of_the_table(page, demo_data):
    shown = 0
    for slug in Mission.objects.values_list("slug", flat=True):
        visit(page, f"/missions/{slug}/")
        tiles = page.locator(".portal-tile").evaluate_all(
            """tiles => tiles.map(t => [t.dataset.indicator,
                 t.querySelector('[data-value]').textContent.trim(),
                 t.querySelector('[data-period]').textContent.trim().split('\\n')[0].trim(),
                 t.querySelector('[data-change]').textContent.trim(),
                 t.querySelector('[data-status]').textContent.trim()])"""
        )
        for code, value, period, change, status in tiles:
            row = page.locator(f'#indicators tr[data-indicator="{code}"]')
            assert row.locator("[data-value]").inner_text().strip() == value, code
            assert row.locator("[data-period]").inner_text().strip() == period, code
            assert row.locator('td[data-cell="change"]').inner_text().strip() == change, code
            assert row.locator('td[data-cell="status"]').inner_text().strip() == status, code
        shown += len(tiles)
        # A tile's trend line is decorative: hidden from assistive technology, the numbers are in the table.
        for svg in page.locator(".portal-tile svg").all():
            assert svg.get_attribute("aria-hidden") == "true"
        assert page.locator("[style]").count() == 0
    assert shown >= 4
    # Survival tiles name their cohort.
    page.goto("/missions/economy/")
    assert "firms born in" in page.locator(".portal-tiles").inner_text()
