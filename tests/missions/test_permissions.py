"""Who may report a value of an indicator: the rule as a plain function, the same rule as the
staff form's queryset, and no query on the indicator."""

import pytest
from django.contrib.auth.models import AnonymousUser

from missions.models import Indicator
from missions.permissions import can_report_indicator
from portal.roles import user_roles
from tests.missions.factories import IndicatorFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner():
    return OrganisationFactory(kind="partner", company_number="")


@pytest.fixture
def indicators(partner):
    return {
        "owned": IndicatorFactory(owner=partner),
        "foreign": IndicatorFactory(owner=OrganisationFactory(kind="partner", company_number="")),
        "unowned": IndicatorFactory(),
        "computed": IndicatorFactory(computed=True, owner=partner),
    }


def test_staff_report_any_reported_indicator_and_no_computed_one(staff_user, indicators):
    allowed = {name for name, indicator in indicators.items() if can_report_indicator(staff_user, indicator)}
    assert allowed == {"owned", "foreign", "unowned"}


def test_a_partner_reports_only_the_reported_indicators_it_owns(partner, indicators):
    allowed = {
        name for name, indicator in indicators.items() if can_report_indicator(None, indicator, organisation=partner)
    }
    assert allowed == {"owned"}


def test_other_roles_and_anonymous_users_report_nothing(founder_user, reviewer_user, indicators):
    for user in (founder_user, reviewer_user, AnonymousUser()):
        assert not any(can_report_indicator(user, indicator) for indicator in indicators.values())


def test_the_rule_is_the_form_queryset_and_runs_no_query(
    staff_user, founder_user, partner, indicators, django_assert_num_queries
):
    writers = [(staff_user, None), (founder_user, None), (AnonymousUser(), None), (None, partner)]
    for user, organisation in writers:
        writable = set(Indicator.objects.writable_by(user, organisation=organisation))
        if user is not None:
            user_roles(user)  # read once per request
        with django_assert_num_queries(0):
            allowed = {i for i in indicators.values() if can_report_indicator(user, i, organisation=organisation)}
        assert allowed == writable & set(indicators.values())
