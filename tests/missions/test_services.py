"""Reported observations: who may submit, what is refused, and a resubmission that replaces."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from missions.models import Observation
from missions.services import observation_submit, period_label
from tests.missions.factories import IndicatorFactory, geography
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

YEAR = {"period_start": datetime.date(2024, 1, 1), "period_end": datetime.date(2024, 12, 31)}


@pytest.fixture
def partner():
    return OrganisationFactory(kind="partner", company_number="")


@pytest.fixture
def owned(partner):
    return IndicatorFactory(owner=partner)


def submit(indicator, **kwargs):
    fields = {"geography": geography(), "value": Decimal("61.5"), **YEAR, **kwargs}
    return observation_submit(indicator=indicator, **fields)


@pytest.mark.parametrize(
    ("start", "end", "label"),
    [
        ((2024, 1, 1), (2024, 12, 31), "2024"),
        ((2024, 7, 1), (2024, 9, 30), "2024-Q3"),
        ((2024, 2, 1), (2024, 2, 29), "2024-02"),
        ((2024, 4, 1), (2025, 3, 31), "2024-04-01/2025-03-31"),
        ((2024, 2, 1), (2024, 4, 30), "2024-02-01/2024-04-30"),
    ],
)
def test_the_period_label_names_years_quarters_and_months(start, end, label):
    assert period_label(datetime.date(*start), datetime.date(*end)) == label


def test_the_owner_organisation_submits_and_is_credited(owned, partner):
    observation, created = submit(owned, organisation=partner)
    assert created
    assert observation.status == Observation.Status.REPORTED
    assert observation.period_label == "2024"
    assert observation.submitted_by_organisation == partner
    assert observation.value == Decimal("61.5")


def test_staff_submit_any_reported_indicator(owned, staff_user):
    observation, _ = submit(owned, submitted_by=staff_user)
    assert observation.submitted_by == staff_user
    assert observation.submitted_by_organisation is None


def test_another_organisation_is_refused_and_nothing_is_written(owned):
    with pytest.raises(PermissionDenied):
        submit(owned, organisation=OrganisationFactory(kind="partner", company_number=""))
    assert not Observation.objects.exists()


def test_a_user_without_the_staff_role_is_refused(owned, founder_user, reviewer_user):
    for user in (founder_user, reviewer_user):
        with pytest.raises(PermissionDenied):
            submit(owned, submitted_by=user)
    assert not Observation.objects.exists()


def test_a_computed_indicator_takes_no_reported_values(staff_user):
    with pytest.raises(ValidationError) as error:
        submit(IndicatorFactory(computed=True), submitted_by=staff_user)
    assert "indicator" in error.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"period_end": datetime.date(2023, 12, 31)}, "period_end"),
        ({"value": Decimal("NaN")}, "value"),
        ({"value": Decimal("Infinity")}, "value"),
        ({"value": None}, "value"),
        ({"value": Decimal("1.23456")}, "value"),
        ({"value": Decimal("1e17")}, "value"),
        ({"suppressed": True}, "value"),
        ({"bound": "~"}, "bound"),
        ({"source_url": "not a link"}, "source_url"),
    ],
)
def test_bad_values_are_refused_by_field_and_nothing_is_written(owned, partner, fields, field):
    with pytest.raises(ValidationError) as error:
        submit(owned, organisation=partner, **fields)
    assert field in error.value.message_dict
    assert not Observation.objects.exists()


def test_a_suppressed_value_is_recorded_without_a_number(owned, partner):
    observation, _ = submit(owned, organisation=partner, value=None, suppressed=True)
    assert observation.suppressed and observation.value is None


def test_a_bound_is_kept(owned, partner):
    observation, _ = submit(owned, organisation=partner, value=Decimal("95"), bound=">")
    assert (observation.bound, observation.value) == (">", Decimal("95"))


def test_a_resubmission_replaces_the_value_and_keeps_the_earlier_one_in_history(owned, partner):
    first, created = submit(owned, organisation=partner, value=Decimal("60"))
    second, created_again = submit(owned, organisation=partner, value=Decimal("62.5"), notes="Revised")
    assert created and not created_again
    assert second.pk == first.pk
    assert Observation.objects.filter(indicator=owned).count() == 1
    assert [h.value for h in second.history.order_by("history_date")] == [Decimal("60"), Decimal("62.5")]


def test_a_reported_value_sits_beside_the_published_comparator(owned, partner):
    from tests.missions.factories import ObservationFactory

    ObservationFactory(indicator=owned, status=Observation.Status.PUBLISHED, value=Decimal("55"))
    submit(owned, organisation=partner)
    assert set(owned.observations.values_list("status", "value")) == {
        ("published", Decimal("55")),
        ("reported", Decimal("61.5")),
    }
