"""Synthetic demo records for local use and benchmarks. Every firm made here is marked synthetic.

Deterministic: the same scale gives the same records, and running it again adds nothing.
"""

import datetime
import random

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from oauth2_provider.models import Application

from . import services
from .models import FirmYear, LocalAuthority, Organisation, Sector, User
from .roles import Role, role_group

DEMO_PASSWORD = "portal-demo-2026"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_PARTNER_CLIENT_ID = "demo-partner"
DEMO_PARTNER_SECRET = "demo-partner-secret"
DEMO_ACCOUNTS = [
    ("staff@example.org", "Sam Staff (demo)", Role.STAFF, True),
    ("reviewer@example.org", "Robin Reviewer (demo)", Role.REVIEWER, True),
    ("ambassador@example.org", "Ama Ambassador (demo)", Role.AMBASSADOR, True),
    ("founder@example.org", "Femi Founder (demo)", Role.FOUNDER, False),
]
PARTNERS = [
    ("Birmingham Tech (demo)", Organisation.Kind.PARTNER),
    ("West Midlands Combined Authority (demo)", Organisation.Kind.PUBLIC_BODY),
    ("Midlands University (demo)", Organisation.Kind.PARTNER),
    ("Regional Growth Fund (demo)", Organisation.Kind.FUNDER),
    ("Innovation Hub Workspaces (demo)", Organisation.Kind.WORKSPACE_PROVIDER),
]
FIRMS_PER_SCALE = 300
MAINTAINED_EVERY = 10  # every tenth synthetic firm is maintained by the demo partner
FIRST_YEAR, LAST_YEAR = 2012, 2025
COUNTRIES = ["IN", "US", "DE", "FR", "NG", "CN", "JP", "IE", "PL", "CA"]


def _account(email: str, name: str, role: str, mfa: bool) -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "is_staff": role == Role.STAFF}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(role_group(role))
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if mfa and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)  # as setting TOTP up through the pages does
    return user


def _firm_years(rng: random.Random, organisation: Organisation) -> list[FirmYear]:
    """A plausible headcount path from founding to dissolution (or the last year)."""
    start = max(organisation.founded_on.year, FIRST_YEAR)
    end = min(organisation.dissolved_on.year if organisation.dissolved_on else LAST_YEAR, LAST_YEAR)
    growth = rng.choice([0.0, 0.05, 0.1, 0.15, 0.3, 0.45])
    employees = rng.randint(1, 15)
    rows = []
    for year in range(start, end + 1):
        leaders = max(1, min(employees, rng.randint(1, 6)))
        disclosed = rng.randint(max(0, employees - 3), employees)
        leaders_disclosed = rng.randint(0, leaders)
        rows.append(
            FirmYear(
                organisation=organisation,
                year=year,
                employees=employees,
                turnover_gbp=employees * rng.randint(40_000, 120_000),
                leadership_total=leaders,
                leadership_disclosed=leaders_disclosed,
                leadership_women=rng.randint(0, leaders_disclosed),
                leadership_ethnic_minority=rng.randint(0, leaders_disclosed),
                staff_total=employees,
                staff_disclosed=disclosed,
                staff_women=rng.randint(0, disclosed),
                staff_ethnic_minority=rng.randint(0, disclosed),
                consent=rng.random() < 0.85,
                source=FirmYear.Source.SELF_REPORTED,
                as_of=datetime.date(year + 1, 1, 31),
            )
        )
        employees = max(1, round(employees * (1 + growth + rng.uniform(-0.1, 0.1))))
    return rows


@transaction.atomic
def seed(*, scale: int = 1) -> dict:
    """Create the demo accounts, partner organisations, the demo API client and ``scale`` × 300
    synthetic firms with their yearly facts; every tenth firm (SY000010, SY000020, …) is maintained
    by the demo partner, so its client has firms it may change. Idempotent. Returns counts of what
    exists."""
    accounts = {email: _account(email, name, role, mfa) for email, name, role, mfa in DEMO_ACCOUNTS}
    partners = {}
    for name, kind in PARTNERS:
        partners[name], _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "is_tech": False})
    if not Application.objects.filter(client_id=DEMO_PARTNER_CLIENT_ID).exists():
        services.partner_credential_create(
            organisation=partners["Birmingham Tech (demo)"],
            scopes=[
                "read",
                "observations:write",
                "companies:write",
                "investments:write",
                "opportunities:write",
                "webhooks",
            ],
            created_by=None,
            client_id=DEMO_PARTNER_CLIENT_ID,
            client_secret=DEMO_PARTNER_SECRET,
        )

    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    boroughs = [c for c in LocalAuthority.values if c != LocalAuthority.OUTSIDE]
    sectors = [c for c in Sector.values if c != Sector.NON_TECH]
    wanted = []
    for n in range(1, scale * FIRMS_PER_SCALE + 1):
        founded = datetime.date(rng.randint(2008, 2024), rng.randint(1, 12), rng.randint(1, 28))
        dissolved = None
        if rng.random() < 0.35:
            dissolved = founded + datetime.timedelta(days=rng.randint(200, 3000))
            dissolved = dissolved if dissolved.year <= LAST_YEAR else None
        origin = rng.choices(list(Organisation.Origin.values), weights=[80, 12, 8])[0]
        wanted.append(
            Organisation(
                name=f"Synthetic Firm {n:05d} Ltd",
                kind=Organisation.Kind.FIRM,
                company_number=f"SY{n:06d}",
                sector=rng.choice(sectors),
                local_authority=rng.choice(boroughs) if rng.random() < 0.92 else LocalAuthority.OUTSIDE,
                founded_on=founded,
                dissolved_on=dissolved,
                origin=origin,
                origin_country=rng.choice(COUNTRIES) if origin == Organisation.Origin.RELOCATED_ABROAD else "",
                is_tech=True,
            )
        )
    existing = set(
        Organisation.objects.filter(company_number__startswith="SY").values_list("company_number", flat=True)
    )
    new = [o for o in wanted if o.company_number not in existing]
    Organisation.objects.bulk_create(new, batch_size=1000)
    Organisation.objects.filter(
        company_number__in=[f"SY{n:06d}" for n in range(MAINTAINED_EVERY, len(wanted) + 1, MAINTAINED_EVERY)],
        recorded_by__isnull=True,
    ).update(recorded_by=partners["Birmingham Tech (demo)"])
    created = Organisation.objects.filter(company_number__in=[o.company_number for o in new])
    years = []
    for organisation in created.order_by("company_number"):
        years.extend(_firm_years(rng, organisation))
    FirmYear.objects.bulk_create(years, batch_size=2000, ignore_conflicts=True)

    founder_firm = Organisation.objects.get(company_number="SY000001")
    founder_firm.members.add(accounts["founder@example.org"])
    return {
        "accounts": len(accounts),
        "firms": Organisation.objects.filter(company_number__startswith="SY").count(),
        "firm_years": FirmYear.objects.count(),
        "new_firms": len(new),
    }
