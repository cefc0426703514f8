"""Factories for the network views, indicators and demo tests: ambassadors (active by default, with
sectors), activities, leads in any stage (``landed`` fills the outcome) and target markets."""

import datetime
from decimal import Decimal

import factory

from ambassadors.models import Activity, Ambassador, AmbassadorSector, Lead, TargetMarket
from portal.models import Sector
from portal.roles import Role
from tests.portal.factories import OrganisationFactory, UserFactory, VersionedModelFactory


class AmbassadorFactory(VersionedModelFactory):
    """An active ambassador with a user of the ambassador role. ``sectors=["fintech", ...]`` adds
    their sectors; the ``invited`` trait has no user yet."""

    class Meta:
        model = Ambassador
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, roles=[Role.AMBASSADOR])
    full_name = factory.Sequence(lambda n: f"Ambassador {n}")
    status = Ambassador.Status.ACTIVE
    country = "IN"
    city = "Bengaluru"

    class Params:
        invited = factory.Trait(status=Ambassador.Status.INVITED, user=None)
        paused = factory.Trait(status=Ambassador.Status.PAUSED)
        retired = factory.Trait(status=Ambassador.Status.RETIRED)

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            AmbassadorSector.objects.bulk_create(AmbassadorSector(ambassador=self, sector=s) for s in extracted)


class ActivityFactory(VersionedModelFactory):
    class Meta:
        model = Activity

    ambassador = factory.SubFactory(AmbassadorFactory)
    kind = Activity.Kind.EVENT
    occurred_on = factory.LazyFunction(datetime.date.today)
    place = "Online"


class LeadFactory(VersionedModelFactory):
    """A referred lead. The ``landed`` trait fills what landing needs: a firm, the date, jobs and
    capital; ``lost`` a reason."""

    class Meta:
        model = Lead

    name = factory.Sequence(lambda n: f"Prospect {n} GmbH")
    origin_country = "DE"
    sector = Sector.SOFTWARE
    kind = Lead.Kind.FDI
    referred_by = factory.SubFactory(AmbassadorFactory)
    stage = Lead.Stage.REFERRED

    class Params:
        landed = factory.Trait(
            stage=Lead.Stage.LANDED,
            organisation=factory.SubFactory(OrganisationFactory, company_number=""),
            landed_on=datetime.date(2024, 6, 1),
            new_jobs=10,
            safeguarded_jobs=0,
            capital_invested=Decimal("1000000.00"),
        )
        lost = factory.Trait(stage=Lead.Stage.LOST, lost_reason="Chose another region", competing_location="Leeds")


class TargetMarketFactory(VersionedModelFactory):
    class Meta:
        model = TargetMarket

    country = "IN"
    sector = Sector.FINTECH
