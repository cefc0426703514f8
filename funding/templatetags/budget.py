"""Template filters of the budget pages: ``{% load budget %}``."""

from decimal import Decimal

from django import template

from ..budget_selectors import money_text

register = template.Library()


@register.filter
def money(value) -> str:
    """An amount in pounds and pence: ``{{ row.spent|money }}`` gives ``£1,234.50``; empty for nothing."""
    if value is None or value == "":
        return ""
    return money_text(Decimal(value))


@register.filter
def share(value, missing: str = "No plan yet") -> str:
    """A percentage to one decimal place: ``{{ row.spent_share|share }}`` gives ``45.2%``; for no
    value (a share of nothing), the text given, ``No plan yet`` by default."""
    if value is None or value == "":
        return missing
    return f"{Decimal(value):.1f}%"
