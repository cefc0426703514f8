"""The workspace catalogue and the staff pages for workspaces and tenancies, through HTTP: what each
role may reach, filters and their errors, the staff form (capacity never below the desks held),
ending a tenancy (its desks go to the waiting list) and query counts that do not grow."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from portal.models import LocalAuthority, Organisation
from portal.page_cache import CACHE_ALIAS, data_version_bump
from portal.roles import Role
from tests.portal.factories import OrganisationFactory, UserFactory
from tests.workspaces.factories import ApplicationFactory, ProviderFactory, WorkspaceFactory, offered_application
from workspaces import services
from workspaces.models import Application, DeskPool, DeskType, Tenancy, Workspace

pytestmark = pytest.mark.django_db

LIST = reverse("workspaces:workspace-list")
CRITERIA = reverse("workspaces:criterion-list")
MANAGE = reverse("workspaces:workspace-manage")
CREATE = reverse("workspaces:workspace-create")
TENANCIES = reverse("workspaces:tenancy-list")


def update_url(workspace: Workspace) -> str:
    return reverse("workspaces:workspace-update", args=[workspace.slug])


def end_url(tenancy: Tenancy) -> str:
    return reverse("workspaces:tenancy-end", args=[tenancy.pk])


def text(response) -> str:
    """The page's text with tags removed and whitespace collapsed, for phrases that span markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def names(response) -> set[str]:
    return {workspace.name for workspace in response.context["page_obj"].object_list}


def pool(workspace: Workspace, desk_type: str = DeskType.FIXED_DESK) -> DeskPool:
    return DeskPool.objects.get(workspace=workspace, desk_type=desk_type)


def tenancy_for(staff, workspace: Workspace, desks: int = 1, start_on: datetime.date | None = None) -> Tenancy:
    """A current tenancy reached through the services: offered, then accepted by the applicant."""
    application = offered_application(
        staff=staff, workspace=workspace, desks=desks, start_on=start_on or timezone.localdate()
    )
    return services.application_accept_offer(application=application, actor=application.applicant)


def waitlisted(staff, workspace: Workspace, desks: int = 1) -> Application:
    application = ApplicationFactory(in_review=True, desks=desks, workspaces=[workspace])
    return services.application_waitlist(application=application, actor=staff)


@pytest.fixture
def catalogue(staff_user):
    """Three workspaces: Birmingham with hot desks free; Coventry with its one fixed desk offered;
    Coventry with free private office desks, free of charge and closed to applications."""
    hub = WorkspaceFactory(name="Alpha Hub", local_authority=LocalAuthority.BIRMINGHAM, pools={DeskType.HOT_DESK: 10})
    full = WorkspaceFactory(name="Beta Works", local_authority=LocalAuthority.COVENTRY, pools={DeskType.FIXED_DESK: 1})
    offered_application(staff=staff_user, workspace=full)
    studio = WorkspaceFactory(
        name="Gamma Studio",
        local_authority=LocalAuthority.COVENTRY,
        pools={DeskType.PRIVATE_OFFICE: 2},
        accepting_applications=False,
        subsidy="",
    )
    DeskPool.objects.filter(workspace=studio).update(monthly_price_gbp=None)
    return hub, full, studio


def workspace_form_data(provider: Organisation, /, **overrides) -> dict:
    data = {
        "provider": provider.pk,
        "name": "Delta Exchange",
        "summary": "Quiet floor with meeting rooms.",
        "address": "2 Canal Street\nWolverhampton",
        "postcode": "WV1 1AA",
        "local_authority": LocalAuthority.WOLVERHAMPTON,
        "subsidy": "Half price for the first year",
        "eligibility": "Digital firms under three years old.",
        "accessibility": "Step-free throughout.",
        "accepting_applications": "on",
        "capacity_hot_desk": "12",
        "price_hot_desk": "95.50",
        "capacity_fixed_desk": "0",
        "price_fixed_desk": "",
        "capacity_private_office": "",
        "price_private_office": "",
    }
    data.update(overrides)
    return data


