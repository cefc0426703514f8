"""Waiting for another process (a worker, a beat, a web server) to reach a state."""

import time


def wait_for(condition, timeout: float = 90, every: float = 0.1) -> None:
    """Return once ``condition()`` is true; fail with "timed out" after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(every)
