"""Workspaces for start-ups: the catalogue, applications and their review, offers and tenancies.

Desk capacity is held on ``DeskPool`` rows: ``allocated`` counts the desks held by open offers and
current tenancies. It only changes through a conditional update in ``services`` and a check
constraint keeps it between 0 and ``capacity``, so capacity cannot be exceeded even when two
writers race for the last desk.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from portal.models import LocalAuthority, Organisation, Sector
from portal.postcodes import validate_postcode

from .querysets import ApplicationQuerySet, DeskPoolQuerySet, TenancyQuerySet, WorkspaceQuerySet


class DeskType(models.TextChoices):
    HOT_DESK = "hot_desk", "Hot desk"
    FIXED_DESK = "fixed_desk", "Fixed desk"
    PRIVATE_OFFICE = "private_office", "Private office desk"


class Workspace(models.Model):
    """A building or floor where start-ups can rent desks, run by a provider organisation."""

    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="workspaces",
        limit_choices_to={"kind": Organisation.Kind.WORKSPACE_PROVIDER},
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(blank=True, help_text="What the space offers, in a few sentences.")
    address = models.TextField()
    postcode = models.CharField(max_length=10, validators=[validate_postcode])
    local_authority = models.CharField("borough", max_length=32, choices=LocalAuthority.choices)
    subsidy = models.CharField(
        max_length=200, blank=True, help_text="Any subsidy on the listed prices, such as 'First 6 months free'."
    )
    eligibility = models.TextField(help_text="Who may apply.")
    accessibility = models.TextField(help_text="Step-free access, toilets, hearing loops, quiet rooms and so on.")
    accepting_applications = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("workspaces:workspace-detail", kwargs={"slug": self.slug})


class DeskPool(models.Model):
    """The desks of one type in a workspace: how many there are, their price and how many are held."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="desk_pools")
    desk_type = models.CharField(max_length=20, choices=DeskType.choices)
    capacity = models.PositiveIntegerField()
    allocated = models.PositiveIntegerField(
        default=0, editable=False, help_text="Desks held by open offers and current tenancies."
    )
    monthly_price_gbp = models.DecimalField(
        "monthly price per desk (£)",
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Leave empty when the desk is free of charge.",
    )

    objects = DeskPoolQuerySet.as_manager()

    class Meta:
        ordering = ["workspace", "desk_type"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "desk_type"], name="%(app_label)s_%(class)s_one_per_type"),
            models.CheckConstraint(
                condition=Q(allocated__lte=F("capacity")),
                name="%(app_label)s_%(class)s_allocated_within_capacity",
                violation_error_message="More desks are held than the workspace has.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.workspace}: {self.get_desk_type_display()}"

    @property
    def available(self) -> int:
        return self.capacity - self.allocated


class Criterion(models.Model):
    """A published criterion reviewers score applications against, from 0 to ``Score.MAXIMUM``."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField()
    weight = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(5)])
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """A founder's request for desks on behalf of a firm, and its path through review.

    The firm's details are kept on the application while it is a draft; on submission the firm is
    found in the organisation registry by Companies House number, or created there.

    An anonymised application (``anonymised_at``) has no applicant and none of the answers that
    describe people; its status, dates, workspaces and desks stay for the aggregate figures
    (``workspaces.personal_data``).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Offer expired"
        REJECTED = "rejected", "Not successful"
        WAITLISTED = "waitlisted", "On the waiting list"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Stage(models.TextChoices):
        IDEA = "idea", "Idea or prototype"
        PRE_REVENUE = "pre_revenue", "Launched, no revenue yet"
        REVENUE = "revenue", "Earning revenue"
        SCALING = "scaling", "Scaling up"

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.WAITLISTED, Status.OFFERED)
    # Reviewers score an application while it waits for a decision.
    SCORABLE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW)
    # The review queue: everything staff may still act on.
    QUEUE_STATUSES = (Status.SUBMITTED, Status.IN_REVIEW, Status.WAITLISTED, Status.OFFERED)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        help_text="Empty once the application is anonymised.",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="workspace_applications"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    # The firm
    company_number = models.CharField("Companies House number", max_length=8, blank=True)
    firm_name = models.CharField("firm name", max_length=200, blank=True)
    firm_local_authority = models.CharField("borough", max_length=32, choices=LocalAuthority.choices, blank=True)
    firm_sector = models.CharField("sector", max_length=32, choices=Sector.choices, blank=True)
    firm_founded_on = models.DateField("date of incorporation", null=True, blank=True)
    firm_website = models.URLField("website", blank=True)
    # The team
    team_size = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    founders = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    team_description = models.TextField("who is in the team", blank=True, max_length=2000)
    # Needs
    workspaces = models.ManyToManyField(Workspace, blank=True, related_name="applications")
    desk_type = models.CharField(max_length=20, choices=DeskType.choices, blank=True)
    desks = models.PositiveSmallIntegerField(
        "desks needed", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    start_on = models.DateField("wanted start date", null=True, blank=True)
    support_needs = models.TextField("support needed", blank=True, max_length=2000)
    # Pitch
    stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    pitch = models.TextField(blank=True, max_length=3000)
    # Diversity monitoring: optional, only with consent, only reported in aggregate.
    diversity_consent = models.BooleanField(default=False)
    founders_women = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(20)])
    founders_ethnic_minority = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(20)]
    )
    founders_disabled = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(20)])

    # The offer: the desks it holds until it is accepted, declined, withdrawn or it expires.
    offer_pool = models.ForeignKey(
        DeskPool, on_delete=models.PROTECT, null=True, blank=True, related_name="offers", editable=False
    )
    offer_desks = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    offer_expires_at = models.DateTimeField(null=True, blank=True, editable=False)

    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When staff first offered, rejected or waitlisted it."
    )
    decision_working_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the personal details were removed (account deleted, or the retention period ran out).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[workspaces])
    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="offered", offer_pool__isnull=False, offer_desks__isnull=False)
                | ~Q(status="offered"),
                name="%(app_label)s_%(class)s_offer_holds_desks",
            ),
            models.CheckConstraint(
                condition=Q(diversity_consent=True)
                | Q(founders_women__isnull=True, founders_ethnic_minority__isnull=True, founders_disabled__isnull=True),
                name="%(app_label)s_%(class)s_diversity_only_with_consent",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "decided_at"]),
            models.Index(fields=["status", "offer_expires_at"]),
            # The lists' orders (the applications API, newest first; the review queue, oldest
            # submission first), so a page of a large register is read from the index, not sorted.
            models.Index(fields=["-created_at", "-id"], name="workspaces_application_newest"),
            models.Index(fields=["submitted_at", "id"], name="workspaces_application_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.firm_name or 'untitled firm'}"

    def get_absolute_url(self) -> str:
        return reverse("workspaces:application-detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"WS-{self.pk:05d}" if self.pk else "WS-new"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def offer_has_expired(self) -> bool:
        """An offer past its date that the expiry job has not yet marked expired."""
        return self.status == self.Status.OFFERED and self.offer_expires_at <= timezone.now()


class StatusChange(models.Model):
    """One transition of an application: from, to, who (empty for the system), when and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Application.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Application.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the applicant was emailed.")

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.application.reference}: {self.from_status} → {self.to_status}"


class Review(models.Model):
    """A reviewer's scores and comment on one application. Each reviewer reviews an application once."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(max_length=3000)
    total = models.PositiveSmallIntegerField(help_text="Weighted sum of the criterion scores.")
    maximum = models.PositiveSmallIntegerField(help_text="The highest weighted sum possible.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"],
                name="%(app_label)s_%(class)s_once_per_reviewer",
                violation_error_message="You have already scored this application.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.application.reference} by {self.reviewer}"


class Score(models.Model):
    """One criterion's score inside a review."""

    MAXIMUM = 5

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(validators=[MaxValueValidator(MAXIMUM)])

    class Meta:
        ordering = ["criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="%(app_label)s_%(class)s_once_per_criterion"),
            models.CheckConstraint(condition=Q(value__lte=5), name="%(app_label)s_%(class)s_value_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Tenancy(models.Model):
    """Desks a firm occupies in a workspace from an accepted offer. ``ended_on`` is set when the desks
    are given back; a tenancy holds its desks in ``DeskPool.allocated`` until then."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="tenancy")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tenancies")
    pool = models.ForeignKey(DeskPool, on_delete=models.PROTECT, related_name="tenancies")
    desks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    start_on = models.DateField()
    end_on = models.DateField(help_text="The planned last day.")
    ended_on = models.DateField(null=True, blank=True, editable=False, help_text="When the desks were given back.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = TenancyQuerySet.as_manager()

    class Meta:
        ordering = ["-start_on"]
        verbose_name_plural = "tenancies"
        indexes = [models.Index(fields=["-start_on", "-id"], name="workspaces_tenancy_newest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=F("start_on")), name="%(app_label)s_%(class)s_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(desks__gte=1), name="%(app_label)s_%(class)s_desks_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} at {self.pool}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None
