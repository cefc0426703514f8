"""The workspace catalogue: the public list, workspace pages and the published criteria; and the
staff pages that add and change workspaces and end tenancies."""

import csv
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.generic import TemplateView

from portal import page_cache
from portal.exports import csv_text
from portal.forms import form_add_service_errors
from portal.views import RuleRequiredMixin

from .. import permissions, selectors, services
from ..filters import TenancyFilterSet
from ..forms.catalogue import TenancyEndForm, WorkspaceCatalogueFilterSet, WorkspaceForm
from ..models import DeskType, Score, Tenancy, Workspace

PUBLIC_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50


def _page(request, queryset, per_page: int):
    """One page of ``queryset``; a page number that is not a number or out of range shows the nearest
    page. ``page_range`` holds the page numbers to link to, elided around the current one."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


def _apply_context(user) -> dict:
    """Who may apply, for the apply button or the sign-in explanation."""
    return {
        "can_apply": permissions.can_apply_for_workspace(user),
        "can_manage": permissions.can_manage_workspaces(user),
    }


def _fragment(request, name: str, *, vary=()) -> dict:
    """A cached fragment of a catalogue page: it shows free desks (the workspaces data key) and,
    besides what staff see, whether this reader may apply or must sign in first."""
    user = request.user
    who = [permissions.can_apply_for_workspace(user), user.is_authenticated]
    return page_cache.fragment_context(
        request, name, data=["workspaces", "organisations"], audience=page_cache.audience(user), vary=[*who, *vary]
    )


# The public catalogue -----------------------------------------------------------------------


class WorkspaceListView(View):
    """Anyone: the workspaces start-ups can apply to, with free desks now, filtered by borough,
    desk type and free desks. A filter value that is not on the list is shown as a field error."""

    template_name = "workspaces/workspace_list.html"

    def get(self, request):
        def filterset_make():
            return WorkspaceCatalogueFilterSet(request.GET or None, queryset=Workspace.objects.for_list())

        # Without filters the page is valid without building the filters (a cached page needs none);
        # with filters their validity decides the status code.
        filterset = filterset_make() if request.GET else SimpleLazyObject(filterset_make)
        valid = filterset.is_valid() if request.GET else True
        context = {
            **_fragment(request, "workspace-list", vary=[page_cache.query_text(request)]),
            "filterset": filterset,
            "form": SimpleLazyObject(lambda: filterset.form),
            "page_obj": SimpleLazyObject(lambda: _page(request, filterset.qs, PUBLIC_PAGE_SIZE)),
            "filtered": bool(request.GET) and any(request.GET.get(name) for name in filterset.filters),
            **_apply_context(request.user),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


class WorkspaceDetailView(View):
    """Anyone: one workspace with its desks, prices, eligibility and accessibility. 404 for an
    unknown address."""

    template_name = "workspaces/workspace_detail.html"

    def get(self, request, slug: str):
        # Read only when the page is not cached: an unknown address is a 404 then, and a cached page
        # (keyed by the slug) exists only for a workspace that was found.
        context = {
            **_fragment(request, "workspace-detail", vary=[slug]),
            "workspace": SimpleLazyObject(lambda: get_object_or_404(Workspace.objects.for_list(), slug=slug)),
            **_apply_context(request.user),
        }
        return render(request, self.template_name, context)


class CriterionListView(TemplateView):
    """Anyone: the published criteria reviewers score against, and how decisions are made."""

    template_name = "workspaces/criterion_list.html"

    def get_context_data(self, **kwargs):
        criteria = list(selectors.criterion_list())
        return super().get_context_data(
            criteria=criteria,
            score_maximum=Score.MAXIMUM,
            score_range=range(Score.MAXIMUM + 1),
            weighted_maximum=sum(c.weight * Score.MAXIMUM for c in criteria),
            service_level_days=settings.WORKSPACES_SERVICE_LEVEL_DAYS,
            offer_days=settings.WORKSPACES_OFFER_DAYS,
            tenancy_months=settings.WORKSPACES_TENANCY_MONTHS,
            **_apply_context(self.request.user),
            **kwargs,
        )


# Staff: workspaces --------------------------------------------------------------------------


class WorkspaceManageListView(RuleRequiredMixin, View):
    """Staff: every workspace with its capacity, desks held (offered or let), free desks and
    occupancy, with links to change them or add one."""

    rule = permissions.can_manage_workspaces
    template_name = "workspaces/workspace_manage_list.html"

    def get(self, request):
        page = _page(request, Workspace.objects.for_list(), STAFF_PAGE_SIZE)
        rows = [
            {
                "workspace": workspace,
                "occupancy": selectors.Occupancy(
                    workspace.name, workspace.slug, workspace.capacity_total, workspace.allocated_total
                ),
            }
            for workspace in page.object_list
        ]
        context = {"page_obj": page, "rows": rows, "totals": selectors.occupancy_overall()}
        return render(request, self.template_name, context)


class WorkspaceFormMixin(RuleRequiredMixin):
    """The shared body of the create and update pages; ``workspace`` is None when creating."""

    rule = permissions.can_manage_workspaces
    template_name = "workspaces/workspace_form.html"
    workspace: Workspace | None = None

    def load_workspace(self, **kwargs) -> Workspace | None:
        """The workspace being changed; None when adding one."""
        return None

    def get(self, request, **kwargs):
        self.workspace = self.load_workspace(**kwargs)
        return self._render(WorkspaceForm(instance=self.workspace))

    def post(self, request, **kwargs):
        self.workspace = self.load_workspace(**kwargs)
        form = WorkspaceForm(request.POST, instance=self.workspace)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            workspace = services.workspace_save(
                data=form.workspace_data(), pools=form.pools(), workspace=self._fresh_workspace()
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        verb = "Added" if self.workspace is None else "Saved the changes to"
        messages.success(request, f"{verb} {workspace.name}.")
        return HttpResponseRedirect(reverse("workspaces:workspace-manage"))

    def _fresh_workspace(self) -> Workspace | None:
        # The service changes the object it is given; a refused save must not leave the page's
        # copy half-changed, so it works on its own copy.
        return None if self.workspace is None else Workspace.objects.get(pk=self.workspace.pk)

    def _render(self, form: WorkspaceForm, status: int = 200):
        context = {"form": form, "workspace": self.workspace, "desk_rows": form.desk_rows()}
        return render(self.request, self.template_name, context, status=status)


class WorkspaceCreateView(WorkspaceFormMixin, View):
    """Staff: add a workspace and its desks."""


class WorkspaceUpdateView(WorkspaceFormMixin, View):
    """Staff: change a workspace and its desks. Capacity never drops below the desks already
    offered or let (a field error; nothing is saved); extra desks go to the waiting list at once."""

    def load_workspace(self, *, slug: str) -> Workspace:
        # Called from get/post, after the mixin's checks: an anonymous user learns nothing about
        # the address.
        return get_object_or_404(Workspace, slug=slug)


# Staff: tenancies ---------------------------------------------------------------------------


class TenancyListView(RuleRequiredMixin, View):
    """Staff: tenancies, current and ended, filtered by status and workspace, with a link to end
    each current one. A filter value that is not on the list is shown as a field error (400)."""

    rule = permissions.can_manage_workspaces
    template_name = "workspaces/tenancy_list.html"

    def get(self, request):
        filterset = TenancyFilterSet(request.GET or None, queryset=Tenancy.objects.for_list())
        valid = filterset.is_valid() if filterset.is_bound else True
        page = _page(request, filterset.qs, STAFF_PAGE_SIZE)
        context = {
            "form": filterset.form,
            "page_obj": page,
            "filtered": bool(request.GET) and any(request.GET.get(name) for name in filterset.filters),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


class TenancyEndView(RuleRequiredMixin, View):
    """Staff: end a tenancy on a given day (today by default). Its desks are freed and offered to
    the waiting list. Ending an ended tenancy changes nothing."""

    rule = permissions.can_manage_workspaces
    template_name = "workspaces/tenancy_end.html"

    def get(self, request, pk: int):
        return self._render(self._tenancy(pk), TenancyEndForm())

    def post(self, request, pk: int):
        tenancy = self._tenancy(pk)
        if not tenancy.is_current:
            messages.info(request, f"The tenancy of {tenancy.organisation} had already ended.")
            return HttpResponseRedirect(reverse("workspaces:tenancy-list"))
        form = TenancyEndForm(request.POST)
        if not form.is_valid():
            return self._render(tenancy, form, status=400)
        try:
            services.tenancy_end(tenancy=tenancy, ended_on=form.cleaned_data["ended_on"])
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(tenancy, form, status=400)
        desk_label = DeskType(tenancy.pool.desk_type).label.lower()
        messages.success(
            request,
            f"Ended the tenancy of {tenancy.organisation} at {tenancy.pool.workspace}. "
            f"{tenancy.desks} {desk_label}{'s' if tenancy.desks != 1 else ''} went back to the workspace "
            "and were offered to the waiting list.",
        )
        return HttpResponseRedirect(reverse("workspaces:tenancy-list"))

    def _tenancy(self, pk: int) -> Tenancy:
        return get_object_or_404(Tenancy.objects.for_list(), pk=pk)

    def _render(self, tenancy: Tenancy, form: TenancyEndForm, status: int = 200):
        context = {"tenancy": tenancy, "form": form}
        return render(self.request, self.template_name, context, status=status)


EXPORT_FIELDS = [
    "name",
    "slug",
    "provider",
    "address",
    "postcode",
    "borough",
    "accepting_applications",
    "desk_type",
    "desks",
    "free_desks",
    "monthly_price_gbp",
    "subsidy",
    "page",
]


def _export_rows(request) -> list[dict]:
    """One row per workspace and desk type it offers, for the open-data downloads. Two queries."""
    rows = []
    for workspace in Workspace.objects.for_list():
        page = request.build_absolute_uri(reverse("workspaces:workspace-detail", args=[workspace.slug]))
        for pool in workspace.offered_pools:
            rows.append(
                {
                    "name": workspace.name,
                    "slug": workspace.slug,
                    "provider": workspace.provider.name,
                    "address": " ".join(workspace.address.split()),
                    "postcode": workspace.postcode,
                    "borough": workspace.get_local_authority_display(),
                    "accepting_applications": workspace.accepting_applications,
                    "desk_type": pool.get_desk_type_display(),
                    "desks": pool.capacity,
                    "free_desks": pool.capacity - pool.allocated,
                    "monthly_price_gbp": pool.monthly_price_gbp,
                    "subsidy": workspace.subsidy,
                    "page": page,
                }
            )
    return rows


class WorkspaceExportCsvView(View):
    """Anyone: the workspace catalogue as CSV (open data, Open Government Licence)."""

    def get(self, request):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="workspaces.csv"'
        writer = csv.writer(response)
        writer.writerow(EXPORT_FIELDS)
        for row in _export_rows(request):
            writer.writerow([csv_text(row[name]) for name in EXPORT_FIELDS])
        return response


class WorkspaceExportJsonView(View):
    """Anyone: the workspace catalogue as JSON (open data, Open Government Licence)."""

    def get(self, request):
        rows = [
            {name: (str(value) if isinstance(value, Decimal) else value) for name, value in row.items()}
            for row in _export_rows(request)
        ]
        response = JsonResponse({"licence": "Open Government Licence v3.0", "workspaces": rows})
        response["Content-Disposition"] = 'attachment; filename="workspaces.json"'
        return response
