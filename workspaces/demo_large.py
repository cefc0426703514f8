"""Workspace applications of the large synthetic data set (``seed_demo --scale large``, local use
and benchmarks only), loaded with ``COPY`` after ``portal.demo_large`` has loaded the firms.

``seed(firms=…)`` makes ``WORKSPACES`` synthetic workspaces (most in Birmingham, one outside the
WMCA area) and one application for every ``FIRMS_PER_APPLICATION`` firms, spread over the 15
years of the register with more each year, each from a young tech firm of the WMCA boroughs and
its founder (one account per firm, which cannot sign in). Every application holds what the real
workflow would have recorded: its status history, a review with a score per criterion once it was
scored, the working days its decision took, an offer holding desks, a tenancy once accepted
(ended when its last day has passed). The open applications (drafts, submitted, in review, offered,
waitlisted) are recent; the rest are decided. Each pool's ``allocated`` counts the desks its open
offers and current tenancies hold, and its capacity leaves room for them.

Deterministic: the same firms on the same day give the same rows. Idempotent: nothing is added
when the large set's founders exist already. No email is owed: every status change is marked as
notified.
"""

import datetime
import random
from itertools import accumulate

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from portal.bulk_copy import ids_reserve, rows_copy, tables_analyse
from portal.demo_large import COHORT_GROWTH, COHORT_YEARS, MARK, LargeDataError, large_firms
from portal.models import LocalAuthority, Organisation, User
from portal.roles import Role, role_group

from .models import Application, Criterion, DeskPool, DeskType, Review, Score, StatusChange, Tenancy, Workspace
from .workdays import is_working_day

FIRMS_PER_APPLICATION = 2
FOUNDER_EMAIL = "large-founder-{n:06d}@example.org"
FOUNDER_PREFIX = "large-founder-"
S = Application.Status
HOT, FIXED, PRIVATE = DeskType.HOT_DESK, DeskType.FIXED_DESK, DeskType.PRIVATE_OFFICE
# borough -> (postcode district, how many workspaces)
WORKSPACES = {
    LocalAuthority.BIRMINGHAM: ("B", 12),
    LocalAuthority.COVENTRY: ("CV", 5),
    LocalAuthority.WOLVERHAMPTON: ("WV", 3),
    LocalAuthority.SOLIHULL: ("B9", 3),
    LocalAuthority.DUDLEY: ("DY", 2),
    LocalAuthority.SANDWELL: ("B7", 2),
    LocalAuthority.WALSALL: ("WS", 2),
    LocalAuthority.OUTSIDE: ("LE", 1),
}
PROVIDERS = 8
PLACES = ["Wharf", "Yard", "Works", "Mill", "Exchange", "Quarter", "Arcade", "Foundry", "Studios", "Hub"]
# Final status -> weight. Open applications are recent; old drafts were abandoned.
STATUS_WEIGHTS = {
    S.DRAFT: 5.0,
    S.SUBMITTED: 1.2,
    S.IN_REVIEW: 1.2,
    S.OFFERED: 0.6,
    S.WAITLISTED: 1.0,
    S.ACCEPTED: 35.0,
    S.REJECTED: 29.0,
    S.DECLINED: 8.0,
    S.EXPIRED: 4.0,
    S.WITHDRAWN: 15.0,
}
RECENT = {S.SUBMITTED, S.IN_REVIEW, S.OFFERED, S.WAITLISTED}
SCORED = {S.IN_REVIEW, S.OFFERED, S.WAITLISTED, S.REJECTED, S.ACCEPTED, S.DECLINED, S.EXPIRED}
THROUGH_OFFER = {S.OFFERED, S.ACCEPTED, S.DECLINED, S.EXPIRED}
DESKS = {HOT: (45, 1, 4), FIXED: (35, 1, 6), PRIVATE: (20, 2, 10)}  # weight, fewest, most
DESKS_CUMULATIVE = list(accumulate(weight for weight, _, _ in DESKS.values()))
COHORT_CUMULATIVE = list(accumulate(COHORT_GROWTH**i for i in range(COHORT_YEARS)))
PRICES = {HOT: (70, 140), FIXED: (130, 240), PRIVATE: (250, 450)}
PITCHES = [
    "Booking software for independent gyms, with paying sites across the Midlands.",
    "Computer-vision inspection for small manufacturers, piloting with Black Country firms.",
    "A marketplace matching care workers with shifts.",
    "Carbon accounting for the supply chains of the region's carmakers.",
    "Payments for market traders, built with a regional credit union.",
    "A games studio making a first title for consoles.",
]
REASONS = {
    S.REJECTED: "The panel scored the application below the threshold for growth potential this round.",
    S.WAITLISTED: "No desk of that type is free at the moment.",
    S.DECLINED: "We found space nearer home.",
    S.WITHDRAWN: "Our plans changed.",
    S.EXPIRED: "The offer was not accepted in time.",
}


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=datetime.UTC)


