"""Turn a service's Django ValidationError into DRF's field-level 400."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError


@contextmanager
def service_errors_as_400():
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError(
                {
                    ("non_field_errors" if field == "__all__" else field): [m for e in errors for m in e.messages]
                    for field, errors in exc.error_dict.items()
                }
            ) from exc
        raise ValidationError({"non_field_errors": exc.messages}) from exc
