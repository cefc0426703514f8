"""Scopes of the ambassadors app: who sees which profile, lead, activity and briefing."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from portal.roles import is_staff

# An ambassador counts as active on the network when they logged an activity this recently.
ACTIVE_WITHIN_DAYS = 90


class AmbassadorQuerySet(models.QuerySet):
    def public(self) -> AmbassadorQuerySet:
        """Profiles anyone may see: consented, and of an ambassador who is active or paused."""
        return self.filter(public_profile=True, status__in=["active", "paused"])

    def on_network(self) -> AmbassadorQuerySet:
        """Ambassadors who have accepted and are not retired."""
        return self.filter(status__in=["active", "paused"])

    def visible_to(self, user) -> AmbassadorQuerySet:
        """Staff see every profile; an ambassador their own and the public ones; others the public."""
        if is_staff(user):
            return self.all()
        if user is not None and user.is_authenticated:
            return self.filter(Q(user=user) | Q(pk__in=self.model.objects.public().values("pk")))
        return self.public()

    def for_directory(self) -> AmbassadorQuerySet:
        """The public directory's and the API's bundle: sectors prefetched, nothing private read."""
        return self.prefetch_related("sectors").only(
            "pk", "full_name", "status", "country", "city", "expertise", "languages", "bio", "public_profile"
        )

    def for_network_list(self) -> AmbassadorQuerySet:
        """The staff network list's bundle: user and sectors, the date of the last activity and
        the leads referred and landed, each a subquery, so one query whatever the page size."""
        from django.db.models import Count, IntegerField, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        from .models import Activity, Lead

        last = Activity.objects.filter(ambassador=OuterRef("pk")).order_by("-occurred_on").values("occurred_on")[:1]

        def lead_count(**filters):
            rows = (
                Lead.objects.filter(referred_by=OuterRef("pk"), **filters)
                .order_by()
                .values("referred_by")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

        return (
            self.select_related("user")
            .prefetch_related("sectors")
            .annotate(
                last_activity_on=Subquery(last),
                leads_referred=lead_count(),
                leads_landed=lead_count(stage="landed"),
            )
        )

    def recently_active(self, *, today=None) -> AmbassadorQuerySet:
        """Ambassadors with an activity in the last 90 days."""
        today = today or timezone.localdate()
        return self.filter(activities__occurred_on__gt=today - timedelta(days=ACTIVE_WITHIN_DAYS)).distinct()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(status="pending")

    def overdue(self, *, now=None) -> InvitationQuerySet:
        """Pending invitations past their expiry time (the expiry job marks them)."""
        return self.pending().filter(expires_at__lte=now or timezone.now())


class ActivityQuerySet(models.QuerySet):
    def for_list(self) -> ActivityQuerySet:
        """Activity lists' bundle: the ambassador, organisation and lead in the same query."""
        return self.select_related("ambassador", "organisation", "lead")

    def visible_to(self, user) -> ActivityQuerySet:
        """Staff see every activity; an ambassador their own; nobody else any."""
        if is_staff(user):
            return self.all()
        if user is not None and user.is_authenticated:
            return self.filter(ambassador__user=user)
        return self.none()


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user) -> LeadQuerySet:
        """Staff see every lead; an ambassador the leads they referred; nobody else any (partners
        included)."""
        if is_staff(user):
            return self.all()
        if user is not None and user.is_authenticated:
            return self.filter(referred_by__user=user)
        return self.none()

    def landed(self) -> LeadQuerySet:
        return self.filter(stage="landed")

    def open(self) -> LeadQuerySet:
        return self.exclude(stage__in=["landed", "lost"])


class BriefingQuerySet(models.QuerySet):
    def for_ambassador(self, ambassador) -> BriefingQuerySet:
        """Briefings addressed to every ambassador, to the ambassador's country or to a sector
        they cover."""
        return self.filter(
            Q(audience="all")
            | Q(audience="country", audience_country=ambassador.country)
            | Q(audience="sector", audience_sector__in=ambassador.sectors.values("sector"))
        )

    def visible_to(self, user) -> BriefingQuerySet:
        if is_staff(user):
            return self.all()
        ambassador = getattr(user, "ambassador", None) if user is not None and user.is_authenticated else None
        if ambassador is None or ambassador.status not in ("active", "paused"):
            return self.none()
        return self.for_ambassador(ambassador)
