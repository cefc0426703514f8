"""Which partner client sent an API request, read from its bearer token once per request."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from django.utils import timezone
from oauth2_provider.models import get_access_token_model


class BearerClient(NamedTuple):
    application_id: int
    credential_id: int | None  # the partner credential of the application, if it has one


def bearer_client(request) -> BearerClient | None:
    """The OAuth client of ``request``'s unexpired bearer token, or None (no token, or an unknown
    or expired one). Looked up as django-oauth-toolkit stores tokens (by checksum) without reading
    the body; the view's own authentication still decides whether the token is accepted. One query,
    remembered on the request."""
    if not hasattr(request, "_bearer_client"):
        request._bearer_client = None
        authorization = request.META.get("HTTP_AUTHORIZATION", "")
        if authorization[:7].lower() == "bearer ":
            checksum = hashlib.sha256(authorization[7:].strip().encode()).hexdigest()
            row = (
                get_access_token_model()
                .objects.filter(token_checksum=checksum, expires__gt=timezone.now())
                .values_list("application_id", "application__partner_credential")
                .first()
            )
            if row is not None:
                request._bearer_client = BearerClient(*row)
    return request._bearer_client
