"""API lists served from the page cache (``portal.page_cache``), keyed to data versions."""

import json

from django.core.cache import caches
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .. import page_cache
from ..selectors import partner_organisation_id
from .permissions import request_token


class VersionedListCacheMixin:
    """Serve ``list`` from the cache under a key of the view, the versions of ``cache_data`` (read
    before any data), the reader's audience, the host and the query string.

    Only successful lists are stored: a bad filter or page raises before anything is cached. A
    view whose output differs between readers of one audience overrides ``list_cache_audience``
    (returning None turns the cache off for that reader).
    """

    cache_data: tuple[str, ...] = ()
    # True when a signed-in reader (not staff) sees only their own rows: each then has their own entry.
    cache_personal = False

    def list_cache_audience(self) -> str | None:
        token = request_token(self.request)
        if token is not None:
            return page_cache.audience(None, partner_id=partner_organisation_id(token))
        return page_cache.audience(self.request.user, personal=self.cache_personal)

    def list(self, request, *args, **kwargs):
        audience = self.list_cache_audience()
        if audience is None:
            return super().list(request, *args, **kwargs)
        key = page_cache.cache_key(
            f"api:{self.basename}",
            request=request,
            data=self.cache_data,
            audience=audience,
            # Pagination links are absolute, so the host and scheme are part of the answer.
            vary=[request.scheme, request.get_host(), page_cache.query_text(request)],
        )
        cache = caches[page_cache.CACHE_ALIAS]
        data = cache.get(key)
        if data is None:
            response = super().list(request, *args, **kwargs)
            # Stored as plain JSON values: serializer output can hold model instances and lazy
            # objects, which would be pickled and rebuilt on every hit.
            cache.set(key, json.dumps(response.data, cls=JSONEncoder), page_cache.CACHE_SECONDS)
            return response
        data = json.loads(data)
        return Response(data)
