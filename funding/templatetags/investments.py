"""Template filters of the investment register's pages: ``{% load investments %}``."""

from django import template
from django_countries import countries

from ..investment_querysets import HOME_COUNTRY

register = template.Library()


@register.filter
def deal_amount(amount) -> str:
    """A deal's amount in words, never "None": "£250,000" or "Not disclosed"."""
    return "Not disclosed" if amount is None else f"£{amount:,}"


@register.filter
def lead_row(investment):
    """The deal's lead investor row, or None. Reads the prefetched rows (``for_list()``): no query."""
    return next((row for row in investment.investor_rows.all() if row.is_lead), None)


@register.filter
def lead_text(investment) -> str:
    """The lead investor and where it is based, or "No lead recorded"."""
    row = lead_row(investment)
    if row is None:
        return "No lead recorded"
    return f"{row.investor.name} ({countries.name(row.country.code) or row.country.code})"


@register.filter
def reach(investment) -> str:
    """Domestic, international or lead unknown, by the lead investor's country."""
    row = lead_row(investment)
    if row is None:
        return "Lead unknown"
    return "Domestic" if row.country.code == HOME_COUNTRY else "International"


@register.filter
def deal_kind(investment) -> str:
    """The kind, with the stage of an equity round: "Equity round (Seed)", "Grant"."""
    kind = investment.get_kind_display()
    return f"{kind} ({investment.get_stage_display()})" if investment.stage else kind
