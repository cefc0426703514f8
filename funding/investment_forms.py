"""Forms of the investment register's staff pages: the register's filters, the deal form with its
investors as a formset (which adds a row with a button, so it works without JavaScript), and the
CSV upload. Forms check the shape of what people type, find the organisations they name, and
show the services' rules on every field at once; the services decide and write."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import formset_factory
from django_countries import countries

from portal.forms import DateInputField, OrganisationField
from portal.models import Organisation
from portal.selectors import organisation_reference, organisations_find

from . import investment_rules as rules
from .investment_filters import InvestmentFilterSet
from .investment_imports import IMPORT_MAX_BYTES
from .models import Investment, Opportunity

BOOLEAN_CHOICES = {
    "verified": [("", "Verified or not"), ("true", "Verified"), ("false", "Not verified yet")],
    "flagged": [("", "Flagged or not"), ("true", "Flagged as a possible duplicate"), ("false", "Not flagged")],
}
INVESTORS_PREFIX = "investors"


class InvestmentRegisterFilterSet(InvestmentFilterSet):
    """The shared register filters with the widgets the staff list shows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        for name in ("stage", "lead", "origin", "ordering"):
            fields[name].widget.choices = fields[name].choices
        for name, choices in BOOLEAN_CHOICES.items():
            fields[name].widget = forms.Select(choices=choices)
        fields["q"].widget = forms.TextInput(attrs={"spellcheck": "false"})
        fields["year"].widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})
        fields["firm"].widget = forms.HiddenInput()


class PoundsField(forms.IntegerField):
    """Whole pounds as people type them: ``250000``, ``250,000`` or ``£250,000``."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").replace(" ", "")
        return super().to_python(value)


class InvestmentForm(forms.Form):
    """A deal's own facts. ``clean`` finds the firm the person named, and adds the service's
    rules (a stage only for equity rounds, a positive amount, a date up to today) to the fields,
    so the page lists every problem together."""

    firm = OrganisationField(
        kinds=[Organisation.Kind.FIRM],
        label="Firm",
        error_messages={"required": "Enter the firm's name or Companies House number"},
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=[("", "Choose the kind"), *Investment.Kind.choices],
        error_messages={"required": "Choose the kind of deal", "invalid_choice": "Choose a kind from the list"},
    )
    stage = forms.ChoiceField(
        label="Stage (equity rounds only, optional)",
        choices=[("", "Not an equity round, or not known"), *Investment.Stage.choices],
        required=False,
        error_messages={"invalid_choice": "Choose a stage from the list"},
    )
    amount_gbp = PoundsField(
        label="Amount (£)",
        required=False,
        error_messages={"invalid": "Enter the amount as a whole number of pounds, like 250000"},
    )
    undisclosed = forms.BooleanField(label="The amount was not disclosed", required=False)
    announced_on = DateInputField(name="Date", label="Date", error_messages={"required": "Enter the date"})
    opportunity = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(),
        label="Listed opportunity it came through (optional)",
        required=False,
        empty_label="Not through a listed opportunity",
        error_messages={"invalid_choice": "Choose an opportunity from the list"},
    )
    title = forms.CharField(
        label="What it is for (optional)",
        max_length=rules.TITLE_MAX,
        required=False,
        error_messages={"max_length": f"What it is for must be {rules.TITLE_MAX} characters or fewer"},
    )
    source = forms.CharField(
        label="Source",
        max_length=rules.SOURCE_MAX,
        error_messages={
            "required": "Say where the figure comes from: a web address or a document",
            "max_length": f"The source must be {rules.SOURCE_MAX} characters or fewer",
        },
    )

    def __init__(self, *args, known=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["firm"].known = list(known)  # the changed deal's firm
        self.fields["opportunity"].queryset = Opportunity.objects.select_related("funder").order_by("title", "pk")
        self.fields["opportunity"].label_from_instance = lambda o: f"{o.title} ({o.funder.name})"

    @classmethod
    def initial_of(cls, investment: Investment) -> dict:
        """The form's initial values for a stored deal."""
        return {
            "firm": organisation_reference(investment.firm),
            "kind": investment.kind,
            "stage": investment.stage,
            "amount_gbp": investment.amount_gbp,
            "undisclosed": investment.amount_gbp is None,
            "announced_on": investment.announced_on,
            "opportunity": investment.opportunity_id,
            "title": investment.title,
            "source": investment.source,
        }

    def clean(self):
        cleaned = super().clean()
        amount, undisclosed = cleaned.get("amount_gbp"), cleaned.get("undisclosed")
        if amount is not None and undisclosed:
            self.add_error("undisclosed", "Either enter the amount or say it was not disclosed, not both")
        elif amount is None and not undisclosed and "amount_gbp" not in self.errors:
            self.add_error("amount_gbp", "Enter the amount in pounds, or tick that it was not disclosed")
        values = self.values()
        for field, messages in rules.investment_value_errors(values=values, investors=[]).items():
            if field in self.fields and field not in self.errors:
                for message in messages:
                    self.add_error(field, message)
        return cleaned

    def values(self) -> dict:
        """The deal's fields in the shape the services take."""
        cleaned = getattr(self, "cleaned_data", {})
        values = {name: cleaned.get(name) for name in rules.INVESTMENT_FIELDS}
        values["stage"] = values["stage"] or ""
        values["title"] = values["title"] or ""
        values["source"] = values["source"] or ""
        if cleaned.get("undisclosed"):
            values["amount_gbp"] = None
        return values


