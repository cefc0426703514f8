"""The funding opportunities as open data: one row per published opportunity (withdrawn ones are
never published), with its status as of today and every eligibility rule, for the CSV and JSON
downloads at ``/data/funding-opportunities.csv`` and ``.json``."""

from __future__ import annotations

import datetime

from django.db.models import Max, QuerySet

from .models import Opportunity

EXPORT_FIELDS = [
    "id",
    "title",
    "kind",
    "funder",
    "summary",
    "amount_min_gbp",
    "amount_max_gbp",
    "opens_on",
    "closes_on",
    "rolling",
    "status",
    "eligibility",
    "sectors",
    "boroughs",
    "stages",
    "firm_age_min_years",
    "firm_age_max_years",
    "headcount_min",
    "headcount_max",
    "link",
    "page",
    "updated_at",
]
# Several values of a rule share one CSV cell, separated by this; an empty cell means no limit.
LIST_SEPARATOR = "; "


def opportunity_export_queryset() -> QuerySet[Opportunity]:
    """Published opportunities with their status as of today, soonest deadline first (rolling last),
    the funder and every rule loaded: four queries whatever the number of rows."""
    return Opportunity.objects.published().for_list().with_status().by_closing_date()


def opportunity_export_rows(*, page_url) -> list[dict]:
    """Every published opportunity as a row of ``EXPORT_FIELDS``; rules are lists of their codes
    (empty: no limit). ``page_url(path)`` makes the page's absolute address."""
    return [
        {
            "id": opportunity.pk,
            "title": opportunity.title,
            "kind": opportunity.kind,
            "funder": opportunity.funder.name,
            "summary": opportunity.summary,
            "amount_min_gbp": opportunity.amount_min_gbp,
            "amount_max_gbp": opportunity.amount_max_gbp,
            "opens_on": opportunity.opens_on,
            "closes_on": opportunity.closes_on,
            "rolling": opportunity.rolling,
            "status": opportunity.status,
            "eligibility": opportunity.eligibility,
            "sectors": [rule.sector for rule in opportunity.sector_rules.all()],
            "boroughs": [rule.local_authority for rule in opportunity.area_rules.all()],
            "stages": [rule.stage for rule in opportunity.stage_rules.all()],
            "firm_age_min_years": opportunity.firm_age_min_years,
            "firm_age_max_years": opportunity.firm_age_max_years,
            "headcount_min": opportunity.headcount_min,
            "headcount_max": opportunity.headcount_max,
            "link": opportunity.link,
            "page": page_url(opportunity.get_absolute_url()),
            "updated_at": opportunity.updated_at,
        }
        for opportunity in opportunity_export_queryset()
    ]


def opportunities_modified() -> datetime.datetime | None:
    """When an opportunity last changed, a withdrawal included (None while there is none). One query."""
    return Opportunity.objects.aggregate(last=Max("updated_at"))["last"]
