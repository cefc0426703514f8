"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in-process WSGI).

Every operation of /api/v1/schema/ is called with generated valid and invalid input by a partner
token that has every scope, and every check runs: no 500, status codes, content types, headers and
bodies as the schema declares them, invalid input refused, valid input accepted.
"""

import re

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import ignored_auth

from portal.models import FirmYear, Organisation
from tests.api.schema_cases import point_at_real_rows as point_ids_at_real_rows
from tests.api.schema_cases import session_of
from tests.portal.factories import FirmYearFactory, OrganisationFactory

ALL_SCOPES = (
    "read",
    "observations:write",
    "companies:write",
    "investments:write",
    "opportunities:write",
    "webhooks",
)
Kind = Organisation.Kind

# Every check runs: schemathesis turns each on by default, and the response time check once it has a
# limit (ten seconds, as `--checks all` sets). Valid JSON can still break a rule JSON Schema cannot
# express (women <= disclosed, dissolved after founded, a Companies House number already taken), so
# a 400 is an acceptable answer to a write; so are 422 and 409 when the generator sends the same
# Idempotency-Key again with another body, or while the first is still being served.
# Examples per operation: every operation of the whole API is fuzzed, several times over (each
# reader), and again in chains by test_stateful.py, so the count is held where the whole suite
# stays inside CI's half hour.
EXAMPLES = 8

CONFIG = schemathesis.Config.from_dict(
    {
        # Each test sends real credentials (a token or a staff session); generated ones would be
        # overridden by them, so a "missing credential" case would be sent with credentials.
        # Refusals by credential and scope are tests/api/test_scopes.py's.
        "generation": {"max-examples": EXAMPLES, "with-security-parameters": False},
        "checks": {"max_response_time": 10.0},
        "operations": [
            {
                "include-method": ["POST", "PUT", "PATCH"],
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422"]
                    },
                },
            }
        ],
    }
)


# Loaded once at collection: serving the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def bearer(db, partner_token):
    """Authorization header of a partner token with every scope, and the ids of organisations to
    point generated ids at: the partner's own organisation (like the demo partner), firms it
    maintains (listed twice, so half the writes get past the scope rule), and organisations it may
    read but not change: a public body, a funder, a workspace provider, another partner, that
    partner's firm and a firm nobody handed over."""
    # Like Django's test client: keep the test's transaction open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        partner = OrganisationFactory(
            kind=Kind.PARTNER, name="Birmingham Tech (demo)", website="https://bhamtech.example", is_tech=False
        )
        token, partner = partner_token(*ALL_SCOPES, organisation=partner)
        own = OrganisationFactory.create_batch(3, kind=Kind.FIRM, recorded_by=partner)
        other_partner = OrganisationFactory(kind=Kind.PARTNER, name="Midlands University (demo)", is_tech=False)
        others = [
            OrganisationFactory(kind=Kind.PUBLIC_BODY, name="West Midlands Combined Authority (demo)", is_tech=False),
            OrganisationFactory(kind=Kind.FUNDER, name="Regional Growth Fund (demo)", is_tech=False),
            OrganisationFactory(kind=Kind.WORKSPACE_PROVIDER, name="Innovation Hub Workspaces (demo)", is_tech=False),
            other_partner,
            OrganisationFactory(kind=Kind.FIRM, recorded_by=other_partner),
            OrganisationFactory(kind=Kind.FIRM),
        ]
        for organisation in [*own, *others]:
            FirmYearFactory(organisation=organisation, year=2024, consent=False)
        ids = [partner.pk, *(o.pk for o in own), *(o.pk for o in own), *(o.pk for o in others)]
        yield {"Authorization": f"Bearer {token}"}, ids
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def not_the_partners(partner_pk: int) -> tuple[list, list]:
    """Every organisation row the partner does not maintain (its own organisation included), and
    their yearly facts, as stored."""
    theirs = Organisation.objects.exclude(kind=Kind.FIRM, recorded_by_id=partner_pk)
    rows = list(theirs.order_by("pk").values())
    years = list(FirmYear.objects.filter(organisation__in=theirs).order_by("pk").values())
    return rows, years


