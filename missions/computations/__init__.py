"""Computing functions for the registry; importing this package registers every one of them."""

from . import ambassadors, firms, workspaces

__all__ = ["ambassadors", "firms", "workspaces"]
