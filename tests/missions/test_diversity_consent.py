"""Diversity figures are used only with consent and only in totals of 10 people or more: firms that
did not consent neither count nor help a small total past the threshold, and the figures reach
the public and partners only as those totals."""

import pytest

from missions.registry import REGISTRY
from portal.models import LocalAuthority
from portal.rest.serializers import DIVERSITY_FIELDS
from tests.portal.factories import FirmYearFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DIVERSITY_KEYS = [
    "leadership_women_share",
    "leadership_ethnic_minority_share",
    "leadership_disclosure_rate",
    "staff_women_share",
    "staff_ethnic_minority_share",
    "staff_disclosure_rate",
]


def firm():
    return OrganisationFactory(company_number="", local_authority=LocalAuthority.BIRMINGHAM)


def people(total: int, women: int, *, consent: bool) -> dict:
    counts = {"total": total, "disclosed": total, "women": women, "ethnic_minority": 0}
    return {
        "consent": consent,
        **{f"leadership_{key}": value for key, value in counts.items()},
        **{f"staff_{key}": value for key, value in counts.items()},
    }


def value_of(key: str, year: int):
    return next(value for value in REGISTRY[key]() if value.period_label == str(year))


def test_firms_without_consent_do_not_lift_a_small_total_past_ten_people():
    FirmYearFactory(organisation=firm(), year=2024, **people(9, 4, consent=True))
    FirmYearFactory(organisation=firm(), year=2024, **people(50, 25, consent=False))
    for key in DIVERSITY_KEYS:
        value = value_of(key, 2024)
        assert (value.suppressed, value.value, value.numerator, value.denominator) == (True, None, None, None), key


def test_a_total_of_exactly_ten_consenting_people_is_shown():
    FirmYearFactory(organisation=firm(), year=2024, **people(6, 3, consent=True))
    FirmYearFactory(organisation=firm(), year=2024, **people(4, 1, consent=True))
    FirmYearFactory(organisation=firm(), year=2024, **people(90, 90, consent=False))
    share = value_of("leadership_women_share", 2024)
    assert (share.suppressed, share.numerator, share.denominator) == (False, 4, 10)


def test_partners_never_read_one_firms_counts(as_partner):
    organisation = firm()
    FirmYearFactory(organisation=organisation, year=2024, **people(40, 20, consent=True))
    client, _ = as_partner("read")
    row = client.get(f"/api/v1/organisations/{organisation.pk}/years/2024/").json()
    assert row["consent"] is True and row["employees"] is not None
    assert all(row[field] is None for field in DIVERSITY_FIELDS)
