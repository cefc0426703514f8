"""HTML views and downloads of the missions app: mission pages, indicator pages, open-data files
and the staff form for reported values. Pages read stored observations only."""

import csv
import datetime
import functools
import json
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.generic import TemplateView

from funding import grants
from portal import health, page_cache
from portal import selectors as portal_selectors
from portal.exports import csv_document, csv_text
from portal.forms import form_add_service_errors
from portal.permissions import can_view_dashboard
from portal.site_url import site_url
from portal.views import StaffRequiredMixin
from workspaces import selectors as workspace_selectors

from . import open_data, selectors, services, threesixtygiving
from .forms import ObservationForm
from .models import Indicator, Mission, RefreshRun
from .permissions import can_report_indicator


class StaffDashboardView(StaffRequiredMixin, TemplateView):
    """The staff dashboard, for staff only: every mission's indicators (public or not) with their
    latest stored value, the registry's size, live workspace occupancy, the latest KPI refresh (a
    dead one marked failed first) and whether background jobs are reachable (probed at most every
    30 seconds, so a broker that is down never slows every load; refreshes are shown paused)."""

    template_name = "missions/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        # The latest run comes from the page cache, keyed to the "refreshes" data version that
        # every change of a run's status or progress bumps (its heartbeat alone does not).
        latest_refresh = page_cache.cached_value(
            self.request,
            "refresh-run-latest",
            data=["refreshes"],
            audience="staff",
            compute=selectors.refresh_run_latest,
        )
        # At most one run is open at a time, and it is the latest: only then can one need reaping.
        if latest_refresh is not None and latest_refresh.is_open and services.refresh_runs_reap():
            latest_refresh = selectors.refresh_run_latest()
        occupancy = SimpleLazyObject(workspace_selectors.occupancy_list)
        return super().get_context_data(
            # The registry, occupancy and missions are one cached fragment; the broker's state is
            # read on every load.
            **page_cache.fragment_context(
                self.request,
                "dashboard",
                data=["organisations", "missions", "workspaces"],
                audience=page_cache.audience(user),
            ),
            missions=SimpleLazyObject(lambda: selectors.mission_summary_list(user=user)),
            stats=SimpleLazyObject(portal_selectors.dashboard_stats),
            latest_refresh=latest_refresh,
            broker_ok=health.broker_ok_cached(),
            workspace_occupancy=SimpleLazyObject(lambda: occupancy[0]),
            workspace_occupancy_overall=SimpleLazyObject(lambda: occupancy[1]),
            **kwargs,
        )


class RefreshRunCreateView(StaffRequiredMixin, View):
    """Start a KPI refresh, or join the one already running, and show its progress. With the
    broker down, the 503 page says so (``BrokerUnavailableMiddleware``) and no run is left open."""

    def post(self, request):
        run, created = services.refresh_run_request(trigger=RefreshRun.Trigger.STAFF, requested_by=request.user)
        if created:
            messages.success(request, f"KPI refresh {run.pk} has started.")
        else:
            messages.info(request, f"A KPI refresh was already under way: this is refresh {run.pk}.")
        return HttpResponseRedirect(reverse("missions:refresh-run-detail", args=[run.pk]))


def _run_get(pk: int) -> RefreshRun:
    """A run for its pages, a 404 if unknown; an open run whose worker died is marked failed first
    (reaping writes, so it runs only when the run is still open: the progress fragment is polled)."""
    queryset = RefreshRun.objects.select_related("requested_by")
    run = get_object_or_404(queryset, pk=pk)
    if run.is_open and services.refresh_runs_reap():
        run = queryset.get(pk=pk)
    return run


class RefreshRunDetailView(StaffRequiredMixin, View):
    """A run's progress: live with htmx, and complete at load time without JavaScript."""

    template_name = "missions/refresh_run_detail.html"

    def get(self, request, pk: int):
        run = _run_get(pk)
        context = {"run": run, "is_open": run.is_open, "runs": selectors.refresh_run_list()}
        return render(request, self.template_name, context)


class RefreshRunProgressView(StaffRequiredMixin, View):
    """The progress fragment htmx polls; 286 tells htmx to stop polling once the run has ended."""

    template_name = "missions/partials/refresh_progress.html"

    def get(self, request, pk: int):
        run = _run_get(pk)
        status = 200 if run.is_open else 286
        return render(request, self.template_name, {"run": run}, status=status)


