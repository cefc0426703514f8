"""Reads of the workspaces app for pages, the API and the missions dashboard."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.percentages import percentage

from .models import Application, Criterion, DeskPool, DeskType, Review, StatusChange, Workspace


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


@dataclass(frozen=True)
class OfferTerms:
    """What an offer holds and what accepting it means, as the applicant's page and email state it."""

    workspace: str
    address: str
    postcode: str
    desk_type: str
    desks: int
    desks_asked: int | None
    monthly_price_per_desk: Decimal | None  # None: free of charge
    subsidy: str
    start_on: datetime.date
    end_on: datetime.date
    expires_at: datetime.datetime
    tenancy_months: int
    note: str  # what staff wrote with the offer; the reason when fewer desks than asked

    @property
    def monthly_price_total(self) -> Decimal | None:
        return None if self.monthly_price_per_desk is None else self.monthly_price_per_desk * self.desks

    @property
    def address_line(self) -> str:
        """The address and postcode on one line."""
        lines = [line.strip(" ,") for line in self.address.splitlines() if line.strip(" ,")]
        return ", ".join([*lines, self.postcode])

    @property
    def is_partial(self) -> bool:
        return bool(self.desks_asked) and self.desks < self.desks_asked


def tenancy_dates(*, wanted: datetime.date | None, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a tenancy accepted ``today``: from the wanted start date, or today
    when that is later, for ``WORKSPACES_TENANCY_MONTHS``. The offer's terms and the tenancy that
    accepting creates both come from here, so they never differ."""
    start_on = max(wanted or today, today)
    return start_on, start_on + relativedelta(months=settings.WORKSPACES_TENANCY_MONTHS, days=-1)


def offer_terms(*, application: Application, today: datetime.date | None = None) -> OfferTerms | None:
    """The terms of an application's offer (None when it holds none): where, which desks, the price
    and subsidy, the tenancy that accepting starts (from the wanted start date, or the day of
    accepting when that is later, for ``WORKSPACES_TENANCY_MONTHS``), until when it can be
    accepted, and the note sent with it. Reads the offer's pool and workspace (one query unless
    they were selected with the application) and the offer's status change (one query)."""
    if application.offer_pool_id is None or application.offer_desks is None:
        return None
    pool = application.offer_pool
    workspace = pool.workspace
    start_on, end_on = tenancy_dates(wanted=application.start_on, today=today or timezone.localdate())
    months = settings.WORKSPACES_TENANCY_MONTHS
    note = (
        StatusChange.objects.filter(application=application, to_status=Application.Status.OFFERED)
        .order_by("-created_at", "-pk")
        .values_list("reason", flat=True)
        .first()
    )
    return OfferTerms(
        workspace=workspace.name,
        address=workspace.address,
        postcode=workspace.postcode,
        desk_type=DeskType(pool.desk_type).label,
        desks=application.offer_desks,
        desks_asked=application.desks,
        monthly_price_per_desk=pool.monthly_price_gbp,
        subsidy=workspace.subsidy,
        start_on=start_on,
        end_on=end_on,
        expires_at=application.offer_expires_at,
        tenancy_months=months,
        note=note or "",
    )


@dataclass(frozen=True)
class FreeDesks:
    """Desks of one type free now in one workspace, for a founder choosing where to ask."""

    workspace: str
    desk_type: str
    free: int


def free_desk_list(*, workspaces: Iterable[Workspace], desk_type: str) -> list[FreeDesks]:
    """Desks of ``desk_type`` free now in each of ``workspaces`` (0 where it has none of that
    type), in the workspaces' order, in one query."""
    workspaces = list(workspaces)
    free = dict(
        DeskPool.objects.filter(workspace__in=workspaces, desk_type=desk_type)
        .annotate(free=F("capacity") - F("allocated"))
        .values_list("workspace_id", "free")
    )
    label = DeskType(desk_type).label if desk_type in DeskType.values else ""
    return [FreeDesks(workspace=w.name, desk_type=label, free=free.get(w.pk, 0)) for w in workspaces]


__all__ = [
    "FreeDesks",
    "OfferTerms",
    "Occupancy",
    "application_reviews",
    "application_status_counts",
    "criterion_list",
    "desk_pool_options",
    "free_desk_list",
    "occupancy_list",
    "occupancy_overall",
    "offer_terms",
    "review_average",
]


@dataclass(frozen=True)
class FirmStage:
    """The stage a firm gave in its latest submitted workspace application, and that application."""

    stage: str
    label: str
    reference: str
    submitted_on: datetime.date


def firm_stage_latest(*, organisation_id: int) -> FirmStage | None:
    """The stage the firm's most recently submitted workspace application gave (drafts are not
    the firm's yet; any later status counts, since the stage is the founder's own statement), or
    None when no submitted application gave one. One query."""
    row = (
        Application.objects.filter(organisation_id=organisation_id, submitted_at__isnull=False)
        .exclude(stage="")
        .order_by("-submitted_at", "-pk")
        .values_list("pk", "stage", "submitted_at")
        .first()
    )
    if row is None:
        return None
    pk, stage, submitted_at = row
    return FirmStage(
        stage=stage,
        label=Application.Stage(stage).label,
        reference=Application(pk=pk).reference,
        submitted_on=timezone.localdate(submitted_at),
    )
