"""The portal against a real PostgreSQL streaming replica (``bench/replica.sh``), served by gunicorn
with ``DATABASE_REPLICA_URL``: reads come from the replica, writes go to the primary, and whoever
wrote reads their write at once, while the replica has not replayed it yet.

Replay is paused on the replica (``pg_wal_replay_pause()``), so the lag is certain rather than a
race: a reader who sees the old state while the primary holds the new one was answered by the
replica."""

import os
import pwd
import secrets
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg2
import pytest
from django.db import connection
from django.test import Client

from ambassadors.models import Lead
from bench.serving import free_port, gunicorn_serving
from portal.models import Organisation
from portal.rest.examples import REQUEST_EXAMPLES
from portal.roles import Role
from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "replica.sh"


@dataclass
class Replica:
    """A streaming replica of the test's PostgreSQL cluster, on ``port``."""

    port: int
    url: str  # without a database name
    environment: dict[str, str]

    def run(self, action: str) -> str:
        result = subprocess.run(
            [str(SCRIPT), action], env=self.environment, capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, f"bench/replica.sh {action}: {result.stderr}"
        return result.stdout.strip()

    def sql(self, query: str):
        db = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        db.autocommit = True
        try:
            with db.cursor() as cursor:
                cursor.execute(query)
                return cursor.fetchone()[0]
        finally:
            db.close()

    def pause(self) -> None:
        """Stop replaying the primary's writes; returns once replay has stopped."""
        self.sql("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + 30
        while self.sql("SELECT pg_get_wal_replay_pause_state()") != "paused":
            assert time.monotonic() < deadline, "replay did not pause"
            time.sleep(0.05)

    def resume(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")


@pytest.fixture
def streaming_replica(postgres):
    """``bench/replica.sh start`` on a free port, removed at the end."""
    require(
        os.geteuid() == 0 or pwd.getpwuid(os.geteuid()).pw_name == "postgres",
        "bench/replica.sh runs PostgreSQL as the postgres OS user: run the tests as root or postgres",
    )
    settings = connection.settings_dict
    port = free_port()
    environment = {
        **os.environ,
        "REPLICA_PORT": str(port),
        "PRIMARY_HOST": settings["HOST"] or "127.0.0.1",
        "PRIMARY_PORT": str(settings["PORT"] or 5432),
        "PRIMARY_USER": settings["USER"] or "postgres",
    }
    replica = Replica(port, "", environment)
    try:
        replica.url = replica.run("start").splitlines()[-1]
        assert replica.sql("SELECT pg_is_in_recovery()") is True
        yield replica
    finally:
        replica.run("remove")


@pytest.fixture
def portal_on_replica(streaming_replica, redis_url, tmp_path):
    """The portal served by gunicorn (two processes) reading from the replica: its address."""
    database = "postgres://{USER}@{HOST}:{PORT}/{NAME}".format(**connection.settings_dict)
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database,
        "DATABASE_REPLICA_URL": f"{streaming_replica.url}/{connection.settings_dict['NAME']}",
        # Longer than this test, so the writers' window cannot lapse while it runs.
        "DATABASE_REPLICA_STICKY_SECONDS": "120",
        "REDIS_URL": redis_url,
        "TEST_CACHE_PREFIX": f"test-replica-{uuid.uuid4().hex[:8]}",
    }
    with gunicorn_serving(environment, tmp_path / "gunicorn.log", workers=2) as port:
        yield f"http://127.0.0.1:{port}"


def signed_in(base_url: str, user) -> httpx.Client:
    """An HTTP client with a session of ``user`` (and a CSRF token, for the API's session writes)."""
    django_client = Client()
    django_client.force_login(user)
    csrf = secrets.token_hex(16)
    return httpx.Client(
        base_url=base_url,
        cookies={"sessionid": django_client.cookies["sessionid"].value, "csrftoken": csrf},
        headers={"X-CSRFToken": csrf},
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reads_come_from_the_replica_writes_from_the_primary_and_a_writer_reads_its_own_write_at_once(
    streaming_replica, portal_on_replica, make_user, partner_token
):
    writer, colleague = (signed_in(portal_on_replica, make_user(Role.STAFF)) for _ in range(2))
    writer_token, _ = partner_token("read", "companies:write")
    reader_token, _ = partner_token("read")
    partner_writer, partner_reader = (
        httpx.Client(base_url=portal_on_replica, headers={"Authorization": f"Bearer {token}"})
        for token in (writer_token, reader_token)
    )
    lead = REQUEST_EXAMPLES["POST /api/v1/leads/"][1]
    firm = {**REQUEST_EXAMPLES["POST /api/v1/organisations/"][1], "company_number": "87654321"}
    streaming_replica.run("catch-up")  # the users and tokens made above are on the replica
    for client in (writer, colleague):
        assert client.get("/dashboard/leads/").status_code == 200
    assert partner_reader.get("/api/v1/organisations/").status_code == 200

    streaming_replica.pause()
    try:
        response = writer.post("/api/v1/leads/", json=lead)
        assert response.status_code == 201, response.text
        assert Lead.objects.filter(name=lead["name"]).exists()  # the write is on the primary
        assert lead["name"] in writer.get("/dashboard/leads/").text  # the writer reads it at once
        assert lead["name"] not in colleague.get("/dashboard/leads/").text  # the replica lacks it

        response = partner_writer.post("/api/v1/organisations/", json=firm)
        assert response.status_code == 201, response.text
        path = f"/api/v1/organisations/{response.json()['id']}/"
        assert Organisation.objects.filter(company_number="87654321").exists()
        # The partner client keeps no cookie: its token pins it to the primary.
        assert partner_writer.get(path).status_code == 200
        assert partner_reader.get(path).status_code == 404
    finally:
        streaming_replica.resume()

    streaming_replica.run("catch-up")
    assert lead["name"] in colleague.get("/dashboard/leads/").text
    assert partner_reader.get(path).status_code == 200

    # With the replica down, reads go to the primary: slower, but no request fails.
    streaming_replica.run("stop")
    for _ in range(3):
        response = colleague.get("/dashboard/leads/")
        assert response.status_code == 200
        assert lead["name"] in response.text
        assert partner_reader.get(path).status_code == 200
