"""Core records shared by every app: users, organisations, yearly firm facts, partner credentials."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.indexes import OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast, Upper
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .querysets import FirmYearQuerySet, OrganisationQuerySet
from .validators import company_number_normalise, validate_company_number, validate_web_address


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


DELETED_ACCOUNT_NAME = "Deleted account"


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address. Roles are Django groups (see ``roles.Role``);
    ``is_staff`` only opens the Django admin and is kept for operators and office staff.

    A deleted account keeps its row, so the records that name it (decisions, reviews, leads, change
    history) stay whole: ``portal.personal_data.account_delete`` scrubs it (no name, a placeholder
    address, no password, no roles), deactivates it and stamps ``deleted_at``.
    """

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the admin site.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the person deleted their account; its data is gone."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        if self.deleted_at is not None:
            return DELETED_ACCOUNT_NAME
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.get_full_name()


class LocalAuthority(models.TextChoices):
    BIRMINGHAM = "birmingham", "Birmingham"
    COVENTRY = "coventry", "Coventry"
    DUDLEY = "dudley", "Dudley"
    SANDWELL = "sandwell", "Sandwell"
    SOLIHULL = "solihull", "Solihull"
    WALSALL = "walsall", "Walsall"
    WOLVERHAMPTON = "wolverhampton", "Wolverhampton"
    OUTSIDE = "outside", "Outside the WMCA area"


class Sector(models.TextChoices):
    """The portal's tech taxonomy."""

    SOFTWARE = "software", "Software and SaaS"
    FINTECH = "fintech", "Fintech"
    HEALTHTECH = "healthtech", "Health and medtech"
    CLEANTECH = "cleantech", "Clean and climate tech"
    MOBILITY = "mobility", "Mobility and automotive tech"
    GAMES = "games", "Games and immersive"
    CYBER = "cyber", "Cyber security"
    AI_DATA = "ai_data", "AI and data"
    TELECOMS = "telecoms", "Telecoms and 5G"
    MANUFACTURING = "manufacturing", "Advanced manufacturing and industry 4.0"
    EDTECH = "edtech", "Education tech"
    PROPTECH = "proptech", "Property and construction tech"
    CREATIVE = "creative", "Creative digital and media"
    ECOMMERCE = "ecommerce", "E-commerce and marketplaces"
    OTHER_TECH = "other_tech", "Other tech"
    NON_TECH = "non_tech", "Not tech"


COMPANY_NUMBER_TAKEN = "An organisation with this Companies House number already exists."


class PrefixIndex(models.Index):
    """An index that serves ``LIKE 'text%'`` on one text expression (``text_pattern_ops``) on
    PostgreSQL, whatever the collation; elsewhere (SQLite, the embedded default, which has no
    operator classes) a plain index on the same expression, so one migration serves both."""

    def __init__(self, expression, *, name: str):
        super().__init__(OpClass(expression, name="text_pattern_ops"), name=name)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return path, (self.expressions[0].source_expressions[0],), {"name": self.name}

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = models.Index(self.expressions[0].source_expressions[0], name=self.name)
        return plain.create_sql(model, schema_editor, using=using, **kwargs)


