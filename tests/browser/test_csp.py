"""The strict Content-Security-Policy in Chromium: the pages whose scripts do the most (charts, the
world map, htmx polling, the API documentation, the admin's schedule form) run them under the
policy with no `securitypolicyviolation` event, and GOV.UK Frontend's feature check, a same-origin
file since the policy allows no inline script, marks the page before it is drawn.

Which pages hold no inline code at all, and the header on every page, is tests/test_csp.py's."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from missions.models import Observation, RefreshRun
from portal.demo import DEMO_PASSWORD
from tests.browser.conftest import sign_in
from tests.browser.test_api_docs import RECORD_VIOLATIONS, csp_violations
from tests.missions.factories import RefreshRunFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def staff_page(make_page):
    """Chromium signed in as the demo's member of staff, recording every CSP violation and script
    error from the first script of each page on."""
    call_command("seed_demo", stdout=io.StringIO())
    page = make_page()
    page.add_init_script(RECORD_VIOLATIONS)
    page.script_errors = []
    page.on("pageerror", lambda error: page.script_errors.append(str(error)))
    sign_in(page, "staff@example.org", password=DEMO_PASSWORD)
    return page


def open_page(page, path: str, *, portal_layout: bool = True) -> None:
    response = page.goto(path)
    assert response.status == 200, (path, response.status)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in f"{policy};" and "style-src 'self';" in f"{policy};", policy
    page.wait_for_load_state("networkidle")
    if not portal_layout:  # the admin's own layout
        return
    classes = page.evaluate("document.body.className")
    assert "js-enabled" in classes and "govuk-frontend-supported" in classes, (path, classes)


def test_pages_run_their_scripts_with_no_policy_violation(staff_page):
    page = staff_page
    charted = (
        Observation.objects.filter(status=Observation.Status.PUBLISHED)
        .values("indicator__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "indicator__code")
        .first()["indicator__code"]
    )
    visited = {}
    # An indicator's chart (Chart.js) and the budget's burn-up chart draw on a canvas.
    for path in (f"/indicators/{charted}/", "/dashboard/budget/"):
        open_page(page, path)
        page.locator("canvas").first.wait_for()
        visited[path] = csp_violations(page)
    # The network's world map fetches the country shapes from the portal and draws them.
    open_page(page, "/dashboard/ambassadors/map/")
    page.locator("canvas").first.wait_for()
    visited["map"] = csp_violations(page)
    # A refresh still queued: htmx polls its progress and swaps it in.
    run = RefreshRunFactory(status=RefreshRun.Status.QUEUED)
    with page.expect_response(
        lambda response: (
            f"/dashboard/kpi-refreshes/{run.pk}/" in response.url
            and response.request.headers.get("hx-request") == "true"
        )
    ):
        open_page(page, f"/dashboard/kpi-refreshes/{run.pk}/")
    visited["htmx"] = csp_violations(page)
    # The API documentation: Swagger UI.
    open_page(page, "/api/v1/docs/")
    page.get_by_text("List organisations").first.wait_for()
    visited["docs"] = csp_violations(page)
    # The admin's schedule form, whose script (a same-origin file here, inline in
    # django-celery-beat) hides the translation field and writes the chosen crontab in words.
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.filter(crontab__isnull=False).order_by("pk").first()
    open_page(page, f"/admin/django_celery_beat/periodictask/{task.pk}/change/", portal_layout=False)
    assert not page.locator(".field-crontab_translation").is_visible()
    select = page.locator("#id_crontab")
    options = select.locator("option").evaluate_all("(options) => options.map((o) => o.value).filter(Boolean)")
    select.select_option(options[-1])
    page.locator(".field-crontab .help").get_by_text("Translation:").wait_for()
    visited["admin"] = csp_violations(page)
    assert visited == dict.fromkeys(visited, []), visited
    assert page.script_errors == []
