"""URLs of the funding pages: the public catalogue and the staff pages under /dashboard/.
Included by portal/urls.py."""

from django.urls import path

from . import views, views_alerts, views_budget, views_data, views_investments

app_name = "funding"

urlpatterns = [
    path("funding/", views.OpportunityListView.as_view(), name="opportunity-list"),
    path("funding/deadlines.ics", views.OpportunityCalendarView.as_view(), name="opportunity-calendar"),
    path("funding/<int:pk>/", views.OpportunityDetailView.as_view(), name="opportunity-detail"),
    # Matching and alerts: a founder's matches, anyone's alerts, and the digest's unsubscribe link
    path("funding/matches/", views_alerts.FirmMatchListView.as_view(), name="match-list"),
    path("funding/alerts/", views_alerts.AlertListView.as_view(), name="alert-list"),
    path("funding/alerts/new/", views_alerts.AlertCreateView.as_view(), name="alert-create"),
    path("funding/alerts/<int:pk>/edit/", views_alerts.AlertUpdateView.as_view(), name="alert-update"),
    path("funding/alerts/<int:pk>/delete/", views_alerts.AlertDeleteView.as_view(), name="alert-delete"),
    path(
        "funding/alerts/unsubscribe/<str:token>/",
        views_alerts.AlertUnsubscribeView.as_view(),
        name="alert-unsubscribe",
    ),
    path("funding/alerts/unsubscribed/", views_alerts.AlertUnsubscribedView.as_view(), name="alert-unsubscribed"),
    path("dashboard/funding/", views.OpportunityManageListView.as_view(), name="opportunity-manage"),
    path("dashboard/funding/new/", views.OpportunityCreateView.as_view(), name="opportunity-create"),
    path(
        "dashboard/funding/suggest/funders/",
        views.FunderSuggestionsView.as_view(),
        name="opportunity-suggest-funders",
    ),
    path("dashboard/funding/<int:pk>/edit/", views.OpportunityUpdateView.as_view(), name="opportunity-update"),
    path("dashboard/funding/<int:pk>/withdraw/", views.OpportunityWithdrawView.as_view(), name="opportunity-withdraw"),
    # --- The programme budget: the public totals and the staff pages ---
    path("funding/budget/", views_budget.BudgetSummaryView.as_view(), name="budget-summary"),
    path("dashboard/budget/", views_budget.BudgetOverviewView.as_view(), name="budget-overview"),
    path("dashboard/budget/plan/", views_budget.BudgetPlanView.as_view(), name="budget-plan"),
    path("dashboard/budget/spend/", views_budget.SpendListView.as_view(), name="spend-list"),
    path("dashboard/budget/spend/new/", views_budget.SpendCreateView.as_view(), name="spend-create"),
    path("dashboard/budget/spend/<int:pk>/", views_budget.SpendDetailView.as_view(), name="spend-detail"),
    path("dashboard/budget/spend/<int:pk>/edit/", views_budget.SpendUpdateView.as_view(), name="spend-update"),
    path("dashboard/budget/spend/<int:pk>/remove/", views_budget.SpendRemoveView.as_view(), name="spend-remove"),
    # --- end of the budget's pages ---
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
    # The investment register (staff)
    path("dashboard/investments/", views_investments.InvestmentListView.as_view(), name="investment-list"),
    path(
        "dashboard/investments/export.csv", views_investments.InvestmentExportView.as_view(), name="investment-export"
    ),
    path("dashboard/investments/new/", views_investments.InvestmentCreateView.as_view(), name="investment-create"),
    path(
        "dashboard/investments/suggest/firms/",
        views_investments.FirmSuggestionsView.as_view(),
        name="investment-suggest-firms",
    ),
    path(
        "dashboard/investments/suggest/investors/",
        views_investments.InvestorSuggestionsView.as_view(),
        name="investment-suggest-investors",
    ),
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