def _fragment(request, name: str, *, vary=()) -> dict:
    """A cached fragment of a missions page: staff see indicators the public does not."""
    return page_cache.fragment_context(
        # Organisations too: whether computed values are tagged synthetic depends on the register.
        request,
        name,
        data=["missions", "organisations"],
        audience=page_cache.audience(request.user),
        vary=vary,
    )


class MissionListView(TemplateView):
    template_name = "missions/mission_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            **_fragment(self.request, "mission-list"),
            missions=SimpleLazyObject(lambda: selectors.mission_summary_list(user=user)),
            is_staff=can_view_dashboard(user),
            **kwargs,
        )


class MissionDetailView(TemplateView):
    template_name = "missions/mission_detail.html"

    def get_context_data(self, **kwargs):
        user, slug = self.request.user, self.kwargs["slug"]
        # Read only when the page is not cached: an unknown mission is a 404 then, and a cached
        # page (keyed by the slug) exists only for a mission that was found.
        mission = functools.cache(lambda: get_object_or_404(Mission, slug=slug))
        return super().get_context_data(
            **_fragment(self.request, "mission-detail", vary=[slug]),
            mission=SimpleLazyObject(mission),
            summary=SimpleLazyObject(lambda: selectors.mission_summary_get(user=user, mission=mission())),
            is_staff=can_view_dashboard(user),
            **kwargs,
        )


def _indicator(request, code: str) -> Indicator:
    """The indicator if the reader may see it; a 404 whether it is missing or not public."""
    return get_object_or_404(selectors.indicator_list(user=request.user), code=code)


class IndicatorDetailView(View):
    template_name = "missions/indicator_detail.html"

    def get(self, request, code: str):
        # The indicator is read only when the page is not cached (its key names the code and the
        # reader's audience, which decides whether it is visible): then a hidden or unknown
        # indicator is a 404.
        indicator = functools.cache(lambda: _indicator(request, code))
        is_staff = can_view_dashboard(request.user)
        context = {
            **_fragment(request, "indicator-detail", vary=[code]),
            "indicator": SimpleLazyObject(indicator),
            "detail": SimpleLazyObject(
                lambda: selectors.indicator_detail_get(indicator=indicator(), with_history=is_staff)
            ),
            "is_staff": is_staff,
            "can_report": SimpleLazyObject(lambda: is_staff and can_report_indicator(request.user, indicator())),
        }
        return render(request, self.template_name, context)


def _csv_cell(value) -> str:
    """A value as one CSV cell (``portal.exports.csv_text``), numbers as the pages write them
    without thousands separators."""
    if isinstance(value, Decimal):
        return selectors.number_text(value).replace(",", "")
    return csv_text(value)


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _download_name(indicator: Indicator, extension: str) -> str:
    return f"{indicator.code.lower()}-observations.{extension}"


class IndicatorObservationsCsvView(View):
    def get(self, request, code: str):
        indicator = _indicator(request, code)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_download_name(indicator, "csv")}"'
        writer = csv.writer(response)
        writer.writerow(selectors.EXPORT_FIELDS)
        for row in selectors.observation_export_list(indicator=indicator):
            writer.writerow([_csv_cell(row[name]) for name in selectors.EXPORT_FIELDS])
        return response


class IndicatorObservationsJsonView(View):
    def get(self, request, code: str):
        indicator = _indicator(request, code)
        rows = selectors.observation_export_list(indicator=indicator)
        body = {
            "indicator": {
                "code": indicator.code,
                "name": indicator.name,
                "mission": indicator.mission.code,
                "unit": indicator.unit,
                "public": indicator.is_public,
            },
            "observations": [{name: _json_value(row[name]) for name in selectors.EXPORT_FIELDS} for row in rows],
        }
        response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{_download_name(indicator, "json")}"'
        return response


