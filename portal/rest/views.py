"""API views of the portal core: organisations and their yearly facts."""

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from .. import permissions, selectors, services, webhooks
from ..filters import ApiWriteFilterSet, OrganisationFilterSet, WebhookDeliveryFilterSet
from ..models import ApiWrite, FirmYear, Organisation, WebhookDelivery, WebhookSubscription
from .errors import service_errors_as_400, service_refusals_as_403
from .list_cache import VersionedListCacheMixin
from .permissions import TOKEN_SCOPE_MESSAGE, PartnerReadOrStaff, PartnerScopeOrUser, ScopedPermission, request_token
from .serializers import (
    ApiWriteSerializer,
    FirmYearBulkItemInputSerializer,
    FirmYearBulkResultSerializer,
    FirmYearCreateInputSerializer,
    FirmYearInputSerializer,
    FirmYearSerializer,
    OrganisationInputSerializer,
    OrganisationSerializer,
    WebhookDeliverySerializer,
    WebhookSubscriptionCreatedSerializer,
    WebhookSubscriptionInputSerializer,
    WebhookSubscriptionSerializer,
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

    @extend_schema(
        summary="Create or replace up to 1,000 years of facts at once, all or nothing",
        description=(
            "Each item is one organisation's year, with the same rules and rights as writing one: "
            "either every year is recorded or none is. A 400 names each broken rule with the item's "
            'index from 0 and its field, as `attr` `"3.employees"`; an organisation the client may not '
            'change is refused at `"<index>.organisation"` with the reason.'
        ),
        request=FirmYearBulkItemInputSerializer(many=True),
        responses={200: FirmYearBulkResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="years/bulk", url_name="years-bulk", filter_backends=[])
    def years_bulk(self, request):
        actor = permissions.request_actor(request)
        serializer = FirmYearBulkItemInputSerializer(
            data=request.data, many=True, allow_empty=False, max_length=services.FIRM_YEARS_BULK_LIMIT
        )
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            results = services.firm_years_upsert_bulk(items=serializer.validated_data, actor=actor)
        created = sum(1 for _, was_created in results if was_created)
        context = {**self.get_serializer_context(), "full_access": True}
        return Response(
            {
                "count": len(results),
                "created": created,
                "replaced": len(results) - created,
                "results": FirmYearSerializer([row for row, _ in results], many=True, context=context).data,
            }
        )

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


@extend_schema_view(
    list=extend_schema(summary="List your API clients' writes"),
    retrieve=extend_schema(summary="Get one API write"),
)
class ApiWriteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every write (POST, PUT, PATCH, DELETE) a partner's API clients sent, newest first: when,
    the method and address, the answer's status and first error code, the `Idempotency-Key` and
    whether the answer was replayed. A partner token with `read` sees its own organisation's
    clients' writes; staff see every partner's."""

    serializer_class = ApiWriteSerializer
    permission_classes = [PartnerReadOrStaff]
    filter_backends = [DjangoFilterBackend, OrderingFilter]  # filters and ordering; no free-text search
    filterset_class = ApiWriteFilterSet
    ordering_fields = ["created_at", "status_code"]

    queryset = ApiWrite.objects.none()  # for the schema; every request scopes its own

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        token = request_token(self.request)
        if token is None:
            return selectors.api_write_list()
        organisation_id = selectors.partner_organisation_id(token)
        if organisation_id is None:
            return ApiWrite.objects.none()
        return selectors.api_write_list(organisation_id=organisation_id)


class WebhookClientOnly(ScopedPermission):
    """Partner API clients only (a subscription belongs to one client): `read` to read, the
    `webhooks` scope to subscribe, change or unsubscribe."""

    message = "Webhooks belong to partner API clients: use a partner token."

    def token_scope(self, method: str, view) -> str | None:
        return "read" if method in SAFE_METHODS else "webhooks"

    def has_permission(self, request, view) -> bool:
        token = request_token(request)
        if token is None:
            return False
        self.message = TOKEN_SCOPE_MESSAGE
        return self.token_allows(token, request, view)


def _token_credential(request):
    credential = getattr(request.auth, "application", None) and getattr(
        request.auth.application, "partner_credential", None
    )
    if credential is None or not credential.is_active:
        raise PermissionDenied("This API client's credential is no longer active.")
    return credential


@extend_schema_view(
    list=extend_schema(summary="List this client's webhook subscriptions"),
    retrieve=extend_schema(summary="Get a webhook subscription"),
    create=extend_schema(
        summary="Subscribe an address to events",
        request=WebhookSubscriptionInputSerializer,
        responses={201: WebhookSubscriptionCreatedSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a subscription's address or events (resumes a paused one)",
        request=WebhookSubscriptionInputSerializer,
        responses=WebhookSubscriptionSerializer,
    ),
    destroy=extend_schema(summary="Unsubscribe"),
)
class WebhookSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A partner client's webhook subscriptions. Each event is POSTed to the address as JSON
    `{"id", "event", "created", "data"}` with the headers `Portal-Event`, `Portal-Delivery` (the
    id, to drop a repeat) and `Portal-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." and
    the body, keyed with the subscription's secret>`; a receiver answers 2xx within 5 seconds.
    Failed deliveries are retried with backoff; after 5 deliveries in a row fail for good, the
    subscription is paused and `paused_reason` says why. Events: `observation.published`,
    `kpi_refresh.finished`."""

    serializer_class = WebhookSubscriptionSerializer
    permission_classes = [WebhookClientOnly]
    filter_backends = []
    http_method_names = ["get", "post", "patch", "delete"]
    queryset = WebhookSubscription.objects.none()  # for the schema; every request scopes its own

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return WebhookSubscription.objects.filter(credential__application_id=self.request.auth.application_id)

    def create(self, request, *args, **kwargs):
        serializer = WebhookSubscriptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            subscription = webhooks.webhook_subscription_create(
                credential=_token_credential(request), **serializer.validated_data
            )
        return Response(WebhookSubscriptionCreatedSerializer(subscription).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        subscription = self.get_object()
        serializer = WebhookSubscriptionInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400():
            subscription = webhooks.webhook_subscription_update(subscription=subscription, **serializer.validated_data)
        return Response(WebhookSubscriptionSerializer(subscription).data)

    def destroy(self, request, *args, **kwargs):
        webhooks.webhook_subscription_delete(subscription=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List this client's webhook deliveries, newest first"),
    retrieve=extend_schema(summary="Get a webhook delivery"),
)
class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """What was sent to this client's subscriptions, and what is still to be sent: status,
    attempts, the receiver's last answer or the error, and when the next try is due."""

    serializer_class = WebhookDeliverySerializer
    permission_classes = [WebhookClientOnly]
    filter_backends = [DjangoFilterBackend, OrderingFilter]  # filters and ordering; no free-text search
    filterset_class = WebhookDeliveryFilterSet
    ordering_fields = ["created_at"]
    queryset = WebhookDelivery.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return WebhookDelivery.objects.filter(
            subscription__credential__application_id=self.request.auth.application_id
        ).order_by("-created_at", "-pk")
