"""The ambassador network of the large synthetic data set (``seed_demo --scale large``, local use
and benchmarks only), loaded with ``COPY`` after ``portal.demo_large`` has loaded the firms.

``seed(firms=…)`` makes one ambassador for every ``FIRMS_PER_AMBASSADOR`` firms (most active,
some paused or retired; and a few more still invited) in ``COUNTRIES`` skewed towards the largest markets,
the network growing over ten years; one activity per firm, most of them by the busiest
ambassadors, each inside its ambassador's term; and one lead for every ``FIRMS_PER_LEAD`` firms,
most referred by an ambassador on the network at the time. Open leads are recent; a landed lead
is a firm of the large register that relocated from abroad (foreign direct investment), from
elsewhere in the UK (a UK office) or grew here (an expansion), landed on the day it was founded
(or, for an expansion, later). Every lead carries the stage history that brought it there.

Deterministic: the same firms on the same day give the same rows. Idempotent: nothing is added
when the large set's ambassador accounts exist already. No email is owed: every lead change is
marked as notified.
"""

import datetime
import random
from decimal import Decimal
from itertools import accumulate

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from portal.bulk_copy import ids_reserve, rows_copy, tables_analyse
from portal.demo_large import MARK, SECTOR_WEIGHTS, LargeDataError, large_firms
from portal.models import Organisation, User
from portal.roles import Role, role_group

from .models import Activity, Ambassador, AmbassadorSector, Lead, LeadChange

FIRMS_PER_AMBASSADOR = 50
AMBASSADORS_MIN = 10  # so a small test size still has a network
ACTIVITIES_PER_FIRM = 1
FIRMS_PER_LEAD = 5
NETWORK_YEARS = 10
AMBASSADOR_EMAIL = "large-ambassador-{n:05d}@example.org"
AMBASSADOR_PREFIX = "large-ambassador-"
# country -> (city, weight)
COUNTRIES = {
    "US": ("New York", 14), "IN": ("Bengaluru", 12), "DE": ("Berlin", 6), "CN": ("Shanghai", 5),
    "FR": ("Paris", 4), "IE": ("Dublin", 4), "NG": ("Lagos", 4), "CA": ("Toronto", 4), "AU": ("Sydney", 3),
    "JP": ("Tokyo", 3), "SG": ("Singapore", 3), "AE": ("Dubai", 3), "NL": ("Amsterdam", 3), "PL": ("Warsaw", 2),
    "ES": ("Madrid", 2), "SE": ("Stockholm", 2), "KE": ("Nairobi", 2), "ZA": ("Johannesburg", 2),
    "BR": ("São Paulo", 2), "KR": ("Seoul", 2), "IL": ("Tel Aviv", 2), "PK": ("Karachi", 2), "IT": ("Milan", 2),
    "MX": ("Mexico City", 1), "EE": ("Tallinn", 1), "PT": ("Lisbon", 1), "DK": ("Copenhagen", 1),
    "FI": ("Helsinki", 1), "NO": ("Oslo", 1), "CH": ("Zurich", 1), "GH": ("Accra", 1), "VN": ("Hanoi", 1),
    "MY": ("Kuala Lumpur", 1), "NZ": ("Auckland", 1), "GB": ("London", 6),
}  # fmt: skip
STATUS_WEIGHTS = {"active": 80, "paused": 10, "retired": 10}
AMBASSADORS_PER_INVITED = 50  # invitations still waiting, on top of the ambassadors (at least one)
FIRST_NAMES = ["Aisha", "Bram", "Chen", "Dara", "Elif", "Femi", "Greta", "Hiro", "Imani", "Jonas", "Kavya", "Luis"]
LAST_NAMES = ["Adeyemi", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ito", "Jensen"]
ACTIVITY_WEIGHTS = {"event": 30, "introduction": 30, "investor_meeting": 20, "media": 12, "trade_mission": 8}
# Final stage -> weight; leads still open were referred in the last eighteen months.
STAGE_WEIGHTS = {"referred": 8, "qualified": 8, "active": 10, "verify_win": 4, "landed": 32, "lost": 38}
OPEN_STAGES = {"referred", "qualified", "active", "verify_win"}
PATH = ["referred", "qualified", "active", "verify_win", "landed"]
KIND_WEIGHTS = {"fdi": 60, "uk_office": 25, "expansion": 15}
KIND_ORIGIN = {
    "fdi": Organisation.Origin.RELOCATED_ABROAD,
    "uk_office": Organisation.Origin.RELOCATED_UK,
    "expansion": Organisation.Origin.HOME_GROWN,
}
LOST_REASONS = ["Chose a site nearer its customers", "Put the expansion on hold", "Better incentives elsewhere"]
ELSEWHERE = ["Manchester", "Leeds", "Dublin", "Amsterdam", "Bristol", "Not yet decided"]
WORDS = ["Nordlicht", "Bluepeak", "Quantia", "Sakura", "Lagoon", "Vireo", "Kestrel", "Polaris", "Maple", "Orbit"]
FIRM_KINDS = ["Analytics", "Robotics", "Payments", "Health", "Mobility", "Labs", "Security", "Games"]


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(rng.randint(8, 18), rng.randint(0, 59)), tzinfo=datetime.UTC)


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


