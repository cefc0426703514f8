"""The benchmark's URLconf: the two references, then every URL of the portal unchanged."""

from django.urls import path

from portal.urls import handler404
from portal.urls import urlpatterns as portal_urlpatterns

from . import views

__all__ = ["handler404", "urlpatterns"]

urlpatterns = [
    path("bench/reference/", views.ReferencePageView.as_view(), name="bench-reference-page"),
    path("api/v1/bench/reference/", views.ReferenceRowListView.as_view(), name="bench-reference-list"),
    *portal_urlpatterns,
]
