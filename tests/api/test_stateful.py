"""Stateful property-based tests of the whole API (schemathesis, in-process WSGI).

Schemathesis chains operations by the links it infers from the schema (an operation whose response
carries an ``id`` feeds the operations that take that ``id``): it creates an organisation, an
investment, a lead, a funding opportunity or an activity and then reads, changes, moves or deletes
that very record, with generated valid and invalid input at each step. Every check runs at every
step, as in ``test_schema.py``: no 5xx, and every status code, content type, header and body one the
schema declares.

Each run is one reader: a partner token of each scope alone, one with every scope, a member of staff
and an ambassador (the records of people answer sessions only). ``STATEFUL_EXAMPLES`` (scenarios per
reader) and ``STATEFUL_STEPS`` (calls at most per scenario) set the size; the defaults keep the whole
run to about a minute, and the longer one before a release is

    STATEFUL_EXAMPLES=200 STATEFUL_STEPS=20 pytest tests/api/test_stateful.py
"""

import os

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import ignored_auth, not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from ambassadors.models import Lead
from portal.models import Organisation
from tests.ambassadors.lead_factories import LeadFactory
from tests.api.schema_cases import session_of
from tests.api.test_schema import ALL_SCOPES, schema
from tests.portal.factories import FirmYearFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("STATEFUL_EXAMPLES", "15"))
STEPS = int(os.environ.get("STATEFUL_STEPS", "8"))

# The schema as test_schema.py loads it, with its checks and its acceptable answers to a write;
# each step sends valid or invalid input.
APIWorkflow = schema.as_state_machine()

READERS = [*(f"scope:{scope}" for scope in ALL_SCOPES), "scope:all", "staff", "ambassador"]


@pytest.fixture
def in_one_transaction():
    """Like Django's test client: keep the test's transaction open across the in-process requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def workspace_slug(db):
    from tests.workspaces.factories import WorkspaceFactory

    return WorkspaceFactory(slug="stateful-hub").slug


def point_at_real_workspace(case, slug: str) -> None:
    """A generated workspace filter names no workspace: an unknown one is a 400 (a choice from a
    list, which tests/workspaces/test_api.py covers), so a well-formed one is pointed at a real
    workspace for the list to be read."""
    query = case.query if isinstance(case.query, dict) else {}
    named = query.get("workspace")
    if case.path == "/api/v1/workspace-applications/" and isinstance(named, str) and named:
        query["workspace"] = slug


@pytest.fixture
def credentials(request, in_one_transaction, partner_token, client, staff_user, workspace_slug):
    """The headers and cookies of the test's reader, and a few rows for its lists to show."""
    reader = request.param
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Stateful Partner", is_tech=False)
    for firm in OrganisationFactory.create_batch(2, kind=Organisation.Kind.FIRM, recorded_by=partner):
        FirmYearFactory(organisation=firm, year=2024)
    if reader.startswith("scope:"):
        scopes = ALL_SCOPES if reader == "scope:all" else (reader.removeprefix("scope:"),)
        token, _ = partner_token(*scopes, organisation=partner)
        return {"Authorization": f"Bearer {token}"}, {}
    if reader == "staff":
        return session_of(client, staff_user)
    from tests.ambassadors.factories import AmbassadorFactory

    return session_of(client, AmbassadorFactory().user)


@pytest.mark.parametrize("credentials", READERS, indirect=True)
def test_chained_operations_conform_to_the_schema(credentials, workspace_slug):
    headers, cookies = credentials

    class Workflow(APIWorkflow):
        # Each scenario starts from the same rows and empty caches, so that Hypothesis, replaying
        # a scenario to shrink a failure, meets the server it first met.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            for alias in django_settings.CACHES:
                caches[alias].clear()

        def before_call(self, case):
            point_at_real_workspace(case, workspace_slug)

        def get_call_kwargs(self, case):
            return {"headers": headers, "cookies": cookies}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # A session cookie is real whatever schemathesis thinks of it (see test_schema.py).
            excluded = [ignored_auth] if cookies else []
            case.validate_response(response, excluded_checks=excluded, headers=headers, transport_kwargs=kwargs)

    Workflow.run(
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.generate],
            database=None,
        )
    )


def test_a_stale_lead_move_is_a_409_the_schema_declares(in_one_transaction, client, staff_user):
    # Found by the stateful run: the Idempotency-Key's 409, declared on every write, had replaced
    # the lead's own 409 (changed since it was read) in the schema.
    headers, cookies = session_of(client, staff_user)
    lead = LeadFactory(qualified=True)
    move = schema["/api/v1/leads/{id}/move/"]["POST"]
    body = {"stage": "lost", "version": 1, "lost_reason": "Went to Leeds", "competing_location": "Leeds"}
    for stage, status in [("lost", 200), ("active", 409)]:
        case = move.Case(path_parameters={"id": lead.pk}, body={**body, "stage": stage}, media_type="application/json")
        response = case.call(headers=headers, cookies=cookies)
        assert response.status_code == status, response.text
        checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
        case.validate_response(response, checks=checks, headers=headers)
    assert response.json()["errors"][0]["code"] == "lead_changed"
    assert Lead.objects.get(pk=lead.pk).stage == Lead.Stage.LOST