class _Member:
    """One ambassador while the rows are made: id, user, status, term and how busy they are."""

    __slots__ = ("id", "user", "status", "country", "starts", "ends", "active_until", "busy")

    def __init__(self, **values):
        for name, value in values.items():
            setattr(self, name, value)


def _network(rng: random.Random, count: int, today: datetime.date) -> list[_Member]:
    invited = max(1, count // AMBASSADORS_PER_INVITED)
    ids, user_ids = ids_reserve(Ambassador, count + invited), iter(ids_reserve(User, count))
    started = today - datetime.timedelta(days=365 * NETWORK_YEARS)
    members = []
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=count)
    statuses += ["invited"] * invited
    for pk, status in zip(ids, statuses, strict=True):
        # More join each year: a power under one skews joining dates towards today.
        starts = started + datetime.timedelta(days=int((today - started).days * rng.random() ** 0.6))
        ends = None
        if status == "retired":
            ends = min(_day_between(rng, starts + datetime.timedelta(days=180), today), today)
        quiet = today - datetime.timedelta(days=rng.randint(120, 400)) if status == "paused" else today
        members.append(
            _Member(
                id=pk,
                user=None if status == "invited" else next(user_ids),
                status=status,
                country=rng.choices(list(COUNTRIES), weights=[w for _, w in COUNTRIES.values()])[0],
                starts=None if status == "invited" else starts,
                ends=ends,
                active_until=max(starts, ends or quiet),
                busy=rng.paretovariate(1.5),  # a few ambassadors do most of the work
            )
        )
    return members


def _network_rows(rng: random.Random, members: list[_Member], group_id: int, today: datetime.date) -> None:
    people = [m for m in members if m.user is not None]
    rows_copy(
        User,
        ["id", "email", "full_name", "password", "date_joined"],
        (
            (
                m.user,
                AMBASSADOR_EMAIL.format(n=n),
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {MARK}",
                "!large-demo-no-sign-in",
                _moment(m.starts, rng),
            )
            for n, m in enumerate(people, start=1)
        ),
    )
    rows_copy(User.groups.through, ["user_id", "group_id"], ((m.user, group_id) for m in people))
    rows_copy(
        Ambassador,
        [
            "id",
            "user_id",
            "full_name",
            "status",
            "country",
            "city",
            "expertise",
            "languages",
            "bio",
            "term_starts_on",
            "term_ends_on",
            "public_profile",
            "created_at",
            "updated_at",
        ],  # fmt: skip
        (
            (
                m.id,
                m.user,
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {MARK}",
                m.status,
                m.country,
                COUNTRIES[m.country][0],
                rng.choice(["Series A fundraising", "Market entry", "Trade policy", "University spin-outs"]),
                rng.choice(["English", "English, Hindi", "English, German", "English, French, Arabic"]),
                "A fictional ambassador of the large synthetic network.",
                m.starts,
                m.ends,
                rng.random() < 0.5,
                _moment(m.starts or today, rng),
                _moment(m.ends or m.starts or today, rng),
            )
            for m in members
        ),
    )
    sectors, weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
    rows_copy(
        AmbassadorSector,
        ["ambassador_id", "sector"],
        (
            (m.id, sector)
            for m in members
            for sector in sorted(set(rng.choices(sectors, weights=weights, k=rng.randint(1, 3))))
        ),
    )


