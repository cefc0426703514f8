"""The funding models, one module per part of the app; imports stay ``funding.models.<Name>``."""

from .alerts import MAX_ALERTS_PER_USER, Alert, AlertDigest
from .budget import BudgetCategory, BudgetLine, SpendEntry
from .investments import Investment, InvestmentImport, InvestmentInvestor
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
    "Alert",
    "AlertDigest",
    "BudgetCategory",
    "BudgetLine",
    "CLOSING_SOON_DAYS",
    "FUNDER_KINDS",
    "Investment",
    "InvestmentImport",
    "InvestmentInvestor",
    "MAX_ALERTS_PER_USER",
    "Opportunity",
    "OpportunityArea",
    "OpportunitySector",
    "OpportunityStage",
    "SearchIndex",
    "SpendEntry",
    "Stage",
]
