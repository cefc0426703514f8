"""The review queue's filters: plain labels, dates typed as people write them, the API's ISO dates."""

import datetime

import pytest

from workspaces.filters import ApplicationFilterSet
from workspaces.models import Application

pytestmark = pytest.mark.django_db


def test_empty_choices_say_what_they_mean():
    form = ApplicationFilterSet(queryset=Application.objects.none()).form
    assert form.fields["desk_type"].choices[0] == ("", "Any desk type")
    assert list(form.fields["workspace"].choices)[0] == ("", "Any workspace")
    assert "---------" not in form.as_p()


@pytest.mark.parametrize("typed", ["31/3/2026", "31 3 2026", "2026-03-31", "31-03-2026"])
def test_a_date_is_read_as_day_month_year_or_iso(typed):
    filterset = ApplicationFilterSet({"submitted_after": typed}, queryset=Application.objects.none())
    assert filterset.is_valid()
    assert filterset.form.cleaned_data["submitted_after"] == datetime.date(2026, 3, 31)


def test_a_date_that_is_not_one_says_how_to_write_it():
    filterset = ApplicationFilterSet({"submitted_before": "3/31/2026"}, queryset=Application.objects.none())
    assert not filterset.is_valid()
    assert filterset.errors["submitted_before"] == ["Enter a date as day, month and year, like 31/3/2026"]
