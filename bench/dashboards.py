"""Benchmark: the dashboard pages at growing data sizes.

Seeds 300, 3,000 and 15,000 synthetic firms, refreshes the KPIs, then requests the staff
dashboard, a mission page and an indicator page through Django's test client, printing each
page's SQL query count and median response time over several requests, and the ratios against the
smallest size. Pages read stored observations only, so neither grows with the number of firms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/dashboards.py
"""

import os

from harness import Client, bench_database, connection, staff_client, timed

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
        row[path] = timed(client, path, REPEAT)
    return row


def main() -> None:
    from missions.catalogue import indicator_catalogue_sync
    from missions.reference import reference_figures_load

    with bench_database():
        indicator_catalogue_sync()
        reference_figures_load()
        client = staff_client()
        rows = [measure(client, scale) for scale in SCALES]
    base = rows[0]
    print(f"Dashboard pages on {connection.vendor}: queries and median ms of {REPEAT} requests")
    for path in PAGES:
        print(path)
        for row in rows:
            queries, ms = row[path]
            print(f"  {row['firms']:>6} firms: {queries:>3} queries {ms:>8.1f} ms  time x{ms / base[path][1]:.2f}")


if __name__ == "__main__":
    main()
