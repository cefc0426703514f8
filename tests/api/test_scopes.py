"""Every operation of the API, called with a token of each scope alone: the answer is never a 5xx and
always one the schema declares, and a token is refused (403) exactly when its scope is not among
those the operation's security requirement names — so the published scopes are the enforced ones.

One request body per operation is generated from the schema (schemathesis, positive data) and sent
with every scope's token, so each operation meets each scope once; the fuzz runs of
``test_schema.py`` cover many inputs with a token of every scope.
"""

import warnings

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis.errors import NonInteractiveExampleWarning
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from portal.models import Organisation
from tests.api.test_schema import ALL_SCOPES, schema
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Path parameters of real shape: the scope is checked before anything is looked up, so whether the
# row exists only decides between the allowed scope's 200 and 404.
PATH_PARAMETERS = {"id": 1, "code": "M1-01", "year": 2024, "slug": "a-workspace", "delivery_pk": 1}
MISSION_CODE = "M1"
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


def required_scopes(operation) -> set[str]:
    """The scopes a partner token may hold to call ``operation``, as its security says; empty when
    no token may call it (records that belong to people)."""
    for requirement in operation.definition.raw.get("security", []):
        if "partnerOAuth2" in requirement:
            return set(requirement["partnerOAuth2"])
    return set()


@pytest.fixture
def tokens(partner_token):
    """One bearer header per scope, each a client of the same partner organisation."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        partner = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Scoped Partner", is_tech=False)
        yield {
            scope: {"Authorization": f"Bearer {partner_token(scope, organisation=partner)[0]}"} for scope in ALL_SCOPES
        }
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_every_operation_names_its_scope_or_refuses_tokens():
    named = {operation.label: required_scopes(operation) for operation in OPERATIONS}
    assert named["GET /api/v1/organisations/"] == {"read"}
    assert named["POST /api/v1/organisations/"] == {"companies:write"}
    assert named["POST /api/v1/webhook-subscriptions/"] == {"webhooks"}
    assert named["POST /api/v1/funding-opportunities/"] == {"opportunities:write"}
    assert named["GET /api/v1/leads/"] == set()
    assert all(scopes <= set(ALL_SCOPES) for scopes in named.values())


@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.label for operation in OPERATIONS])
def test_each_scopes_token_gets_what_the_schema_declares(operation, tokens):
    parameters = {p.name: PATH_PARAMETERS[p.name] for p in operation.path_parameters}
    if operation.path.startswith("/api/v1/missions/") and "code" in parameters:
        parameters["code"] = MISSION_CODE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NonInteractiveExampleWarning)
        case = operation.as_strategy(path_parameters=parameters).example()
    allowed = required_scopes(operation)
    for scope, headers in tokens.items():
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS, headers=headers)
        if scope in allowed:
            assert response.status_code != 403 or "scope" not in response.text, (scope, response.text)
        else:
            assert response.status_code == 403, (scope, response.status_code, response.text)
