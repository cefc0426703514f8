"""Template filters of the workspaces pages: ``{% load workspaces %}``."""

from django import template

from ..models import Application

register = template.Library()

S = Application.Status
# One colour per status, on every page that shows one (the GOV.UK tag's default is blue).
STATUS_TAG_CLASSES = {
    S.DRAFT: "govuk-tag--grey",
    S.SUBMITTED: "",
    S.IN_REVIEW: "govuk-tag--teal",
    S.OFFERED: "govuk-tag--yellow",
    S.ACCEPTED: "govuk-tag--green",
    S.DECLINED: "govuk-tag--grey",
    S.EXPIRED: "govuk-tag--orange",
    S.REJECTED: "govuk-tag--red",
    S.WAITLISTED: "govuk-tag--purple",
    S.WITHDRAWN: "govuk-tag--grey",
}


@register.filter
def status_tag_class(status: str) -> str:
    """The GOV.UK tag class of an application status: ``{{ application.status|status_tag_class }}``."""
    return STATUS_TAG_CLASSES.get(status, "")
