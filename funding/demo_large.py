"""The investment register of the large synthetic data set (``seed_demo --scale large``, local use
and benchmarks only), loaded with ``COPY`` after ``portal.demo_large`` has loaded the firms.

``seed(firms=…)`` makes one investor for every ``FIRMS_PER_INVESTOR`` firms (funds, lenders and
public bodies, most of them based in the UK) and ``INVESTMENTS_PER_FIRM`` deals per firm, skewed
as a real register is: a few firms raise again and again, most never do. Each deal falls between
the firm's founding and its dissolution (or today): grants, equity rounds (their stage following
the firm's age), loans and others, amounts drawn per kind and stage, one in ten undisclosed (one in
five equity rounds); one to four investors, exactly one of them the lead, whose country makes the
deal domestic or international. Most are imported and most are verified by the demo staff
account; a few are flagged as possible duplicates of the firm's previous deal.

Deterministic: the same firms on the same day give the same rows. Idempotent: nothing is added
when the large set's deals exist already (their ``source`` starts with ``SOURCE_PREFIX``).
"""

import datetime
import random

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from portal.bulk_copy import ids_reserve, rows_copy, tables_analyse
from portal.demo_large import MARK, LargeDataError, large_firms
from portal.models import Organisation, User

from .models import Investment, InvestmentInvestor

FIRMS_PER_INVESTOR = 50
INVESTORS_MIN = 20  # so a small test size still has investors of every kind
INVESTMENTS_PER_FIRM = 2
SOURCE_PREFIX = "https://register.example.org/large/"
DEMO_PARTNER = "Birmingham Tech (demo)"
K, St = Investment.Kind, Investment.Stage
KIND_WEIGHTS = {K.GRANT: 40, K.EQUITY: 30, K.LOAN: 22, K.OTHER: 8}
# investor kind -> (share of investors, name endings, the deal kinds it makes)
INVESTOR_KINDS = {
    "fund": (55, ["Capital", "Ventures", "Partners", "Angels"], {K.EQUITY, K.OTHER}),
    "lender": (20, ["Finance", "Growth Loans", "Credit"], {K.LOAN, K.OTHER}),
    "public": (25, ["Innovation Agency", "Growth Hub", "Research Council"], {K.GRANT, K.OTHER}),
}
COUNTRY_WEIGHTS = {"GB": 68, "US": 10, "DE": 4, "FR": 3, "IE": 3, "NL": 3, "SG": 2, "JP": 2, "IN": 2, "AE": 2, "SE": 1}
# (fewest, most) pounds; equity by stage
AMOUNTS = {
    K.GRANT: (5_000, 500_000),
    K.LOAN: (25_000, 2_000_000),
    K.OTHER: (10_000, 250_000),
    St.PRE_SEED: (50_000, 500_000),
    St.SEED: (250_000, 3_000_000),
    St.SERIES_A: (2_000_000, 15_000_000),
    St.SERIES_B: (10_000_000, 40_000_000),
    St.SERIES_C_PLUS: (25_000_000, 120_000_000),
    St.GROWTH: (40_000_000, 250_000_000),
}
ORIGINS = [Investment.Origin.IMPORT, Investment.Origin.STAFF, Investment.Origin.PARTNER]  # 70%, 20%, 10%
WORDS = ["Aurora", "Beacon", "Cathedral", "Edgbaston", "Forge", "Jewellery", "Lickey", "Malvern", "Severn", "Wrekin"]


def _amount(rng: random.Random, low: int, high: int) -> int:
    """Log-uniform between ``low`` and ``high``, rounded to a thousand pounds."""
    return max(1_000, int(round(low * (high / low) ** rng.random(), -3)))


def _stage(rng: random.Random, age_years: float) -> str:
    if age_years < 2:
        return rng.choice([St.PRE_SEED, St.PRE_SEED, St.SEED])
    if age_years < 4:
        return rng.choice([St.SEED, St.SEED, St.SERIES_A])
    if age_years < 7:
        return rng.choice([St.SERIES_A, St.SERIES_A, St.SERIES_B])
    return rng.choice([St.SERIES_B, St.SERIES_C_PLUS, St.GROWTH])


def _investors(rng: random.Random, count: int) -> dict[str, list[tuple[int, str]]]:
    """The investor organisations: ``{deal kind: [(id, country), …]}`` of those that make it."""
    kinds = rng.choices(list(INVESTOR_KINDS), weights=[w for w, _, _ in INVESTOR_KINDS.values()], k=count)
    countries = rng.choices(list(COUNTRY_WEIGHTS), weights=list(COUNTRY_WEIGHTS.values()), k=count)
    rows, makes = [], {kind: [] for kind in K.values}
    for n, (pk, kind, country) in enumerate(zip(ids_reserve(Organisation, count), kinds, countries, strict=True), 1):
        _, endings, deals = INVESTOR_KINDS[kind]
        country = "GB" if kind == "public" else country
        organisation_kind = Organisation.Kind.PUBLIC_BODY if kind == "public" else Organisation.Kind.FUNDER
        rows.append((pk, f"{rng.choice(WORDS)} {rng.choice(endings)} {n:04d} {MARK}", organisation_kind, False))
        for deal in deals:
            makes[deal].append((pk, country))
    rows_copy(Organisation, ["id", "name", "kind", "is_tech"], rows)
    return makes


