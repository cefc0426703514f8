"""The API's authorisation matrix for people: every operation of the schema, for every role.

``API_ACCESS`` names the roles whose signed-in session may call each operation (the portal's own
pages call the API with the person's session); the test reads the operations from the OpenAPI
schema, so a new operation without a line here fails the suite until someone decides who may call
it. Each operation is then called by a visitor who is signed out and by a founder, an ambassador,
a reviewer and a member of staff: whoever the rule allows is not refused (the answer may be a 400
for the empty body sent, or a 404 for an object that does not exist), whoever it refuses gets 401
(signed out) or 403. No answer is ever a 5xx. Partner tokens are checked per scope by
``test_scopes.py``; which objects each caller reaches (another's object is a 404) by each app's
API tests.
"""

import pytest

from portal.roles import Role
from tests.api.test_scopes import OPERATIONS, PATH_PARAMETERS
from tests.test_authorisation import ANONYMOUS, EVERYONE, ROLES, STAFF, signed_in

pytestmark = pytest.mark.django_db

# Signed-in people reach their own rows only (another's is a 404; staff reach all): organisations
# are a founder's own firms, leads and activities an ambassador's own, applications an applicant's
# own (reviewers and staff every submitted one).
OWN = EVERYONE - {ANONYMOUS}
NOBODY: set[str] = set()  # partner tokens only (a client's own webhooks)

# Who may call each operation with a session. Open data (missions, indicators, workspaces,
# opportunities, the public ambassador directory) is read by anyone; the registries of deals,
# refreshes and partners' writes are for staff.
API_ACCESS: dict[str, set[str]] = {
    "GET /api/v1/ambassador-activities/": OWN,
    "POST /api/v1/ambassador-activities/": {Role.AMBASSADOR},  # an ambassador logs their own
    "GET /api/v1/ambassador-activities/{id}/": OWN,
    "PUT /api/v1/ambassador-activities/{id}/": OWN,
    "GET /api/v1/ambassadors/": EVERYONE,
    "GET /api/v1/ambassadors/{id}/": EVERYONE,
    "GET /api/v1/api-writes/": STAFF,
    "GET /api/v1/api-writes/{id}/": STAFF,
    "GET /api/v1/funding-opportunities/": EVERYONE,
    "POST /api/v1/funding-opportunities/": STAFF,
    "GET /api/v1/funding-opportunities/{id}/": EVERYONE,
    "PUT /api/v1/funding-opportunities/{id}/": STAFF,
    "PATCH /api/v1/funding-opportunities/{id}/": STAFF,
    "DELETE /api/v1/funding-opportunities/{id}/": STAFF,
    "GET /api/v1/indicators/": EVERYONE,
    "GET /api/v1/indicators/{code}/": EVERYONE,
    "GET /api/v1/indicators/{code}/observations/": EVERYONE,
    "POST /api/v1/indicators/{code}/observations/": STAFF,
    "POST /api/v1/indicators/{code}/observations/bulk/": STAFF,
    "GET /api/v1/investments/": STAFF,
    "POST /api/v1/investments/": STAFF,
    "GET /api/v1/investments/{id}/": STAFF,
    "PUT /api/v1/investments/{id}/": STAFF,
    "PATCH /api/v1/investments/{id}/": STAFF,
    "DELETE /api/v1/investments/{id}/": STAFF,
    "POST /api/v1/investments/bulk/": STAFF,
    "GET /api/v1/kpi-refreshes/": STAFF,
    "POST /api/v1/kpi-refreshes/": STAFF,
    "GET /api/v1/kpi-refreshes/{id}/": STAFF,
    "GET /api/v1/leads/": OWN,
    "POST /api/v1/leads/": {Role.AMBASSADOR, Role.STAFF},  # a referral, or staff recording one
    "GET /api/v1/leads/{id}/": OWN,
    "PATCH /api/v1/leads/{id}/": OWN,
    "POST /api/v1/leads/{id}/move/": OWN,
    "GET /api/v1/missions/": EVERYONE,
    "GET /api/v1/missions/{code}/": EVERYONE,
    "GET /api/v1/organisations/": OWN,
    "POST /api/v1/organisations/": {Role.FOUNDER, Role.STAFF},  # a founder registers their firm
    "GET /api/v1/organisations/{id}/": OWN,
    "PUT /api/v1/organisations/{id}/": OWN,
    "PATCH /api/v1/organisations/{id}/": OWN,
    "GET /api/v1/organisations/{id}/years/": OWN,
    "POST /api/v1/organisations/{id}/years/": OWN,
    "GET /api/v1/organisations/{id}/years/{year}/": OWN,
    "PUT /api/v1/organisations/{id}/years/{year}/": OWN,
    "POST /api/v1/organisations/years/bulk/": OWN,
    "GET /api/v1/webhook-deliveries/": NOBODY,
    "GET /api/v1/webhook-deliveries/{id}/": NOBODY,
    "GET /api/v1/webhook-subscriptions/": NOBODY,
    "POST /api/v1/webhook-subscriptions/": NOBODY,
    "GET /api/v1/webhook-subscriptions/{id}/": NOBODY,
    "PATCH /api/v1/webhook-subscriptions/{id}/": NOBODY,
    "DELETE /api/v1/webhook-subscriptions/{id}/": NOBODY,
    "GET /api/v1/workspace-applications/": OWN,
    "GET /api/v1/workspace-applications/{id}/": OWN,
    "GET /api/v1/workspaces/": EVERYONE,
    "GET /api/v1/workspaces/{slug}/": EVERYONE,
}


