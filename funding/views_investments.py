"""The investment register's staff pages under /dashboard/investments/: the register (filtered,
paged, cached until a deal, a firm or an investor changes) and its CSV download, each deal with
its history, the deal form, verifying, the possible duplicates, and importing from CSV.

Every deal is read through ``Investment.objects.visible_to(user)`` and every upload through
``InvestmentImport.objects.visible_to(user)`` (the uploader's own), so "not yours" is the same 404
as "not there". Every write is one service call; what the service refuses is shown on the page,
field by field, with a 400; every POST that changes something redirects.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views import View

from portal import page_cache
from portal.forms import service_error_messages
from portal.models import Organisation
from portal.permissions import request_actor
from portal.selectors import organisation_reference, organisation_suggestions
from portal.suggestions import SuggestionsView
from portal.views import RuleRequiredMixin

from . import investment_csv
from . import investment_imports as imports
from . import investment_services as services
from .investment_forms import (
    InvestmentForm,
    InvestmentImportForm,
    InvestmentRegisterFilterSet,
    investment_error_list,
    investment_errors_show,
    investment_initial_as_typed,
    investor_formset,
    investor_rows_as_typed,
)
from .investment_selectors import investment_history
from .models import FUNDER_KINDS, Investment, InvestmentImport
from .permissions import can_manage_investments

PAGE_SIZE = 50
# The preview of an upload lists this many rows; every flagged row is listed whatever its place.
PREVIEW_ROWS = 50
FILTER_NAMES = ("q", "kind", "stage", "year", "verified", "flagged", "lead", "firm", "origin")


def _page(request, queryset, per_page: int = PAGE_SIZE):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


def _deal(request, pk: int, queryset=None) -> Investment:
    """The deal of the address, if the reader may see it: a 404 otherwise."""
    queryset = Investment.objects.all() if queryset is None else queryset
    return get_object_or_404(queryset.visible_to(request.user), pk=pk)


def _detail_url(investment) -> str:
    return reverse("funding:investment-detail", args=[investment.pk])


class StaffMixin(RuleRequiredMixin):
    rule = can_manage_investments


class FirmSuggestionsView(SuggestionsView):
    """Staff: the firms the deal form's firm field may mean, as the person types."""

    rule = can_manage_investments

    def suggest(self, text):
        return organisation_suggestions(text, kinds=[Organisation.Kind.FIRM])


class InvestorSuggestionsView(SuggestionsView):
    """Staff: the funders, partners and public bodies an investor row may mean, as the person types."""

    rule = can_manage_investments

    def suggest(self, text):
        return organisation_suggestions(text, kinds=FUNDER_KINDS)  # those that usually invest


class InvestmentListView(StaffMixin, View):
    """Staff: every deal, newest first unless sorted otherwise, filtered by words, kind, stage,
    year, verified, flagged, domestic or international lead, firm and how it was recorded (the
    filters combine); 50 a page; a fixed number of queries whatever the number of deals; cached
    until the register or the registry changes. A bad filter is a field error (400)."""

    template_name = "funding/investment_list.html"

    def get(self, request):
        def filterset_make():
            queryset = Investment.objects.visible_to(request.user).for_list()
            return InvestmentRegisterFilterSet(request.GET, queryset=queryset)

        filterset = filterset_make() if request.GET else SimpleLazyObject(filterset_make)
        valid = filterset.is_valid() if request.GET else True
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **page_cache.fragment_context(
                request,
                "investment-list",
                data=["investments", "organisations"],
                audience=page_cache.audience(request.user),
                vary=[page_cache.query_text(request)],
            ),
            "form": SimpleLazyObject(lambda: filterset.form),
            "page_obj": SimpleLazyObject(lambda: _page(request, filterset.qs)),
            "flagged_count": SimpleLazyObject(lambda: Investment.objects.visible_to(request.user).flagged().count()),
            "filtered": any(request.GET.get(name) for name in FILTER_NAMES),
            "firm_filter": SimpleLazyObject(lambda: self._firm(filterset)),
            "export_url": reverse("funding:investment-export") + (f"?{query.urlencode()}" if valid and query else ""),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)

    @staticmethod
    def _firm(filterset):
        firm_id = filterset.form.cleaned_data.get("firm") if filterset.is_valid() else None
        if not firm_id:
            return None
        from portal.models import Organisation

        return Organisation.objects.filter(pk=firm_id).first()


