"""Template filters of the funding pages: ``{% load funding %}``."""

from django import template

from ..models import Opportunity

register = template.Library()

S = Opportunity.Status
STATUS_TAG_CLASSES = {
    S.UPCOMING: "govuk-tag--blue",
    S.OPEN: "govuk-tag--green",
    S.CLOSING_SOON: "govuk-tag--orange",
    S.CLOSED: "govuk-tag--grey",
}


@register.filter
def status_tag_class(status: str) -> str:
    """The GOV.UK tag class of an opportunity status: ``{{ opportunity.status|status_tag_class }}``."""
    return STATUS_TAG_CLASSES.get(status, "")


@register.filter
def status_label(status: str) -> str:
    """An opportunity status in words: ``{{ opportunity.status|status_label }}``."""
    return S(status).label if status in S.values else ""


def _pounds(value: int) -> str:
    return f"£{value:,}"


@register.filter
def amount_range(opportunity: Opportunity) -> str:
    """The amount range in words, never "None": "£10,000 to £50,000", "Up to £50,000", "From
    £10,000", "£25,000", or "Amount not stated"."""
    low, high = opportunity.amount_min_gbp, opportunity.amount_max_gbp
    if low is not None and high is not None:
        return _pounds(low) if low == high else f"{_pounds(low)} to {_pounds(high)}"
    if high is not None:
        return f"Up to {_pounds(high)}"
    if low is not None:
        return f"From {_pounds(low)}"
    return "Amount not stated"


@register.filter
def range_text(low, high) -> str:
    """A min–max range of whole numbers in words; empty ends are open. Use as
    ``{{ low|range_text:high }}``; "Any" when both are empty."""
    if low is not None and high is not None:
        return f"{low:,}" if low == high else f"{low:,} to {high:,}"
    if high is not None:
        return f"Up to {high:,}"
    if low is not None:
        return f"{low:,} or more"
    return "Any"