def form_data_of(workspace: Workspace, **overrides) -> dict:
    """The update form as it is sent back unchanged, with ``overrides``."""
    data = workspace_form_data(
        workspace.provider,
        name=workspace.name,
        summary=workspace.summary,
        address=workspace.address,
        postcode=workspace.postcode,
        local_authority=workspace.local_authority,
        subsidy=workspace.subsidy,
        eligibility=workspace.eligibility,
        accessibility=workspace.accessibility,
    )
    for desk_type in DeskType.values:
        existing = DeskPool.objects.filter(workspace=workspace, desk_type=desk_type).first()
        data[f"capacity_{desk_type}"] = str(existing.capacity) if existing else "0"
        data[f"price_{desk_type}"] = str(existing.monthly_price_gbp or "") if existing else ""
    data.update(overrides)
    return data


# The public list


def test_list_shows_each_workspace_with_desks_free_now_and_prices(client, catalogue):
    response = client.get(LIST)
    assert response.status_code == 200
    page = text(response)
    assert "3 workspaces" in page
    hub, full, studio = catalogue
    for workspace in catalogue:
        assert workspace.name in page
        assert workspace.provider.name in page
        assert f'href="{workspace.get_absolute_url()}"' in response.content.decode()
    assert "First three months free for eligible start-ups" in page
    assert "Birmingham" in page and "Coventry" in page
    assert "Hot desk 10 10 £150 a month" in page
    assert "Fixed desk 1 0 £150 a month" in page  # the one desk is offered
    assert "Private office desk 2 2 Free" in page
    assert "Free desks now 0 of 1" in page
    assert page.count("Accepting applications") == 2
    assert "Not taking applications" in page
    assert f'href="{CRITERIA}"' in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("borough=coventry", {"Beta Works", "Gamma Studio"}),
        ("borough=birmingham", {"Alpha Hub"}),
        ("desk_type=hot_desk", {"Alpha Hub"}),
        ("desk_type=fixed_desk", {"Beta Works"}),
        ("available=true", {"Alpha Hub", "Gamma Studio"}),
        ("desk_type=fixed_desk&available=true", set()),
        ("borough=coventry&available=true", {"Gamma Studio"}),
        ("accepting_applications=true", {"Alpha Hub", "Beta Works"}),
        ("borough=&desk_type=", {"Alpha Hub", "Beta Works", "Gamma Studio"}),
    ],
)
def test_list_filters_by_borough_desk_type_and_free_desks(client, catalogue, query, expected):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert names(response) == expected
    assert f"{len(expected)} workspace" in text(response)


def test_filter_form_keeps_the_chosen_values(client, catalogue):
    content = client.get(f"{LIST}?borough=coventry&available=true").content.decode()
    assert '<option value="coventry" selected>Coventry</option>' in content
    assert '<option value="">Any borough</option>' in content
    assert '<option value="" selected>Any desk type</option>' in content
    assert re.search(r'id="id_available" name="available" type="checkbox" value="true" checked', content)
    assert "Clear filters" in content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("borough=atlantis", "Choose a borough from the list"),
        ("desk_type=sofa", "Choose a desk type from the list"),
        ("available=maybe", "Tick the box to only show workspaces with free desks"),
        ("accepting_applications=yes", "Enter true or false for accepting applications"),
    ],
)
def test_a_bad_filter_value_is_a_field_error_not_a_500(client, catalogue, query, message):
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 400
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert message in content
    field = query.split("=")[0]
    assert f'<a href="#id_{field}">{message}</a>' in content
    assert response.context["page_obj"].object_list is not None


def test_bad_page_numbers_show_a_page_not_an_error(client, catalogue):
    assert client.get(f"{LIST}?page=abc").status_code == 200
    response = client.get(f"{LIST}?page=999")
    assert response.status_code == 200
    assert response.context["page_obj"].number == 1


