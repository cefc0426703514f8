"""A partner's client generated from the live schema by openapi-python-client, in this test run, not
written by hand: it gets a token, lists indicators, reports values in bulk and reads them back."""

import datetime
import importlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from portal import services
from portal.models import Organisation
from tests.missions.factories import WMCA, IndicatorFactory, geography
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def generated_client(live_server, tmp_path, monkeypatch):
    """The package openapi-python-client generates from the schema the live server serves."""
    schema = tmp_path / "schema.json"
    # The first schema a server builds takes seconds on a busy machine: more than httpx waits by default.
    served = httpx.get(f"{live_server.url}/api/v1/schema/", params={"format": "json"}, timeout=60)
    schema.write_bytes(served.content)
    environment = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [
            VENV_BIN / "openapi-python-client",
            "generate",
            "--path",
            schema,
            "--meta",
            "none",
            "--output-path",
            tmp_path / "portal_client",
        ],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout, result.stdout
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [name for name in sys.modules if name.startswith("portal_client")]:
        del sys.modules[name]
    return importlib.import_module("portal_client")


def test_a_generated_client_gets_a_token_lists_reports_in_bulk_and_reads_back(live_server, generated_client):
    geography(WMCA)
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Generated Client Partner")
    IndicatorFactory(code="M2-99", owner=partner, unit="%", frequency="annual", name="Residents online")
    credential, secret = services.partner_credential_create(
        organisation=partner, scopes=["read", "observations:write"], created_by=None
    )
    token = httpx.post(
        f"{live_server.url}/o/token/",
        data={
            "grant_type": "client_credentials",
            "client_id": credential.application.client_id,
            "client_secret": secret,
        },
    ).json()["access_token"]

    api = importlib.import_module("portal_client.api.indicators")
    models = importlib.import_module("portal_client.models")
    client = generated_client.AuthenticatedClient(base_url=live_server.url, token=token)

    listed = importlib.import_module(f"{api.__name__}.indicators_list").sync(client=client, mission="M2")
    assert "M2-99" in [indicator.code for indicator in listed.results]

    values = [
        models.ObservationCreateInputRequest(
            geography=WMCA,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
            value=60.0 + year - 2020,
        )
        for year in (2021, 2022, 2023)
    ]
    bulk = importlib.import_module(f"{api.__name__}.indicators_observations_bulk_create")
    key = str(uuid.uuid4())
    reported = bulk.sync("M2-99", client=client, body=values, idempotency_key=key)
    assert (reported.count, reported.created) == (3, 3)
    again = bulk.sync("M2-99", client=client, body=values, idempotency_key=key)  # a retry: nothing twice
    assert (again.count, again.created) == (3, 3)

    read = importlib.import_module(f"{api.__name__}.indicators_observations_list").sync("M2-99", client=client)
    assert [(item.period_label, float(item.value)) for item in read.results] == [
        ("2021", 61.0),
        ("2022", 62.0),
        ("2023", 63.0),
    ]
