"""Demo ambassadors, their activities and leads (local use only). Every ambassador and landed firm
made here is fictional and marked "(demo)".

Deterministic: one seeded random generator, so the same day gives the same records (dates are
counted back from today, so the network always looks current). Bulk-created, then the
"ambassadors" data key is bumped once. Runs after ``portal.demo.seed`` (it needs the demo staff
and ambassador accounts and the synthetic firms); idempotent: when the demo network exists it adds
nothing.

What it makes: 40 ambassadors in 25 countries (active, paused, retired; sectors; public profiles
for about half), the demo ambassador's profile (ambassador@example.org) with leads of their own
including a landed one, a pending invitation, activities over the last two years, about 120 leads
in every stage with their change history (landed ones with jobs, capital and the firm in the
registry) and target markets, some of them gaps.
"""

import datetime
import hashlib
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from portal.models import LocalAuthority, Organisation, Sector, User
from portal.page_cache import data_version_bump
from portal.roles import Role, role_group

from .models import Activity, Ambassador, AmbassadorSector, Invitation, Lead, LeadChange, TargetMarket

DEMO_MARK = "(demo)"
DEMO_AMBASSADOR_EMAIL = "ambassador@example.org"
STAFF_EMAIL = "staff@example.org"
INVITED_EMAIL = "invited-ambassador@example.org"
AMBASSADOR_EMAIL = "demo-ambassador-{n:02d}@example.org"  # demo accounts that cannot sign in
AMBASSADORS = 40
LANDED_FIRM_NUMBER = "SY9{n:05d}"  # Companies House does not issue SY numbers
# 25 countries, each with at least one ambassador, and a city in each.
COUNTRIES = [
    ("IN", "Bengaluru"),
    ("US", "San Francisco"),
    ("DE", "Berlin"),
    ("NG", "Lagos"),
    ("CN", "Shenzhen"),
    ("JP", "Tokyo"),
    ("IE", "Dublin"),
    ("PL", "Kraków"),
    ("CA", "Toronto"),
    ("FR", "Paris"),
    ("BR", "São Paulo"),
    ("AE", "Dubai"),
    ("SG", "Singapore"),
    ("AU", "Sydney"),
    ("KE", "Nairobi"),
    ("ZA", "Cape Town"),
    ("NL", "Amsterdam"),
    ("SE", "Stockholm"),
    ("ES", "Barcelona"),
    ("KR", "Seoul"),
    ("MX", "Mexico City"),
    ("PK", "Lahore"),
    ("EE", "Tallinn"),
    ("IL", "Tel Aviv"),
    ("GB", "London"),
]
FIRST_NAMES = ["Aisha", "Bram", "Chen", "Dara", "Elif", "Femi", "Greta", "Hiro", "Imani", "Jonas", "Kavya", "Luis"]
LAST_NAMES = ["Adeyemi", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad", "Ito", "Jensen"]
FIRM_WORDS = ["Nordlicht", "Bluepeak", "Quantia", "Sakura", "Lagoon", "Vireo", "Kestrel", "Polaris", "Maple", "Orbit"]
FIRM_KINDS = ["Analytics", "Robotics", "Payments", "Health", "Mobility", "Labs", "Security", "Games"]
SECTORS = [code for code in Sector.values if code != Sector.NON_TECH]
STAGES = list(Lead.Stage.values)
STAGE_WEIGHTS = [18, 14, 14, 8, 28, 18]  # referred, qualified, active, verify win, landed, lost
PATH = ["referred", "qualified", "active", "verify_win", "landed"]
TARGETS = [
    ("IN", "fintech"),
    ("IN", "ai_data"),
    ("US", "software"),
    ("US", "healthtech"),
    ("DE", "mobility"),
    ("DE", "manufacturing"),
    ("JP", "games"),
    ("JP", "mobility"),
    ("CN", "cleantech"),
    ("SG", "fintech"),
    ("IE", "cyber"),
    ("FR", "creative"),
    ("NG", "fintech"),
    ("KR", "telecoms"),
    ("IL", "cyber"),
    ("CA", "ai_data"),
    ("AE", "proptech"),
    ("SE", "edtech"),
    ("NO", "cleantech"),  # no ambassador in Norway: a gap
    ("VN", "software"),  # nor in Vietnam
]


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(8, 18), rng.randint(0, 59))))