def _activities(rng: random.Random, members: list[_Member], count: int):
    working = [m for m in members if m.starts is not None]
    picked = rng.choices(working, weights=[m.busy * ((m.active_until - m.starts).days + 1) for m in working], k=count)
    kinds, weights = list(ACTIVITY_WEIGHTS), list(ACTIVITY_WEIGHTS.values())
    for member, kind in zip(picked, rng.choices(kinds, weights=weights, k=count), strict=True):
        day = _day_between(rng, member.starts, member.active_until)
        yield (
            member.id,
            kind,
            day,
            rng.choice(["Online", COUNTRIES[member.country][0], "London", "Birmingham"]),
            rng.choice([None, rng.randint(5, 400)]),
            f"Synthetic {kind.replace('_', ' ')}.",
            _moment(day, rng),
        )


def _referrer(rng: random.Random, working: list[_Member], cumulative: list[float], day: datetime.date):
    """An ambassador on the network on ``day`` (busier ones more often), or None after a few tries."""
    for member in rng.choices(working, cum_weights=cumulative, k=16):
        if member.starts <= day <= member.active_until:
            return member
    return None


@transaction.atomic
def seed(*, firms: int, today: datetime.date | None = None) -> dict:
    """Load ``firms // FIRMS_PER_AMBASSADOR`` ambassadors (``AMBASSADORS_MIN`` at least), ``firms ×
    ACTIVITIES_PER_FIRM`` activities and ``firms // FIRMS_PER_LEAD`` leads with their history for
    the large set's firms (``portal.demo_large`` loads them first). Returns counts (``new`` False
    when they were there already). Idempotent. Raises ``LargeDataError`` when the demo staff
    account is missing."""
    if User.objects.filter(email__startswith=AMBASSADOR_PREFIX).exists():
        return _counts(new=False)
    staff = User.objects.filter(email="staff@example.org").values_list("pk", flat=True).first()
    if staff is None:
        raise LargeDataError("Load the demo accounts first (seed_demo does).")
    today = today or timezone.localdate()
    rng = random.Random(14_2611)  # noqa: S311 - demo data, not security
    members = _network(rng, max(AMBASSADORS_MIN, firms // FIRMS_PER_AMBASSADOR), today)
    _network_rows(rng, members, role_group(Role.AMBASSADOR).pk, today)
    rows_copy(
        Activity,
        ["ambassador_id", "kind", "occurred_on", "place", "reach", "notes", "created_at"],
        _activities(rng, members, firms * ACTIVITIES_PER_FIRM),
    )
    _leads(rng, members, firms // FIRMS_PER_LEAD, staff, today)
    tables_analyse(User, Ambassador, AmbassadorSector, Activity, Lead, LeadChange)
    return _counts(new=True)


CHANGE_FIELDS = ["lead_id", "changed_by_id", "changed_at", "from_stage", "to_stage", "reason", "notified_at"]
LEAD_FIELDS = [
    "id", "name", "company_number", "summary", "organisation_id", "origin_country", "sector", "kind",
    "referred_by_id", "owner_id", "stage", "expected_jobs", "expected_capital", "new_jobs", "safeguarded_jobs",
    "capital_invested", "landed_on", "lost_reason", "competing_location", "version", "created_by_id",
    "created_at", "updated_at",
]  # fmt: skip


def _leads(rng: random.Random, members: list[_Member], count: int, staff: int, today: datetime.date) -> None:
    working = [m for m in members if m.starts is not None]
    cumulative = list(accumulate(m.busy for m in working))
    landing = {origin: [] for origin in KIND_ORIGIN.values()}  # firms that may have landed, by origin
    for firm in large_firms():
        if firm.is_tech:
            landing[firm.origin].append(firm)
    for firms in landing.values():
        rng.shuffle(firms)
    network_start = today - datetime.timedelta(days=365 * NETWORK_YEARS)
    leads, changes = [], []
    stages = rng.choices(list(STAGE_WEIGHTS), weights=list(STAGE_WEIGHTS.values()), k=count)
    for pk, stage in zip(ids_reserve(Lead, count), stages, strict=True):
        kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        firm, landed_on = None, None
        if stage == "landed":
            candidates = landing[KIND_ORIGIN[kind]]
            while candidates and candidates[-1].founded_on < network_start + datetime.timedelta(days=60):
                candidates.pop()  # landed before the network could have referred it
            if candidates:
                firm = candidates.pop()
                landed_on = firm.founded_on
                if kind == "expansion":
                    landed_on = _day_between(rng, firm.founded_on, firm.dissolved_on or today)
            else:
                stage = "lost"
        if stage == "landed":
            referred = landed_on - datetime.timedelta(days=rng.randint(30, 400))
        elif stage in OPEN_STAGES:
            referred = today - datetime.timedelta(days=rng.randint(5, 540))
        else:
            referred = _day_between(rng, network_start, today - datetime.timedelta(days=30))
        member = _referrer(rng, working, cumulative, referred) if rng.random() < 0.92 else None
        path = [*PATH[: rng.randint(1, 4)], "lost"] if stage == "lost" else PATH[: PATH.index(stage) + 1]
        last = landed_on or min(today, referred + datetime.timedelta(days=rng.randint(20, 500)))
        moments = sorted(_moment(_day_between(rng, referred, last), rng) for _ in path)
        moments[0] = _moment(referred, rng)
        if landed_on:
            moments[-1] = _moment(landed_on, rng)
        moments = sorted(moments)
        sector = firm.sector if firm else rng.choices(list(SECTOR_WEIGHTS), weights=list(SECTOR_WEIGHTS.values()))[0]
        origin = (firm.origin_country if firm else rng.choice(list(COUNTRIES))) if kind == "fdi" else "GB"
        qualified = len(path) > 1
        engaged = len(path) > 2
        leads.append(
            (
                pk,
                firm.name if firm else f"{rng.choice(WORDS)} {rng.choice(FIRM_KINDS)} {MARK}",
                firm.company_number if firm else "",
                "A fictional lead of the large synthetic network.",
                firm.id if firm else None,
                origin if qualified else "",
                sector if qualified else "",
                kind if qualified else "",
                member.id if member else None,
                staff if engaged else None,
                stage,
                rng.randint(5, 120) if engaged else None,
                Decimal(rng.randint(2, 400) * 25_000) if engaged else None,
                rng.randint(3, 150) if firm else None,
                rng.choice([0, 0, 0, rng.randint(1, 40)]) if firm else None,
                Decimal(rng.randint(1, 500) * 20_000) if firm else None,
                landed_on,
                rng.choice(LOST_REASONS) if stage == "lost" else "",
                rng.choice(ELSEWHERE) if stage == "lost" else "",
                len(path),
                member.user if member else staff,
                moments[0],
                moments[-1],
            )
        )
        for index, to_stage in enumerate(path):
            reason = leads[-1][17] if to_stage == "lost" else ""
            by = (member.user if member else staff) if index == 0 else staff
            changes.append((pk, by, moments[index], path[index - 1] if index else "", to_stage, reason, moments[index]))
    rows_copy(Lead, LEAD_FIELDS, leads)
    rows_copy(LeadChange, CHANGE_FIELDS, changes)


def _counts(*, new: bool) -> dict:
    ambassadors = Ambassador.objects.filter(full_name__endswith=MARK)
    leads = Lead.objects.filter(summary="A fictional lead of the large synthetic network.")
    return {
        "new": new,
        "ambassadors": ambassadors.exclude(status=Ambassador.Status.INVITED).count(),
        "invited": ambassadors.filter(status=Ambassador.Status.INVITED).count(),
        "countries": ambassadors.values("country").distinct().count(),
        "activities": Activity.objects.filter(ambassador__in=ambassadors).count(),
        "leads": leads.count(),
        "by_stage": dict(leads.values_list("stage").annotate(n=Count("pk")).order_by()),
    }
