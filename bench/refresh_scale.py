"""Benchmark: the full KPI refresh on the large data set and on a tenth of it.

For each size it makes a throwaway database, loads the demo accounts and catalogue and the large
synthetic data set (``missions.demo_large``: 100,000 firms and what refers to them, then 10,000),
and runs the whole refresh (``refresh_run_start``, as the worker's task does) ``REPEAT`` times,
each in a fresh Python process, as a worker would be. It prints, per size, the median run's wall
time, the time inside PostgreSQL summed over the queries the refresh ran (each timed through a
connection execute wrapper, from sending it to having its rows), that time's share of the wall
time, the CPU time of the PostgreSQL backend serving it (when the server runs on this machine),
the queries, and the peak resident memory of the process; then the growth factor and each figure
against the targets of issue 14: under 10 s, at least 70% of it inside PostgreSQL, peak memory
under 300 MB, 10x the data in at most 11x the time. A missed target is reported, not an error.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal .venv/bin/python bench/refresh_scale.py

``BENCH_REFRESH_FIRMS`` changes the large size (the small one is a tenth of it),
``BENCH_REFRESH_REPEAT`` the runs per size (3). Takes about five minutes on two cores.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from harness import bench_database, connection

LARGE = int(os.environ.get("BENCH_REFRESH_FIRMS", "100000"))
REPEAT = int(os.environ.get("BENCH_REFRESH_REPEAT", "3"))
TARGET_SECONDS, TARGET_SQL_SHARE, TARGET_MB, TARGET_GROWTH = 10.0, 0.70, 300, 11.0


def _proc_status(field: str) -> float:
    """A figure of this process from /proc, in MB (VmRSS, VmHWM)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _backend_cpu_seconds(pid: int) -> float | None:
    """CPU time of the PostgreSQL backend ``pid`` so far, when it runs on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def refresh_once() -> dict:
    """Run one full refresh in this process; the figures of it."""
    from missions import services
    from missions.models import Observation, RefreshRun

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    sql = {"seconds": 0.0, "queries": 0}

    def timed(execute, query, params, many, context):
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["seconds"] += time.perf_counter() - started
            sql["queries"] += 1

    rss_before = _proc_status("VmRSS")
    cpu_before = _backend_cpu_seconds(backend)
    with connection.execute_wrapper(timed):
        started = time.perf_counter()
        run = services.refresh_run_start(trigger=RefreshRun.Trigger.STAFF)
        seconds = time.perf_counter() - started
    cpu_after = _backend_cpu_seconds(backend)
    assert run is not None and run.status == RefreshRun.Status.SUCCEEDED, run and run.error
    return {
        "seconds": seconds,
        "sql_seconds": sql["seconds"],
        "queries": sql["queries"],
        "backend_cpu": None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
        "rss_before_mb": rss_before,
        "peak_mb": _proc_status("VmHWM"),
        "indicators": run.indicators_total,
        "observations": Observation.objects.filter(status="computed").count(),
    }


def measure(firms: int) -> dict:
    """Load the data set for ``firms`` firms into a fresh database and time ``REPEAT`` refreshes."""
    from missions import demo_large
    from missions.catalogue import indicator_catalogue_sync
    from portal import demo
    from portal.models import FirmYear, Organisation

    with bench_database():
        demo.seed()
        indicator_catalogue_sync()
        started = time.perf_counter()
        demo_large.large_seed(firms=firms)
        seeded = time.perf_counter() - started
        print(f"{firms:,} firms: loaded in {seeded:.0f} s", file=sys.stderr)
        # Settled as autovacuum leaves a register this size: visibility map set, statistics fresh.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        # The child processes connect to this benchmark's database, as DATABASE_URL names it otherwise.
        url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal"))
        env = {**os.environ, "DATABASE_URL": urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))}
        runs = []
        for _ in range(REPEAT):
            child = subprocess.run(
                [sys.executable, __file__, "--refresh-once"], env=env, capture_output=True, text=True, check=False
            )
            if child.returncode:
                sys.exit(f"The refresh failed on {firms:,} firms:\n{child.stderr[-3000:]}")
            runs.append(json.loads(child.stdout.strip().splitlines()[-1]))
            print(f"{firms:,} firms: refresh in {runs[-1]['seconds']:.2f} s", file=sys.stderr)
        sizes = {"organisations": Organisation.objects.count(), "firm_years": FirmYear.objects.count()}
    runs.sort(key=lambda run: run["seconds"])
    return {"firms": firms, "seed_seconds": seeded, "runs": runs, "median": runs[len(runs) // 2], **sizes}


def _verdict(ok: bool) -> str:
    return "pass" if ok else "FAIL"


def main() -> None:
    rows = [measure(LARGE // 10), measure(LARGE)]
    load = os.getloadavg()[0]
    print(f"KPI refresh at two sizes on {connection.vendor}, {os.cpu_count()} CPUs, load average {load:.2f} at the end")
    print(f"median of {REPEAT} runs, each in a fresh process; SQL = time inside PostgreSQL summed over the queries")
    header = (
        f"{'firms':>8} {'orgs':>8} {'firm-yrs':>9} {'seed s':>7} {'wall s':>7} {'min-max s':>11} {'SQL s':>7} "
        f"{'in SQL':>7} {'PG CPU s':>9} {'queries':>8} {'peak MB':>8} {'obs':>6}"
    )
    print(header)
    for row in rows:
        run = row["median"]
        cpu = "-" if run["backend_cpu"] is None else f"{run['backend_cpu']:.2f}"
        spread = f"{row['runs'][0]['seconds']:.2f}-{row['runs'][-1]['seconds']:.2f}"
        share = run["sql_seconds"] / run["seconds"]
        peak = max(r["peak_mb"] for r in row["runs"])
        print(
            f"{row['firms']:>8,} {row['organisations']:>8,} {row['firm_years']:>9,} {row['seed_seconds']:>7.1f} "
            f"{run['seconds']:>7.2f} {spread:>11} {run['sql_seconds']:>7.2f} {share:>7.0%} "
            f"{cpu:>9} {run['queries']:>8} {peak:>8.0f} {run['observations']:>6}"
        )
    small, large = rows[0]["median"], rows[1]["median"]
    growth, sql_growth = large["seconds"] / small["seconds"], large["sql_seconds"] / small["sql_seconds"]
    data = rows[1]["firm_years"] / rows[0]["firm_years"]
    peak = max(run["peak_mb"] for run in rows[1]["runs"])
    share = large["sql_seconds"] / large["seconds"]
    print(f"data x{data:.1f} (firm-years): time x{growth:.2f}, SQL time x{sql_growth:.2f}")
    seconds = large["seconds"]
    print(f"  wall time {seconds:.2f} s < {TARGET_SECONDS:.0f} s: {_verdict(seconds < TARGET_SECONDS)}")
    print(f"  inside PostgreSQL {share:.0%} >= {TARGET_SQL_SHARE:.0%}: {_verdict(share >= TARGET_SQL_SHARE)}")
    print(f"  peak memory {peak:.0f} MB < {TARGET_MB} MB: {_verdict(peak < TARGET_MB)}")
    print(f"  growth x{growth:.2f} <= x{TARGET_GROWTH:.0f}: {_verdict(growth <= TARGET_GROWTH)}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--refresh-once"]:
        print(json.dumps(refresh_once()))
    else:
        main()
