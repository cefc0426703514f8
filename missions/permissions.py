"""Who may do what in the missions app. Plain functions; the API's permission classes, the views
and the services call them. ``Indicator.objects.writable_by`` is the same rule as a queryset,
for the choices of the staff form."""

from portal.roles import is_staff

from .models import Indicator


def can_report_indicator(user, indicator: Indicator, *, organisation=None) -> bool:
    """True when a value of ``indicator`` may be reported: it is a reported indicator, and the
    writer is the partner ``organisation`` that owns it or, without an organisation, a staff user.
    Runs no query on the indicator (the user's roles are read once per request)."""
    if indicator.method != Indicator.Method.REPORTED:
        return False
    if organisation is not None:
        return indicator.owner_id == organisation.pk
    return is_staff(user)
