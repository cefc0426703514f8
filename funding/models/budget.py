"""The partnership programme's budget: what is planned for each category of cost in each quarter of
the programme's two years, and what is spent.

A plan line is one category in one calendar quarter with the amount planned; together the lines
are the programme's budget (£160,000 over two years). A spend entry is one cost: its date,
category, supplier, amount and note, and who recorded it. Money is pounds and pence (``Decimal``
with two places) and always more than zero. The programme's quarters follow
``settings.FUNDING_BUDGET_STARTS_ON`` (``funding.budget_selectors.programme_quarters``); the
services check that a line lies in one of them and that spend is dated within them, not after
today, in a category that has a line. Both keep their change history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from ..querysets import SpendEntryQuerySet


class BudgetCategory(models.TextChoices):
    """What the programme spends on: the partnership's four aims, and what runs them."""

    COMMISSIONER = "commissioner", "The Tech Commissioner"
    AMBASSADORS = "ambassadors", "Ambassador network"
    WORKSPACES = "workspaces", "Start-up workspaces"
    FUNDING = "funding", "Funding and investment"
    EVENTS = "events", "Events and communications"
    DATA = "data", "Data and the portal"
    OTHER = "other", "Other costs"


class BudgetLine(models.Model):
    """The amount planned for one category in one calendar quarter. Invariants (constraints): one
    line per category and quarter; the quarter is 1 to 4; the amount is more than zero (a quarter
    with nothing planned has no line)."""

    category = models.CharField(max_length=24, choices=BudgetCategory.choices)
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField(help_text="1 for January to March, up to 4 for October to December.")
    planned_gbp = models.DecimalField("planned amount (£)", max_digits=12, decimal_places=2)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["year", "quarter", "category"]
        constraints = [
            models.UniqueConstraint(fields=["category", "year", "quarter"], name="%(app_label)s_%(class)s_unique"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="%(app_label)s_%(class)s_quarter_1_to_4"
            ),
            models.CheckConstraint(condition=Q(planned_gbp__gt=0), name="%(app_label)s_%(class)s_planned_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}, {self.year} Q{self.quarter}: £{self.planned_gbp:,}"


class SpendEntry(models.Model):
    """One cost of the programme. Invariant (constraint): the amount is more than zero. A refund
    is not a negative entry: the entry it refunds is changed or removed, and the history keeps
    what it was."""

    spent_on = models.DateField("date", help_text="The date on the invoice or receipt.")
    category = models.CharField(max_length=24, choices=BudgetCategory.choices)
    supplier = models.CharField(max_length=200)
    amount_gbp = models.DecimalField("amount (£)", max_digits=12, decimal_places=2)
    note = models.TextField(max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = SpendEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name_plural = "spend entries"
        constraints = [
            models.CheckConstraint(condition=Q(amount_gbp__gt=0), name="%(app_label)s_%(class)s_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["spent_on"], name="funding_spend_date"),
            models.Index(fields=["category", "spent_on"], name="funding_spend_category_date"),
        ]

    def __str__(self) -> str:
        return f"£{self.amount_gbp:,} to {self.supplier} on {self.spent_on:%d %B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("funding:spend-detail", kwargs={"pk": self.pk})