def test_list_is_paginated_at_20_and_links_keep_the_filters(client):
    provider = ProviderFactory()
    WorkspaceFactory.create_batch(25, provider=provider, local_authority=LocalAuthority.DUDLEY)
    response = client.get(f"{LIST}?borough=dudley")
    assert len(response.context["page_obj"].object_list) == 20
    assert "25 workspaces" in text(response)
    content = response.content.decode()
    assert 'href="?borough=dudley&amp;page=2"' in content
    assert 'rel="next"' in content
    second = client.get(f"{LIST}?borough=dudley&page=2")
    assert len(second.context["page_obj"].object_list) == 5
    assert 'aria-current="page">2<' in second.content.decode()


def test_anonymous_visitors_are_told_to_create_an_account_or_sign_in(client, catalogue):
    content = client.get(LIST).content.decode()
    apply_url = reverse("workspaces:application-create")
    assert "Create an account" in content
    assert f"{reverse('account_login')}?next=" in content
    assert f'href="{apply_url}"' not in content
    assert "Apply for workspace" not in content


def test_founders_get_the_apply_button(client, founder_user, catalogue):
    client.force_login(founder_user)
    content = client.get(LIST).content.decode()
    assert f'href="{reverse("workspaces:application-create")}"' in content
    assert "Apply for workspace" in content
    assert "Manage workspaces" not in content


def test_reviewers_get_no_apply_button(client, reviewer_user, catalogue):
    client.force_login(reviewer_user)
    content = client.get(LIST).content.decode()
    assert "Apply for workspace" not in content
    assert "Applications are made from a founder" in content


def test_staff_get_a_link_to_manage_workspaces(client, staff_user, catalogue):
    client.force_login(staff_user)
    assert f'href="{MANAGE}"' in client.get(LIST).content.decode()


# A workspace's page


def test_workspace_page_shows_every_detail_and_its_desks(client, founder_user, catalogue):
    hub, full, _ = catalogue
    client.force_login(founder_user)
    response = client.get(full.get_absolute_url())
    assert response.status_code == 200
    page = text(response)
    for value in [full.name, full.provider.name, full.postcode, "Coventry", full.subsidy, full.eligibility]:
        assert value in page
    assert full.accessibility in page
    assert "1 Example Street, Birmingham" in page
    assert "Fixed desk 1 0 £150 a month" in page
    assert "Free desks now 0 of 1" in page
    assert f"{reverse('workspaces:application-create')}?workspace={full.slug}" in response.content.decode()


def test_a_closed_workspace_has_no_apply_button(client, founder_user, catalogue):
    _, _, studio = catalogue
    client.force_login(founder_user)
    page = text(client.get(studio.get_absolute_url()))
    assert "Gamma Studio is not taking applications" in page
    assert "Apply for workspace" not in page
    assert "Private office desk 2 2 Free" in page
    assert "Subsidy None listed" in page


def test_unknown_workspace_is_a_404(client):
    assert client.get(reverse("workspaces:workspace-detail", args=["no-such-place"])).status_code == 404


def test_a_desk_type_kept_at_capacity_zero_is_not_listed(client, staff_user):
    workspace = WorkspaceFactory(pools={DeskType.HOT_DESK: 3, DeskType.FIXED_DESK: 2})
    DeskPool.objects.filter(workspace=workspace, desk_type=DeskType.FIXED_DESK).update(capacity=0)
    assert "Fixed desk" not in text(client.get(workspace.get_absolute_url()))


# The criteria


def test_criteria_page_publishes_criteria_weights_scale_and_timings(client, settings):
    settings.WORKSPACES_SERVICE_LEVEL_DAYS = 17
    settings.WORKSPACES_OFFER_DAYS = 9
    response = client.get(CRITERIA)
    assert response.status_code == 200
    page = text(response)
    for name in ["Digital innovation", "Growth potential", "Regional benefit", "The team", "Fit with the workspace"]:
        assert name in page
    assert "Digital innovation" in page and "× 2" in page and "× 1" in page
    assert "from 0 to 5" in page
    assert "the highest total is 35" in page  # (2 + 2 + 1 + 1 + 1) × 5
    assert "within 17 working days" in page
    assert "for 9 days" in page
    assert "in the order of the date each application was put on it" in page
    assert "optional" in page and "only ever reported in aggregate" in page


