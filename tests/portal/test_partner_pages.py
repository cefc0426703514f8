"""Staff pages of partner organisations: their clients, scopes, owned indicators and latest writes;
everyone else is refused, and an organisation that is not a partner is a 404."""

import pytest

from portal import services
from portal.models import ApiWrite, Organisation
from tests.missions.factories import IndicatorFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PARTNERS = "/dashboard/partners/"


@pytest.fixture
def university():
    organisation = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Aston University (test)")
    credential, _ = services.partner_credential_create(
        organisation=organisation, scopes=["read", "observations:write"], created_by=None
    )
    IndicatorFactory(code="M2-90", name="Graduates in digital roles", owner=organisation)
    ApiWrite.objects.create(credential=credential, method="POST", path="/api/v1/observations/", status_code=201)
    return organisation


def test_staff_see_each_partner_with_its_clients_and_owned_indicators(client, staff_user, university):
    OrganisationFactory(kind=Organisation.Kind.FUNDER, name="Funder with nothing (test)")
    client.force_login(staff_user)

    listing = client.get(PARTNERS).content.decode()
    assert "Aston University (test)" in listing and "M2-90" in listing
    assert "Funder with nothing" not in listing

    detail = client.get(f"{PARTNERS}{university.pk}/").content.decode()
    assert "Graduates in digital roles" in detail
    assert "observations:write" in detail
    assert "POST /api/v1/observations/" in detail


def test_a_firm_or_a_missing_organisation_is_404(client, staff_user):
    firm = OrganisationFactory()
    client.force_login(staff_user)
    assert client.get(f"{PARTNERS}{firm.pk}/").status_code == 404
    assert client.get(f"{PARTNERS}999999/").status_code == 404


@pytest.mark.parametrize("role_user", ["founder_user", "reviewer_user", "ambassador_user"])
def test_other_roles_are_refused(client, request, role_user, university):
    client.force_login(request.getfixturevalue(role_user))
    assert client.get(PARTNERS).status_code == 403
    assert client.get(f"{PARTNERS}{university.pk}/").status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client, university):
    response = client.get(f"{PARTNERS}{university.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_partner_list_query_count_does_not_grow(client, staff_user, count_queries):
    client.force_login(staff_user)

    def add(n: int) -> None:
        for _ in range(n):
            organisation = OrganisationFactory(kind=Organisation.Kind.PARTNER)
            services.partner_credential_create(organisation=organisation, scopes=["read"], created_by=None)
            IndicatorFactory(owner=organisation)

    add(2)
    with count_queries() as small:
        assert client.get(PARTNERS).status_code == 200
    add(20)
    with count_queries() as large:
        assert client.get(PARTNERS).status_code == 200
    assert large.count == small.count
