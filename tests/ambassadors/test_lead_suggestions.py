"""The ambassador a lead is credited to, typed in the staff lead forms and the pipeline's filter:
a text field whose datalist staff fill as they type, from ten matches at most, so no page lists
the network. What is typed names one ambassador who has accepted their invitation, by email
address or full name; a shared name, an unknown one and an invited one are field errors."""

import html
import re

import pytest
from django.urls import reverse

from ambassadors.models import Lead
from portal.roles import Role
from tests.conftest import _user_with_role
from tests.suggestions import options

from .lead_factories import LeadAmbassadorFactory, LeadFactory, staff_member

pytestmark = pytest.mark.django_db

SUGGEST = reverse("ambassadors:lead-suggest-ambassadors")
CREATE = reverse("ambassadors:lead-create")
PIPELINE = reverse("ambassadors:lead-pipeline")


def move_url(lead, to: str = "") -> str:
    return reverse("ambassadors:lead-move", args=[lead.pk]) + (f"?to={to}" if to else "")


def ambassador(name: str, email: str, **kwargs):
    made = LeadAmbassadorFactory(full_name=name, **kwargs)
    made.user.email = email
    made.user.save(update_fields=["email"])
    return made


def field_error(response, field: str = "referred_by") -> str:
    """The text of a field's error message on a page answered with 400."""
    assert response.status_code == 400
    found = re.search(
        rf'<p id="id_{field}_error" class="govuk-error-message">(.*?)</p>', response.content.decode(), re.S
    )
    assert found, f"no error on {field}"
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1)))).replace("Error:", "").strip()


@pytest.fixture
def staff_client(client):
    client.force_login(staff_member(full_name="Sam Staff"))
    return client


# The suggestions ----------------------------------------------------------------------------


def test_ambassadors_are_suggested_by_the_start_of_their_name_or_of_a_word_in_it(staff_client):
    ambassador("Priya Raman", "priya@example.org", country="IN")
    ambassador("Anand Priyadarshi", "anand@example.org", country="SG", paused=True)
    ambassador("Priyanka Shah", "priyanka@example.org", country="")
    ambassador("Supriya Rao", "supriya@example.org")  # "priya" inside a word

    found = options(staff_client.get(SUGGEST, {"q": "priya"}))

    # Those whose name starts with it first, then those with a word that does; each by the email
    # address, named with the country and, unless active, the status.
    assert found == [
        ("priya@example.org", "Priya Raman, India"),
        ("priyanka@example.org", "Priyanka Shah"),
        ("anand@example.org", "Anand Priyadarshi, Singapore, paused"),
    ]


def test_ambassadors_are_suggested_by_the_start_of_their_email_address(staff_client):
    ambassador("Priya Raman", "priya@example.org")
    ambassador("Priya Nair", "p.nair@example.com")
    ambassador("Someone Else", "else@priya.org")

    assert [value for value, _ in options(staff_client.get(SUGGEST, {"q": "PRIYA@"}))] == ["priya@example.org"]
    assert [value for value, _ in options(staff_client.get(SUGGEST, {"q": "p.nair@ex"}))] == ["p.nair@example.com"]
    assert [value for value, _ in options(staff_client.get(SUGGEST, {"q": "else@"}))] == ["else@priya.org"]
    # Without an "@" the text is a name: no address is searched.
    assert options(staff_client.get(SUGGEST, {"q": "example"})) == []


def test_htmx_sends_the_text_under_the_fields_own_name(staff_client):
    ambassador("Priya Raman", "priya@example.org")
    response = staff_client.get(SUGGEST, {"referred_by": "raman"}, headers={"HX-Request": "true"})
    assert options(response) == [("priya@example.org", "Priya Raman, India")]


def test_invited_ambassadors_are_not_suggested(staff_client):
    LeadAmbassadorFactory(full_name="Ines Invited", invited=True)
    retired = ambassador("Ines Retired", "ines@example.org", retired=True)
    assert options(staff_client.get(SUGGEST, {"q": "Ines"})) == [(retired.user.email, "Ines Retired, India, retired")]


