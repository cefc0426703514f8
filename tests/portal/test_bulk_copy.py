"""portal.bulk_copy: COPY loads rows with their defaults, checks foreign keys once, and refuses what
it cannot load faithfully."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from ambassadors.models import Lead, LeadChange
from portal.bulk_copy import BulkCopyError, ids_reserve, rows_copy
from portal.models import FirmYear, Organisation
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _fk_names(model) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [model._meta.db_table],
        )
        return {name for (name,) in cursor.fetchall()}


def test_rows_copy_writes_rows_with_reserved_ids_and_fills_the_other_fields_with_defaults():
    ids = ids_reserve(Organisation, 3)
    written = rows_copy(
        Organisation,
        ["id", "name", "company_number", "founded_on", "dissolved_on"],
        (
            (pk, f'Quote "and", comma Ltd {n}', f"ZZ00000{n}", datetime.date(2020, 1, n + 1), None)
            for n, pk in enumerate(ids)
        ),
    )
    assert written == 3
    firms = list(Organisation.objects.filter(pk__in=ids).order_by("pk"))
    assert [f.pk for f in firms] == list(ids)
    first = firms[0]
    assert first.name == 'Quote "and", comma Ltd 0'
    assert first.dissolved_on is None and first.website == "" and first.recorded_by_id is None
    assert first.kind == Organisation.Kind.FIRM and first.is_tech is True  # the model's defaults
    assert first.created_at is not None and first.updated_at is not None
    # The sequence moved past the block: the ORM's next row takes a new id.
    assert OrganisationFactory().pk > max(ids)


def test_rows_copy_leaves_out_fields_as_nulls_or_defaults_and_keeps_empty_text_apart_from_null():
    org = OrganisationFactory()
    rows_copy(FirmYear, ["organisation_id", "year", "as_of"], [(org.pk, 2024, datetime.date(2025, 1, 31))])
    year = FirmYear.objects.get(organisation=org)
    assert year.employees is None and year.source == FirmYear.Source.SELF_REPORTED and year.consent is False
    rows_copy(Organisation, ["name", "website", "founded_on"], [("Empty website Ltd", "", None)])
    firm = Organisation.objects.get(name="Empty website Ltd")
    assert firm.website == "" and firm.founded_on is None


def test_rows_copy_fills_a_json_default():
    lead = Lead.objects.create(name="Copied changes Ltd")
    rows_copy(LeadChange, ["lead_id", "to_stage"], [(lead.pk, "referred")])
    assert LeadChange.objects.get(lead=lead).fields == {}


def test_rows_copy_checks_foreign_keys_once_and_puts_them_back():
    before = _fk_names(FirmYear)
    assert before
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_copy(FirmYear, ["organisation_id", "year", "as_of"], [(987_654_321, 2024, datetime.date(2025, 1, 31))])
    assert _fk_names(FirmYear) == before  # the failed load rolled the dropped keys back
    org = OrganisationFactory()
    rows_copy(FirmYear, ["organisation_id", "year", "as_of"], [(org.pk, 2023, datetime.date(2024, 1, 31))])
    assert _fk_names(FirmYear) == before


def test_rows_copy_refuses_a_field_it_cannot_fill():
    with pytest.raises(BulkCopyError, match="FirmYear.year has no default"):
        rows_copy(FirmYear, ["organisation_id", "as_of"], [])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ids_reserve_and_rows_copy_need_a_transaction():
    with pytest.raises(BulkCopyError, match="inside a transaction"):
        ids_reserve(Organisation, 2)
    with pytest.raises(BulkCopyError, match="inside a transaction"):
        rows_copy(Organisation, ["name"], [("Outside a transaction Ltd",)])
    assert not Organisation.objects.filter(name="Outside a transaction Ltd").exists()