class Organisation(models.Model):
    """One firm or body, shared by every app. A Companies House number, when given, is unique.

    ``recorded_by`` names the partner organisation that answers for a firm's record; who may change
    what is decided in ``portal.permissions``.
    """

    class Kind(models.TextChoices):
        FIRM = "firm", "Firm"
        PARTNER = "partner", "Partner"
        FUNDER = "funder", "Funder"
        WORKSPACE_PROVIDER = "workspace_provider", "Workspace provider"
        PUBLIC_BODY = "public_body", "Public body"

    class Origin(models.TextChoices):
        HOME_GROWN = "home_grown", "Home-grown"
        RELOCATED_UK = "relocated_uk", "Relocated from elsewhere in the UK"
        RELOCATED_ABROAD = "relocated_abroad", "Relocated from abroad"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.FIRM)
    company_number = models.CharField(
        "Companies House number", max_length=8, blank=True, validators=[validate_company_number]
    )
    website = models.URLField(blank=True)
    sector = models.CharField(max_length=32, choices=Sector.choices, blank=True)
    local_authority = models.CharField(max_length=32, choices=LocalAuthority.choices, blank=True)
    founded_on = models.DateField(null=True, blank=True)
    dissolved_on = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=32, choices=Origin.choices, default=Origin.HOME_GROWN)
    origin_country = models.CharField(
        max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, for firms relocated from abroad."
    )
    is_tech = models.BooleanField(default=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="organisations")
    recorded_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="maintained by",
        help_text=(
            "The partner organisation that created or maintains this record: its API client may change "
            "this firm and report its yearly facts. Set it to hand a firm to a partner; leave it empty "
            "for firms only their members and staff change."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company_number"],
                condition=~Q(company_number=""),
                name="%(app_label)s_%(class)s_company_number_unique",
                violation_error_message=COMPANY_NUMBER_TAKEN,
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(founded_on__isnull=True)
                | Q(dissolved_on__gte=F("founded_on")),
                name="%(app_label)s_%(class)s_dissolved_after_founded",
                violation_error_message="The dissolution date cannot be before the founding date.",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "is_tech"]),
            models.Index(fields=["founded_on"]),
            # The start of a name or number as staff type it (portal/suggestions.py): the LIKE of
            # ``name__istartswith`` and ``company_number__startswith``, at any size.
            PrefixIndex(Upper(Cast("name", models.TextField())), name="portal_org_name_prefix"),
            PrefixIndex(Cast("company_number", models.TextField()), name="portal_org_number_prefix"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.company_number = company_number_normalise(self.company_number)
        errors = {}
        if self.origin == self.Origin.RELOCATED_ABROAD and not self.origin_country:
            errors["origin_country"] = "Give the country a firm relocated from."
        if self.origin != self.Origin.RELOCATED_ABROAD and self.origin_country:
            errors["origin_country"] = "Only firms relocated from abroad have an origin country."
        # The two constraints below are checked here too because Django reports a conditional
        # unique or check constraint as a non-field error; users need to know which field is wrong.
        if self.website:
            try:
                validate_web_address(self.website)
            except ValidationError as error:
                errors["website"] = error
        if self.founded_on and self.dissolved_on and self.dissolved_on < self.founded_on:
            errors["dissolved_on"] = "The dissolution date cannot be before the founding date."
        if (
            self.company_number
            and Organisation.objects.exclude(pk=self.pk).filter(company_number=self.company_number).exists()
        ):
            errors["company_number"] = ValidationError(COMPANY_NUMBER_TAKEN, code="unique")
        if errors:
            raise ValidationError(errors)


# (smaller count, larger count, constraint rule name): each count is at most the other. A part is
# at most its whole directly too, so the rule holds when the disclosed count is left empty.
FIRM_YEAR_COUNT_RULES = [
    ("leadership_disclosed", "leadership_total", "leadership_disclosed_le_total"),
    ("leadership_women", "leadership_disclosed", "leadership_women_le_disclosed"),
    ("leadership_ethnic_minority", "leadership_disclosed", "leadership_ethnic_le_disclosed"),
    ("staff_disclosed", "staff_total", "staff_disclosed_le_total"),
    ("staff_women", "staff_disclosed", "staff_women_le_disclosed"),
    ("staff_ethnic_minority", "staff_disclosed", "staff_ethnic_le_disclosed"),
    ("leadership_women", "leadership_total", "leadership_women_le_total"),
    ("leadership_ethnic_minority", "leadership_total", "leadership_ethnic_le_total"),
    ("staff_women", "staff_total", "staff_women_le_total"),
    ("staff_ethnic_minority", "staff_total", "staff_ethnic_le_total"),
]


def _at_most(small: str, big: str, rule: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{small}__isnull": True}) | Q(**{f"{big}__isnull": True}) | Q(**{f"{small}__lte": F(big)}),
        name=f"%(app_label)s_%(class)s_{rule}",
    )


class FirmYear(models.Model):
    """An organisation's facts for one calendar year. One row per (organisation, year).

    Diversity counts are of people who disclosed: women and ethnic-minority counts are each at most
    the disclosed count, which is at most the total headcount. Unknown values are empty, not zero.
    """

    class Source(models.TextChoices):
        SELF_REPORTED = "self_reported", "Self-reported"
        PARTNER = "partner", "Partner"
        STAFF = "staff", "Staff"

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    employees = models.PositiveIntegerField(null=True, blank=True)
    turnover_gbp = models.PositiveBigIntegerField("turnover (GBP)", null=True, blank=True)
    leadership_total = models.PositiveIntegerField(null=True, blank=True)
    leadership_disclosed = models.PositiveIntegerField(null=True, blank=True)
    leadership_women = models.PositiveIntegerField(null=True, blank=True)
    leadership_ethnic_minority = models.PositiveIntegerField(null=True, blank=True)
    staff_total = models.PositiveIntegerField(null=True, blank=True)
    staff_disclosed = models.PositiveIntegerField(null=True, blank=True)
    staff_women = models.PositiveIntegerField(null=True, blank=True)
    staff_ethnic_minority = models.PositiveIntegerField(null=True, blank=True)
    consent = models.BooleanField(
        default=False, help_text="The firm agrees its diversity figures are used in aggregate statistics."
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.SELF_REPORTED)
    as_of = models.DateField()
    recorded_by = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = FirmYearQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="%(app_label)s_%(class)s_one_per_year"),
            *(_at_most(small, big, rule) for small, big, rule in FIRM_YEAR_COUNT_RULES),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    def clean(self) -> None:
        errors = {}
        for small, big, _rule in FIRM_YEAR_COUNT_RULES:
            a, b = getattr(self, small), getattr(self, big)
            if a is not None and b is not None and a > b:
                big_label = self._meta.get_field(big).verbose_name
                errors.setdefault(small, f"Cannot be more than {big_label} ({b}).")
        if errors:
            raise ValidationError(errors)


