"""Funding opportunities: every funder's calls in one catalogue.

An opportunity's status (upcoming, open, closing soon, closed) is never stored: it follows its
dates and today's date (``OpportunityQuerySet.with_status``), so nothing needs a job at midnight
and nobody edits it by hand. Eligibility is text plus structured rules; the rules that hold
several values (sectors, boroughs, stages) are rows of small tables, so filters are plain SQL on
PostgreSQL and SQLite alike. No row for a rule means the opportunity sets no limit on it.

``search_vector`` holds the title, summary and eligibility as a PostgreSQL ``tsvector`` (weights A,
B, C) behind a GIN index; ``services`` write it in the same transaction as the text (never a
signal). On SQLite it stays empty and the catalogue searches with ``icontains``.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from portal.models import LocalAuthority, Organisation, Sector
from portal.validators import validate_web_address

from ..querysets import OpportunityQuerySet

# Organisations that publish opportunities: funders, partners (universities, Birmingham Tech) and
# public bodies. Firms and workspace providers do not.
FUNDER_KINDS = (Organisation.Kind.FUNDER, Organisation.Kind.PARTNER, Organisation.Kind.PUBLIC_BODY)
# An opportunity closing within this many days (its closing day included) is "closing soon".
CLOSING_SOON_DAYS = 14


class SearchIndex(GinIndex):
    """A GIN index on PostgreSQL. Elsewhere (SQLite, the embedded default, which has no GIN) a
    plain index on the same column, so one migration serves both."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return models.Index.create_sql(self, model, schema_editor, using=using, **kwargs)


class Stage(models.TextChoices):
    """A firm's stage, in the words the workspace applications use, so a firm's profile can be
    matched against an opportunity's rule."""

    IDEA = "idea", "Idea or prototype"
    PRE_REVENUE = "pre_revenue", "Launched, no revenue yet"
    REVENUE = "revenue", "Earning revenue"
    SCALING = "scaling", "Scaling up"


class Opportunity(models.Model):
    """One funding opportunity of a funder: a grant, loan, equity, accelerator place, prize or
    procurement. Invariants (check constraints): amounts are not negative and the smallest is at
    most the largest; it closes on or after it opens; it has a closing date unless it is rolling;
    firm age and headcount ranges run from min to max. ``withdrawn_at`` takes it off the public
    catalogue without deleting it."""

    class Kind(models.TextChoices):
        GRANT = "grant", "Grant"
        LOAN = "loan", "Loan"
        EQUITY = "equity", "Equity investment"
        ACCELERATOR = "accelerator", "Accelerator"
        PRIZE = "prize", "Prize or competition"
        PROCUREMENT = "procurement", "Procurement"

    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        OPEN = "open", "Open"
        CLOSING_SOON = "closing_soon", "Closing soon"
        CLOSED = "closed", "Closed"

    funder = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="funding_opportunities")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.TextField(max_length=3000)
    amount_min_gbp = models.BigIntegerField("smallest amount (£)", null=True, blank=True)
    amount_max_gbp = models.BigIntegerField("largest amount (£)", null=True, blank=True)
    opens_on = models.DateField(null=True, blank=True, help_text="Empty when it is open already.")
    closes_on = models.DateField(null=True, blank=True, help_text="Empty only when it is rolling.")
    rolling = models.BooleanField(default=False, help_text="Open until further notice, with no closing date.")
    eligibility = models.TextField(max_length=5000)
    firm_age_min_years = models.PositiveSmallIntegerField(null=True, blank=True)
    firm_age_max_years = models.PositiveSmallIntegerField(null=True, blank=True)
    headcount_min = models.PositiveIntegerField(null=True, blank=True)
    headcount_max = models.PositiveIntegerField(null=True, blank=True)
    link = models.CharField("web address", max_length=500, validators=[validate_web_address])
    search_vector = SearchVectorField(null=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "search_vector"])
    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["closes_on", "title"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(
                condition=(Q(amount_min_gbp__isnull=True) | Q(amount_min_gbp__gte=0))
                & (Q(amount_max_gbp__isnull=True) | Q(amount_max_gbp__gte=0)),
                name="%(app_label)s_%(class)s_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_min_gbp__isnull=True)
                | Q(amount_max_gbp__isnull=True)
                | Q(amount_min_gbp__lte=F("amount_max_gbp")),
                name="%(app_label)s_%(class)s_amount_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(closes_on__gte=F("opens_on")),
                name="%(app_label)s_%(class)s_closes_after_opens",
            ),
            models.CheckConstraint(
                condition=Q(rolling=True, closes_on__isnull=True) | Q(rolling=False, closes_on__isnull=False),
                name="%(app_label)s_%(class)s_closing_date_or_rolling",
            ),
            models.CheckConstraint(
                condition=Q(firm_age_min_years__isnull=True)
                | Q(firm_age_max_years__isnull=True)
                | Q(firm_age_min_years__lte=F("firm_age_max_years")),
                name="%(app_label)s_%(class)s_firm_age_min_le_max",
            ),
            models.CheckConstraint(
                condition=Q(headcount_min__isnull=True)
                | Q(headcount_max__isnull=True)
                | Q(headcount_min__lte=F("headcount_max")),
                name="%(app_label)s_%(class)s_headcount_min_le_max",
            ),
        ]
        indexes = [
            SearchIndex(fields=["search_vector"], name="funding_opportunity_search"),
            models.Index(fields=["closes_on", "opens_on"], name="funding_opportunity_dates"),
            models.Index(fields=["kind"], name="funding_opportunity_kind"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:opportunity-detail", kwargs={"pk": self.pk})

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class OpportunitySector(models.Model):
    """One sector of the portal's taxonomy an opportunity is for. None: any sector."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="sector_rules")
    sector = models.CharField(max_length=32, choices=Sector.choices)

    class Meta:
        ordering = ["sector"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "sector"], name="%(app_label)s_%(class)s_unique"),
        ]
        indexes = [models.Index(fields=["sector", "opportunity"])]

    def __str__(self) -> str:
        return self.get_sector_display()


class OpportunityArea(models.Model):
    """One WMCA borough an opportunity is limited to. None: firms anywhere may apply."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="area_rules")
    local_authority = models.CharField(max_length=32, choices=LocalAuthority.choices)

    class Meta:
        ordering = ["local_authority"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "local_authority"], name="%(app_label)s_%(class)s_unique"),
        ]
        indexes = [models.Index(fields=["local_authority", "opportunity"])]

    def __str__(self) -> str:
        return self.get_local_authority_display()


class OpportunityStage(models.Model):
    """One firm stage an opportunity is for. None: any stage."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_rules")
    stage = models.CharField(max_length=20, choices=Stage.choices)

    class Meta:
        ordering = ["stage"]
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "stage"], name="%(app_label)s_%(class)s_unique"),
        ]

    def __str__(self) -> str:
        return self.get_stage_display()
