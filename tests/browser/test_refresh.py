"""The KPI refresh in the browser: started from the dashboard with the keyboard, and its progress
updating live on the run page."""

import re

import pytest
from playwright.sync_api import expect

from missions.catalogue import indicator_catalogue_sync
from missions.models import RefreshRun
from tests.browser.conftest import assert_accessible, sign_in
from tests.missions.factories import RefreshRunFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_staff_start_a_refresh_from_the_dashboard_with_the_keyboard(page, staff_user):
    indicator_catalogue_sync()
    sign_in(page, staff_user.email)
    page.goto("/dashboard/")
    assert_accessible(page)
    button = page.get_by_role("button", name="Refresh KPIs now")
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/dashboard/kpi-refreshes/\d+/$"))
    run = RefreshRun.objects.get()
    assert run.status == RefreshRun.Status.SUCCEEDED
    status = page.get_by_role("status")
    assert f"{run.indicators_total} of {run.indicators_total} indicators (100%)" in status.inner_text()
    assert "Succeeded" in status.inner_text()
    assert_accessible(page)


def test_the_run_page_follows_progress_live_and_stops_when_it_ends(page, staff_user):
    run = RefreshRunFactory(status=RefreshRun.Status.RUNNING, indicators_done=1, indicators_total=4)
    sign_in(page, staff_user.email)
    page.goto(f"/dashboard/kpi-refreshes/{run.pk}/")
    status = page.get_by_role("status")
    expect(status).to_contain_text("1 of 4 indicators (25%)")
    assert_accessible(page)

    RefreshRun.objects.filter(pk=run.pk).update(indicators_done=3)
    expect(status).to_contain_text("3 of 4 indicators (75%)")
    RefreshRun.objects.filter(pk=run.pk).update(indicators_done=4, status=RefreshRun.Status.SUCCEEDED)
    expect(status).to_contain_text("Succeeded")
    expect(page.locator("progress")).to_have_attribute("value", "4")

    # Finished: the server answered 286, so htmx stops asking.
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "progress" in request.url else None)
    page.wait_for_timeout(4500)
    assert requests == []
