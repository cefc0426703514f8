"""The leads API: staff read and change every lead; an ambassador reads and refers only their
own; partners' tokens get none (403), and any lead the reader may not see is a 404.

Writes go input serializer → service → output serializer, with the pages' rules and messages:
a stage's missing or wrong fields are a field-level 400, a skipped stage a 400 on ``stage``, and
a change made from an out-of-date read (``version``) a 409 that changes nothing.
"""

from contextlib import contextmanager

from django.db.models import Prefetch
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response

from portal.rest.errors import service_errors_as_400, service_refusals_as_403
from portal.rest.list_cache import VersionedListCacheMixin
from portal.rest.permissions import ScopedPermission, request_token

from .. import permissions
from ..exceptions import LeadChangedError
from ..lead_filters import LeadFilterSet
from ..models import Lead, LeadChange
from ..services import leads as services
from .lead_serializers import (
    STAFF_ONLY_CODE,
    STAFF_ONLY_FIELDS,
    AmbassadorReferInputSerializer,
    LeadCreateInputSerializer,
    LeadMoveInputSerializer,
    LeadSerializer,
    LeadUpdateInputSerializer,
    lead_data,
)


class SignedInPeopleOnly(ScopedPermission):
    """Leads belong to the ambassadors who referred them and to staff: a partner's token, which
    carries no user, is refused whatever its scopes; signed-out requests too."""

    def has_permission(self, request, view) -> bool:
        if request_token(request) is not None:
            self.message = "Partner tokens cannot read or write leads."
            return False
        self.message = "Sign in to use leads."
        return bool(request.user and request.user.is_authenticated)


class LeadConflict(APIException):
    """409: the lead changed since the client read it (its ``version`` moved on); nothing changed."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "lead_changed"
    default_detail = services.CHANGED_MESSAGE


class _Error409Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=[("lead_changed", "lead_changed")])
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class _ErrorResponse409Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("client_error", "client_error")])
    errors = _Error409Serializer(many=True)


@contextmanager
def conflict_as_409():
    """A LeadChangedError from a service as the API's 409."""
    try:
        yield
    except LeadChangedError as error:
        raise LeadConflict(" ".join(error.messages)) from error


CONFLICT_RESPONSE = OpenApiResponse(
    _ErrorResponse409Serializer,
    description="The lead was changed by someone else since it was read (its `version` moved on): "
    "nothing was changed. Read the lead again and resend the change with its new version.",
)
SERVICE_FIELD_CODES = ["invalid_company_number", "stage_not_allowed", "invalid"]


def declare_staff_only_refusals(viewset):
    """Declare, for each field only staff set, the code an ambassador's referral sending it gets."""
    for field in sorted(STAFF_ONLY_FIELDS):
        viewset = extend_validation_errors([STAFF_ONLY_CODE], field_name=field, actions=["create"])(viewset)
    return viewset


@extend_schema_view(
    list=extend_schema(
        summary="List leads",
        description="Staff see every lead; an ambassador the leads they referred. Partner tokens are refused.",
    ),
    retrieve=extend_schema(summary="Get a lead and its history"),
    create=extend_schema(
        summary="Refer or record a lead",
        description=(
            "An active ambassador refers a lead credited to them with `name`, `company_number`, `summary`, "
            "`origin_country`, `sector` and `kind` only: any other field of the body below is a 400 naming it. "
            "Staff record one with any of them, optionally credited to an ambassador. It starts referred."
        ),
        request=LeadCreateInputSerializer,
        responses={201: LeadSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a lead's details (staff)",
        request=LeadUpdateInputSerializer,
        responses={200: LeadSerializer, 409: CONFLICT_RESPONSE},
    ),
)
@extend_validation_errors(
    SERVICE_FIELD_CODES, field_name="company_number", actions=["create", "partial_update", "move"]
)
@extend_validation_errors(["stage_not_allowed"], field_name="stage", actions=["move"])
@declare_staff_only_refusals
class LeadViewSet(
    VersionedListCacheMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Inward-investment leads and their history. Staff see and change all; an ambassador sees and
    refers only their own; partners none. Stage moves go through `POST /leads/{id}/move/`."""

    serializer_class = LeadSerializer
    cache_data = ("ambassadors", "organisations")
    cache_personal = True  # an ambassador reads only their own leads
    permission_classes = [SignedInPeopleOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = LeadFilterSet
    ordering_fields = ["updated_at", "created_at", "name", "landed_on"]
    ordering = ["-updated_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request to scope by
            return Lead.objects.none()
        history = Prefetch("changes", queryset=LeadChange.objects.select_related("changed_by"))
        return (
            Lead.objects.visible_to(self.request.user)
            .select_related("referred_by", "owner", "organisation")
            .prefetch_related(history)
        )

    def _output(self, lead: Lead, *, code: int = status.HTTP_200_OK) -> Response:
        lead = self.get_queryset().get(pk=lead.pk)
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        user = request.user
        if permissions.can_manage_leads(user):
            serializer = LeadCreateInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            with service_errors_as_400(), service_refusals_as_403():
                lead = services.lead_create(actor=user, data=lead_data(serializer.validated_data))
        elif permissions.can_act_as_ambassador(user):
            serializer = AmbassadorReferInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            with service_errors_as_400(), service_refusals_as_403():
                lead = services.lead_refer(actor=user, data=lead_data(serializer.validated_data))
        else:
            raise PermissionDenied("Only active ambassadors refer leads, and staff record them.")
        return self._output(lead, code=status.HTTP_201_CREATED)

    def _staff_lead(self) -> Lead:
        lead = self.get_object()  # 404 for a lead the reader may not see
        if not permissions.can_manage_leads(self.request.user):
            raise PermissionDenied("Only commissioner staff change leads.")
        return lead

    def partial_update(self, request, *args, **kwargs):
        lead = self._staff_lead()
        serializer = LeadUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors_as_400(), service_refusals_as_403(), conflict_as_409():
            lead = services.lead_update(
                lead=lead,
                actor=request.user,
                version=data["version"],
                data=lead_data(data),
                reason=data.get("reason", ""),
            )
        return self._output(lead)

    @extend_schema(
        summary="Move a lead to another stage (staff)",
        request=LeadMoveInputSerializer,
        responses={200: LeadSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"], url_path="move", url_name="move", filter_backends=[])
    def move(self, request, pk=None):
        lead = self._staff_lead()
        serializer = LeadMoveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors_as_400(), service_refusals_as_403(), conflict_as_409():
            lead = services.lead_move(
                lead=lead,
                actor=request.user,
                to=data["stage"],
                version=data["version"],
                data=lead_data(data),
                reason=data.get("reason", ""),
            )
        return self._output(lead)
