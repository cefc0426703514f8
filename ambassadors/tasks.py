"""Celery tasks of the ambassadors app: thin wrappers that re-fetch by id and call one service."""

from celery import shared_task

from portal.tasks import RETRY

from . import services
from .models import Invitation


@shared_task(name="ambassadors.invitation_send", **RETRY)
def invitation_send(invitation_id: int, token: str, base_url: str = "") -> bool:
    """Email one invitation's link; quiet if the invitation is gone, no longer waiting or was sent
    again with a newer link since."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        return False
    return services.invitation_send(invitation=invitation, token=token, base_url=base_url)


@shared_task(name="ambassadors.invitations_expire", **RETRY)
def invitations_expire() -> int:
    """Scheduled hourly: mark waiting invitations past their 7 days as expired. Idempotent."""
    return services.invitations_expire()


@shared_task(name="ambassadors.activity_reminders_send", **RETRY)
def activity_reminders_send() -> int:
    """Scheduled on the 1st of each month: remind active ambassadors with no activity in 90 days,
    once per ambassador and month however often it runs. Idempotent."""
    return services.activity_reminders_send()