def _stage_fields(
    rng: random.Random, stage: str, *, staff: User, country: str, sector: str, firm: Organisation | None, landed_on
):
    """The fields a lead at ``stage`` holds (each stage keeps the fields of those before it)."""
    fields = {"stage": stage}
    if stage == "referred":
        return fields
    # About a quarter are UK firms opening an office here (from the UK, whoever referred them).
    kind = rng.choices([Lead.Kind.FDI, Lead.Kind.UK_OFFICE, Lead.Kind.EXPANSION], [60, 25, 15])[0]
    fields |= {
        "origin_country": "GB" if kind == Lead.Kind.UK_OFFICE else country,
        "sector": sector,
        "kind": kind,
    }
    if stage in ("active", "verify_win", "landed", "lost"):
        fields |= {
            "owner": staff,
            "expected_jobs": rng.randint(5, 120),
            "expected_capital": Decimal(rng.randint(2, 400) * 25_000),
        }
    if stage == "landed":
        fields |= {
            "organisation": firm,
            "landed_on": landed_on,
            "new_jobs": rng.randint(3, 150),
            "safeguarded_jobs": rng.choice([0, 0, 0, rng.randint(1, 40)]),
            "capital_invested": Decimal(rng.randint(1, 500) * 20_000),
        }
    if stage == "lost":
        fields |= {
            "lost_reason": rng.choice(
                ["Chose a site nearer its customers", "Put the expansion on hold", "Better incentives elsewhere"]
            ),
            "competing_location": rng.choice(["Manchester", "Leeds", "Dublin", "Amsterdam", "Not yet decided"]),
        }
    return fields


def _path_to(stage: str, rng: random.Random) -> list[str]:
    """The stages a lead passed through to reach ``stage``: lost leads went as far as some open stage."""
    if stage == "lost":
        return [*PATH[: rng.randint(1, 4)], "lost"]
    return PATH[: PATH.index(stage) + 1]


