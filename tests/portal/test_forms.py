import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError

from portal.forms import DateInputField, date_example, date_input_parts, form_add_service_errors

VALID = {
    "start_on_day": " 31",
    "start_on_month": "3 ",
    "start_on_year": "2025",
    "due_on_day": "2",
    "due_on_month": "9",
    "due_on_year": "2025",
}


class DateForm(forms.Form):
    start_on = DateInputField(name="Start date")
    ended_on = DateInputField(name="End date", required=False)
    due_on = DateInputField(name="Due date", error_messages={"required": "Enter the day it is due"})


def errors(**typed) -> dict[str, list[str]]:
    form = DateForm(VALID | typed)
    form.is_valid()
    return form.errors


def test_a_date_is_read_from_its_three_boxes():
    form = DateForm(VALID)
    assert form.is_valid()
    assert form.cleaned_data == {
        "start_on": datetime.date(2025, 3, 31),
        "ended_on": None,
        "due_on": datetime.date(2025, 9, 2),
    }


# The example in the message is today's date, so it is never long past.
REAL_DATE = f"Start date must be a real date, for example {date_example()}"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"start_on_day": "", "start_on_month": "", "start_on_year": ""}, "Enter the start date"),
        ({"start_on_month": ""}, "Start date must include a month"),
        ({"start_on_day": "", "start_on_year": ""}, "Start date must include a day and a year"),
        ({"start_on_day": "31", "start_on_month": "2"}, REAL_DATE),
        ({"start_on_year": "25"}, REAL_DATE),
        # Digits that are not ASCII pass str.isdigit() but not int(): refused, not a server error.
        ({"start_on_day": "²"}, REAL_DATE),
    ],
)
def test_each_mistake_has_the_gov_uk_message(typed, message):
    assert errors(**typed)["start_on"] == [message]


def test_a_required_message_given_by_the_form_wins():
    assert errors(due_on_day="", due_on_month="", due_on_year="")["due_on"] == ["Enter the day it is due"]


def test_date_input_parts_show_what_was_typed_or_the_date():
    assert date_input_parts(datetime.date(2025, 3, 9)) == {"day": "9", "month": "3", "year": "2025"}
    assert date_input_parts(["31", "", None]) == {"day": "31", "month": "", "year": ""}
    assert date_input_parts(None) == {"day": "", "month": "", "year": ""}


def test_a_date_fields_parts_show_what_was_typed_or_the_initial_date():
    typed = DateForm(VALID | {"start_on_day": "31", "start_on_month": "", "start_on_year": "20x5"})
    assert typed["start_on"].parts == {"day": "31", "month": "", "year": "20x5"}
    initial = DateForm(initial={"start_on": datetime.date(2025, 3, 9)})
    assert initial["start_on"].parts == {"day": "9", "month": "3", "year": "2025"}
    assert initial["ended_on"].parts == {"day": "", "month": "", "year": ""}


class NoteForm(forms.Form):
    note = forms.CharField()


@pytest.mark.parametrize(
    ("error", "field_errors", "non_field_errors"),
    [
        (ValidationError({"note": "Too rude"}), {"note": ["Too rude"]}, []),
        # A field the form does not have goes above the form, like a message that names no field.
        (ValidationError({"elsewhere": "Not here"}), {}, ["Not here"]),
        (ValidationError(["Closed", "Full"]), {}, ["Closed", "Full"]),
    ],
)
def test_a_services_errors_go_on_the_field_they_name_or_above_the_form(error, field_errors, non_field_errors):
    form = NoteForm({"note": "Hello"})
    assert form.is_valid()
    form_add_service_errors(form, error)
    assert {name: list(messages) for name, messages in form.errors.items() if name != "__all__"} == field_errors
    assert list(form.non_field_errors()) == non_field_errors
