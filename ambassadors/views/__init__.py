"""The ambassadors pages, one module per area; re-exported so ``urls.py`` sees one namespace."""

from .network import CoverageView, NetworkMapView, TargetMarketListView, TargetMarketRemoveView  # noqa: F401
