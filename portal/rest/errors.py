"""The API's answers to errors its services raise: a Django ValidationError becomes DRF's
field-level 400, and a broker that is down (``BrokerUnavailableError``) a 503 with ``Retry-After``
in the API's error shape, from every view (``ExceptionHandler``)."""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_standardized_errors.handler import ExceptionHandler as StandardizedExceptionHandler
from drf_standardized_errors.openapi_serializers import ServerErrorEnum
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ErrorDetail, ValidationError

from portal.exceptions import BrokerUnavailableError


def _details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
    # Keep each error's code (e.g. ``invalid_company_number``): clients branch on codes, not prose.
    return [ErrorDetail(message, code=error.code or "invalid") for error in errors for message in error.messages]


@contextmanager
def service_errors_as_400():
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
