"""The partners' getting-started page: its curl and Python examples, run as printed against a real
server with a real credential, get a token and list the indicators of mission 1."""

import html
import re
import subprocess
import sys

import pytest

from missions.catalogue import indicator_catalogue_sync
from portal import services
from portal.models import Organisation
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def example(page: str, block_id: str) -> str:
    match = re.search(rf'<code id="{block_id}">(.*?)</code>', page, re.S)
    assert match, block_id
    return html.unescape(match.group(1))


@pytest.fixture
def guide(live_server):
    """The page as served, with a fresh credential's id and secret put where it says."""
    indicator_catalogue_sync()
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Guide Partner")
    credential, secret = services.partner_credential_create(organisation=partner, scopes=["read"], created_by=None)
    page = subprocess.run(
        ["curl", "-s", f"{live_server.url}/partners/getting-started/"], capture_output=True, text=True, check=True
    ).stdout

    def filled(block_id: str) -> str:
        code = example(page, block_id)
        return code.replace("YOUR_CLIENT_ID", credential.application.client_id).replace("YOUR_CLIENT_SECRET", secret)

    return page, filled


def test_the_page_names_every_scope_and_this_portals_address(guide, live_server):
    page, _ = guide
    for scope in ("read", "observations:write", "companies:write", "investments:write"):
        assert f'<code class="portal-code">{scope}</code>' in page
    assert f"{live_server.url}/o/token/" in page


def test_the_python_example_runs_as_printed(guide):
    _, filled = guide
    script = filled("python-example")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "M1-06 " in result.stdout
    assert not [line for line in result.stdout.splitlines() if not line.startswith("M1-")]


def test_the_curl_examples_run_as_printed(guide):
    _, filled = guide
    token = subprocess.run(["bash", "-c", filled("curl-token")], capture_output=True, text=True, timeout=60)
    access_token = re.search(r'"access_token":\s*"([^"]+)"', token.stdout).group(1)
    call = subprocess.run(
        ["bash", "-c", filled("curl-call")], capture_output=True, text=True, timeout=60, env={"TOKEN": access_token}
    )
    assert '"code":"M1-06"' in call.stdout.replace(" ", "")
