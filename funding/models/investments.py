"""The investment register: deals and awards into the region's firms.

An amount is known or it is not: an undisclosed deal keeps ``amount_gbp`` empty and is counted as a
deal without a value, never given a guessed one. Investors are organisations of the registry; the
lead investor's country decides whether a deal counts as domestic or international. A deal that
matches another on firm, date, amount and kind is recorded with ``possible_duplicate_of`` set, so
staff decide, rather than being silently added twice or silently dropped.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from portal.models import Organisation

from ..investment_querysets import InvestmentImportQuerySet, InvestmentQuerySet
from .opportunities import Opportunity


class Investment(models.Model):
    """One deal or award into one firm. Invariants (check constraints): the amount is positive when
    it is disclosed; only equity rounds have a stage; whoever verified it, it has a verification date.
    """

    class Kind(models.TextChoices):
        EQUITY = "equity", "Equity round"
        GRANT = "grant", "Grant"
        LOAN = "loan", "Loan"
        OTHER = "other", "Other"

    class Stage(models.TextChoices):
        PRE_SEED = "pre_seed", "Pre-seed"
        SEED = "seed", "Seed"
        SERIES_A = "series_a", "Series A"
        SERIES_B = "series_b", "Series B"
        SERIES_C_PLUS = "series_c_plus", "Series C or later"
        GROWTH = "growth", "Growth or late stage"

    class Origin(models.TextChoices):
        STAFF = "staff", "Entered by staff"
        PARTNER = "partner", "Submitted by a partner"
        IMPORT = "import", "Imported from a file"

    firm = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="investments")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True, help_text="Equity rounds only.")
    amount_gbp = models.BigIntegerField(
        "amount (£)", null=True, blank=True, help_text="Leave empty when the amount was not disclosed."
    )
    announced_on = models.DateField("date", help_text="The day the deal closed or the award was made.")
    opportunity = models.ForeignKey(
        Opportunity,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="investments",
        help_text="The listed opportunity this came through, if any.",
    )
    title = models.CharField(max_length=200, blank=True, help_text="What the money is for, as published.")
    source = models.CharField(max_length=500, help_text="Where the figure comes from: a web address or a document.")
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.STAFF, editable=False)
    submitted_by = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_investments",
        editable=False,
        help_text="The partner organisation that submitted it through the API.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    possible_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = InvestmentQuerySet.as_manager()

    class Meta:
        ordering = ["-announced_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_gbp__isnull=True) | Q(amount_gbp__gt=0),
                name="%(app_label)s_%(class)s_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(kind="equity") | Q(stage=""),
                name="%(app_label)s_%(class)s_stage_only_for_equity",
            ),
            models.CheckConstraint(
                condition=Q(verified_at__isnull=True, verified_by__isnull=True) | Q(verified_at__isnull=False),
                name="%(app_label)s_%(class)s_verified_by_needs_date",
            ),
        ]
        indexes = [
            models.Index(fields=["announced_on"], name="funding_investment_date"),
            models.Index(fields=["firm", "announced_on"], name="funding_investment_firm_date"),
            models.Index(fields=["kind", "announced_on"], name="funding_investment_kind_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} into {self.firm} on {self.announced_on:%d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("funding:investment-detail", kwargs={"pk": self.pk})

    @property
    def is_disclosed(self) -> bool:
        return self.amount_gbp is not None

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class InvestmentInvestor(models.Model):
    """One investor in a deal (for a grant or loan: the funder or lender). At most one is the lead;
    ``country`` is where the investor is based (ISO 3166-1), which splits domestic (GB) from
    international money."""

    investment = models.ForeignKey(Investment, on_delete=models.CASCADE, related_name="investor_rows")
    investor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="investor_rows")
    is_lead = models.BooleanField("lead investor", default=False)
    country = CountryField(default="GB", help_text="Where the investor is based.")

    # Who was added, removed, made lead or moved country, and by whom: the deal's page shows it
    # beside the deal's own history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_lead", "investor__name"]
        constraints = [
            models.UniqueConstraint(fields=["investment", "investor"], name="%(app_label)s_%(class)s_unique"),
            models.UniqueConstraint(
                fields=["investment"], condition=Q(is_lead=True), name="%(app_label)s_%(class)s_one_lead"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.investor} ({'lead, ' if self.is_lead else ''}{self.country.code})"


class InvestmentImport(models.Model):
    """A CSV file of investments a member of staff uploaded, read and checked, waiting for them
    to confirm it. ``rows`` holds every row as checked (ids of the firm, investors and
    opportunity; new investor organisations by name), so the confirm step creates exactly what
    the preview showed, from the server's copy, never from the browser.

    An upload is confirmed once (``confirmed_at``; confirming again creates nothing) and only
    within ``IMPORT_HOURS`` of uploading it; an upload never confirmed is deleted at the next
    upload after that."""

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=200)
    rows = models.JSONField(help_text="The checked rows, in the order of the file.")
    row_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_count = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="Investments the confirmed upload created."
    )

    objects = InvestmentImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.row_count} rows)"
