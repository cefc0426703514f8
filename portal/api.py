"""The one API router: every app's viewsets are registered here, under /api/v1/."""

from rest_framework.routers import DefaultRouter

from funding.api.views import OpportunityViewSet
from missions.api.views import IndicatorViewSet, MissionViewSet, RefreshRunViewSet
from portal.rest.views import OrganisationViewSet
from workspaces.api.views import WorkspaceApplicationViewSet, WorkspaceViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("missions", MissionViewSet, basename="mission")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("kpi-refreshes", RefreshRunViewSet, basename="kpi-refresh")
router.register("workspaces", WorkspaceViewSet, basename="workspace")
router.register("workspace-applications", WorkspaceApplicationViewSet, basename="workspace-application")
router.register("funding-opportunities", OpportunityViewSet, basename="funding-opportunity")
