"""factory_boy factories for the leads pipeline: ambassadors (made directly, so these tests need
no other factories), leads in any stage, with the fields each stage requires."""

import datetime
from decimal import Decimal

import factory

from ambassadors.models import Ambassador, Lead, LeadChange
from portal.roles import Role
from tests.conftest import _user_with_role
from tests.portal.factories import OrganisationFactory, UserFactory, VersionedModelFactory

S = Lead.Stage


class LeadAmbassadorFactory(VersionedModelFactory):
    """An active ambassador with an account holding the ambassador role (TOTP set up, so they can
    reach the portal's pages). ``paused`` and ``retired`` traits; ``user=None`` with ``invited``."""

    class Meta:
        model = Ambassador

    full_name = factory.Faker("name", locale="en_GB")
    status = Ambassador.Status.ACTIVE
    country = "IN"
    city = "Bengaluru"
    user = factory.LazyFunction(lambda: _user_with_role(Role.AMBASSADOR))

    class Params:
        paused = factory.Trait(status=Ambassador.Status.PAUSED)
        retired = factory.Trait(status=Ambassador.Status.RETIRED)
        invited = factory.Trait(status=Ambassador.Status.INVITED, user=None)


def staff_member(**kwargs):
    """A member of commissioner staff with TOTP set up."""
    return _user_with_role(Role.STAFF, **kwargs)


class LeadFactory(VersionedModelFactory):
    """A lead in any stage with the fields that stage requires: ``qualified``, ``active``,
    ``verify_win``, ``landed`` (linked to a registered firm) and ``lost`` traits. Bypasses the
    services (no history), as fixtures do; tests of moves go through ``lead_move``."""

    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"Lead Company {n} Pvt Ltd")
    summary = "Wants to open an engineering office in Birmingham."
    referred_by = factory.SubFactory(LeadAmbassadorFactory)
    stage = S.REFERRED

    class Params:
        qualified = factory.Trait(stage=S.QUALIFIED, sector="software", origin_country="IN", kind=Lead.Kind.FDI)
        active = factory.Trait(
            qualified=True,
            stage=S.ACTIVE,
            owner=factory.LazyFunction(staff_member),
            expected_jobs=40,
            expected_capital=Decimal("2000000.00"),
        )
        verify_win = factory.Trait(
            active=True,
            stage=S.VERIFY_WIN,
            new_jobs=35,
            safeguarded_jobs=5,
            capital_invested=Decimal("1800000.00"),
            landed_on=datetime.date(2026, 3, 2),
        )
        landed = factory.Trait(
            verify_win=True,
            stage=S.LANDED,
            organisation=factory.SubFactory(OrganisationFactory, origin="relocated_abroad", origin_country="IN"),
            company_number=factory.SelfAttribute("organisation.company_number"),
        )
        lost = factory.Trait(stage=S.LOST, lost_reason="Chose a site with a bigger grant.", competing_location="Dublin")


class LeadChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadChange

    lead = factory.SubFactory(LeadFactory)
    changed_by = factory.SubFactory(UserFactory)
    from_stage = S.REFERRED
    to_stage = S.QUALIFIED