class InvestmentExportView(StaffMixin, View):
    """Staff: the deals the same filters choose, as CSV in the import's columns (so a download can
    be changed and imported back), every cell safe to open in a spreadsheet. Bad filters: 400."""

    def get(self, request):
        queryset = Investment.objects.visible_to(request.user).for_list()
        filterset = InvestmentRegisterFilterSet(request.GET, queryset=queryset)
        if not filterset.is_valid():
            problems = "; ".join(str(m) for messages_ in filterset.errors.values() for m in messages_)
            return HttpResponse(f"Bad filters: {problems}\n", status=400, content_type="text/plain; charset=utf-8")
        lines = investment_csv.investments_csv_lines(filterset.qs.iterator(chunk_size=1000))
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="investments.csv"'
        return response


class InvestmentDetailView(StaffMixin, View):
    """Staff: one deal: its facts, investors (domestic or international by the lead's country),
    where it came from, whether it is verified or flagged (with the buttons that resolve it), and
    its history, oldest first."""

    template_name = "funding/investment_detail.html"

    def get(self, request, pk: int):
        investment = _deal(request, pk, Investment.objects.for_detail())
        context = {
            "investment": investment,
            "investors": list(investment.investor_rows.all()),
            "history": investment_history(investment),
        }
        return render(request, self.template_name, context)


class InvestmentFormMixin(StaffMixin):
    """The shared body of the record and change pages; ``investment`` is None when recording one.
    "Add another investor" shows the form again with one more investor row, checking and saving
    nothing, so the page needs no JavaScript."""

    template_name = "funding/investment_form.html"
    investment: Investment | None = None

    def load(self, **kwargs) -> Investment | None:
        return None

    def get(self, request, **kwargs):
        self.investment = self.load(**kwargs)
        if self.investment is None:
            return self._render(InvestmentForm(), investor_formset(blank_rows=3))
        initial = [
            {
                "investor": organisation_reference(row.investor),
                "country": row.country.code,
                "is_lead": row.is_lead,
            }
            for row in self.investment.investor_rows.select_related("investor").order_by("-is_lead", "pk")
        ]
        return self._render(
            InvestmentForm(initial=InvestmentForm.initial_of(self.investment)),
            investor_formset(initial=initial, blank_rows=1),
        )

    def post(self, request, **kwargs):
        self.investment = self.load(**kwargs)
        if "add_investor" in request.POST:
            rows = investor_rows_as_typed(request.POST)
            form = InvestmentForm(initial=investment_initial_as_typed(request.POST))
            return self._render(form, investor_formset(initial=rows, blank_rows=1), focus_row=len(rows) + 1)
        # What the deal names already is found even if another organisation shares its name.
        form = InvestmentForm(request.POST, known=[self.investment.firm] if self.investment else [])
        formset = investor_formset(data=request.POST)
        rows = self.investment.investor_rows.select_related("investor") if self.investment else []
        formset.known = [row.investor for row in rows]
        form_valid = form.is_valid()
        formset.firm = form.cleaned_data.get("firm") if hasattr(form, "cleaned_data") else None
        if not (formset.is_valid() and form_valid):
            return self._render(form, formset, status=400)
        actor = request_actor(request)
        try:
            if self.investment is None:
                investment = services.investment_create(data=form.values(), investors=formset.entries(), actor=actor)
            else:
                investment = services.investment_update(
                    investment=self.investment, data=form.values(), investors=formset.entries(), actor=actor
                )
        except (ValidationError, PermissionDenied) as error:
            problem = error if isinstance(error, ValidationError) else ValidationError(str(error))
            investment_errors_show(form, formset, problem)
            return self._render(form, formset, status=400)
        if self.investment is None:
            text = f"Recorded the {investment.get_kind_display().lower()} into {investment.firm.name}."
            if investment.possible_duplicate_of_id:
                text += (
                    " It matches another deal on firm, date, amount and kind, so it is flagged as a possible duplicate."
                )
        else:
            text = f"Saved the changes to the {investment.get_kind_display().lower()} into {investment.firm.name}."
        messages.success(request, text)
        return HttpResponseRedirect(_detail_url(investment), status=303)

    def _render(self, form, formset, status: int = 200, focus_row: int | None = None):
        errors = investment_error_list(form, formset) if form.is_bound else []
        for number, row in enumerate(formset.forms, start=1):
            row.autofocus = number == focus_row  # the row "Add another investor" added
        context = {
            "form": form,
            "formset": formset,
            "investment": self.investment,
            "errors": errors,
        }
        return render(self.request, self.template_name, context, status=status)


