"""The form a person saves a funding alert with. It checks the shape of what they typed and adds
the service's rules (the same criteria saved once, at most ``MAX_ALERTS_PER_USER`` alerts), so
the page lists every problem together; saving goes through ``funding.alerts``."""

from django import forms
from django.core.exceptions import ValidationError

from portal.models import Sector

from . import alerts
from .models import Alert, Opportunity


class AlertForm(forms.Form):
    """Kinds of funding, a sector and words: the catalogue's own filters, saved."""

    kinds = forms.MultipleChoiceField(
        label="Kinds of funding (leave all unticked for every kind)",
        choices=Opportunity.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose kinds of funding from the list"},
    )
    sector = forms.ChoiceField(
        label="Sector",
        choices=[("", "Any sector"), *Sector.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a sector from the list"},
    )
    words = forms.CharField(
        label="Words to look for (optional)",
        max_length=alerts.WORDS_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"max_length": f"Enter at most {alerts.WORDS_MAX_LENGTH} characters of words to look for"},
    )
    is_active = forms.BooleanField(
        label="Email me a digest of new opportunities that match, and of those closing soon",
        required=False,
    )

    def __init__(self, *args, user, alert: Alert | None = None, **kwargs):
        self.user, self.alert = user, alert
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_of(cls, alert: Alert) -> dict:
        """The form's values for a stored alert."""
        return {name: getattr(alert, name) for name in alerts.ALERT_FIELDS}

    @classmethod
    def initial_from_query(cls, query) -> dict:
        """Values for a new alert from the catalogue's query parameters (``kind``, ``sector``,
        ``q``), so "get alerts for this search" carries it over; values not on the lists are
        dropped. The digest is asked for."""
        return {
            "kinds": [kind for kind in query.getlist("kind") if kind in Opportunity.Kind.values],
            "sector": query.get("sector") if query.get("sector") in Sector.values else "",
            "words": " ".join(query.get("q", "").split())[: alerts.WORDS_MAX_LENGTH],
            "is_active": True,
        }

    def clean(self):
        cleaned = super().clean()
        data = alerts.alert_data_normalise({name: cleaned.get(name) for name in alerts.ALERT_FIELDS})
        field_errors = bool(self.errors)
        for field, messages in alerts.alert_value_errors(user=self.user, data=data, alert=self.alert).items():
            for message in messages:
                # A field already in error says it; and with one, the criteria are not known, so
                # whether they repeat another alert's cannot be told.
                if field in self.errors or (field_errors and message == alerts.DUPLICATE_MESSAGE):
                    continue
                self.add_error(field if field in self.fields else None, ValidationError(message))
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in alerts.ALERT_FIELDS}
