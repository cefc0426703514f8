"""The staff dashboard's workspace panel: live occupancy per workspace and overall, the links to
the review queue and workspace management, who sees it, and a query count that does not grow
with the number of workspaces."""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from portal.page_cache import CACHE_ALIAS
from tests.workspaces.factories import WorkspaceFactory, offered_application
from workspaces import services
from workspaces.models import DeskType

pytestmark = pytest.mark.django_db

DASHBOARD = "/dashboard/"


def panel(client) -> str:
    content = client.get(DASHBOARD).content.decode()
    start = content.index('aria-labelledby="workspaces-heading"')
    return content[start : content.index("</section>", start)]


def row(html: str, name: str) -> list[str]:
    """The cells of the table row headed ``name``, as text."""
    match = re.search(rf"<tr class=\"govuk-table__row\">\s*<th[^>]*>(?:<a[^>]*>)?{re.escape(name)}.*?</tr>", html, re.S)
    assert match, name
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(0), re.S)]


def test_the_panel_shows_each_workspace_and_the_total_with_links(client, staff_user):
    first = WorkspaceFactory(name="Alpha Studios", pools={DeskType.HOT_DESK: 6, DeskType.FIXED_DESK: 4})
    WorkspaceFactory(name="Beta Works", pools={DeskType.FIXED_DESK: 10})
    WorkspaceFactory(name="Empty Loft", pools={})
    offered_application(staff=staff_user, workspace=first, desks=3)
    client.force_login(staff_user)

    html = panel(client)
    assert f'href="{first.get_absolute_url()}"' in html
    assert row(html, "Alpha Studios") == ["10", "3", "7", "30.0%"]
    assert row(html, "Beta Works") == ["10", "0", "10", "0.0%"]
    assert row(html, "Empty Loft") == ["0", "0", "0", "No desks"]
    assert row(html, "All workspaces") == ["20", "3", "17", "15.0%"]
    assert f'href="{reverse("workspaces:review-queue")}"' in html
    assert f'href="{reverse("workspaces:workspace-manage")}"' in html


def test_the_panel_says_so_when_there_are_no_workspaces(client, staff_user):
    client.force_login(staff_user)
    html = panel(client)
    assert "No workspaces are listed yet." in html
    assert "<table" not in html


def test_occupancy_follows_an_offer_its_acceptance_and_a_declined_offer(client, staff_user):
    workspace = WorkspaceFactory(name="Gamma Hub", pools={DeskType.FIXED_DESK: 10})
    client.force_login(staff_user)
    assert row(panel(client), "Gamma Hub") == ["10", "0", "10", "0.0%"]

    application = offered_application(staff=staff_user, workspace=workspace, desks=2)
    services.application_accept_offer(application=application, actor=application.applicant)
    assert row(panel(client), "Gamma Hub") == ["10", "2", "8", "20.0%"]

    other = offered_application(staff=staff_user, workspace=workspace, desks=3)
    assert row(panel(client), "Gamma Hub") == ["10", "5", "5", "50.0%"]
    services.application_decline_offer(application=other, actor=other.applicant)
    assert row(panel(client), "Gamma Hub") == ["10", "2", "8", "20.0%"]


def test_only_staff_see_the_dashboard(client, make_user):
    assert client.get(DASHBOARD).url.startswith(reverse("account_login"))
    for role in ("founder", "reviewer", "ambassador"):
        client.force_login(make_user(role))
        assert client.get(DASHBOARD).status_code == 403


def test_the_panel_adds_the_same_queries_for_2_or_50_workspaces(client, staff_user, count_queries):
    client.force_login(staff_user)
    client.get(DASHBOARD)  # a first request fills per-process caches
    caches[CACHE_ALIAS].clear()  # every measured request builds the page afresh
    with count_queries() as queries:
        assert client.get(DASHBOARD).status_code == 200
    without = queries.count
    counts = []
    for size in (2, 48):
        WorkspaceFactory.create_batch(size)
        caches[CACHE_ALIAS].clear()
        with count_queries() as queries:
            response = client.get(DASHBOARD)
        assert response.status_code == 200
        assert response.content.decode().count('class="govuk-link" href="/workspaces/') >= size
        counts.append(queries.count)
    assert counts[0] == counts[1] == without, (without, counts)
