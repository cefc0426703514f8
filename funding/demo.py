"""Demo funding opportunities (local use only): 60 synthetic opportunities from 15 funders, in every
kind and every status. Every funder is fictional and named "(demo)"; every summary says the
opportunity is synthetic.

Runs after ``portal.demo.seed`` (one funder is the demo partner, *Birmingham Tech (demo)*, so the
demo API client has opportunities it may change). Deterministic: the same rows on the same day,
with dates worked out from that day so that every status is present whenever it runs.
Idempotent: opportunities are keyed on their title, so running it again adds nothing. Inserted in
bulk (``services.opportunities_bulk_create``), which writes the search vectors and bumps the
``funding`` data key.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from portal.models import LocalAuthority, Organisation, Sector

from . import services
from .models import Opportunity, Stage

DEMO_PARTNER = "Birmingham Tech (demo)"
FUNDERS = [
    ("West Midlands Growth Fund (demo)", Organisation.Kind.FUNDER),
    ("Midlands Angel Network (demo)", Organisation.Kind.FUNDER),
    ("Black Country Innovation Trust (demo)", Organisation.Kind.FUNDER),
    ("Coventry Tech Ventures (demo)", Organisation.Kind.FUNDER),
    ("Canalside Seed Partners (demo)", Organisation.Kind.FUNDER),
    ("Midlands Net Zero Fund (demo)", Organisation.Kind.FUNDER),
    ("Solihull Enterprise Loans (demo)", Organisation.Kind.FUNDER),
    ("Regional Health Innovation Fund (demo)", Organisation.Kind.FUNDER),
    ("Creative Digital Fund (demo)", Organisation.Kind.FUNDER),
    ("Walsall Community Enterprise Fund (demo)", Organisation.Kind.FUNDER),
    ("Wolverhampton Makers Trust (demo)", Organisation.Kind.FUNDER),
    ("Mobility Futures Accelerator (demo)", Organisation.Kind.FUNDER),
    ("Midlands Cyber Cluster (demo)", Organisation.Kind.FUNDER),
    ("West Midlands Procurement Hub (demo)", Organisation.Kind.PUBLIC_BODY),
    (DEMO_PARTNER, Organisation.Kind.PARTNER),
]
# topic, sectors it is for (empty: any), what it funds
TOPICS = [
    ("Net Zero Innovation", [Sector.CLEANTECH, Sector.MANUFACTURING], "products that cut carbon in homes and industry"),
    ("Digital Health", [Sector.HEALTHTECH], "tools that shorten NHS waiting lists or support care at home"),
    ("Games Prototype", [Sector.GAMES, Sector.CREATIVE], "playable prototypes and immersive experiences"),
    ("Cyber Resilience", [Sector.CYBER], "security products for small firms and public services"),
    ("AI Adoption", [Sector.AI_DATA, Sector.SOFTWARE], "putting machine learning to work in regional firms"),
    ("5G Testbed", [Sector.TELECOMS, Sector.MOBILITY], "trials on the region's 5G and full-fibre networks"),
    ("Inclusive Fintech", [Sector.FINTECH], "financial services for people on low incomes"),
    ("Smart Mobility", [Sector.MOBILITY], "connected and autonomous transport pilots"),
    ("Factory of the Future", [Sector.MANUFACTURING], "industry 4.0 sensors, robots and digital twins"),
    ("EdTech Pilot", [Sector.EDTECH], "classroom and skills tools trialled with regional colleges"),
    ("Proptech Challenge", [Sector.PROPTECH], "faster, greener building and planning"),
    ("Founders' Launch", [], "first-time founders of any digital business"),
]
KIND_WORDS = {
    Opportunity.Kind.GRANT: "Grant",
    Opportunity.Kind.LOAN: "Loan",
    Opportunity.Kind.EQUITY: "Seed Fund",
    Opportunity.Kind.ACCELERATOR: "Accelerator",
    Opportunity.Kind.PRIZE: "Prize",
    Opportunity.Kind.PROCUREMENT: "Contract",
}
# kind -> (smallest, largest) amounts to draw from, in pounds
AMOUNTS = {
    Opportunity.Kind.GRANT: (5_000, 250_000),
    Opportunity.Kind.LOAN: (25_000, 500_000),
    Opportunity.Kind.EQUITY: (50_000, 2_000_000),
    Opportunity.Kind.ACCELERATOR: (0, 50_000),
    Opportunity.Kind.PRIZE: (1_000, 100_000),
    Opportunity.Kind.PROCUREMENT: (10_000, 750_000),
}
COUNT = 60
STATUSES = ["open", "closing_soon", "upcoming", "closed"]
BOROUGHS = [v for v in LocalAuthority.values if v != LocalAuthority.OUTSIDE]


def _dates(status: str, rng: random.Random, today: datetime.date) -> tuple:
    """(opens_on, closes_on, rolling) that give ``status`` on ``today``."""
    day = datetime.timedelta(days=1)
    if status == "upcoming":
        opens = today + rng.randint(5, 45) * day
        return opens, opens + rng.randint(30, 90) * day, False
    if status == "closing_soon":
        return today - rng.randint(20, 90) * day, today + rng.randint(0, 13) * day, False
    if status == "closed":
        closes = today - rng.randint(1, 120) * day
        return closes - rng.randint(30, 90) * day, closes, False
    if rng.random() < 0.25:
        return None, None, True  # rolling
    return today - rng.randint(0, 60) * day, today + rng.randint(20, 150) * day, False


def _funders() -> list[Organisation]:
    funders = []
    for name, kind in FUNDERS:
        funder, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "is_tech": False})
        funders.append(funder)
    return funders


@transaction.atomic
def seed(*, today: datetime.date | None = None) -> dict:
    """Create the demo funders and opportunities that are missing, then the demo investments
    (``investment_demo``). Returns counts: ``opportunities`` (demo ones in all),
    ``new_opportunities``, ``funders``, ``investments``, ``new_investments`` and ``flagged``."""
    today = today or timezone.localdate()
    funders = _funders()
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    kinds = list(Opportunity.Kind.values)
    wanted, rules = [], {}
    for n in range(COUNT):
        kind = kinds[n % len(kinds)]
        # Every (topic, kind) pair at most once, so titles are unique.
        topic, sectors, purpose = TOPICS[(n // len(kinds) + n) % len(TOPICS)]
        funder = funders[n % len(funders)]
        status = STATUSES[(n // len(kinds)) % len(STATUSES)]
        opens, closes, rolling = _dates(status, rng, today)
        low, high = AMOUNTS[kind]
        amount_min = rng.choice([None, low, rng.randint(low, high) // 2000 * 1000])
        amount_max = rng.choice([None, high]) if amount_min is None else rng.choice([None, high])
        if amount_min is not None and amount_max is not None and amount_min > amount_max:
            amount_min = low
        boroughs = sorted(rng.sample(BOROUGHS, rng.choice([1, 2, 3]))) if rng.random() < 0.4 else []
        stages = sorted(rng.sample(Stage.values, rng.choice([1, 2]))) if rng.random() < 0.5 else []
        age_max = rng.choice([None, 3, 5, 10])
        headcount_max = rng.choice([None, 10, 50, 250])
        title = f"{topic} {KIND_WORDS[kind]}"
        wanted.append(
            Opportunity(
                funder=funder,
                title=title,
                kind=kind,
                summary=(
                    f"{funder.name.removesuffix(' (demo)')} backs {purpose}. Synthetic demo opportunity: "
                    "not a real call for applications."
                ),
                amount_min_gbp=amount_min,
                amount_max_gbp=amount_max,
                opens_on=opens,
                closes_on=closes,
                rolling=rolling,
                eligibility=(
                    f"Firms working on {purpose}"
                    + (f", aged up to {age_max} years" if age_max else "")
                    + (f", with at most {headcount_max} staff" if headcount_max else "")
                    + (
                        ", based in " + " or ".join(LocalAuthority(b).label for b in boroughs)
                        if boroughs
                        else ", based anywhere in the UK"
                    )
                    + "."
                ),
                firm_age_max_years=age_max,
                headcount_max=headcount_max,
                link=f"https://funding.example.org/demo/{n + 1:03d}",
            )
        )
        rules[len(wanted) - 1] = {"sectors": list(sectors), "boroughs": boroughs, "stages": stages}
    existing = set(Opportunity.objects.filter(title__in=[o.title for o in wanted]).values_list("title", flat=True))
    new = [(i, o) for i, o in enumerate(wanted) if o.title not in existing]
    created = 0
    if new:
        created = services.opportunities_bulk_create(
            [o for _, o in new], {position: rules[i] for position, (i, _) in enumerate(new)}
        )
    from .investment_demo import seed as investments_seed

    return {
        "opportunities": Opportunity.objects.filter(link__startswith="https://funding.example.org/demo/").count(),
        "new_opportunities": created,
        "funders": len(funders),
        **investments_seed(today=today),
    }
