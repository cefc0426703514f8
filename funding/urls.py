"""URLs of the funding pages: the public catalogue and the staff pages under /dashboard/.
Included by portal/urls.py."""

from django.urls import path

from . import views, views_data

app_name = "funding"

urlpatterns = [
    path("funding/", views.OpportunityListView.as_view(), name="opportunity-list"),
    path("funding/deadlines.ics", views.OpportunityCalendarView.as_view(), name="opportunity-calendar"),
    path("funding/<int:pk>/", views.OpportunityDetailView.as_view(), name="opportunity-detail"),
    path("dashboard/funding/", views.OpportunityManageListView.as_view(), name="opportunity-manage"),
    path("dashboard/funding/new/", views.OpportunityCreateView.as_view(), name="opportunity-create"),
    path("dashboard/funding/<int:pk>/edit/", views.OpportunityUpdateView.as_view(), name="opportunity-update"),
    path("dashboard/funding/<int:pk>/withdraw/", views.OpportunityWithdrawView.as_view(), name="opportunity-withdraw"),
    # --- Open data: the opportunities as downloads (the 360Giving grants are missions' /data/ URLs) ---
    path(
        "data/funding-opportunities.csv", views_data.OpportunityExportCsvView.as_view(), name="opportunity-export-csv"
    ),
    path(
        "data/funding-opportunities.json",
        views_data.OpportunityExportJsonView.as_view(),
        name="opportunity-export-json",
    ),
    # --- end of open data ---
]