# Staff pages: who may reach them


def _staff_urls(staff) -> list[str]:
    workspace = WorkspaceFactory()
    tenancy = tenancy_for(staff, workspace)
    return [MANAGE, CREATE, update_url(workspace), TENANCIES, end_url(tenancy)]


def test_staff_reach_every_staff_page(client, staff_user):
    client.force_login(staff_user)
    for url in _staff_urls(staff_user):
        assert client.get(url).status_code == 200, url


def test_anonymous_users_are_sent_to_sign_in(client, staff_user):
    for url in _staff_urls(staff_user):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.REVIEWER, Role.AMBASSADOR])
def test_other_roles_are_refused_the_staff_pages(client, staff_user, make_user, role):
    urls = _staff_urls(staff_user)
    client.force_login(make_user(role))
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.REVIEWER])
def test_other_roles_cannot_add_change_or_end_anything(client, staff_user, make_user, role):
    workspace = WorkspaceFactory(name="Unchanged")
    tenancy = tenancy_for(staff_user, workspace)
    before = Workspace.objects.count()
    client.force_login(make_user(role))
    assert client.post(CREATE, workspace_form_data(ProviderFactory())).status_code == 403
    assert client.post(update_url(workspace), form_data_of(workspace, name="Changed")).status_code == 403
    assert client.post(end_url(tenancy), {}).status_code == 403
    assert Workspace.objects.count() == before
    workspace.refresh_from_db()
    tenancy.refresh_from_db()
    assert workspace.name == "Unchanged"
    assert tenancy.ended_on is None


# Staff: the workspace list


def test_manage_list_shows_capacity_held_free_and_occupancy(client, staff_user):
    workspace = WorkspaceFactory(name="Epsilon Yard")  # 10 hot desks, 5 fixed
    offered_application(staff=staff_user, workspace=workspace, desks=2)
    WorkspaceFactory(name="Empty Shell", pools={}, accepting_applications=False)
    client.force_login(staff_user)
    response = client.get(MANAGE)
    assert response.status_code == 200
    page = text(response)
    assert "Epsilon Yard" in page and "Empty Shell" in page
    assert "Birmingham 15 2 13 13.3% Accepting" in page
    assert "0 0 0 No desks Closed" in page
    assert "Add a workspace" in page
    assert f'href="{update_url(workspace)}"' in response.content.decode()
    assert "Desks in every workspace 15" in page


# Staff: adding and changing a workspace


def test_staff_add_a_workspace_with_its_desks(client, staff_user):
    provider = ProviderFactory(name="Canal Spaces Ltd")
    client.force_login(staff_user)
    response = client.post(CREATE, workspace_form_data(provider), follow=True)
    assert response.redirect_chain[-1][0] == MANAGE
    assert "Added Delta Exchange." in text(response)
    workspace = Workspace.objects.get(name="Delta Exchange")
    assert workspace.slug == "delta-exchange"
    assert workspace.provider == provider
    assert workspace.accepting_applications is True
    assert workspace.local_authority == LocalAuthority.WOLVERHAMPTON
    pools = {p.desk_type: (p.capacity, p.monthly_price_gbp) for p in workspace.desk_pools.all()}
    assert pools == {DeskType.HOT_DESK: (12, Decimal("95.50"))}


