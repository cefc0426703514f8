"""Scopes of the funding models. An opportunity's status is worked out here from its dates and
today's date, in SQL, never stored: ``with_status`` annotates it, ``with_statuses`` filters by it."""

import datetime

from django.db import connection, models
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def status_conditions(today: datetime.date | None = None) -> dict[str, Q]:
    """Each status as a condition on the dates, for ``today`` (the local date by default). The four
    are exclusive and cover every opportunity (the constraints make closes_on ≥ opens_on):

    - upcoming: it opens after today;
    - closed: it closed before today;
    - closing soon: it is open and closes today or within ``CLOSING_SOON_DAYS`` days;
    - open: it is open and rolling, or closes later than that.
    """
    from .models import CLOSING_SOON_DAYS

    today = _today(today)
    soon = today + datetime.timedelta(days=CLOSING_SOON_DAYS)
    upcoming = Q(opens_on__gt=today)
    started = ~upcoming  # Django's negation keeps an empty opens_on (open already) in
    return {
        "upcoming": upcoming,
        "open": started & (Q(rolling=True) | Q(closes_on__gt=soon)),
        "closing_soon": started & Q(closes_on__gte=today, closes_on__lte=soon),
        "closed": Q(closes_on__lt=today),
    }


class OpportunityQuerySet(models.QuerySet):
    def published(self) -> "OpportunityQuerySet":
        """Opportunities on the public catalogue: every one not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def visible_to(self, user) -> "OpportunityQuerySet":
        """Staff see withdrawn opportunities too; everyone else the published ones."""
        from portal.roles import is_staff

        return self if is_staff(user) else self.published()

    def with_status(self, today: datetime.date | None = None) -> "OpportunityQuerySet":
        """Annotate ``status`` (an ``Opportunity.Status`` value) as of ``today``."""
        conditions = status_conditions(today)
        return self.annotate(
            status=Case(
                *(When(conditions[name], then=Value(name)) for name in ("upcoming", "closed", "closing_soon")),
                default=Value("open"),
                output_field=models.CharField(),
            )
        )

    def with_statuses(self, statuses, today: datetime.date | None = None) -> "OpportunityQuerySet":
        """Those whose status as of ``today`` is one of ``statuses``."""
        conditions = status_conditions(today)
        wanted = Q(pk__in=[])
        for status in statuses:
            wanted |= conditions[status]
        return self.filter(wanted)

    def current(self, today: datetime.date | None = None) -> "OpportunityQuerySet":
        """Not closed as of ``today``: upcoming, open or closing soon."""
        return self.exclude(status_conditions(today)["closed"])

    def search(self, text: str) -> "OpportunityQuerySet":
        """Those whose title, summary or eligibility hold the words of ``text``, annotated with a
        ``rank`` (higher is a better match). PostgreSQL: full-text search on the stored
        ``search_vector`` (English stemming; quoted phrases, ``or`` and ``-word`` as in a web
        search engine), ranked by ``SearchRank`` with the title weighted above the summary and the
        summary above the eligibility. Elsewhere: every word somewhere in the three, as a
        case-insensitive substring, ranked by where the words are found."""
        text = (text or "").strip()
        if not text:
            return self
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchRank

            query = SearchQuery(text, search_type="websearch", config="english")
            return self.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
        words = text.split()
        queryset = self
        for word in words:
            queryset = queryset.filter(
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(eligibility__icontains=word)
            )
        weights = (("title", 4), ("summary", 2), ("eligibility", 1))
        rank = sum(
            (
                Case(When(**{f"{field}__icontains": word}, then=Value(weight)), default=Value(0))
                for word in words
                for field, weight in weights
            ),
            Value(0),
        )
        return queryset.annotate(rank=rank)

    def for_list(self) -> "OpportunityQuerySet":
        """The funder and every rule, in a fixed number of queries whatever the number of rows."""
        return self.select_related("funder").prefetch_related("sector_rules", "area_rules", "stage_rules")

    def by_closing_date(self) -> "OpportunityQuerySet":
        """Soonest deadline first; rolling ones (no closing date) last."""
        return self.order_by(F("closes_on").asc(nulls_last=True), "title", "pk")


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AlertQuerySet":
        """A person's own alerts, and nobody else's (staff included: alerts are personal), so
        another person's alert is a 404. None for the signed out."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def active(self) -> "AlertQuerySet":
        """The alerts whose person asked for the digest."""
        return self.filter(is_active=True)


# The programme budget ------------------------------------------------------------------------


class SpendEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SpendEntryQuerySet":
        """Staff see every spend entry (the budget is the programme's, not one person's); nobody
        else sees any, so an entry is the same 404 to them as one that does not exist."""
        from portal.roles import is_staff

        return self if is_staff(user) else self.none()

    def for_list(self) -> "SpendEntryQuerySet":
        """With who recorded each one, in one query whatever the number of rows."""
        return self.select_related("recorded_by")
