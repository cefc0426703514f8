"""Celery tasks of the portal core: thin wrappers that re-fetch by id and call one service."""

from celery import shared_task

from . import services
from .models import Feedback, Organisation

RETRY = {
    "autoretry_for": (ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(name="portal.yearly_facts_request_send", **RETRY)
def yearly_facts_request_send(organisation_id: int, year: int) -> bool:
    """Send one firm its yearly-facts reminder; quiet if the firm is gone. Idempotent."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return False
    return services.yearly_facts_request_send(organisation=organisation, year=year) is not None


@shared_task(name="portal.yearly_facts_requests_send_due", **RETRY)
def yearly_facts_requests_send_due() -> int:
    """Scheduled: enqueue a reminder for every firm missing last year's facts. Idempotent."""
    from django.utils import timezone

    year = timezone.localdate().year - 1
    ids = services.yearly_facts_requests_due()
    for pk in ids:
        yearly_facts_request_send.delay(pk, year)
    return len(ids)


@shared_task(name="portal.feedback_send", **RETRY)
def feedback_send(feedback_id: int) -> bool:
    """Email staff one problem report; quiet if it is gone. Sends once."""
    feedback = Feedback.objects.filter(pk=feedback_id).first()
    if feedback is None:
        return False
    return services.feedback_send(feedback=feedback)


@shared_task(name="portal.feedback_send_owed", **RETRY)
def feedback_send_owed() -> int:
    """Scheduled every 10 minutes: email staff the problem reports still unsent (their job never
    ran, e.g. the broker was down when they were made). Each once. Idempotent."""
    return services.feedback_send_owed()


@shared_task(name="portal.idempotency_keys_expire", **RETRY)
def idempotency_keys_expire() -> int:
    """Scheduled hourly: delete the API's idempotency keys past their lifetime. Idempotent."""
    return services.idempotency_keys_expire()


@shared_task(name="portal.webhook_deliver", **RETRY)
def webhook_deliver(delivery_id: int) -> str:
    """Send one webhook delivery if it is pending and due: ``webhooks.webhook_delivery_attempt``.
    Idempotent: a delivery already sent, or being sent, is skipped."""
    from . import webhooks

    return webhooks.webhook_delivery_attempt(delivery_id=delivery_id)


@shared_task(name="portal.webhook_deliveries_send_due", **RETRY)
def webhook_deliveries_send_due() -> int:
    """Scheduled every minute: send the deliveries due for a first or another attempt (those whose
    job never ran, and retries after their backoff). Idempotent."""
    from . import webhooks

    due = webhooks.webhook_deliveries_due()
    for delivery_id in due:
        webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    return len(due)