def _after_working_days(day: datetime.date, days: int) -> datetime.date:
    """The day ``days`` working days after ``day`` (``working_days_between`` gives ``days`` back)."""
    while days:
        day += datetime.timedelta(days=1)
        days -= is_working_day(day)
    return day


def _before_working_days(day: datetime.date, days: int) -> datetime.date:
    """A day ``days`` working days before ``day`` (a working day itself, so the count is exact)."""
    while days:
        days -= is_working_day(day)
        day -= datetime.timedelta(days=1)
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def _workspaces(rng: random.Random) -> list[Workspace]:
    """The synthetic providers and workspaces with their three desk pools (capacity set later)."""
    providers = Organisation.objects.bulk_create(
        Organisation(
            name=f"{rng.choice(['Canal', 'Forge', 'Union', 'Beacon'])} Workspaces {n} Ltd {MARK}",
            kind=Organisation.Kind.WORKSPACE_PROVIDER,
            is_tech=False,
        )
        for n in range(1, PROVIDERS + 1)
    )
    workspaces = []
    for borough, (district, count) in WORKSPACES.items():
        for n in range(1, count + 1):
            name = f"{LocalAuthority(borough).label.split()[0]} {rng.choice(PLACES)} {n} {MARK}"
            workspaces.append(
                Workspace(
                    provider=rng.choice(providers),
                    name=name,
                    slug=f"large-{borough}-{n}",
                    summary=f"{MARK} A workspace of the large synthetic data set, not a real place.",
                    address=f"{n} Example Street (fictional), {LocalAuthority(borough).label}",
                    postcode=f"{district}{n} 9ZZ",
                    local_authority=borough,
                    eligibility="Digital and tech start-ups trading for under five years.",
                    accessibility="Step-free entrance and lift to every floor, accessible toilets.",
                    accepting_applications=rng.random() < 0.9,
                )
            )
    workspaces = Workspace.objects.bulk_create(workspaces)
    DeskPool.objects.bulk_create(
        DeskPool(
            workspace=workspace,
            desk_type=desk_type,
            capacity=0,
            monthly_price_gbp=rng.randint(*PRICES[desk_type]),
        )
        for workspace in workspaces
        for desk_type in (HOT, FIXED, PRIVATE)
    )
    return workspaces


def _firm_at(rng: random.Random, by_year: dict, day: datetime.date):
    """A tech firm of the WMCA boroughs founded in the five years before ``day`` and not
    dissolved by then, or None after a few tries."""
    for _ in range(8):
        year = rng.randint(day.year - 5, day.year)
        if by_year.get(year):
            firm = rng.choice(by_year[year])
            if firm.founded_on <= day and (firm.dissolved_on is None or firm.dissolved_on > day):
                return firm
    return None


def _created_on(rng: random.Random, status: str, today: datetime.date) -> datetime.date:
    if status in RECENT or (status == S.DRAFT and rng.random() < 0.3):
        return today - datetime.timedelta(days=rng.randint(12, 40))
    years = list(range(today.year - COHORT_YEARS + 1, today.year + 1))
    year = rng.choices(years, cum_weights=COHORT_CUMULATIVE)[0]
    first, last = datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), today - datetime.timedelta(days=90))
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