class InvestmentCreateView(InvestmentFormMixin, View):
    """Staff: record a deal or award into a firm, with its investors."""


class InvestmentUpdateView(InvestmentFormMixin, View):
    """Staff: change a deal; a change to its facts takes its verification away."""

    def load(self, *, pk: int) -> Investment:
        return _deal(self.request, pk, Investment.objects.select_related("firm"))


class InvestmentVerifyView(StaffMixin, View):
    """Staff: mark a deal verified (POST from its page); a flagged one is refused with the reason."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        investment = _deal(request, pk)
        try:
            services.investment_verify(investment=investment, actor=request_actor(request))
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, "Verified: the deal counts as checked by staff.")
        return HttpResponseRedirect(_detail_url(investment), status=303)


class InvestmentDuplicateClearView(StaffMixin, View):
    """Staff: say a flagged deal is not a duplicate (POST from its page)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        investment = _deal(request, pk)
        services.investment_duplicate_clear(investment=investment, actor=request_actor(request))
        messages.success(request, f"Investment #{investment.pk} is no longer flagged as a possible duplicate.")
        back = request.POST.get("next") == "duplicates"
        return HttpResponseRedirect(
            reverse("funding:investment-duplicates") if back else _detail_url(investment), status=303
        )


class InvestmentDeleteView(StaffMixin, View):
    """Staff: delete a deal recorded twice or in error, after a page that asks to confirm. Its
    history stays in the audit."""

    template_name = "funding/investment_delete.html"

    def get(self, request, pk: int):
        investment = _deal(request, pk, Investment.objects.for_list())
        return render(request, self.template_name, {"investment": investment})

    def post(self, request, pk: int):
        investment = _deal(request, pk, Investment.objects.select_related("firm"))
        services.investment_delete(investment=investment, actor=request_actor(request))
        messages.success(request, f"Deleted investment #{pk} into {investment.firm.name}.")
        return HttpResponseRedirect(reverse("funding:investment-list"), status=303)


class InvestmentDuplicateListView(StaffMixin, View):
    """Staff: every deal flagged as a possible duplicate, beside the deal it matches, each linked
    to its page, where staff say it is not a duplicate or delete it (the buttons stay off this
    cached page: a cached form would carry another session's CSRF token). Cached like the register."""

    template_name = "funding/investment_duplicates.html"

    def get(self, request):
        def rows():
            queryset = Investment.objects.visible_to(request.user).flagged().for_list().order_by("-created_at", "-pk")
            return _page(request, queryset)

        context = {
            **page_cache.fragment_context(
                request,
                "investment-duplicates",
                data=["investments", "organisations"],
                audience=page_cache.audience(request.user),
                vary=[page_cache.query_text(request)],
            ),
            "page_obj": SimpleLazyObject(rows),
        }
        return render(request, self.template_name, context)


