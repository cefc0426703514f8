"""Safe retries of API writes with the ``Idempotency-Key`` header.

A POST, PUT or PATCH under /api/ may carry ``Idempotency-Key: <up to 255 visible characters>``.
The first request with a key is served and, when it succeeds (2xx), its answer is stored for
``IDEMPOTENCY_KEY_HOURS``. Within that time, from the same client (partner OAuth client or
signed-in user):

- the same key with the same method, address and body gets the stored answer again (with
  ``Idempotent-Replayed: true``) and writes nothing; a retry that arrives while the first is still
  being served waits for it (up to ``IDEMPOTENCY_WAIT_SECONDS``, then 409 with ``Retry-After``);
- the same key with another request gets 422 and writes nothing.

A request that is refused or fails (any status other than 2xx) is not stored, so the client may
correct it and retry with the same key. Keys are per client: two partners never share one.
"""

from __future__ import annotations

import hashlib
import re
import time

from django.conf import settings
from django.http import HttpResponse
from rest_framework import status
from rest_framework.exceptions import APIException

from portal import services
from portal.models import IdempotencyKey

from .clients import bearer_client
from .errors import api_error_response, is_api_request

HEADER = "Idempotency-Key"
METHODS = frozenset({"POST", "PUT", "PATCH"})
_KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used with a different request. Use a new key for a new request."


class IdempotencyKeyInvalid(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "invalid_idempotency_key"
    default_detail = "Give an Idempotency-Key of 1 to 255 visible ASCII characters, such as a UUID."


class IdempotencyKeyInProgress(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_progress"
    default_detail = "The first request with this Idempotency-Key is still being served. Retry in a moment."


def request_client(request) -> str | None:
    """Who sent ``request``, as the idempotency keys' owner: ``app:<id>`` for a valid partner
    bearer token, ``user:<id>`` for a signed-in session, or None (the view answers 401)."""
    if request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer ":
        client = bearer_client(request)
        return f"app:{client.application_id}" if client is not None else None
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def request_fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), request.body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(row.body, status=row.status_code, content_type=row.content_type or None)
    if row.location:
        response["Location"] = row.location
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyMiddleware:
    """Serves each (client, key) once; see the module's docstring for the contract."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get(HEADER)
        if key is None or request.method not in METHODS or not is_api_request(request):
            return self.get_response(request)
        if not _KEY_PATTERN.fullmatch(key):
            return api_error_response(IdempotencyKeyInvalid())
        client = request_client(request)
        if client is None:
            return self.get_response(request)
        fingerprint = request_fingerprint(request)
        row, first = services.idempotency_key_claim(client=client, key=key, fingerprint=fingerprint)
        if not first:
            return self._answer_retry(request, row, fingerprint)
        try:
            response = self.get_response(request)
        except BaseException:
            services.idempotency_key_release(row=row)
            raise
        if 200 <= response.status_code < 300 and not response.streaming:
            services.idempotency_key_complete(
                row=row,
                status_code=response.status_code,
                body=response.content.decode(response.charset or "utf-8"),
                content_type=response.get("Content-Type", ""),
                location=response.get("Location", ""),
            )
        else:
            services.idempotency_key_release(row=row)
        return response

    def _answer_retry(self, request, row: IdempotencyKey, fingerprint: str):
        if row.fingerprint != fingerprint:
            return api_error_response(IdempotencyKeyReused())
        deadline = time.monotonic() + settings.IDEMPOTENCY_WAIT_SECONDS
        pause = 0.02
        while row.status_code is None and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.25)
            row = IdempotencyKey.objects.filter(pk=row.pk).first()
            if row is None:  # the first request failed and let the key go: serve this one
                return self(request)
        if row.status_code is None:
            response = api_error_response(IdempotencyKeyInProgress())
            response["Retry-After"] = "1"
            return response
        return _replay(row)
