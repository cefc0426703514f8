"""Benchmark: the KPI refresh at growing data sizes.

Prints, for 300, 3,000 and 15,000 synthetic firms, the refresh's wall time, its SQL query count
and the peak Python memory it allocates, then the ratios against the smallest size. The refresh is
set-based, so its query count is constant and its Python memory does not grow with the firms.

Runs in a throwaway database created next to ``DATABASE_URL`` (PostgreSQL recommended):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/kpi_refresh.py
"""

import os
import time
import tracemalloc

from harness import CaptureQueriesContext, bench_database, connection

SCALES = [int(s) for s in os.environ.get("BENCH_SCALES", "1,10,50").split(",")]


def measure(scale: int) -> dict:
    from missions import services
    from missions.models import Observation, RefreshRun
    from portal import demo

    demo.seed(scale=scale)
    firms = demo.Organisation.objects.filter(company_number__startswith="SY").count()
    run, _ = services.refresh_run_create(trigger=RefreshRun.Trigger.STAFF)
    tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        run = services.refresh_run_execute(run_id=run.pk)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert run.status == RefreshRun.Status.SUCCEEDED, run.error
    return {
        "firms": firms,
        "seconds": seconds,
        "queries": len(queries.captured_queries),
        "peak_kib": peak / 1024,
        "observations": Observation.objects.filter(status="computed").count(),
    }


def main() -> None:
    from missions.catalogue import indicator_catalogue_sync

    with bench_database():
        indicator_catalogue_sync()
        rows = [measure(scale) for scale in SCALES]
    base = rows[0]
    print(f"KPI refresh on {connection.vendor}, {len(rows)} sizes")
    print(f"{'firms':>8} {'seconds':>9} {'queries':>8} {'peak KiB':>9} {'obs':>6} {'time x':>7} {'mem x':>6}")
    for row in rows:
        time_ratio, memory_ratio = row["seconds"] / base["seconds"], row["peak_kib"] / base["peak_kib"]
        print(
            f"{row['firms']:>8} {row['seconds']:>9.3f} {row['queries']:>8} {row['peak_kib']:>9.0f} "
            f"{row['observations']:>6} {time_ratio:>7.2f} {memory_ratio:>6.2f}"
        )
    print(f"firms x{rows[-1]['firms'] / base['firms']:.0f}: time x{rows[-1]['seconds'] / base['seconds']:.2f}")


if __name__ == "__main__":
    main()
