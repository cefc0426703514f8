"""The five Roadmap missions, their indicators, observations and KPI refresh runs."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .querysets import IndicatorQuerySet, ObservationQuerySet


class Mission(models.Model):
    """One of the five WMCA Digital Roadmap missions. Created by a data migration; ``code`` is
    stable (M1–M5) and maps to the Roadmap's own order through ``roadmap_order``."""

    code = models.CharField(max_length=2, unique=True)
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    roadmap_wording = models.CharField(max_length=300)
    summary = models.TextField()
    roadmap_order = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Geography(models.Model):
    """An area a value is about, with its ONS GSS code where it has one. A fixed vocabulary:
    observations for any other area are refused."""

    class Level(models.TextChoices):
        COUNTRY = "country", "Country"
        REGION = "region", "ITL1 region"
        COMBINED_AUTHORITY = "combined_authority", "Combined authority"
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        SAMPLE = "sample", "Survey sample"

    code = models.CharField(max_length=20, unique=True, help_text="ONS GSS code, or a portal code for samples.")
    name = models.CharField(max_length=120, unique=True)
    level = models.CharField(max_length=20, choices=Level.choices)

    class Meta:
        ordering = ["level", "name"]
        verbose_name_plural = "geographies"

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """A KPI of a mission: computed from portal records by a registered function, or reported by
    its owner organisation (or staff)."""

    class Direction(models.TextChoices):
        UP = "up", "Up is good"
        DOWN = "down", "Down is good"
        ON_PLAN = "on_plan", "On plan is good"

    class Frequency(models.TextChoices):
        ANNUAL = "annual", "Annual"
        QUARTERLY = "quarterly", "Quarterly"
        MONTHLY = "monthly", "Monthly"
        AD_HOC = "ad_hoc", "When published"

    class Method(models.TextChoices):
        COMPUTED = "computed", "Computed from portal data"
        REPORTED = "reported", "Reported by its owner"

    code = models.CharField(max_length=20, unique=True)
    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="indicators")
    name = models.CharField(max_length=200)
    definition = models.TextField()
    methodology = models.TextField(blank=True)
    unit = models.CharField(max_length=40)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.UP)
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.ANNUAL)
    method = models.CharField(max_length=10, choices=Method.choices)
    computation = models.CharField(max_length=60, blank=True, help_text="Registry key of the computing function.")
    baseline_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    baseline_period = models.CharField(max_length=40, blank=True)
    target_value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    is_public = models.BooleanField(default=True)
    owner = models.ForeignKey(
        "portal.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_indicators"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["mission__code", "sort_order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="reported") | ~Q(computation=""),
                name="%(app_label)s_%(class)s_computed_has_function",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Observation(models.Model):
    """One value of an indicator for a period and a geography.

    Unique per (indicator, period, geography, status): the portal's own value, a reported value,
    an official published comparator and a target are kept side by side, never merged. A value
    published as a bound (">120") keeps its comparator in ``bound``. A suppressed value (a cell
    under 10 people) has no value at all.
    """

    class Status(models.TextChoices):
        COMPUTED = "computed", "Computed by the portal"
        REPORTED = "reported", "Reported"
        PUBLISHED = "published", "Published official figure"
        TARGET = "target", "Target"

    class Bound(models.TextChoices):
        EXACT = "", "Exact"
        GT = ">", "More than"
        GE = ">=", "At least"
        LT = "<", "Less than"
        LE = "<=", "At most"

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations")
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=60)
    geography = models.ForeignKey(Geography, on_delete=models.PROTECT, related_name="observations")
    status = models.CharField(max_length=10, choices=Status.choices)
    value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    bound = models.CharField(max_length=2, choices=Bound.choices, blank=True, default=Bound.EXACT)
    numerator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    suppressed = models.BooleanField(default=False, help_text="Fewer than 10 people: the value is withheld.")
    source_title = models.CharField(max_length=300, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_publisher = models.CharField(max_length=200, blank=True)
    source_date = models.CharField(max_length=40, blank=True, help_text="As the source gives it (a date or a year).")
    secondary = models.BooleanField(default=False, help_text="Reported by a secondary source, not the publisher.")
    notes = models.TextField(blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_by_organisation = models.ForeignKey(
        "portal.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObservationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["indicator", "period_start", "geography"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_label", "geography", "status"],
                name="%(app_label)s_%(class)s_one_per_period_geography_status",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="%(app_label)s_%(class)s_period_in_order"
            ),
            models.CheckConstraint(
                condition=Q(suppressed=False) | Q(value__isnull=True),
                name="%(app_label)s_%(class)s_suppressed_has_no_value",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "status", "-period_end"])]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period_label} {self.geography}: {self.bound}{self.value}"


class RefreshRun(models.Model):
    """One run of the KPI refresh, with its progress. At most one run is queued or running at a
    time (a partial unique index), so a second request joins the first. An open run that shows no
    sign of life for ``stale_after_seconds`` is marked failed (``services.refresh_runs_reap``)."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        STAFF = "staff", "Staff"
        API = "api", "API"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    OPEN_STATUSES = (Status.QUEUED, Status.RUNNING)

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    indicators_done = models.PositiveIntegerField(default=0)
    indicators_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A unique index on a constant over the open runs: at most one row can be open.
            models.UniqueConstraint(
                models.Value(True),
                condition=Q(status__in=["queued", "running"]),
                name="%(app_label)s_%(class)s_single_flight",
            ),
            models.CheckConstraint(
                condition=Q(indicators_done__lte=F("indicators_total")),
                name="%(app_label)s_%(class)s_progress_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Refresh {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        """Queued or running: not finished yet."""
        return self.status in self.OPEN_STATUSES

    @property
    def stale_after_seconds(self) -> int:
        """How long this run may go without a sign of life before it is marked failed: no worker
        claiming it while queued (KPI_REFRESH_QUEUED_TIMEOUT), otherwise no heartbeat
        (KPI_REFRESH_STALE_AFTER)."""
        queued = self.status == self.Status.QUEUED
        limit = settings.KPI_REFRESH_QUEUED_TIMEOUT if queued else settings.KPI_REFRESH_STALE_AFTER
        return int(limit.total_seconds())

    @property
    def percent(self) -> int:
        if not self.indicators_total:  # nothing to do: done only once the run has finished
            return 100 if self.status == self.Status.SUCCEEDED else 0
        return round(100 * self.indicators_done / self.indicators_total)
