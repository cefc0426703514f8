"""URLs of the ambassador network: the public directory, the ambassador portal under
/ambassadors/ (MFA), and the staff pages under /dashboard/. Included by portal/urls.py."""

from django.urls import path

from . import views

app_name = "ambassadors"

urlpatterns = [
    # --- The public directory and the ambassador portal: profiles, activities, briefings ---
    path("ambassadors/", views.HomeView.as_view(), name="home"),
    path("ambassadors/profile/", views.ProfileEditView.as_view(), name="profile-edit"),
    path("ambassadors/activities/", views.ActivityListView.as_view(), name="activity-list"),
    path("ambassadors/activities/new/", views.ActivityCreateView.as_view(), name="activity-create"),
    path("ambassadors/activities/<int:pk>/edit/", views.ActivityUpdateView.as_view(), name="activity-update"),
    path("ambassadors/briefings/", views.BriefingListView.as_view(), name="briefing-list"),
    path("ambassadors/briefings/<int:pk>/", views.BriefingDetailView.as_view(), name="briefing-detail"),
    path("ambassadors/briefings/<int:pk>/file/", views.BriefingFileView.as_view(), name="briefing-file"),
    path("ambassadors/directory/", views.DirectoryView.as_view(), name="directory"),
    path("ambassadors/directory/<int:pk>/", views.DirectoryProfileView.as_view(), name="directory-profile"),
    path("data/ambassadors.csv", views.DirectoryExportCsvView.as_view(), name="directory-export-csv"),
    path("data/ambassadors.json", views.DirectoryExportJsonView.as_view(), name="directory-export-json"),
    path("ambassadors/invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("dashboard/ambassadors/", views.NetworkListView.as_view(), name="network-list"),
    path("dashboard/ambassadors/<int:pk>/", views.AmbassadorDetailView.as_view(), name="ambassador-detail"),
    path("dashboard/ambassadors/<int:pk>/edit/", views.AmbassadorUpdateView.as_view(), name="ambassador-update"),
    path("dashboard/ambassadors/<int:pk>/status/", views.AmbassadorStatusView.as_view(), name="ambassador-status"),
    path("dashboard/ambassadors/invitations/", views.InvitationListView.as_view(), name="invitation-list"),
    path("dashboard/ambassadors/invitations/new/", views.InvitationCreateView.as_view(), name="invitation-create"),
    path(
        "dashboard/ambassadors/invitations/<int:pk>/resend/",
        views.InvitationResendView.as_view(),
        name="invitation-resend",
    ),
    path(
        "dashboard/ambassadors/invitations/<int:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="invitation-revoke",
    ),
    path("dashboard/briefings/", views.BriefingManageView.as_view(), name="briefing-manage"),
    path("dashboard/briefings/<int:pk>/delete/", views.BriefingDeleteView.as_view(), name="briefing-delete"),
    # --- end of the portal's pages ---
    #
    # --- Leads: the ambassador's own leads and impact, and the staff pipeline ---
    path("ambassadors/leads/", views.LeadListView.as_view(), name="lead-list"),
    path("ambassadors/leads/new/", views.LeadReferView.as_view(), name="lead-refer"),
    path("ambassadors/leads/<int:pk>/", views.LeadDetailView.as_view(), name="lead-detail"),
    path("ambassadors/impact/", views.ImpactView.as_view(), name="impact"),
    path("dashboard/leads/", views.LeadPipelineView.as_view(), name="lead-pipeline"),
    path("dashboard/leads/new/", views.LeadCreateView.as_view(), name="lead-create"),
    path(
        "dashboard/leads/suggest/ambassadors/",
        views.AmbassadorSuggestionsView.as_view(),
        name="lead-suggest-ambassadors",
    ),
    path("dashboard/leads/<int:pk>/", views.LeadManageView.as_view(), name="lead-manage"),
    path("dashboard/leads/<int:pk>/move/", views.LeadMoveView.as_view(), name="lead-move"),
    # --- end of the leads' pages ---
    #
    # --- Network views for staff: coverage, target markets, the map ---
    path("dashboard/ambassadors/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("dashboard/ambassadors/target-markets/", views.TargetMarketListView.as_view(), name="target-market-list"),
    path(
        "dashboard/ambassadors/target-markets/<int:pk>/remove/",
        views.TargetMarketRemoveView.as_view(),
        name="target-market-remove",
    ),
    path("dashboard/ambassadors/map/", views.NetworkMapView.as_view(), name="map"),
    # --- end of the network views ---
]
