"""The funding-opportunities API against its own OpenAPI schema (schemathesis), with generated ids
pointed at real opportunities: the partner's own (written), another funder's (404 for writes) and
a withdrawn one; and whatever it sends, another funder's opportunity never changes."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import ignored_auth

from funding.models import Opportunity
from tests.api.schema_cases import point_at_real_rows, session_of
from tests.api.test_schema import schema
from tests.funding.factories import FunderFactory, OpportunityFactory

# Every operation but the funding ones left out (``exclude``: an ``include`` here would not narrow
# the operations the module-level schema's configuration already selects).
funding_schema = schema.exclude(path_regex=r"^/api/v1/(?!funding-opportunities/)")


@pytest.fixture
def opportunities(db, partner_token):
    """A funder partner's token with every scope, and opportunities to point ids at."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        partner = FunderFactory(name="Schema Seed Fund")
        token, _ = partner_token("read", "opportunities:write", organisation=partner)
        own = OpportunityFactory.create_batch(2, funder=partner, sectors=["fintech"], boroughs=["dudley"])
        other = OpportunityFactory(title="Another funder's", stages=["idea"])
        withdrawn = OpportunityFactory(funder=partner, withdrawn_at="2026-01-01T00:00:00Z")
        rolling = OpportunityFactory(is_rolling=True, closed=False)
        pks = [o.pk for o in [*own, *own, other, withdrawn, rolling]]
        yield {"Authorization": f"Bearer {token}"}, pks, other
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def snapshot(opportunity: Opportunity) -> dict:
    return Opportunity.objects.filter(pk=opportunity.pk).values().get()


@funding_schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_funding_operations_conform_to_the_schema(case, opportunities):
    headers, pks, other = opportunities
    before = snapshot(other)
    point_at_real_rows(case, pks)
    case.call_and_validate(headers=headers)
    assert snapshot(other) == before


@pytest.fixture
def staff_session(db, client, staff_user, opportunities):
    return session_of(client, staff_user)


@funding_schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_funding_operations_conform_to_the_schema_for_staff(case, staff_session, opportunities):
    headers, cookies = staff_session
    _, pks, _ = opportunities
    point_at_real_rows(case, pks)
    case.call_and_validate(headers=headers, cookies=cookies, excluded_checks=[ignored_auth])
