"""Funding alerts: a person's saved searches of the catalogue, and the ledger of the email digest.

An alert holds the catalogue's own filters (kinds, a sector, words), so "what matches an alert"
is exactly what the catalogue shows for the same search (``OpportunityFilterSet``). The digest
ledger (``AlertDigest``) has one row per person and period, written before anything is sent: the
unique constraint is what makes a digest go once per period however often the job runs, and the
row's lock is what stops two workers sending the same one.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from portal.models import Sector

from ..querysets import AlertQuerySet
from .opportunities import Opportunity

# A person keeps at most this many alerts: enough for every kind of funding they follow.
MAX_ALERTS_PER_USER = 10
# Each kind of funding in the plural, as an alert's summary names it.
KIND_PLURALS = {
    Opportunity.Kind.GRANT: "grants",
    Opportunity.Kind.LOAN: "loans",
    Opportunity.Kind.EQUITY: "equity investment",
    Opportunity.Kind.ACCELERATOR: "accelerators",
    Opportunity.Kind.PRIZE: "prizes and competitions",
    Opportunity.Kind.PROCUREMENT: "contracts",
}


class Alert(models.Model):
    """One person's alert criteria: kinds of funding (``kinds``, a sorted list of
    ``Opportunity.Kind`` values; empty: any kind), a ``sector`` (empty: any; opportunities open to
    any sector match every sector, as in the catalogue) and ``words`` (empty: any; searched as the
    catalogue searches). ``is_active`` off keeps the alert but leaves it out of the digest.
    Invariant (unique constraint): a person saves the same criteria once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_alerts")
    kinds = models.JSONField(default=list, blank=True)
    sector = models.CharField(max_length=32, choices=Sector.choices, blank=True)
    words = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField("email me a digest", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kinds", "sector", "words"], name="%(app_label)s_%(class)s_unique_criteria"
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="funding_alert_user_active")]

    def __str__(self) -> str:
        return self.summary

    def get_absolute_url(self) -> str:
        return reverse("funding:alert-update", kwargs={"pk": self.pk})

    @property
    def kind_labels(self) -> list[str]:
        return [Opportunity.Kind(kind).label for kind in self.kinds if kind in Opportunity.Kind.values]

    @property
    def summary(self) -> str:
        """The criteria in words: "Grants or loans for fintech firms, with the words “net zero”";
        "Every new opportunity" when it sets none."""
        kinds = [KIND_PLURALS[kind] for kind in self.kinds if kind in KIND_PLURALS]
        if len(kinds) > 1:
            what = ", ".join(kinds[:-1]) + " or " + kinds[-1]
        else:
            what = kinds[0] if kinds else "every kind of funding"
        what = what[0].upper() + what[1:]
        parts = [what]
        if self.sector:
            parts.append(f"for {sector_phrase(self.sector)} firms")
        text = " ".join(parts)
        if self.words:
            text += f", with the words “{self.words}”"
        return "Every new opportunity" if text == "Every kind of funding" else text

    @property
    def catalogue_query(self) -> dict:
        """The catalogue's query parameters for the same search (``OpportunityFilterSet`` data)."""
        query: dict = {}
        if self.words:
            query["q"] = self.words
        if self.kinds:
            query["kind"] = list(self.kinds)
        if self.sector:
            query["sector"] = self.sector
        return query


def sector_phrase(sector: str) -> str:
    """A sector's label to write in a sentence: "software and SaaS", "AI and data" (an initial
    capital is kept only where the label starts with an abbreviation)."""
    label = Sector(sector).label
    return label if label[:2].isupper() else label[0].lower() + label[1:]


class AlertDigest(models.Model):
    """One person's digest for one period (the local date its run began): the new opportunities
    published between ``since`` and ``until`` that match one of their active alerts, and those
    closing within 14 days. Made, owed, before anything is sent, and locked while a worker sends
    it; ``status`` ends as sent, empty (nothing matched, so nothing was sent) or skipped (no active
    alert left by then). Invariants: once per person and period (unique constraint); ``since`` ≤ ``until``; a
    sent digest has its ``sent_at``."""

    class Status(models.TextChoices):
        OWED = "owed", "Owed"
        SENT = "sent", "Sent"
        EMPTY = "empty", "Nothing to send"
        SKIPPED = "skipped", "Skipped: no active alert"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="funding_digests")
    period = models.DateField(help_text="The day the digest run began.")
    since = models.DateTimeField(help_text="New opportunities published after this time are in it…")
    until = models.DateTimeField(help_text="…up to this time.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OWED)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    new_count = models.PositiveIntegerField(default=0, editable=False)
    closing_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-period", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="%(app_label)s_%(class)s_once_per_period"),
            models.CheckConstraint(condition=Q(since__lte=F("until")), name="%(app_label)s_%(class)s_since_le_until"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="%(app_label)s_%(class)s_sent_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="funding_digest_status_created")]

    def __str__(self) -> str:
        return f"Funding digest of {self.period:%d %B %Y} for {self.user}: {self.get_status_display()}"
