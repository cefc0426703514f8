"""Suggestions in the credential form: the partner organisation is named in a text input whose
datalist staff fill as they type, from ten matches at most, so the page does not grow with the
registry. A suggestion, picked and sent, names the organisation the credential is issued to."""

import html
import re

import pytest
from django.urls import reverse

from portal.models import Organisation, PartnerCredential
from tests.portal.factories import OrganisationFactory
from tests.suggestions import options

pytestmark = pytest.mark.django_db

CREDENTIALS = reverse("portal:credential-list")
ORGANISATIONS = reverse("portal:credential-suggest-organisations")


def field_error(response) -> str:
    """The organisation field's error message, as the page shows it."""
    found = re.search(
        r'<p id="id_organisation_error" class="govuk-error-message">(.*?)</p>', response.content.decode(), re.S
    )
    assert found, "the organisation field shows no error"
    return html.unescape(" ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()))


def partner(name: str, kind: str = Organisation.Kind.PARTNER, number: str = "") -> Organisation:
    return OrganisationFactory(name=name, kind=kind, company_number=number, sector="", is_tech=False)


def test_organisations_are_suggested_by_the_start_of_their_name_or_of_a_word_in_it(staff_client):
    partner("Coventry University")
    partner("Greater Coventry Chamber", number="07654321")
    partner("Uncoventry Ltd")  # "coventry" inside a word
    OrganisationFactory(name="Coventry Robotics Ltd")  # a firm

    found = options(staff_client.get(ORGANISATIONS, {"q": "coventry"}))

    # The names that start with it first, then those with a word that does; one with a number is
    # suggested by the number, named beside it.
    assert found == [("Coventry University", "Partner"), ("07654321", "Greater Coventry Chamber, partner")]


def test_organisations_are_suggested_by_the_start_of_their_companies_house_number(staff_client):
    partner("Coventry University", number="RC000123")
    partner("Midlands Angels", kind=Organisation.Kind.FUNDER, number="01234567")
    OrganisationFactory(name="Canal Robotics Ltd", company_number="01234999")  # a firm

    assert options(staff_client.get(ORGANISATIONS, {"q": "0123"})) == [("01234567", "Midlands Angels, funder")]


def test_every_kind_but_a_firm_is_suggested(staff_client):
    partner("Midlands University")
    partner("Midlands Angels", kind=Organisation.Kind.FUNDER)
    partner("Midlands Combined Authority", kind=Organisation.Kind.PUBLIC_BODY)
    partner("Midlands Desks", kind=Organisation.Kind.WORKSPACE_PROVIDER)
    OrganisationFactory(name="Midlands Robotics Ltd")  # a firm

    found = options(staff_client.get(ORGANISATIONS, {"q": "Midlands"}))

    assert found == [
        ("Midlands Angels", "Funder"),
        ("Midlands Combined Authority", "Public body"),
        ("Midlands Desks", "Workspace provider"),
        ("Midlands University", "Partner"),
    ]


def test_htmx_sends_the_text_under_the_fields_own_name(staff_client):
    partner("Birmingham Tech")
    found = options(staff_client.get(ORGANISATIONS, {"organisation": "birm"}, headers={"HX-Request": "true"}))
    assert found == [("Birmingham Tech", "Partner")]


def test_one_letter_suggests_nothing_and_at_most_ten_are_suggested(staff_client):
    for number in range(15):
        partner(f"Anchor Partner {number:02d}")
    assert options(staff_client.get(ORGANISATIONS, {"q": "A"})) == []
    assert options(staff_client.get(ORGANISATIONS, {"q": "  "})) == []
    found = options(staff_client.get(ORGANISATIONS, {"q": "an"}))
    assert [value for value, _ in found] == [f"Anchor Partner {number:02d}" for number in range(10)]


def test_markup_in_a_name_is_inert_in_the_suggestions(staff_client):
    partner('Bad <script>alert(1)</script> "Partner"')
    body = staff_client.get(ORGANISATIONS, {"q": "bad"}).content.decode()
    assert "<script>" not in body
    assert "&lt;script&gt;" in body and "&quot;Partner&quot;" in body


def test_suggestions_take_the_same_queries_whatever_the_registry_holds(staff_client, count_queries):
    for _ in range(3):
        partner("Canal Partners")
    staff_client.get(ORGANISATIONS, {"q": "canal"})  # the session and the user are read once per request
    with count_queries() as few:
        assert len(options(staff_client.get(ORGANISATIONS, {"q": "canal"}))) == 3
    for _ in range(30):
        partner("Grand Canal Partners")
    with count_queries() as many:
        assert len(options(staff_client.get(ORGANISATIONS, {"q": "canal"}))) == 10
    assert many.count == few.count
    # The names that start with it, then those with a later word that does.
    assert sum("portal_organisation" in query["sql"] for query in many.captured_queries) == 2


def test_the_page_carries_no_list_of_organisations(staff_client):
    partners = [partner(f"Partner {number} of the region") for number in range(25)]
    page = staff_client.get(CREDENTIALS).content.decode()
    assert not any(organisation.name in page for organisation in partners)
    assert 'name="organisation" type="text" value=""' in page
    assert f'hx-get="{ORGANISATIONS}"' in page and 'list="id_organisation_suggestions"' in page


def test_a_picked_suggestion_issues_the_credential_to_that_organisation(staff_client):
    university = partner("Coventry University", number="RC000123")
    OrganisationFactory(name="Coventry University Enterprises Ltd", company_number="RC000999")  # a firm
    value = options(staff_client.get(ORGANISATIONS, {"q": "Coventry Univ"}))[0][0]
    assert value == "RC000123"

    response = staff_client.post(CREDENTIALS, {"organisation": value, "scopes": ["read"]})

    assert response.status_code == 303
    assert PartnerCredential.objects.get().organisation == university


def test_an_organisation_is_found_by_its_name_whatever_its_case(staff_client):
    university = partner("Coventry University")
    OrganisationFactory(name="Coventry University")  # a firm of the same name: credentials are not for firms
    response = staff_client.post(CREDENTIALS, {"organisation": " coventry UNIVERSITY ", "scopes": ["read"]})
    assert response.status_code == 303
    assert PartnerCredential.objects.get().organisation == university


def test_a_name_several_organisations_share_is_a_field_error_and_nothing_is_stored(staff_client):
    partner("Midlands Angels", kind=Organisation.Kind.FUNDER)
    partner("Midlands Angels")

    response = staff_client.post(CREDENTIALS, {"organisation": "Midlands Angels", "scopes": ["read"]})

    assert response.status_code == 400
    assert field_error(response) == (
        "Error: 2 organisations are called “Midlands Angels”: give its Companies House number"
    )
    assert 'name="organisation" type="text" value="Midlands Angels"' in response.content.decode()  # as typed
    assert not PartnerCredential.objects.exists()


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        (
            "Nobody University",
            "No partner, funder, workspace provider or public body called “Nobody University” is in the registry",
        ),
        ("09999999", "No partner, funder, workspace provider or public body has the Companies House number 09999999"),
        ("01234567", "Canal Robotics Ltd is a firm, not a partner, funder, workspace provider or public body"),
        ("", "Enter the partner organisation's name or Companies House number"),
    ],
)
def test_an_unknown_organisation_or_a_firm_is_a_field_error(staff_client, typed, problem):
    OrganisationFactory(name="Canal Robotics Ltd", company_number="01234567")
    response = staff_client.post(CREDENTIALS, {"organisation": typed, "scopes": []})
    assert response.status_code == 400
    assert field_error(response) == f"Error: {problem}"
    assert "Scopes: This field is required." in response.content.decode()  # every error at once
    assert not PartnerCredential.objects.exists()


@pytest.mark.parametrize("role", ["founder_user", "reviewer_user", "ambassador_user"])
def test_suggestions_are_refused_to_other_roles(client, request, role):
    partner("Zephyr Institute")
    client.force_login(request.getfixturevalue(role))
    response = client.get(ORGANISATIONS, {"q": "Zeph"})
    assert response.status_code == 403
    assert "Zephyr Institute" not in response.content.decode()


def test_suggestions_send_the_signed_out_to_sign_in(client):
    partner("Zephyr Institute")
    response = client.get(ORGANISATIONS, {"q": "Zeph"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
