"""Celery tasks of the leads pipeline: thin wrappers that re-fetch by id and call one service.
Imported by the app's ``ready()`` so the worker registers them."""

from celery import shared_task

from portal.tasks import RETRY

from .models import LeadChange
from .services import leads


@shared_task(name="ambassadors.lead_notify", **RETRY)
def lead_notify(change_id: int, base_url: str = "") -> bool:
    """Email the referring ambassador about one move of their lead, its link under ``base_url``;
    quiet if the change is gone. Sends once."""
    change = LeadChange.objects.filter(pk=change_id).first()
    if change is None:
        return False
    return leads.lead_notify(change=change, base_url=base_url)


@shared_task(name="ambassadors.lead_notifications_send_owed", **RETRY)
def lead_notifications_send_owed() -> int:
    """Scheduled every 10 minutes: send the lead emails still owed to ambassadors (their job
    never ran, e.g. the broker was down when the lead moved). Each email once. Idempotent."""
    return leads.lead_notifications_send_owed()
