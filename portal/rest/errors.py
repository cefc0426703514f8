"""Turn a service's Django ValidationError into DRF's field-level 400, and its PermissionDenied
into a 403 that keeps the service's reason."""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ErrorDetail, PermissionDenied, ValidationError


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


@contextmanager
def service_refusals_as_403():
    """A service's PermissionDenied as DRF's 403 with the service's message (DRF's own handling
    of Django's exception drops it)."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc
