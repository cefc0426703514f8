"""Benchmark: the dashboard pages at growing data sizes.

Seeds 300, 3,000 and 15,000 synthetic firms, refreshes the KPIs, then requests the staff
dashboard, a mission page and an indicator page through Django's test client, printing each
page's SQL query count and median response time over several requests, and the ratios against the
smallest size. Pages read stored observations only, so neither grows with the number of firms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/dashboards.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)

SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "1,10,50").split(",")]
PAGES = ["/dashboard/", "/missions/economy/", "/indicators/M1-04-3Y/"]
REPEAT = 7


def measure(client: Client, scale: int) -> dict:
    from missions import demo as missions_demo
    from portal import demo

    demo.seed(scale=scale)
    missions_demo.kpis_refresh_now()
    row = {"firms": demo.Organisation.objects.filter(company_number__startswith="SY").count()}
    for path in PAGES:
        timings = []
        for _ in range(REPEAT):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
        row[path] = (len(queries.captured_queries), statistics.median(timings) * 1000)
    return row


def main() -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    from missions.catalogue import indicator_catalogue_sync
    from missions.reference import reference_figures_load
    from portal.models import User
    from portal.roles import Role, role_group

    setup_test_environment()  # the test client's host name, locmem email
    old = setup_databases(verbosity=0, interactive=False)
    try:
        indicator_catalogue_sync()
        reference_figures_load()
        staff = User.objects.create_user(email="bench-staff@example.org", password="bench-password-2026")
        staff.groups.add(role_group(Role.STAFF))
        TOTP.activate(staff, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
        client = Client()
        client.force_login(staff)
        rows = [measure(client, scale) for scale in SCALES]
    finally:
        teardown_databases(old, verbosity=0)
    base = rows[0]
    print(f"Dashboard pages on {connection.vendor}: queries and median ms of {REPEAT} requests")
    for path in PAGES:
        print(path)
        for row in rows:
            queries, ms = row[path]
            print(f"  {row['firms']:>6} firms: {queries:>3} queries {ms:>8.1f} ms  time x{ms / base[path][1]:.2f}")


if __name__ == "__main__":
    main()
