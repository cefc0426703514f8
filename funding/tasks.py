"""Celery tasks of the funding app: thin wrappers that re-fetch by id and call one service. The
digest runs on the schedule the ``0003_alerts`` migration creates (weekly; editable in the admin)."""

from celery import shared_task

from portal.tasks import RETRY

from . import digests
from .models import AlertDigest


@shared_task(name="funding.alert_digests_send", **RETRY)
def alert_digests_send() -> int:
    """Scheduled weekly: write this period's digest ledger and enqueue one send per person.
    Idempotent: a second run in the period sends nothing again."""
    return digests.alert_digests_send()


@shared_task(name="funding.alert_digest_send", **RETRY)
def alert_digest_send(digest_id: int) -> bool:
    """Email one person's digest, once; quiet if its ledger row is gone or it went already."""
    digest = AlertDigest.objects.filter(pk=digest_id).first()
    if digest is None:
        return False
    return digests.alert_digest_send(digest=digest)


@shared_task(name="funding.alert_digests_send_owed", **RETRY)
def alert_digests_send_owed() -> int:
    """Scheduled every 10 minutes: send the digests still owed (their job never ran, or its worker
    died mid-send). Each once. Idempotent."""
    return digests.alert_digests_send_owed()
