"""Template filters of the workspaces pages: ``{% load workspaces %}``."""

from django import template

from ..models import Application
from ..selectors import offer_terms as terms_of

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


@register.simple_tag
def offer_terms(application):
    """The terms of an application's offer: ``{% offer_terms application as terms %}``
    (``workspaces.selectors.offer_terms``)."""
    return terms_of(application=application)
