"""Selectors of the register's grants: which investments count as grants, and which of them can be
published openly. The 360Giving export and the grant indicators (both in ``missions``) read them
here, so they always agree.

A grant is an investment of kind *grant*, or an award of kind *other* made through a listed grant
or prize opportunity (a prize won in a competition on the catalogue). A record staff flagged as a
possible duplicate of another is left out until they clear the flag.

A grant can be published when 360Giving's required fields can be filled without guessing: its
amount is disclosed (an undisclosed award is never given a number) and it names a funder (an
investor, or else the funder of the opportunity it came through).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from .models import Investment, InvestmentInvestor, Opportunity

# The opportunity kinds whose awards are grants whatever the investment's kind says.
AWARD_KINDS = (Opportunity.Kind.GRANT, Opportunity.Kind.PRIZE)
GRANTS = Q(kind=Investment.Kind.GRANT) | Q(kind=Investment.Kind.OTHER, opportunity__kind__in=AWARD_KINDS)


def grants_held() -> QuerySet[Investment]:
    """Every grant of the register, possible duplicates left out. Not ordered."""
    return Investment.objects.filter(GRANTS, possible_duplicate_of__isnull=True).order_by()


def grant_publishable() -> Q:
    """The condition a grant meets to be published: a disclosed amount and a funder."""
    has_investor = Exists(InvestmentInvestor.objects.filter(investment=OuterRef("pk")))
    return Q(amount_gbp__isnull=False) & (has_investor | Q(opportunity__isnull=False))


@dataclass(frozen=True)
class GrantOrganisation:
    """A firm or funder as a published grant names it."""

    pk: int
    name: str
    company_number: str
    website: str = ""
    local_authority: str = ""


@dataclass(frozen=True)
class GrantProgramme:
    """The catalogue opportunity a grant came through."""

    pk: int
    title: str
    is_withdrawn: bool
    funder: GrantOrganisation


@dataclass(frozen=True)
class PublishedGrant:
    """A grant that can be published, with what the 360Giving export shows of it: its firm, its
    opportunity (if any) and its investors, lead first."""

    pk: int
    kind: str
    title: str
    amount_gbp: int
    announced_on: datetime.date
    updated_at: datetime.datetime
    source: str
    firm: GrantOrganisation
    opportunity: GrantProgramme | None
    investors: list[GrantOrganisation]


GRANT_COLUMNS = (
    "pk",
    "kind",
    "title",
    "amount_gbp",
    "announced_on",
    "updated_at",
    "source",
    "firm_id",
    "firm__name",
    "firm__company_number",
    "firm__website",
    "firm__local_authority",
    "opportunity_id",
    "opportunity__title",
    "opportunity__withdrawn_at",
    "opportunity__funder_id",
    "opportunity__funder__name",
    "opportunity__funder__company_number",
)


def grant_list() -> list[PublishedGrant]:
    """The grants that can be published, oldest award first, with the firm, the opportunity and
    its funder, and every investor (lead first): two queries whatever the number of grants, read
    as plain rows, so a register of tens of thousands of grants publishes in seconds."""
    grants = grants_held().filter(grant_publishable())
    investors: dict[int, list[GrantOrganisation]] = defaultdict(list)
    rows = (
        InvestmentInvestor.objects.filter(investment__in=grants.values("pk"))
        .order_by("investment_id", "-is_lead", "investor__name")
        .values_list("investment_id", "investor_id", "investor__name", "investor__company_number")
    )
    for investment_id, pk, name, number in rows.iterator(chunk_size=5000):
        investors[investment_id].append(GrantOrganisation(pk, name, number))
    published = []
    for row in grants.order_by("announced_on", "pk").values_list(*GRANT_COLUMNS).iterator(chunk_size=5000):
        (pk, kind, title, amount, announced_on, updated_at, source) = row[:7]
        firm = GrantOrganisation(*row[7:12])
        opportunity_id, opportunity_title, withdrawn_at, funder_id, funder_name, funder_number = row[12:]
        opportunity = None
        if opportunity_id is not None:
            funder = GrantOrganisation(funder_id, funder_name, funder_number)
            opportunity = GrantProgramme(opportunity_id, opportunity_title, withdrawn_at is not None, funder)
        published.append(
            PublishedGrant(pk, kind, title, amount, announced_on, updated_at, source, firm, opportunity, investors[pk])
        )
    return published


def grants_modified() -> datetime.datetime | None:
    """When a grant last changed (None while there is none). One query."""
    return grants_held().aggregate(last=Max("updated_at"))["last"]
