"""API views of the workspaces app: the public workspace catalogue and workspace applications."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, viewsets
from rest_framework.filters import OrderingFilter

from portal.rest.list_cache import VersionedListCacheMixin
from portal.rest.permissions import PublicReadPartnerOrStaffWrite
from portal.rest.schema import PublicReadAutoSchema

from ..filters import ApplicationFilterSet, WorkspaceFilterSet
from ..models import Application, Workspace
from .permissions import SignedInUserOnly
from .serializers import ApplicationSerializer, WorkspaceSerializer

SLUG_PATTERN = r"[-a-zA-Z0-9_]+"


@extend_schema_view(
    list=extend_schema(summary="List workspaces with their desks and how many are free now"),
    retrieve=extend_schema(summary="Get a workspace"),
)
class WorkspaceViewSet(
    VersionedListCacheMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The workspaces start-ups can apply to: desk types, capacity, desks free now and prices.
    Open to everyone; a partner token needs the `read` scope."""

    serializer_class = WorkspaceSerializer
    cache_data = ("workspaces", "organisations")
    permission_classes = [PublicReadPartnerOrStaffWrite]
    schema = PublicReadAutoSchema()
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = WorkspaceFilterSet
    ordering_fields = ["name"]
    ordering = ["name", "slug"]

    def get_queryset(self):
        return Workspace.objects.for_list()


@extend_schema_view(
    list=extend_schema(
        summary="List workspace applications",
        description=(
            "A founder's own applications, drafts included; for reviewers and staff also every "
            "submitted application. Scores and reviews are never part of it."
        ),
    ),
    retrieve=extend_schema(summary="Get a workspace application and its history"),
)
# The workspace filter looks its text up as a slug; text with a NUL character is refused by name.
@extend_validation_errors(["null_characters_not_allowed"], field_name="workspace", actions=["list"])
class WorkspaceApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Applications for workspace, for signed-in users (session) only: an applicant reads their own;
    reviewers and staff every submitted one. An application the reader may not see does not
    exist (404). Partner tokens are refused."""

    serializer_class = ApplicationSerializer
    permission_classes = [SignedInUserOnly]
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    filterset_class = ApplicationFilterSet
    ordering_fields = ["created_at", "submitted_at", "decided_at"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request to scope by
            return Application.objects.none()
        return Application.objects.visible_to(self.request.user).for_list().prefetch_related("status_changes")
