"""URLs of the funding pages: the public catalogue and the staff pages under /dashboard/.
Included by portal/urls.py."""

from django.urls import path

from . import views, views_investments

app_name = "funding"

urlpatterns = [
    path("funding/", views.OpportunityListView.as_view(), name="opportunity-list"),
    path("funding/deadlines.ics", views.OpportunityCalendarView.as_view(), name="opportunity-calendar"),
    path("funding/<int:pk>/", views.OpportunityDetailView.as_view(), name="opportunity-detail"),
    path("dashboard/funding/", views.OpportunityManageListView.as_view(), name="opportunity-manage"),
    path("dashboard/funding/new/", views.OpportunityCreateView.as_view(), name="opportunity-create"),
    path("dashboard/funding/<int:pk>/edit/", views.OpportunityUpdateView.as_view(), name="opportunity-update"),
    path("dashboard/funding/<int:pk>/withdraw/", views.OpportunityWithdrawView.as_view(), name="opportunity-withdraw"),
    # The investment register (staff)
    path("dashboard/investments/", views_investments.InvestmentListView.as_view(), name="investment-list"),
    path(
        "dashboard/investments/export.csv", views_investments.InvestmentExportView.as_view(), name="investment-export"
    ),
    path("dashboard/investments/new/", views_investments.InvestmentCreateView.as_view(), name="investment-create"),
    path(
        "dashboard/investments/duplicates/",
        views_investments.InvestmentDuplicateListView.as_view(),
        name="investment-duplicates",
    ),
    path("dashboard/investments/import/", views_investments.InvestmentImportView.as_view(), name="investment-import"),
    path(
        "dashboard/investments/import/template.csv",
        views_investments.InvestmentImportTemplateView.as_view(),
        name="investment-import-template",
    ),
    path(
        "dashboard/investments/import/<int:pk>/",
        views_investments.InvestmentImportPreviewView.as_view(),
        name="investment-import-preview",
    ),
    path("dashboard/investments/<int:pk>/", views_investments.InvestmentDetailView.as_view(), name="investment-detail"),
    path(
        "dashboard/investments/<int:pk>/edit/",
        views_investments.InvestmentUpdateView.as_view(),
        name="investment-update",
    ),
    path(
        "dashboard/investments/<int:pk>/verify/",
        views_investments.InvestmentVerifyView.as_view(),
        name="investment-verify",
    ),
    path(
        "dashboard/investments/<int:pk>/not-duplicate/",
        views_investments.InvestmentDuplicateClearView.as_view(),
        name="investment-not-duplicate",
    ),
    path(
        "dashboard/investments/<int:pk>/delete/",
        views_investments.InvestmentDeleteView.as_view(),
        name="investment-delete",
    ),
]
