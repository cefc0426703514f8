"""The workspaces pages, one module per audience; re-exported so ``urls.py`` sees one namespace."""

from .applications import (
    ApplicationCheckView,
    ApplicationCreateView,
    ApplicationDetailView,
    ApplicationListView,
    ApplicationRespondView,
    ApplicationStepView,
    ApplicationWithdrawView,
)
from .catalogue import (
    CriterionListView,
    TenancyEndView,
    TenancyListView,
    WorkspaceCreateView,
    WorkspaceDetailView,
    WorkspaceExportCsvView,
    WorkspaceExportJsonView,
    WorkspaceListView,
    WorkspaceManageListView,
    WorkspaceUpdateView,
)
from .review import (
    ApplicationBulkView,
    ApplicationDecideView,
    ApplicationReviewView,
    ReviewCreateView,
    ReviewQueueView,
)

__all__ = [
    "ApplicationBulkView",
    "ApplicationCheckView",
    "ApplicationCreateView",
    "ApplicationDecideView",
    "ApplicationDetailView",
    "ApplicationListView",
    "ApplicationRespondView",
    "ApplicationReviewView",
    "ApplicationStepView",
    "ApplicationWithdrawView",
    "CriterionListView",
    "ReviewCreateView",
    "ReviewQueueView",
    "TenancyEndView",
    "TenancyListView",
    "WorkspaceCreateView",
    "WorkspaceDetailView",
    "WorkspaceExportCsvView",
    "WorkspaceExportJsonView",
    "WorkspaceListView",
    "WorkspaceManageListView",
    "WorkspaceUpdateView",
]
