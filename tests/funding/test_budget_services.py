"""The budget's services: spend is checked against its unit and period (every problem at once),
recorded with who recorded it and its history, changed and removed; the plan is replaced line by
line, never leaving a category with spend and no plan, and bumps the page cache only when it
changes something."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding import budget_services as services
from funding.budget_selectors import Quarter
from funding.models import BudgetLine, SpendEntry
from portal.page_cache import data_versions
from tests.conftest import run_at_once
from tests.funding.budget_factories import BudgetLineFactory, SpendEntryFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2025, 1)


def spend(**changes) -> dict:
    data = {
        "spent_on": datetime.date(2025, 3, 3),
        "category": "commissioner",
        "supplier": "  Jewellery Quarter Consulting Ltd ",
        "amount_gbp": Decimal("1250.50"),
        "note": "Invoice 42",
    }
    data.update(changes)
    return data


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        call()
    return raised.value.message_dict


def test_spend_is_recorded_with_who_recorded_it_and_bumps_the_budget_key(staff_user):
    BudgetLineFactory()
    before = data_versions()["budget"]
    entry = services.spend_record(data=spend(), actor=staff_user)
    entry.refresh_from_db()
    assert (entry.supplier, entry.amount_gbp, entry.recorded_by) == (
        "Jewellery Quarter Consulting Ltd",
        Decimal("1250.50"),
        staff_user,
    )
    assert entry.history.get().history_user == staff_user
    assert data_versions()["budget"] == before + 1


def test_every_problem_with_spend_is_named_at_once(staff_user):
    BudgetLineFactory()  # the Tech Commissioner has a line; events has none
    errors = errors_of(
        lambda: services.spend_record(
            data=spend(
                spent_on=datetime.date(2024, 12, 31),
                category="events",
                supplier=" ",
                amount_gbp=Decimal("12.345"),
                note="x" * 2001,
            ),
            actor=staff_user,
        )
    )
    assert errors == {
        "spent_on": ["The date must be within the programme, 1 January 2025 to 31 December 2026"],
        "category": ["Events and communications has no plan lines: add its plan first, or choose another category"],
        "supplier": ["Enter the supplier"],
        "amount_gbp": ["Enter the amount in pounds and pence, with at most 2 decimal places"],
        "note": ["The note must be 2,000 characters or fewer"],
    }
    assert not SpendEntry.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("0"), "The amount must be more than £0"),
        (Decimal("-20"), "The amount must be more than £0"),
        (Decimal("10000000"), "The amount must be less than £10,000,000.00"),
        ("lots", "Enter the amount in pounds, like 1250 or 1250.50"),
        (Decimal("NaN"), "Enter the amount in pounds, like 1250 or 1250.50"),
        (None, "Enter the amount"),
    ],
)
def test_amounts_are_pounds_and_pence_more_than_nothing(amount, message):
    assert services.spend_value_errors({"amount_gbp": amount}) == {"amount_gbp": [message]}


def test_spend_cannot_be_dated_after_today():
    today = datetime.date(2025, 6, 10)
    assert services.spend_value_errors({"spent_on": today}, today=today) == {}
    assert services.spend_value_errors({"spent_on": datetime.date(2025, 6, 11)}, today=today) == {
        "spent_on": ["The date cannot be in the future: record spend once it is invoiced or paid"]
    }
    assert services.spend_value_errors({"spent_on": datetime.date(2027, 1, 1)}, today=today)["spent_on"] == [
        "The date must be within the programme, 1 January 2025 to 31 December 2026"
    ]


def test_spend_is_changed_field_by_field_with_its_history(staff_user, make_user):
    BudgetLineFactory()
    BudgetLineFactory(category="events", year=2025, quarter=2)
    entry = services.spend_record(data=spend(), actor=staff_user)
    other = make_user("staff")
    services.spend_update(
        entry=entry, data={"amount_gbp": Decimal("1300"), "category": "events", "note": "Invoice 42"}, actor=other
    )
    entry.refresh_from_db()
    assert (entry.amount_gbp, entry.category, entry.recorded_by) == (Decimal("1300.00"), "events", staff_user)
    latest = entry.history.order_by("-history_id").first()
    assert latest.history_user == other and latest.history_type == "~"
    before = data_versions()["budget"]
    services.spend_update(entry=entry, data={"amount_gbp": Decimal("1300.00")}, actor=other)  # no change
    assert entry.history.count() == 2 and data_versions()["budget"] == before


def test_a_change_is_checked_like_a_new_entry(staff_user):
    entry = SpendEntryFactory()
    BudgetLineFactory()
    errors = errors_of(
        lambda: services.spend_update(
            entry=entry, data={"spent_on": datetime.date(2030, 1, 1), "amount_gbp": Decimal(-1)}, actor=staff_user
        )
    )
    assert set(errors) == {"spent_on", "amount_gbp"}
    entry.refresh_from_db()
    assert entry.amount_gbp == Decimal("1000.00")


def test_removing_spend_keeps_its_history_and_is_idempotent(staff_user):
    entry = SpendEntryFactory()
    assert services.spend_remove(entry=entry, actor=staff_user) is True
    assert not SpendEntry.objects.exists()
    removed = SpendEntry.history.get(history_type="-")
    assert (removed.history_user, removed.supplier) == (staff_user, entry.supplier)
    before = data_versions()["budget"]
    assert services.spend_remove(entry=entry, actor=staff_user) is False
    assert data_versions()["budget"] == before


# The plan ---------------------------------------------------------------------------------------


def test_the_plan_adds_changes_and_removes_lines_and_says_how_many(staff_user):
    BudgetLineFactory(category="events", year=2025, quarter=1, planned_gbp=Decimal("500"))
    BudgetLineFactory(category="data", year=2025, quarter=2, planned_gbp=Decimal("700"))
    counts = services.budget_plan_replace(
        amounts={
            ("commissioner", Q1): Decimal("8000"),
            ("events", Q1): Decimal("650.25"),
            ("data", Quarter(2025, 2)): None,
            ("data", Quarter(2025, 3)): Decimal("0"),
        },
        actor=staff_user,
    )
    assert counts == {"added": 1, "changed": 1, "removed": 1}
    lines = {(line.category, line.year, line.quarter): line.planned_gbp for line in BudgetLine.objects.all()}
    assert lines == {("commissioner", 2025, 1): Decimal("8000.00"), ("events", 2025, 1): Decimal("650.25")}
    assert BudgetLine.objects.get(category="commissioner").history.get().history_user == staff_user
    assert BudgetLine.history.filter(history_type="-", category="data").exists()


def test_the_same_plan_twice_changes_nothing_the_second_time(staff_user):
    amounts = {("commissioner", Q1): Decimal("8000"), ("events", Q1): Decimal("650")}
    services.budget_plan_replace(amounts=amounts, actor=staff_user)
    before = data_versions()["budget"]
    assert services.budget_plan_replace(amounts=amounts, actor=staff_user) == {"added": 0, "changed": 0, "removed": 0}
    assert data_versions()["budget"] == before


def test_every_problem_with_the_plan_is_named_at_once_on_its_line(staff_user):
    errors = errors_of(
        lambda: services.budget_plan_replace(
            amounts={
                ("commissioner", Q1): Decimal("-5"),
                ("events", Quarter(2024, 4)): Decimal("100"),
                ("atlantis", Q1): Decimal("100"),
                ("data", Q1): Decimal("0.001"),
            },
            actor=staff_user,
        )
    )
    assert errors == {
        "commissioner_2025_q1": ["The amount planned for The Tech Commissioner, 2025 Q1 must be more than £0"],
        "events_2024_q4": ["2024 Q4 is not one of the programme's quarters, 2025 Q1 to 2026 Q4"],
        "atlantis_2025_q1": ["Choose a category from the list"],
        "data_2025_q1": [
            "Enter the amount planned for Data and the portal, 2025 Q1 in pounds and pence, "
            "with at most 2 decimal places"
        ],
    }
    assert not BudgetLine.objects.exists()


def test_a_category_with_spend_keeps_at_least_one_line(staff_user):
    BudgetLineFactory(category="events", year=2025, quarter=1)
    BudgetLineFactory(category="events", year=2025, quarter=2)
    SpendEntryFactory(category="events", amount_gbp=Decimal("320.00"))
    emptied = {("events", quarter): None for quarter in (Q1, Quarter(2025, 2))}
    errors = errors_of(lambda: services.budget_plan_replace(amounts=emptied, actor=staff_user))
    assert errors == {
        "events_2025_q1": [
            "Events and communications has £320.00 of spend recorded: keep at least one plan line for it"
        ]
    }
    assert BudgetLine.objects.filter(category="events").count() == 2
    # One line left is enough.
    services.budget_plan_replace(amounts={("events", Q1): None}, actor=staff_user)
    assert BudgetLine.objects.filter(category="events").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dropping_a_categorys_last_line_and_recording_spend_in_it_never_both_succeed(postgres, staff_user):
    for _ in range(5):
        BudgetLine.objects.all().delete()
        SpendEntry.objects.all().delete()
        BudgetLineFactory(category="events")
        results = run_at_once(
            [
                lambda: services.budget_plan_replace(amounts={("events", Q1): None}, actor=staff_user),
                lambda: services.spend_record(data=spend(category="events"), actor=staff_user),
            ]
        )
        lines, entries = BudgetLine.objects.filter(category="events").count(), SpendEntry.objects.count()
        assert not (lines == 0 and entries == 1), results
        assert sum(isinstance(result, ValidationError) for result in results) == 1, results