@pytest.fixture
def untouchable(bearer):
    """What the partner's token must leave as it is, read before the run."""
    _, (partner_pk, *_) = bearer
    return partner_pk, not_the_partners(partner_pk)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_schema(case, bearer, untouchable):
    headers, existing = bearer
    point_ids_at_real_rows(case, existing)  # organisations
    case.call_and_validate(headers=headers)
    # ACCEPTANCE: whatever it sends, the partner changes only the firms it maintains: its own
    # organisation keeps its name, and no other organisation or yearly fact changes.
    partner_pk, before = untouchable
    assert Organisation.objects.get(pk=partner_pk).name == "Birmingham Tech (demo)"
    assert not_the_partners(partner_pk) == before


def test_schema_is_valid_without_warnings(tmp_path, settings):
    # As `manage.py spectacular` runs outside the test runner, without its "testserver" host.
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/organisations/{id}/years/{year}/" in (tmp_path / "schema.yaml").read_text()


# The missions API: generated indicator codes and geographies almost never exist, so point the
# well-formed ones at real ones: an indicator the token's partner owns (values are written), a
# public one it does not own (403 for the partner) and a computed one (400).
INDICATOR_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,19}")
GEOGRAPHIES = ("E47000007", "E08000026", "K02000001")
missions_schema = schema.exclude(path_regex=r"^/api/v1/(?!missions/|indicators/|kpi-refreshes/)")


@pytest.fixture
def indicator_codes(bearer):
    from missions.models import Observation
    from tests.missions.factories import IndicatorFactory, ObservationFactory

    _, (partner_pk, *_) = bearer
    owned = IndicatorFactory(code="M2-90", owner_id=partner_pk, is_public=False)
    foreign = IndicatorFactory(code="M2-91", owner=OrganisationFactory(kind=Organisation.Kind.PARTNER))
    computed = IndicatorFactory(code="M1-90", computed=True)
    for indicator in (owned, foreign, computed):
        ObservationFactory(indicator=indicator, year=2023)
        ObservationFactory(indicator=indicator, year=2024, status=Observation.Status.PUBLISHED)
    return [owned.code, owned.code, foreign.code, computed.code]


def point_at_real_rows(case, indicator_codes: list[str]) -> None:
    code = (case.path_parameters or {}).get("code")
    if "/indicators/" in case.path and isinstance(code, str) and INDICATOR_CODE.fullmatch(code):
        case.path_parameters["code"] = indicator_codes[sum(map(ord, code)) % len(indicator_codes)]
    body = case.body if isinstance(case.body, dict) else {}
    area = body.get("geography")
    if isinstance(area, str) and area:  # an empty one is the invalid case
        body["geography"] = GEOGRAPHIES[sum(map(ord, area)) % len(GEOGRAPHIES)]


@missions_schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_missions_operations_conform_to_the_schema(case, bearer, indicator_codes):
    headers, _ = bearer
    point_at_real_rows(case, indicator_codes)
    case.call_and_validate(headers=headers)


@pytest.fixture
def staff_session(db, client, staff_user, bearer):
    """Session and CSRF cookies and header of a signed-in staff user (with MFA), who may write any
    reported indicator and start KPI refreshes."""
    return session_of(client, staff_user)


@missions_schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_missions_operations_conform_to_the_schema_for_staff(case, staff_session, indicator_codes):
    headers, cookies = staff_session
    point_at_real_rows(case, indicator_codes)
    # Schemathesis cannot tell a real session cookie from one it made up, so its "invalid
    # credentials accepted" check would misfire here; the partner test above runs it.
    case.call_and_validate(headers=headers, cookies=cookies, excluded_checks=[ignored_auth])


