"""Suggestions in the staff opportunity form: the funder is named in a text input whose datalist
staff fill as they type, from ten matches at most, so the form does not grow with the registry.
A suggestion, picked and sent, names the funder the opportunity is published for."""

import html
import re

import pytest
from django.urls import reverse

from funding.models import Opportunity
from portal.models import Organisation
from tests.funding.factories import FunderFactory, OpportunityFactory
from tests.portal.factories import OrganisationFactory
from tests.suggestions import options

from .test_staff_views import CREATE, form_data

pytestmark = pytest.mark.django_db

FUNDERS = reverse("funding:opportunity-suggest-funders")


def field_error(response) -> str:
    """The funder field's error message, as the page shows it."""
    found = re.search(r'<p id="id_funder_error" class="govuk-error-message">(.*?)</p>', response.content.decode(), re.S)
    assert found, "the funder field shows no error"
    return html.unescape(" ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()))


def test_funders_are_suggested_by_the_start_of_their_name_or_of_a_word_in_it(staff_client):
    FunderFactory(name="Canal Capital")
    FunderFactory(name="Grand Canal Angels", company_number="07654321")
    FunderFactory(name="Arcanal Fund")  # "canal" inside a word
    OrganisationFactory(name="Canal Robotics Ltd")  # a firm

    found = options(staff_client.get(FUNDERS, {"q": "canal"}))

    # The names that start with it first, then those with a word that does; one with a number is
    # suggested by the number, named beside it.
    assert found == [("Canal Capital", "Funder"), ("07654321", "Grand Canal Angels, funder")]


def test_funders_are_suggested_by_the_start_of_their_companies_house_number(staff_client):
    FunderFactory(name="Canal Capital", company_number="01234567")
    FunderFactory(name="Other Capital", company_number="01299999")
    OrganisationFactory(name="Canal Robotics Ltd", company_number="01234999")  # a firm

    assert options(staff_client.get(FUNDERS, {"q": "0123"})) == [("01234567", "Canal Capital, funder")]


def test_funders_partners_and_public_bodies_are_suggested_not_firms_or_workspace_providers(staff_client):
    FunderFactory(name="Midlands Angel Network")
    OrganisationFactory(name="Midlands Combined Authority", kind=Organisation.Kind.PUBLIC_BODY, company_number="")
    OrganisationFactory(name="Midlands University", kind=Organisation.Kind.PARTNER, company_number="")
    OrganisationFactory(name="Midlands Desks", kind=Organisation.Kind.WORKSPACE_PROVIDER, company_number="")
    OrganisationFactory(name="Midlands Robotics Ltd")  # a firm

    found = options(staff_client.get(FUNDERS, {"q": "Midlands"}))

    assert found == [
        ("Midlands Angel Network", "Funder"),
        ("Midlands Combined Authority", "Public body"),
        ("Midlands University", "Partner"),
    ]


def test_htmx_sends_the_text_under_the_fields_own_name(staff_client):
    FunderFactory(name="Rhine Industrial Ventures")
    found = options(staff_client.get(FUNDERS, {"funder": "rhine"}, headers={"HX-Request": "true"}))
    assert found == [("Rhine Industrial Ventures", "Funder")]


def test_one_letter_suggests_nothing_and_at_most_ten_are_suggested(staff_client):
    for number in range(15):
        FunderFactory(name=f"Anchor Fund {number:02d}")
    assert options(staff_client.get(FUNDERS, {"q": "A"})) == []
    assert options(staff_client.get(FUNDERS, {"q": "  "})) == []
    found = options(staff_client.get(FUNDERS, {"q": "an"}))
    assert [value for value, _ in found] == [f"Anchor Fund {number:02d}" for number in range(10)]


def test_markup_in_a_name_is_inert_in_the_suggestions(staff_client):
    FunderFactory(name='Bad <script>alert(1)</script> "Fund"')
    body = staff_client.get(FUNDERS, {"q": "bad"}).content.decode()
    assert "<script>" not in body
    assert "&lt;script&gt;" in body and "&quot;Fund&quot;" in body


def test_suggestions_take_the_same_queries_whatever_the_registry_holds(staff_client, count_queries):
    FunderFactory.create_batch(3, name="Canal Fund")
    staff_client.get(FUNDERS, {"q": "canal"})  # the session and the user are read once per request
    with count_queries() as few:
        assert len(options(staff_client.get(FUNDERS, {"q": "canal"}))) == 3
    FunderFactory.create_batch(30, name="Grand Canal Fund")
    with count_queries() as many:
        assert len(options(staff_client.get(FUNDERS, {"q": "canal"}))) == 10
    assert many.count == few.count
    # The names that start with it, then those with a later word that does.
    assert sum("portal_organisation" in query["sql"] for query in many.captured_queries) == 2


def test_the_form_carries_no_list_of_funders(staff_client):
    funders = FunderFactory.create_batch(25)
    opportunity = OpportunityFactory(funder=funders[0])
    created = staff_client.get(CREATE).content.decode()
    assert not any(funder.name in created for funder in funders)
    assert 'name="funder" type="text" value=""' in created and 'id="id_funder" name="funder">' not in created
    assert f'hx-get="{FUNDERS}"' in created and 'list="id_funder_suggestions"' in created
    # A stored opportunity's page names its own funder only.
    changed = staff_client.get(reverse("funding:opportunity-update", args=[opportunity.pk])).content.decode()
    assert [funder.name for funder in funders if funder.name in changed] == [funders[0].name]


def test_a_picked_suggestion_publishes_the_opportunity_for_that_funder(staff_client):
    funder = FunderFactory(name="Canal Capital", company_number="01234567")
    OrganisationFactory(name="Canal Capital Ltd", company_number="07777777")  # a firm of a like name
    value = options(staff_client.get(FUNDERS, {"q": "Canal Cap"}))[0][0]
    assert value == "01234567"

    response = staff_client.post(CREATE, form_data(funder) | {"funder": value})

    assert response.status_code == 302
    assert Opportunity.objects.get().funder == funder


def test_a_funder_is_found_by_its_name_whatever_its_case(staff_client):
    funder = FunderFactory(name="Black Country Makers Trust")
    OrganisationFactory(name="Black Country Makers Trust")  # a firm of the same name: not a funder
    response = staff_client.post(CREATE, form_data(funder) | {"funder": "  black country makers TRUST "})
    assert response.status_code == 302
    assert Opportunity.objects.get().funder == funder


def test_a_changed_opportunity_keeps_its_funder_as_the_form_names_it(staff_client):
    funder = FunderFactory(name="Canal Capital", company_number="01234567")
    opportunity = OpportunityFactory(funder=funder, title="Before")
    url = reverse("funding:opportunity-update", args=[opportunity.pk])
    assert 'name="funder" type="text" value="01234567"' in staff_client.get(url).content.decode()
    assert staff_client.post(url, form_data(funder, title="After")).status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.funder, opportunity.title) == (funder, "After")


