"""The emails an applicant receives when their application changes status."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from .models import Application, StatusChange
from .selectors import offer_terms

SUBJECTS = {
    Application.Status.SUBMITTED: "We have received your workspace application {ref}",
    Application.Status.OFFERED: "You have been offered workspace: {ref}",
    Application.Status.REJECTED: "Your workspace application {ref} was not successful",
    Application.Status.WAITLISTED: "Your workspace application {ref} is on the waiting list",
    Application.Status.EXPIRED: "Your workspace offer {ref} has expired",
    Application.Status.ACCEPTED: "You have accepted workspace: {ref}",
    Application.Status.DECLINED: "You have declined the workspace offer {ref}",
    Application.Status.WITHDRAWN: "You have withdrawn your workspace application {ref}",
}


def status_change_email(change: StatusChange, *, base_url: str) -> EmailMessage:
    """The message for one status change, addressed to the applicant, its link under ``base_url``
    (the portal's absolute address). An offer states its terms (``selectors.offer_terms``)."""
    application = Application.objects.select_related(
        "applicant", "offer_pool__workspace", "tenancy__pool__workspace"
    ).get(pk=change.application_id)
    context = {
        "application": application,
        "change": change,
        "url": base_url.rstrip("/") + application.get_absolute_url(),
        "tenancy": getattr(application, "tenancy", None),
        "terms": offer_terms(application=application) if change.to_status == Application.Status.OFFERED else None,
    }
    return EmailMessage(
        subject=SUBJECTS[change.to_status].format(ref=application.reference),
        body=render_to_string("workspaces/email/status_change.txt", context),
        to=[application.applicant.email],
    )
