"""Edge cases of the portal core's services: the one write path for organisations, years and credentials."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from oauth2_provider.models import AccessToken

from portal import services
from portal.exceptions import CredentialAlreadyRevokedError
from portal.models import FirmYear, Organisation, PartnerCredential, YearlyFactsRequest
from portal.permissions import Actor
from tests.portal.factories import FirmYearFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

YEAR_FACTS = {
    "employees": 14,
    "turnover_gbp": 1_200_000,
    "leadership_total": 4,
    "leadership_disclosed": 3,
    "leadership_women": 2,
    "leadership_ethnic_minority": 1,
    "staff_total": 14,
    "staff_disclosed": 12,
    "staff_women": 6,
    "staff_ethnic_minority": 4,
    "consent": True,
    "as_of": datetime.date(2025, 1, 31),
}


# organisation_create / organisation_update


def test_organisation_create_normalises_the_number_and_adds_the_member():
    founder = UserFactory()
    organisation = services.organisation_create(data={"name": "Acme", "company_number": " 123 4567 "}, member=founder)
    organisation.refresh_from_db()
    assert organisation.company_number == "01234567"
    assert list(organisation.members.all()) == [founder]


def test_organisation_create_records_history_and_attribution():
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    organisation = services.organisation_create(data={"name": "Acme"}, recorded_by=partner)
    assert organisation.recorded_by == partner
    assert organisation.history.count() == 1
    assert organisation.history.first().history_type == "+"
    services.organisation_update(organisation=organisation, data={"website": "https://acme.example"})
    assert organisation.history.count() == 2
    assert organisation.history.first().website == "https://acme.example"


@pytest.mark.parametrize("number", ["ABC", "123456789", "١٢٣٤٥٦٧", "SC12345X"])
def test_organisation_create_refuses_a_bad_number_and_writes_nothing(number):
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(data={"name": "Acme", "company_number": number})
    assert "company_number" in exc.value.message_dict
    assert not Organisation.objects.exists()


def test_organisation_create_refuses_a_duplicate_number_on_the_field():
    OrganisationFactory(company_number="SC123456")
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(data={"name": "Copycat", "company_number": "sc123456"})
    assert exc.value.message_dict == {
        "company_number": ["An organisation with this Companies House number already exists."]
    }
    assert Organisation.objects.count() == 1


def test_organisation_create_refuses_dissolution_before_founding_on_the_field():
    with pytest.raises(ValidationError) as exc:
        services.organisation_create(
            data={"name": "Acme", "founded_on": datetime.date(2020, 1, 1), "dissolved_on": datetime.date(2019, 1, 1)}
        )
    assert list(exc.value.message_dict) == ["dissolved_on"]
    assert not Organisation.objects.exists()


def test_organisation_create_refuses_unknown_fields():
    with pytest.raises(ValueError, match="members"):
        services.organisation_create(data={"name": "Acme", "members": []})


def test_organisation_update_keeps_own_number_and_refuses_anothers():
    OrganisationFactory(company_number="01111111")
    organisation = OrganisationFactory(company_number="02222222")
    services.organisation_update(organisation=organisation, data={"company_number": "2222222", "name": "Renamed"})
    organisation.refresh_from_db()
    assert (organisation.name, organisation.company_number) == ("Renamed", "02222222")
    with pytest.raises(ValidationError) as exc:
        services.organisation_update(organisation=organisation, data={"company_number": "01111111"})
    assert "company_number" in exc.value.message_dict
    organisation.refresh_from_db()
    assert organisation.company_number == "02222222"


# firm_year_upsert


def test_firm_year_upsert_is_idempotent():
    organisation = OrganisationFactory()
    first, created = services.firm_year_upsert(organisation=organisation, year=2024, data=dict(YEAR_FACTS))
    again, created_again = services.firm_year_upsert(organisation=organisation, year=2024, data=dict(YEAR_FACTS))
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert FirmYear.objects.filter(organisation=organisation).count() == 1
    row = FirmYear.objects.get()
    for field, value in YEAR_FACTS.items():
        assert getattr(row, field) == value, field


def test_firm_year_resubmission_replaces_the_year():
    organisation = OrganisationFactory()
    services.firm_year_upsert(organisation=organisation, year=2024, data=dict(YEAR_FACTS))
    row, created = services.firm_year_upsert(
        organisation=organisation, year=2024, data={"employees": 20, "as_of": datetime.date(2025, 3, 1)}
    )
    row.refresh_from_db()
    assert not created
    assert row.employees == 20
    # Left out of the resubmission means unknown now, not the old figure.
    assert row.turnover_gbp is None
    assert row.leadership_women is None
    # Consent is never carried over from an earlier submission.
    assert row.consent is False
    assert FirmYear.objects.count() == 1


def test_firm_year_upsert_refuses_impossible_counts_and_keeps_the_old_row():
    organisation = OrganisationFactory()
    services.firm_year_upsert(organisation=organisation, year=2024, data=dict(YEAR_FACTS))
    with pytest.raises(ValidationError) as exc:
        services.firm_year_upsert(
            organisation=organisation, year=2024, data={**YEAR_FACTS, "staff_women": 13, "staff_disclosed": 12}
        )
    assert list(exc.value.message_dict) == ["staff_women"]
    assert FirmYear.objects.get().staff_women == YEAR_FACTS["staff_women"]


def test_firm_year_upsert_attributes_the_partner():
    organisation = OrganisationFactory()
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    row, _ = services.firm_year_upsert(
        organisation=organisation, year=2023, data={"employees": 3, "source": "partner"}, recorded_by=partner
    )
    assert (row.recorded_by, row.source) == (partner, FirmYear.Source.PARTNER)
    assert row.history.count() == 1


# partner credentials


def test_partner_credential_create_stores_only_a_hash_of_the_secret():
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    credential, secret = services.partner_credential_create(
        organisation=partner, scopes=["read", "companies:write", "read"], created_by=None
    )
    assert credential.scopes == "companies:write read"
    assert secret
    assert credential.application.client_secret != secret
    assert credential.history.count() == 1


@pytest.mark.parametrize("scopes", [[], ["admin"], ["read", "write"]])
def test_partner_credential_create_refuses_unknown_scopes(scopes):
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    with pytest.raises(ValueError, match="Scopes"):
        services.partner_credential_create(organisation=partner, scopes=scopes, created_by=None)
    assert not PartnerCredential.objects.exists()


def test_revoked_credential_tokens_stop_working(api_client, partner_token):
    token, partner = partner_token("read")
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api_client.get("/api/v1/organisations/").status_code == 200
    credential = PartnerCredential.objects.get(organisation=partner)
    services.partner_credential_revoke(credential=credential)
    assert not AccessToken.objects.filter(application=credential.application).exists()
    assert api_client.get("/api/v1/organisations/").status_code == 401
    with pytest.raises(CredentialAlreadyRevokedError):
        services.partner_credential_revoke(credential=credential)
    assert credential.history.count() == 2


def test_revoked_client_cannot_get_a_new_token(client):
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    credential, secret = services.partner_credential_create(
        organisation=partner, scopes=["read"], created_by=None, client_id="revoked-client", client_secret="s3cret"
    )
    services.partner_credential_revoke(credential=credential)
    response = client.post(
        "/o/token/", {"grant_type": "client_credentials", "client_id": "revoked-client", "client_secret": "s3cret"}
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert not AccessToken.objects.exists()


# yearly_facts_request_send


def test_yearly_facts_request_is_sent_once(mailoutbox):
    founder = UserFactory(email="founder@acme.example")
    organisation = OrganisationFactory(name="Acme", members=[founder])
    first = services.yearly_facts_request_send(organisation=organisation, year=2024)
    second = services.yearly_facts_request_send(organisation=organisation, year=2024)
    assert first is not None
    assert second is None
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["founder@acme.example"]
    assert "2024" in mailoutbox[0].subject
    assert YearlyFactsRequest.objects.count() == 1


def test_yearly_facts_request_skips_firms_that_reported_or_have_nobody(mailoutbox):
    reported = OrganisationFactory(members=[UserFactory()])
    FirmYearFactory(organisation=reported, year=2024)
    nobody = OrganisationFactory()
    assert services.yearly_facts_request_send(organisation=reported, year=2024) is None
    assert services.yearly_facts_request_send(organisation=nobody, year=2024) is None
    assert mailoutbox == []
    assert not YearlyFactsRequest.objects.exists()


def test_yearly_facts_requests_due_lists_each_firm_once():
    due = OrganisationFactory(members=[UserFactory(), UserFactory()])
    reported = OrganisationFactory(members=[UserFactory()])
    FirmYearFactory(organisation=reported, year=2024)
    asked = OrganisationFactory(members=[UserFactory()])
    YearlyFactsRequest.objects.create(organisation=asked, year=2024)
    OrganisationFactory(kind=Organisation.Kind.PARTNER, members=[UserFactory()])
    assert services.yearly_facts_requests_due(today=datetime.date(2025, 2, 1)) == [due.pk]


def test_firm_year_source_names_who_reported(staff_user, founder_user):
    partner = OrganisationFactory(kind=Organisation.Kind.PARTNER)
    client = Actor(partner=partner, client_id="partner-app")
    assert services.firm_year_source(actor=client) == FirmYear.Source.PARTNER
    assert services.firm_year_source(actor=Actor(user=staff_user)) == FirmYear.Source.STAFF
    assert services.firm_year_source(actor=Actor(user=founder_user)) == FirmYear.Source.SELF_REPORTED


def test_firm_year_upsert_records_who_reported_whatever_the_data_says(founder_user):
    organisation = OrganisationFactory(members=[founder_user])
    row, _ = services.firm_year_upsert(
        organisation=organisation, year=2024, data={"employees": 4, "source": "staff"}, actor=Actor(user=founder_user)
    )
    assert row.source == FirmYear.Source.SELF_REPORTED
