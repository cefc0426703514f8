"""The largest request body the API reads: a larger one is refused with 413 before it is read."""

from django.conf import settings
from rest_framework.exceptions import APIException

from .errors import api_error_response, is_api_request


class RequestTooLarge(APIException):
    status_code = 413
    default_code = "request_too_large"
    default_detail = "The request body is too large."


class ApiBodyLimitMiddleware:
    """Refuse an API request whose declared body is larger than ``API_MAX_BODY_BYTES`` with 413,
    before any of it is read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api_request(request):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.API_MAX_BODY_BYTES
            if length > limit:
                return api_error_response(
                    RequestTooLarge(f"The request body is {length} bytes; the API reads at most {limit} bytes.")
                )
        return self.get_response(request)
