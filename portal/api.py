"""The one API router: every app's viewsets are registered here, under /api/v1/."""

from rest_framework.routers import DefaultRouter

from ambassadors.api.lead_views import LeadViewSet
from ambassadors.api.views import ActivityViewSet, AmbassadorViewSet
from funding.api.investment_views import InvestmentViewSet
from funding.api.views import OpportunityViewSet
from missions.api.views import IndicatorViewSet, MissionViewSet, RefreshRunViewSet
from portal.rest.views import ApiWriteViewSet, OrganisationViewSet, WebhookDeliveryViewSet, WebhookSubscriptionViewSet
from workspaces.api.views import WorkspaceApplicationViewSet, WorkspaceViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("missions", MissionViewSet, basename="mission")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("kpi-refreshes", RefreshRunViewSet, basename="kpi-refresh")
router.register("workspaces", WorkspaceViewSet, basename="workspace")
router.register("workspace-applications", WorkspaceApplicationViewSet, basename="workspace-application")
router.register("ambassadors", AmbassadorViewSet, basename="ambassador")
router.register("ambassador-activities", ActivityViewSet, basename="ambassador-activity")
router.register("api-writes", ApiWriteViewSet, basename="api-write")
router.register("webhook-subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("leads", LeadViewSet, basename="lead")
router.register("funding-opportunities", OpportunityViewSet, basename="funding-opportunity")
router.register("investments", InvestmentViewSet, basename="investment")
