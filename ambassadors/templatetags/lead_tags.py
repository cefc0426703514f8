"""Template filters of the leads pages: ``{% load lead_tags %}``."""

from decimal import Decimal

from django import template

register = template.Library()

STAGE_TAG_CLASSES = {
    "referred": "govuk-tag--grey",
    "qualified": "govuk-tag--blue",
    "active": "govuk-tag--purple",
    "verify_win": "govuk-tag--yellow",
    "landed": "govuk-tag--green",
    "lost": "govuk-tag--red",
}


@register.filter
def stage_tag_class(stage: str) -> str:
    """The GOV.UK tag class of a lead stage: ``{{ lead.stage|stage_tag_class }}``."""
    return STAGE_TAG_CLASSES.get(stage, "")


@register.filter
def gbp(value) -> str:
    """An amount in pounds as people read it: ``£1,500,000`` (pence only when there are some);
    empty for nothing."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    if amount == amount.to_integral_value():
        return f"£{amount:,.0f}"
    return f"£{amount:,.2f}"


@register.filter
def whole(value) -> str:
    """A count with thousands separated: ``1,200``; empty for nothing."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


FIELD_LABELS = {
    "name": "Company name",
    "company_number": "Companies House number",
    "summary": "What the company wants to do",
    "origin_country": "Origin country",
    "sector": "Sector",
    "kind": "Type",
    "referred_by": "Referred by",
    "owner": "Owner",
    "expected_jobs": "Jobs expected",
    "expected_capital": "Capital expected (£)",
    "new_jobs": "New jobs",
    "safeguarded_jobs": "Safeguarded jobs",
    "capital_invested": "Capital invested (£)",
    "landed_on": "Date it landed",
    "lost_reason": "Why it was lost",
    "competing_location": "Where it went instead",
    "organisation": "Firm in the registry",
}


@register.filter
def field_label(field: str) -> str:
    """What the history calls a lead field: ``{{ field|field_label }}``."""
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
