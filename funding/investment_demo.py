"""Demo investments (local use only): 400 synthetic deals over the five years to the day it runs,
into the demo firms (``portal.demo``: *Synthetic Firm … Ltd*). Equity rounds at every stage led by
fictional investors in the UK and abroad, grants and loans from the demo funders (some through
the demo opportunities they list), some amounts undisclosed, some submitted by the demo partner
or imported, most older ones verified by the demo member of staff, and four deals recorded twice,
so the duplicates page has work. Every investor is fictional and named "(demo)"; every source is
an address under ``investments.example.org/demo/``.

Runs after ``portal.demo.seed`` and the funding opportunities' demo. Deterministic: the same deals
on the same day. Idempotent: deals are keyed on their source, so running it again adds nothing.
Inserted in bulk (``investments_insert``), which flags the duplicates; bumps ``investments``.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from portal.models import Organisation, User
from portal.page_cache import data_version_bump

from .investment_services import investments_insert
from .models import Investment, Opportunity

SOURCE_PREFIX = "https://investments.example.org/demo/"
COUNT = 400
COPIES = 4  # the last deals repeat earlier ones: flagged as possible duplicates
YEARS = 5
DEMO_PARTNER = "Birmingham Tech (demo)"
DEMO_STAFF = "staff@example.org"
# Fictional investors: name and the country they are based in.
INVESTORS = [
    ("Midlands Angel Syndicate (demo)", "GB"),
    ("Canal Street Capital (demo)", "GB"),
    ("Black Country Ventures (demo)", "GB"),
    ("Coventry Seed Partners (demo)", "GB"),
    ("Bullring Growth Equity (demo)", "GB"),
    ("Northern Powerhouse Ventures (demo)", "GB"),
    ("London Tech Fund (demo)", "GB"),
    ("Severn Valley Investors (demo)", "GB"),
    ("Atlantic Bridge Partners (demo)", "US"),
    ("Bay Area Deep Tech (demo)", "US"),
    ("Rhine Industrial Ventures (demo)", "DE"),
    ("Paris Impact Capital (demo)", "FR"),
    ("Dublin Fintech Fund (demo)", "IE"),
    ("Nordic Climate Ventures (demo)", "SE"),
    ("Singapore Mobility Fund (demo)", "SG"),
    ("Bangalore Software Partners (demo)", "IN"),
]
# stage -> (smallest, largest) amount in pounds
STAGE_AMOUNTS = {
    Investment.Stage.PRE_SEED: (50_000, 400_000),
    Investment.Stage.SEED: (250_000, 2_000_000),
    Investment.Stage.SERIES_A: (2_000_000, 12_000_000),
    Investment.Stage.SERIES_B: (8_000_000, 30_000_000),
    Investment.Stage.SERIES_C_PLUS: (20_000_000, 80_000_000),
    Investment.Stage.GROWTH: (10_000_000, 60_000_000),
}
STAGE_WEIGHTS = [30, 35, 18, 8, 4, 5]
KIND_WEIGHTS = {
    Investment.Kind.EQUITY: 55,
    Investment.Kind.GRANT: 25,
    Investment.Kind.LOAN: 15,
    Investment.Kind.OTHER: 5,
}


def _investors() -> list[tuple[Organisation, str]]:
    made = []
    for name, country in INVESTORS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"kind": Organisation.Kind.FUNDER, "is_tech": False}
        )
        made.append((organisation, country))
    return made


def _pounds(rng: random.Random, low: int, high: int) -> int:
    """A round-looking amount: to the nearest £1,000, or £10,000 above £1m."""
    step = 10_000 if high > 1_000_000 else 1_000
    return max(step, rng.randint(low, high) // step * step)


def _deal(n: int, rng: random.Random, today: datetime.date, context: dict) -> tuple[Investment, list[dict]]:
    """The ``n``-th demo deal and its investors."""
    kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    day = today - datetime.timedelta(days=rng.randint(1, YEARS * 365))
    investment = Investment(
        firm=rng.choice(context["firms"]),
        kind=kind,
        announced_on=day,
        source=f"{SOURCE_PREFIX}{n + 1:03d}",
    )
    investors: list[dict] = []
    if kind == Investment.Kind.EQUITY:
        investment.stage = rng.choices(list(STAGE_AMOUNTS), weights=STAGE_WEIGHTS)[0]
        investment.amount_gbp = _pounds(rng, *STAGE_AMOUNTS[investment.stage])
        investment.title = f"{investment.get_stage_display()} round"
        home = [pair for pair in context["investors"] if pair[1] == "GB"]
        abroad = [pair for pair in context["investors"] if pair[1] != "GB"]
        lead = rng.choice(abroad if rng.random() < 0.3 else home)  # about one in three led from abroad
        others = [pair for pair in rng.sample(context["investors"], rng.randint(0, 3)) if pair[0].pk != lead[0].pk]
        chosen = [lead, *others]
        has_lead = rng.random() < 0.85
        investors = [
            {"investor": organisation, "is_lead": has_lead and index == 0, "country": country}
            for index, (organisation, country) in enumerate(chosen)
        ]
    else:
        opportunities = context["opportunities"].get(kind, [])
        if opportunities and rng.random() < 0.5:
            investment.opportunity = rng.choice(opportunities)
            funder = investment.opportunity.funder
            investment.title = investment.opportunity.title
        else:
            funder = rng.choice(context["funders"])
            investment.title = {"grant": "Innovation grant", "loan": "Growth loan", "other": "Convertible note"}[kind]
        investment.amount_gbp = _pounds(
            rng, *{"grant": (5_000, 250_000), "loan": (25_000, 750_000)}.get(kind, (10_000, 500_000))
        )
        investors = [{"investor": funder, "is_lead": True, "country": "GB"}]
    if rng.random() < 0.15:
        investment.amount_gbp = None  # undisclosed: counted, never valued
    roll = rng.random()
    if roll < 0.2 and context["partner"] is not None:
        investment.origin, investment.submitted_by = Investment.Origin.PARTNER, context["partner"]
    elif roll < 0.3:
        investment.origin, investment.created_by = Investment.Origin.IMPORT, context["staff"]
    else:
        investment.origin, investment.created_by = Investment.Origin.STAFF, context["staff"]
    if (today - day).days > 60 and rng.random() < 0.7:
        moment = datetime.datetime.combine(day + datetime.timedelta(days=rng.randint(3, 40)), datetime.time(10))
        investment.verified_at = timezone.make_aware(moment)
        investment.verified_by = context["staff"]
    return investment, investors


@transaction.atomic
def seed(*, today: datetime.date | None = None) -> dict:
    """Create the demo investors and the demo deals that are missing. Returns counts:
    ``investments`` (demo ones in all), ``new_investments`` and ``flagged`` (demo ones flagged)."""
    from .demo import FUNDERS

    today = today or timezone.localdate()
    firms = list(
        Organisation.objects.filter(kind=Organisation.Kind.FIRM, company_number__startswith="SY").order_by("pk")
    )
    demo = Investment.objects.filter(source__startswith=SOURCE_PREFIX)
    if not firms:
        return {"investments": demo.count(), "new_investments": 0, "flagged": demo.flagged().count()}
    funders = list(Organisation.objects.filter(name__in=[name for name, _ in FUNDERS]).order_by("name"))
    opportunities: dict[str, list[Opportunity]] = {}
    for opportunity in Opportunity.objects.filter(link__startswith="https://funding.example.org/demo/").select_related(
        "funder"
    ):
        opportunities.setdefault(opportunity.kind, []).append(opportunity)
    investors = _investors()
    context = {
        "firms": firms,
        "investors": investors,
        "funders": funders or [organisation for organisation, _ in investors],
        "opportunities": opportunities,
        "partner": Organisation.objects.filter(name=DEMO_PARTNER).first(),
        "staff": User.objects.filter(email=DEMO_STAFF).first(),
    }
    rng = random.Random(2027)  # noqa: S311 - demo data, not security
    deals = [_deal(n, rng, today, context) for n in range(COUNT - COPIES)]
    for n in range(COPIES):
        original, investors = deals[n * 37]
        copy = Investment(
            firm=original.firm,
            kind=original.kind,
            stage=original.stage,
            amount_gbp=original.amount_gbp,
            announced_on=original.announced_on,
            title=f"{original.title} (reported again)",
            source=f"{SOURCE_PREFIX}{COUNT - COPIES + n + 1:03d}",
            origin=Investment.Origin.PARTNER if context["partner"] else Investment.Origin.STAFF,
            submitted_by=context["partner"],
        )
        deals.append((copy, [dict(entry) for entry in investors]))
    existing = set(demo.values_list("source", flat=True))
    new = [(investment, investors) for investment, investors in deals if investment.source not in existing]
    investments_insert(new, history_reason="Demo data")
    if new:
        data_version_bump("investments")
    return {"investments": demo.count(), "new_investments": len(new), "flagged": demo.flagged().count()}
