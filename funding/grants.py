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

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet

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


def grant_list() -> QuerySet[Investment]:
    """The grants that can be published, oldest award first, with the firm, the opportunity and
    its funder, and every investor (lead first) loaded: two queries whatever the number of grants."""
    investors = InvestmentInvestor.objects.select_related("investor").order_by("-is_lead", "investor__name")
    return (
        grants_held()
        .filter(grant_publishable())
        .select_related("firm", "opportunity__funder")
        .prefetch_related(Prefetch("investor_rows", queryset=investors))
        .order_by("announced_on", "pk")
    )


def grants_modified() -> datetime.datetime | None:
    """When a grant last changed (None while there is none). One query."""
    return grants_held().aggregate(last=Max("updated_at"))["last"]
