"""URLs of the workspaces pages: the public catalogue, founders' applications, and the staff and
reviewer pages under /dashboard/. Included by portal/urls.py."""

from django.urls import path

from . import views

app_name = "workspaces"

urlpatterns = [
    # The public catalogue
    path("workspaces/", views.WorkspaceListView.as_view(), name="workspace-list"),
    path("workspaces/criteria/", views.CriterionListView.as_view(), name="criterion-list"),
    # Open data: stable download addresses listed in the portal's DCAT catalogue
    path("data/workspaces.csv", views.WorkspaceExportCsvView.as_view(), name="workspace-export-csv"),
    path("data/workspaces.json", views.WorkspaceExportJsonView.as_view(), name="workspace-export-json"),
    # Founders
    path("workspaces/applications/", views.ApplicationListView.as_view(), name="application-list"),
    path("workspaces/applications/new/", views.ApplicationCreateView.as_view(), name="application-create"),
    path("workspaces/applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application-detail"),
    path(
        "workspaces/applications/<int:pk>/steps/<slug:step>/",
        views.ApplicationStepView.as_view(),
        name="application-step",
    ),
    path("workspaces/applications/<int:pk>/check/", views.ApplicationCheckView.as_view(), name="application-check"),
    path(
        "workspaces/applications/<int:pk>/withdraw/",
        views.ApplicationWithdrawView.as_view(),
        name="application-withdraw",
    ),
    path(
        "workspaces/applications/<int:pk>/respond/",
        views.ApplicationRespondView.as_view(),
        name="application-respond",
    ),
    path("workspaces/<slug:slug>/", views.WorkspaceDetailView.as_view(), name="workspace-detail"),
    # Reviewers and staff
    path("dashboard/applications/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("dashboard/applications/bulk/", views.ApplicationBulkView.as_view(), name="application-bulk"),
    path("dashboard/applications/<int:pk>/", views.ApplicationReviewView.as_view(), name="application-review"),
    path("dashboard/applications/<int:pk>/score/", views.ReviewCreateView.as_view(), name="review-create"),
    path("dashboard/applications/<int:pk>/decide/", views.ApplicationDecideView.as_view(), name="application-decide"),
    # Staff
    path("dashboard/workspaces/", views.WorkspaceManageListView.as_view(), name="workspace-manage"),
    path("dashboard/workspaces/new/", views.WorkspaceCreateView.as_view(), name="workspace-create"),
    path("dashboard/workspaces/<slug:slug>/edit/", views.WorkspaceUpdateView.as_view(), name="workspace-update"),
    path("dashboard/tenancies/", views.TenancyListView.as_view(), name="tenancy-list"),
    path("dashboard/tenancies/<int:pk>/end/", views.TenancyEndView.as_view(), name="tenancy-end"),
]
