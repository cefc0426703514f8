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
