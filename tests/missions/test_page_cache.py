"""Cached pages and API lists: each changes at once after the write that changes its data, and
readers with different rights never see each other's fragments."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from missions import services
from missions.catalogue import indicator_catalogue_sync
from missions.models import Geography, Indicator, Observation, RefreshRun
from portal import page_cache
from portal.models import DataVersion, LocalAuthority, Organisation
from portal.roles import Role
from tests.missions.factories import WMCA, IndicatorFactory
from tests.missions.test_views import form_data
from tests.portal.factories import OrganisationFactory, UserFactory
from tests.workspaces.factories import WorkspaceFactory, offered_application
from tests.workspaces.test_catalogue_views import form_data_of
from workspaces.models import DeskType

pytestmark = pytest.mark.django_db


def text(response) -> str:
    """The page's visible text with whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def home_grown_firms(count: int) -> None:
    for _ in range(count):
        OrganisationFactory(
            company_number="",
            local_authority=LocalAuthority.BIRMINGHAM,
            founded_on=datetime.date(2021, 5, 1),
            origin=Organisation.Origin.HOME_GROWN,
        )


def test_indicator_and_mission_pages_change_at_once_after_a_refresh(client):
    indicator_catalogue_sync()
    home_grown_firms(3)
    services.refresh_run_start(trigger=RefreshRun.Trigger.STAFF)
    indicator_url = reverse("missions:indicator-detail", args=["M1-16H"])
    mission_url = reverse("missions:mission-detail", args=["economy"])
    assert "3 firms" in text(client.get(indicator_url))
    assert "3 firms" in text(client.get(mission_url))

    home_grown_firms(4)  # a write the refresh has not seen yet: the cached pages still agree
    run = services.refresh_run_start(trigger=RefreshRun.Trigger.STAFF)

    assert run.status == RefreshRun.Status.SUCCEEDED
    assert "7 firms" in text(client.get(indicator_url))
    assert "7 firms" in text(client.get(mission_url))
    assert "3 firms" not in text(client.get(indicator_url))


def test_pages_change_at_once_after_a_reported_value(client, staff_user):
    indicator = IndicatorFactory(unit="people", name="Residents trained in digital skills")
    page = reverse("missions:indicator-detail", args=[indicator.code])
    mission = reverse("missions:mission-detail", args=[indicator.mission.slug])
    assert "1,234 people" not in text(client.get(page))
    client.get(mission)  # cached before the value exists

    client.force_login(staff_user)
    response = client.post(reverse("missions:observation-create"), form_data(indicator, value="1234"))
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()

    assert "1,234 people" in text(client.get(page))
    assert "1,234 people" in text(client.get(mission))


def test_workspace_pages_change_at_once_after_an_edit_and_an_offer(client, staff_user):
    workspace = WorkspaceFactory(name="Canal Works", pools={DeskType.FIXED_DESK: 5})
    detail = reverse("workspaces:workspace-detail", args=[workspace.slug])
    listing = reverse("workspaces:workspace-list")
    assert "5 of 5" in text(client.get(detail))
    assert "Canal Works" in text(client.get(listing))

    client.force_login(staff_user)
    response = client.post(
        reverse("workspaces:workspace-update", args=[workspace.slug]),
        form_data_of(workspace, name="Canal Works Annexe", capacity_fixed_desk="8"),
    )
    assert response.status_code == 302
    client.logout()
    assert "8 of 8" in text(client.get(detail))
    assert "Canal Works Annexe" in text(client.get(listing))

    offered_application(staff=staff_user, workspace=workspace, desks=3)
    assert "5 of 8" in text(client.get(detail))
    api = client.get(reverse("workspace-list")).json()["results"]
    assert [pool["available"] for pool in api[0]["desk_types"]] == [5]


def test_a_rolled_back_write_leaves_the_version_alone():
    before = page_cache.data_versions()["missions"]
    with pytest.raises(RuntimeError), transaction.atomic():
        page_cache.data_version_bump("missions")
        raise RuntimeError("the write failed")
    assert page_cache.data_versions()["missions"] == before
    page_cache.data_version_bump("missions")
    assert DataVersion.objects.get(key="missions").version == before + 1


def test_unknown_data_keys_are_refused():
    with pytest.raises(ValueError, match="Unknown data keys"):
        page_cache.data_version_bump("missons")


def test_unknown_or_hidden_pages_are_404_whatever_is_cached(client, staff_user):
    hidden = IndicatorFactory(is_public=False)
    client.force_login(staff_user)
    assert client.get(reverse("missions:indicator-detail", args=[hidden.code])).status_code == 200
    client.logout()
    assert client.get(reverse("missions:indicator-detail", args=[hidden.code])).status_code == 404
    assert client.get(reverse("missions:indicator-detail", args=["M9-99"])).status_code == 404
    assert client.get(reverse("missions:mission-detail", args=["no-such-mission"])).status_code == 404
    assert client.get(reverse("workspaces:workspace-detail", args=["no-such-place"])).status_code == 404


def test_staff_and_the_public_never_share_a_mission_page(client, staff_user):
    hidden = IndicatorFactory(name="Internal pipeline measure", is_public=False)
    mission = reverse("missions:mission-detail", args=[hidden.mission.slug])
    client.force_login(staff_user)
    assert "Internal pipeline measure" in text(client.get(mission))
    client.logout()
    assert "Internal pipeline measure" not in text(client.get(mission))  # the staff fragment is cached
    founder = UserFactory(roles=[Role.FOUNDER])
    client.force_login(founder)
    assert "Internal pipeline measure" not in text(client.get(mission))
    client.force_login(staff_user)
    assert "Internal pipeline measure" in text(client.get(mission))  # and the public one too


