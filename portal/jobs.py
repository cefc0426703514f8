"""Starting background jobs from requests, and showing that a long job is alive.

Every job a request starts goes through this module, so a broker that is down is one clear error
(``BrokerUnavailableError``, a 503 with ``Retry-After`` in the API and on pages) within about a
second, never a 500 after kombu's retries:

- ``job_enqueue_on_commit(task, ..., undo=...)`` for a job the user asked for and waits on (a KPI
  refresh): if the broker will not take it, ``undo`` cancels what was written for it (so nothing is
  left open) and the error reaches the user.
- ``job_enqueue_owed(task, ...)`` for a job the database already records as owed and a periodic
  sweep picks up (the email about a status change, digests): the write goes ahead and a broker
  that is down only delays the job.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connections, transaction
from kombu.exceptions import OperationalError

from . import health
from .exceptions import BrokerUnavailableError

logger = logging.getLogger(__name__)


def job_enqueue(task, *args, **kwargs) -> None:
    """Publish ``task(*args, **kwargs)`` now, or raise BrokerUnavailableError (within about a
    second: see CELERY_TASK_PUBLISH_RETRY_POLICY and REDIS_TRANSPORT_OPTIONS).

    Fire and forget: no result is awaited. With a Redis result backend, a task whose result is
    kept makes the publisher subscribe to it first, and that subscription retries for 20 seconds
    and then stays broken until the process restarts, so results are not kept for these jobs. Call
    it once the rows the job reads are committed; in eager mode (tests) the job runs here.
    """
    try:
        task.apply_async(args, kwargs, ignore_result=True)
    except OperationalError as error:  # kombu's name for every connection failure
        logger.warning("The broker did not take %s: %s", task.name, error)
        health.broker_probe_forget()  # so the pages that show the broker's state look again
        raise BrokerUnavailableError() from error


def job_enqueue_on_commit(task, *args, undo: Callable[[], object] | None = None, **kwargs) -> None:
    """Publish ``task(*args, **kwargs)`` once the current transaction commits (at once outside
    one). If the broker does not take it, call ``undo`` (to close what was opened for the job, in
    its own transaction) and raise BrokerUnavailableError to whoever committed: the request then
    answers 503 and leaves nothing behind that would block the next one."""

    def publish() -> None:
        try:
            job_enqueue(task, *args, **kwargs)
        except BrokerUnavailableError:
            if undo is not None:
                undo()
            raise

    transaction.on_commit(publish)


def job_enqueue_owed(task, *args, **kwargs) -> None:
    """Publish ``task(*args, **kwargs)`` once the current transaction commits, for a job the
    committed rows record as owed and a periodic sweep sends when it is still owed. Never raises:
    a broker that is down is logged and the sweep sends the job once the broker is back."""

    def publish() -> None:
        try:
            job_enqueue(task, *args, **kwargs)
        except BrokerUnavailableError:
            logger.warning("%s%r is left to its sweep", task.name, args)

    transaction.on_commit(publish)


@contextmanager
def job_heartbeat(beat: Callable[[], object], *, every: float) -> Iterator[None]:
    """Call ``beat()`` every ``every`` seconds on a thread of its own while the block runs, so a
    job busy inside one long step still shows it is alive. The thread opens its own database
    connection (Django's are per thread) and closes it when the block ends; a beat that fails (the
    database briefly away) is logged and the next one tried. A daemon thread: a process killed
    mid-job takes it along, so the beats stop exactly when the job has died."""
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(every):
                try:
                    beat()
                except DatabaseError:
                    logger.warning("A job heartbeat failed; trying again in %s s", every, exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 10)