def test_a_changed_opportunity_keeps_a_funder_whose_name_another_shares(staff_client):
    funder = FunderFactory(name="Midlands Angels")  # no Companies House number: named by its name
    FunderFactory(name="Midlands Angels")
    opportunity = OpportunityFactory(funder=funder, title="Before")
    url = reverse("funding:opportunity-update", args=[opportunity.pk])

    assert staff_client.post(url, form_data(funder, title="After")).status_code == 302

    opportunity.refresh_from_db()
    assert (opportunity.funder, opportunity.title) == (funder, "After")


def test_a_name_several_funders_share_is_a_field_error_and_nothing_is_stored(staff_client):
    funder = FunderFactory(name="Midlands Angels")
    FunderFactory(name="Midlands Angels")

    response = staff_client.post(CREATE, form_data(funder) | {"funder": "Midlands Angels"})

    assert response.status_code == 400
    assert field_error(response) == (
        "Error: 2 organisations are called “Midlands Angels”: give its Companies House number"
    )
    assert 'name="funder" type="text" value="Midlands Angels"' in response.content.decode()  # as typed
    assert not Opportunity.objects.exists()


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("Nobody Capital", "No funder, partner or public body called “Nobody Capital” is in the registry"),
        ("09999999", "No funder, partner or public body has the Companies House number 09999999"),
        ("01234567", "Canal Robotics Ltd is a firm, not a funder, partner or public body"),
        ("", "Enter the funder's name or Companies House number"),
    ],
)
def test_an_unknown_funder_or_an_organisation_of_another_kind_is_a_field_error(staff_client, typed, problem):
    OrganisationFactory(name="Canal Robotics Ltd", company_number="01234567")
    response = staff_client.post(CREATE, form_data(FunderFactory(), title="") | {"funder": typed})
    assert response.status_code == 400
    assert field_error(response) == f"Error: {problem}"
    assert "Enter the title" in response.content.decode()  # every error at once
    assert not Opportunity.objects.exists()