class ObservationCreateView(StaffRequiredMixin, View):
    """Staff record a reported value; a second value for the same indicator, period and area
    replaces the first (its history keeps the earlier one)."""

    template_name = "missions/observation_form.html"

    def get(self, request):
        initial = {}
        code = request.GET.get("indicator", "")
        if code:
            indicator = Indicator.objects.writable_by(request.user).filter(code=code).first()
            initial["indicator"] = indicator.pk if indicator else None
        return self._render(ObservationForm(user=request.user, initial=initial))

    def post(self, request):
        form = ObservationForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(form, status=400)
        data = form.cleaned_data
        try:
            observation, created = services.observation_submit(
                indicator=data["indicator"],
                geography=data["geography"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                value=data["value"],
                bound=data["bound"],
                suppressed=data["suppressed"],
                source_title=data["source_title"],
                source_url=data["source_url"],
                source_date=data["source_date"],
                notes=data["notes"],
                submitted_by=request.user,
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        what = f"{observation.indicator.code} for {observation.period_label}, {observation.geography.name}"
        if created:
            messages.success(request, f"Saved the value of {what}.")
        else:
            messages.success(
                request, f"Replaced the earlier value of {what}. The earlier value is kept in its history."
            )
        return HttpResponseRedirect(reverse("missions:indicator-detail", args=[observation.indicator.code]))

    def _render(self, form, status: int = 200):
        return render(request=self.request, template_name=self.template_name, context={"form": form}, status=status)


# What the datasets' list and catalogue show: when each dataset last changed.
OPEN_DATA_KEYS = ["missions", "workspaces", "funding", "investments", "ambassadors"]


def _open_data_context(request) -> dict:
    return page_cache.fragment_context(request, "open-data", data=OPEN_DATA_KEYS, audience="public", vary=[site_url()])


class OpenDataView(View):
    """Anyone: every dataset the portal publishes, with its CSV and JSON downloads, how often it
    is updated and when it last was, the licence, and the DCAT catalogue."""

    template_name = "missions/open_data.html"

    def get(self, request):
        datasets = SimpleLazyObject(open_data.dataset_list)
        context = {
            **_open_data_context(request),
            "datasets": datasets,
            "fresh_count": SimpleLazyObject(lambda: sum(1 for dataset in datasets if dataset.is_fresh)),
            "licence_url": open_data.LICENCE_URL,
            "licence_title": open_data.LICENCE_TITLE,
        }
        return render(request, self.template_name, context)


class DcatCatalogueView(View):
    """Anyone: the DCAT-AP 3.0 catalogue of the portal's datasets, as JSON-LD or Turtle."""

    formats = {"jsonld": ("json-ld", "application/ld+json"), "ttl": ("turtle", "text/turtle")}

    def get(self, request, extension: str):
        rdf_format, content_type = self.formats[extension]
        base_url = site_url()

        def serialise() -> str:
            graph = open_data.catalogue_graph(
                open_data.dataset_list(), base_url=base_url, contact_email=settings.PORTAL_CONTACT_EMAIL
            )
            return graph.serialize(format=rdf_format)

        body = page_cache.cached_value(
            request,
            f"dcat-{extension}-{base_url}",
            data=OPEN_DATA_KEYS,
            audience="public",
            compute=serialise,
        )
        return HttpResponse(body, content_type=f"{content_type}; charset=utf-8")


# The register's grants in the 360Giving Data Standard -------------------------------------------

GRANT_DATA = ["investments", "funding", "organisations"]


def _grants_download(request, extension: str, serialise) -> HttpResponse:
    base_url = site_url()
    body = page_cache.cached_value(
        request,
        f"grants-360giving-{extension}-{base_url}",
        data=GRANT_DATA,
        audience="public",
        compute=lambda: serialise(base_url),
    )
    content_type = "application/json" if extension == "json" else "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="grants-360giving.{extension}"'
    return response


class GrantPackageJsonView(View):
    """Anyone: the register's published grants as a 360Giving data package (JSON)."""

    def get(self, request):
        def serialise(base_url: str) -> str:
            package = threesixtygiving.grant_package(
                list(grants.grant_list()),
                base_url=base_url,
                publisher=open_data.PUBLISHER_NAME,
                licence_url=open_data.LICENCE_URL,
            )
            return json.dumps(package, ensure_ascii=False)

        return _grants_download(request, "json", serialise)


class GrantFlatCsvView(View):
    """Anyone: the register's published grants in 360Giving's flat summary template (CSV), every
    cell through ``csv_text``."""

    def get(self, request):
        def serialise(base_url: str) -> str:
            rows = threesixtygiving.grant_flat_rows(grants.grant_list(), base_url=base_url)
            return csv_document(rows, threesixtygiving.FLAT_COLUMNS)

        return _grants_download(request, "csv", serialise)