class _Rows:
    """The rows of every table, gathered while the applications are made."""

    def __init__(self):
        self.applications, self.chosen, self.changes, self.reviews, self.scores, self.tenancies = [], [], [], [], [], []


APPLICATION_FIELDS = [
    "id", "applicant_id", "organisation_id", "status", "company_number", "firm_name", "firm_local_authority",
    "firm_sector", "firm_founded_on", "team_size", "founders", "team_description", "desk_type", "desks",
    "start_on", "support_needs", "stage", "pitch", "diversity_consent", "founders_women",
    "founders_ethnic_minority", "founders_disabled", "offer_pool_id", "offer_desks", "offer_expires_at",
    "submitted_at", "decided_at", "decision_working_days", "created_at", "updated_at",
]  # fmt: skip
CHANGE_FIELDS = ["application_id", "from_status", "to_status", "actor_id", "reason", "created_at", "notified_at"]
REVIEW_FIELDS = ["id", "application_id", "reviewer_id", "comment", "total", "maximum", "created_at"]
TENANCY_FIELDS = [
    "application_id", "organisation_id", "pool_id", "desks", "start_on", "end_on", "ended_on", "created_at",
]  # fmt: skip


@transaction.atomic
def seed(*, firms: int, today: datetime.date | None = None) -> dict:
    """Load the workspaces and ``firms // FIRMS_PER_APPLICATION`` applications for the large
    set's firms (``portal.demo_large`` loads them first). Returns counts (``new`` False when they
    were there already). Idempotent. Raises ``LargeDataError`` when the demo reviewer and staff
    accounts (``portal.demo.seed``) are missing."""
    if User.objects.filter(email__startswith=FOUNDER_PREFIX).exists():
        return _counts(new=False)
    staff = User.objects.filter(email="staff@example.org").values_list("pk", flat=True).first()
    reviewer = User.objects.filter(email="reviewer@example.org").values_list("pk", flat=True).first()
    if staff is None or reviewer is None:
        raise LargeDataError("Load the demo accounts first (seed_demo does).")
    today = today or timezone.localdate()
    rng = random.Random(14_4)  # noqa: S311 - demo data, not security
    workspaces = _workspaces(rng)
    pools = {(pool.workspace_id, pool.desk_type): pool for pool in DeskPool.objects.filter(workspace__in=workspaces)}
    criteria = list(Criterion.objects.filter(is_active=True).values_list("pk", "weight"))
    by_borough: dict[str, list[Workspace]] = {}
    for workspace in workspaces:
        by_borough.setdefault(workspace.local_authority, []).append(workspace)
    by_year: dict[int, list] = {}
    for firm in large_firms():
        if firm.is_tech and firm.local_authority != LocalAuthority.OUTSIDE:
            by_year.setdefault(firm.founded_on.year, []).append(firm)

    count = firms // FIRMS_PER_APPLICATION
    ids = ids_reserve(Application, count)
    # Ids for as many founders and reviews as there could be: the few left unused are a gap in
    # each sequence, which nothing minds.
    review_ids = iter(ids_reserve(Review, count))
    founders: dict[int, tuple[int, datetime.datetime]] = {}  # firm id -> (user id, joined)
    user_ids = iter(ids_reserve(User, count))
    rows = _Rows()
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=count)
    allocated: dict[int, int] = {}
    for pk, status in zip(ids, statuses, strict=True):
        created_on = _created_on(rng, status, today)
        firm = _firm_at(rng, by_year, created_on)
        while firm is None:
            created_on = _created_on(rng, status, today)
            firm = _firm_at(rng, by_year, created_on)
        created = _moment(created_on, rng)
        if firm.id not in founders:
            founders[firm.id] = (next(user_ids), created)
        founder = founders[firm.id][0]
        nearby = by_borough.get(firm.local_authority) if rng.random() < 0.7 else None
        chosen = rng.sample(workspaces, rng.choice([1, 1, 2, 3]))
        if nearby and nearby[0] not in chosen:
            chosen[0] = rng.choice(nearby)
        chosen = list(dict.fromkeys(chosen))
        desk_type = rng.choices(list(DESKS), cum_weights=DESKS_CUMULATIVE)[0]
        desks = rng.randint(*DESKS[desk_type][1:])
        pool = pools[(chosen[0].pk, desk_type)]
        start_on = created_on + datetime.timedelta(days=rng.randint(30, 75))
        founders_count = rng.randint(1, 3)
        consent = rng.random() < 0.7
        created, submitted, decided, working_days, moved = _history(
            rng, rows, pk, status, created, today, (founder, staff, reviewer), criteria, review_ids
        )
        founders[firm.id] = (founder, min(founders[firm.id][1], created))  # joined by their first draft
        offer = status == S.OFFERED
        if offer:
            allocated[pool.pk] = allocated.get(pool.pk, 0) + desks
        if status == S.ACCEPTED:
            accepted_on = moved.date()
            tenancy_start = max(start_on, accepted_on)
            end_on = tenancy_start + relativedelta(months=settings.WORKSPACES_TENANCY_MONTHS, days=-1)
            ended_on = None
            if rng.random() < 0.1:  # given back early
                ended_on = tenancy_start + datetime.timedelta(days=rng.randint(30, (end_on - tenancy_start).days))
            elif end_on < today:
                ended_on = end_on
            if ended_on is not None and ended_on > today:
                ended_on = None
            if ended_on is None:
                allocated[pool.pk] = allocated.get(pool.pk, 0) + desks
            rows.tenancies.append((pk, firm.id, pool.pk, desks, tenancy_start, end_on, ended_on, moved))
        rows.chosen.extend((pk, workspace.pk) for workspace in chosen)
        rows.applications.append(
            (
                pk,
                founder,
                firm.id if submitted else None,
                status,
                firm.company_number,
                firm.name,
                firm.local_authority,
                firm.sector,
                firm.founded_on,
                founders_count + rng.randint(0, 6),
                founders_count,
                f"{founders_count} founder(s) with product and engineering backgrounds.",
                desk_type,
                desks,
                start_on,
                "Introductions to investors and a mentor who has scaled a software firm.",
                rng.choice([Application.Stage.PRE_REVENUE, Application.Stage.REVENUE, Application.Stage.SCALING]),
                rng.choice(PITCHES),
                consent,
                rng.randint(0, founders_count) if consent else None,
                rng.randint(0, founders_count) if consent else None,
                rng.randint(0, 1) if consent else None,
                pool.pk if offer else None,
                desks if offer else None,
                decided + datetime.timedelta(days=settings.WORKSPACES_OFFER_DAYS) if offer else None,
                submitted,
                decided,
                working_days,
                created,
                moved,
            )
        )

    group = role_group(Role.FOUNDER)
    people = sorted(founders.values())
    rows_copy(
        User,
        ["id", "email", "full_name", "password", "date_joined"],
        (
            (pk, FOUNDER_EMAIL.format(n=n), f"Synthetic Founder {n:06d} {MARK}", "!large-demo-no-sign-in", joined)
            for n, (pk, joined) in enumerate(people, start=1)
        ),
    )
    rows_copy(User.groups.through, ["user_id", "group_id"], ((pk, group.pk) for pk, _ in people))
    rows_copy(Application, APPLICATION_FIELDS, rows.applications)
    rows_copy(Application.workspaces.through, ["application_id", "workspace_id"], rows.chosen)
    rows_copy(StatusChange, CHANGE_FIELDS, rows.changes)
    rows_copy(Review, REVIEW_FIELDS, rows.reviews)
    rows_copy(Score, ["review_id", "criterion_id", "value"], rows.scores)
    rows_copy(Tenancy, TENANCY_FIELDS, rows.tenancies)
    for pool in pools.values():
        pool.allocated = allocated.get(pool.pk, 0)
        pool.capacity = max(rng.randint(10, 40), pool.allocated + rng.randint(0, 8))
    DeskPool.objects.bulk_update(pools.values(), ["allocated", "capacity"])
    tables_analyse(User, Application, Application.workspaces.through, StatusChange, Review, Score, Tenancy)
    return _counts(new=True)