# Importing ------------------------------------------------------------------------------------


# The error summary names this many of a file's problems; the page lists them all below it.
SUMMARY_PROBLEMS = 20


def _import_context(form, problems: list[str]) -> dict:
    return {
        "form": form,
        "problems": problems,
        "errors": [{"text": text, "href": "#id_file"} for text in problems[:SUMMARY_PROBLEMS]],
        "more_problems": max(0, len(problems) - SUMMARY_PROBLEMS),
        "columns": investment_csv.IMPORT_COLUMNS,
        "required_columns": investment_csv.REQUIRED_COLUMNS,
        "max_rows": imports.IMPORT_MAX_ROWS,
    }


class InvestmentImportView(StaffMixin, View):
    """Staff: upload a CSV file of deals. A file with any bad row is refused (400) with every
    problem by row and column, and nothing is kept; a good one is kept on the server and its
    preview shown (post/redirect/get)."""

    template_name = "funding/investment_import.html"

    def get(self, request):
        return render(request, self.template_name, _import_context(InvestmentImportForm(), []))

    def post(self, request):
        form = InvestmentImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, self.template_name, _import_context(form, []), status=400)
        upload = form.cleaned_data["file"]
        try:
            prepared = imports.investment_import_prepare(
                content=upload.read(), file_name=upload.name, actor=request_actor(request)
            )
        except ValidationError as error:
            problems = [m for texts in service_error_messages(error).values() for m in texts]
            return render(request, self.template_name, _import_context(form, problems), status=400)
        return HttpResponseRedirect(reverse("funding:investment-import-preview", args=[prepared.pk]), status=303)


class InvestmentImportPreviewView(StaffMixin, View):
    """Staff: what an upload of theirs would create, rows that may duplicate a stored deal or an
    earlier row flagged, and the investor organisations it would add; confirming creates it all
    at once (POST, then the register). Another person's upload is a 404."""

    template_name = "funding/investment_import_preview.html"

    def get(self, request, pk: int):
        return self._render(self._upload(pk))

    def post(self, request, pk: int):
        upload = self._upload(pk)
        try:
            upload = imports.investment_import_confirm(investment_import=upload, actor=request_actor(request))
        except ValidationError as error:
            problems = [m for texts in service_error_messages(error).values() for m in texts]
            return self._render(upload, problems=problems, status=400)
        messages.success(
            request,
            f"Imported {upload.created_count:,} investment{'s' if upload.created_count != 1 else ''} from "
            f"{upload.file_name}. Those flagged as possible duplicates are on the duplicates page.",
        )
        return HttpResponseRedirect(
            reverse("funding:investment-list") + "?origin=import&ordering=-created_at", status=303
        )

    def _upload(self, pk: int) -> InvestmentImport:
        return get_object_or_404(InvestmentImport.objects.visible_to(self.request.user), pk=pk)

    def _render(self, upload: InvestmentImport, *, problems=(), status: int = 200):
        preview = imports.investment_import_preview(upload)
        shown = [row for index, row in enumerate(preview.rows) if index < PREVIEW_ROWS or row.flagged]
        context = {
            "upload": upload,
            "preview": preview,
            "rows": shown,
            "hidden_rows": len(preview.rows) - len(shown),
            "can_confirm": upload.confirmed_at is None
            and InvestmentImport.objects.open().filter(pk=upload.pk).exists(),
            "errors": [{"text": text, "href": ""} for text in problems],
        }
        return render(self.request, self.template_name, context, status=status)


class InvestmentImportTemplateView(StaffMixin, View):
    """Staff: the CSV template: every column and one example row."""

    def get(self, request):
        response = HttpResponse(investment_csv.investment_import_template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="investments-template.csv"'
        return response
