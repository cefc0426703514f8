"""URLs of the ambassador network: the public directory, the ambassador portal under
/ambassadors/ (MFA), and the staff pages under /dashboard/. Included by portal/urls.py."""

from django.urls import path

from . import views

app_name = "ambassadors"

urlpatterns = [
    # --- The public directory and the ambassador portal: profiles, activities, briefings ---
    # --- end of the portal's pages ---
    #
    # --- Leads: the ambassador's own leads and impact, and the staff pipeline ---
    path("ambassadors/leads/", views.LeadListView.as_view(), name="lead-list"),
    path("ambassadors/leads/new/", views.LeadReferView.as_view(), name="lead-refer"),
    path("ambassadors/leads/<int:pk>/", views.LeadDetailView.as_view(), name="lead-detail"),
    path("ambassadors/impact/", views.ImpactView.as_view(), name="impact"),
    path("dashboard/leads/", views.LeadPipelineView.as_view(), name="lead-pipeline"),
    path("dashboard/leads/new/", views.LeadCreateView.as_view(), name="lead-create"),
    path("dashboard/leads/<int:pk>/", views.LeadManageView.as_view(), name="lead-manage"),
    path("dashboard/leads/<int:pk>/move/", views.LeadMoveView.as_view(), name="lead-move"),
    # --- end of the leads' pages ---
    #
    # --- Network views for staff: coverage, target markets, the map ---
    # --- end of the network views ---
]
