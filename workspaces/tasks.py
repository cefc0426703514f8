"""Celery tasks of the workspaces app: thin wrappers that re-fetch by id and call one service."""

from celery import shared_task

from portal.tasks import RETRY

from . import personal_data, services
from .models import StatusChange


@shared_task(name="workspaces.application_notify", **RETRY)
def application_notify(status_change_id: int, base_url: str = "") -> bool:
    """Email the applicant about one status change, its links under ``base_url``; quiet if the
    change is gone. Sends once."""
    change = StatusChange.objects.filter(pk=status_change_id).first()
    if change is None:
        return False
    return services.application_notify(status_change=change, base_url=base_url)


@shared_task(name="workspaces.offers_expire", **RETRY)
def offers_expire() -> int:
    """Scheduled: expire lapsed offers and offer their desks to the waiting list. Idempotent."""
    return services.offers_expire()


@shared_task(name="workspaces.tenancies_end_due", **RETRY)
def tenancies_end_due() -> int:
    """Scheduled daily: give back the desks of tenancies past their last day. Idempotent."""
    return services.tenancies_end_due()


@shared_task(name="workspaces.application_notifications_send_owed", **RETRY)
def application_notifications_send_owed() -> int:
    """Scheduled every 10 minutes: send the status-change emails still owed (their job never ran,
    e.g. the broker was down when the change was made). Each email once. Idempotent."""
    return services.application_notifications_send_owed()


@shared_task(name="workspaces.applications_retention_anonymise", **RETRY)
def applications_retention_anonymise() -> int:
    """Scheduled daily: anonymise rejected and withdrawn applications closed more than
    ``WORKSPACES_RETENTION_MONTHS`` ago. Each once; idempotent."""
    return personal_data.applications_retention_anonymise()
