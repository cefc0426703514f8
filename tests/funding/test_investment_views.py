"""The investment register's staff pages: refused to other roles (403) and to the signed-out
(sign-in), a missing deal or another person's upload is a 404, every error at once with a 400,
post/redirect/get, investors as a formset that adds rows without JavaScript, the history, the
duplicates, the CSV download, and query counts that do not grow with the register."""

import datetime

import pytest
from django.core.cache import caches
from django.urls import reverse

from funding.models import Investment, InvestmentInvestor
from portal.models import Organisation
from portal.page_cache import CACHE_ALIAS, data_version_bump
from tests.funding.factories import InvestmentFactory, InvestorFactory, OpportunityFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("funding:investment-list")
CREATE = reverse("funding:investment-create")
DUPLICATES = reverse("funding:investment-duplicates")
EXPORT = reverse("funding:investment-export")


def detail(investment) -> str:
    return reverse("funding:investment-detail", args=[investment.pk])


def form_data(firm, investors=(), /, **changes) -> dict:
    """The deal form as a browser posts it, with one row per ``(name, country, lead)`` investor
    and one empty row."""
    data = {
        "firm": firm.company_number,
        "kind": "equity",
        "stage": "seed",
        "amount_gbp": "£750,000",
        "announced_on_day": "31",
        "announced_on_month": "3",
        "announced_on_year": "2025",
        "opportunity": "",
        "title": "Seed round",
        "source": "https://news.example/seed",
        "investors-TOTAL_FORMS": str(len(investors) + 1),
        "investors-INITIAL_FORMS": "0",
        "investors-MIN_NUM_FORMS": "0",
        "investors-MAX_NUM_FORMS": "1000",
    }
    for index, (name, country, lead, *new) in enumerate([*investors, ("", "GB", False)]):
        data[f"investors-{index}-investor"] = name
        data[f"investors-{index}-country"] = country
        if lead:
            data[f"investors-{index}-is_lead"] = "true"
        if new:
            data[f"investors-{index}-new_investor"] = "true"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def staff_urls(investment) -> list[str]:
    return [
        LIST,
        CREATE,
        DUPLICATES,
        EXPORT,
        detail(investment),
        reverse("funding:investment-update", args=[investment.pk]),
        reverse("funding:investment-delete", args=[investment.pk]),
        reverse("funding:investment-import"),
        reverse("funding:investment-import-template"),
        reverse("funding:investment-import-preview", args=[1]),
        reverse("funding:investment-suggest-firms") + "?q=Canal",
        reverse("funding:investment-suggest-investors") + "?q=Rhine",
    ]


@pytest.mark.parametrize("role", ["founder_user", "reviewer_user", "ambassador_user"])
def test_the_register_is_refused_to_other_roles(client, request, role):
    investment = InvestmentFactory()
    client.force_login(request.getfixturevalue(role))
    for url in staff_urls(investment):
        assert client.get(url).status_code == 403, url
    for name in ("investment-verify", "investment-not-duplicate", "investment-delete"):
        assert client.post(reverse(f"funding:{name}", args=[investment.pk])).status_code == 403, name
    assert client.post(CREATE, form_data(OrganisationFactory())).status_code == 403
    assert Investment.objects.get().verified_at is None


def test_the_register_sends_the_signed_out_to_sign_in(client):
    investment = InvestmentFactory()
    for url in staff_urls(investment):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_a_missing_deal_is_404_on_every_page(client, staff_user):
    client.force_login(staff_user)
    for name in ("investment-detail", "investment-update", "investment-delete"):
        assert client.get(reverse(f"funding:{name}", args=[987654])).status_code == 404
    for name in ("investment-verify", "investment-not-duplicate", "investment-delete"):
        assert client.post(reverse(f"funding:{name}", args=[987654])).status_code == 404