def test_one_letter_suggests_nothing_and_at_most_ten_are_suggested(staff_client):
    for number in range(15):
        ambassador(f"Anna Berg {number:02d}", f"anna{number:02d}@example.org")
    assert options(staff_client.get(SUGGEST, {"q": "A"})) == []
    assert options(staff_client.get(SUGGEST, {"q": "  "})) == []
    found = options(staff_client.get(SUGGEST, {"q": "an"}))
    assert [value for value, _ in found] == [f"anna{number:02d}@example.org" for number in range(10)]


def test_markup_in_a_name_is_inert_in_the_suggestions(staff_client):
    ambassador('Bad <script>alert(1)</script> "Name"', "bad@example.org")
    body = staff_client.get(SUGGEST, {"q": "bad"}).content.decode()
    assert "<script>" not in body
    assert "&lt;script&gt;" in body and "&quot;Name&quot;" in body


def test_suggestions_take_the_same_queries_whatever_the_network_holds(staff_client, count_queries):
    for number in range(3):
        ambassador("Kavya Gupta", f"kavya{number}@example.org")
    staff_client.get(SUGGEST, {"q": "kavya"})  # the session and the user are read once per request
    with count_queries() as few:
        assert len(options(staff_client.get(SUGGEST, {"q": "kavya"}))) == 3
    for number in range(3, 30):
        ambassador(f"Anna Kavya {number}", f"anna{number}@example.org")
    with count_queries() as many:
        assert len(options(staff_client.get(SUGGEST, {"q": "kavya"}))) == 10
    assert many.count == few.count


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.REVIEWER])
def test_other_roles_are_refused_the_suggestions(client, role):
    client.force_login(_user_with_role(role))
    assert client.get(SUGGEST, {"q": "priya"}).status_code == 403


def test_an_ambassador_is_refused_the_suggestions(client):
    client.force_login(LeadAmbassadorFactory().user)
    assert client.get(SUGGEST, {"q": "priya"}).status_code == 403


