"""The ambassadors pages, one module per area; re-exported so ``urls.py`` sees one namespace."""

from .directory import DirectoryExportCsvView, DirectoryExportJsonView, DirectoryProfileView, DirectoryView
from .leads import *  # noqa: F403 - the leads pages, named in views/leads.py __all__
from .leads import __all__ as _leads_all
from .network import CoverageView, NetworkMapView, TargetMarketListView, TargetMarketRemoveView
from .portal import (
    ActivityCreateView,
    ActivityListView,
    ActivityUpdateView,
    BriefingDetailView,
    BriefingFileView,
    BriefingListView,
    HomeView,
    InvitationAcceptView,
    ProfileEditView,
)
from .staff import (
    AmbassadorDetailView,
    AmbassadorStatusView,
    AmbassadorUpdateView,
    BriefingDeleteView,
    BriefingManageView,
    InvitationCreateView,
    InvitationListView,
    InvitationResendView,
    InvitationRevokeView,
    NetworkListView,
)

__all__ = [
    "ActivityCreateView",
    "ActivityListView",
    "ActivityUpdateView",
    "AmbassadorDetailView",
    "AmbassadorStatusView",
    "AmbassadorUpdateView",
    "BriefingDeleteView",
    "BriefingDetailView",
    "BriefingFileView",
    "BriefingListView",
    "BriefingManageView",
    "DirectoryExportCsvView",
    "DirectoryExportJsonView",
    "DirectoryProfileView",
    "DirectoryView",
    "HomeView",
    "InvitationAcceptView",
    "InvitationCreateView",
    "InvitationListView",
    "InvitationResendView",
    "InvitationRevokeView",
    "NetworkListView",
    "ProfileEditView",
    "CoverageView",
    "NetworkMapView",
    "TargetMarketListView",
    "TargetMarketRemoveView",
]
__all__ += _leads_all
