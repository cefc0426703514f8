"""Serving the portal with gunicorn on 127.0.0.1, for the benchmarks and the tests that need real
web processes (tests/test_replica.py). Imports nothing from Django: the process it starts reads
its settings from the environment it is given."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class HarnessError(RuntimeError):
    """The benchmark itself could not run: its figures would mean nothing."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The first request of a target builds what it caches: at the large size the whole-register
# downloads (the 360Giving files) take several seconds; gunicorn and the client wait this long.
FIRST_REQUEST_SECONDS = 120


def status_of(port: int, path: str, headers: list[str]) -> int:
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=FIRST_REQUEST_SECONDS)
    try:
        connection_.request("GET", path, headers=dict(h.split(": ", 1) for h in headers))
        return connection_.getresponse().status
    finally:
        connection_.close()


@contextmanager
def process_serving(command: list[str], env: dict[str, str], log_path: Path, *, name: str, ready, seconds: float = 30,
                    grace: float = 15):  # fmt: skip
    """``command`` in a process group of its own with the environment ``env``, its output in
    ``log_path``; yields the process once ``ready()`` is true (an ``OSError`` counts as not yet).
    Stopped (the whole group, SIGKILL after ``grace`` seconds) on the way out, whatever happens."""
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + seconds
        while True:
            if process.poll() is not None:
                raise HarnessError(f"{name} exited with {process.returncode}:\n{log_path.read_text()[-2000:]}")
            try:
                if ready():
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise HarnessError(f"{name} was not ready within {seconds:.0f} s:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield process
    finally:
        process_group_stop(process, grace)


@contextmanager
def gunicorn_serving(env: dict[str, str], log_path: Path, *, workers: int = 2, ready_path: str = "/healthz"):
    """gunicorn (``workers`` sync workers) on a free port of 127.0.0.1 with the environment ``env``
    (settings module, database, Redis); yields the port once ``ready_path`` answers. Stopped (its
    whole process group) on the way out, whatever happens."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "portal.wsgi:application",
        "--workers", str(workers), "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
        "--no-control-socket", "--log-level", "warning", "--timeout", str(FIRST_REQUEST_SECONDS),
    ]  # fmt: skip
    with process_serving(command, env, log_path, name="gunicorn", ready=lambda: status_of(port, ready_path, []) > 0):
        yield port


def process_group_stop(process: subprocess.Popen, grace: float = 15) -> None:
    """Stop a process started with ``start_new_session`` and everything it started: SIGTERM (a
    gunicorn or Celery warm shutdown), then SIGKILL after ``grace`` seconds. Nothing if it ended."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