def _path(operation) -> str:
    path = operation.path
    for parameter in operation.path_parameters:
        value = "M1" if parameter.name == "code" and path.startswith("/api/v1/missions/") else None
        path = path.replace(f"{{{parameter.name}}}", str(value or PATH_PARAMETERS[parameter.name]))
    return path


def test_every_operation_has_a_rule():
    labels = {operation.label for operation in OPERATIONS}
    assert labels - set(API_ACCESS) == set(), "operations with no line in API_ACCESS: decide who may call them"
    assert set(API_ACCESS) - labels == set(), "lines in API_ACCESS for operations that no longer exist"


@pytest.fixture
def caller(api_client, make_user):
    return lambda role: signed_in(api_client, role, make_user)


@pytest.mark.parametrize("role", ROLES)
def test_each_operation_allows_exactly_its_roles(role, caller):
    client = caller(role)
    wrong = []
    for operation in OPERATIONS:
        path, method = _path(operation), operation.method.lower()
        if method in ("post", "put", "patch"):
            response = getattr(client, method)(path, {}, format="json")
        else:
            response = getattr(client, method)(path)
        if method == "delete" and response.status_code < 400:
            pytest.fail(f"{role} deleted {path}: the matrix must not find real rows to delete")
        assert response.status_code < 500, f"{operation.label} as {role}: {response.status_code}"
        refused = response.status_code in (401, 403)
        if refused == (role in API_ACCESS[operation.label]):
            wrong.append((operation.label, response.status_code))
        if role == ANONYMOUS and refused:
            assert response.status_code in (401, 403), operation.label
    assert not wrong, f"{role}, allowed but refused or refused but allowed:\n" + "\n".join(
        f"  {label} answered {status}" for label, status in wrong
    )


@pytest.fixture
def others_rows():
    """(list, row) addresses of one row of each kind a signed-in person reaches only when it is
    their own, all belonging to somebody else: a founder's firm and its year, an ambassador's lead
    and activity, a founder's application."""
    from tests.ambassadors.factories import ActivityFactory
    from tests.ambassadors.lead_factories import LeadFactory
    from tests.portal.factories import FirmYearFactory, OrganisationFactory, UserFactory
    from tests.workspaces.factories import ApplicationFactory

    firm = OrganisationFactory(members=[UserFactory(roles=[Role.FOUNDER])])
    year = FirmYearFactory(organisation=firm)
    return [
        ("/api/v1/organisations/", f"/api/v1/organisations/{firm.pk}/"),
        (None, f"/api/v1/organisations/{firm.pk}/years/"),
        (None, f"/api/v1/organisations/{firm.pk}/years/{year.year}/"),
        ("/api/v1/leads/", f"/api/v1/leads/{LeadFactory().pk}/"),
        ("/api/v1/ambassador-activities/", f"/api/v1/ambassador-activities/{ActivityFactory().pk}/"),
        ("/api/v1/workspace-applications/", f"/api/v1/workspace-applications/{ApplicationFactory().pk}/"),
    ]


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.AMBASSADOR, Role.REVIEWER])
def test_another_persons_rows_do_not_exist_for_reading_or_writing(role, caller, others_rows):
    client = caller(role)
    for listing, path in others_rows:
        if listing:
            answer = client.get(listing)
            assert (answer.status_code, answer.json()["count"]) == (200, 0), f"{role} lists another's rows: {listing}"
        assert client.get(path).status_code == 404, f"{role} reads another's row: {path}"
        for method in ("put", "patch", "post"):
            answer = getattr(client, method)(path, {}, format="json")
            assert answer.status_code in (404, 405), f"{role} {method} another's row {path}: {answer.status_code}"