def test_founders_and_visitors_never_share_a_workspace_page(client):
    workspace = WorkspaceFactory()
    detail = reverse("workspaces:workspace-detail", args=[workspace.slug])
    founder = UserFactory(roles=[Role.FOUNDER])
    client.force_login(founder)
    assert "Apply for workspace" in text(client.get(detail))
    client.logout()
    visitor = text(client.get(detail))
    assert "Apply for workspace" not in visitor
    assert "you need a founder's account" in visitor


def test_api_lists_are_cached_per_audience(api_client, staff_user, partner_token):
    token, partner = partner_token("read")
    owned = IndicatorFactory(name="Partner-owned measure", is_public=False, owner=partner)
    url = reverse("indicator-list")

    def codes(**headers) -> set[str]:
        return {row["code"] for row in api_client.get(url, {"page_size": 500}, **headers).json()["results"]}

    assert owned.code not in codes()  # the public list is now cached
    assert owned.code in codes(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert owned.code not in codes()
    api_client.force_login(staff_user)
    assert owned.code in codes()
    api_client.logout()
    assert owned.code not in codes()


def test_an_api_list_changes_at_once_after_a_reported_value(api_client, staff_user):
    indicator = IndicatorFactory(unit="people")
    url = reverse("indicator-list")

    def latest():
        rows = api_client.get(url, {"search": indicator.code}).json()["results"]
        return rows[0]["latest"]

    assert latest() is None
    services.observation_submit(
        indicator=indicator,
        geography=Geography.objects.get(code=WMCA),
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        value=Decimal("42"),
        submitted_by=staff_user,
    )
    assert latest()["value"] == 42
    assert Observation.objects.filter(indicator=indicator).count() == 1


def test_cached_pages_read_no_data(client, count_queries):
    """A cached page runs only its version read: no mission, indicator or workspace is read."""
    indicator_catalogue_sync()
    pages = {
        reverse("portal:home"): 0,
        reverse("missions:mission-list"): 1,
        reverse("missions:mission-detail", args=["economy"]): 1,
        reverse("missions:indicator-detail", args=["M1-16H"]): 1,
        reverse("workspaces:workspace-list"): 1,
        reverse("workspaces:workspace-detail", args=[WorkspaceFactory().slug]): 1,
    }
    for url, expected in pages.items():
        client.get(url)
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        assert queries.count == expected, (url, [q["sql"] for q in queries.captured_queries])
    assert Indicator.objects.exists()


def test_an_admin_change_shows_at_once(client, make_user):
    indicator = IndicatorFactory(name="Digital inclusion reach")
    page = reverse("missions:mission-detail", args=[indicator.mission.slug])
    assert "Digital inclusion reach" in text(client.get(page))
    operator = make_user(Role.STAFF, is_superuser=True, is_staff=True)
    client.force_login(operator)
    change = reverse("admin:missions_indicator_change", args=[indicator.pk])
    form = client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(name="Digital inclusion reach (renamed)", is_public="on")
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False}
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    client.logout()
    assert "Digital inclusion reach (renamed)" in text(client.get(page))


def test_a_workspace_page_shows_its_provider_renamed_at_once(client, api_client):
    from portal import services as portal_services

    workspace = WorkspaceFactory()
    detail = reverse("workspaces:workspace-detail", args=[workspace.slug])
    old_name = workspace.provider.name
    assert old_name in text(client.get(detail))
    assert api_client.get(reverse("workspace-list")).json()["results"][0]["provider"]["name"] == old_name
    portal_services.organisation_update(organisation=workspace.provider, data={"name": "Canal Studios Group"})
    assert "Canal Studios Group" in text(client.get(detail))
    assert api_client.get(reverse("workspace-list")).json()["results"][0]["provider"]["name"] == "Canal Studios Group"


def test_dashboard_shows_each_step_of_a_refresh_at_once_and_reads_no_run_while_nothing_changed(
    client, staff_user, count_queries
):
    indicator_catalogue_sync()
    client.force_login(staff_user)
    assert "have not been refreshed yet" in text(client.get(reverse("portal:dashboard")))

    run, _ = services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    page = text(client.get(reverse("portal:dashboard")))
    assert f"refresh {run.pk} , queued (0 of 0 indicators)" in page

    services._refresh_run_claim(run.pk, run.created_at, 3)  # a worker's claim, without its bump
    # The claim's service bumps the version; the bare update above did not, so the panel is the
    # cached one until the next real change.
    assert "queued" in text(client.get(reverse("portal:dashboard")))
    services.refresh_runs_reap(now=run.created_at + datetime.timedelta(days=1))
    page = text(client.get(reverse("portal:dashboard")))
    assert f"refresh {run.pk} , failed" in page

    finished = services.refresh_run_start(trigger=RefreshRun.Trigger.STAFF)
    page = text(client.get(reverse("portal:dashboard")))
    assert f"refresh {finished.pk} , succeeded" in page

    with count_queries() as queries:
        client.get(reverse("portal:dashboard"))
    assert not any("missions_refreshrun" in query["sql"] for query in queries.captured_queries)
