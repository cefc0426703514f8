"""Benchmark: the workspace pages as applications grow, and offers racing for the last desks.

Part 1 builds 10, 100 and 1,000 submitted applications over 20 workspaces and requests the public
catalogue, the review queue (staff), the founder's own list and the applications API, printing
each page's SQL query count and median response time, and the time ratio against the smallest
size. Part 2 starts N threads at once, each offering a different application a desk from a pool
with 5 free desks, and prints how many offers were made (always 5), how many were refused, and
the wall time of the race.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/workspaces.py
"""

import os
import threading
import time

from harness import Client, bench_database, connection, staff_client, timed

SIZES = [int(s) for s in os.environ.get("BENCH_APPLICATIONS", "10,100,1000").split(",")]
RACERS = [int(s) for s in os.environ.get("BENCH_RACERS", "10,50").split(",")]
REPEAT = 7


def applications_grow_to(total: int, founder, workspaces) -> None:
    from tests.workspaces.factories import ApplicationFactory
    from workspaces.models import Application

    missing = total - Application.objects.count()
    for i in range(missing):
        # A tenth are the benchmark founder's own, so their list grows too.
        extra = {"applicant": founder} if i % 10 == 0 else {}
        ApplicationFactory(submitted=True, workspaces=[workspaces[i % len(workspaces)]], **extra)


def race(racers: int, staff) -> tuple[int, int, float]:
    from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory
    from workspaces import services
    from workspaces.exceptions import CapacityExceededError
    from workspaces.models import DeskPool

    workspace = WorkspaceFactory(pools={"fixed_desk": 5})
    pool = DeskPool.objects.get(workspace=workspace)
    applications = [ApplicationFactory(in_review=True, workspaces=[workspace]) for _ in range(racers)]
    barrier = threading.Barrier(racers + 1)
    outcomes: list[str] = []

    def offer(application):
        barrier.wait()
        try:
            services.application_offer(application=application, actor=staff, pool=pool)
            outcomes.append("offered")
        except CapacityExceededError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=offer, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    pool.refresh_from_db()
    assert pool.allocated == 5, pool.allocated
    return outcomes.count("offered"), outcomes.count("refused"), elapsed * 1000


def main() -> None:
    from portal.models import User
    from portal.roles import Role, role_group
    from tests.workspaces.factories import WorkspaceFactory

    with bench_database():
        staff = staff_client()
        founder = User.objects.create_user(email="bench-founder@example.org", password=None)
        founder.groups.add(role_group(Role.FOUNDER))
        founder_client, public = Client(), Client()
        founder_client.force_login(founder)
        workspaces = [WorkspaceFactory() for _ in range(20)]
        pages = [
            (public, "/workspaces/"),
            (staff, "/dashboard/applications/?status=submitted"),
            (founder_client, "/workspaces/applications/"),
            (staff, "/api/v1/workspace-applications/"),
        ]
        rows = []
        for size in SIZES:
            applications_grow_to(size, founder, workspaces)
            rows.append((size, [timed(client, path, REPEAT) for client, path in pages]))
        staff_user = User.objects.get(email="bench-staff@example.org")
        races = [(n, *race(n, staff_user)) for n in RACERS]

    print(f"Workspace pages on {connection.vendor}: queries and median ms of {REPEAT} requests")
    for index, (_, path) in enumerate(pages):
        print(path)
        base = rows[0][1][index][1]
        for size, results in rows:
            queries, ms = results[index]
            print(f"  {size:>5} applications: {queries:>3} queries {ms:>8.1f} ms  time x{ms / base:.2f}")
    print("Concurrent offers for 5 free desks (each thread its own connection and transaction)")
    for racers, offered, refused, ms in races:
        print(f"  {racers:>3} threads: {offered} offered, {refused} refused, {ms:.0f} ms")


if __name__ == "__main__":
    main()
