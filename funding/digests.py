"""The funding alert digest: once a period (weekly by default; the schedule is edited in the admin),
every person with an active alert is emailed the new opportunities that match one of their alerts
and the matching ones closing within 14 days. Nothing is sent when nothing matches.

Once per person and period, whatever happens to the job:

1. ``alert_digests_send``, the scheduled job, first writes the period's ledger rows
   (``AlertDigest``, unique per person and period) in one statement, so running it twice, or on
   two workers at once, adds nothing the second time. Someone sent a digest within
   ``DIGEST_MIN_GAP`` gets no new row either, so a run redelivered after midnight does not start a
   second period. Then, after commit, it enqueues one job per row through the owed-email path
   (``portal.jobs.job_enqueue_owed``): the row already records the email as owed, so a broker that
   is down only delays it.
2. ``alert_digest_send`` locks the row (a second worker skips it), builds and sends the email,
   and marks it sent in the same transaction. A send that fails, or a worker killed mid-send,
   rolls back: the row is owed again at once, for the job's retry or the sweep.
3. ``alert_digests_send_owed``, every 10 minutes, sends the rows still owed: those whose job never
   ran or died with its worker.

What "new" means: published (``created_at``) after the end of the person's last digest that was
sent or found empty, and up to the time the row was written; for a first digest, or after a long
break, the last ``FIRST_DIGEST_LOOKBACK``. Each email carries a one-click unsubscribe link (a
signed token; RFC 8058 headers) that turns off all of the person's alerts.
"""

import datetime
import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from portal.jobs import job_enqueue_owed
from portal.models import User
from portal.site_url import site_url

from .alerts import alert_unsubscribe_token
from .filters import OpportunityFilterSet
from .models import CLOSING_SOON_DAYS, Alert, AlertDigest, Opportunity
from .querysets import status_conditions

logger = logging.getLogger(__name__)

S = AlertDigest.Status
# A first digest, or one after a break longer than LONGEST_LOOKBACK, lists what was published in
# this many days before it.
FIRST_DIGEST_LOOKBACK = datetime.timedelta(days=7)
LONGEST_LOOKBACK = datetime.timedelta(days=31)
# Nobody gets two digests closer together than this, whatever the schedule says.
DIGEST_MIN_GAP = datetime.timedelta(hours=12)
# The sweep sends digests owed for longer than OWED_AFTER (their job had time to run) and written
# within OWED_WITHIN (older news is left alone).
OWED_AFTER = datetime.timedelta(minutes=5)
OWED_WITHIN = datetime.timedelta(days=3)
# Each part of an email lists at most this many opportunities, then links to the rest.
ITEMS_SHOWN = 20
# How many opportunities one alert can bring into a digest: a bound on the work, far above a week's.
ITEMS_PER_ALERT = 200


# Writing the ledger --------------------------------------------------------------------------------