# The workspace applications API answers signed-in users only (partner tokens get 403), so its 200
# bodies are validated here with a staff session and a founder's session. Generated ids and
# workspace slugs almost never exist: point ids at real rows, as above, and every workspace text at
# a real slug (an unknown slug is a 400, which tests/workspaces/test_api.py covers).
# exclude() with a look-ahead, as include(path_regex=...) does not narrow the operations here.
applications_schema = schema.exclude(path_regex=r"^/api/v1/(?!workspace-applications/)")


@pytest.fixture
def founder_session(db, client, founder_user, bearer):
    return session_of(client, founder_user)


@pytest.fixture
def workspace_applications(bearer, founder_user, staff_user):
    """Applications in the states whose bodies differ: the founder's draft, submitted, offered and
    accepted (a tenancy) ones, and another founder's submitted one and draft."""
    from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory, offered_application
    from workspaces import services
    from workspaces.models import DeskType

    workspace = WorkspaceFactory(slug="schema-hub", pools={DeskType.FIXED_DESK: 5})
    accepted = offered_application(staff=staff_user, applicant=founder_user, workspace=workspace)
    services.application_accept_offer(application=accepted, actor=founder_user)
    applications = [
        ApplicationFactory(applicant=founder_user, workspaces=[workspace]),
        ApplicationFactory(applicant=founder_user, submitted=True, workspaces=[workspace]),
        offered_application(staff=staff_user, applicant=founder_user, workspace=workspace),
        accepted,
        ApplicationFactory(submitted=True, workspaces=[workspace]),
        ApplicationFactory(workspaces=[workspace]),
    ]
    return [a.pk for a in applications], workspace.slug


def point_at_real_applications(case, workspace_applications) -> None:
    pks, slug = workspace_applications
    pk = (case.path_parameters or {}).get("id")
    if isinstance(pk, str) and pk.isascii() and pk.isdigit():
        pk = int(pk)
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 <= pk < 2**31:
        case.path_parameters["id"] = pks[pk % len(pks)]
    query = case.query if isinstance(case.query, dict) else {}
    workspace = query.get("workspace")
    if isinstance(workspace, str) and workspace:
        query["workspace"] = slug


@pytest.mark.parametrize("reader", ["staff_session", "founder_session"])
@applications_schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_workspace_application_operations_conform_to_the_schema(case, request, reader, workspace_applications):
    headers, cookies = request.getfixturevalue(reader)
    point_at_real_applications(case, workspace_applications)
    case.call_and_validate(headers=headers, cookies=cookies, excluded_checks=[ignored_auth])


@pytest.mark.parametrize(("reader", "visible"), [("staff_session", [1, 2, 3, 4]), ("founder_session", [0, 1, 2, 3])])
def test_every_workspace_application_body_conforms_to_the_schema(request, reader, visible, workspace_applications):
    """Each kind of body (draft, submitted, offered, accepted with its tenancy; the list) is a 200
    the schema describes, for staff and for the applicant; what they may not see is a 404."""
    headers, cookies = request.getfixturevalue(reader)
    pks, _ = workspace_applications
    listing = applications_schema["/api/v1/workspace-applications/"]["GET"].Case()
    response = listing.call_and_validate(headers=headers, cookies=cookies, excluded_checks=[ignored_auth])
    assert response.status_code == 200
    assert sorted(row["id"] for row in response.json()["results"]) == sorted(pks[i] for i in visible)
    detail = applications_schema["/api/v1/workspace-applications/{id}/"]["GET"]
    for index, pk in enumerate(pks):
        response = detail.Case(path_parameters={"id": pk}).call_and_validate(
            headers=headers, cookies=cookies, excluded_checks=[ignored_auth]
        )
        assert response.status_code == (200 if index in visible else 404), (index, response.text)
        if index == 2 and index in visible:
            assert response.json()["offer"] is not None
        if index == 3 and index in visible:
            assert response.json()["tenancy"] is not None
