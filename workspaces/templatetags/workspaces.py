"""Template filters of the workspaces pages: ``{% load workspaces %}``."""

from django import template

from ..models import Application, DeskType, Workspace
from ..selectors import free_desk_list
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


def _whole_number(value) -> int | None:
    text = str(getattr(value, "pk", value) if value is not None else "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


@register.simple_tag
def free_desks(form) -> dict | None:
    """Desks free now of the chosen type at each chosen workspace, from the needs step's answers
    (as sent, or as saved): ``{% free_desks form as free %}``. None until a workspace and a desk
    type are chosen. ``short`` is True when more desks are asked for than any of them has free."""
    ids = [pk for pk in map(_whole_number, form["workspaces"].value() or []) if pk]
    desk_type = form["desk_type"].value()
    if not ids or desk_type not in DeskType.values:
        return None
    rows = free_desk_list(
        workspaces=Workspace.objects.accepting().filter(pk__in=ids).order_by("name"), desk_type=desk_type
    )
    if not rows:
        return None
    desks = _whole_number(form["desks"].value())
    most = max(row.free for row in rows)
    return {
        "rows": rows,
        "desk_type": DeskType(desk_type).label,
        "desks": desks,
        "most_free": most,
        "short": desks is not None and desks > most,
    }
