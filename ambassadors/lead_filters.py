"""The leads' FilterSet, shared by the staff pipeline page and the leads API: stage, type,
sector, origin country, the referring ambassador and the owner. A value not in its list is a
field error (400), never a filter silently dropped; an id of nobody on the list matches nothing.
The referring ambassador is an id in the API and, on the page, typed as the lead forms take it
(an email address or a full name, with suggestions), so the page lists no ambassadors."""

import hashlib

import django_filters
from django import forms
from django_countries import countries

from portal.models import Sector, User
from portal.roles import Role

from .models import Lead
from .selectors import ambassador_find, creditable_ambassadors


class _IdModelChoiceField(django_filters.fields.ModelChoiceField):
    """An id from the list; a well-formed id of nobody in it (someone since removed, a typed
    number, one of any length) matches no lead instead of being an error: the API documents these
    as integers, with no bound."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            digits = str(value).strip().removeprefix("-")
            if digits.isascii() and digits.isdigit():
                return NO_MATCH
            raise


NO_MATCH = object()


class _AmbassadorChoiceField(_IdModelChoiceField):
    """An ambassador's id (the API's), or an email address or full name as the lead forms take
    them (``ambassador_find``: the page's field is typed, with suggestions, not a list)."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        digits = text.removeprefix("-")
        if digits.isascii() and digits.isdigit():
            return super().to_python(text)
        return ambassador_named(text)


def ambassador_named(text: str):
    """The ambassador a lead may be credited to that ``text`` names (``ambassador_find``), or the
    field's error saying what to type instead."""
    match = ambassador_find(text)
    if match.ambassador is None:
        raise forms.ValidationError(match.problem, code="invalid_choice")
    return match.ambassador


class IdModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _IdModelChoiceField

    def filter(self, qs, value):
        if value is NO_MATCH:
            return qs.none()
        return super().filter(qs, value)


class AmbassadorFilter(IdModelChoiceFilter):
    field_class = _AmbassadorChoiceField


def staff_users():
    """Commissioner staff, who own leads, by name."""
    return User.objects.filter(groups__name=Role.STAFF, is_active=True).order_by("full_name", "email").distinct()


def staff_users_fingerprint() -> str:
    """A short digest of the staff who may own a lead and the names they are shown by, in one
    query: part of a cached pipeline page's key, since the owner filter lists them and the list
    names each lead's owner, and users have no data key of their own."""
    rows = staff_users().values_list("pk", "full_name", "email")
    return hashlib.blake2b(repr(list(rows)).encode(), digest_size=8).hexdigest()


class LeadFilterSet(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(
        label="Stage",
        choices=Lead.Stage.choices,
        empty_label="Any stage",
        error_messages={"invalid_choice": "Choose a stage from the list"},
    )
    kind = django_filters.ChoiceFilter(
        label="Type",
        choices=Lead.Kind.choices,
        empty_label="Any type",
        error_messages={"invalid_choice": "Choose a type from the list"},
    )
    sector = django_filters.ChoiceFilter(
        label="Sector",
        choices=Sector.choices,
        empty_label="Any sector",
        error_messages={"invalid_choice": "Choose a sector from the list"},
    )
    origin_country = django_filters.ChoiceFilter(
        label="Origin country",
        choices=list(countries),
        empty_label="Any country",
        error_messages={"invalid_choice": "Choose a country from the list"},
    )
    ambassador = AmbassadorFilter(
        label="Referred by",
        field_name="referred_by",
        queryset=creditable_ambassadors(),
        error_messages={"invalid_choice": "Choose an ambassador from the list"},
    )
    owner = IdModelChoiceFilter(
        label="Owner",
        queryset=staff_users(),
        empty_label="Anyone",
        error_messages={"invalid_choice": "Choose a member of staff from the list"},
    )

    class Meta:
        model = Lead
        fields = ["stage", "kind", "sector", "origin_country", "ambassador", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["owner"].label_from_instance = lambda user: user.full_name or user.email