def test_the_signed_out_are_sent_to_sign_in(client):
    response = client.get(SUGGEST, {"q": "priya"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# The forms ----------------------------------------------------------------------------------


def test_no_lead_form_carries_a_list_of_ambassadors(staff_client):
    network = [ambassador(f"Network Member {n}", f"member{n}@example.org") for n in range(25)]
    lead = LeadFactory(active=True, referred_by=network[0])
    for page in (CREATE, move_url(lead), PIPELINE):
        body = staff_client.get(page).content.decode()
        assert not any(member.full_name in body for member in network[1:]), page
        assert f'hx-get="{SUGGEST}"' in body, page
    body = staff_client.get(CREATE).content.decode()
    assert '<input class="govuk-input" id="id_referred_by" name="referred_by" type="text"' in body
    assert 'list="id_referred_by_suggestions"' in body


def test_a_picked_suggestion_credits_the_lead_to_that_ambassador(staff_client):
    ambassador("Priya Raman", "priya.one@example.org")
    other = ambassador("Priya Raman", "priya.two@example.org", country="KE")
    picked = [value for value, label in options(staff_client.get(SUGGEST, {"q": "Priya R"})) if "Kenya" in label]

    response = staff_client.post(CREATE, {"name": "Walk-in GmbH", "referred_by": picked[0]})

    assert response.status_code == 302
    assert Lead.objects.get().referred_by == other


def test_a_name_or_an_address_is_found_ignoring_case(staff_client):
    priya = ambassador("Priya Raman", "priya@example.org")
    for typed in ("  priya   RAMAN ", "Priya@Example.org"):
        response = staff_client.post(CREATE, {"name": f"Typed {typed}", "referred_by": typed})
        assert response.status_code == 302, typed
    assert {lead.referred_by for lead in Lead.objects.all()} == {priya}


def test_a_shared_name_is_a_field_error_and_nothing_is_stored(staff_client):
    ambassador("Priya Raman", "priya.one@example.org")
    ambassador("Priya Raman", "priya.two@example.org")

    response = staff_client.post(CREATE, {"name": "Walk-in GmbH", "referred_by": "Priya Raman"})

    assert field_error(response) == (
        "More than one ambassador is called “Priya Raman”: type the email address of the one you mean"
    )
    assert not Lead.objects.exists()


def test_an_unknown_or_invited_ambassador_is_a_field_error_with_every_other_error(staff_client):
    LeadAmbassadorFactory(full_name="Ines Invited", invited=True)
    ambassador("Ines Active", "ines@example.org")  # an invited and an accepted name never mix

    response = staff_client.post(CREATE, {"name": "", "referred_by": "Priya Ramen"})
    assert field_error(response) == "No ambassador called “Priya Ramen”: check the spelling, or type their email"
    assert field_error(response, "name") == "Enter the company's name"
    response = staff_client.post(CREATE, {"name": "X", "referred_by": "nobody@example.org"})
    assert (
        field_error(response)
        == "No ambassador has the email address “nobody@example.org”: check it, or type their name"
    )
    response = staff_client.post(CREATE, {"name": "X", "referred_by": "ines invited"})
    assert (
        field_error(response)
        == "Ines Invited has not accepted their invitation yet: a lead is credited only once they have"
    )
    assert not Lead.objects.exists()
    # Empty is nobody.
    assert staff_client.post(CREATE, {"name": "Nobody's Lead", "referred_by": "  "}).status_code == 302
    assert Lead.objects.get().referred_by is None


def test_the_change_form_shows_the_address_and_sent_unchanged_keeps_the_credit(staff_client):
    priya = ambassador("Priya Raman", "priya@example.org")
    ambassador("Priya Raman", "priya.two@example.org")  # the name alone would not do
    lead = LeadFactory(referred_by=priya, name="Kept Ltd")

    body = staff_client.get(move_url(lead)).content.decode()
    assert 'name="referred_by" type="text" value="priya@example.org"' in body

    data = {"stage": "referred", "version": lead.version, "name": "Kept Ltd", "summary": "Now 60 people."}
    data["referred_by"] = "priya@example.org"
    response = staff_client.post(move_url(lead), data)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.referred_by == priya and lead.summary == "Now 60 people."
    assert "referred_by" not in lead.changes.order_by("-pk").first().fields


def test_the_change_form_takes_the_credit_away_or_moves_it(staff_client):
    priya, other = ambassador("Priya Raman", "priya@example.org"), ambassador("Ola Berg", "ola@example.org")
    lead = LeadFactory(referred_by=priya, name="Moved Ltd")
    data = {"stage": "referred", "version": lead.version, "name": "Moved Ltd", "referred_by": "Ola Berg"}
    assert staff_client.post(move_url(lead), data).status_code == 302
    lead.refresh_from_db()
    assert lead.referred_by == other
    data.update(version=lead.version, referred_by="")
    assert staff_client.post(move_url(lead), data).status_code == 302
    lead.refresh_from_db()
    assert lead.referred_by is None


# The pipeline's filter ----------------------------------------------------------------------


def test_the_pipeline_filters_by_an_ambassador_typed_as_an_address_or_a_name(staff_client):
    priya = ambassador("Priya Raman", "priya@example.org")
    LeadFactory(referred_by=priya, name="Priya's Lead Ltd")
    LeadFactory(name="Someone Else's Lead Ltd")
    for typed in ("priya@example.org", "priya raman", str(priya.pk)):
        page = staff_client.get(PIPELINE, {"ambassador": typed}).content.decode()
        assert "Priya&#x27;s Lead Ltd" in page and "Someone Else" not in page, typed
        assert f'value="{typed}"' in page  # what was typed stays in the field


def test_the_pipeline_filter_refuses_a_shared_or_unknown_name(staff_client):
    ambassador("Priya Raman", "priya.one@example.org")
    ambassador("Priya Raman", "priya.two@example.org")
    response = staff_client.get(PIPELINE, {"ambassador": "Priya Raman"})
    assert field_error(response, "ambassador").startswith("More than one ambassador is called “Priya Raman”")
    response = staff_client.get(PIPELINE, {"ambassador": "Nobody"})
    assert field_error(response, "ambassador").startswith("No ambassador called “Nobody”")
    # Only spaces are not "any ambassador": the API documents an id, and a blank one is refused.
    response = staff_client.get(PIPELINE, {"ambassador": "  "})
    assert field_error(response, "ambassador") == "Enter the ambassador's email address or name"