def test_the_form_offers_only_workspace_providers(client, staff_user):
    provider = ProviderFactory(name="Canal Spaces Ltd")
    firm = OrganisationFactory(name="Some Firm Ltd")
    client.force_login(staff_user)
    content = client.get(CREATE).content.decode()
    assert "Canal Spaces Ltd" in content
    assert "Some Firm Ltd" not in content
    response = client.post(CREATE, workspace_form_data(provider, provider=firm.pk))
    assert response.status_code == 400
    assert "Choose a provider from the list" in response.content.decode()
    assert not Workspace.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the workspace&#x27;s name"),
        ({"local_authority": "atlantis"}, "local_authority", "Choose a borough from the list"),
        ({"eligibility": ""}, "eligibility", "Say who may apply"),
        ({"capacity_hot_desk": "-1"}, "capacity_hot_desk", "cannot be negative"),
        ({"capacity_hot_desk": "lots"}, "capacity_hot_desk", "as a whole number"),
        ({"price_hot_desk": "cheap"}, "price_hot_desk", "Enter the price as a number of pounds"),
        ({"price_hot_desk": "9.999"}, "price_hot_desk", "in pounds and pence"),
        ({"price_hot_desk": "-5"}, "price_hot_desk", "cannot be negative"),
        ({"postcode": "NOTAPOSTCODE"}, "postcode", "Enter a real postcode, like SW1A 1AA"),
        ({"postcode": "12345"}, "postcode", "Enter a real postcode, like SW1A 1AA"),
    ],
)
def test_bad_input_is_a_field_error_and_adds_nothing(client, staff_user, changes, field, message):
    client.force_login(staff_user)
    response = client.post(CREATE, workspace_form_data(ProviderFactory(), **changes))
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert f'href="#id_{field}"' in content
    assert f'id="id_{field}_error"' in content
    assert not Workspace.objects.exists()
    assert not DeskPool.objects.exists()


def test_a_postcode_is_kept_in_its_usual_form(client, staff_user):
    client.force_login(staff_user)
    response = client.post(CREATE, workspace_form_data(ProviderFactory(), postcode=" wv1  1aa "))
    assert response.status_code == 302
    assert Workspace.objects.get().postcode == "WV1 1AA"


def test_every_problem_on_the_workspace_form_is_listed_at_once(client, staff_user):
    workspace = WorkspaceFactory(name="Theta Yard")  # 5 fixed desks
    offered_application(staff=staff_user, workspace=workspace, desks=3)
    client.force_login(staff_user)
    data = form_data_of(
        workspace,
        name="",
        postcode="NOTAPOSTCODE",
        capacity_fixed_desk="2",
        price_fixed_desk="cheap",
        price_hot_desk="-5",
    )
    response = client.post(update_url(workspace), data)
    assert response.status_code == 400
    summary = response.content.decode().split('class="govuk-error-summary"')[1].split("</ul>")[0]
    for field in ["name", "postcode", "capacity_fixed_desk", "price_fixed_desk", "price_hot_desk"]:
        assert f'href="#id_{field}"' in summary, field
    assert "3 fixed desks are offered or let, so capacity cannot be less than 3." in summary
    assert pool(workspace).capacity == 5


def test_staff_change_a_workspace_and_its_desks(client, staff_user):
    workspace = WorkspaceFactory(name="Zeta House")
    slug = workspace.slug
    client.force_login(staff_user)
    form = client.get(update_url(workspace)).content.decode()
    assert 'value="Zeta House"' in form
    assert 'id="id_capacity_fixed_desk" name="capacity_fixed_desk" type="text" value="5"' in form
    data = form_data_of(workspace, name="Zeta House North", capacity_fixed_desk="8", price_fixed_desk="")
    response = client.post(update_url(workspace), data)
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert workspace.name == "Zeta House North"
    assert workspace.slug == slug  # the address stays when the name changes
    assert pool(workspace).capacity == 8
    assert pool(workspace).monthly_price_gbp is None


