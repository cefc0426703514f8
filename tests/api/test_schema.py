"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in-process WSGI).

Every operation of /api/v1/schema/ is called with generated valid and invalid input by a partner
token that has every scope, and every check runs: no 500, status codes, content types, headers and
bodies as the schema declares them, invalid input refused, valid input accepted.
"""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from portal.models import Organisation
from tests.portal.factories import FirmYearFactory, OrganisationFactory

ALL_SCOPES = ("read", "observations:write", "companies:write", "investments:write")

# Valid JSON can still break a rule JSON Schema cannot express (women <= disclosed, dissolved after
# founded, a Companies House number already taken), so a 400 is an acceptable answer to a write.
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 25},
        "operations": [
            {
                "include-method": ["POST", "PUT", "PATCH"],
                "checks": {
                    "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404"]},
                },
            }
        ],
    }
)


# Loaded once at collection: serving the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application(), config=CONFIG)


@pytest.fixture
def bearer(db, partner_token):
    """Authorization header of a partner token with every scope, and the ids of a few organisations."""
    # Like Django's test client: keep the test's transaction open across requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        token, partner = partner_token(*ALL_SCOPES)
        firms = OrganisationFactory.create_batch(3, kind=Organisation.Kind.FIRM)
        for firm in firms:
            FirmYearFactory(organisation=firm, year=2024, consent=False)
        yield {"Authorization": f"Bearer {token}"}, [partner.pk, *(firm.pk for firm in firms)]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms_to_the_schema(case, bearer):
    headers, existing = bearer
    # Generated ids almost never exist: point the non-negative ones below 2**31 at real organisations
    # so reads and writes get past the 404 and their validation and serialisation are exercised too.
    # Negative and huge ids still go through, as the 404 cases.
    pk = (case.path_parameters or {}).get("id")
    if isinstance(pk, str) and pk.isascii() and pk.isdigit():  # the coverage phase sends strings
        pk = int(pk)
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 <= pk < 2**31:
        case.path_parameters["id"] = existing[pk % len(existing)]
    case.call_and_validate(headers=headers)


def test_schema_is_valid_without_warnings(tmp_path, settings):
    # As `manage.py spectacular` runs outside the test runner, without its "testserver" host.
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/organisations/{id}/years/{year}/" in (tmp_path / "schema.yaml").read_text()