@transaction.atomic
def alert_digests_plan(*, now: datetime.datetime) -> int:
    """Write the owed ledger rows of the period of ``now`` (its local date) for every active person
    with an active alert who has none for this period and none written within ``DIGEST_MIN_GAP``.
    Two statements, whatever the number of people; rows already there are left as they are (the
    unique constraint), so it is idempotent and safe to run concurrently. Returns how many people
    it considered."""
    period = timezone.localdate(now)
    digests = AlertDigest.objects.filter(user=OuterRef("pk"))
    last_until = digests.filter(status__in=[S.SENT, S.EMPTY]).order_by("-until").values("until")[:1]
    people = (
        User.objects.filter(is_active=True)
        .filter(Exists(Alert.objects.filter(user=OuterRef("pk"), is_active=True)))
        .exclude(Exists(digests.filter(period=period)))
        .exclude(Exists(digests.filter(created_at__gt=now - DIGEST_MIN_GAP)))
        .annotate(last_until=Subquery(last_until))
        .values_list("pk", "last_until")
    )
    rows = []
    for user_id, last in people:
        since = last if last is not None and now - LONGEST_LOOKBACK < last <= now else now - FIRST_DIGEST_LOOKBACK
        rows.append(AlertDigest(user_id=user_id, period=period, since=since, until=now, created_at=now))
    AlertDigest.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def alert_digests_send(*, now: datetime.datetime | None = None) -> int:
    """The scheduled digest run: write this period's ledger rows (``alert_digests_plan``), then,
    once they are committed, enqueue one ``funding.alert_digest_send`` job per row still owed.
    Returns how many were enqueued. Idempotent: a second run in the period writes nothing, and its
    jobs find their rows sent or being sent; it never raises for a broker that is down (the sweep
    sends those)."""
    from .tasks import alert_digest_send as alert_digest_send_task

    now = now or timezone.now()
    with transaction.atomic():
        alert_digests_plan(now=now)
        owed = list(
            AlertDigest.objects.filter(period=timezone.localdate(now), status=S.OWED)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for digest_id in owed:
            job_enqueue_owed(alert_digest_send_task, digest_id)
    return len(owed)


# Sending one digest ------------------------------------------------------------------------------


@dataclass
class DigestItem:
    """One opportunity in a digest, with the summaries of the alerts it matches and its page."""

    opportunity: Opportunity
    alerts: list[str] = field(default_factory=list)
    url: str = ""


@dataclass
class DigestSection:
    """One part of a digest: the first ``ITEMS_SHOWN`` items and how many there are in all."""

    items: list[DigestItem]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def _closing_key(item: DigestItem):
    o = item.opportunity
    return (o.closes_on is None, o.closes_on or datetime.date.max, o.title, o.pk)


def alert_digest_content(
    *, user: User, since: datetime.datetime, until: datetime.datetime, today: datetime.date, base_url: str
) -> tuple[DigestSection, DigestSection]:
    """What ``user``'s digest lists: (new, closing). New: the published, not yet closed
    opportunities matching one of their active alerts, published after ``since`` up to ``until``.
    Closing: the other matching ones closing within ``CLOSING_SOON_DAYS`` days of ``today``. Each
    opportunity once, with every alert it matches; soonest deadline first. An alert matches as the
    catalogue's search with the same filters does (``OpportunityFilterSet``). One query for the
    alerts and one per alert."""
    published = Q(created_at__gt=since, created_at__lte=until)
    closing_soon = status_conditions(today)["closing_soon"]
    found: dict[int, DigestItem] = {}
    for alert in Alert.objects.filter(user=user, is_active=True).order_by("created_at", "pk"):
        data = QueryDict(urlencode(alert.catalogue_query, doseq=True))
        filterset = OpportunityFilterSet(
            data, queryset=Opportunity.objects.published().select_related("funder"), today=today
        )
        if not filterset.is_valid():  # a kind or sector since taken off the lists
            logger.warning("Funding alert %s no longer fits the catalogue's filters: %s", alert.pk, filterset.errors)
            continue
        for opportunity in filterset.qs.filter(published | closing_soon)[:ITEMS_PER_ALERT]:
            item = found.setdefault(
                opportunity.pk, DigestItem(opportunity, url=base_url + opportunity.get_absolute_url())
            )
            item.alerts.append(alert.summary)
    new = sorted((i for i in found.values() if since < i.opportunity.created_at <= until), key=_closing_key)
    listed = {item.opportunity.pk for item in new}
    closing = sorted(
        (
            item
            for item in found.values()
            if item.opportunity.pk not in listed and item.opportunity.status == Opportunity.Status.CLOSING_SOON
        ),
        key=_closing_key,
    )
    return DigestSection(new[:ITEMS_SHOWN], len(new)), DigestSection(closing[:ITEMS_SHOWN], len(closing))


def _subject(new: DigestSection, closing: DigestSection) -> str:
    parts = []
    if new.total:
        parts.append(f"{new.total} new opportunit{'y' if new.total == 1 else 'ies'}")
    if closing.total:
        parts.append(f"{closing.total} closing soon")
    return "Funding alerts: " + " and ".join(parts)


def alert_digest_email(
    *, digest: AlertDigest, new: DigestSection, closing: DigestSection, base_url: str
) -> EmailMessage:
    """The digest email to ``digest.user``: plain text, with a one-click unsubscribe link in the
    body and in the ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers (RFC 2369, RFC
    8058), and a Message-ID of its own, the same if it is ever sent again."""
    user = digest.user
    token = alert_unsubscribe_token(user=user)
    unsubscribe_url = base_url + reverse("funding:alert-unsubscribe", args=[token])
    context = {
        "user": user,
        "new": new,
        "closing": closing,
        "closing_soon_days": CLOSING_SOON_DAYS,
        "alerts_url": base_url + reverse("funding:alert-list"),
        "catalogue_url": base_url + reverse("funding:opportunity-list"),
        "unsubscribe_url": unsubscribe_url,
    }
    host = urlsplit(base_url).hostname or "localhost"
    return EmailMessage(
        subject=_subject(new, closing),
        body=render_to_string("funding/email/alert_digest.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": f"<funding-digest-{digest.pk}@{host}>",
        },
    )


@transaction.atomic
def alert_digest_send(*, digest: AlertDigest, now: datetime.datetime | None = None) -> bool:
    """Send one owed digest, once. Its ledger row is locked for the whole send (``FOR UPDATE SKIP
    LOCKED``): a second worker skips a digest being sent, and sees it sent once the first commits.
    A person with no active alert left is marked skipped, and a digest with nothing in it empty;
    neither is sent. If sending raises, or the worker dies mid-send, the transaction rolls back and
    the digest stays owed, unlocked, for the job's retry or the sweep. Returns True when it sent.

    The email goes before the commit that marks it sent, so the one way two could go is a worker
    killed, or the database lost, in the instant between the mail server's acceptance and that
    commit; every other failure sends none, and the next try sends one."""
    now = now or timezone.now()
    digest = (
        AlertDigest.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        .filter(pk=digest.pk, status=S.OWED)
        .first()
    )
    if digest is None:  # sent, empty or skipped already, or being sent by another worker now
        return False
    user = digest.user
    if not user.is_active or not Alert.objects.filter(user=user, is_active=True).exists():
        AlertDigest.objects.filter(pk=digest.pk).update(status=S.SKIPPED)
        return False
    base_url = site_url()
    new, closing = alert_digest_content(
        user=user, since=digest.since, until=digest.until, today=timezone.localdate(now), base_url=base_url
    )
    if not new.total and not closing.total:
        AlertDigest.objects.filter(pk=digest.pk).update(status=S.EMPTY)
        return False
    alert_digest_email(digest=digest, new=new, closing=closing, base_url=base_url).send()
    AlertDigest.objects.filter(pk=digest.pk).update(
        status=S.SENT, sent_at=timezone.now(), new_count=new.total, closing_count=closing.total
    )
    return True


def alert_digests_send_owed(*, now: datetime.datetime | None = None) -> int:
    """Send every digest still owed that was written between ``OWED_WITHIN`` and ``OWED_AFTER``
    ago: its job never ran (the broker was down or lost it), its worker died, or sending failed.
    Each once (``alert_digest_send`` locks it); one that fails is logged and left for the next
    sweep. Returns how many were sent. Idempotent."""
    now = now or timezone.now()
    owed = AlertDigest.objects.filter(status=S.OWED, created_at__range=(now - OWED_WITHIN, now - OWED_AFTER)).order_by(
        "created_at", "pk"
    )
    sent = 0
    for digest in owed:
        try:
            sent += alert_digest_send(digest=digest, now=now)
        except Exception:  # one bad address or a mail server hiccup must not stop the others
            logger.exception("The owed funding digest %s failed", digest.pk)
    return sent


__all__ = [
    "alert_digest_content",
    "alert_digest_email",
    "alert_digest_send",
    "alert_digests_plan",
    "alert_digests_send",
    "alert_digests_send_owed",
]
