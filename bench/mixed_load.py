"""Benchmark: a mixed load over every page and API list, signed in and anonymous, against the
portal served in its scale-out shape; then the same with reads sent to a streaming replica.

Uses ``bench/web.py``'s database, data and sign-ins and ``bench/serving.py``'s gunicorn: a
throwaway database migrated and seeded with ``seed_demo``, ``collectstatic``,
``portal.settings.bench``, every target of ``web.TARGETS`` (the references left out), the staff,
ambassador and founder sessions signed in through the real sign-in pages (password, then TOTP) and
the demo partner's bearer tokens from ``/o/token/``. Each phase serves the portal with two gunicorn
processes (2 sync workers each, on two ports, one database, one Redis) and two Celery workers
(every queue) on one broker, and runs two wrk processes at once, one per web process, 8 connections
each: 16 connections for ``BENCH_LOAD_SECONDS`` (default 60). Each wrk connection goes round the
whole mix from its own starting point: every target as ``web.TARGETS`` requests it, every public
page also with the founder's session, and the partner creating one firm with a fixed
``Idempotency-Key`` (the first request writes it, every later one is answered from the stored
answer), with a token of its own so the writes' read-your-writes window does not pin the partner's
reads to the primary. Meanwhile this process stores a problem report every half second and asks for
a KPI refresh every 15 seconds, as visitors and staff would, so the two workers share real jobs
from the ``email`` and ``refresh`` queues; after the load it waits for every job to finish.

The second phase does the same with ``DATABASE_REPLICA_URL`` set for the web processes and the
workers, pointing at a streaming replica of the shared PostgreSQL made for this run with
``bench/replica.sh start`` on a free port of its own (and deleted with ``bench/replica.sh remove``
afterwards); it is skipped, with the reason printed, when that script or the settings that read
``DATABASE_REPLICA_URL`` are not there, or with ``BENCH_LOAD_REPLICA=0``. The transactions each
server ran for the benchmark's database during the load are counted from its own
``pg_stat_database``, so the report shows the replica was read from.

Prints, per phase: requests, req/s, p50 and p95 of each web process, errors by status and by
address (anything but the expected answer: 200 for a page or list, 201 for the firm; socket
errors and timeouts over 5 s counted too), requests per kind of requester, the jobs each worker
ran, and pass (0 errors, every job run once) or fail. Writes the same to
``var/bench/mixed_load.json`` (the gunicorn and worker logs beside it). A failed bar is reported,
not raised: the script exits non-zero only when it cannot measure.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/mixed_load.py
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import web  # before anything of the project: settings, preflight, Django set up by the harness
from harness import bench_database, connection
from serving import HarnessError, free_port, gunicorn_serving, process_serving

ROOT = web.ROOT
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
REPLICA = os.environ.get("BENCH_LOAD_REPLICA", "1") != "0"
WEB_PROCESSES, CELERY_WORKERS = 2, 2
CONNECTIONS_EACH = 8  # per web process: wrk's threads too, one connection each (see MIX_LUA)
WARM_UP_SECONDS = 3
TIMEOUT_SECONDS = 5
JOBS_TIMEOUT_SECONDS = 120
SLOWEST = 5
FEEDBACK_EVERY_SECONDS = 0.5
REFRESH_EVERY_SECONDS = 15
REPLICA_SCRIPT = ROOT / "bench" / "replica.sh"
OUT = ROOT / "var" / "bench"
JSON_PATH = OUT / "mixed_load.json"

FIRM_PATH = "/api/v1/organisations/"
FIRM_BODY = json.dumps({"name": "Mixed Load Firm Ltd"})


class Request(NamedTuple):
    method: str
    path: str
    who: str  # a key of web.requesters()'s headers
    expect: int
    body: str | None = None
    headers: tuple[str, ...] = ()


def mix() -> list[Request]:
    """Every request of the load, in the order a connection goes round them."""
    requests = []
    for target in web.TARGETS:
        if target.reference is None:  # the references are the web benchmark's yardsticks, not the portal
            continue
        requests.append(Request("GET", target.path, target.who, 200))
        if target.who == "public":
            requests.append(Request("GET", target.path, "founder", 200))
    # One idempotency key per run: the first request creates the firm, every other one is a replay.
    # A token of its own: a write pins its sender to the primary for a few seconds (read-your-writes
    # with the replica router on), and the partner's reads should not all be pinned.
    key = f"mixed-load-{os.getpid()}-{int(time.time())}"
    headers = ("Content-Type: application/json", f"Idempotency-Key: {key}")
    requests.append(Request("POST", FIRM_PATH, "partner-writer", 201, FIRM_BODY, headers))
    return requests


# wrk runs one connection per thread, so the response a thread sees answers the request it sent
# last: that is what lets each answer be counted against its own address.
MIX_LUA = """
local mix = {%(mix)s}
local threads = {}
local started = 0

