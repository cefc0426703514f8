"""The budget pages: staff only (the public see the totals), every error at once with a 400,
post/redirect/get, the figures change as soon as spend is recorded, and the lists run a fixed
number of queries whatever the number of entries."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from funding import budget_services as services
from funding.models import BudgetLine, SpendEntry
from portal import page_cache
from tests.funding.budget_factories import BudgetLineFactory, SpendEntryFactory

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("funding:budget-overview")
PLAN = reverse("funding:budget-plan")
SPEND = reverse("funding:spend-list")
RECORD = reverse("funding:spend-create")
PUBLIC = reverse("funding:budget-summary")


def move_clock(monkeypatch, day: datetime.date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: day)


def spend_form(**changes) -> dict:
    data = {
        "spent_on_day": "3",
        "spent_on_month": "3",
        "spent_on_year": "2025",
        "category": "commissioner",
        "supplier": "Jewellery Quarter Consulting Ltd",
        "amount_gbp": "£1,250.50",
        "note": "Invoice 42",
    }
    data.update(changes)
    return data


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def summary(response) -> str:
    return text(response).split('class="govuk-error-summary"')[1].split("</ul>")[0]


def staff_urls(entry: SpendEntry) -> list[str]:
    return [
        OVERVIEW,
        PLAN,
        SPEND,
        RECORD,
        reverse("funding:spend-detail", args=[entry.pk]),
        reverse("funding:spend-update", args=[entry.pk]),
        reverse("funding:spend-remove", args=[entry.pk]),
    ]


def no_none(page: str) -> bool:
    return not re.search(r"\bNone\b(?! given)", re.sub(r"<[^>]+>", " ", page))


# Who may see what --------------------------------------------------------------------------------


def test_the_signed_out_are_sent_to_sign_in_from_every_staff_page(client):
    entry = SpendEntryFactory()
    for url in staff_urls(entry):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
        assert client.post(url, spend_form()).status_code == 302, url
    assert SpendEntry.objects.count() == 1


@pytest.mark.parametrize("role", ["founder_user", "reviewer_user", "ambassador_user"])
def test_other_roles_are_refused_every_staff_page_and_change_nothing(client, request, role):
    BudgetLineFactory()
    entry = SpendEntryFactory(amount_gbp=Decimal("10.00"))
    user = request.getfixturevalue(role)
    client.force_login(user)
    for url in staff_urls(entry):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {**spend_form(), "commissioner_2025_q1": "9"}).status_code == 403, url
    entry.refresh_from_db()
    assert entry.amount_gbp == Decimal("10.00") and SpendEntry.objects.count() == 1
    assert BudgetLine.objects.get().planned_gbp == Decimal("4000.00")
    assert not SpendEntry.objects.visible_to(user).exists()  # and the scoped read shows them nothing


def test_a_spend_entry_that_does_not_exist_is_a_404(client, staff_user):
    entry = SpendEntryFactory()
    client.force_login(staff_user)
    missing = entry.pk + 1000
    for name in ("funding:spend-detail", "funding:spend-update", "funding:spend-remove"):
        assert client.get(reverse(name, args=[missing])).status_code == 404, name
        if name != "funding:spend-detail":
            assert client.post(reverse(name, args=[missing]), spend_form()).status_code == 404, name


def test_the_public_see_the_totals_by_category_but_no_supplier_or_single_cost(client):
    BudgetLineFactory(planned_gbp=Decimal("80000"))
    BudgetLineFactory(category="events", year=2025, quarter=2, planned_gbp=Decimal("80000"))
    SpendEntryFactory(supplier="Secret Supplier Ltd", amount_gbp=Decimal("1234.56"))
    response = client.get(PUBLIC)
    page = text(response)
    assert response.status_code == 200
    assert "£160,000.00" in page and "£1,234.56" in page and "£158,765.44" in page
    assert "The Tech Commissioner" in page and "Events and communications" in page
    assert "Secret Supplier" not in page and "Plan against spend, for staff" not in page
    assert no_none(page)


def test_the_public_page_says_when_there_is_no_budget_yet(client):
    assert "The budget has not been published yet." in text(client.get(PUBLIC))


# Recording spend -------------------------------------------------------------------------------


def test_staff_record_spend_and_see_the_burn_up_change_at_once(client, staff_user):
    BudgetLineFactory(planned_gbp=Decimal("8000"))
    client.force_login(staff_user)
    before = text(client.get(OVERVIEW))
    q1_row = re.compile(r'data-quarter="2025-Q1".*?</tr>', re.S)
    assert "£0.00" in q1_row.search(before).group(0)
    assert client.get(RECORD).status_code == 200
    response = client.post(RECORD, spend_form())
    assert response.status_code == 303 and response["Location"] == OVERVIEW
    entry = SpendEntry.objects.get()
    assert (entry.amount_gbp, entry.recorded_by, entry.note) == (Decimal("1250.50"), staff_user, "Invoice 42")
    after = client.get(OVERVIEW)
    page = text(after)
    assert "Recorded £1,250.50 to Jewellery Quarter Consulting Ltd (The Tech Commissioner)." in page
    row = q1_row.search(page).group(0)
    assert "£1,250.50" in row and "15.6%" in row  # 1,250.50 of 8,000 planned to date
    chart = json.loads(
        re.search(r'<script id="budget-chart-data" type="application/json">(.*?)</script>', page).group(1)
    )
    assert chart["datasets"][1]["data"][0] == 1250.5
    assert no_none(page)


def test_the_spend_form_names_every_problem_at_once_with_a_400(client, staff_user):
    BudgetLineFactory()
    client.force_login(staff_user)
    response = client.post(RECORD, {"spent_on_day": "", "spent_on_month": "", "spent_on_year": ""})
    assert response.status_code == 400
    for message in ["Enter the date", "Choose a category", "Enter the supplier", "Enter the amount"]:
        assert message in summary(response), message
    response = client.post(
        RECORD,
        spend_form(spent_on_day="31", spent_on_month="2", category="events", amount_gbp="12,34.5x", note="x" * 2001),
    )
    assert response.status_code == 400
    for message in [
        "Date must be a real date",
        "Events and communications has no plan lines: add its plan first, or choose another category",
        "Enter the amount in pounds, like 1250 or 1250.50",
        "The note must be 2,000 characters or fewer",
    ]:
        assert message in summary(response), message
    response = client.post(RECORD, spend_form(spent_on_year="2024", amount_gbp="-3"))
    assert response.status_code == 400
    assert "The date must be within the programme, 1 January 2025 to 31 December 2026" in summary(response)
    assert "The amount must be more than £0" in summary(response)
    assert 'value="Jewellery Quarter Consulting Ltd"' in text(response)  # what was typed stays
    assert not SpendEntry.objects.exists()


def test_spend_dated_after_today_is_refused(client, staff_user, monkeypatch):
    move_clock(monkeypatch, datetime.date(2025, 3, 2))
    BudgetLineFactory()
    client.force_login(staff_user)
    response = client.post(RECORD, spend_form())
    assert response.status_code == 400
    assert "The date cannot be in the future" in summary(response)


def test_staff_change_spend_and_the_history_says_what_changed(client, staff_user):
    BudgetLineFactory()
    entry = services.spend_record(
        data={
            "spent_on": datetime.date(2025, 2, 1),
            "category": "commissioner",
            "supplier": "Digbeth Print",
            "amount_gbp": Decimal("1000"),
            "note": "",
        },
        actor=staff_user,
    )
    client.force_login(staff_user)
    url = reverse("funding:spend-update", args=[entry.pk])
    page = text(client.get(url))
    assert 'value="Digbeth Print"' in page and 'value="1000.00"' in page and 'value="2025"' in page
    response = client.post(url, spend_form(supplier="Digbeth Print", amount_gbp="1200", spent_on_day="1", note=""))
    detail = reverse("funding:spend-detail", args=[entry.pk])
    assert response.status_code == 303 and response["Location"] == detail
    page = text(client.get(detail))
    assert "Saved the changes: £1,200.00 to Digbeth Print" in page
    assert "Amount from £1,000.00 to £1,200.00" in page and "Date from 1 February 2025 to 1 March 2025" in page
    assert "Recorded" in page and no_none(page)


def test_staff_remove_spend_after_confirming(client, staff_user):
    entry = SpendEntryFactory(supplier="Twice Ltd")
    client.force_login(staff_user)
    url = reverse("funding:spend-remove", args=[entry.pk])
    assert "Remove £1,000.00 to Twice Ltd?" in text(client.get(url))
    response = client.post(url)
    assert response.status_code == 303 and response["Location"] == SPEND
    assert "Removed £1,000.00 to Twice Ltd." in text(client.get(SPEND))
    assert not SpendEntry.objects.exists()
    assert client.get(reverse("funding:spend-detail", args=[entry.pk])).status_code == 404


# The plan ---------------------------------------------------------------------------------------


def test_staff_change_the_plan_with_every_problem_named_at_once(client, staff_user):
    BudgetLineFactory(category="events", year=2025, quarter=1, planned_gbp=Decimal("500"))
    SpendEntryFactory(category="events", amount_gbp=Decimal("75"))
    client.force_login(staff_user)
    page = text(client.get(PLAN))
    assert 'name="events_2025_q1"' in page and 'value="500.00"' in page
    assert page.count('class="govuk-input govuk-input--width-10"') == 7 * 8
    response = client.post(PLAN, {"events_2025_q1": "", "commissioner_2025_q1": "ten", "data_2026_q4": "-4"})
    assert response.status_code == 400
    for message in [
        "Events and communications has £75.00 of spend recorded: keep at least one plan line for it",
        "Enter the amount planned for The Tech Commissioner, 2025 Q1 in pounds, like 4000 or 4000.50",
        "The amount planned for Data and the portal, 2026 Q4 must be more than £0",
    ]:
        assert message in summary(response), message
    assert BudgetLine.objects.get().planned_gbp == Decimal("500.00")

    response = client.post(PLAN, {"events_2025_q1": "600", "commissioner_2025_q1": "£8,000", "data_2026_q4": ""})
    assert response.status_code == 303 and response["Location"] == OVERVIEW
    assert "Saved the plan: 1 lines added, 1 changed, 0 removed." in text(client.get(OVERVIEW))
    assert {(line.category, line.planned_gbp) for line in BudgetLine.objects.all()} == {
        ("events", Decimal("600.00")),
        ("commissioner", Decimal("8000.00")),
    }
    client.post(PLAN, {"events_2025_q1": "600", "commissioner_2025_q1": "8000"})
    assert "The plan was already as you sent it: nothing changed." in text(client.get(OVERVIEW))


def test_the_overview_warns_of_each_overspent_line_and_category(client, staff_user):
    BudgetLineFactory(category="events", year=2025, quarter=1, planned_gbp=Decimal("100"))
    BudgetLineFactory(category="commissioner", year=2025, quarter=2, planned_gbp=Decimal("5000"))
    SpendEntryFactory(category="events", spent_on=datetime.date(2025, 2, 1), amount_gbp=Decimal("130"))
    SpendEntryFactory(category="commissioner", spent_on=datetime.date(2025, 1, 9), amount_gbp=Decimal("40"))
    client.force_login(staff_user)
    page = text(client.get(OVERVIEW))
    warning = page.split('id="budget-warning"')[1].split("</div>\n    </div>")[0]
    assert "1 category is over its whole budget" in warning
    assert "Events and communications: £130.00 spent of £100.00, £30.00 over" in warning
    assert "2 quarterly lines spent more than planned" in warning
    assert "The Tech Commissioner, 2025 Q1: £40.00 spent of £0.00, £40.00 over" in warning


def test_no_warning_while_spend_is_within_plan(client, staff_user):
    BudgetLineFactory(planned_gbp=Decimal("100"))
    SpendEntryFactory(amount_gbp=Decimal("100"))
    client.force_login(staff_user)
    assert 'id="budget-warning"' not in text(client.get(OVERVIEW))


# The spend list ----------------------------------------------------------------------------------


def test_the_spend_list_filters_by_category_quarter_and_words(client, staff_user):
    SpendEntryFactory(supplier="Canalside Events", category="events", spent_on=datetime.date(2025, 5, 5))
    SpendEntryFactory(
        supplier="Moor Street Print", category="events", spent_on=datetime.date(2025, 2, 5), note="flyers"
    )
    SpendEntryFactory(supplier="Commissioner fees", category="commissioner", amount_gbp=Decimal("2000"))
    client.force_login(staff_user)
    page = text(client.get(SPEND))
    assert "3 entries, £4,000.00 in all." in page
    page = text(client.get(SPEND, {"category": "events", "quarter": "2025-Q1"}))
    assert "Moor Street Print" in page and "Canalside" not in page and "Commissioner fees" not in page
    assert "1 entry matches, £1,000.00 in all." in page
    assert "Moor Street" in text(client.get(SPEND, {"q": "FLYERS"}))
    response = client.get(SPEND, {"category": "atlantis", "quarter": "2031-Q9"})
    assert response.status_code == 400
    assert "Choose a category from the list" in summary(response) and "Choose a quarter from the list" in summary(
        response
    )


@pytest.mark.parametrize("url", [SPEND, OVERVIEW, PUBLIC])
def test_budget_pages_run_the_same_queries_for_few_and_many_entries(client, staff_user, count_queries, url):
    client.force_login(staff_user)
    BudgetLineFactory()
    SpendEntryFactory.create_batch(2)
    client.get(url)
    counts = []
    for extra in (0, 60):
        SpendEntryFactory.create_batch(extra, category="commissioner")
        caches[page_cache.CACHE_ALIAS].clear()  # measure the page built, not served from the cache
        with count_queries() as queries:
            assert client.get(url).status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


def test_cached_budget_pages_show_new_spend_at_once(client, staff_user):
    BudgetLineFactory(planned_gbp=Decimal("5000"))
    client.get(PUBLIC)  # cached
    services.spend_record(
        data={
            "spent_on": datetime.date(2025, 1, 20),
            "category": "commissioner",
            "supplier": "A",
            "amount_gbp": Decimal("2500"),
            "note": "",
        },
        actor=staff_user,
    )
    page = text(client.get(PUBLIC))
    assert "£2,500.00 (50.0% of the budget)" in page
