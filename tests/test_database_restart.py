"""PostgreSQL stopped and started again under a serving portal: gunicorn (two sync workers, DEBUG
off, persistent connections with health checks as in production) against a private PostgreSQL
cluster the test makes, loaded from a dump of the test database (about 3 s; migrating an empty
database takes about a minute). The shared cluster is never touched."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from bench.serving import process_group_stop
from tests.conftest import require
from tests.test_celery_worker import ROOT

PG_BIN = Path("/usr/lib/postgresql/15/bin")
TIMEOUT = 5  # seconds a request may take before it counts as hanging
TARGETS = ["/", "/missions/", "/api/v1/missions/", "/healthz"]
STATIC = "/"  # a page that reads nothing from the database (for a signed-out visitor)
LEAKS = ["Traceback", "OperationalError", "psycopg", "connection refused", "/work/", 'File "']


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    data: Path
    port: int
    as_owner: list[str]

    def ctl(self, *args: str) -> None:
        subprocess.run([*self.as_owner, str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", *args], check=True,
                       capture_output=True, timeout=60)  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.ctl("-l", str(self.data.parent / "postgres.log"), "-o", options, "start")

    def stop(self) -> None:
        self.ctl("-m", "fast", "stop")

    def restart(self) -> None:
        self.ctl("-l", str(self.data.parent / "postgres.log"), "-m", "fast", "restart")


@pytest.fixture
def private_cluster(django_db_setup, postgres):
    """A PostgreSQL cluster of the test's own on a free port, holding a copy of the test database
    (schema and the migrations' rows) as ``portal``; removed afterwards."""
    require((PG_BIN / "initdb").exists(), f"PostgreSQL 15's server programs are not in {PG_BIN}")
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []  # PostgreSQL refuses root
    root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    if as_owner:
        shutil.chown(root, "postgres")
    cluster = Cluster(root / "data", free_port(), as_owner)
    try:
        subprocess.run(
            [*as_owner, str(PG_BIN / "initdb"), "-D", str(cluster.data), "-A", "trust", "-U", "postgres",
             "-E", "UTF8", "--locale=C", "--no-sync"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        cluster.start()
        source = connection.settings_dict
        target = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres"]
        subprocess.run(["createdb", *target, "portal"], check=True, timeout=30)
        dump = subprocess.Popen(
            ["pg_dump", "--no-owner", "--no-privileges", "-h", source["HOST"], "-p", str(source["PORT"]),
             "-U", source["USER"], source["NAME"]],
            stdout=subprocess.PIPE,
        )  # fmt: skip
        subprocess.run(
            ["psql", *target, "-d", "portal", "-q", "-v", "ON_ERROR_STOP=1"],
            stdin=dump.stdout, stdout=subprocess.DEVNULL, check=True, timeout=120,
        )  # fmt: skip
        assert dump.wait(timeout=30) == 0
        yield cluster
    finally:
        subprocess.run([*as_owner, str(PG_BIN / "pg_ctl"), "-D", str(cluster.data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def gunicorn(private_cluster, redis_url, tmp_path):
    """The portal served by gunicorn against the private cluster: (port, master process)."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{private_cluster.port}/portal",
        "REDIS_URL": redis_url,
        "TEST_CONN_MAX_AGE": "60",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--workers", "2", "--worker-class", "sync",
             "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text()
            try:
                get(port, "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield port, process
    finally:
        process_group_stop(process)


@dataclass
class Answer:
    path: str
    status: int
    body: str
    seconds: float


def get(port: int, path: str) -> Answer:
    started = time.monotonic()
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        client.request("GET", path, headers={"Accept": "text/html,application/json"})
        response = client.getresponse()
        return Answer(path, response.status, response.read().decode(errors="replace"), time.monotonic() - started)
    finally:
        client.close()


def round_of(port: int) -> list[Answer]:
    """Each target twice, so both workers are likely asked."""
    return [get(port, path) for path in TARGETS for _ in range(2)]


def workers_of(master: subprocess.Popen) -> set[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return {int(pid) for pid in children}


def all_200(answers: list[Answer]) -> bool:
    return {(a.path, a.status) for a in answers} == {(path, 200) for path in TARGETS}


def failed_cleanly(answer: Answer) -> bool:
    """Answered within the timeout, with a status the portal means and nothing of its insides."""
    return (
        answer.seconds < TIMEOUT
        and answer.status in (200, 500, 503)
        and not [leak for leak in LEAKS if leak in answer.body]
    )


@pytest.mark.django_db
def test_postgres_restarted_under_the_web_fails_cleanly_and_the_same_processes_recover(private_cluster, gunicorn):
    port, master = gunicorn
    warm = [answer for _ in range(5) for answer in round_of(port)]
    assert all_200(warm), [(a.path, a.status) for a in warm]
    workers = workers_of(master)
    assert len(workers) == 2

    # A restart between two requests: each worker's kept connection is dead, and the health check
    # made before reusing it (CONN_HEALTH_CHECKS) opens a new one, so not one request fails.
    private_cluster.restart()
    restarted = round_of(port) + round_of(port)
    assert all_200(restarted), [(a.path, a.status) for a in restarted]

    # Requests sent all the while PostgreSQL stops, stays down and starts again.
    answers: list[Answer] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            answers.extend(round_of(port))

    asking = threading.Thread(target=keep_asking)
    asking.start()
    try:
        private_cluster.stop()
        down = [answer for _ in range(5) for answer in round_of(port)]
        private_cluster.start()
    finally:
        stop.set()
        asking.join(timeout=60)
    assert [a for a in answers + down if not failed_cleanly(a)] == []
    for answer in down:
        assert answer.status == 200 if answer.path == STATIC else answer.status in (500, 503), answer
    health = [a for a in down if a.path == "/healthz"]
    assert {(a.status, json.loads(a.body)["database"]) for a in health} == {(503, "down")}
    page = next(a for a in down if a.path == "/missions/")
    assert page.status == 500 and "Sorry, there is a problem with the service" in page.body
    api = next(a for a in down if a.path.startswith("/api/"))
    assert api.status == 500 and json.loads(api.body)["type"] == "server_error"

    # Back by themselves, the same worker processes: nobody restarted the web.
    after = [answer for _ in range(5) for answer in round_of(port)]
    assert all_200(after), [(a.path, a.status, a.body[:200]) for a in after if a.status != 200]
    assert workers_of(master) == workers
