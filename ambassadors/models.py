"""The ambassador network: profiles, invitations, activities, inward-investment leads and their
history, briefing material and the target markets the network should cover."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django_countries.fields import CountryField

from portal.models import Organisation, Sector

from .querysets import ActivityQuerySet, AmbassadorQuerySet, BriefingQuerySet, InvitationQuerySet, LeadQuerySet


class Ambassador(models.Model):
    """A person who flies the flag for the region abroad or in the UK.

    A profile is made when staff send an invitation (status ``invited``, no user yet); accepting the
    invitation links the user and makes it ``active``. Staff pause and retire ambassadors; only an
    active ambassador refers leads and logs activities. Nothing of a profile without
    ``public_profile`` consent is shown publicly.
    """

    class Status(models.TextChoices):
        INVITED = "invited", "Invited"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        RETIRED = "retired", "Retired"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="ambassador"
    )
    full_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INVITED)
    country = CountryField(blank=True, help_text="The country the ambassador lives and works in.")
    city = models.CharField(max_length=120, blank=True)
    expertise = models.CharField(
        max_length=300, blank=True, help_text="What the ambassador knows best, such as 'Series A fundraising'."
    )
    languages = models.CharField(max_length=200, blank=True, help_text="Languages spoken, such as 'English, Hindi'.")
    bio = models.TextField(blank=True)
    term_starts_on = models.DateField(null=True, blank=True)
    term_ends_on = models.DateField(null=True, blank=True)
    public_profile = models.BooleanField(
        "show a public profile",
        default=False,
        help_text="Consent to show the name, country, city, sectors, expertise, languages and bio publicly.",
    )
    public_profile_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AmbassadorQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_ends_on__isnull=True)
                | Q(term_starts_on__isnull=True)
                | Q(term_ends_on__gte=F("term_starts_on")),
                name="%(app_label)s_%(class)s_term_ends_after_start",
                violation_error_message="The term cannot end before it starts.",
            ),
            models.CheckConstraint(
                condition=Q(status="invited") | Q(user__isnull=False),
                name="%(app_label)s_%(class)s_user_once_accepted",
            ),
        ]
        indexes = [models.Index(fields=["status", "country"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def sector_codes(self) -> list[str]:
        return [row.sector for row in self.sectors.all()]


class AmbassadorSector(models.Model):
    """One sector of the portal's tech taxonomy an ambassador covers (rows, so the coverage matrix
    and filters are plain SQL on every database)."""

    ambassador = models.ForeignKey(Ambassador, on_delete=models.CASCADE, related_name="sectors")
    sector = models.CharField(max_length=32, choices=Sector.choices)

    class Meta:
        ordering = ["sector"]
        constraints = [
            models.UniqueConstraint(fields=["ambassador", "sector"], name="%(app_label)s_%(class)s_unique"),
        ]
        indexes = [models.Index(fields=["sector"])]

    def __str__(self) -> str:
        return self.get_sector_display()


class Invitation(models.Model):
    """A single-use link that lets one email address become the ambassador it was made for.

    Only a hash of the token is stored. A pending invitation expires ``expires_at`` (7 days after it
    was sent); a job marks it expired. At most one pending invitation per address.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for sign-up"
        ACCEPTED = "accepted", "Accepted"
        EXPIRED = "expired", "Expired"
        REVOKED = "revoked", "Withdrawn"

    ambassador = models.ForeignKey(Ambassador, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    emailed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the email with the current link was sent; empty until it is."
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=Q(status="pending"),
                name="%(app_label)s_%(class)s_one_pending_per_email",
                violation_error_message="This address already has an invitation waiting.",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"


class Activity(models.Model):
    """Something an ambassador did for the region."""

    class Kind(models.TextChoices):
        EVENT = "event", "Event"
        INTRODUCTION = "introduction", "Introduction"
        MEDIA = "media", "Media"
        TRADE_MISSION = "trade_mission", "Trade mission"
        INVESTOR_MEETING = "investor_meeting", "Investor meeting"

    ambassador = models.ForeignKey(Ambassador, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    occurred_on = models.DateField("date")
    place = models.CharField(max_length=200, blank=True)
    reach = models.PositiveIntegerField(
        null=True, blank=True, help_text="About how many people it reached, if known (a whole number)."
    )
    notes = models.TextField(blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="ambassador_activities"
    )
    lead = models.ForeignKey("Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="activities")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["ambassador", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%d %B %Y}"


class Lead(models.Model):
    """An inward-investment opportunity and where it stands.

    Stages run referred → qualified → active → verify win → landed, or to lost from any open stage;
    staff may reopen a landed or lost lead. Each stage needs its fields (``ambassadors.stages``
    holds the rules); a win counts only once landed, in the year of ``landed_on``. ``version``
    increases on every change so two people moving the same lead at once cannot both succeed.
    """

    class Stage(models.TextChoices):
        REFERRED = "referred", "Referred"
        QUALIFIED = "qualified", "Qualified"
        ACTIVE = "active", "Active"
        VERIFY_WIN = "verify_win", "Verify win"
        LANDED = "landed", "Landed"
        LOST = "lost", "Lost"

    class Kind(models.TextChoices):
        FDI = "fdi", "Foreign direct investment"
        UK_OFFICE = "uk_office", "UK firm opening an office in the region"
        EXPANSION = "expansion", "Expansion of a firm already here"

    name = models.CharField("company name", max_length=200)
    company_number = models.CharField(
        "Companies House number",
        max_length=8,
        blank=True,
        help_text="The firm's number in the UK (its UK company, for a firm from abroad); needed to land it.",
    )
    summary = models.TextField(blank=True, help_text="What the firm wants to do in the region.")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="leads"
    )
    origin_country = CountryField(blank=True)
    sector = models.CharField(max_length=32, choices=Sector.choices, blank=True)
    kind = models.CharField("type", max_length=16, choices=Kind.choices, blank=True)
    referred_by = models.ForeignKey(Ambassador, null=True, blank=True, on_delete=models.PROTECT, related_name="leads")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_leads"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.REFERRED)
    expected_jobs = models.PositiveIntegerField(null=True, blank=True)
    expected_capital = models.DecimalField(
        "expected capital (GBP)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    new_jobs = models.PositiveIntegerField(null=True, blank=True)
    safeguarded_jobs = models.PositiveIntegerField(null=True, blank=True)
    capital_invested = models.DecimalField(
        "capital invested (GBP)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    landed_on = models.DateField(null=True, blank=True)
    lost_reason = models.TextField(blank=True)
    competing_location = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="landed")
                | (
                    Q(organisation__isnull=False)
                    & Q(landed_on__isnull=False)
                    & Q(new_jobs__isnull=False)
                    & Q(safeguarded_jobs__isnull=False)
                    & Q(capital_invested__isnull=False)
                ),
                name="%(app_label)s_%(class)s_landed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(expected_capital__isnull=True) | Q(expected_capital__gte=0),
                name="%(app_label)s_%(class)s_expected_capital_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(capital_invested__isnull=True) | Q(capital_invested__gte=0),
                name="%(app_label)s_%(class)s_capital_invested_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "landed_on"]),
            models.Index(fields=["referred_by", "stage"]),
        ]

    def __str__(self) -> str:
        return self.name


class LeadChange(models.Model):
    """One change to a lead: who, when, the stage it moved from and to, why, and the fields that
    changed (``{"field": [old, new]}``, values as text)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="changes")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    from_stage = models.CharField(max_length=16, choices=Lead.Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Lead.Stage.choices)
    reason = models.TextField(blank=True)
    fields = models.JSONField(default=dict, blank=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When the referring ambassador was emailed about this move."
    )

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["lead", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.lead}: {self.from_stage or 'new'} → {self.to_stage}"


class Briefing(models.Model):
    """Material staff publish to ambassadors: to all of them, or to those in one country or sector."""

    class Audience(models.TextChoices):
        ALL = "all", "All ambassadors"
        COUNTRY = "country", "Ambassadors in one country"
        SECTOR = "sector", "Ambassadors covering one sector"

    title = models.CharField(max_length=200)
    body = models.TextField()
    file = models.FileField(upload_to="briefings/%Y/", blank=True)
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ALL)
    audience_country = CountryField(blank=True)
    audience_sector = models.CharField(max_length=32, choices=Sector.choices, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(default=timezone.now)

    objects = BriefingQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(audience="country") | ~Q(audience_country=""),
                name="%(app_label)s_%(class)s_country_audience_has_country",
            ),
            models.CheckConstraint(
                condition=~Q(audience="sector") | ~Q(audience_sector=""),
                name="%(app_label)s_%(class)s_sector_audience_has_sector",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TargetMarket(models.Model):
    """A country and sector staff want the network to cover; the coverage matrix shows a gap where
    a target has no active ambassador."""

    country = CountryField()
    sector = models.CharField(max_length=32, choices=Sector.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["country", "sector"]
        constraints = [
            models.UniqueConstraint(fields=["country", "sector"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.country.name}: {self.get_sector_display()}"


class ActivityReminder(models.Model):
    """The monthly nudge to an ambassador with no activity in 90 days: one row per ambassador and
    month, claimed before the email is sent, so a job run twice sends once."""

    ambassador = models.ForeignKey(Ambassador, on_delete=models.CASCADE, related_name="reminders")
    month = models.DateField(help_text="The first day of the month the reminder is for.")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ambassador", "month"], name="%(app_label)s_%(class)s_once_a_month"),
        ]

    def __str__(self) -> str:
        return f"{self.ambassador} {self.month:%B %Y}"
