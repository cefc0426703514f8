"""Computing functions for the registry; importing this package registers every one of them."""

from . import ambassadors, budget, firms, funding, open_data, workspaces

__all__ = ["ambassadors", "budget", "firms", "funding", "open_data", "workspaces"]
