"""factory_boy factories for the core models; traits cover the usual states."""

import datetime

import factory

from portal.models import FirmYear, LocalAuthority, Organisation, Sector, User
from portal.page_cache import data_version_bump
from portal.roles import role_group

# The data key each factory-made model belongs to (portal.page_cache.DATA_KEYS).
DATA_KEY_OF_MODEL = {
    "portal.Organisation": "organisations",
    "portal.FirmYear": "organisations",
    "missions.Mission": "missions",
    "missions.Indicator": "missions",
    "missions.Observation": "missions",
    "workspaces.Workspace": "workspaces",
    "workspaces.DeskPool": "workspaces",
    "workspaces.Tenancy": "workspaces",
    "missions.RefreshRun": "refreshes",
    "ambassadors.Ambassador": "ambassadors",
    "ambassadors.AmbassadorSector": "ambassadors",
    "ambassadors.Activity": "ambassadors",
    "ambassadors.Lead": "ambassadors",
    "ambassadors.TargetMarket": "ambassadors",
    "funding.Opportunity": "funding",
    "funding.Investment": "investments",
    "funding.InvestmentInvestor": "investments",
    "funding.BudgetLine": "budget",
    "funding.SpendEntry": "budget",
}


class VersionedModelFactory(factory.django.DjangoModelFactory):
    """A factory whose rows count as a write of their data key: creating one bumps the key's data
    version, as the services do, so a page cached earlier in the test is not served again."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = super()._create(model_class, *args, **kwargs)
        data_version_bump(DATA_KEY_OF_MODEL[model_class._meta.label])
        return instance


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password("correct-horse-battery-staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            # get_or_create: a transactional test's flush empties the groups the data migration made.
            self.groups.add(*(role_group(role) for role in extracted))

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Mark the email verified and primary, as after a completed sign-up."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class OrganisationFactory(VersionedModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Firm {n} Ltd")
    kind = Organisation.Kind.FIRM
    company_number = factory.Sequence(lambda n: f"{n + 10000000:08d}")
    sector = Sector.SOFTWARE
    local_authority = LocalAuthority.BIRMINGHAM
    founded_on = datetime.date(2018, 5, 1)
    is_tech = True

    class Params:
        dissolved = factory.Trait(dissolved_on=datetime.date(2022, 3, 1))
        from_abroad = factory.Trait(origin=Organisation.Origin.RELOCATED_ABROAD, origin_country="IN")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            self.members.add(*extracted)


class FirmYearFactory(VersionedModelFactory):
    class Meta:
        model = FirmYear

    organisation = factory.SubFactory(OrganisationFactory)
    year = 2024
    employees = 12
    turnover_gbp = 850_000
    leadership_total = 4
    leadership_disclosed = 4
    leadership_women = 1
    leadership_ethnic_minority = 1
    staff_total = 12
    staff_disclosed = 10
    staff_women = 4
    staff_ethnic_minority = 3
    consent = True
    as_of = datetime.date(2025, 1, 31)