function setup(thread)
  started = started + 1
  thread:set("id", started)
  table.insert(threads, thread)
end

function init(args)
  formatted = {}
  for i, r in ipairs(mix) do
    formatted[i] = wrk.format(r.method, r.path, r.headers, r.body)
  end
  index = (id * 7) %% #mix  -- each connection starts somewhere else in the mix
  last = nil
  answered = {}
  wrong = {}
end

function request()
  index = index %% #mix + 1
  last = index
  return formatted[index]
end

function response(status, headers, body)
  answered[last] = (answered[last] or 0) + 1
  if status ~= mix[last].expect then
    local key = last .. " " .. status
    wrong[key] = (wrong[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOAD {"requests": %%d, "duration_us": %%d, "non_2xx_3xx": %%d, "connect": %%d, "read": %%d, '
    .. '"write": %%d, "timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
  for _, thread in ipairs(threads) do
    for i, count in pairs(thread:get("answered")) do io.write(string.format("ANSWERED %%d %%d\\n", i, count)) end
    for key, count in pairs(thread:get("wrong")) do io.write(string.format("WRONG %%s %%d\\n", key, count)) end
  end
end
"""


def lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string of ASCII is a valid Lua string literal


def mix_lua(requests: list[Request], headers: dict[str, list[str]]) -> str:
    rows = []
    for request in requests:
        pairs = [h.split(": ", 1) for h in [*headers[request.who], *request.headers]]
        header_table = ", ".join(f"[{lua_string(name)}] = {lua_string(value)}" for name, value in pairs)
        body = lua_string(request.body) if request.body is not None else "nil"
        rows.append(
            f"{{method = {lua_string(request.method)}, path = {lua_string(request.path)}, "
            f"headers = {{{header_table}}}, body = {body}, expect = {request.expect}}}"
        )
    return MIX_LUA % {"mix": ",\n  ".join(rows)}


# Serving: web processes, workers, the replica


def database_url(database_name: str) -> str:
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database_name}").geturl()


@contextmanager
def celery_worker(name: str, env: dict[str, str], log_path: Path):
    """A ``celery worker`` on every queue with the web processes' environment, until the block ends."""
    from django.conf import settings

    env = {**env, "LOG_LEVEL": "INFO"}  # each job's "succeeded" line is how the jobs are counted per worker
    queues = ",".join(settings.CELERY_QUEUE_OF_TASKS)
    command = [
        sys.executable, "-m", "celery", "-A", "portal", "worker", "--hostname", f"{name}@%h", "--queues", queues,
        "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    # A warm shutdown on the way out: the job in hand finishes.
    with process_serving(
        command,
        env,
        log_path,
        name=f"worker {name}",
        ready=lambda: " ready." in log_path.read_text(),
        seconds=60,
        grace=30,
    ) as process:
        yield process


class ReplicaUnavailable(Exception):
    """The replica phase cannot run here; the message says why."""


def replica_missing() -> str | None:
    """Why the replica phase cannot run, or None."""
    if not REPLICA:
        return "BENCH_LOAD_REPLICA=0"
    if not REPLICA_SCRIPT.exists():
        return f"{REPLICA_SCRIPT.relative_to(ROOT)} (which starts the streaming replica) is not there"
    settings_text = "".join(path.read_text() for path in (ROOT / "portal" / "settings").glob("*.py"))
    if "DATABASE_REPLICA_URL" not in settings_text:
        return "the settings do not read DATABASE_REPLICA_URL (the replica router is not there)"
    return None


@contextmanager
def replica_serving(database_name: str):
    """Start a streaming replica with ``bench/replica.sh start`` and yield the URL of the
    benchmark's database on it; ``bench/replica.sh remove`` on the way out. A base backup the
    primary cut short (a busy shared server) is tried once more."""
    # A port (and so a directory) of its own: another replica on this machine is left alone.
    env = {**os.environ, "REPLICA_PORT": str(free_port())}
    try:
        for attempt in (1, 2):
            result = subprocess.run(
                ["bash", str(REPLICA_SCRIPT), "start"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900
            )
            if result.returncode == 0:
                break
            output = result.stdout + result.stderr
            if attempt == 2:
                raise HarnessError(f"bench/replica.sh start failed twice ({result.returncode}):\n{output}")
            print(f"  bench/replica.sh start failed, trying again:\n{output}", file=sys.stderr, flush=True)
        # It prints the replica's URL without a database: the benchmark's database is on it too.
        found = re.search(r"postgres(?:ql)?://\S+", result.stdout)
        if not found:
            raise HarnessError(f"bench/replica.sh start printed no URL:\n{result.stdout}")
        url = urlsplit(found.group(0))._replace(path=f"/{database_name}").geturl()
        replica_wait(url)
        yield url
    finally:
        subprocess.run(
            ["bash", str(REPLICA_SCRIPT), "remove"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )


def replica_wait(url: str, timeout: float = 60) -> None:
    """Until the replica serves the benchmark's database, in recovery (a standby)."""
    import psycopg2

    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg2.connect(url, connect_timeout=3) as conn, conn.cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                if cursor.fetchone()[0]:
                    return
                raise HarnessError(f"{url} is not a standby: pg_is_in_recovery() is false")
        except psycopg2.OperationalError as error:
            if time.monotonic() > deadline:
                raise HarnessError(f"the replica did not serve the benchmark's database: {error}") from None
            time.sleep(0.5)


def transactions_counted(url: str, database_name: str) -> int:
    """Transactions committed on the server at ``url`` for the database, from its own statistics."""
    import psycopg2

    with psycopg2.connect(url, connect_timeout=5) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", [database_name])
        return cursor.fetchone()[0]


# Measuring


def wrk_start(port: int, script: Path, seconds: int) -> subprocess.Popen:
    """wrk in the background, its output kept in a file beside the script (no pipe to fill)."""
    command = [
        "wrk", f"-t{CONNECTIONS_EACH}", f"-c{CONNECTIONS_EACH}", f"-d{seconds}s",
        "--timeout", f"{TIMEOUT_SECONDS}s", "-s", str(script), f"http://127.0.0.1:{port}/",
    ]  # fmt: skip
    with open(script.with_name(f"wrk-{port}.out"), "w") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)


def wrk_figures(process: subprocess.Popen, port: int, script: Path) -> dict:
    process.wait(timeout=SECONDS + 120)
    stdout = script.with_name(f"wrk-{port}.out").read_text()
    summary = [line for line in stdout.splitlines() if line.startswith("LOAD ")]
    if process.returncode != 0 or not summary:
        raise HarnessError(f"wrk against port {port} failed ({process.returncode}):\n{stdout}")
    figures = json.loads(summary[-1].removeprefix("LOAD "))
    answered, wrong = {}, {}
    for line in stdout.splitlines():
        if line.startswith("ANSWERED "):
            _, index, count = line.split()
            answered[int(index)] = answered.get(int(index), 0) + int(count)
        elif line.startswith("WRONG "):
            _, index, status, count = line.split()
            wrong[(int(index), int(status))] = wrong.get((int(index), int(status)), 0) + int(count)
    figures["answered"], figures["wrong"] = answered, wrong
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def statuses_check(requests: list[Request], headers: dict[str, list[str]], ports: list[int]) -> dict[str, float]:
    """Every request answers as expected on every web process, one at a time; returns each
    request's milliseconds (the quicker of the web processes)."""
    import http.client

    wrong, timings = [], {}
    for port in ports:
        for request in requests:
            name = f"{request.method} {request.path} ({request.who})"
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                sent = dict(h.split(": ", 1) for h in [*headers[request.who], *request.headers])
                started = time.perf_counter()
                connection_.request(request.method, request.path, body=request.body, headers=sent)
                response = connection_.getresponse()
                response.read()
                elapsed = (time.perf_counter() - started) * 1000
            finally:
                connection_.close()
            timings[name] = min(elapsed, timings.get(name, elapsed))
            if response.status != request.expect:
                wrong.append(f"{name} on :{port}: {response.status}, not {request.expect}")
    if wrong:
        raise HarnessError("every request must answer as expected before the load:\n  " + "\n  ".join(wrong))
    return timings


class JobFeeder:
    """Jobs a real day brings, made here while the load runs: a problem report stored every
    ``FEEDBACK_EVERY_SECONDS`` (its email is a job on the ``email`` queue) and a KPI refresh asked
    for every ``REFRESH_EVERY_SECONDS`` (a job on the ``refresh`` queue)."""

    def __init__(self) -> None:
        self.feedback_ids: list[int] = []
        self.refresh_ids: set[int] = set()
        self.next_feedback = self.next_refresh = time.monotonic()

    def tick(self) -> None:
        from missions.models import RefreshRun
        from missions.services import refresh_run_request
        from portal.services import feedback_create

        now = time.monotonic()
        if now >= self.next_feedback:
            feedback = feedback_create(
                doing=f"Mixed load report {len(self.feedback_ids) + 1}", problem="Nothing: a benchmark's report"
            )
            self.feedback_ids.append(feedback.pk)
            self.next_feedback += FEEDBACK_EVERY_SECONDS
        if now >= self.next_refresh:
            run, _ = refresh_run_request(trigger=RefreshRun.Trigger.API)
            self.refresh_ids.add(run.pk)
            self.next_refresh += REFRESH_EVERY_SECONDS

    def wait_done(self) -> dict:
        """Until every report is emailed and every refresh finished (or the time runs out)."""
        from missions.models import RefreshRun
        from portal.models import Feedback

        deadline = time.monotonic() + JOBS_TIMEOUT_SECONDS
        while True:
            unsent = Feedback.objects.filter(pk__in=self.feedback_ids, emailed_at__isnull=True).count()
            runs = RefreshRun.objects.filter(pk__in=self.refresh_ids)
            open_runs = runs.filter(status__in=RefreshRun.OPEN_STATUSES).count()
            if (not unsent and not open_runs) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        return {
            "reports": len(self.feedback_ids),
            "reports_unsent": unsent,
            "refreshes": len(self.refresh_ids),
            "refreshes_open": open_runs,
            "refreshes_failed": runs.filter(status=RefreshRun.Status.FAILED).count(),
        }


def jobs_by_worker(log_paths: dict[str, Path]) -> dict[str, dict[str, int]]:
    """Each worker's finished jobs by task name, and the report emails it sent, from its log."""
    counts = {}
    for name, path in log_paths.items():
        text = path.read_text()
        tasks = {}
        for task in re.findall(r"Task ([\w.]+)\[[\w-]+\] succeeded", text):
            tasks[task] = tasks.get(task, 0) + 1
        tasks["emails sent (feedback)"] = len(re.findall(r"Subject: Portal feedback", text))
        counts[name] = tasks
    return counts


def phase_run(label: str, database_name: str, requests, headers, workdir: Path, replica_url: str | None) -> dict:
    """Serve (two web processes, two workers), check every request, warm up, load, wait for the jobs."""
    from django.db import connections

    from portal.celery import app as celery_app

    slug = "replica" if replica_url else "primary"
    script = workdir / "mix.lua"
    script.write_text(mix_lua(requests, headers))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": web.SETTINGS,
        "DATABASE_URL": database_url(database_name),
        **({"DATABASE_REPLICA_URL": replica_url} if replica_url else {}),
    }
    logs = {f"worker-{n}": OUT / f"mixed_load-{slug}-worker-{n}.log" for n in range(1, CELERY_WORKERS + 1)}
    with ExitStack() as stack:
        ports = [
            stack.enter_context(
                gunicorn_serving(
                    env, OUT / f"mixed_load-{slug}-web-{n}.log", workers=web.WORKERS, ready_path=web.REFERENCE_PAGE
                )
            )
            for n in range(1, WEB_PROCESSES + 1)
        ]
        for name, path in logs.items():
            stack.enter_context(celery_worker(f"mixed-load-{os.getpid()}-{name}", env, path))
        statuses_check(requests, headers, ports)
        warm_up = [wrk_start(port, script, WARM_UP_SECONDS) for port in ports]
        for process, port in zip(warm_up, ports, strict=True):
            wrk_figures(process, port, script)
        alone = statuses_check(requests, headers, ports)  # warm now: each request's own cost
        servers = {"primary": database_url(database_name)} | ({"replica": replica_url} if replica_url else {})
        before = {server: transactions_counted(url, database_name) for server, url in servers.items()}
        print(f"  {label}: {SECONDS} s of load on ports {ports}", file=sys.stderr, flush=True)
        celery_app.conf.task_always_eager = False  # the jobs go to the broker, for the workers
        feeder = JobFeeder()
        loads = [wrk_start(port, script, SECONDS) for port in ports]
        while any(process.poll() is None for process in loads):
            feeder.tick()
            time.sleep(0.05)
        per_process = [wrk_figures(process, port, script) for process, port in zip(loads, ports, strict=True)]
        jobs = feeder.wait_done()
        connections.close_all()
    # The web processes have stopped, so their sessions' statistics are all counted.
    transactions = {
        server: transactions_counted(url, database_name) - before[server] for server, url in servers.items()
    }
    jobs["by_worker"] = jobs_by_worker(logs)
    return phase_summary(label, requests, per_process, jobs, transactions, alone)


def phase_summary(label, requests, per_process, jobs, transactions, alone) -> dict:
    total = sum(p["requests"] for p in per_process)
    seconds = max(p["duration_us"] for p in per_process) / 1e6
    socket_errors = {kind: sum(p[kind] for p in per_process) for kind in ("connect", "read", "write", "timeout")}
    wrong: dict[str, int] = {}
    answered: dict[str, int] = {}
    by_who: dict[str, int] = {}
    for process in per_process:
        for (index, status), count in process["wrong"].items():
            request = requests[index - 1]
            key = f"{status} {request.method} {request.path} ({request.who})"
            wrong[key] = wrong.get(key, 0) + count
        for index, count in process["answered"].items():
            request = requests[index - 1]
            key = f"{request.method} {request.path} ({request.who})"
            answered[key] = answered.get(key, 0) + count
            by_who[request.who] = by_who.get(request.who, 0) + count
    errors = sum(wrong.values()) + sum(socket_errors.values())
    emails = sum(counts.get("emails sent (feedback)", 0) for counts in jobs["by_worker"].values())
    checks = {
        "0 errors": errors == 0,
        "every request answered": len(answered) == len(requests),
        "every job done": not jobs["reports_unsent"] and not jobs["refreshes_open"] and not jobs["refreshes_failed"],
        "each report emailed once": emails == jobs["reports"],
        "both workers worked": len(jobs["by_worker"]) == CELERY_WORKERS
        and all(sum(counts.values()) for counts in jobs["by_worker"].values()),
    }
    if "replica" in transactions:
        checks["read from the replica"] = transactions["replica"] > 0
    return {
        "phase": label,
        "requests": total,
        "seconds": seconds,
        "rps": total / seconds,
        "per_process": [
            {key: p[key] for key in ("requests", "rps", "p50_us", "p95_us", "p99_us", "max_us")} for p in per_process
        ],
        "errors": errors,
        "socket_errors": socket_errors,
        "wrong_answers": wrong,
        "by_who": by_who,
        "answered": answered,
        "jobs": jobs,
        "transactions": transactions,
        "alone_ms": alone,
        "checks": checks,
        "pass": all(checks.values()),
    }


def report(phases: list[dict], skipped: str | None, about: dict, mix_size: int) -> None:
    print(
        f"Mixed load: {WEB_PROCESSES} gunicorn processes ({web.WORKERS} sync workers each, DEBUG off) and "
        f"{CELERY_WORKERS} Celery workers on one Redis broker; 2 wrk, {CONNECTIONS_EACH} connections each "
        f"(16 in all), {SECONDS} s; {mix_size} requests in the mix; seed_demo data"
    )
    print(f"Machine: {about['nproc']} CPUs, {about['cpu']}, {about['date']}, load average {about['load_average']}")
    for phase in phases:
        print(f"\n{phase['phase']}")
        print(f"  requests {phase['requests']:,} in {phase['seconds']:.1f} s: {phase['rps']:.0f} req/s")
        for n, process in enumerate(phase["per_process"], 1):
            print(
                f"  web process {n}: {process['requests']:,} requests, {process['rps']:.0f} req/s, "
                f"p50 {process['p50_us'] / 1000:.1f} ms, p95 {process['p95_us'] / 1000:.1f} ms, "
                f"p99 {process['p99_us'] / 1000:.1f} ms, max {process['max_us'] / 1000:.0f} ms"
            )
        alone = phase["alone_ms"]
        slowest = sorted(alone.items(), key=lambda item: -item[1])[:SLOWEST]
        print(f"  the mix once, one request at a time after the warm-up: {sum(alone.values()):.0f} ms; slowest:")
        for name, ms in slowest:
            print(f"    {ms:6.0f} ms  {name}")
        print("  by requester: " + ", ".join(f"{who} {count:,}" for who, count in sorted(phase["by_who"].items())))
        socket = ", ".join(f"{kind} {count}" for kind, count in phase["socket_errors"].items())
        print(f"  errors: {phase['errors']} (socket: {socket})")
        for key, count in sorted(phase["wrong_answers"].items()):
            print(f"    {count:>6}  {key}")
        jobs = phase["jobs"]
        print(
            f"  jobs: {jobs['reports']} problem reports ({jobs['reports_unsent']} unsent), "
            f"{jobs['refreshes']} KPI refreshes ({jobs['refreshes_open']} still open, "
            f"{jobs['refreshes_failed']} failed)"
        )
        for name, counts in jobs["by_worker"].items():
            print(f"    {name}: " + ", ".join(f"{task} {count}" for task, count in sorted(counts.items())))
        print(
            "  transactions during the load and the jobs: "
            + ", ".join(f"{server} {count:,}" for server, count in phase["transactions"].items())
        )
        failed = [name for name, ok in phase["checks"].items() if not ok]
        print("  result: " + ("pass" if not failed else "FAIL (" + ", ".join(failed) + ")"))
    if skipped:
        print(f"\nreplica router on: skipped, {skipped}")


def main() -> None:
    from django.core.management import call_command

    from portal.celery import app as celery_app

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, web._sigterm_exits)
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)  # seeding runs its jobs here
    about = web.machine()
    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    skipped = replica_missing()
    failed = None
    phases = []
    try:
        with bench_database(), tempfile.TemporaryDirectory(prefix="bench-load-") as workdir:
            database_name = connection.settings_dict["NAME"]
            call_command("collectstatic", interactive=False, verbosity=0)
            web.demo_seed(scale=1)
            _, headers = web.requesters()
            headers["partner-writer"] = [f"Authorization: Bearer {web.partner_token()}"]
            requests = mix()
            connection.close()  # the replica's base backup and the servers need no session of ours
            print(f"Seeded in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
            phases.append(phase_run("primary only", database_name, requests, headers, Path(workdir), None))
            if not skipped:
                try:
                    with replica_serving(database_name) as replica_url:
                        phases.append(
                            phase_run("replica router on", database_name, requests, headers, Path(workdir), replica_url)
                        )
                except HarnessError as error:  # the first phase's figures still stand: report them
                    failed = f"could not run: {error}"
            connection.close()
    finally:
        web.cache_entries_delete()
    report(phases, skipped, about, len(requests))
    if failed:
        print(f"\nreplica router on: {failed}")
    payload = {
        "machine": about,
        "settings": {"seconds": SECONDS, "connections": CONNECTIONS_EACH * WEB_PROCESSES, "workers": web.WORKERS},
        "mix": [request._asdict() | {"headers": list(request.headers)} for request in requests],
        "phases": phases,
        "replica_skipped": skipped,
        "replica_failed": failed,
    }
    JSON_PATH.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nFigures written to {JSON_PATH.relative_to(ROOT)} ({time.monotonic() - started:.0f} s in all)")
    if failed:
        raise HarnessError("the replica phase could not run (above)")


if __name__ == "__main__":
    try:
        main()
    except HarnessError as error:
        sys.exit(f"bench/mixed_load.py failed: {error}")
    except KeyboardInterrupt:
        sys.exit("bench/mixed_load.py interrupted; servers and workers stopped and the database dropped")
