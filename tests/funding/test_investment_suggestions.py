"""Suggestions in the deal form: the firm and investor fields are text inputs whose datalists
staff fill as they type, from ten matches at most, so the form does not grow with the registry.
A suggestion, picked and sent, names the organisation the form records."""

import pytest
from django.urls import reverse

from funding.models import Investment
from portal.models import Organisation
from tests.funding.factories import InvestmentFactory, InvestorFactory
from tests.portal.factories import OrganisationFactory
from tests.suggestions import options

from .test_investment_views import CREATE, form_data

pytestmark = pytest.mark.django_db

FIRMS = reverse("funding:investment-suggest-firms")
INVESTORS = reverse("funding:investment-suggest-investors")


def test_firms_are_suggested_by_the_start_of_their_name_or_of_a_word_in_it(staff_client):
    OrganisationFactory(name="Canal Robotics Ltd", company_number="01234567")
    OrganisationFactory(name="Grand Canal Data Ltd", company_number="07654321")
    OrganisationFactory(name="Canalside Cafe", company_number="")
    OrganisationFactory(name="Arcanal Ltd", company_number="05555555")  # "canal" inside a word
    InvestorFactory(name="Canal Capital")  # a funder, not a firm

    found = options(staff_client.get(FIRMS, {"q": "canal"}))

    # The names that start with it first, then those with a word that does; a firm without a
    # number is suggested by its name, one with a number by the number, named beside it.
    assert found == [
        ("01234567", "Canal Robotics Ltd, firm"),
        ("Canalside Cafe", "Firm"),
        ("07654321", "Grand Canal Data Ltd, firm"),
    ]


def test_firms_are_suggested_by_the_start_of_their_companies_house_number(staff_client):
    OrganisationFactory(name="Canal Robotics Ltd", company_number="01234567")
    OrganisationFactory(name="Other Ltd", company_number="01299999")
    OrganisationFactory(name="Scottish Ltd", company_number="SC123456")

    assert [value for value, _ in options(staff_client.get(FIRMS, {"q": "0123"}))] == ["01234567"]
    assert [value for value, _ in options(staff_client.get(FIRMS, {"q": "sc 12"}))] == ["SC123456"]


def test_htmx_sends_the_text_under_the_fields_own_name(staff_client):
    InvestorFactory(name="Rhine Industrial Ventures")
    found = options(staff_client.get(INVESTORS, {"investors-3-investor": "rhine"}, headers={"HX-Request": "true"}))
    assert found == [("Rhine Industrial Ventures", "Funder")]


def test_investors_are_funders_partners_and_public_bodies_not_firms(staff_client):
    InvestorFactory(name="Midlands Angel Network")
    OrganisationFactory(name="Midlands Combined Authority", kind=Organisation.Kind.PUBLIC_BODY, company_number="")
    OrganisationFactory(name="Midlands Robotics Ltd")  # a firm

    found = options(staff_client.get(INVESTORS, {"q": "Midlands"}))

    assert found == [("Midlands Angel Network", "Funder"), ("Midlands Combined Authority", "Public body")]


def test_one_letter_suggests_nothing_and_at_most_ten_are_suggested(staff_client):
    for number in range(15):
        InvestorFactory(name=f"Anchor Fund {number:02d}")
    assert options(staff_client.get(INVESTORS, {"q": "A"})) == []
    assert options(staff_client.get(INVESTORS, {"q": "  "})) == []
    found = options(staff_client.get(INVESTORS, {"q": "an"}))
    assert [value for value, _ in found] == [f"Anchor Fund {number:02d}" for number in range(10)]


def test_markup_in_a_name_is_inert_in_the_suggestions(staff_client):
    InvestorFactory(name='Bad <script>alert(1)</script> "Fund"')
    body = staff_client.get(INVESTORS, {"q": "bad"}).content.decode()
    assert "<script>" not in body
    assert "&lt;script&gt;" in body and "&quot;Fund&quot;" in body


def test_suggestions_take_the_same_queries_whatever_the_registry_holds(staff_client, count_queries):
    OrganisationFactory.create_batch(3, name="Canal Works")
    staff_client.get(FIRMS, {"q": "canal"})  # the session and the user are read once per request
    with count_queries() as few:
        assert len(options(staff_client.get(FIRMS, {"q": "canal"}))) == 3
    OrganisationFactory.create_batch(300, name="Grand Canal Works")
    with count_queries() as many:
        assert len(options(staff_client.get(FIRMS, {"q": "canal"}))) == 10
    assert many.count == few.count


def test_the_form_carries_no_list_of_organisations(staff_client):
    funders = InvestorFactory.create_batch(25)
    body = staff_client.get(CREATE).content.decode()
    assert not any(funder.name in body for funder in funders)
    assert f'hx-get="{FIRMS}"' in body and f'hx-get="{INVESTORS}"' in body
    assert 'list="id_investors-0-investor_suggestions"' in body


def test_a_picked_suggestion_records_the_deal_into_that_firm_with_that_investor(staff_client):
    firm = OrganisationFactory(name="Canal Robotics Ltd", company_number="01234567")
    OrganisationFactory(name="Canal Robotics Ltd", company_number="09999999")  # the same name
    investor = InvestorFactory(name="Rhine Industrial Ventures")
    firm_value = options(staff_client.get(FIRMS, {"q": "Canal Robotics"}))[0][0]
    investor_value = options(staff_client.get(INVESTORS, {"q": "Rhine"}))[0][0]

    response = staff_client.post(CREATE, form_data(firm, [(investor_value, "DE", True)], firm=firm_value))

    assert response.status_code == 303
    investment = Investment.objects.get()
    assert investment.firm == firm
    assert [row.investor for row in investment.investor_rows.all()] == [investor]


def test_a_changed_deal_keeps_a_firm_and_an_investor_whose_names_others_share(staff_client):
    firm = OrganisationFactory(name="Canal Works", company_number="")
    OrganisationFactory(name="Canal Works", company_number="")
    investor = InvestorFactory(name="Midlands Angels")
    InvestorFactory(name="Midlands Angels")
    investment = InvestmentFactory(firm=firm, lead=(investor, "GB"), title="Before")
    url = reverse("funding:investment-update", args=[investment.pk])

    response = staff_client.post(
        url, form_data(firm, [("Midlands Angels", "GB", True)], firm="Canal Works", title="After")
    )

    assert response.status_code == 303
    investment.refresh_from_db()
    assert (investment.firm, investment.title) == (firm, "After")
    assert [row.investor for row in investment.investor_rows.all()] == [investor]
    # Recording a new deal, the shared name still asks which one.
    response = staff_client.post(CREATE, form_data(firm, firm="Canal Works"))
    assert response.status_code == 400
    assert "2 organisations are called “Canal Works”" in response.content.decode()