class PartnerCredential(models.Model):
    """An OAuth2 client-credentials application issued to one partner organisation.

    ``scopes`` bounds what the client may ask for; revoking deletes its tokens and disables it.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="credentials")
    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="partner_credential"
    )
    scopes = models.CharField(max_length=200, help_text="Space-separated scopes the client may request.")
    is_staff_owned = models.BooleanField(
        "run by the Commissioner's office",
        default=False,
        help_text="A client of the office's own systems (such as its CRM): it may receive events about "
        "confidential records, such as leads that landed.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True, help_text="When the secret was last replaced.")
    previous_secret = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        help_text="The replaced secret, hashed, while its grace period runs.",
    )
    previous_secret_expires_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="The replaced secret stops working at this time."
    )

    history = HistoricalRecords(excluded_fields=["previous_secret"])

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.application.client_id})"

    @property
    def previous_secret_works(self) -> bool:
        return bool(self.previous_secret) and (
            self.previous_secret_expires_at is not None and self.previous_secret_expires_at > timezone.now()
        )

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class YearlyFactsRequest(models.Model):
    """A reminder sent to a firm to report its facts for a year; at most one per (firm, year)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="facts_requests")
    year = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="%(app_label)s_%(class)s_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class DataVersion(models.Model):
    """The version of one data key (``portal.page_cache.DATA_KEYS``): moved on by every write that
    changes what the cached pages and API lists of that key show, in the write's transaction."""

    key = models.CharField(max_length=40, primary_key=True)
    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Feedback(models.Model):
    """A problem someone reported on the feedback page: what they were doing, what went wrong and,
    if they want a reply, their email address. Staff are emailed each one once (``emailed_at``)."""

    doing = models.TextField("what you were doing", max_length=2000)
    problem = models.TextField("what went wrong", max_length=2000)
    email = models.EmailField("email address", blank=True)
    page = models.CharField("page", max_length=500, blank=True, help_text="The address they came from, if known.")
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="When staff were emailed.")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"Feedback of {self.created_at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """The first answer to an API write sent with an ``Idempotency-Key`` header, so a retry with
    the same key and request gets the same answer and writes nothing again.

    One row per (client, key): the client is a partner's OAuth application (``app:<id>``) or a
    signed-in user (``user:<id>``). ``fingerprint`` is a hash of the method, address and body;
    ``status_code`` is empty while the first request is still being served. Rows older than
    ``IDEMPOTENCY_KEY_HOURS`` are deleted by a job and never replayed.
    """

    client = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="%(app_label)s_%(class)s_once_per_client"),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.key}"


class ApiWrite(models.Model):
    """One write (POST, PUT, PATCH, DELETE) a partner's API client sent: when, what and the
    answer. Kept for staff and for the partner itself (``/api/v1/api-writes/``)."""

    credential = models.ForeignKey(PartnerCredential, on_delete=models.PROTECT, related_name="writes")
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    status_code = models.PositiveSmallIntegerField()
    error_code = models.CharField(max_length=64, blank=True, help_text="The first error's code, for a refusal.")
    idempotency_key = models.CharField(max_length=255, blank=True)
    replayed = models.BooleanField(default=False, help_text="Answered from an earlier request with the same key.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["credential", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status_code}"


WEBHOOK_EVENTS = {
    "observation.published": "A value of an indicator was published or replaced.",
    "kpi_refresh.finished": "A KPI refresh finished (succeeded or failed).",
    "opportunity.created": "A funding opportunity was published.",
    "opportunity.changed": "A published funding opportunity was changed or withdrawn.",
    "lead.landed": "An investment lead landed (clients run by the Commissioner's office only).",
}
# Events about confidential records: only clients run by the Commissioner's office itself
# (``PartnerCredential.is_staff_owned``) may subscribe to them or receive them.
STAFF_OWNED_WEBHOOK_EVENTS = frozenset({"lead.landed"})


class WebhookSubscription(models.Model):
    """A partner client's request to be told of events: the portal POSTs each one to ``url``,
    signed with ``secret`` (HMAC-SHA256 of the timestamp and the body). After
    ``WEBHOOK_PAUSE_AFTER_FAILURES`` deliveries in a row fail for good, the subscription is paused
    with the reason, and the partner sees it; changing the subscription resumes it."""

    credential = models.ForeignKey(PartnerCredential, on_delete=models.PROTECT, related_name="webhooks")
    url = models.URLField("address", max_length=500, validators=[validate_web_address])
    events = models.CharField(max_length=300, help_text="Space-separated event names.")
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(default=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.url} ({self.events})"

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class WebhookDelivery(models.Model):
    """One event sent, or to be sent, to one subscription. ``delivery_id`` travels in the
    ``Portal-Delivery`` header so a receiver can drop a repeat. A pending delivery is tried at
    ``next_attempt_at`` until it succeeds or has been tried ``WEBHOOK_MAX_ATTEMPTS`` times."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    delivery_id = models.UUIDField(unique=True, editable=False)
    event = models.CharField(max_length=64)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.subscription.url}: {self.status}"
