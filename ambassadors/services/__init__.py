"""The ambassadors app's writes, one module per area, re-exported so callers import
``ambassadors.services``."""

from .network import target_market_add, target_market_remove  # noqa: F401
