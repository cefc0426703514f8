"""Forms of the budget pages: a spend entry, the plan (one box per category and quarter) and the
spend list's filters. Forms check the shape of what people type (a date, an amount in pounds) and
add the services' rules to the fields, so each page lists every problem at once; the services
decide and write."""

from decimal import Decimal, InvalidOperation

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from portal.forms import DateInputField

from . import budget_services as services
from .budget_selectors import Quarter, plan_amounts, programme_quarters
from .models import BudgetCategory, SpendEntry


class MoneyField(forms.Field):
    """An amount in pounds as people type it: ``1250``, ``1,250.50`` or ``£1,250.50``. Gives a
    Decimal (None when empty); the services decide what amounts are allowed."""

    def __init__(self, *, invalid: str, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false", "autocomplete": "off"})
        )
        super().__init__(error_messages={"invalid": invalid, **kwargs.pop("error_messages", {})}, **kwargs)

    def to_python(self, value):
        text = str(value or "").strip().replace(",", "").replace(" ", "")
        text = text.removeprefix("£")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not amount.is_finite() or not text.replace(".", "", 1).lstrip("-").isdigit():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


def _add_errors(form: forms.Form, errors: dict[str, list[str]]) -> None:
    """The services' rules on the fields that have no error of their own yet."""
    for name, messages in errors.items():
        if name in form.fields and name not in form.errors:
            for message in messages:
                form.add_error(name, ValidationError(message))


class SpendForm(forms.Form):
    """One spend entry: date, category, supplier, amount and an optional note."""

    spent_on = DateInputField(name="Date", label="Date")
    category = forms.ChoiceField(
        label="Category",
        choices=[("", "Choose a category"), *BudgetCategory.choices],
        error_messages={"required": "Choose a category", "invalid_choice": "Choose a category from the list"},
    )
    supplier = forms.CharField(
        label="Supplier",
        max_length=services.SUPPLIER_MAX,
        error_messages={
            "required": "Enter the supplier",
            "max_length": f"The supplier must be {services.SUPPLIER_MAX} characters or fewer",
        },
    )
    amount_gbp = MoneyField(
        label="Amount (£)",
        invalid="Enter the amount in pounds, like 1250 or 1250.50",
        error_messages={"required": "Enter the amount"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": f"The note must be {services.NOTE_MAX:,} characters or fewer"},
    )

    @classmethod
    def initial_of(cls, entry: SpendEntry) -> dict:
        """The form's initial values for a stored entry."""
        return {name: getattr(entry, name) for name in services.SPEND_FIELDS}

    def clean(self):
        cleaned = super().clean()
        checkable = {name: cleaned[name] for name in services.SPEND_FIELDS if name in cleaned and name != "note"}
        _add_errors(self, services.spend_value_errors(checkable))
        return cleaned

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in services.SPEND_FIELDS}


class BudgetPlanForm(forms.Form):
    """The plan: one amount per category and programme quarter, named by ``services.line_key``.
    An empty box (or £0) is a quarter with nothing planned."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.quarters = programme_quarters()
        self.keys: dict[str, tuple[str, Quarter]] = {}
        for category, label in BudgetCategory.choices:
            for quarter in self.quarters:
                name = services.line_key(category, quarter)
                self.keys[name] = (category, quarter)
                self.fields[name] = MoneyField(
                    label=f"{quarter.label} ({quarter.months})",
                    required=False,
                    invalid=f"Enter the amount planned for {label}, {quarter.label} in pounds, like 4000 or 4000.50",
                )

    @classmethod
    def initial_now(cls) -> dict:
        """The plan as it stands, as the form's initial values."""
        return {services.line_key(category, quarter): amount for (category, quarter), amount in plan_amounts().items()}

    def groups(self) -> list[dict]:
        """The fields by category, for the page: [{"category", "label", "fields"}]."""
        by_category: dict[str, list] = {value: [] for value in BudgetCategory.values}
        for name, (category, _quarter) in self.keys.items():
            by_category[category].append(self[name])
        return [
            {"category": value, "label": label, "fields": by_category[value]} for value, label in BudgetCategory.choices
        ]

    def clean(self):
        cleaned = super().clean()
        amounts = self.amounts()
        _add_errors(self, services.budget_plan_value_errors(amounts))
        # A category with a box that is not an amount is left out of the spend check: what its
        # lines will be is not known yet.
        broken = {self.keys[name][0] for name in self.errors if name in self.keys}
        sound = {key: amount for key, amount in amounts.items() if key[0] not in broken}
        _add_errors(self, services.budget_plan_spend_errors(sound))
        return cleaned

    def amounts(self) -> dict[tuple[str, Quarter], Decimal | None]:
        return {key: self.cleaned_data.get(name) for name, key in self.keys.items() if name not in self.errors}


def _quarter_choices() -> list[tuple[str, str]]:
    return [(quarter.slug, f"{quarter.label} ({quarter.months})") for quarter in programme_quarters()]


class SpendEntryFilterSet(django_filters.FilterSet):
    """The spend list's filters: category, quarter of the programme and words in the supplier or
    note. A value not on the list is a field error (400), never a filter silently dropped."""

    category = django_filters.ChoiceFilter(
        label="Category",
        choices=BudgetCategory.choices,
        empty_label="Any category",
        error_messages={"invalid_choice": "Choose a category from the list"},
    )
    quarter = django_filters.ChoiceFilter(
        label="Quarter",
        choices=_quarter_choices,
        method="filter_quarter",
        empty_label="Any quarter",
        error_messages={"invalid_choice": "Choose a quarter from the list"},
    )
    q = django_filters.CharFilter(
        label="Supplier or note",
        method="filter_words",
        max_length=200,
        error_messages={"max_length": "Enter at most 200 characters to search for"},
    )

    class Meta:
        model = SpendEntry
        fields = ["category", "quarter", "q"]

    def filter_quarter(self, queryset, name, value):
        quarter = next(q for q in programme_quarters() if q.slug == value)
        return queryset.filter(spent_on__gte=quarter.start, spent_on__lte=quarter.end)

    def filter_words(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(supplier__icontains=word) | Q(note__icontains=word))
        return queryset
