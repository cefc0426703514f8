"""The documented backup restores: ops/backup_check.py dumps the database, restores it into a new
one and finds every table's row count the same."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCRIPT = Path(__file__).resolve().parents[1] / "ops" / "backup_check.py"


def database_url(name: str | None = None) -> str:
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{name or settings['NAME']}"


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, SCRIPT, *args],
        capture_output=True,
        text=True,
        env={"DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def test_a_backup_of_the_portal_restores_with_every_row(tmp_path):
    if connection.vendor != "postgresql":
        pytest.fail("The backup check needs PostgreSQL")
    OrganisationFactory.create_batch(7)

    result = run(database_url(), "--keep", str(tmp_path / "portal.dump"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "every row count matches" in result.stdout
    assert (tmp_path / "portal.dump").stat().st_size > 0


def test_a_backup_that_cannot_be_made_says_so(tmp_path):
    result = run(database_url("no_such_database_for_backup"))
    assert result.returncode == 2
    assert "could not run" in result.stderr
