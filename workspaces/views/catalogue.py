"""The workspace catalogue: the public list, workspace pages and the published criteria; and the
staff pages that add and change workspaces and end tenancies."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from portal.views import StaffRequiredMixin

from .. import permissions, selectors, services
from ..forms.catalogue import TenancyEndForm, TenancyFilterForm, WorkspaceCatalogueFilterSet, WorkspaceForm
from ..models import DeskPool, DeskType, Score, Tenancy, Workspace

PUBLIC_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50


class WorkspaceStaffRequiredMixin(StaffRequiredMixin):
    """Signed-out users go to the login page; signed-in users who may not manage workspaces get 403."""

    def test_func(self) -> bool:
        return permissions.can_manage_workspaces(self.request.user)


def _page(request, queryset, per_page: int):
    """One page of ``queryset``; a page number that is not a number or out of range shows the nearest
    page. ``page_range`` holds the page numbers to link to, elided around the current one."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _apply_context(user) -> dict:
    """Who may apply, for the apply button or the sign-in explanation."""
    return {
        "can_apply": permissions.can_apply_for_workspace(user),
        "can_manage": permissions.can_manage_workspaces(user),
    }


def _offered_pools(workspace: Workspace) -> list[DeskPool]:
    # A desk type kept at capacity 0 only holds the history of past offers; the public never sees it.
    return [pool for pool in workspace.desk_pools.all() if pool.capacity]


# The public catalogue -----------------------------------------------------------------------


class WorkspaceListView(View):
    """Anyone: the workspaces start-ups can apply to, with free desks now, filtered by borough,
    desk type and free desks. A filter value that is not on the list is shown as a field error."""

    template_name = "workspaces/workspace_list.html"

    def get(self, request):
        filterset = WorkspaceCatalogueFilterSet(request.GET or None, queryset=Workspace.objects.for_list())
        valid = filterset.is_valid() if filterset.is_bound else True
        page = _page(request, filterset.qs, PUBLIC_PAGE_SIZE)
        rows = [{"workspace": workspace, "pools": _offered_pools(workspace)} for workspace in page.object_list]
        context = {
            "filterset": filterset,
            "form": filterset.form,
            "page_obj": page,
            "rows": rows,
            "filtered": filterset.is_bound and any(request.GET.get(name) for name in filterset.filters),
            **_apply_context(request.user),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


class WorkspaceDetailView(View):
    """Anyone: one workspace with its desks, prices, eligibility and accessibility. 404 for an
    unknown address."""

    template_name = "workspaces/workspace_detail.html"

    def get(self, request, slug: str):
        workspace = get_object_or_404(Workspace.objects.for_list(), slug=slug)
        context = {"workspace": workspace, "pools": _offered_pools(workspace), **_apply_context(request.user)}
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


class WorkspaceManageListView(WorkspaceStaffRequiredMixin, View):
    """Staff: every workspace with its capacity, desks held (offered or let), free desks and
    occupancy, with links to change them or add one."""

    template_name = "workspaces/workspace_manage_list.html"

    def get(self, request):
        page = _page(request, Workspace.objects.for_list(), STAFF_PAGE_SIZE)
        rows = [
            {
                "workspace": workspace,
                "pools": _offered_pools(workspace),
                "occupancy": _percent(workspace.allocated_total, workspace.capacity_total),
            }
            for workspace in page.object_list
        ]
        totals = DeskPool.objects.aggregate(
            capacity=Coalesce(Sum("capacity"), 0), allocated=Coalesce(Sum("allocated"), 0)
        )
        totals["available"] = totals["capacity"] - totals["allocated"]
        totals["occupancy"] = _percent(totals["allocated"], totals["capacity"])
        return render(request, self.template_name, {"page_obj": page, "rows": rows, "totals": totals})


class WorkspaceFormMixin(WorkspaceStaffRequiredMixin):
    """The shared body of the create and update pages; ``workspace`` is None when creating."""

    template_name = "workspaces/workspace_form.html"
    workspace: Workspace | None = None

    def get(self, request, **kwargs):
        return self._render(WorkspaceForm(instance=self.workspace))

    def post(self, request, **kwargs):
        form = WorkspaceForm(request.POST, instance=self.workspace)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            workspace = services.workspace_save(
                data=form.workspace_data(), pools=form.pools(), workspace=self._fresh_workspace()
            )
        except ValidationError as error:
            _add_service_errors(form, error)
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


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, or above the form."""
    problems = error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    for name, messages_ in problems.items():
        form.add_error(name if name in form.fields else None, messages_)


class WorkspaceCreateView(WorkspaceFormMixin, View):
    """Staff: add a workspace and its desks."""


class WorkspaceUpdateView(WorkspaceFormMixin, View):
    """Staff: change a workspace and its desks. Capacity never drops below the desks already
    offered or let (a field error; nothing is saved); extra desks go to the waiting list at once."""

    def dispatch(self, request, *args, **kwargs):
        # Only once the mixin's checks pass: an anonymous user learns nothing about the address.
        if request.user.is_authenticated and permissions.can_manage_workspaces(request.user):
            self.workspace = get_object_or_404(Workspace, slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)


# Staff: tenancies ---------------------------------------------------------------------------


class TenancyListView(WorkspaceStaffRequiredMixin, View):
    """Staff: tenancies, current and ended, filtered by status and workspace, with a link to end
    each current one."""

    template_name = "workspaces/tenancy_list.html"

    def get(self, request):
        form = TenancyFilterForm(request.GET or None)
        valid = form.is_valid() if form.is_bound else True
        page = _page(request, form.filter(Tenancy.objects.for_list()), STAFF_PAGE_SIZE)
        context = {
            "form": form,
            "page_obj": page,
            "filtered": form.is_bound and any(request.GET.get(name) for name in form.fields),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


class TenancyEndView(WorkspaceStaffRequiredMixin, View):
    """Staff: end a tenancy on a given day (today by default). Its desks are freed and offered to
    the waiting list. Ending an ended tenancy changes nothing."""

    template_name = "workspaces/tenancy_end.html"

    def get(self, request, pk: int):
        tenancy = self._tenancy(pk)
        return self._render(tenancy, TenancyEndForm(tenancy=tenancy))

    def post(self, request, pk: int):
        tenancy = self._tenancy(pk)
        if not tenancy.is_current:
            messages.info(request, f"The tenancy of {tenancy.organisation} had already ended.")
            return HttpResponseRedirect(reverse("workspaces:tenancy-list"))
        form = TenancyEndForm(request.POST, tenancy=tenancy)
        if not form.is_valid():
            return self._render(tenancy, form, status=400)
        try:
            services.tenancy_end(tenancy=tenancy, ended_on=form.cleaned_data["ended_on"])
        except ValidationError as error:
            _add_service_errors(form, error)
            return self._render(tenancy, form, status=400)
        except PermissionDenied as error:
            form.add_error(None, str(error) or "You may not end this tenancy.")
            return self._render(tenancy, form, status=403)
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
