"""factory_boy factories for the workspaces models.

``ApplicationFactory`` makes a complete draft; the ``submitted`` and ``in_review`` traits set the
status directly (for list and query-count tests). States that hold desks (offered, accepted) are
reached through the services in tests, so the desk counts stay true: see ``offered_application``.
"""

import datetime

import factory
from django.utils import timezone

from portal.models import LocalAuthority, Organisation, Sector
from portal.roles import Role
from tests.portal.factories import OrganisationFactory, UserFactory, VersionedModelFactory
from workspaces import services
from workspaces.models import Application, DeskPool, DeskType, Workspace


class ProviderFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Workspace Provider {n} Ltd")
    kind = Organisation.Kind.WORKSPACE_PROVIDER
    is_tech = False


class WorkspaceFactory(VersionedModelFactory):
    """A workspace taking applications; ``pools={desk type: capacity}``, by default 10 hot and 5 fixed desks."""

    class Meta:
        model = Workspace
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Innovation Hub {n}")
    slug = factory.Sequence(lambda n: f"innovation-hub-{n}")
    summary = "Bright open-plan space with meeting rooms and a start-up community."
    address = "1 Example Street, Birmingham"
    postcode = "B1 1AA"
    local_authority = LocalAuthority.BIRMINGHAM
    subsidy = "First three months free for eligible start-ups"
    eligibility = "Digital start-ups trading for under five years and based in the West Midlands."
    accessibility = "Step-free entrance, lift to all floors, accessible toilets, hearing loop at reception."
    accepting_applications = True

    @factory.post_generation
    def pools(self, create, extracted, **kwargs):
        if not create:
            return
        wanted = extracted if extracted is not None else {DeskType.HOT_DESK: 10, DeskType.FIXED_DESK: 5}
        DeskPool.objects.bulk_create(
            DeskPool(workspace=self, desk_type=desk_type, capacity=capacity, monthly_price_gbp=150)
            for desk_type, capacity in wanted.items()
            if capacity
        )


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A complete draft by a new founder for fixed desks at one new workspace (``workspaces=[...]``)."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    applicant = factory.SubFactory(UserFactory, roles=[Role.FOUNDER])
    company_number = factory.Sequence(lambda n: f"{n + 20000000:08d}")
    firm_name = factory.Sequence(lambda n: f"Start-up {n} Ltd")
    firm_local_authority = LocalAuthority.BIRMINGHAM
    firm_sector = Sector.SOFTWARE
    firm_founded_on = datetime.date(2024, 2, 1)
    team_size = 4
    founders = 2
    team_description = "Two founders (product and engineering) and two developers."
    desk_type = DeskType.FIXED_DESK
    desks = 1
    start_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    support_needs = "Introductions to investors and a mentor."
    stage = Application.Stage.REVENUE
    pitch = "We make scheduling software for community clinics; 40 paying customers across the region."

    class Params:
        submitted = factory.Trait(
            status=Application.Status.SUBMITTED,
            submitted_at=factory.LazyFunction(timezone.now),
            organisation=factory.SubFactory(OrganisationFactory),
        )
        in_review = factory.Trait(
            status=Application.Status.IN_REVIEW,
            submitted_at=factory.LazyFunction(timezone.now),
            organisation=factory.SubFactory(OrganisationFactory),
        )

    @factory.post_generation
    def workspaces(self, create, extracted, **kwargs):
        if create:
            self.workspaces.set(extracted if extracted is not None else [WorkspaceFactory()])


def offered_application(*, staff, workspace=None, desks=1, **kwargs) -> Application:
    """An application taken through the real services to 'offered' (holding ``desks`` fixed desks)."""
    application = ApplicationFactory(
        in_review=True, desks=desks, **({"workspaces": [workspace]} if workspace else {}), **kwargs
    )
    pool = DeskPool.objects.get(workspace=application.workspaces.get(), desk_type=application.desk_type)
    return services.application_offer(application=application, actor=staff, pool=pool)
