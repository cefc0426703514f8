"""The email an ambassador receives when a lead they referred moves through the pipeline."""

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Lead, LeadChange

SUBJECTS = {
    Lead.Stage.QUALIFIED: "Your lead {name} has been qualified",
    Lead.Stage.ACTIVE: "Your lead {name} is being worked on",
    Lead.Stage.VERIFY_WIN: "Your lead {name} is close to landing: the win is being verified",
    Lead.Stage.LANDED: "Your lead {name} has landed in the West Midlands",
    Lead.Stage.LOST: "Your lead {name} has been closed",
}


def lead_change_email(change: LeadChange, *, base_url: str) -> EmailMessage | None:
    """The message about one move of a lead, to the ambassador who referred it, its link under
    ``base_url``; None when the lead has no referring ambassador with an account."""
    lead = Lead.objects.select_related("referred_by__user", "organisation").get(pk=change.lead_id)
    ambassador = lead.referred_by
    if ambassador is None or ambassador.user is None:
        return None
    subject = SUBJECTS.get(change.to_stage, "Your lead {name} has moved").format(name=lead.name)
    if change.to_stage == Lead.Stage.ACTIVE and change.from_stage in (Lead.Stage.LANDED, Lead.Stage.LOST):
        subject = f"Your lead {lead.name} has been reopened"
    context = {
        "lead": lead,
        "ambassador": ambassador,
        "change": change,
        "from_label": Lead.Stage(change.from_stage).label if change.from_stage else "",
        "to_label": Lead.Stage(change.to_stage).label,
        "url": base_url.rstrip("/") + reverse("ambassadors:lead-detail", args=[lead.pk]),
    }
    return EmailMessage(
        subject=subject,
        body=render_to_string("ambassadors/emails/lead_moved.txt", context),
        to=[ambassador.user.email],
    )