INVESTMENT_FIELDS = [
    "id", "firm_id", "kind", "stage", "amount_gbp", "announced_on", "title", "source", "origin",
    "submitted_by_id", "verified_at", "verified_by_id", "possible_duplicate_of_id", "created_at", "updated_at",
]  # fmt: skip


@transaction.atomic
def seed(*, firms: int, today: datetime.date | None = None) -> dict:
    """Load ``firms // FIRMS_PER_INVESTOR`` investors (``INVESTORS_MIN`` at least) and ``firms ×
    INVESTMENTS_PER_FIRM`` deals with their investors for the large set's firms
    (``portal.demo_large`` loads them first). Returns counts (``new`` False when they were there
    already). Idempotent. Raises ``LargeDataError`` when the demo staff account is missing."""
    deals = Investment.objects.filter(source__startswith=SOURCE_PREFIX)
    if deals.exists():
        return _counts(new=False)
    staff = User.objects.filter(email="staff@example.org").values_list("pk", flat=True).first()
    if staff is None:
        raise LargeDataError("Load the demo accounts first (seed_demo does).")
    partner = Organisation.objects.filter(name=DEMO_PARTNER).values_list("pk", flat=True).first()
    today, now = today or timezone.localdate(), timezone.now()
    rng = random.Random(14_360)  # noqa: S311 - demo data, not security
    makes = _investors(rng, max(INVESTORS_MIN, firms // FIRMS_PER_INVESTOR))
    register = [firm for firm in large_firms() if firm.is_tech]
    # A Pareto weight per firm: most raise once or never, a few raise again and again.
    weights = [rng.paretovariate(1.3) for _ in register]
    count = firms * INVESTMENTS_PER_FIRM
    chosen = rng.choices(register, weights=weights, k=count)
    kinds = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()), k=count)
    ids = ids_reserve(Investment, count)
    previous: dict[int, int] = {}  # firm id -> its last deal so far
    investments, investors = [], []
    for pk, firm, kind in zip(ids, chosen, kinds, strict=True):
        day = firm.founded_on + datetime.timedelta(
            days=rng.randint(0, max(0, ((firm.dissolved_on or today) - firm.founded_on).days))
        )
        stage = _stage(rng, (day - firm.founded_on).days / 365.25) if kind == K.EQUITY else ""
        undisclosed = rng.random() < (0.2 if kind == K.EQUITY else 0.1)
        pick = rng.random()
        origin = ORIGINS[0] if pick < 0.7 else ORIGINS[1] if pick < 0.9 else ORIGINS[2]
        verified = rng.random() < 0.75
        created = datetime.datetime.combine(
            day + datetime.timedelta(days=rng.randint(1, 30)), datetime.time(rng.randint(8, 18)), tzinfo=datetime.UTC
        )
        created = min(created, now)
        verified_at = min(created + datetime.timedelta(days=rng.randint(0, 20)), now) if verified else None
        duplicate = previous.get(firm.id) if rng.random() < 0.003 else None
        previous[firm.id] = pk
        investments.append(
            (
                pk,
                firm.id,
                kind,
                stage,
                None if undisclosed else _amount(rng, *AMOUNTS[stage or kind]),
                day,
                f"{Investment.Stage(stage).label} round" if stage else f"{Investment.Kind(kind).label} for {firm.name}",
                f"{SOURCE_PREFIX}{pk}",
                origin,
                partner if origin == Investment.Origin.PARTNER else None,
                verified_at,
                staff if verified else None,
                duplicate,
                created,
                verified_at or created,
            )
        )
        backers = rng.sample(makes[kind], min(len(makes[kind]), rng.choice([1, 1, 2, 3, 4]) if kind == K.EQUITY else 1))
        investors.extend((pk, investor, index == 0, country) for index, (investor, country) in enumerate(backers))
    rows_copy(Investment, INVESTMENT_FIELDS, investments)
    rows_copy(InvestmentInvestor, ["investment_id", "investor_id", "is_lead", "country"], investors)
    tables_analyse(Organisation, Investment, InvestmentInvestor)
    return _counts(new=True)


def _counts(*, new: bool) -> dict:
    deals = Investment.objects.filter(source__startswith=SOURCE_PREFIX)
    return {
        "new": new,
        "investments": deals.count(),
        "investors": InvestmentInvestor.objects.filter(investment__in=deals).count(),
        "by_kind": dict(deals.values_list("kind").annotate(n=Count("pk")).order_by()),
        "undisclosed": deals.filter(amount_gbp__isnull=True).count(),
    }
