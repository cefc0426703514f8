"""The public directory of ambassadors who consented to a public profile, each one's page, and the
directory as open data (CSV and JSON under /data/, Open Government Licence v3.0). All are cached
(the ``ambassadors`` data key): a hit runs no query beyond the data versions. Nothing of an
ambassador without consent is shown, and a retired or invited one neither."""

import json

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views import View

from portal import page_cache
from portal.exports import LICENCE_TITLE, csv_document
from portal.site_url import site_url

from ..filters import DirectoryFilterSet
from ..models import Ambassador
from ..selectors import DIRECTORY_EXPORT_FIELDS, directory_export_rows

PAGE_SIZE = 24


def _fragment(request, name: str, *, vary=()) -> dict:
    # Everyone sees the same directory, signed in or not.
    return page_cache.fragment_context(request, name, data=["ambassadors"], audience="public", vary=vary)


class DirectoryView(View):
    """Anyone: ambassadors with a public profile, filtered by country and sector, 24 a page. A
    filter value not on the list is a field error (400)."""

    template_name = "ambassadors/directory_list.html"

    def get(self, request):
        def filterset_make():
            return DirectoryFilterSet(request.GET or None, queryset=Ambassador.objects.public().for_directory())

        filterset = filterset_make() if request.GET else SimpleLazyObject(filterset_make)
        valid = filterset.is_valid() if request.GET else True

        def page_make():
            page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
            page.page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
            return page

        context = {
            **_fragment(request, "ambassador-directory", vary=[page_cache.query_text(request)]),
            "form": SimpleLazyObject(lambda: filterset.form),
            "page_obj": SimpleLazyObject(page_make),
            "filtered": bool(request.GET) and any(request.GET.get(name) for name in ("country", "sector")),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


class DirectoryProfileView(View):
    """Anyone: one public profile. 404 for an ambassador without consent (or retired, or still
    invited): the same answer as for one that does not exist."""

    template_name = "ambassadors/directory_profile.html"

    def get(self, request, pk: int):
        context = {
            **_fragment(request, "ambassador-profile", vary=[pk]),
            "ambassador": SimpleLazyObject(
                lambda: get_object_or_404(Ambassador.objects.public().for_directory(), pk=pk)
            ),
        }
        return render(request, self.template_name, context)


def _export_rows(base_url: str) -> list[dict]:
    return directory_export_rows(page_url=lambda path: base_url + path)


def _directory_download(request, extension: str, serialise) -> HttpResponse:
    base_url = site_url()
    body = page_cache.cached_value(
        request,
        f"ambassador-directory-{extension}-{base_url}",
        data=["ambassadors"],
        audience="public",
        compute=lambda: serialise(base_url),
    )
    content_type = "application/json" if extension == "json" else "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ambassadors.{extension}"'
    return response


class DirectoryExportCsvView(View):
    """Anyone: the public directory as CSV, one row per ambassador; several sectors share one cell,
    separated by "; "."""

    def get(self, request):
        return _directory_download(
            request, "csv", lambda base_url: csv_document(_export_rows(base_url), DIRECTORY_EXPORT_FIELDS)
        )


class DirectoryExportJsonView(View):
    """Anyone: the public directory as JSON, with the licence."""

    def get(self, request):
        def serialise(base_url: str) -> str:
            body = {"licence": LICENCE_TITLE, "ambassadors": _export_rows(base_url)}
            return json.dumps(body, ensure_ascii=False)

        return _directory_download(request, "json", serialise)
