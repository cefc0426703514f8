"""API errors: one JSON shape for every error under /api/, whichever layer answers.

DRF views answer through drf-standardized-errors (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``). What
is left: addresses no API view matches (``ApiNotFoundView``), views whose own renderer is not JSON
(the schema and its documentation page: ``JsonErrorsMixin``), errors Django answers outside DRF
(``api_error_response``, used by the handlers in ``portal.views``), a service's Django
ValidationError (``service_errors_as_400``) and PermissionDenied (``service_refusals_as_403``),
and a broker that is down (``BrokerUnavailableError``: a 503 with ``Retry-After``, from every view,
``ExceptionHandler``).
"""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import JsonResponse
from django.urls import resolve
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_standardized_errors.formatter import ExceptionFormatter
from drf_standardized_errors.handler import ExceptionHandler as StandardizedExceptionHandler
from drf_standardized_errors.openapi_serializers import ServerErrorEnum
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ErrorDetail, NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from portal.exceptions import BrokerUnavailableError


def is_api_request(request) -> bool:
    """Whether ``request`` is addressed to the API (``/api`` and everything under ``/api/``)."""
    return request.path_info == "/api" or request.path_info.startswith("/api/")


def api_error_response(exc: APIException) -> JsonResponse:
    """``exc`` as the API's error body (``{"type", "errors": [{"code", "detail", "attr"}]}``), for
    errors Django answers before or outside DRF. The body is exactly what the API's exception
    handler makes of the same exception inside a view."""
    return JsonResponse(ExceptionFormatter(exc, {}, exc).run(), status=exc.status_code)


class JsonErrorsMixin:
    """For API views whose own renderer is not JSON (YAML, HTML): their errors (405, 406, 415, ...)
    are rendered as JSON in the API's error shape, as the API's other errors are, instead of in the
    view's own format."""

    def finalize_response(self, request, response, *args, **kwargs):
        if getattr(response, "exception", False):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class ApiNotFoundView(APIView):
    """Every address under /api/ that no API view matches, with any method, trailing slash or not,
    with repeated slashes: a 404 in the API's error shape, whatever the request's Accept header.

    There is no redirect to the address with a slash added (Django's ``APPEND_SLASH``): a client
    would silently repeat a POST as a GET. The detail names the address it probably meant instead.
    """

    authentication_classes = ()
    permission_classes = (AllowAny,)
    renderer_classes = (JSONRenderer,)
    schema = None  # not an operation of the API

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound(self._detail(request))

    def _detail(self, request) -> str:
        path = request.path_info
        if not path.endswith("/"):
            # Never a Resolver404: this view matches every address under /api/.
            match = resolve(f"{path}/", getattr(request, "urlconf", None))
            if getattr(match.func, "view_class", None) is not type(self):
                return f"Not found. API addresses end with a slash: {request.path}/"
        return NotFound.default_detail


def _details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
    # Keep each error's code (e.g. ``invalid_company_number``): clients branch on codes, not prose.
    return [ErrorDetail(message, code=error.code or "invalid") for error in errors for message in error.messages]


@contextmanager
def service_errors_as_400():
    """Turn a service's Django ValidationError into DRF's field-level 400."""
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError(
                {
                    ("non_field_errors" if field == NON_FIELD_ERRORS else field): _details(errors)
                    for field, errors in exc.error_dict.items()
                }
            ) from exc
        raise ValidationError({"non_field_errors": _details(exc.error_list)}) from exc


@contextmanager
def service_refusals_as_403():
    """A service's PermissionDenied as DRF's 403 with the service's message (DRF's own handling
    of Django's exception drops it)."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc


class BrokerUnavailable(APIException):
    """503: the background-job broker did not answer, so nothing was started. ``wait`` becomes the
    ``Retry-After`` header."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "broker_unavailable"
    default_detail = "Background jobs are paused: the job broker is not answering. Try again in a minute."

    def __init__(self, detail: str | None = None, *, wait: int = 30):
        super().__init__(detail)
        self.wait = wait


class ExceptionHandler(StandardizedExceptionHandler):
    """drf-standardized-errors' handler, which also answers ``BrokerUnavailableError`` from any
    view or service as ``BrokerUnavailable``."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, BrokerUnavailableError):
            return BrokerUnavailable(str(exc), wait=exc.retry_after)
        return super().convert_known_exceptions(exc)


class ErrorCode503Enum(models.TextChoices):
    BROKER_UNAVAILABLE = "broker_unavailable"


class Error503Serializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=ErrorCode503Enum.choices)
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponse503Serializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ServerErrorEnum.choices)
    errors = Error503Serializer(many=True)


# For ``extend_schema`` of an operation that starts a background job.
BROKER_UNAVAILABLE_RESPONSE = OpenApiResponse(
    ErrorResponse503Serializer,
    description="The background-job broker is not answering, so nothing was started and nothing "
    "was left open. Try again after `Retry-After` seconds.",
)
RETRY_AFTER_HEADER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=[503],
    description="Seconds to wait before trying again.",
)
