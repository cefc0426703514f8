"""Suggestions as staff type a name into a form field that names one row of a large table.

An investor among thousands of funders, or an ambassador among thousands, is named in a text
input tied to a ``<datalist>``, not chosen from a ``<select>`` listing the whole table. As the
person types, htmx asks a ``SuggestionsView`` for the first matches of what they typed and puts
them in the list; the browser shows them under the field, and the arrow keys and Enter pick one.
No page carries the whole table, whatever its size. Without JavaScript the list stays empty and
the field is a plain text input, resolved by name (or number, or email) when the form is sent, as
each form's ``clean`` says; a name that several rows share is a field error that asks for more.

Each app subclasses ``SuggestionsView`` with its ``suggest`` and its own address. The answers are
not page-cached: each is one indexed query for ten rows, and caching every prefix of every name
typed would keep more than it saves.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import render
from django.views import View

from .access import StaffRequiredMixin

MIN_CHARACTERS = 2  # one letter matches too much to help
LIMIT = 10
TEXT_MAX = 200


@dataclass(frozen=True)
class Suggestion:
    """One entry of the list: ``value`` goes into the field and finds the row again when the form
    is sent; ``label`` is shown beside it (where the row is, its number, its kind)."""

    value: str
    label: str = ""


def typed_text(request) -> str:
    """What the person typed, spaces collapsed: ``q``, or the one parameter htmx sends under the
    field's own name (``hx-params`` names it, so a formset row's field works the same)."""
    if "q" in request.GET:
        text = request.GET["q"]
    elif len(request.GET) == 1:
        text = next(iter(request.GET.values()))
    else:
        text = ""
    return " ".join(text.split())[:TEXT_MAX]


def name_matches(queryset: QuerySet, field: str, text: str, *, limit: int = LIMIT) -> list:
    """Up to ``limit`` rows whose ``field`` starts with ``text``, ignoring case, in order of
    ``field``; then, if fewer, rows with a later word that starts with it. At most two queries.

    The first is what people type most (the start of a name) and an index on ``UPPER(field)``
    serves it at any size (``portal_organisation_name_prefix`` on organisations). The second has
    no order in the database, so it stops at the first rows it finds; they are sorted here."""
    starting = list(queryset.filter(**{f"{field}__istartswith": text}).order_by(field, "pk")[:limit])
    if len(starting) == limit:
        return starting
    later = (
        queryset.filter(**{f"{field}__icontains": f" {text}"})
        .exclude(pk__in=[row.pk for row in starting])
        .order_by()[: limit - len(starting)]
    )
    return starting + sorted(later, key=lambda row: (getattr(row, field).casefold(), row.pk))


class SuggestionsView(StaffRequiredMixin, View):
    """Staff (``rule``): the ``<option>`` elements of the suggestions for what was typed, at most
    ``LIMIT``, none for fewer than ``MIN_CHARACTERS``. Subclasses give ``suggest``."""

    def suggest(self, text: str) -> Iterable[Suggestion]:
        raise NotImplementedError

    def get(self, request):
        text = typed_text(request)
        found = list(self.suggest(text))[:LIMIT] if len(text) >= MIN_CHARACTERS else []
        return render(request, "partials/suggestions.html", {"suggestions": found})