def test_staff_record_a_deal_then_see_it_with_its_history(client, staff_user):
    firm = OrganisationFactory(name="Canal Robotics Ltd", company_number="01234567")
    lead = InvestorFactory(name="Atlantic Bridge Ventures")
    client.force_login(staff_user)
    assert client.get(CREATE).status_code == 200
    response = client.post(
        CREATE,
        form_data(firm, [("Atlantic Bridge Ventures", "US", True), ("Brand New Angels", "GB", False, "new")]),
    )
    investment = Investment.objects.get()
    assert response.status_code == 303 and response["Location"] == detail(investment)
    assert (investment.firm, investment.amount_gbp, investment.origin) == (firm, 750_000, "staff")
    assert investment.investor_rows.get(is_lead=True).investor == lead
    assert Organisation.objects.get(name="Brand New Angels").kind == "funder"
    page = client.get(response["Location"]).content.decode()
    assert "Recorded the equity round into Canal Robotics Ltd." in page
    assert "Atlantic Bridge Ventures (United States of America): international" in page
    assert "Recorded (entered by staff)" in page and "Investor added: Brand New Angels (United Kingdom)" in page
    assert ">None<" not in page and "None" not in page.split("<main")[1]
    assert "Canal Robotics Ltd" in client.get(LIST).content.decode()


def test_the_form_reports_every_error_at_once_with_a_400(client, staff_user):
    OrganisationFactory(name="Twin Ltd", company_number="")
    OrganisationFactory(name="Twin Ltd", company_number="")
    client.force_login(staff_user)
    response = client.post(
        CREATE,
        form_data(
            OrganisationFactory(),
            [("Nobody Capital", "US", True), ("Twin Ltd", "GB", True)],
            firm="SC999999",
            kind="grant",
            amount_gbp="12.50",
            announced_on_day="31",
            announced_on_month="2",
            source="",
        ),
    )
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    summary = page.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    for message in [
        "No firm has the Companies House number SC999999",
        "Only equity rounds have a stage: leave it empty for a grant",
        "Enter the amount as a whole number of pounds",
        "Date must be a real date",
        "Say where the figure comes from",
        "Investor 1: No organisation called “Nobody Capital” is in the registry: check the spelling, or tick",
        "Investor 2: 2 organisations are called “Twin Ltd”: give its Companies House number",
    ]:
        assert message in summary, message
    assert 'href="#id_investors-0-investor"' in summary and 'href="#id_announced_on_day"' in summary
    assert response.content.decode().count("<title>Error: ") == 1
    assert not Investment.objects.exists()


