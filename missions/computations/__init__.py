"""Computing functions for the registry; importing this package registers every one of them."""

from . import firms, workspaces

__all__ = ["firms", "workspaces"]
