"""API views of the missions app: missions, indicators with their observations, and KPI refreshes."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from portal.rest.errors import BROKER_UNAVAILABLE_RESPONSE, RETRY_AFTER_HEADER, service_errors_as_400
from portal.rest.list_cache import VersionedListCacheMixin
from portal.rest.permissions import PublicReadPartnerOrStaffWrite, request_token
from portal.rest.schema import PublicReadAutoSchema
from portal.selectors import organisation_for_token

from .. import services
from ..filters import IndicatorFilterSet, ObservationFilterSet
from ..models import Indicator, Mission, Observation, RefreshRun
from ..selectors import PORTAL_STATUSES
from .permissions import CommissionerStaffOnly
from .serializers import (
    IndicatorSerializer,
    MissionSerializer,
    ObservationBulkResultSerializer,
    ObservationCreateInputSerializer,
    ObservationSerializer,
    RefreshRunSerializer,
    refresh_run_url,
)

INDICATOR_CODE_PATTERN = r"[A-Z0-9][A-Z0-9-]{0,19}"  # M1-04-1Y, M2-01, M1-R-BIRTHS
MISSION_CODE_PATTERN = r"M[0-9]"


class NumberConstantsJSONParser(JSONParser):
    """JSON that may hold NaN and ±Infinity, read as floats, so the field they were sent in refuses
    them by name, instead of a parse error that names no field."""

    strict = False


class ReaderMixin:
    """Who is reading: the session user, and the partner organisation of a token."""

    def _user(self):
        return None if request_token(self.request) is not None else self.request.user

    def _partner(self):
        if not hasattr(self, "_partner_cache"):
            self._partner_cache = organisation_for_token(request_token(self.request))
        return self._partner_cache

    def _visible_indicators(self):
        return Indicator.objects.visible_to(self._user(), organisation=self._partner())


def portal_values_prefetch() -> Prefetch:
    """The portal's own values (computed or reported) of a page of indicators, in one query;
    ``selectors.portal_latest`` picks each one's latest."""
    own = Observation.objects.filter(status__in=PORTAL_STATUSES).select_related("geography")
    return Prefetch("observations", queryset=own, to_attr="portal_values")


