"""Demo workspaces and applications (local use only). Every workspace is fictional and marked
"(demo)" in its summary; every application is reached through ``services``, so desk counts, status
history, review scores and decision times are what the real workflow records.

Runs after ``portal.demo.seed`` (it needs the demo accounts and the synthetic firms). Idempotent:
workspaces are keyed on their slug and applications on their firm's Companies House number, so
running it again adds nothing. ``scale`` multiplies the applications, and the hot and fixed desks
they need, for benchmarks.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from portal.models import LocalAuthority, Organisation, User
from portal.roles import Role, role_group
from portal.services import organisation_create

from . import selectors, services
from .models import Application, DeskPool, DeskType, Workspace

HOT, FIXED, PRIVATE = DeskType.HOT_DESK, DeskType.FIXED_DESK, DeskType.PRIVATE_OFFICE
DEMO_MARK = "(demo)"
# Founders of the batch applications: demo accounts that cannot log in.
FOUNDER_EMAIL = "demo-founder-{n:04d}@example.org"
FOUNDER_DRAFT_NUMBER = "DM000001"

# name, provider, borough, address, postcode, summary, subsidy, {desk type: (capacity per scale, £/month)}
WORKSPACES = [
    (
        "Fazeley Yard Studios",
        "Demo Innovation Campus Ltd (demo)",
        LocalAuthority.BIRMINGHAM,
        "Unit 4, 12 Example Wharf, Birmingham",
        "B5 5ZZ",
        "A converted canal-side warehouse with an events hall, podcast booth and weekly investor office hours.",
        "First three months free for firms under two years old",
        {HOT: (8, Decimal("120")), FIXED: (6, Decimal("210")), PRIVATE: (4, Decimal("390"))},
    ),
    (
        "Canal Basin Digital Works",
        "Demo Canal Workspaces Ltd (demo)",
        LocalAuthority.COVENTRY,
        "The Old Stables, 3 Sample Basin, Coventry",
        "CV1 4ZZ",
        "Quiet studios next to the university with a shared hardware lab and mentoring from alumni founders.",
        "50% off for university spin-outs",
        {HOT: (5, Decimal("95")), FIXED: (6, Decimal("180")), PRIVATE: (4, Decimal("340"))},
    ),
    (
        "Lock Street Labs",
        "Demo Black Country Studios Ltd (demo)",
        LocalAuthority.WOLVERHAMPTON,
        "2nd floor, 40 Lock Street (fictional), Wolverhampton",
        "WV1 9ZZ",
        "Open-plan desks above a makerspace, with a gigabit line and a programme for first-time founders.",
        "",
        {HOT: (6, Decimal("85")), FIXED: (5, Decimal("150")), PRIVATE: (4, Decimal("300"))},
    ),
    (
        "Orchard Gate Start-up Hub",
        "Innovation Hub Workspaces (demo)",
        LocalAuthority.SOLIHULL,
        "Orchard Gate Business Park (fictional), Solihull",
        "B91 9ZZ",
        "A business-park hub near the airport and the rail interchange, with bookable meeting rooms.",
        "Free desks for the first month",
        {HOT: (4, Decimal("110")), FIXED: (6, Decimal("200")), PRIVATE: (4, Decimal("420"))},
    ),
    (
        "Leather Lane Desks",
        "Demo Black Country Studios Ltd (demo)",
        LocalAuthority.WALSALL,
        "The Tannery (fictional), 7 Leather Lane, Walsall",
        "WS1 9ZZ",
        "A small friendly co-working floor in the town centre, five minutes from the station.",
        "",
        {HOT: (6, Decimal("70")), FIXED: (5, Decimal("130")), PRIVATE: (4, Decimal("260"))},
    ),
]
ELIGIBILITY = (
    "Digital and tech start-ups based in, or moving to, the seven WMCA boroughs, trading for under five years."
)
ACCESSIBILITY = (
    "Step-free entrance and lift to every floor, accessible toilets, a hearing loop at reception and a quiet room."
)

# One batch of applications per unit of scale: (outcome, desk type, desks). Application i of
# batch k asks for workspace (k + i) mod 5, so each batch spreads over every workspace.
BATCH = [
    ("submitted", FIXED, 1),
    ("in_review", HOT, 2),
    ("offered", FIXED, 2),
    ("accepted", FIXED, 3),
    ("accepted", HOT, 3),
    ("accepted", HOT, 2),
    ("accepted", FIXED, 2),
    ("declined", HOT, 1),
    ("waitlisted", PRIVATE, 6),  # more private-office desks than any demo workspace has
    ("rejected", FIXED, 1),
]
PITCHES = [
    "We build booking software for independent gyms; 60 paying sites across the Midlands.",
    "Computer-vision inspection for small manufacturers, piloting with two Black Country firms.",
    "A marketplace matching care workers with shifts, launched in Coventry last spring.",
    "Low-code tools for housing associations to log repairs; three councils on trial.",
    "Carbon accounting for SMEs in the supply chains of the region's carmakers.",
    "An edtech app teaching coding through football statistics, used in 40 schools.",
]
REVIEW_COMMENTS = {
    "positive": "Clear pitch and a credible plan; the team fits the space well.",
    "rejected": "An interesting idea, but little evidence of demand yet and no plan for hiring in the region.",
}
REJECTION = "The panel scored the application below the threshold for growth potential this round."


def _provider(name: str) -> Organisation:
    existing = Organisation.objects.filter(name=name, kind=Organisation.Kind.WORKSPACE_PROVIDER).first()
    return existing or organisation_create(
        data={"name": name, "kind": Organisation.Kind.WORKSPACE_PROVIDER, "is_tech": False}
    )


def _workspaces_seed(scale: int) -> tuple[list[Workspace], int]:
    """The demo workspaces, created when missing; hot and fixed desks grow to ``scale`` times the
    base when a larger scale is asked for. Returns the workspaces and how many were created."""
    workspaces, created = [], 0
    for name, provider, borough, address, postcode, summary, subsidy, pools in WORKSPACES:
        wanted = {
            desk_type: (capacity if desk_type == PRIVATE else capacity * scale, price)
            for desk_type, (capacity, price) in pools.items()
        }
        workspace = Workspace.objects.filter(slug=slugify(name)).first()
        if workspace is None:
            workspace = services.workspace_save(
                data={
                    "provider": _provider(provider),
                    "name": name,
                    "summary": f"{DEMO_MARK} A synthetic workspace for trying the portal, not a real place. {summary}",
                    "address": address,
                    "postcode": postcode,
                    "local_authority": borough,
                    "subsidy": subsidy,
                    "eligibility": ELIGIBILITY,
                    "accessibility": ACCESSIBILITY,
                    "accepting_applications": True,
                },
                pools=wanted,
            )
            created += 1
        else:
            have = dict(DeskPool.objects.filter(workspace=workspace).values_list("desk_type", "capacity"))
            grow = {t: wanted[t] for t in (HOT, FIXED) if have.get(t, 0) < wanted[t][0]}
            if grow:
                services.workspace_save(data={}, pools=grow, workspace=workspace)
        workspaces.append(workspace)
    return workspaces, created


def _founder(n: int) -> User:
    # Not portal.demo's sign-in accounts: these never sign in, and hashing a password for each of
    # thousands of them would dominate a large --scale seed.
    email = FOUNDER_EMAIL.format(n=n)
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=f"Demo Founder {n:04d} (demo)")
    user.groups.add(role_group(Role.FOUNDER))
    return user


def _draft(
    founder: User, firm: Organisation, rng: random.Random, *, workspaces: list[Workspace], **answers
) -> Application:
    """A complete draft for ``firm`` by ``founder``, with plausible answers and ``answers`` on top."""
    application = services.application_draft_create(applicant=founder)
    consent = rng.random() < 0.7
    founders = rng.randint(1, 3)
    data = {
        "company_number": firm.company_number,
        "firm_name": firm.name,
        "firm_local_authority": firm.local_authority,
        "firm_sector": firm.sector,
        "firm_founded_on": firm.founded_on,
        "team_size": founders + rng.randint(0, 6),
        "founders": founders,
        "team_description": f"{founders} founder(s) with product and engineering backgrounds, and a small team.",
        "stage": rng.choice([Application.Stage.PRE_REVENUE, Application.Stage.REVENUE, Application.Stage.SCALING]),
        "pitch": rng.choice(PITCHES),
        "support_needs": "Introductions to investors and a mentor who has scaled a software firm.",
        "diversity_consent": consent,
        **(
            {
                "founders_women": rng.randint(0, founders),
                "founders_ethnic_minority": rng.randint(0, founders),
                "founders_disabled": rng.randint(0, 1),
            }
            if consent
            else {}
        ),
        **answers,
    }
    return services.application_draft_update(application=application, actor=founder, data=data, workspaces=workspaces)


def _take_to(
    outcome: str, application: Application, *, founder: User, staff: User, reviewer: User, rng: random.Random
) -> Application:
    """Move a complete draft through the services to ``outcome``."""
    application = services.application_submit(application=application, actor=founder)
    if outcome == "submitted":
        return application
    criteria = [criterion.pk for criterion in selectors.criterion_list()]
    low = 1 if outcome == "rejected" else 3
    services.review_create(
        application=application,
        reviewer=reviewer,
        scores={pk: rng.randint(low, low + 2) for pk in criteria},
        comment=REVIEW_COMMENTS["rejected" if outcome == "rejected" else "positive"],
    )
    if outcome == "in_review":
        return application
    if outcome == "rejected":
        return services.application_reject(application=application, actor=staff, reason=REJECTION)
    if outcome == "waitlisted":
        return services.application_waitlist(
            application=application, actor=staff, reason="No private office of that size is free at the moment."
        )
    pool = DeskPool.objects.get(workspace=application.workspaces.get(), desk_type=application.desk_type)
    application = services.application_offer(application=application, actor=staff, pool=pool)
    if outcome == "accepted":
        services.application_accept_offer(application=application, actor=founder)
    elif outcome == "declined":
        services.application_decline_offer(application=application, actor=founder, reason="We found space nearer home.")
    return application


def _demo_founder_applications(
    founder: User, workspace: Workspace, *, staff: User, reviewer: User, rng: random.Random
) -> int:
    """founder@example.org: an offer waiting for an answer, and a draft to resume."""
    added = 0
    firm = founder.organisations.filter(company_number__startswith="SY").order_by("company_number").first()
    if firm and not Application.objects.filter(applicant=founder, company_number=firm.company_number).exists():
        draft = _draft(
            founder,
            firm,
            rng,
            desk_type=FIXED,
            desks=2,
            start_on=timezone.localdate() + datetime.timedelta(days=14),
            workspaces=[workspace],
        )
        _take_to("offered", draft, founder=founder, staff=staff, reviewer=reviewer, rng=rng)
        added += 1
    if not Application.objects.filter(applicant=founder, company_number=FOUNDER_DRAFT_NUMBER).exists():
        application = services.application_draft_create(applicant=founder)
        services.application_draft_update(
            application=application,
            actor=founder,
            data={
                "company_number": FOUNDER_DRAFT_NUMBER,
                "firm_name": "Femi's Second Venture Ltd (demo)",
                "firm_local_authority": LocalAuthority.BIRMINGHAM,
                "firm_sector": firm.sector if firm else "",
                "team_size": 2,
                "founders": 2,
            },
        )
        added += 1
    return added


def _batch_firms(count: int) -> list[Organisation]:
    """Young, active synthetic tech firms in the WMCA boroughs, always the same ones in the same order."""
    boroughs = [choice for choice in LocalAuthority.values if choice != LocalAuthority.OUTSIDE]
    return list(
        Organisation.objects.filter(
            company_number__startswith="SY",
            kind=Organisation.Kind.FIRM,
            dissolved_on__isnull=True,
            local_authority__in=boroughs,
            founded_on__year__gte=2016,
        )
        .exclude(members__email="founder@example.org")
        .order_by("company_number")[:count]
    )


@transaction.atomic
def seed(*, scale: int = 1) -> dict:
    """Create the demo workspaces and ``scale`` batches of applications in every state, and give
    founder@example.org an offer to accept and a draft to resume. Idempotent. Returns counts."""
    rng = random.Random(4)  # noqa: S311 - demo data, not security
    workspaces, new_workspaces = _workspaces_seed(scale)
    staff = User.objects.get(email="staff@example.org")
    reviewer = User.objects.get(email="reviewer@example.org")
    founder = User.objects.get(email="founder@example.org")
    added = _demo_founder_applications(founder, workspaces[0], staff=staff, reviewer=reviewer, rng=rng)

    firms = _batch_firms(scale * len(BATCH))
    taken = set(
        Application.objects.filter(company_number__in=[f.company_number for f in firms]).values_list(
            "company_number", flat=True
        )
    )
    for n, firm in enumerate(firms):
        batch, index = divmod(n, len(BATCH))
        if firm.company_number in taken:
            continue
        outcome, desk_type, desks = BATCH[index]
        applicant = _founder(n + 1)
        start_on = timezone.localdate() + datetime.timedelta(days=0 if outcome == "accepted" else 30)
        draft = _draft(
            applicant,
            firm,
            rng,
            desk_type=desk_type,
            desks=desks,
            start_on=start_on,
            workspaces=[workspaces[(batch + index) % len(workspaces)]],
        )
        _take_to(outcome, draft, founder=applicant, staff=staff, reviewer=reviewer, rng=rng)
        added += 1

    demo = Application.objects.filter(Q(applicant=founder) | Q(applicant__email__startswith="demo-founder-"))
    return {
        "workspaces": len(workspaces),
        "new_workspaces": new_workspaces,
        "applications": demo.count(),
        "new_applications": added,
        "by_status": dict(demo.values_list("status").annotate(n=Count("pk")).order_by()),
    }
