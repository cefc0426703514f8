"""URLs of the missions app's pages and downloads; included by portal/urls.py."""

from django.urls import path, re_path

from . import views

app_name = "missions"

urlpatterns = [
    path("missions/", views.MissionListView.as_view(), name="mission-list"),
    path("missions/<slug:slug>/", views.MissionDetailView.as_view(), name="mission-detail"),
    path("indicators/<str:code>/", views.IndicatorDetailView.as_view(), name="indicator-detail"),
    path(
        "indicators/<str:code>/observations.csv",
        views.IndicatorObservationsCsvView.as_view(),
        name="indicator-observations-csv",
    ),
    path(
        "indicators/<str:code>/observations.json",
        views.IndicatorObservationsJsonView.as_view(),
        name="indicator-observations-json",
    ),
    path("data/", views.OpenDataView.as_view(), name="open-data"),
    re_path(r"^data/catalog\.(?P<extension>jsonld|ttl)$", views.DcatCatalogueView.as_view(), name="dcat-catalogue"),
    path("data/grants-360giving.json", views.GrantPackageJsonView.as_view(), name="grants-360giving-json"),
    path("data/grants-360giving.csv", views.GrantFlatCsvView.as_view(), name="grants-360giving-csv"),
    path("dashboard/observations/new/", views.ObservationCreateView.as_view(), name="observation-create"),
    path("dashboard/kpi-refreshes/", views.RefreshRunCreateView.as_view(), name="refresh-run-create"),
    path("dashboard/kpi-refreshes/<int:pk>/", views.RefreshRunDetailView.as_view(), name="refresh-run-detail"),
    path(
        "dashboard/kpi-refreshes/<int:pk>/progress/",
        views.RefreshRunProgressView.as_view(),
        name="refresh-run-progress",
    ),
]
