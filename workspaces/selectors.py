"""Reads of the workspaces app for pages, the API and the missions dashboard."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce

from .models import Application, Criterion, DeskPool, Review, Workspace


@dataclass(frozen=True)
class Occupancy:
    """Desks let or offered against capacity, for one workspace or for all of them."""

    name: str
    slug: str
    capacity: int
    allocated: int

    @property
    def available(self) -> int:
        return self.capacity - self.allocated

    @property
    def percent(self) -> Decimal | None:
        if not self.capacity:
            return None
        return (Decimal(self.allocated) * 100 / self.capacity).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def occupancy_list() -> tuple[list[Occupancy], Occupancy]:
    """Live occupancy of each workspace and overall, in one grouped query."""
    rows = (
        Workspace.objects.order_by("name")
        .annotate(
            capacity=Coalesce(Sum("desk_pools__capacity"), 0), allocated=Coalesce(Sum("desk_pools__allocated"), 0)
        )
        .values_list("name", "slug", "capacity", "allocated")
    )
    workspaces = [Occupancy(*row) for row in rows]
    overall = Occupancy("All workspaces", "", sum(w.capacity for w in workspaces), sum(w.allocated for w in workspaces))
    return workspaces, overall


def criterion_list():
    """The published criteria reviewers score against."""
    return Criterion.objects.filter(is_active=True).order_by("position", "name")


def application_status_counts() -> dict[str, int]:
    """How many applications are in each status (drafts left out), for the review queue tabs."""
    counts = dict(
        Application.objects.exclude(status=Application.Status.DRAFT)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {status: counts.get(status, 0) for status, _ in Application.Status.choices if status != "draft"}


def application_reviews(*, application: Application):
    """An application's reviews with their scores, for reviewers and staff only."""
    return (
        Review.objects.filter(application=application).select_related("reviewer").prefetch_related("scores__criterion")
    )


def review_average(*, application: Application) -> Decimal | None:
    """Mean of the reviews' totals as a share of the maximum, in percent; None before any review."""
    result = Review.objects.filter(application=application).aggregate(
        total=Sum("total"), maximum=Sum("maximum"), n=Count("pk")
    )
    if not result["n"] or not result["maximum"]:
        return None
    return (Decimal(result["total"]) * 100 / result["maximum"]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def desk_pool_options(*, application: Application):
    """The desk pools an application can be offered: its chosen workspaces, its desk type."""
    return (
        DeskPool.objects.filter(workspace__in=application.workspaces.all(), desk_type=application.desk_type)
        .select_related("workspace")
        .annotate(free=F("capacity") - F("allocated"))
        .order_by("-free", "workspace__name")
    )


__all__ = [
    "Occupancy",
    "application_reviews",
    "application_status_counts",
    "criterion_list",
    "desk_pool_options",
    "occupancy_list",
    "review_average",
]
