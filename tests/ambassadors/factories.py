"""factory_boy factories for the ambassadors models.

``AmbassadorFactory`` makes an active ambassador whose user holds the ambassador role and has TOTP
set up (secret ``tests.conftest.DEMO_TOTP_SECRET``, password ``correct-horse-battery-staple``), so
the user can sign in and reach the portal at once. Traits: ``invited`` (no user yet, as staff
leave it when they send an invitation), ``active`` (the default), ``paused``, ``retired`` and
``public`` (consented to a public profile). ``sectors=[...]`` sets the sectors covered (by default
software). ``InvitationFactory`` keeps the raw token on the instance as ``token`` for the test to
open the link with.
"""

import datetime
import hashlib
import secrets

import factory
from django.utils import timezone

from ambassadors.models import Activity, Ambassador, AmbassadorSector, Briefing, Invitation
from portal.models import Sector
from portal.roles import Role, role_group
from tests.portal.factories import UserFactory, VersionedModelFactory

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # tests.conftest.DEMO_TOTP_SECRET


def token_hash(token: str) -> str:
    """The stored form of an invitation token (SHA-256, hex), as the invitation service stores it."""
    return hashlib.sha256(token.encode()).hexdigest()


class AmbassadorUserFactory(UserFactory):
    """A user with the ambassador role and TOTP set up (``totp=False`` for one who has not yet)."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            self.groups.add(*(role_group(role) for role in (extracted or [Role.AMBASSADOR])))

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        if create and extracted is not False:
            from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
            from allauth.mfa.totp.internal.auth import TOTP

            TOTP.activate(self, TOTP_SECRET)
            RecoveryCodes.activate(self)


class AmbassadorFactory(VersionedModelFactory):
    class Meta:
        model = Ambassador
        skip_postgeneration_save = True

    full_name = factory.Faker("name", locale="en_GB")
    user = factory.SubFactory(AmbassadorUserFactory, full_name=factory.SelfAttribute("..full_name"))
    status = Ambassador.Status.ACTIVE
    country = "IN"
    city = "Bengaluru"
    expertise = "Series A fundraising and cloud software"
    languages = "English, Hindi"
    bio = "Founded two software firms and advises start-ups expanding to the UK."
    term_starts_on = datetime.date(2026, 1, 1)
    term_ends_on = datetime.date(2027, 12, 31)
    public_profile = False

    class Params:
        invited = factory.Trait(status=Ambassador.Status.INVITED, user=None, term_starts_on=None, term_ends_on=None)
        active = factory.Trait(status=Ambassador.Status.ACTIVE)
        paused = factory.Trait(status=Ambassador.Status.PAUSED)
        retired = factory.Trait(status=Ambassador.Status.RETIRED)
        public = factory.Trait(public_profile=True, public_profile_changed_at=factory.LazyFunction(timezone.now))

    @factory.post_generation
    def sectors(self, create, extracted, **kwargs):
        if not create:
            return
        wanted = extracted if extracted is not None else [Sector.SOFTWARE]
        AmbassadorSector.objects.bulk_create(AmbassadorSector(ambassador=self, sector=code) for code in wanted)


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation for a new invited ambassador; ``token`` is the raw token of its link."""

    class Meta:
        model = Invitation

    class Params:
        token = None  # set in _generate: each invitation gets a fresh random token

    ambassador = factory.SubFactory(AmbassadorFactory, invited=True)
    email = factory.Sequence(lambda n: f"invited{n}@example.org")
    token_hash = factory.LazyAttribute(lambda o: token_hash(o.token))
    status = Invitation.Status.PENDING
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + datetime.timedelta(days=7))

    @classmethod
    def _generate(cls, strategy, params):
        params.setdefault("token", secrets.token_urlsafe(32))
        instance = super()._generate(strategy, params)
        instance.token = params["token"]
        return instance


class ActivityFactory(VersionedModelFactory):
    class Meta:
        model = Activity

    ambassador = factory.SubFactory(AmbassadorFactory)
    kind = Activity.Kind.EVENT
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    place = "Bengaluru Tech Summit"
    reach = 120
    notes = "Spoke on the region's software cluster to founders looking at the UK."


class BriefingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Briefing

    title = factory.Sequence(lambda n: f"Briefing {n}: the region's pitch")
    body = "Key messages for this quarter: the region's software cluster and its new workspaces."
    audience = Briefing.Audience.ALL
    published_at = factory.LazyFunction(timezone.now)
