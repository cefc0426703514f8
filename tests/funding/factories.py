"""Factories of the funding app. Made rows bump the ``funding`` data key (``VersionedModelFactory``)
and get their search vector written, as the services do."""

import datetime

import factory
from django.utils import timezone

from funding import services
from funding.models import (
    Investment,
    InvestmentInvestor,
    Opportunity,
    OpportunityArea,
    OpportunitySector,
    OpportunityStage,
)
from portal.models import Organisation
from tests.portal.factories import OrganisationFactory, VersionedModelFactory


class FunderFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Funder {n} (test)")
    kind = Organisation.Kind.FUNDER
    company_number = ""
    sector = ""
    is_tech = False


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


class OpportunityFactory(VersionedModelFactory):
    """An open grant (opened 10 days ago, closing in 30), for any sector, anywhere. Pass
    ``sectors``, ``boroughs`` and ``stages`` lists for rules; traits give each status."""

    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    funder = factory.SubFactory(FunderFactory)
    title = factory.Sequence(lambda n: f"Opportunity {n}")
    kind = Opportunity.Kind.GRANT
    summary = "Support for regional firms."
    eligibility = "Firms registered in the United Kingdom."
    amount_min_gbp = 10_000
    amount_max_gbp = 50_000
    opens_on = factory.LazyFunction(lambda: _days(-10))
    closes_on = factory.LazyFunction(lambda: _days(30))
    rolling = False
    link = "https://funder.example/apply"

    class Params:
        upcoming = factory.Trait(
            opens_on=factory.LazyFunction(lambda: _days(5)), closes_on=factory.LazyFunction(lambda: _days(60))
        )
        closing_soon = factory.Trait(closes_on=factory.LazyFunction(lambda: _days(3)))
        closed = factory.Trait(
            opens_on=factory.LazyFunction(lambda: _days(-90)), closes_on=factory.LazyFunction(lambda: _days(-1))
        )
        is_rolling = factory.Trait(rolling=True, closes_on=None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        opportunity = super()._create(model_class, *args, **kwargs)
        services.opportunity_search_vectors_update(Opportunity.objects.filter(pk=opportunity.pk))
        return opportunity

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if create and extracted:
            OpportunitySector.objects.bulk_create(OpportunitySector(opportunity=self, sector=s) for s in extracted)

    @factory.post_generation
    def boroughs(self, create, extracted, **kwargs):
        if create and extracted:
            OpportunityArea.objects.bulk_create(OpportunityArea(opportunity=self, local_authority=b) for b in extracted)

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        if create and extracted:
            OpportunityStage.objects.bulk_create(OpportunityStage(opportunity=self, stage=s) for s in extracted)


class InvestorFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Investor {n} Capital (test)")
    kind = Organisation.Kind.FUNDER
    company_number = ""
    sector = ""
    is_tech = False


class InvestmentFactory(VersionedModelFactory):
    """A disclosed £250,000 seed round into a firm, announced on 15 May 2024, unverified, with no
    investors; pass ``lead=(organisation, "US")`` for a lead investor, or use ``InvestmentInvestorFactory``.
    Traits: ``undisclosed``, ``grant``, ``verified``."""

    class Meta:
        model = Investment
        skip_postgeneration_save = True

    firm = factory.SubFactory(OrganisationFactory)
    kind = Investment.Kind.EQUITY
    stage = Investment.Stage.SEED
    amount_gbp = 250_000
    announced_on = datetime.date(2024, 5, 15)
    source = "https://news.example/deal"

    class Params:
        undisclosed = factory.Trait(amount_gbp=None)
        grant = factory.Trait(kind=Investment.Kind.GRANT, stage="")
        verified = factory.Trait(verified_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def lead(self, create, extracted, **kwargs):
        if create and extracted:
            investor, country = extracted
            InvestmentInvestorFactory(investment=self, investor=investor, is_lead=True, country=country)


class InvestmentInvestorFactory(VersionedModelFactory):
    class Meta:
        model = InvestmentInvestor

    investment = factory.SubFactory(InvestmentFactory)
    investor = factory.SubFactory(InvestorFactory)
    is_lead = False
    country = "GB"
