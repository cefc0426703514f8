"""The budget pages: the public totals (``/funding/budget/``) and the staff pages under
``/dashboard/budget/``: plan against spend with the burn-up, the plan, and the spend entries
(list, record, change, remove, each with its history).

The overview and the public totals are cached under the ``budget`` data key and today's date
(the plan and spend "to date" follow it). Every write is one service call; what a service refuses
is shown on the form, field by field, with a 400, and success redirects (post/redirect/get). Spend
entries are read through ``SpendEntry.objects.visible_to(user)``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views import View

from portal import page_cache
from portal.forms import form_add_service_errors
from portal.views import RuleRequiredMixin

from . import budget_services as services
from . import permissions
from .budget_forms import BudgetPlanForm, SpendEntryFilterSet, SpendForm
from .budget_selectors import budget_overview, money_text, programme_quarters, spend_history
from .models import SpendEntry

PAGE_SIZE = 50


def _fragment(request, name: str) -> dict:
    """A cached fragment of a budget page: the budget's rows as of today, for this audience."""
    return page_cache.fragment_context(
        request,
        name,
        data=["budget"],
        audience=page_cache.audience(request.user),
        vary=[timezone.localdate().isoformat()],
    )


def _see_other(name: str, *args) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse(name, args=args), status=303)


class BudgetSummaryView(View):
    """Anyone: the programme's budget, what has been spent so far and what is left, in all and by
    category. Suppliers and single costs are for staff only."""

    template_name = "funding/budget_summary.html"

    def get(self, request):
        context = {
            **_fragment(request, "budget-summary"),
            "budget": SimpleLazyObject(budget_overview),
            "can_manage": permissions.can_manage_budget(request.user),
        }
        return render(request, self.template_name, context)


class BudgetOverviewView(RuleRequiredMixin, View):
    """Staff: plan against spend by category and quarter, the burn-up (a chart and a table of the
    same numbers) and a warning naming each line that is overspent."""

    rule = permissions.can_manage_budget
    template_name = "funding/budget_overview.html"

    def get(self, request):
        context = {**_fragment(request, "budget-overview"), "budget": SimpleLazyObject(budget_overview)}
        return render(request, self.template_name, context)


class BudgetPlanView(RuleRequiredMixin, View):
    """Staff: the plan, an amount for each category in each quarter; saving replaces the lines
    (an empty box removes one). Every problem is listed at once (400)."""

    rule = permissions.can_manage_budget
    template_name = "funding/budget_plan_form.html"

    def get(self, request):
        return self._render(BudgetPlanForm(initial=BudgetPlanForm.initial_now()))

    def post(self, request):
        form = BudgetPlanForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            counts = services.budget_plan_replace(amounts=form.amounts(), actor=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        if any(counts.values()):
            messages.success(
                request,
                f"Saved the plan: {counts['added']} lines added, {counts['changed']} changed, "
                f"{counts['removed']} removed.",
            )
        else:
            messages.info(request, "The plan was already as you sent it: nothing changed.")
        return _see_other("funding:budget-overview")

    def _render(self, form: BudgetPlanForm, status: int = 200):
        quarters = programme_quarters()
        context = {"form": form, "start": quarters[0], "end": quarters[-1]}
        return render(self.request, self.template_name, context, status=status)


class SpendListView(RuleRequiredMixin, View):
    """Staff: every spend entry, newest first, filtered by category, quarter and words in the
    supplier or note, with the total of what the filters choose; 50 a page. Bad filters: 400."""

    rule = permissions.can_manage_budget
    template_name = "funding/spend_list.html"

    def get(self, request):
        queryset = SpendEntry.objects.visible_to(request.user).for_list()
        filterset = SpendEntryFilterSet(request.GET, queryset=queryset)
        valid = filterset.is_valid()
        entries = filterset.qs if valid else queryset.none()
        page = Paginator(entries.order_by("-spent_on", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        totals = entries.order_by().aggregate(total=Sum("amount_gbp"), count=Count("pk"))
        context = {
            "filter_form": filterset.form,
            "page_obj": page,
            "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)),
            "query": query.urlencode(),
            "filtered": any(value for name, value in request.GET.items() if name != "page"),
            "total": totals["total"] or 0,
            "count": totals["count"],
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


def _entry(request, pk: int) -> SpendEntry:
    return get_object_or_404(SpendEntry.objects.visible_to(request.user).for_list(), pk=pk)


class SpendDetailView(RuleRequiredMixin, View):
    """Staff: one spend entry and its history: who recorded it, and every change since."""

    rule = permissions.can_manage_budget
    template_name = "funding/spend_detail.html"

    def get(self, request, pk: int):
        entry = _entry(request, pk)
        return render(request, self.template_name, {"entry": entry, "history": spend_history(entry)})


class SpendFormMixin(RuleRequiredMixin):
    """The shared body of the record and change pages; ``entry`` is None when recording one."""

    rule = permissions.can_manage_budget
    template_name = "funding/spend_form.html"
    entry: SpendEntry | None = None

    def load(self, **kwargs) -> SpendEntry | None:
        return None

    def get(self, request, **kwargs):
        self.entry = self.load(**kwargs)
        return self._render(SpendForm(initial=SpendForm.initial_of(self.entry) if self.entry else {}))

    def post(self, request, **kwargs):
        self.entry = self.load(**kwargs)
        form = SpendForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            if self.entry is None:
                entry = services.spend_record(data=form.service_data(), actor=request.user)
            else:
                entry = services.spend_update(entry=self.entry, data=form.service_data(), actor=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        except SpendEntry.DoesNotExist:
            messages.info(request, "That spend entry was removed by someone else, so nothing was saved.")
            return _see_other("funding:spend-list")
        text = f"{money_text(entry.amount_gbp)} to {entry.supplier} ({entry.get_category_display()})"
        if self.entry is None:
            messages.success(request, f"Recorded {text}.")
            return _see_other("funding:budget-overview")
        messages.success(request, f"Saved the changes: {text}.")
        return _see_other("funding:spend-detail", entry.pk)

    def _render(self, form: SpendForm, status: int = 200):
        start, end = programme_quarters()[0].start, programme_quarters()[-1].end
        example = min(timezone.localdate(), end)
        date_hint = (
            f"The date on the invoice or receipt, from {start.day} {start:%B %Y} to {end.day} {end:%B %Y} and not "
            f"after today. For example, {example.day} {example.month} {example.year}."
        )
        context = {"form": form, "entry": self.entry, "date_hint": date_hint}
        return render(self.request, self.template_name, context, status=status)


class SpendCreateView(SpendFormMixin, View):
    """Staff: record a cost of the programme."""


class SpendUpdateView(SpendFormMixin, View):
    """Staff: change a spend entry; the history keeps what it was."""

    def load(self, *, pk: int) -> SpendEntry:
        return _entry(self.request, pk)


class SpendRemoveView(RuleRequiredMixin, View):
    """Staff: remove a spend entry recorded by mistake, after a page that asks to confirm. The change
    history keeps a copy of it and who removed it."""

    rule = permissions.can_manage_budget
    template_name = "funding/spend_remove.html"

    def get(self, request, pk: int):
        return render(request, self.template_name, {"entry": _entry(request, pk)})

    def post(self, request, pk: int):
        entry = _entry(request, pk)
        services.spend_remove(entry=entry, actor=request.user)
        messages.success(request, f"Removed {money_text(entry.amount_gbp)} to {entry.supplier}.")
        return _see_other("funding:spend-list")
