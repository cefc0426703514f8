"""M1 indicators computed from the programme budget: how much of the two-year budget has been spent
(KPIS M1-14) and how spend compares with the plan for the same quarters.

Both read ``funding.budget_selectors.budget_overview``, the figures the budget pages show, so the
indicators and the pages agree to the penny: two queries whatever the number of spend entries.
Every programme quarter from the first to the current one (the last, once the programme has ended)
has a value, except while nothing is planned up to it (a share of nothing has no value). Values
are for the WMCA area: the programme is the region's.
"""

from funding.budget_selectors import budget_overview
from missions.registry import Value, rate_value, register


@register("budget_spent_share")
def budget_spent_share() -> list[Value]:
    """Spend from the programme's start to each quarter's end (today in the current quarter), as a
    percentage of the whole budget (every plan line), with both amounts."""
    overview = budget_overview()
    if not overview.planned:
        return []
    return [
        rate_value(row.quarter.start, row.quarter.end, row.spent_to_date, overview.planned)
        for row in overview.burn_up
        if row.started
    ]


@register("budget_spend_against_plan")
def budget_spend_against_plan() -> list[Value]:
    """Spend from the programme's start to each quarter's end, as a percentage of the plan of the
    quarters up to and including it (100 is on plan), with both amounts."""
    return [
        rate_value(row.quarter.start, row.quarter.end, row.spent_to_date, row.planned_to_date)
        for row in budget_overview().burn_up
        if row.started and row.planned_to_date
    ]