class InvestorForm(forms.Form):
    """One investor of the deal. A row left empty is no investor; ``organisation`` is set by the
    formset's ``clean`` from what was typed."""

    investor = forms.CharField(
        label="Investor",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    new_investor = forms.BooleanField(
        label="Not in the registry yet: add it as a new investor organisation", required=False
    )
    country = forms.ChoiceField(
        label="Based in",
        choices=list(countries),
        initial="GB",
        error_messages={
            "required": "Choose the country the investor is based in",
            "invalid_choice": "Choose a country from the list",
        },
    )
    is_lead = forms.BooleanField(label="Lead investor", required=False)

    def is_empty(self) -> bool:
        return not (self.cleaned_data.get("investor") or "").strip()


class BaseInvestorFormSet(forms.BaseFormSet):
    """The deal's investors. ``clean`` finds every organisation named (two queries whatever the
    number of rows), reports a name not in the registry unless its row says to add it, and adds
    the service's rules across investors (each once, at most one lead, not the firm itself).
    ``firm`` is set by the view from the deal form before validating, and ``known`` to the
    investors of the deal being changed (each found even if another organisation shares its name)."""

    firm = None
    known: list = []

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this investor"

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [form for form in self.forms if not self._should_delete_form(form)]
        texts = [form.cleaned_data.get("investor", "") for form in rows]
        found = organisations_find(texts, known=self.known)
        self.entry_forms = []
        entries = []
        for form in rows:
            text = (form.cleaned_data.get("investor") or "").strip()
            if not text:
                if form.cleaned_data.get("is_lead"):
                    form.add_error("investor", "Enter the lead investor's name or Companies House number")
                continue
            match = found[text]
            if match.organisation is not None:
                entry = {"investor": match.organisation, "name": match.organisation.name}
            elif match.unknown_name and form.cleaned_data.get("new_investor"):
                entry = {"investor": None, "name": text}
            else:
                hint = "" if not match.unknown_name else ": check the spelling, or tick to add it as a new investor"
                form.add_error("investor", match.problem + hint)
                continue
            entry.update(is_lead=form.cleaned_data.get("is_lead", False), country=form.cleaned_data.get("country"))
            entries.append(entry)
            self.entry_forms.append(form)
        self.investor_entries = entries
        errors = rules.investor_errors(entries, self.firm)
        if errors:
            investment_errors_show(None, self, ValidationError(errors))

    def entries(self) -> list[dict]:
        """The investors in the shape the services take, in the order of the rows."""
        return list(getattr(self, "investor_entries", []))


InvestorFormSet = formset_factory(InvestorForm, formset=BaseInvestorFormSet, extra=0, can_delete=True)


def investor_formset(*, data=None, initial=None, blank_rows: int = 1) -> BaseInvestorFormSet:
    """The investors formset: bound to ``data`` (a POST), or unbound with ``initial`` rows and
    ``blank_rows`` empty ones to fill."""
    if data is not None:
        return InvestorFormSet(data, prefix=INVESTORS_PREFIX)
    factory = formset_factory(InvestorForm, formset=BaseInvestorFormSet, extra=blank_rows, can_delete=True)
    return factory(initial=initial or [], prefix=INVESTORS_PREFIX)


def investor_rows_as_typed(data, *, drop_removed: bool = True) -> list[dict]:
    """The investor rows of a POST as the person typed them (empty and removed rows left out),
    to show again with one more row ("Add another investor"): nothing is checked or saved."""
    try:
        total = min(int(data.get(f"{INVESTORS_PREFIX}-TOTAL_FORMS", 0)), rules.MAX_INVESTORS)
    except ValueError:
        total = 0
    rows = []
    for index in range(total):
        prefix = f"{INVESTORS_PREFIX}-{index}-"
        row = {
            "investor": data.get(prefix + "investor", "").strip(),
            "new_investor": bool(data.get(prefix + "new_investor")),
            "country": data.get(prefix + "country", "GB"),
            "is_lead": bool(data.get(prefix + "is_lead")),
        }
        if row["investor"] and not (drop_removed and data.get(prefix + "DELETE")):
            rows.append(row)
    return rows


def investment_initial_as_typed(data) -> dict:
    """The deal form's values as typed, for showing the form again unchecked."""
    initial = {name: data.get(name, "") for name in ("firm", "kind", "stage", "amount_gbp", "title", "source")}
    initial["undisclosed"] = bool(data.get("undisclosed"))
    initial["opportunity"] = data.get("opportunity") or None
    initial["announced_on"] = [data.get(f"announced_on_{part}", "") for part in ("day", "month", "year")]
    return initial


def investment_errors_show(form: InvestmentForm | None, formset: BaseInvestorFormSet, error: ValidationError) -> None:
    """Show a service's ValidationError on the deal form and the investors formset: a deal field's
    message on that field, ``investors.<n>.<field>`` on the n-th investor's row, ``investors`` and
    anything else above the investors."""
    messages = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    entry_forms = getattr(formset, "entry_forms", [])
    for key, texts in messages.items():
        parts = key.split(".")
        if form is not None and key in form.fields:
            for text in texts:
                form.add_error(key, text)
        elif parts[0] == "investors" and len(parts) == 3 and int(parts[1]) < len(entry_forms):
            for text in texts:
                entry_forms[int(parts[1])].add_error(parts[2] if parts[2] in InvestorForm.base_fields else None, text)
        elif parts[0] == "investors" or form is None:
            formset._non_form_errors = formset.non_form_errors() + list(texts)
        else:
            for text in texts:
                form.add_error(None, text)


def investment_error_list(form: InvestmentForm, formset: BaseInvestorFormSet) -> list[dict]:
    """Every error of the page for the GOV.UK error summary, in the order of the page, each
    linked to its field: the deal's fields, then the rules across investors, then each row's."""
    summary = [{"text": text, "href": ""} for text in form.non_field_errors()]
    for field in form:
        suffix = "_day" if field.name == "announced_on" else ""
        summary += [{"text": text, "href": f"#{field.auto_id}{suffix}"} for text in field.errors]
    summary += [{"text": text, "href": "#investors"} for text in formset.non_form_errors()]
    for number, row in enumerate(formset.forms, start=1):
        for field in row:
            summary += [{"text": f"Investor {number}: {text}", "href": f"#{field.auto_id}"} for text in field.errors]
        summary += [{"text": f"Investor {number}: {text}", "href": ""} for text in row.non_field_errors()]
    return summary


class InvestmentImportForm(forms.Form):
    """The CSV file to import; what is in it is read and checked by ``investment_imports``."""

    file = forms.FileField(
        label="CSV file",
        error_messages={
            "required": "Choose the CSV file to import",
            "invalid": "Choose the CSV file to import",
            "empty": "The file is empty",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(f"The file must be at most {IMPORT_MAX_BYTES // (1024 * 1024)} MB: split it in two")
        return upload