def test_capacity_below_the_desks_held_is_refused_and_nothing_changes(client, staff_user):
    workspace = WorkspaceFactory(name="Eta Mill")  # 5 fixed desks
    offered_application(staff=staff_user, workspace=workspace, desks=3)
    client.force_login(staff_user)
    data = form_data_of(workspace, name="Eta Mill Renamed", capacity_fixed_desk="2", capacity_hot_desk="20")
    response = client.post(update_url(workspace), data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "3 fixed desks are offered or let, so capacity cannot be less than 3." in content
    assert 'href="#id_capacity_fixed_desk"' in content
    assert 'id="id_capacity_fixed_desk_error"' in content
    assert '<h1 class="govuk-heading-xl">Change Eta Mill</h1>' in content
    workspace.refresh_from_db()
    assert workspace.name == "Eta Mill"
    assert pool(workspace).capacity == 5
    assert pool(workspace, DeskType.HOT_DESK).capacity == 10


def test_added_desks_are_offered_to_the_waiting_list(client, staff_user):
    workspace = WorkspaceFactory(pools={DeskType.FIXED_DESK: 1})
    offered_application(staff=staff_user, workspace=workspace)
    waiting = waitlisted(staff_user, workspace)
    client.force_login(staff_user)
    response = client.post(update_url(workspace), form_data_of(workspace, capacity_fixed_desk="2"))
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == Application.Status.OFFERED
    assert pool(workspace).allocated == 2


def test_unknown_workspace_to_change_is_a_404(client, staff_user):
    client.force_login(staff_user)
    url = reverse("workspaces:workspace-update", args=["no-such-place"])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


# Staff: tenancies


def test_tenancy_list_shows_current_and_ended_tenancies_and_filters_them(client, staff_user):
    north = WorkspaceFactory(name="North Hub")
    south = WorkspaceFactory(name="South Hub")
    current = tenancy_for(staff_user, north, desks=2)
    ended = tenancy_for(staff_user, south)
    services.tenancy_end(tenancy=ended)
    client.force_login(staff_user)

    def listed(query: str = "") -> set[int]:
        response = client.get(f"{TENANCIES}{query}")
        assert response.status_code == 200
        return {t.pk for t in response.context["page_obj"].object_list}

    assert listed() == {current.pk, ended.pk}
    assert listed("?status=current") == {current.pk}
    assert listed("?status=ended") == {ended.pk}
    assert listed(f"?workspace={south.slug}") == {ended.pk}
    assert listed(f"?workspace={north.slug}&status=ended") == set()
    page = text(client.get(TENANCIES))
    assert "2 tenancies" in page
    assert f"{current.organisation.name} {current.application.reference} North Hub Fixed desk 2" in page
    content = client.get(TENANCIES).content.decode()
    assert f'href="{end_url(current)}"' in content
    assert f'href="{end_url(ended)}"' not in content


@pytest.mark.parametrize(
    ("query", "message"),
    [("status=paused", "Choose current, ended, or both"), ("workspace=nowhere", "Choose a workspace from the list")],
)
def test_a_bad_tenancy_filter_is_a_field_error(client, staff_user, query, message):
    client.force_login(staff_user)
    response = client.get(f"{TENANCIES}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_ending_a_tenancy_frees_its_desks_and_offers_them_to_the_waiting_list(client, staff_user):
    workspace = WorkspaceFactory(pools={DeskType.FIXED_DESK: 1})
    tenancy = tenancy_for(staff_user, workspace)
    waiting = waitlisted(staff_user, workspace)
    assert pool(workspace).available == 0
    client.force_login(staff_user)
    form = client.get(end_url(tenancy))
    assert form.status_code == 200
    today = timezone.localdate()
    assert f'name="ended_on_day" type="text" inputmode="numeric" value="{today.day}"' in form.content.decode()
    response = client.post(
        end_url(tenancy),
        {"ended_on_day": today.day, "ended_on_month": today.month, "ended_on_year": today.year},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == TENANCIES
    assert f"Ended the tenancy of {tenancy.organisation}" in text(response)
    tenancy.refresh_from_db()
    assert tenancy.ended_on == today
    waiting.refresh_from_db()
    assert waiting.status == Application.Status.OFFERED
    assert waiting.offer_pool == pool(workspace)
    assert pool(workspace).allocated == 1  # held again, by the new offer


def test_an_empty_end_date_means_today(client, staff_user):
    tenancy = tenancy_for(staff_user, WorkspaceFactory())
    client.force_login(staff_user)
    assert (
        client.post(end_url(tenancy), {"ended_on_day": "", "ended_on_month": "", "ended_on_year": ""}).status_code
        == 302
    )
    tenancy.refresh_from_db()
    assert tenancy.ended_on == timezone.localdate()


@pytest.mark.parametrize(
    ("days_from_today", "typed", "message"),
    [
        (None, ("31", "2", "2025"), "The end date must be a real date"),
        (None, ("1", "", "2025"), "The end date must include a month"),
        (1, None, "The end date must be today or in the past"),
        (-400, None, "The end date must be on or after the tenancy"),
    ],
)
def test_a_bad_end_date_is_a_field_error_and_ends_nothing(client, staff_user, days_from_today, typed, message):
    workspace = WorkspaceFactory()
    tenancy = tenancy_for(staff_user, workspace)
    held = pool(workspace).allocated
    if typed is None:
        day = timezone.localdate() + datetime.timedelta(days=days_from_today)
        typed = (str(day.day), str(day.month), str(day.year))
    client.force_login(staff_user)
    response = client.post(
        end_url(tenancy), {"ended_on_day": typed[0], "ended_on_month": typed[1], "ended_on_year": typed[2]}
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content
    assert 'href="#id_ended_on_day"' in content
    tenancy.refresh_from_db()
    assert tenancy.ended_on is None
    assert pool(workspace).allocated == held


def test_ending_an_ended_tenancy_changes_nothing(client, staff_user):
    workspace = WorkspaceFactory()
    tenancy = tenancy_for(staff_user, workspace)
    services.tenancy_end(tenancy=tenancy, ended_on=timezone.localdate())
    held = pool(workspace).allocated
    client.force_login(staff_user)
    assert "This tenancy ended on" in text(client.get(end_url(tenancy)))
    response = client.post(end_url(tenancy), {}, follow=True)
    assert "had already ended" in text(response)
    assert pool(workspace).allocated == held


def test_unknown_tenancy_is_a_404(client, staff_user):
    client.force_login(staff_user)
    url = reverse("workspaces:tenancy-end", args=[987654])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


# Query counts


def bulk_workspaces(n: int) -> list[Workspace]:
    """``n`` workspaces with two desk types each, written in three queries."""
    provider = ProviderFactory()
    workspaces = Workspace.objects.bulk_create(WorkspaceFactory.build(provider=provider) for _ in range(n))
    DeskPool.objects.bulk_create(
        DeskPool(workspace=w, desk_type=desk_type, capacity=4, allocated=1, monthly_price_gbp=100)
        for w in workspaces
        for desk_type in (DeskType.HOT_DESK, DeskType.FIXED_DESK)
    )
    data_version_bump("workspaces")  # bulk inserts skip the services, which bump it
    return workspaces


def bulk_tenancies(n: int) -> None:
    """``n`` tenancies of ``n`` accepted applications, written in a handful of queries."""
    (workspace,) = bulk_workspaces(1)
    desk_pool = pool(workspace)
    applicant = UserFactory(roles=[Role.FOUNDER])
    organisation = OrganisationFactory()
    applications = Application.objects.bulk_create(
        Application(applicant=applicant, organisation=organisation, status=Application.Status.ACCEPTED)
        for _ in range(n)
    )
    today = timezone.localdate()
    Tenancy.objects.bulk_create(
        Tenancy(
            application=a,
            organisation=organisation,
            pool=desk_pool,
            desks=1,
            start_on=today,
            end_on=today + datetime.timedelta(days=365),
            ended_on=today if i % 2 else None,
        )
        for i, a in enumerate(applications)
    )


@pytest.mark.parametrize(
    ("url", "make", "as_staff"),
    [
        (LIST, bulk_workspaces, False),
        (f"{LIST}?available=true&desk_type=hot_desk", bulk_workspaces, False),
        (MANAGE, bulk_workspaces, True),
        (TENANCIES, bulk_tenancies, True),
        (f"{TENANCIES}?status=current", bulk_tenancies, True),
    ],
)
def test_list_pages_run_the_same_queries_for_10_and_1000_rows(client, staff_user, count_queries, url, make, as_staff):
    if as_staff:
        client.force_login(staff_user)
    make(10)
    client.get(url)  # warm caches (content types, sessions)
    caches[CACHE_ALIAS].clear()  # measure a page built afresh, not one served from the page cache
    with count_queries() as small:
        assert client.get(url).status_code == 200
    make(990)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, [q["sql"] for q in large.captured_queries]
