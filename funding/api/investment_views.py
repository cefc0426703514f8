"""API views of the investment register: deals and awards into the region's firms."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.permissions import request_actor
from portal.rest.errors import service_errors_as_400, service_refusals_as_403
from portal.rest.list_cache import VersionedListCacheMixin

from .. import investment_services as services
from .. import investment_submissions as submissions
from ..investment_filters import InvestmentFilterSet
from ..models import Investment
from ..permissions import investments_writable_by
from .investment_serializers import InvestmentBulkResultSerializer, InvestmentInputSerializer, InvestmentSerializer
from .permissions import PartnerScopeOrStaff

WRITE_ACTIONS = ("update", "partial_update", "destroy")


def _indexed(index: int, errors, prefix: str = "") -> dict[str, list]:
    """A serializer's errors of one item, flat and keyed ``"<index>.<field>"`` (nested fields as
    ``"<index>.investors.0.country"``), keeping each error's code."""
    flat: dict[str, list] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_indexed(index, value, name))
    elif isinstance(errors, list) and errors and not isinstance(errors[0], str):
        for n, value in enumerate(errors):
            if value:
                flat.update(_indexed(index, value, f"{prefix}.{n}"))
    else:
        # As Django errors with DRF's codes, so the answer keeps each code ("required", "invalid_choice").
        flat[f"{index}.{prefix}" if prefix else str(index)] = [
            DjangoValidationError(str(error), code=getattr(error, "code", None)) for error in errors
        ]
    return flat


RULES = (
    "The service checks every value and reports each problem on its field: `amount_gbp` is whole pounds above "
    "0, or null when the amount was not disclosed; `announced_on` is from 1990 to today; only an equity round "
    "has a `stage`; `firm` is an organisation of kind firm; each investor appears once, with a country, and at "
    "most one is the lead; an unknown id is refused on its field. A deal with the same firm, date, amount (null "
    "matching null) and kind as a recorded one is saved with `possible_duplicate_of` set, for staff to check."
)


@extend_schema_view(
    list=extend_schema(
        summary="List investments",
        description=(
            "Deals and awards into the region's firms, newest first. `q` searches the firm's and the investors' "
            "names, the title and the source; `lead` is `domestic` (lead based in the UK), `international` or "
            "`unknown` (no lead recorded). Filters combine."
        ),
    ),
    retrieve=extend_schema(summary="Get an investment"),
    create=extend_schema(
        summary="Record an investment",
        description=(
            "Staff, or a token with `investments:write`: a partner's deal is attributed to its organisation "
            "(`origin` partner, `submitted_by`). " + RULES
        ),
        request=InvestmentInputSerializer,
        responses={201: InvestmentSerializer},
    ),
    update=extend_schema(
        summary="Replace an investment",
        description=(
            "Staff, or the partner whose organisation submitted it (any other: 404). Investors left out means "
            "none. A change to its facts takes the staff verification away. " + RULES
        ),
        request=InvestmentInputSerializer,
        responses=InvestmentSerializer,
    ),
    partial_update=extend_schema(
        summary="Change an investment",
        description="As PUT, with only the fields given; `investors` given replaces them, left out keeps them.",
        request=InvestmentInputSerializer,
        responses=InvestmentSerializer,
    ),
    destroy=extend_schema(
        summary="Delete an investment",
        description=(
            "Staff delete any; the submitting partner deletes its own until staff verify it (then 403). The "
            "history keeps it for the audit."
        ),
        responses={204: OpenApiResponse(description="Deleted.")},
    ),
)
@extend_validation_errors(["null_characters_not_allowed"], field_name="q", actions=["list"])
class InvestmentViewSet(
    VersionedListCacheMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The investment register: equity rounds (with their stage), grants, loans and other deals into
    the region's firms, with their investors and the lead's country. Partners read every deal with
    `read`; with `investments:write` they record deals, attributed to their organisation, and change
    or delete only those; staff read and write all. Signed-in people other than staff: 403."""

    serializer_class = InvestmentSerializer
    cache_data = ("investments", "organisations", "funding")
    permission_classes = [PartnerScopeOrStaff]
    write_scope = "investments:write"
    filter_backends = [DjangoFilterBackend]
    filterset_class = InvestmentFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request to scope by
            return Investment.objects.none()
        actor = request_actor(self.request)
        queryset = Investment.objects.for_list()
        if self.action in WRITE_ACTIONS:
            return investments_writable_by(actor, queryset)
        return queryset.readable_by(actor)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _output(self, investment: Investment, code: int = status.HTTP_200_OK) -> Response:
        fresh = Investment.objects.for_list().get(pk=investment.pk)
        return Response(InvestmentSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = InvestmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors_as_400(), service_refusals_as_403():
            investment = submissions.investment_submit(
                item=dict(serializer.validated_data), actor=request_actor(request)
            )
        return self._output(investment, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        investment = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = InvestmentInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        item = dict(serializer.validated_data)
        if not partial:
            # PUT replaces: investors and optional fields left out are none.
            item = {"investors": [], "stage": "", "title": "", "opportunity": None, **item}
        with service_errors_as_400(), service_refusals_as_403():
            investment = submissions.investment_revise(investment=investment, item=item, actor=request_actor(request))
        return self._output(investment)

    def destroy(self, request, *args, **kwargs):
        with service_refusals_as_403():
            services.investment_delete(investment=self.get_object(), actor=request_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Record up to 1,000 investments at once, all or nothing",
        description=(
            "Each item is one deal, with the same rules and rights as recording one: either every deal is "
            "recorded or none is. A 400 names each broken rule with the item's index from 0 and its field, as "
            '`attr` `"3.amount_gbp"` or `"3.investors.0.organisation"`. Deals like recorded ones, or like earlier '
            "items, are recorded flagged as possible duplicates. " + RULES
        ),
        request=InvestmentInputSerializer(many=True),
        responses={200: InvestmentBulkResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="bulk", url_name="bulk", filter_backends=[])
    def bulk(self, request):
        data = request.data
        if not isinstance(data, list) or not data or len(data) > services.INVESTMENTS_BULK_LIMIT:
            # The list itself is wrong: say so as DRF does, by the list's own rules.
            serializer = InvestmentInputSerializer(
                data=data, many=True, allow_empty=False, max_length=services.INVESTMENTS_BULK_LIMIT
            )
            serializer.is_valid(raise_exception=True)
        # Each item's shape, then the rules of the good ones: one answer names every problem.
        items, shape_errors = [], {}
        for index, raw in enumerate(data):
            serializer = InvestmentInputSerializer(data=raw)
            if serializer.is_valid():
                items.append(dict(serializer.validated_data))
            else:
                items.append(None)
                shape_errors.update(_indexed(index, serializer.errors))
        with service_errors_as_400(), service_refusals_as_403():
            created = submissions.investments_submit_bulk(
                items=items, actor=request_actor(request), shape_errors=shape_errors
            )
        fresh = Investment.objects.for_list().filter(pk__in=[i.pk for i in created]).order_by("pk")
        return Response(
            {
                "count": len(created),
                "flagged": sum(1 for i in created if i.possible_duplicate_of_id),
                "results": InvestmentSerializer(fresh, many=True, context=self.get_serializer_context()).data,
            }
        )
