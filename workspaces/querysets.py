"""Scopes for the workspaces models: every read of an application goes through ``visible_to``."""

from django.db import models
from django.db.models import Count, F, Prefetch, Q, Sum
from django.db.models.functions import Coalesce

from portal.roles import Role, is_staff, user_has_role


def can_see_every_application(user) -> bool:
    """Staff and reviewers work the review queue, so they read every submitted application."""
    return is_staff(user) or user_has_role(user, Role.REVIEWER)


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
        from .models import DeskPool

        return (
            self.with_availability()
            .select_related("provider")
            .prefetch_related(Prefetch("desk_pools", queryset=DeskPool.objects.order_by("desk_type")))
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
        if can_see_every_application(user):
            return self.filter(Q(applicant=user) | ~Q(status="draft"))
        return self.filter(applicant=user)

    def review_queue(self) -> "ApplicationQuerySet":
        return self.filter(status__in=["submitted", "in_review", "waitlisted", "offered"])

    def for_list(self) -> "ApplicationQuerySet":
        from .models import Workspace

        return (
            self.select_related("organisation", "applicant", "offer_pool__workspace", "tenancy__pool__workspace")
            .prefetch_related(Prefetch("workspaces", queryset=Workspace.objects.order_by("name")))
            .order_by("-created_at", "-pk")
        )

    def for_review_queue(self) -> "ApplicationQuerySet":
        return self.for_list().annotate(review_count=Count("reviews", distinct=True)).order_by("submitted_at", "pk")


class TenancyQuerySet(models.QuerySet):
    def current(self) -> "TenancyQuerySet":
        return self.filter(ended_on__isnull=True)

    def for_list(self) -> "TenancyQuerySet":
        return self.select_related("organisation", "pool__workspace", "application").order_by("-start_on", "-pk")
