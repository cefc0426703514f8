"""What every benchmark needs: Django set up with the test settings, a throwaway database of its
own, a signed-in staff client and a timer. Import it before anything from the project:

    from harness import bench_database, staff_client, timed

The database is named ``bench_<name of DATABASE_URL's database>``, never ``test_<name>``, so a
benchmark cannot drop the database a test run keeps with ``--reuse-db`` or is using right now.
"""

import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
    teardown_test_environment,
)

__all__ = ["CaptureQueriesContext", "Client", "bench_database", "connection", "staff_client", "timed"]

DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@contextmanager
def bench_database():
    """Create the benchmark's own empty, migrated database, and drop it afterwards."""
    database = settings.DATABASES["default"]
    database.setdefault("TEST", {})["NAME"] = f"bench_{Path(database['NAME']).stem}"
    setup_test_environment()  # the test client's host name, locmem email
    old = setup_databases(verbosity=0, interactive=False)
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0)
        teardown_test_environment()  # so a script may use a second database afterwards


def staff_client() -> Client:
    """A client signed in as a staff member with TOTP set up (as the MFA middleware requires)."""
    from allauth.mfa.totp.internal.auth import TOTP

    from portal.models import User
    from portal.roles import Role, role_group

    staff, created = User.objects.get_or_create(email="bench-staff@example.org")
    if created:
        staff.groups.add(role_group(Role.STAFF))
        TOTP.activate(staff, DEMO_TOTP_SECRET)
    client = Client()
    client.force_login(staff)
    return client


def timed(client: Client, path: str, repeat: int = 7) -> tuple[int, float]:
    """GET ``path`` ``repeat`` times: (SQL queries of one request, median milliseconds)."""
    timings = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return len(queries.captured_queries), statistics.median(timings) * 1000
