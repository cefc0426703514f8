"""API views of the portal core: organisations and their yearly facts."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from .. import permissions, services
from ..filters import OrganisationFilterSet
from ..models import FirmYear, Organisation
from .errors import service_errors_as_400, service_refusals_as_403
from .list_cache import VersionedListCacheMixin
from .permissions import PartnerScopeOrUser, request_token
from .serializers import (
    FirmYearCreateInputSerializer,
    FirmYearInputSerializer,
    FirmYearSerializer,
    OrganisationInputSerializer,
    OrganisationSerializer,
)

YEAR_MIN, YEAR_MAX = 1900, 2100
YEAR_PARAMETER = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX},
    OpenApiParameter.PATH,
    description=f"Calendar year, {YEAR_MIN}–{YEAR_MAX}.",
)


@extend_schema_view(
    list=extend_schema(summary="List organisations"),
    retrieve=extend_schema(summary="Get an organisation"),
    create=extend_schema(request=OrganisationInputSerializer, responses={201: OrganisationSerializer}),
    update=extend_schema(request=OrganisationInputSerializer, responses=OrganisationSerializer),
    partial_update=extend_schema(request=OrganisationInputSerializer, responses=OrganisationSerializer),
)
@extend_validation_errors(
    ["invalid_company_number", "unique"],
    field_name="company_number",
    actions=["create", "update", "partial_update"],
)
@extend_validation_errors(["null_characters_not_allowed"], field_name="search", actions=["list"])
class OrganisationViewSet(
    VersionedListCacheMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation registry: firms, partners, funders, workspace providers and public bodies.

    Partners read the whole registry with the `read` scope. With `companies:write` they register
    firms (the record then names their organisation as its maintainer) and change, and report the
    yearly facts of, only the firms their organisation created or maintains: any other organisation
    (partners, funders, public bodies, workspace providers, other firms) answers 403. Signed-in
    founders see and change only their own firms; staff see and change all.
    """

    serializer_class = OrganisationSerializer
    cache_data = ("organisations",)
    cache_personal = True  # a founder reads only their own firms
    permission_classes = [PartnerScopeOrUser]
    write_scope = "companies:write"
    filterset_class = OrganisationFilterSet
    search_fields = ["name", "company_number"]
    ordering_fields = ["name", "founded_on", "created_at"]
    ordering = ["name", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request to scope by
            return Organisation.objects.none()
        queryset = Organisation.objects.for_list()
        if request_token(self.request) is not None:  # partners read the whole registry
            return queryset
        return queryset.visible_to(self.request.user)

    def _full_access(self, organisation: Organisation) -> bool:
        """Whether the reader sees a year's diversity figures without the firm's consent: people who
        may change the firm do; API clients never do."""
        if request_token(self.request) is not None:
            return False
        return permissions.can_change_organisation(permissions.request_actor(self.request), organisation)

    def _changeable_object(self) -> Organisation:
        """The organisation of the URL, for a write: 404 when the reader cannot see it, 403 when
        it can but may not change it."""
        organisation = self.get_object()
        actor = permissions.request_actor(self.request)
        if not permissions.can_change_organisation(actor, organisation):
            raise PermissionDenied(permissions.organisation_change_refusal(actor, organisation))
        return organisation

    def create(self, request, *args, **kwargs):
        actor = permissions.request_actor(request)
        if not permissions.can_create_organisation(actor):
            raise PermissionDenied(permissions.organisation_create_refusal(actor, Organisation.Kind.FIRM))
        serializer = OrganisationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400(), service_refusals_as_403():
            organisation = services.organisation_create(
                data=serializer.validated_data, member=None if actor.is_client else request.user, actor=actor
            )
        output = OrganisationSerializer(organisation, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        organisation = self._changeable_object()
        serializer = OrganisationInputSerializer(organisation, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400(), service_refusals_as_403():
            organisation = services.organisation_update(
                organisation=organisation, data=serializer.validated_data, actor=permissions.request_actor(request)
            )
        return Response(OrganisationSerializer(organisation, context=self.get_serializer_context()).data)

    @extend_schema(
        methods=["GET"], summary="List an organisation's yearly facts", responses=FirmYearSerializer(many=True)
    )
    @extend_schema(
        methods=["POST"],
        summary="Create or replace the facts of one year (idempotent)",
        request=FirmYearCreateInputSerializer,
        responses={200: FirmYearSerializer, 201: FirmYearSerializer},
    )
    @action(detail=True, methods=["get", "post"], url_path="years", url_name="years", filter_backends=[])
    def years(self, request, pk=None):
        if request.method == "POST":
            organisation = self._changeable_object()
            serializer = FirmYearCreateInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            return self._upsert_year(organisation, data.pop("year"), data)
        organisation = self.get_object()
        page = self.paginate_queryset(organisation.years.order_by("-year"))
        context = {**self.get_serializer_context(), "full_access": self._full_access(organisation)}
        return self.get_paginated_response(FirmYearSerializer(page, many=True, context=context).data)

    @extend_schema(methods=["GET"], summary="Get the facts of one year", parameters=[YEAR_PARAMETER])
    @extend_schema(
        methods=["PUT"],
        summary="Create or replace the facts of one year (idempotent)",
        parameters=[YEAR_PARAMETER],
        request=FirmYearInputSerializer,
        responses={200: FirmYearSerializer, 201: FirmYearSerializer},
    )
    @action(
        detail=True,
        methods=["get", "put"],
        # Any digits: a year outside the range is a 404 to read and a 400 to write, not an HTML 404.
        url_path=r"years/(?P<year>[0-9]+)",
        url_name="year-detail",
        serializer_class=FirmYearSerializer,
        filter_backends=[],
    )
    def year_detail(self, request, pk=None, year=None):
        organisation = self._changeable_object() if request.method == "PUT" else self.get_object()
        year = int(year)
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise NotFound(f"Years run from {YEAR_MIN} to {YEAR_MAX}.")
        if request.method == "PUT":
            serializer = FirmYearInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            return self._upsert_year(organisation, year, dict(serializer.validated_data))
        row = get_object_or_404(FirmYear, organisation=organisation, year=year)
        context = {**self.get_serializer_context(), "full_access": self._full_access(organisation)}
        return Response(FirmYearSerializer(row, context=context).data)

    def _upsert_year(self, organisation: Organisation, year: int, data: dict) -> Response:
        with service_errors_as_400(), service_refusals_as_403():
            row, created = services.firm_year_upsert(
                organisation=organisation, year=year, data=data, actor=permissions.request_actor(self.request)
            )
        context = {**self.get_serializer_context(), "full_access": True}
        return Response(
            FirmYearSerializer(row, context=context).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
