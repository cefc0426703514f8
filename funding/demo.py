"""Demo funding opportunities (local use only): 64 synthetic opportunities from 15 funders, 60 of them
in every kind and every status. Every funder is fictional and named "(demo)"; every summary says the
opportunity is synthetic.

Runs after ``portal.demo.seed`` (one funder is the demo partner, *Birmingham Tech (demo)*, so the
demo API client has opportunities it may change). Deterministic: the same rows on the same day,
with dates worked out from that day so that every status is present whenever it runs.
Idempotent: opportunities are keyed on their title, so running it again adds nothing. Inserted in
bulk (``services.opportunities_bulk_create``), which writes the search vectors and bumps the
``funding`` data key.

Four more open opportunities for established firms have rules the demo founder's firm meets (its
sector, borough and stage, as ``portal.demo`` and ``workspaces.demo`` made them), so the founder's
matches page shows what fits and why. The demo founder (``founder@example.org``) gets two funding
alerts: grants and accelerators for their firm's sector, and anything about net zero. Keyed on the
criteria, so running it again adds nothing.

``grants_seed`` adds synthetic grants and competition awards into the demo firms, so the
360Giving export and the grant indicators have data; each title says it is a synthetic record.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from portal.models import LocalAuthority, Organisation, Sector, User
from portal.page_cache import data_version_bump

from . import budget_demo, services
from .investment_demo import seed as investments_seed
from .models import Alert, Investment, InvestmentInvestor, Opportunity, Stage

DEMO_PARTNER = "Birmingham Tech (demo)"
DEMO_FOUNDER = "founder@example.org"
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
    """Create the demo funders, opportunities and the demo founder's alerts that are missing, the
    demo programme budget (``budget_demo``) and the demo investments (``investment_demo``). Returns
    counts: ``opportunities`` (demo ones in all), ``new_opportunities``, ``funders``, ``alerts``
    (the demo founder's), ``budget_lines``, ``spend_entries``, ``investments``,
    ``new_investments`` and ``flagged``."""
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
    for opportunity, opportunity_rules in _for_the_demo_founder(funders, today):
        wanted.append(opportunity)
        rules[len(wanted) - 1] = opportunity_rules
    existing = set(Opportunity.objects.filter(title__in=[o.title for o in wanted]).values_list("title", flat=True))
    new = [(i, o) for i, o in enumerate(wanted) if o.title not in existing]
    created = 0
    if new:
        created = services.opportunities_bulk_create(
            [o for _, o in new], {position: rules[i] for position, (i, _) in enumerate(new)}
        )
    budget = budget_demo.seed(today=today)
    return {
        "opportunities": Opportunity.objects.filter(link__startswith="https://funding.example.org/demo/").count(),
        "new_opportunities": created,
        "funders": len(funders),
        "alerts": founder_alerts_seed(),
        "budget_lines": budget["lines"],
        "spend_entries": budget["entries"],
        **investments_seed(today=today),
    }


def _founder_firm() -> Organisation | None:
    return (
        Organisation.objects.filter(members__email=DEMO_FOUNDER, kind=Organisation.Kind.FIRM).order_by("name").first()
    )


def _for_the_demo_founder(funders: list[Organisation], today: datetime.date) -> list[tuple[Opportunity, dict]]:
    """Four open opportunities for established firms, with rules the demo founder's firm meets
    (software in Birmingham, earning revenue, when there is no such firm), and their rules."""
    from workspaces.selectors import firm_stage_latest

    firm = _founder_firm()
    sector = (firm.sector if firm else "") or Sector.SOFTWARE
    borough = firm.local_authority if firm and firm.local_authority in BOROUGHS else LocalAuthority.BIRMINGHAM
    latest = firm_stage_latest(organisation_id=firm.pk) if firm else None
    stage = latest.stage if latest else Stage.REVENUE
    day = datetime.timedelta(days=1)
    partner = next(f for f in funders if f.name == DEMO_PARTNER)
    rows = [
        (
            "Scale-up Growth Grant",
            Opportunity.Kind.GRANT,
            funders[0],
            (25_000, 150_000),
            (today - 20 * day, today + 45 * day, False),
            {"sectors": sorted({sector, Sector.SOFTWARE}), "boroughs": [borough], "stages": [stage]},
            {"headcount_max": 250},
        ),
        (
            "Established Firms Export Accelerator",
            Opportunity.Kind.ACCELERATOR,
            partner,
            (None, 20_000),
            (today - 40 * day, today + 9 * day, False),
            {},
            {"firm_age_min_years": 3},
        ),
        (
            "Regional Growth Loan",
            Opportunity.Kind.LOAN,
            funders[6],
            (50_000, 1_000_000),
            (None, None, True),
            {"boroughs": sorted({borough, LocalAuthority.COVENTRY})},
            {},
        ),
        (
            "Investor Readiness Programme",
            Opportunity.Kind.EQUITY,
            funders[1],
            (100_000, 500_000),
            (today - 5 * day, today + 75 * day, False),
            {"stages": sorted({stage, Stage.SCALING})},
            {"headcount_min": 1},
        ),
    ]
    made = []
    for n, (title, kind, funder, (low, high), (opens, closes, rolling), rules, limits) in enumerate(rows, start=1):
        opportunity = Opportunity(
            funder=funder,
            title=title,
            kind=kind,
            summary=(
                f"{funder.name.removesuffix(' (demo)')} helps established firms grow. Synthetic demo "
                "opportunity: not a real call for applications."
            ),
            amount_min_gbp=low,
            amount_max_gbp=high,
            opens_on=opens,
            closes_on=closes,
            rolling=rolling,
            eligibility="Established firms with a product on the market that are ready to grow.",
            link=f"https://funding.example.org/demo/growth-{n:02d}",
            **limits,
        )
        made.append((opportunity, {"sectors": [], "boroughs": [], "stages": [], **rules}))
    return made


def founder_alerts_seed() -> int:
    """Give the demo founder their two alerts if they are missing: grants and accelerators for
    their firm's sector (software when they have no firm), and any kind about net zero. Returns
    how many alerts the demo founder has; 0 when the account does not exist."""
    founder = User.objects.filter(email=DEMO_FOUNDER).first()
    if founder is None:
        return 0
    sector = (
        Organisation.objects.filter(members=founder, kind=Organisation.Kind.FIRM)
        .exclude(sector="")
        .order_by("name")
        .values_list("sector", flat=True)
        .first()
    ) or Sector.SOFTWARE
    wanted = [
        {"kinds": [Opportunity.Kind.ACCELERATOR, Opportunity.Kind.GRANT], "sector": sector, "words": ""},
        {"kinds": [], "sector": "", "words": "net zero"},
    ]
    for criteria in wanted:
        Alert.objects.get_or_create(user=founder, **criteria)
    return Alert.objects.filter(user=founder).count()


# Demo grants: what the 360Giving export publishes ------------------------------------------------

GRANT_COUNT = 36
GRANT_SOURCE = "https://grants.example.org/demo/"
# Which demo opportunities the awards come through: grants, and prizes (awards of kind "other").
AWARD_OPPORTUNITY_KINDS = (Opportunity.Kind.GRANT, Opportunity.Kind.PRIZE)


@transaction.atomic
def grants_seed(*, today: datetime.date | None = None) -> dict:
    """Demo grants and competition awards into the demo firms (``SY…``), over the last four years,
    from the demo funders: every sixth through a demo grant or prize opportunity with no investor
    named (its funder is the opportunity's), every ninth with an undisclosed amount, most verified.
    Deterministic; idempotent (keyed on the source address). Runs after ``seed`` and the demo
    firms; with no demo firm it adds nothing. Returns ``grants`` (demo grants in all) and
    ``new_grants``."""
    today = today or timezone.localdate()
    firms = list(Organisation.objects.filter(company_number__startswith="SY").order_by("company_number")[:200])
    funders = list(Organisation.objects.filter(name__in=[name for name, _ in FUNDERS]).order_by("name"))
    calls = list(
        Opportunity.objects.filter(
            kind__in=AWARD_OPPORTUNITY_KINDS, link__startswith="https://funding.example.org/demo/"
        ).order_by("pk")
    )
    existing = set(Investment.objects.filter(source__startswith=GRANT_SOURCE).values_list("source", flat=True))
    if not firms or not funders:
        return {"grants": len(existing), "new_grants": 0}
    rng = random.Random(360)  # noqa: S311 - demo data, not security
    wanted, leads = [], []
    for n in range(GRANT_COUNT):
        # Every draw happens for every row, so a row already there leaves the others unchanged.
        firm = firms[rng.randrange(len(firms))]
        amount = None if n % 9 == 4 else rng.randint(10, 500) * 500
        announced_on = today - datetime.timedelta(days=rng.randint(20, 4 * 365))
        source = f"{GRANT_SOURCE}{n + 1:03d}"
        if source in existing:
            continue
        call = calls[n % len(calls)] if calls and n % 6 == 0 else None
        prize = call is not None and call.kind == Opportunity.Kind.PRIZE
        wanted.append(
            Investment(
                firm=firm,
                kind=Investment.Kind.OTHER if prize else Investment.Kind.GRANT,
                amount_gbp=amount,
                announced_on=announced_on,
                opportunity=call,
                title=f"{'Prize' if prize else 'Grant'} for {firm.name} (synthetic demo record)",
                source=source,
                verified_at=None if n % 5 == 3 else timezone.now(),
            )
        )
        leads.append(None if call is not None else funders[n % len(funders)])
    created = Investment.objects.bulk_create(wanted)
    InvestmentInvestor.objects.bulk_create(
        InvestmentInvestor(investment=grant, investor=lead, is_lead=True, country="GB")
        for grant, lead in zip(created, leads, strict=True)
        if lead is not None
    )
    if created:
        data_version_bump("investments")
    return {"grants": len(existing) + len(created), "new_grants": len(created)}
