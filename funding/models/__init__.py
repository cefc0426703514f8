"""The funding models, one module per part of the app; imports stay ``funding.models.<Name>``."""

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
    "CLOSING_SOON_DAYS",
    "FUNDER_KINDS",
    "Investment",
    "InvestmentImport",
    "InvestmentInvestor",
    "Opportunity",
    "OpportunityArea",
    "OpportunitySector",
    "OpportunityStage",
    "SearchIndex",
    "Stage",
]