@extend_schema_view(
    list=extend_schema(summary="List the Roadmap missions"),
    retrieve=extend_schema(summary="Get a mission"),
)
class MissionViewSet(
    ReaderMixin, VersionedListCacheMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The five missions of the WMCA Digital Roadmap (M1–M5), each with the indicators the reader
    may see. Open to everyone; a partner token needs the `read` scope."""

    serializer_class = MissionSerializer
    cache_data = ("missions",)
    permission_classes = [PublicReadPartnerOrStaffWrite]
    schema = PublicReadAutoSchema()
    lookup_field = "code"
    lookup_value_regex = MISSION_CODE_PATTERN
    filter_backends = [OrderingFilter]
    ordering_fields = ["code", "roadmap_order"]
    ordering = ["code"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request to scope by
            return Mission.objects.none()
        indicators = self._visible_indicators().only("code", "name", "mission_id").order_by("sort_order", "code")
        return Mission.objects.prefetch_related(
            Prefetch("indicators", queryset=indicators, to_attr="visible_indicators")
        )


@extend_schema_view(
    list=extend_schema(summary="List indicators"),
    retrieve=extend_schema(summary="Get an indicator with its latest value"),
)
@extend_validation_errors(["null_characters_not_allowed"], field_name="search", actions=["list"])
@extend_validation_errors(["invalid"], field_name="indicator", actions=["observations"], methods=["post"])
@extend_validation_errors(["invalid"], field_name="bound", actions=["observations"], methods=["post"])
class IndicatorViewSet(
    ReaderMixin, VersionedListCacheMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The missions' KPIs with their latest value.

    Anyone reads the public indicators; a partner token (scope `read`) also those its
    organisation owns; staff all. An indicator the reader may not see does not exist (404).
    """

    serializer_class = IndicatorSerializer
    cache_data = ("missions",)
    permission_classes = [PublicReadPartnerOrStaffWrite]
    schema = PublicReadAutoSchema()
    write_scope = "observations:write"
    lookup_field = "code"
    lookup_value_regex = INDICATOR_CODE_PATTERN
    filterset_class = IndicatorFilterSet
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]
    ordering = ["mission__code", "sort_order", "code"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request to scope by
            # The observations action lists (and filters) observations, not indicators.
            return (Observation if self.action == "observations" else Indicator).objects.none()
        return self._visible_indicators().for_list().prefetch_related(portal_values_prefetch())

    def _indicator(self) -> Indicator:
        # Not get_object(): this action's filters are about observations, not indicators.
        indicator = get_object_or_404(self._visible_indicators(), code=self.kwargs["code"])
        self.check_object_permissions(self.request, indicator)
        return indicator

    @extend_schema(
        methods=["GET"],
        summary="List an indicator's observations",
        responses=ObservationSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="Report a value (idempotent: the same period and geography replaces the earlier value)",
        description=(
            "Needs a token with `observations:write` whose organisation owns the indicator, or a "
            "signed-in staff user. A second value for the same period and geography replaces the "
            "first (200); the earlier one stays in the observation's history. The value must fit the "
            "indicator's unit (a percentage from 0 to 100, a count whole and not negative, money not "
            "negative) and the period its frequency (a calendar or April–March year, a calendar quarter "
            "or month), between 1990 and the end of next year; a 400 names every field that does not."
        ),
        request=ObservationCreateInputSerializer,
        responses={
            201: OpenApiResponse(ObservationSerializer, description="Recorded."),
            200: OpenApiResponse(ObservationSerializer, description="Replaced an earlier value."),
        },
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="observations",
        url_name="observations",
        parser_classes=[NumberConstantsJSONParser],
        filter_backends=[DjangoFilterBackend, OrderingFilter],
        filterset_class=ObservationFilterSet,
        ordering_fields=["period_start", "period_end"],
        ordering=["period_start", "geography__code", "status"],
    )
    def observations(self, request, code=None):
        indicator = self._indicator()
        if request.method == "POST":
            return self._submit(indicator)
        queryset = self.filter_queryset(indicator.observations.select_related("geography"))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ObservationSerializer(page, many=True).data)

    @extend_schema(
        summary="Report up to 1,000 values at once, all or nothing",
        description=(
            "The same rules and rights as reporting one value, for a list of up to 1,000. Either every "
            "value is recorded (each replacing an earlier one for its period and geography) or none is: "
            "a 400 names each broken rule with the item's index from 0 and its field, as `attr` "
            '`"3.value"`. Two items for the same period and geography are refused.'
        ),
        request=ObservationCreateInputSerializer(many=True),
        responses={200: ObservationBulkResultSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="observations/bulk",
        url_name="observations-bulk",
        parser_classes=[NumberConstantsJSONParser],
        filter_backends=[],
    )
    def observations_bulk(self, request, code=None):
        indicator = self._indicator()
        serializer = ObservationCreateInputSerializer(
            data=request.data, many=True, allow_empty=False, max_length=services.BULK_LIMIT
        )
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            try:
                results = services.observations_submit_bulk(
                    indicator=indicator,
                    items=serializer.validated_data,
                    submitted_by=self._user(),
                    organisation=self._partner(),
                )
            except DjangoPermissionDenied as exc:
                raise PermissionDenied(str(exc) or None) from exc
        created = sum(1 for _, was_created in results if was_created)
        return Response(
            {
                "count": len(results),
                "created": created,
                "replaced": len(results) - created,
                "results": ObservationSerializer([observation for observation, _ in results], many=True).data,
            }
        )

    def _submit(self, indicator: Indicator) -> Response:
        serializer = ObservationCreateInputSerializer(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            try:
                observation, created = services.observation_submit(
                    indicator=indicator,
                    **serializer.validated_data,
                    submitted_by=self._user(),
                    organisation=self._partner(),
                )
            except DjangoPermissionDenied as exc:
                raise PermissionDenied(str(exc) or None) from exc
        return Response(
            ObservationSerializer(observation).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


LOCATION_HEADER = OpenApiParameter(
    "Location",
    OpenApiTypes.URI,
    OpenApiParameter.HEADER,
    response=[202],
    description="Where to follow the run's progress.",
)


@extend_schema_view(
    list=extend_schema(summary="List KPI refresh runs, newest first"),
    retrieve=extend_schema(summary="Get a KPI refresh run's progress"),
    create=extend_schema(
        summary="Start a KPI refresh, or join the one already running",
        request=None,
        parameters=[LOCATION_HEADER, RETRY_AFTER_HEADER],
        responses={
            202: OpenApiResponse(RefreshRunSerializer, description="Queued a new run."),
            200: OpenApiResponse(RefreshRunSerializer, description="A run was already open: joined it."),
            503: BROKER_UNAVAILABLE_RESPONSE,
        },
    ),
)
class RefreshRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Runs of the KPI refresh that recomputes every computed indicator. Commissioner staff only:
    no partner scope grants it. At most one run is open at a time; a second request joins it. An
    open run that has shown no sign of life for its `stale_after_seconds` is marked failed before
    any answer, so no answer shows a dead run as open."""

    serializer_class = RefreshRunSerializer
    permission_classes = [CommissionerStaffOnly]
    filter_backends = []
    queryset = RefreshRun.objects.order_by("-created_at", "-id")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticated and allowed: now look at the runs
        services.refresh_runs_reap()

    def create(self, request, *args, **kwargs):
        run, created = services.refresh_run_request(trigger=RefreshRun.Trigger.API, requested_by=request.user)
        context = {**self.get_serializer_context(), "joined": not created}
        data = RefreshRunSerializer(run, context=context).data
        if created:
            return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": refresh_run_url(run, request)})
        return Response(data, status=status.HTTP_200_OK)