def test_rules_across_investors_are_reported_with_the_deal_errors(client, staff_user):
    a, b = InvestorFactory(name="Alpha Fund"), InvestorFactory(name="Beta Fund")
    client.force_login(staff_user)
    response = client.post(
        CREATE,
        form_data(OrganisationFactory(), [("Alpha Fund", "GB", True), ("Beta Fund", "US", True)], undisclosed="true"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Only one investor can be the lead: Alpha Fund, Beta Fund are all marked as the lead" in page
    assert "Either enter the amount or say it was not disclosed, not both" in page
    assert a.pk and b.pk and not Investment.objects.exists()


def test_add_another_investor_works_without_javascript_and_saves_nothing(client, staff_user):
    firm = OrganisationFactory()
    InvestorFactory(name="Alpha Fund")
    client.force_login(staff_user)
    data = form_data(firm, [("Alpha Fund", "FR", True)], add_investor="1", amount_gbp="oops")
    response = client.post(CREATE, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="investors-TOTAL_FORMS" value="2"' in page  # the typed row and a new one
    assert 'value="Alpha Fund"' in page and 'id="id_investors-1-investor"' in page
    assert "autofocus" in page.split('id="id_investors-1-investor"')[1].split(">")[0]
    assert 'value="oops"' in page and "There is a problem" not in page  # nothing checked yet
    assert not Investment.objects.exists()


def test_staff_change_a_deal_and_its_verification_goes(client, staff_user):
    investment = InvestmentFactory(verified=True, lead=(InvestorFactory(name="Alpha Fund"), "GB"))
    url = reverse("funding:investment-update", args=[investment.pk])
    client.force_login(staff_user)
    page = client.get(url).content.decode()
    assert f'value="{investment.firm.company_number}"' in page and 'value="Alpha Fund"' in page
    response = client.post(
        url, form_data(investment.firm, [("Alpha Fund", "DE", True)], amount_gbp="", undisclosed="true")
    )
    assert response.status_code == 303
    investment.refresh_from_db()
    assert investment.amount_gbp is None and investment.verified_at is None
    assert investment.investor_rows.get().country.code == "DE"
    page = client.get(detail(investment)).content.decode()
    assert "Amount: £250,000 to not disclosed" in page and "No longer verified" in page


def test_verify_and_clear_the_flag_by_post_then_redirect(client, staff_user):
    original = InvestmentFactory()
    copy = InvestmentFactory(firm=original.firm, possible_duplicate_of=original)
    client.force_login(staff_user)
    assert "Possible duplicates (1)" in client.get(LIST).content.decode()
    assert f"#{copy.pk}: {copy.firm.name}" in client.get(DUPLICATES).content.decode()
    # Verifying a flagged deal is refused with the reason; clearing the flag lets it through.
    response = client.post(reverse("funding:investment-verify", args=[copy.pk]), follow=True)
    assert "may be a duplicate of investment" in response.content.decode()
    response = client.post(reverse("funding:investment-not-duplicate", args=[copy.pk]))
    assert response.status_code == 303 and response["Location"] == detail(copy)
    response = client.post(reverse("funding:investment-verify", args=[copy.pk]))
    assert response.status_code == 303
    copy.refresh_from_db()
    assert copy.possible_duplicate_of is None and copy.verified_by == staff_user
    assert "No investment is flagged" in client.get(DUPLICATES).content.decode()
    history = client.get(detail(copy)).content.decode()
    assert "Possible-duplicate flag cleared" in history and "Verified" in history


def test_staff_delete_after_confirming(client, staff_user):
    investment = InvestmentFactory(lead=(InvestorFactory(), "GB"))
    url = reverse("funding:investment-delete", args=[investment.pk])
    client.force_login(staff_user)
    assert f"Delete investment #{investment.pk}?" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 303 and response["Location"] == LIST
    assert not Investment.objects.exists() and not InvestmentInvestor.objects.exists()
    assert client.get(url).status_code == 404


def test_the_filters_combine_and_a_bad_one_is_a_400(client, staff_user):
    firm = OrganisationFactory(name="Canal Robotics Ltd")
    InvestmentFactory(firm=firm, announced_on=datetime.date(2024, 2, 1), lead=(InvestorFactory(), "US"))
    InvestmentFactory(firm=firm, announced_on=datetime.date(2023, 2, 1), lead=(InvestorFactory(), "GB"))
    InvestmentFactory(grant=True, announced_on=datetime.date(2024, 3, 1), verified=True)
    client.force_login(staff_user)

    def firms(**query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        return response.content.decode().count('data-label="Firm"')

    assert firms() == 3
    assert firms(year="2024") == 2
    assert firms(year="2024", lead="international", q="robotics") == 1
    assert firms(lead="domestic") == 1 and firms(lead="unknown") == 1
    assert firms(verified="true") == 1 and firms(kind=["equity"], verified="false") == 2
    assert firms(firm=str(firm.pk)) == 2
    response = client.get(LIST, {"year": "twenty", "lead": "moon"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter the year as four digits, like 2025" in page and "Choose domestic, international or no lead" in page


def test_the_csv_download_escapes_formula_cells_and_round_trips_the_columns(client, staff_user):
    firm = OrganisationFactory(name="=cmd|' /C calc'!A0", company_number="")
    InvestmentFactory(
        firm=firm, title="+44 fund", source="@source", lead=(InvestorFactory(name="-Minus Capital"), "US")
    )
    client.force_login(staff_user)
    response = client.get(EXPORT, {"kind": "equity"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    header, row = text.splitlines()[:2]
    assert header.startswith("id,firm,kind,stage,amount_gbp,date,lead_investor,lead_investor_country")
    assert "'=cmd|' /C calc'!A0" in row and "'+44 fund" in row and "'@source" in row and "'-Minus Capital" in row
    assert client.get(EXPORT, {"year": "x"}).status_code == 400


def bulk_investments(n: int) -> None:
    """``n`` deals with two investors each, a few flagged and verified, in a few statements."""
    firms = OrganisationFactory.create_batch(3)
    investors = [InvestorFactory(), InvestorFactory()]
    opportunity = OpportunityFactory()
    start = Investment.objects.count()
    made = Investment.objects.bulk_create(
        Investment(
            firm=firms[i % 3],
            kind=Investment.Kind.EQUITY if i % 2 else Investment.Kind.GRANT,
            stage=Investment.Stage.SEED if i % 2 else "",
            amount_gbp=None if i % 5 == 0 else 1000 + i,
            announced_on=datetime.date(2020 + i % 5, 1 + i % 12, 1),
            opportunity=opportunity if i % 7 == 0 else None,
            source=f"https://news.example/bulk/{start + i}",
        )
        for i in range(n)
    )
    InvestmentInvestor.objects.bulk_create(
        InvestmentInvestor(investment=investment, investor=investor, is_lead=j == 0, country="US" if j else "GB")
        for investment in made
        for j, investor in enumerate(investors)
    )
    Investment.objects.filter(pk__in=[m.pk for m in made[1::10]]).update(possible_duplicate_of=made[0])
    data_version_bump("investments")


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        f"{LIST}?q=firm&kind=equity&year=2021&lead=domestic&verified=false&ordering=-amount_gbp",
        f"{LIST}?flagged=true&page=2",
        DUPLICATES,
    ],
)
def test_the_register_runs_the_same_queries_for_10_and_10000_rows(client, staff_user, count_queries, url):
    client.force_login(staff_user)
    bulk_investments(10)
    client.get(url)  # warm caches (sessions, content types)
    caches[CACHE_ALIAS].clear()
    with count_queries() as small:
        assert client.get(url).status_code == 200
    bulk_investments(9_990)
    caches[CACHE_ALIAS].clear()
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.count == small.count, [q["sql"] for q in large.captured_queries]


def test_a_deal_page_runs_the_same_queries_whatever_its_history(client, staff_user, count_queries):
    investment = InvestmentFactory(lead=(InvestorFactory(), "GB"))
    client.force_login(staff_user)
    client.get(detail(investment))
    with count_queries() as short:
        client.get(detail(investment))
    for amount in range(1, 20):
        Investment.objects.get(pk=investment.pk).save()  # a history row each
        InvestmentInvestor.objects.filter(investment=investment).first().save()
        investment.amount_gbp = amount
    with count_queries() as long:
        client.get(detail(investment))
    assert long.count == short.count


def test_the_cached_register_shows_every_write_at_once(client, staff_user):
    investment = InvestmentFactory(title="")
    client.force_login(staff_user)
    tag = 'govuk-tag--grey">Not verified<'
    assert tag in client.get(LIST).content.decode()  # cached now
    assert client.post(reverse("funding:investment-verify", args=[investment.pk])).status_code == 303
    page = client.get(LIST).content.decode()
    assert tag not in page and 'govuk-tag--green">Verified<' in page
    investment.firm.name = "Renamed Robotics Ltd"
    investment.firm.save()
    data_version_bump("organisations")  # as the registry's services do
    assert "Renamed Robotics Ltd" in client.get(LIST).content.decode()
