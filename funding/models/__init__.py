"""The funding models, one module per part of the app; imports stay ``funding.models.<Name>``."""

from .budget import BudgetCategory, BudgetLine, SpendEntry
from .investments import Investment, InvestmentInvestor
from .opportunities import (
    CLOSING_SOON_DAYS,
    FUNDER_KINDS,
    Opportunity,
    OpportunityArea,
    OpportunitySector,
    OpportunityStage,
    SearchIndex,
    Stage,
)

__all__ = [
    "BudgetCategory",
    "BudgetLine",
    "CLOSING_SOON_DAYS",
    "FUNDER_KINDS",
    "Investment",
    "InvestmentInvestor",
    "Opportunity",
    "OpportunityArea",
    "OpportunitySector",
    "OpportunityStage",
    "SearchIndex",
    "SpendEntry",
    "Stage",
]
