"""The funding opportunities as open data (Open Government Licence v3.0): CSV and JSON downloads at
stable addresses under /data/, listed in the DCAT catalogue. (The register's grants are published
in the 360Giving standard by ``missions``, which owns the open data standards.)

Anyone may download them. Each body is cached (``page_cache.cached_value``) under the ``funding``
and ``organisations`` data keys (the funder's name) and today's date, since statuses follow it.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils import timezone
from django.views import View

from portal import page_cache
from portal.exports import LICENCE_TITLE, LICENCE_URL, csv_document
from portal.site_url import site_url

from .open_data import EXPORT_FIELDS, LIST_SEPARATOR, opportunity_export_rows

CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json"
OPPORTUNITY_DATA = ["funding", "organisations"]


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _opportunity_rows() -> list[dict]:
    base = site_url()
    return opportunity_export_rows(page_url=lambda path: base + path)


class OpportunityExportCsvView(View):
    """Anyone: every published funding opportunity as CSV, one row each; a rule with several values
    lists them in one cell, separated by "; " (empty: no limit)."""

    def get(self, request):
        body = page_cache.cached_value(
            request,
            f"funding-opportunities-csv-{timezone.localdate().isoformat()}-{site_url()}",
            data=OPPORTUNITY_DATA,
            audience="public",
            compute=lambda: csv_document(_opportunity_rows(), EXPORT_FIELDS, list_separator=LIST_SEPARATOR),
        )
        return _download(body, CSV_TYPE, "funding-opportunities.csv")


class OpportunityExportJsonView(View):
    """Anyone: every published funding opportunity as JSON, with the licence."""

    def get(self, request):
        def serialise() -> str:
            body = {"licence": LICENCE_TITLE, "licence_url": LICENCE_URL, "opportunities": _opportunity_rows()}
            return json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)

        body = page_cache.cached_value(
            request,
            f"funding-opportunities-json-{timezone.localdate().isoformat()}-{site_url()}",
            data=OPPORTUNITY_DATA,
            audience="public",
            compute=serialise,
        )
        return _download(body, JSON_TYPE, "funding-opportunities.json")