def _history(rng, rows: _Rows, pk, status, created, today, people, criteria, review_ids):
    """Record the status changes (and the review) that took application ``pk`` to ``status``.
    Returns (created at, submitted at, first decided at, its working days, time of the last
    change); a recent open application's creation moves back before its submission."""
    founder, staff, reviewer = people
    change = rows.changes.append
    if status in RECENT:  # still open: submitted in the last few weeks, decided in the last few days
        working_days = rng.randint(2, 12)
        decided_on = today - datetime.timedelta(days=rng.randint(0, 9))
        submitted = _moment(_before_working_days(decided_on, working_days), rng)
        created = min(created, submitted - datetime.timedelta(hours=rng.randint(1, 100)))
    change((pk, "", S.DRAFT, founder, "Draft started", created, created))
    if status == S.DRAFT:
        return created, None, None, None, created
    if status not in RECENT:
        submitted = created + datetime.timedelta(days=rng.randint(0, 6), hours=rng.randint(1, 5))
        working_days = rng.randint(2, 20) if rng.random() < 0.8 else rng.randint(21, 40)
        decided_on = _after_working_days(submitted.date(), working_days)
    decided = _moment(decided_on, rng)
    decided = max(decided, submitted + datetime.timedelta(hours=1))
    change((pk, S.DRAFT, S.SUBMITTED, founder, "", submitted, submitted))
    if status == S.SUBMITTED or (status == S.WITHDRAWN and rng.random() < 0.5):
        if status == S.WITHDRAWN:
            gone = submitted + (decided - submitted) / 2
            change((pk, S.SUBMITTED, S.WITHDRAWN, founder, REASONS[S.WITHDRAWN], gone, gone))
            return created, submitted, None, None, gone
        return created, submitted, None, None, submitted
    reviewed = submitted + (decided - submitted) / 3
    review = next(review_ids)
    good = status in THROUGH_OFFER or status == S.WAITLISTED
    scores = [(criterion, rng.randint(3, 5) if good else rng.randint(0, 3), weight) for criterion, weight in criteria]
    rows.reviews.append(
        (
            review,
            pk,
            reviewer,
            "Clear pitch and a credible plan." if good else "Little evidence of demand yet.",
            sum(value * weight for _, value, weight in scores),
            sum(Score.MAXIMUM * weight for _, _, weight in scores),
            reviewed,
        )
    )
    rows.scores.extend((review, criterion, value) for criterion, value, _ in scores)
    change((pk, S.SUBMITTED, S.IN_REVIEW, reviewer, "First score recorded", reviewed, reviewed))
    if status == S.IN_REVIEW:
        return created, submitted, None, None, reviewed
    if status == S.WITHDRAWN:
        change((pk, S.IN_REVIEW, S.WITHDRAWN, founder, REASONS[S.WITHDRAWN], decided, decided))
        return created, submitted, None, None, decided
    if status in (S.REJECTED, S.WAITLISTED):
        change((pk, S.IN_REVIEW, status, staff, REASONS[status], decided, decided))
        return created, submitted, decided, working_days, decided
    change((pk, S.IN_REVIEW, S.OFFERED, staff, "", decided, decided))
    if status == S.OFFERED:
        return created, submitted, decided, working_days, decided
    answered = decided + datetime.timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 6))
    if status == S.EXPIRED:
        answered = decided + datetime.timedelta(days=settings.WORKSPACES_OFFER_DAYS, minutes=15)
    actor = None if status == S.EXPIRED else founder
    change((pk, S.OFFERED, status, actor, REASONS.get(status, ""), answered, answered))
    return created, submitted, decided, working_days, answered


def _counts(*, new: bool) -> dict:
    applications = Application.objects.filter(applicant__email__startswith=FOUNDER_PREFIX)
    return {
        "new": new,
        "applications": applications.count(),
        "by_status": dict(applications.values_list("status").annotate(n=Count("pk")).order_by()),
        "tenancies": Tenancy.objects.filter(application__in=applications).count(),
        "current_tenancies": Tenancy.objects.filter(application__in=applications, ended_on__isnull=True).count(),
        "workspaces": Workspace.objects.filter(slug__startswith="large-").count(),
    }
