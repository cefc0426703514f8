"""The budget's figures on a hand-built plan and spend: totals, plan to date, the burn-up added up
quarter by quarter, the lines and categories overspent, spend outside the programme left out, two
queries whatever the number of entries; and a spend entry's history in words."""

import datetime
from decimal import Decimal

import pytest

from funding import budget_services as services
from funding.budget_selectors import Quarter, budget_overview, programme_quarters, programme_span, spend_history
from tests.funding.budget_factories import BudgetLineFactory, SpendEntryFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 8, 15)  # in 2025 Q3, the programme's third quarter
D = Decimal


@pytest.fixture
def budget():
    for quarter in (1, 2, 3):
        BudgetLineFactory(category="commissioner", year=2025, quarter=quarter, planned_gbp=D(8000))
    BudgetLineFactory(category="commissioner", year=2026, quarter=4, planned_gbp=D(8000))
    BudgetLineFactory(category="events", year=2025, quarter=1, planned_gbp=D(1000))
    BudgetLineFactory(category="events", year=2025, quarter=3, planned_gbp=D(2000))
    BudgetLineFactory(category="data", year=2025, quarter=1, planned_gbp=D(100))
    SpendEntryFactory(category="commissioner", spent_on=datetime.date(2025, 2, 10), amount_gbp=D(5000))
    SpendEntryFactory(category="commissioner", spent_on=datetime.date(2025, 3, 31), amount_gbp=D(2500))
    SpendEntryFactory(category="commissioner", spent_on=datetime.date(2025, 5, 1), amount_gbp=D(9000))
    SpendEntryFactory(category="events", spent_on=datetime.date(2025, 4, 20), amount_gbp=D(300))
    SpendEntryFactory(category="events", spent_on=datetime.date(2025, 8, 1), amount_gbp=D(1000))
    SpendEntryFactory(category="data", spent_on=datetime.date(2025, 1, 5), amount_gbp=D(150))
    SpendEntryFactory(category="data", spent_on=datetime.date(2024, 12, 20), amount_gbp=D(400))  # before the programme


def test_the_programme_is_eight_quarters_from_the_start_date(settings):
    assert programme_span() == (datetime.date(2025, 1, 1), datetime.date(2026, 12, 31))
    settings.FUNDING_BUDGET_STARTS_ON = datetime.date(2024, 10, 1)
    assert [q.label for q in programme_quarters()] == [
        "2024 Q4",
        "2025 Q1",
        "2025 Q2",
        "2025 Q3",
        "2025 Q4",
        "2026 Q1",
        "2026 Q2",
        "2026 Q3",
    ]
    assert Quarter(2024, 4).end == datetime.date(2024, 12, 31) and Quarter(2025, 1).months == "January to March 2025"


def test_totals_and_plan_to_date_match_the_hand_sums(budget):
    overview = budget_overview(TODAY)
    assert overview.planned == D("35100.00")
    assert overview.planned_to_date == D("27100.00")  # every line up to the end of 2025 Q3
    assert overview.spent == D("17950.00")
    assert overview.remaining == D("17150.00")
    assert overview.spent_share == D("51.1")  # 17,950 / 35,100
    assert overview.against_plan == D("66.2")  # 17,950 / 27,100
    assert overview.outside == D("400.00") and overview.entries == 7
    assert overview.current_quarter == Quarter(2025, 3)


def test_the_burn_up_adds_up_plan_and_spend_quarter_by_quarter(budget):
    rows = {row.quarter.label: row for row in budget_overview(TODAY).burn_up}
    assert list(rows) == [q.label for q in programme_quarters()]
    expected = {
        "2025 Q1": (D(9100), D(9100), D(7650), D(7650), D("84.1")),
        "2025 Q2": (D(8000), D(17100), D(9300), D(16950), D("99.1")),
        "2025 Q3": (D(10000), D(27100), D(1000), D(17950), D("66.2")),
    }
    for label, (planned, planned_to_date, spent, spent_to_date, against) in expected.items():
        row = rows[label]
        assert (row.planned, row.planned_to_date, row.spent, row.spent_to_date, row.against_plan) == (
            planned,
            planned_to_date,
            spent,
            spent_to_date,
            against,
        ), label
        assert row.started
    assert not rows["2025 Q4"].started and rows["2025 Q4"].planned_to_date == D(27100)
    assert rows["2026 Q4"].planned_to_date == D(35100)
    chart = budget_overview(TODAY).chart_data
    assert chart["labels"][:3] == ["2025 Q1", "2025 Q2", "2025 Q3"]
    assert chart["datasets"][0]["data"][-1] == 35100.0
    assert chart["datasets"][1]["data"][:4] == [7650.0, 16950.0, 17950.0, None]
    assert chart["datasets"][1]["text"][2] == "£17,950.00"


def test_lines_and_categories_that_spent_more_than_planned_are_named(budget):
    overview = budget_overview(TODAY)
    assert [(line.category_label, line.quarter.label, line.over_by) for line in overview.overspent_lines] == [
        ("The Tech Commissioner", "2025 Q2", D(1000)),
        ("Events and communications", "2025 Q2", D(300)),  # spend in a quarter with nothing planned
        ("Data and the portal", "2025 Q1", D(50)),
    ]
    assert [(row.label, row.over_by) for row in overview.overspent_categories] == [("Data and the portal", D(50))]
    by_category = {row.category: row for row in overview.planned_rows}
    assert set(by_category) == {"commissioner", "events", "data"}
    assert (by_category["events"].planned, by_category["events"].spent, by_category["events"].remaining) == (
        D(3000),
        D(1300),
        D(1700),
    )
    assert by_category["commissioner"].spent_share == D("51.6")  # 16,500 / 32,000


def test_nothing_planned_gives_no_shares_and_no_warnings():
    overview = budget_overview(TODAY)
    assert (overview.planned, overview.spent, overview.spent_share, overview.against_plan) == (0, 0, None, None)
    assert not overview.has_plan and overview.overspent_lines == [] and overview.planned_rows == []


def test_the_overview_runs_two_queries_whatever_the_number_of_entries(budget, django_assert_num_queries):
    with django_assert_num_queries(2):
        budget_overview(TODAY)
    SpendEntryFactory.create_batch(40, category="events", spent_on=datetime.date(2025, 7, 7))
    with django_assert_num_queries(2):
        overview = budget_overview(TODAY)
    assert overview.entries == 47


def test_a_spend_entrys_history_says_who_did_what_in_words(staff_user, make_user):
    BudgetLineFactory()
    BudgetLineFactory(category="events")
    entry = services.spend_record(
        data={
            "spent_on": datetime.date(2025, 3, 3),
            "category": "commissioner",
            "supplier": "Digbeth Print",
            "amount_gbp": D("99.5"),
            "note": "",
        },
        actor=staff_user,
    )
    other = make_user("staff", full_name="Olu Staff")
    services.spend_update(entry=entry, data={"amount_gbp": D(120), "category": "events", "note": "Flyers"}, actor=other)
    history = spend_history(entry)
    assert [(item.action, item.who) for item in history] == [
        ("Recorded", staff_user.full_name),
        ("Changed", "Olu Staff"),
    ]
    assert history[0].changes == []
    assert history[1].changes == [
        ("Category", "The Tech Commissioner", "Events and communications"),
        ("Amount", "£99.50", "£120.00"),
        ("Note", "None given", "Flyers"),
    ]