@transaction.atomic
def seed() -> dict:
    """Create the demo network once (see the module docstring); returns counts of what exists.
    Idempotent: when the demo ambassador's profile exists, nothing is added."""
    demo_user = User.objects.get(email=DEMO_AMBASSADOR_EMAIL)
    if Ambassador.objects.filter(user=demo_user).exists():
        return _counts(new=False)
    staff = User.objects.get(email=STAFF_EMAIL)
    rng = random.Random(2611)  # noqa: S311 - demo data, not security
    today = timezone.localdate()

    # Ambassadors: 40 made-up people (five paused, three retired), the demo ambassador and the invited one.
    users = User.objects.bulk_create(
        User(email=AMBASSADOR_EMAIL.format(n=n), full_name="", password="!demo-account-cannot-sign-in")
        for n in range(1, AMBASSADORS + 1)
    )
    group = role_group(Role.AMBASSADOR)
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=user.pk, group_id=group.pk) for user in [*users, demo_user]],
        ignore_conflicts=True,
    )
    ambassadors = []
    for n, user in enumerate(users):
        country, city = COUNTRIES[n] if n < len(COUNTRIES) else rng.choice(COUNTRIES)
        status = "retired" if n in (5, 17, 29) else "paused" if n in (8, 21, 33, 37, 39) else "active"
        joined = today - datetime.timedelta(days=rng.randint(120, 900))
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} {DEMO_MARK}"
        user.full_name = name
        ambassadors.append(
            Ambassador(
                user=user,
                full_name=name,
                status=status,
                country=country,
                city=city,
                expertise=rng.choice(["Series A fundraising", "Market entry", "Trade policy", "University spin-outs"]),
                languages=rng.choice(["English", "English, Hindi", "English, German", "English, French, Arabic"]),
                bio="A fictional ambassador of the demo network.",
                term_starts_on=joined,
                term_ends_on=today - datetime.timedelta(days=rng.randint(30, 100)) if status == "retired" else None,
                public_profile=rng.random() < 0.5,
            )
        )
    User.objects.bulk_update(users, ["full_name"])
    demo = Ambassador(
        user=demo_user,
        full_name=demo_user.full_name or "Ama Ambassador (demo)",
        status="active",
        country="IN",
        city="Bengaluru",
        expertise="Fintech partnerships and market entry",
        languages="English, Hindi, Kannada",
        bio="The demo ambassador: a fictional profile to sign in with and try the ambassador pages.",
        term_starts_on=today - datetime.timedelta(days=700),
        public_profile=True,
    )
    invited = Ambassador(full_name=f"Ines Invited {DEMO_MARK}", status="invited", country="SG", city="Singapore")
    made = Ambassador.objects.bulk_create([*ambassadors, demo, invited])
    *ambassadors, demo, invited = made
    for ambassador in made:  # joined on the day their term started (auto_now_add set today)
        ambassador.created_at = _moment(ambassador.term_starts_on or today, rng)
    Ambassador.objects.bulk_update(made, ["created_at"])
    covers = {ambassador.pk: set(rng.sample(SECTORS, rng.randint(1, 3))) for ambassador in [*ambassadors, invited]}
    # Most target markets have an active ambassador: the first active one in the country takes
    # its sector on. The rest (Norway and Vietnam have no ambassador at all) are the gaps.
    for country, sector in TARGETS:
        active_here = [a for a in ambassadors if a.country.code == country and a.status == "active"]
        if active_here:
            covers[active_here[0].pk].add(sector)
    AmbassadorSector.objects.bulk_create(
        AmbassadorSector(ambassador_id=pk, sector=sector)
        for pk, sectors in covers.items()
        for sector in sorted(sectors)
    )
    AmbassadorSector.objects.bulk_create(
        [AmbassadorSector(ambassador=demo, sector="fintech"), AmbassadorSector(ambassador=demo, sector="ai_data")]
    )
    token = hashlib.sha256(f"demo-invitation-{rng.random()}".encode()).hexdigest()
    Invitation.objects.bulk_create(
        [
            Invitation(
                ambassador=invited,
                email=INVITED_EMAIL,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                invited_by=staff,
                created_at=timezone.now() - datetime.timedelta(days=2),
                expires_at=timezone.now() + datetime.timedelta(days=5),
            )
        ]
    )

    # Activities over the last two years: active ambassadors up to this week, paused ones until
    # some months ago, retired ones until their term ended.
    activities = []
    for ambassador in [*ambassadors, demo]:
        start = max(ambassador.term_starts_on, today - datetime.timedelta(days=730))
        end = {"active": today, "paused": today - datetime.timedelta(days=120)}.get(
            ambassador.status, ambassador.term_ends_on
        )
        if ambassador is not demo and ambassador.status == "active" and rng.random() < 0.15:
            end = today - datetime.timedelta(days=rng.randint(100, 200))  # gone quiet: no longer "active"
        if end <= start:
            continue
        for _ in range(rng.randint(4, 16) + (8 if ambassador is demo else 0)):
            day = start + datetime.timedelta(days=rng.randint(0, (end - start).days))
            kind = rng.choice(Activity.Kind.values)
            activities.append(
                Activity(
                    ambassador=ambassador,
                    kind=kind,
                    occurred_on=day,
                    place=rng.choice(["Online", ambassador.city, "London", "Birmingham"]),
                    reach=rng.choice([None, rng.randint(5, 400)]),
                    notes=f"Demo {Activity.Kind(kind).label.lower()}.",
                )
            )
    Activity.objects.bulk_create(activities)

    # Leads: a few per ambassador, in every stage, and the demo ambassador's own four.
    expansion_firms = list(
        Organisation.objects.filter(company_number__startswith="SY0", dissolved_on__isnull=True).order_by(
            "company_number"
        )[:40]
    )
    plans = []  # (ambassador, stage)
    for ambassador in ambassadors:
        if ambassador.status == "invited":
            continue
        plans.extend((ambassador, rng.choices(STAGES, STAGE_WEIGHTS)[0]) for _ in range(rng.randint(0, 5)))
    plans.extend((demo, stage) for stage in ("referred", "active", "landed", "lost"))
    leads, landed_firms, paths = [], [], []
    for n, (ambassador, stage) in enumerate(plans, start=1):
        # Referred while on the network (every term started at least 120 days ago).
        referred_on = max(today - datetime.timedelta(days=rng.randint(40, 1000)), ambassador.term_starts_on)
        country = ambassador.country.code if rng.random() < 0.7 else rng.choice(COUNTRIES)[0]
        sector = rng.choice(SECTORS)
        name = f"{rng.choice(FIRM_WORDS)} {rng.choice(FIRM_KINDS)} {DEMO_MARK}"
        landed_on = referred_on + datetime.timedelta(days=rng.randint(30, min(400, (today - referred_on).days)))
        firm = None
        fields = _stage_fields(rng, stage, staff=staff, country=country, sector=sector, firm=None, landed_on=landed_on)
        if stage == "landed":
            if fields["kind"] == Lead.Kind.EXPANSION and expansion_firms:
                firm = expansion_firms.pop()
            else:
                firm = Organisation(
                    name=name,
                    company_number=LANDED_FIRM_NUMBER.format(n=n),
                    sector=sector,
                    local_authority=rng.choice([la for la in LocalAuthority.values if la != LocalAuthority.OUTSIDE]),
                    founded_on=fields["landed_on"],
                    origin=Organisation.Origin.RELOCATED_UK
                    if fields["kind"] == Lead.Kind.UK_OFFICE
                    else Organisation.Origin.RELOCATED_ABROAD,
                    origin_country="" if fields["kind"] == Lead.Kind.UK_OFFICE else country,
                    is_tech=True,
                )
                landed_firms.append(firm)
            fields["organisation"] = firm
        path = _path_to(stage, rng)
        leads.append(
            Lead(
                name=firm.name if firm else name,
                summary="A fictional lead of the demo network.",
                referred_by=ambassador,
                created_by=ambassador.user,
                version=len(path),
                **fields,
            )
        )
        paths.append((referred_on, path))
    Organisation.objects.bulk_create(landed_firms)
    for lead in leads:  # the firm's primary key exists only now
        lead.organisation_id = lead.organisation.pk if lead.organisation else None
    leads = Lead.objects.bulk_create(leads)
    changes = []
    for lead, (referred_on, path) in zip(leads, paths, strict=True):
        lead.created_at = _moment(referred_on, rng)
        moments = sorted(
            [lead.created_at]
            + [
                _moment(referred_on + datetime.timedelta(days=rng.randint(1, max(2, (today - referred_on).days))), rng)
                for _ in path[1:]
            ]
        )
        if lead.landed_on:  # landing is the last change, on the day it landed
            moments[-1] = _moment(lead.landed_on, rng)
            moments = [min(moment, moments[-1]) for moment in moments]
        for index, stage in enumerate(path):
            changes.append(
                LeadChange(
                    lead=lead,
                    changed_by=lead.created_by if index == 0 else staff,
                    changed_at=moments[index],
                    from_stage=path[index - 1] if index else "",
                    to_stage=stage,
                    reason="" if index == 0 or stage != "lost" else lead.lost_reason,
                )
            )
        lead.updated_at = moments[-1]
    Lead.objects.bulk_update(leads, ["created_at", "updated_at"])
    LeadChange.objects.bulk_create(changes)

    TargetMarket.objects.bulk_create([TargetMarket(country=c, sector=s) for c, s in TARGETS], ignore_conflicts=True)
    data_version_bump("ambassadors")
    return _counts(new=True)


def _counts(*, new: bool) -> dict:
    return {
        "new": new,
        "ambassadors": Ambassador.objects.exclude(status="invited").count(),
        "countries": Ambassador.objects.exclude(status="invited").values("country").distinct().count(),
        "activities": Activity.objects.count(),
        "leads": Lead.objects.count(),
        "landed": Lead.objects.filter(stage="landed").count(),
        "invitations": Invitation.objects.filter(status="pending").count(),
        "target_markets": TargetMarket.objects.count(),
    }
