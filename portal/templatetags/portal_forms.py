"""Template filters for forms the portal renders but does not define (allauth's)."""

from django import template

register = template.Library()


@register.filter
def without_placeholder(field):
    """The bound field with its widget's placeholder removed: the portal's forms carry a visible
    label and hint instead, since a placeholder disappears as soon as someone types."""
    field.field.widget.attrs.pop("placeholder", None)
    return field
