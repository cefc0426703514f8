"""Scopes for the workspaces models: every read of an application goes through ``visible_to``."""

from django.db import models
from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, Subquery, Sum, When
from django.db.models.functions import Coalesce

from .permissions import can_view_review_queue


def desk_type_order() -> Case:
    """Desk types in the order the choices list them (hot desk, fixed desk, private office)."""
    from .models import DeskType

    return Case(*(When(desk_type=value, then=index) for index, value in enumerate(DeskType.values)))


class WorkspaceQuerySet(models.QuerySet):
    def accepting(self) -> "WorkspaceQuerySet":
        return self.filter(accepting_applications=True)

    def with_availability(self) -> "WorkspaceQuerySet":
        """Annotate ``capacity``, ``allocated`` and ``available`` desks over every desk type."""
        return self.annotate(
            capacity_total=Coalesce(Sum("desk_pools__capacity"), 0),
            allocated_total=Coalesce(Sum("desk_pools__allocated"), 0),
        ).annotate(available_total=F("capacity_total") - F("allocated_total"))

    def for_list(self) -> "WorkspaceQuerySet":
        """Availability totals, the provider, and ``offered_pools``: the desk types it offers (a
        type kept at capacity 0 only for its history is left out), in desk-type order."""
        from .models import DeskPool

        return (
            self.with_availability()
            .select_related("provider")
            .prefetch_related(
                Prefetch(
                    "desk_pools",
                    queryset=DeskPool.objects.filter(capacity__gt=0).order_by(desk_type_order()),
                    to_attr="offered_pools",
                )
            )
            .order_by("name", "pk")
        )


class DeskPoolQuerySet(models.QuerySet):
    def with_space(self, desks: int = 1) -> "DeskPoolQuerySet":
        return self.filter(allocated__lte=F("capacity") - desks)


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ApplicationQuerySet":
        """Applications the user may read: their own; staff and reviewers every one that is not a
        draft (a draft is private to its applicant until submitted)."""
        if not user.is_authenticated:
            return self.none()
        if can_view_review_queue(user):
            return self.filter(Q(applicant=user) | ~Q(status="draft"))
        return self.filter(applicant=user)

    def review_queue(self) -> "ApplicationQuerySet":
        return self.filter(status__in=self.model.QUEUE_STATUSES)

    def for_list(self) -> "ApplicationQuerySet":
        from .models import Workspace

        return (
            self.select_related("organisation", "applicant", "offer_pool__workspace", "tenancy__pool__workspace")
            .prefetch_related(Prefetch("workspaces", queryset=Workspace.objects.order_by("name")))
            .order_by("-created_at", "-pk")
        )

    def for_review_queue(self) -> "ApplicationQuerySet":
        from .models import Review

        # Counted per row of the page, not grouped over the whole queue before the page is taken.
        reviews = Review.objects.filter(application=OuterRef("pk")).order_by().values("application")
        review_count = Coalesce(Subquery(reviews.annotate(count=Count("pk")).values("count")), 0)
        return self.for_list().annotate(review_count=review_count).order_by("submitted_at", "pk")


class TenancyQuerySet(models.QuerySet):
    def current(self) -> "TenancyQuerySet":
        return self.filter(ended_on__isnull=True)

    def for_list(self) -> "TenancyQuerySet":
        return self.select_related("organisation", "pool__workspace", "application").order_by("-start_on", "-pk")
