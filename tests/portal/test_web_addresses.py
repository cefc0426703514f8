"""Web addresses are real http(s) addresses with no quotes, angle brackets or spaces, wherever they
come in: the organisation registry (its API, the admin's model checks) and the workspace
application, whose website becomes the organisation's."""

import pytest
from django.core.exceptions import ValidationError

from portal.models import Organisation
from portal.validators import validate_web_address
from tests.portal.factories import OrganisationFactory
from tests.workspaces.factories import ApplicationFactory
from workspaces import services as workspace_services

pytestmark = pytest.mark.django_db

MARKUP = 'https://example.org/"><script>alert(1)</script>'
BAD = [
    MARKUP,
    "https://example.org/it's",
    "https://example.org/a b",
    "https://example.org/<b>",
    "javascript:alert(1)",
    "ftp://example.org/",
    "https://",
    "not a web address",
]


@pytest.mark.parametrize("address", BAD)
def test_the_validator_refuses_what_is_not_a_plain_web_address(address):
    with pytest.raises(ValidationError) as exc:
        validate_web_address(address)
    assert exc.value.code == "invalid"


@pytest.mark.parametrize("address", ["https://www.example.co.uk", "http://example.org/a/b?c=d&e=f#top"])
def test_the_validator_takes_ordinary_addresses(address):
    validate_web_address(address)


def test_an_organisation_with_markup_in_its_website_is_refused():
    with pytest.raises(ValidationError) as exc:
        Organisation(name="Markup Ltd", website=MARKUP).full_clean()
    assert "with no spaces, quotes or angle brackets" in exc.value.message_dict["website"][0]


@pytest.mark.parametrize("address", [MARKUP, "https://example.org/it's", "https://example.org/a b"])
def test_the_api_refuses_such_a_website_with_a_field_error(as_partner, address):
    client, _ = as_partner("read", "companies:write")
    response = client.post("/api/v1/organisations/", {"name": "Markup Ltd", "website": address}, format="json")
    assert response.status_code == 400, response.content
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [("website", "invalid")]
    assert not Organisation.objects.filter(name="Markup Ltd").exists()


def test_the_api_refuses_it_on_a_change_too(as_user, staff_user):
    organisation = OrganisationFactory(website="https://ok.example.org")
    client = as_user(staff_user)
    response = client.patch(f"/api/v1/organisations/{organisation.pk}/", {"website": MARKUP}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["attr"] == "website"
    organisation.refresh_from_db()
    assert organisation.website == "https://ok.example.org"


def test_the_application_service_refuses_it():
    application = ApplicationFactory(firm_website="")
    with pytest.raises(ValidationError) as exc:
        workspace_services.application_draft_update(
            application=application, actor=application.applicant, data={"firm_website": MARKUP}
        )
    assert list(exc.value.message_dict) == ["firm_website"]
    application.refresh_from_db()
    assert application.firm_website == ""
