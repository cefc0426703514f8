"""The investments API against its own OpenAPI schema (schemathesis), with generated ids pointed at
real deals and organisations: the partner's own deals (written), another partner's (404 for
writes) and a verified one; and whatever it sends, another partner's deal never changes."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import ignored_auth

from funding.models import Investment
from portal.models import Organisation
from tests.api.schema_cases import point_at_real_rows, session_of
from tests.api.test_schema import schema
from tests.funding.factories import InvestmentFactory, InvestorFactory
from tests.portal.factories import OrganisationFactory

# Every operation but the investments ones left out (see tests/funding/test_schema.py).
investments_schema = schema.exclude(path_regex=r"^/api/v1/(?!investments/)")


@pytest.fixture
def deals(db, partner_token):
    """A partner's token with `read` and `investments:write`, the ids of deals to point generated
    ids at, and another partner's deal that must never change."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        partner = OrganisationFactory(kind=Organisation.Kind.PARTNER, name="Schema Partner", is_tech=False)
        token, _ = partner_token("read", "investments:write", organisation=partner)
        lead = InvestorFactory()
        own = [
            InvestmentFactory(submitted_by=partner, origin="partner", lead=(lead, "US")),
            InvestmentFactory(submitted_by=partner, origin="partner", grant=True, amount_gbp=None),
        ]
        verified = InvestmentFactory(submitted_by=partner, origin="partner", verified=True)
        other = InvestmentFactory(submitted_by=OrganisationFactory(kind=Organisation.Kind.PARTNER), origin="partner")
        pks = [o.pk for o in [*own, *own, verified, other]]
        yield {"Authorization": f"Bearer {token}"}, pks, other
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def snapshot(investment: Investment) -> dict:
    return Investment.objects.filter(pk=investment.pk).values().get()


@investments_schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_investments_operations_conform_to_the_schema(case, deals):
    headers, pks, other = deals
    before = snapshot(other)
    point_at_real_rows(case, pks)
    case.call_and_validate(headers=headers)
    assert snapshot(other) == before


@pytest.fixture
def staff_session(db, client, staff_user, deals):
    return session_of(client, staff_user)


@investments_schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_investments_operations_conform_to_the_schema_for_staff(case, staff_session, deals):
    headers, cookies = staff_session
    _, pks, _ = deals
    point_at_real_rows(case, pks)
    case.call_and_validate(headers=headers, cookies=cookies, excluded_checks=[ignored_auth])
