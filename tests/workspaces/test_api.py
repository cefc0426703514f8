"""The workspaces API: the public catalogue with desks free now, and applications as their
applicants, reviewers and staff read them (never with scores), with filters and query counts."""

import datetime
import json

import pytest
from django.core.cache import caches
from django.utils import timezone

from portal.models import LocalAuthority
from portal.page_cache import CACHE_ALIAS, data_version_bump
from portal.roles import Role
from tests.portal.factories import OrganisationFactory, UserFactory
from tests.workspaces.factories import ApplicationFactory, ProviderFactory, WorkspaceFactory, offered_application
from workspaces import selectors, services
from workspaces.models import Application, DeskPool, DeskType, StatusChange, Workspace

pytestmark = pytest.mark.django_db

WORKSPACES_URL = "/api/v1/workspaces/"
APPLICATIONS_URL = "/api/v1/workspace-applications/"
SCORE_WORDS = {"score", "scores", "review", "reviews", "total", "maximum", "comment", "reviewer"}


def workspace_url(workspace: Workspace) -> str:
    return f"{WORKSPACES_URL}{workspace.slug}/"


def application_url(application: Application) -> str:
    return f"{APPLICATIONS_URL}{application.pk}/"


def assert_field_error(response, attr: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["type"] == "validation_error", body
    assert [error for error in body["errors"] if error["attr"] == attr], body


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def all_keys(value) -> set[str]:
    """Every key at any depth of a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in all_keys(v)}
    return set()


@pytest.fixture
def catalogue(staff_user):
    hub = WorkspaceFactory(
        name="Alpha Hub",
        slug="alpha-hub",
        local_authority=LocalAuthority.BIRMINGHAM,
        pools={DeskType.HOT_DESK: 10, DeskType.FIXED_DESK: 5},
    )
    full = WorkspaceFactory(
        name="Beta Works", slug="beta-works", local_authority=LocalAuthority.COVENTRY, pools={DeskType.FIXED_DESK: 1}
    )
    offered_application(staff=staff_user, workspace=full)
    studio = WorkspaceFactory(
        name="Gamma Studio",
        slug="gamma-studio",
        local_authority=LocalAuthority.COVENTRY,
        pools={DeskType.PRIVATE_OFFICE: 2},
        accepting_applications=False,
    )
    DeskPool.objects.filter(workspace=studio).update(monthly_price_gbp=None)
    return hub, full, studio


# The catalogue


def test_anyone_lists_workspaces_with_desks_free_now(api_client, catalogue):
    response = api_client.get(WORKSPACES_URL)
    assert slugs(response) == ["alpha-hub", "beta-works", "gamma-studio"]
    beta = response.json()["results"][1]
    assert beta == {
        "slug": "beta-works",
        "url": "http://testserver/api/v1/workspaces/beta-works/",
        "name": "Beta Works",
        "provider": {"name": catalogue[1].provider.name},
        "summary": catalogue[1].summary,
        "address": catalogue[1].address,
        "postcode": catalogue[1].postcode,
        "borough": "coventry",
        "subsidy": catalogue[1].subsidy,
        "eligibility": catalogue[1].eligibility,
        "accessibility": catalogue[1].accessibility,
        "accepting_applications": True,
        "desk_types": [{"desk_type": "fixed_desk", "capacity": 1, "available": 0, "monthly_price_gbp": 150.0}],
        "capacity": 1,
        "available": 0,
    }
    gamma = response.json()["results"][2]
    assert gamma["desk_types"][0]["monthly_price_gbp"] is None
    assert gamma["accepting_applications"] is False


def test_a_workspace_is_read_by_its_slug(api_client, catalogue):
    response = api_client.get(workspace_url(catalogue[0]))
    assert response.status_code == 200
    body = response.json()
    assert body["capacity"] == 15 and body["available"] == 15
    assert [d["desk_type"] for d in body["desk_types"]] == ["hot_desk", "fixed_desk"]  # in DeskType order


@pytest.mark.parametrize("slug", ["no-such-place", "UPPER", "a_b"])
def test_unknown_workspace_is_a_json_404(api_client, slug):
    response = api_client.get(f"{WORKSPACES_URL}{slug}/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("borough=coventry", ["beta-works", "gamma-studio"]),
        ("desk_type=fixed_desk", ["alpha-hub", "beta-works"]),
        ("available=true", ["alpha-hub", "gamma-studio"]),
        ("available=false", ["beta-works"]),
        ("desk_type=fixed_desk&available=true", ["alpha-hub"]),
        ("accepting_applications=false", ["gamma-studio"]),
        ("ordering=-name", ["gamma-studio", "beta-works", "alpha-hub"]),
        ("borough=", ["alpha-hub", "beta-works", "gamma-studio"]),
    ],
)
def test_workspace_filters_and_ordering(api_client, catalogue, query, expected):
    assert slugs(api_client.get(f"{WORKSPACES_URL}?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "attr"),
    [("borough=atlantis", "borough"), ("desk_type=sofa", "desk_type"), ("available=maybe", "available")],
)
def test_bad_workspace_filter_is_a_field_error(api_client, catalogue, query, attr):
    assert_field_error(api_client.get(f"{WORKSPACES_URL}?{query}"), attr)


def test_a_desk_type_at_capacity_zero_is_left_out(api_client):
    workspace = WorkspaceFactory(pools={DeskType.HOT_DESK: 2, DeskType.FIXED_DESK: 3})
    DeskPool.objects.filter(workspace=workspace, desk_type=DeskType.FIXED_DESK).update(capacity=0)
    body = api_client.get(workspace_url(workspace)).json()
    assert [d["desk_type"] for d in body["desk_types"]] == ["hot_desk"]
    assert body["capacity"] == 2


def test_partner_token_reads_workspaces_with_the_read_scope_only(api_client, partner_token, catalogue):
    token, _ = partner_token("read")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert len(slugs(api_client.get(WORKSPACES_URL))) == 3
    token, _ = partner_token("companies:write")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get(WORKSPACES_URL).status_code == 403


def test_workspaces_are_read_only(as_user, staff_user, catalogue):
    client = as_user(staff_user)
    assert client.post(WORKSPACES_URL, {"name": "New"}, format="json").status_code == 405
    assert client.patch(workspace_url(catalogue[0]), {"name": "X"}, format="json").status_code == 405
    assert client.delete(workspace_url(catalogue[0])).status_code == 405
    assert Workspace.objects.count() == 3


# Applications


@pytest.fixture
def applications(staff_user, founder_user):
    """The founder's draft and their offered application; another founder's draft and submitted
    one; a third founder's accepted application with its tenancy."""
    workspace = WorkspaceFactory(slug="hub", pools={DeskType.FIXED_DESK: 5})
    own_draft = ApplicationFactory(applicant=founder_user, workspaces=[workspace])
    own_offered = offered_application(staff=staff_user, workspace=workspace, applicant=founder_user, desks=2)
    other_founder = UserFactory(roles=[Role.FOUNDER])
    other_draft = ApplicationFactory(applicant=other_founder, workspaces=[workspace])
    other_submitted = ApplicationFactory(applicant=other_founder, submitted=True, workspaces=[workspace])
    accepted = offered_application(staff=staff_user, workspace=workspace, start_on=timezone.localdate())
    services.application_accept_offer(application=accepted, actor=accepted.applicant)
    return {
        "own_draft": own_draft,
        "own_offered": own_offered,
        "other_draft": other_draft,
        "other_submitted": other_submitted,
        "accepted": accepted,
    }


def test_founders_see_only_their_own_applications(as_user, founder_user, applications):
    client = as_user(founder_user)
    assert ids(client.get(APPLICATIONS_URL)) == {applications["own_draft"].pk, applications["own_offered"].pk}


@pytest.mark.parametrize("name", ["other_draft", "other_submitted", "accepted"])
def test_another_founders_application_is_a_404(as_user, founder_user, applications, name):
    response = as_user(founder_user).get(application_url(applications[name]))
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


@pytest.mark.parametrize("fixture", ["staff_user", "reviewer_user"])
def test_staff_and_reviewers_see_every_application_but_other_peoples_drafts(request, as_user, applications, fixture):
    client = as_user(request.getfixturevalue(fixture))
    expected = {applications[name].pk for name in ("own_offered", "other_submitted", "accepted")}
    assert ids(client.get(APPLICATIONS_URL)) == expected
    assert client.get(application_url(applications["other_draft"])).status_code == 404
    assert client.get(application_url(applications["own_draft"])).status_code == 404


def test_an_offered_application_shows_its_offer_and_history(as_user, founder_user, applications):
    application = applications["own_offered"]
    body = as_user(founder_user).get(application_url(application)).json()
    assert body["reference"] == application.reference
    assert body["status"] == "offered"
    assert body["firm_name"] == application.firm_name
    assert body["organisation"] == {"id": application.organisation.pk, "name": application.organisation.name}
    assert body["workspaces"] == ["hub"]
    assert body["desk_type"] == "fixed_desk" and body["desks"] == 2
    assert body["offer"]["workspace"] == "hub"
    assert body["offer"]["desk_type"] == "fixed_desk"
    assert body["offer"]["desks"] == 2
    assert datetime.datetime.fromisoformat(body["offer"]["expires_at"]) > timezone.now()
    assert body["decided_at"] is not None
    assert body["tenancy"] is None
    assert [(h["from_status"], h["to_status"]) for h in body["status_history"]] == [("in_review", "offered")]
    assert set(body["status_history"][0]) == {"from_status", "to_status", "at", "reason"}


def test_an_accepted_application_shows_its_tenancy(as_user, staff_user, applications):
    body = as_user(staff_user).get(application_url(applications["accepted"])).json()
    assert body["offer"] is None
    today = timezone.localdate().isoformat()
    assert body["tenancy"]["workspace"] == "hub"
    assert body["tenancy"]["desk_type"] == "fixed_desk"
    assert body["tenancy"]["desks"] == 1
    assert body["tenancy"]["start_on"] == today
    assert body["tenancy"]["ended_on"] is None
    assert [h["to_status"] for h in body["status_history"]] == ["offered", "accepted"]


def test_a_draft_has_no_organisation_offer_or_tenancy(as_user, founder_user, applications):
    body = as_user(founder_user).get(application_url(applications["own_draft"])).json()
    assert body["status"] == "draft"
    assert body["organisation"] is None and body["offer"] is None and body["tenancy"] is None
    assert body["submitted_at"] is None


def test_scores_and_reviews_are_never_in_the_payload(as_user, founder_user, staff_user, reviewer_user):
    workspace = WorkspaceFactory()
    application = ApplicationFactory(applicant=founder_user, submitted=True, workspaces=[workspace])
    scores = {c.pk: 4 for c in selectors.criterion_list()}
    services.review_create(
        application=application, reviewer=reviewer_user, scores=scores, comment="Private reviewer remark"
    )
    for user in (founder_user, staff_user, reviewer_user):
        client = as_user(user)
        for response in (client.get(APPLICATIONS_URL), client.get(application_url(application))):
            assert response.status_code == 200
            assert not all_keys(response.json()) & SCORE_WORDS
            assert "Private reviewer remark" not in json.dumps(response.json())


def test_anonymous_users_are_refused(api_client, applications):
    assert api_client.get(APPLICATIONS_URL).status_code == 401
    assert api_client.get(application_url(applications["own_offered"])).status_code == 401


def test_partner_tokens_are_refused_whatever_their_scopes(api_client, partner_token, applications):
    token, _ = partner_token("read", "companies:write", "observations:write", "investments:write")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    for url in (APPLICATIONS_URL, application_url(applications["other_submitted"])):
        response = api_client.get(url)
        assert response.status_code == 403
        assert "Partner tokens cannot read applications" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize("path", ["0/", "999999999/", "99999999999999999999999/", "abc/", "-1/"])
def test_unknown_application_is_a_json_404(as_user, staff_user, path):
    response = as_user(staff_user).get(f"{APPLICATIONS_URL}{path}")
    assert response.status_code == 404


def test_applications_are_read_only(as_user, founder_user, applications):
    client = as_user(founder_user)
    assert client.post(APPLICATIONS_URL, {}, format="json").status_code == 405
    assert client.patch(application_url(applications["own_draft"]), {"desks": 9}, format="json").status_code == 405


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=offered", {"own_offered"}),
        ("status=offered&status=accepted", {"own_offered", "accepted"}),
        ("status=submitted", {"other_submitted"}),
        ("workspace=hub", {"own_offered", "other_submitted", "accepted"}),
        ("desk_type=hot_desk", set()),
        (f"submitted_after={timezone.localdate().isoformat()}", {"own_offered", "other_submitted", "accepted"}),
        ("submitted_before=2000-01-01", set()),
    ],
)
def test_application_filters(as_user, staff_user, applications, query, expected):
    response = as_user(staff_user).get(f"{APPLICATIONS_URL}?{query}")
    assert ids(response) == {applications[name].pk for name in expected}


