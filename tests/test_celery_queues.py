"""Every job runs on a named queue: the KPI refresh on ``refresh``, every email on ``email``, the rest
on ``default``, each served by a worker of its own (the Procfile), so a long refresh never holds up
an email. A new task that names no queue fails here until someone decides where it runs."""

import re
from pathlib import Path

from django.conf import settings

from portal.celery import app

QUEUES = {"refresh", "email", "default"}


def test_every_task_of_the_portal_names_its_queue():
    app.loader.import_default_modules()
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert ours - set(settings.CELERY_TASK_ROUTES) == set(), "tasks with no queue in CELERY_QUEUE_OF_TASKS"
    assert set(settings.CELERY_TASK_ROUTES) - ours == set(), "queues named for tasks that no longer exist"
    assert {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} == QUEUES


def test_emails_and_the_refresh_are_routed_apart():
    assert app.amqp.router.route({}, "missions.refresh_kpis")["queue"].name == "refresh"
    for task in ("workspaces.application_notify", "funding.alert_digest_send", "portal.feedback_send"):
        assert app.amqp.router.route({}, task)["queue"].name == "email"
    assert app.amqp.router.route({}, "portal.webhook_deliver")["queue"].name == "default"


def test_the_procfile_serves_every_queue_with_the_refresh_on_a_worker_of_its_own():
    procfile = (Path(settings.BASE_DIR) / "Procfile").read_text()
    served = [set(match.split(",")) for match in re.findall(r"worker --queues=(\S+)", procfile)]
    assert set().union(*served) == QUEUES
    assert {"refresh"} in served
