"""Reads of the workspaces app for pages, the API and the missions dashboard."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce

from portal.percentages import percentage

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
        return percentage(self.allocated, self.capacity)


def occupancy_list() -> tuple[list[Occupancy], Occupancy]:
    """Live occupancy of each workspace and overall, in one grouped query."""
    rows = (
        Workspace.objects.with_availability()
        .order_by("name")
        .values_list("name", "slug", "capacity_total", "allocated_total")
    )
    workspaces = [Occupancy(*row) for row in rows]
    overall = Occupancy("All workspaces", "", sum(w.capacity for w in workspaces), sum(w.allocated for w in workspaces))
    return workspaces, overall


def occupancy_overall() -> Occupancy:
    """Live occupancy over every workspace, in one aggregate."""
    totals = DeskPool.objects.aggregate(capacity=Coalesce(Sum("capacity"), 0), allocated=Coalesce(Sum("allocated"), 0))
    return Occupancy("All workspaces", "", totals["capacity"], totals["allocated"])


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


def review_average(*, reviews: Iterable[Review]) -> Decimal | None:
    """The reviews' totals as a share of their maximum, in percent; None before any review. Takes
    the reviews the page already loaded (``application_reviews``), so it costs no query."""
    reviews = list(reviews)
    return percentage(sum(r.total for r in reviews), sum(r.maximum for r in reviews))


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
    "occupancy_overall",
    "review_average",
]