@pytest.mark.parametrize(
    ("query", "attr"),
    [
        ("status=paused", "status"),
        ("workspace=nowhere", "workspace"),
        ("desk_type=sofa", "desk_type"),
        ("submitted_after=yesterday", "submitted_after"),
    ],
)
def test_bad_application_filter_is_a_field_error(as_user, staff_user, query, attr):
    assert_field_error(as_user(staff_user).get(f"{APPLICATIONS_URL}?{query}"), attr)


# Query counts


def bulk_workspaces(n: int) -> None:
    provider = ProviderFactory()
    workspaces = Workspace.objects.bulk_create(WorkspaceFactory.build(provider=provider) for _ in range(n))
    DeskPool.objects.bulk_create(
        DeskPool(workspace=w, desk_type=desk_type, capacity=3, allocated=1, monthly_price_gbp=80)
        for w in workspaces
        for desk_type in (DeskType.HOT_DESK, DeskType.PRIVATE_OFFICE)
    )
    data_version_bump("workspaces")  # bulk inserts skip the services, which bump it


def bulk_applications(n: int, applicant) -> None:
    """``n`` submitted applications by ``applicant``, each for two workspaces, with two status changes."""
    workspaces = Workspace.objects.bulk_create(WorkspaceFactory.build(provider=ProviderFactory()) for _ in range(2))
    organisation = OrganisationFactory()
    now = timezone.now()
    rows = Application.objects.bulk_create(
        ApplicationFactory.build(
            applicant=applicant, organisation=organisation, status=Application.Status.SUBMITTED, submitted_at=now
        )
        for _ in range(n)
    )
    Through = Application.workspaces.through
    Through.objects.bulk_create(Through(application=a, workspace=w) for a in rows for w in workspaces)
    StatusChange.objects.bulk_create(
        StatusChange(application=a, from_status=frm, to_status=to)
        for a in rows
        for frm, to in (("", "draft"), ("draft", "submitted"))
    )


def test_workspace_list_query_count_does_not_grow(api_client, count_queries):
    bulk_workspaces(10)
    api_client.get(WORKSPACES_URL)
    caches[CACHE_ALIAS].clear()  # both measured lists are built afresh, not served from the cache
    with count_queries() as small:
        assert api_client.get(WORKSPACES_URL).json()["count"] == 10
    bulk_workspaces(990)
    with count_queries() as large:
        assert api_client.get(WORKSPACES_URL).json()["count"] == 1000
    assert large.count == small.count


@pytest.mark.parametrize("reader", ["staff", "founder"])
def test_application_list_query_count_does_not_grow(as_user, staff_user, founder_user, count_queries, reader):
    user = staff_user if reader == "staff" else founder_user
    applicant = founder_user if reader == "founder" else UserFactory(roles=[Role.FOUNDER])
    client = as_user(user)
    bulk_applications(10, applicant)
    client.get(APPLICATIONS_URL)
    with count_queries() as small:
        assert client.get(APPLICATIONS_URL).json()["count"] == 10
    bulk_applications(990, applicant)
    with count_queries() as large:
        assert client.get(APPLICATIONS_URL).json()["count"] == 1000
    assert large.count == small.count, [q["sql"] for q in large.captured_queries]
