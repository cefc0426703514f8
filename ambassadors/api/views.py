"""API views of the people part of the ambassadors app: public profiles and activities."""

from django import forms
from django_filters import rest_framework as filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from portal.rest.errors import service_errors_as_400, service_refusals_as_403
from portal.rest.list_cache import VersionedListCacheMixin
from portal.rest.permissions import PublicReadPartnerOrStaffWrite, ScopedPermission, request_token
from portal.rest.schema import PublicReadAutoSchema

from .. import permissions, services
from ..filters import DirectoryFilterSet
from ..models import Activity, Ambassador
from .serializers import ActivityInputSerializer, ActivitySerializer, AmbassadorSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List ambassadors' public profiles",
        description="Only ambassadors who agreed to a public profile and are on the network (active or paused).",
    ),
    retrieve=extend_schema(summary="Get an ambassador's public profile"),
)
class AmbassadorViewSet(
    VersionedListCacheMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The public directory of ambassadors, filtered by country and sector. Open to everyone (a
    partner token needs `read`); staff see the same public profiles here. A profile without
    consent does not exist (404)."""

    serializer_class = AmbassadorSerializer
    cache_data = ("ambassadors",)
    permission_classes = [PublicReadPartnerOrStaffWrite]
    schema = PublicReadAutoSchema()
    filter_backends = [DjangoFilterBackend]
    filterset_class = DirectoryFilterSet

    def get_queryset(self):
        return Ambassador.objects.public().for_directory().order_by("full_name", "pk")


class SignedInPeopleOnly(ScopedPermission):
    """A signed-in user's session: activities belong to people, so a partner token is refused."""

    def has_permission(self, request, view) -> bool:
        if request_token(request) is not None:
            self.message = "Partner tokens cannot read ambassadors' activities."
            return False
        self.message = "Sign in to read activities."
        return bool(request.user and request.user.is_authenticated)


ID_MAX = 2**63 - 1  # PostgreSQL's bigint


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": ID_MAX})
class IdFilter(filters.NumberFilter):
    """A row's id: a whole number; an id that matches nothing gives an empty list, not an error
    (so it says nothing about activities the reader may not see)."""

    field_class = IdField


class ActivityFilterSet(filters.FilterSet):
    ambassador = IdFilter(field_name="ambassador_id", label="The ambassador's id (staff)")
    occurred_after = filters.DateFilter(field_name="occurred_on", lookup_expr="gte", label="On or after")
    occurred_before = filters.DateFilter(field_name="occurred_on", lookup_expr="lte", label="On or before")

    class Meta:
        model = Activity
        fields = ["kind", "ambassador", "occurred_after", "occurred_before"]


@extend_schema_view(
    list=extend_schema(
        summary="List activities",
        description="An ambassador's own activities; staff see every ambassador's. Newest first.",
    ),
    retrieve=extend_schema(summary="Get an activity"),
    create=extend_schema(
        summary="Log an activity (active ambassadors)",
        request=ActivityInputSerializer,
        responses={201: ActivitySerializer},
    ),
    update=extend_schema(
        summary="Change one of your activities", request=ActivityInputSerializer, responses=ActivitySerializer
    ),
)
class ActivityViewSet(
    VersionedListCacheMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Ambassadors' activities, for signed-in users (session) only: an ambassador reads, logs and
    changes their own; staff read every one. Another ambassador's activity does not exist (404).
    Partner tokens are refused."""

    serializer_class = ActivitySerializer
    cache_data = ("ambassadors",)
    cache_personal = True
    permission_classes = [SignedInPeopleOnly]
    filter_backends = [DjangoFilterBackend]
    filterset_class = ActivityFilterSet
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        return Activity.objects.visible_to(self.request.user).for_list().order_by("-occurred_on", "-pk")

    def create(self, request, *args, **kwargs):
        ambassador = permissions.ambassador_of(request.user)
        if ambassador is None or not permissions.can_act_as_ambassador(request.user):
            raise PermissionDenied("Only an active ambassador logs activities.")
        serializer = ActivityInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400(), service_refusals_as_403():
            activity = services.activity_create(
                ambassador=ambassador, actor=request.user, data=serializer.validated_data
            )
        output = ActivitySerializer(activity, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        activity = self.get_object()
        serializer = ActivityInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400(), service_refusals_as_403():
            activity = services.activity_update(activity=activity, actor=request.user, data=serializer.validated_data)
        return Response(ActivitySerializer(activity, context=self.get_serializer_context()).data)
