"""API views of the funding app: the catalogue of funding opportunities."""

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from portal.permissions import request_actor
from portal.rest.errors import service_errors_as_400, service_refusals_as_403
from portal.rest.list_cache import VersionedListCacheMixin
from portal.rest.schema import PublicReadAutoSchema

from .. import services
from ..filters import OpportunityFilterSet
from ..models import Opportunity
from ..permissions import opportunities_writable_by
from .permissions import PublicReadFunderOrStaffWrite
from .serializers import OpportunityInputSerializer, OpportunitySerializer

WRITE_ACTIONS = ("create", "update", "partial_update", "destroy")
RULES_BETWEEN_FIELDS = (
    "The service checks the rules between fields and reports each on its field: the largest amount "
    "is at least the smallest; a closing date unless `rolling` is true (and none when it is); the "
    "closing date on or after the opening date; firm age and headcount ranges run from min to max; "
    "the funder is a funder, partner or public body."
)


@extend_schema_view(
    list=extend_schema(
        summary="List funding opportunities",
        description=(
            "Every funder's open calls. Without `status`, closed ones are left out. `q` searches the "
            "title, summary and eligibility (best match first unless `ordering` says otherwise); "
            "`sector` and `borough` also match opportunities open to any sector or anywhere; "
            "`amount` keeps those whose range holds it. Filters combine."
        ),
    ),
    retrieve=extend_schema(summary="Get a funding opportunity"),
    create=extend_schema(
        summary="Publish a funding opportunity",
        description=(
            "Staff, or a token with `opportunities:write`, for the partner's own organisation only "
            "(leave `funder` out, or give your organisation's id; any other is a 403). " + RULES_BETWEEN_FIELDS
        ),
        request=OpportunityInputSerializer,
        responses={201: OpportunitySerializer},
    ),
    update=extend_schema(
        summary="Replace a funding opportunity",
        description="Staff, or the funder partner whose organisation it is (any other: 404). " + RULES_BETWEEN_FIELDS,
        request=OpportunityInputSerializer,
        responses=OpportunitySerializer,
    ),
    partial_update=extend_schema(
        summary="Change a funding opportunity",
        description="As PUT, with only the fields given; a rule list given replaces that rule.",
        request=OpportunityInputSerializer,
        responses=OpportunitySerializer,
    ),
    destroy=extend_schema(
        summary="Withdraw a funding opportunity",
        description="Takes it off the catalogue; it stays for staff. Idempotent.",
        responses={204: OpenApiResponse(description="Withdrawn.")},
    ),
)
@extend_validation_errors(["invalid"], field_name="funder", actions=["create", "update", "partial_update"])
@extend_validation_errors(["null_characters_not_allowed"], field_name="q", actions=["list"])
class OpportunityViewSet(
    VersionedListCacheMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Funding opportunities of every funder: grants, loans, equity, accelerators, prizes and
    procurement. Anyone reads them (a token needs `read`); staff, and funder partners with
    `opportunities:write` for their own organisation's opportunities, write them. Status follows
    the dates and cannot be written."""

    serializer_class = OpportunitySerializer
    cache_data = ("funding", "organisations")
    permission_classes = [PublicReadFunderOrStaffWrite]
    schema = PublicReadAutoSchema()
    write_scope = "opportunities:write"
    filter_backends = [DjangoFilterBackend]
    filterset_class = OpportunityFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request to scope by
            return Opportunity.objects.none()
        actor = request_actor(self.request)
        queryset = Opportunity.objects.for_list()
        if self.action in WRITE_ACTIONS:
            return opportunities_writable_by(actor, queryset)
        queryset = queryset.visible_to(None if actor.is_client else self.request.user)
        return queryset if self.action == "list" else queryset.with_status()

    def filter_queryset(self, queryset):
        # The filters are the list's: an opportunity's own address finds it whatever its status.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def list_cache_audience(self) -> str | None:
        # Statuses follow today's date: a list cached yesterday is not today's.
        audience = super().list_cache_audience()
        return None if audience is None else f"{audience}|{timezone.localdate().isoformat()}"

    def _output(self, opportunity: Opportunity, code: int = status.HTTP_200_OK) -> Response:
        fresh = Opportunity.objects.for_list().with_status().get(pk=opportunity.pk)
        return Response(OpportunitySerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = OpportunityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400(), service_refusals_as_403():
            opportunity = services.opportunity_create(
                data=dict(serializer.validated_data), actor=request_actor(request)
            )
        return self._output(opportunity, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        opportunity = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = OpportunityInputSerializer(opportunity, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if not partial:
            # PUT replaces: a rule list left out means no limit on that rule.
            for key in ("sectors", "boroughs", "stages"):
                data.setdefault(key, [])
        with service_errors_as_400(), service_refusals_as_403():
            opportunity = services.opportunity_update(opportunity=opportunity, data=data, actor=request_actor(request))
        return self._output(opportunity)

    def destroy(self, request, *args, **kwargs):
        with service_refusals_as_403():
            services.opportunity_withdraw(opportunity=self.get_object(), actor=request_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
