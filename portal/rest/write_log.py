"""The log of every write a partner's API client sends (``portal.ApiWrite``): when, what, and the
answer, refusals and replays included. Staff read it on the credential's page; the partner reads
its own through ``/api/v1/api-writes/``."""

import json
import logging

from django.db import DatabaseError

from portal import services

from .clients import bearer_client
from .errors import is_api_request

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _error_code(response) -> str:
    if response.status_code < 400 or "json" not in response.get("Content-Type", ""):
        return ""
    try:
        errors = json.loads(response.content).get("errors") or [{}]
    except (ValueError, AttributeError):
        return ""
    return str(errors[0].get("code") or "")


class ApiWriteLogMiddleware:
    """Records each API write whose bearer token belongs to a partner credential, after it is
    answered. A failure to record is logged and never changes the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in WRITE_METHODS or not is_api_request(request):
            return response
        client = bearer_client(request)
        if client is None or client.credential_id is None:
            return response
        try:
            services.api_write_record(
                credential_id=client.credential_id,
                method=request.method,
                path=request.get_full_path(),
                status_code=response.status_code,
                error_code=_error_code(response),
                idempotency_key=request.headers.get("Idempotency-Key", ""),
                replayed=response.get("Idempotent-Replayed") == "true",
            )
        except DatabaseError:
            logger.exception("Could not record the API write %s %s", request.method, request.path)
        return response
