"""Invariants of the core models: validation messages from ``full_clean`` and the database's own guard."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from portal.models import FirmYear, Organisation
from portal.validators import company_number_normalise, validate_company_number
from tests.portal.factories import FirmYearFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("01234567", "01234567"),
        ("SC123456", "SC123456"),
        ("sc123456", "SC123456"),
        ("R1234567", "R1234567"),
        ("1234567", "01234567"),
    ],
)
def test_valid_company_numbers_are_stored_normalised(raw, stored):
    organisation = Organisation(name="Acme", company_number=raw)
    organisation.full_clean()
    assert organisation.company_number == stored


@pytest.mark.parametrize(
    "raw", ["ABC", "123456789", "SC12345", "S1234567", "SC1234567", "١٢٣٤٥٦٧٨", "ＳＣ123456", "0123-4567"]
)
def test_invalid_company_numbers_are_refused_on_the_field(raw):
    organisation = Organisation(name="Acme", company_number=raw)
    with pytest.raises(ValidationError) as exc:
        organisation.full_clean()
    assert "Companies House number" in exc.value.message_dict["company_number"][0]


def test_company_number_validator_refuses_unicode_digits():
    # str.isdigit() is true for Arabic-Indic digits; the register only has ASCII ones.
    with pytest.raises(ValidationError):
        validate_company_number("١٢٣٤٥٦٧")
    assert company_number_normalise("١٢٣٤٥٦٧") != "0١٢٣٤٥٦٧"


def test_company_number_is_unique_when_present():
    OrganisationFactory(company_number="01234567")
    duplicate = Organisation(name="Copycat", company_number="1234567")
    with pytest.raises(ValidationError) as exc:
        duplicate.full_clean()
    assert "already exists" in exc.value.message_dict["company_number"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Copycat", company_number="01234567")


def test_many_organisations_may_have_no_company_number():
    OrganisationFactory(company_number="")
    second = Organisation(name="Second body", company_number="")
    second.full_clean()
    second.save()
    assert Organisation.objects.filter(company_number="").count() == 2


def test_dissolution_before_founding_is_refused_by_clean_and_database():
    organisation = Organisation(
        name="Time traveller", founded_on=datetime.date(2020, 1, 1), dissolved_on=datetime.date(2019, 12, 31)
    )
    with pytest.raises(ValidationError) as exc:
        organisation.full_clean()
    assert "dissolved_on" in exc.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        organisation.save()


def test_dissolution_on_founding_day_is_allowed():
    organisation = Organisation(
        name="Mayfly", founded_on=datetime.date(2020, 1, 1), dissolved_on=datetime.date(2020, 1, 1)
    )
    organisation.full_clean()


def test_origin_country_only_for_firms_from_abroad():
    with pytest.raises(ValidationError) as exc:
        Organisation(name="A", origin=Organisation.Origin.RELOCATED_ABROAD).full_clean()
    assert "origin_country" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        Organisation(name="B", origin_country="FR").full_clean()
    assert "origin_country" in exc.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("leadership_disclosed", 5),  # total is 4
        ("leadership_women", 5),  # disclosed is 4
        ("leadership_ethnic_minority", 5),
        ("staff_disclosed", 13),  # total is 12
        ("staff_women", 11),  # disclosed is 10
        ("staff_ethnic_minority", 11),
    ],
)
def test_diversity_counts_cannot_exceed_their_base(field, value):
    row = FirmYearFactory.build(organisation=OrganisationFactory(), **{field: value})
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert list(exc.value.message_dict) == [field]
    assert "Cannot be more than" in exc.value.message_dict[field][0]
    # Bypassing clean(), the database still refuses the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    assert not FirmYear.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("leadership_women", 5),  # total is 4
        ("leadership_ethnic_minority", 5),
        ("staff_women", 13),  # total is 12
        ("staff_ethnic_minority", 13),
    ],
)
def test_a_part_cannot_exceed_its_whole_when_the_disclosed_count_is_empty(field, value):
    base = "leadership_disclosed" if field.startswith("leadership") else "staff_disclosed"
    row = FirmYearFactory.build(organisation=OrganisationFactory(), **{base: None, field: value})
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert exc.value.message_dict == {field: [f"Cannot be more than {field.split('_')[0]} total ({value - 1})."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    assert not FirmYear.objects.exists()


def test_unknown_counts_do_not_trip_the_rules():
    row = FirmYearFactory.build(
        organisation=OrganisationFactory(), leadership_total=None, leadership_disclosed=3, staff_disclosed=None
    )
    row.full_clean()
    row.save()


def test_one_firm_year_per_organisation_and_year():
    first = FirmYearFactory(year=2024)
    duplicate = FirmYearFactory.build(organisation=first.organisation, year=2024)
    with pytest.raises(ValidationError):
        duplicate.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    FirmYearFactory(organisation=first.organisation, year=2023)
    assert first.organisation.years.count() == 2


@pytest.mark.parametrize("year", [1899, 2101])
def test_year_out_of_range_is_refused(year):
    row = FirmYearFactory.build(organisation=OrganisationFactory(), year=year)
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert "year" in exc.value.message_dict
