"""The funding pages: the public catalogue of opportunities, each opportunity's page and the
deadlines as an iCalendar feed; and the staff pages that publish, change and withdraw them.

The public pages are cached under the ``funding`` and ``organisations`` data keys (the funder's
name) and today's date, since statuses follow the date.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.views import View

from portal import page_cache
from portal.forms import form_add_service_errors
from portal.permissions import request_actor
from portal.selectors import organisation_suggestions
from portal.suggestions import SuggestionsView
from portal.views import RuleRequiredMixin

from . import permissions, services
from .calendar import deadlines_ics
from .forms import OpportunityCatalogueFilterSet, OpportunityForm
from .models import CLOSING_SOON_DAYS, FUNDER_KINDS, Opportunity

PUBLIC_PAGE_SIZE = 20
STAFF_PAGE_SIZE = 50
# A calendar feed holds at most this many deadlines, the soonest first.
CALENDAR_LIMIT = 500


def _page(request, queryset, per_page: int):
    """One page of ``queryset``; a page number that is not a number or out of range shows the nearest
    page. ``page_range`` holds the page numbers to link to, elided around the current one."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


def _fragment(request, name: str, *, vary=()) -> dict:
    """A cached fragment of a public funding page: the opportunities, their funders' names, and
    today's date (statuses follow it); staff also see withdrawn ones and the staff links."""
    today = timezone.localdate().isoformat()
    return page_cache.fragment_context(
        request,
        name,
        data=["funding", "organisations"],
        audience=page_cache.audience(request.user),
        vary=[today, *vary],
    )


def _alert_url(request) -> str:
    """The new-alert form, filled in with the search's words, kinds and sector (what an alert holds)."""
    query = urlencode([(name, value) for name in ("q", "kind", "sector") for value in request.GET.getlist(name)])
    return reverse("funding:alert-create") + (f"?{query}" if query else "")


def _filterset(request) -> OpportunityCatalogueFilterSet:
    queryset = Opportunity.objects.visible_to(request.user).for_list()
    return OpportunityCatalogueFilterSet(request.GET, queryset=queryset)


class OpportunityListView(View):
    """Anyone: every funder's opportunities, searched by words (best match first), filtered by kind,
    sector, borough, amount and status (the filters combine), sorted by best match, closing date or
    newest, 20 a page. A filter value that is not on the list is a field error (400)."""

    template_name = "funding/opportunity_list.html"

    def get(self, request):
        # Without filters the page is valid without building the filters (a cached page needs none);
        # with filters their validity decides the status code.
        filterset = _filterset(request) if request.GET else SimpleLazyObject(lambda: _filterset(request))
        valid = filterset.is_valid() if request.GET else True
        query = page_cache.query_text(request)
        context = {
            **_fragment(request, "opportunity-list", vary=[query]),
            "form": SimpleLazyObject(lambda: filterset.form),
            "page_obj": SimpleLazyObject(lambda: _page(request, filterset.qs, PUBLIC_PAGE_SIZE)),
            "filtered": bool(request.GET) and any(request.GET.get(name) for name in filterset.filters),
            "searched": SimpleLazyObject(lambda: filterset.searched),
            "calendar_url": reverse("funding:opportunity-calendar") + (f"?{request.GET.urlencode()}" if valid else ""),
            "alert_url": _alert_url(request),
            "closing_soon_days": CLOSING_SOON_DAYS,
            "can_manage": permissions.can_manage_opportunities(request.user),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


class OpportunityDetailView(View):
    """Anyone: one opportunity, its amount, dates and status, who can apply and the funder's link.
    A withdrawn one is a 404 for everyone but staff."""

    template_name = "funding/opportunity_detail.html"

    def get(self, request, pk: int):
        def load():
            queryset = Opportunity.objects.visible_to(request.user).for_list().with_status()
            return get_object_or_404(queryset, pk=pk)

        context = {
            **_fragment(request, "opportunity-detail", vary=[pk]),
            "opportunity": SimpleLazyObject(load),
            "closing_soon_days": CLOSING_SOON_DAYS,
            "can_manage": permissions.can_manage_opportunities(request.user),
        }
        return render(request, self.template_name, context)


class OpportunityCalendarView(View):
    """Anyone: the closing dates of the opportunities the same filters choose, as an iCalendar
    feed to subscribe to (``text/calendar``). Bad filters are a 400 in plain text."""

    def get(self, request):
        filterset = OpportunityCatalogueFilterSet(request.GET, queryset=Opportunity.objects.published().for_list())
        if not filterset.is_valid():
            problems = "; ".join(str(m) for messages_ in filterset.errors.values() for m in messages_)
            return HttpResponse(f"Bad filters: {problems}\n", status=400, content_type="text/plain; charset=utf-8")
        opportunities = filterset.qs.filter(closes_on__isnull=False)[:CALENDAR_LIMIT]
        text = deadlines_ics(
            opportunities,
            page_url=lambda o: request.build_absolute_uri(o.get_absolute_url()),
            host=request.get_host(),
            now=timezone.now(),
            name="Funding deadlines (Tech Commissioner Portal)",
        )
        response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="funding-deadlines.ics"'
        return response


# Staff --------------------------------------------------------------------------------------


class OpportunityManageListView(RuleRequiredMixin, View):
    """Staff: every opportunity, withdrawn and closed ones included, newest first, with links to
    change each one or add one."""

    rule = permissions.can_manage_opportunities
    template_name = "funding/opportunity_manage_list.html"

    def get(self, request):
        queryset = Opportunity.objects.for_list().with_status().order_by("-created_at", "-pk")
        return render(request, self.template_name, {"page_obj": _page(request, queryset, STAFF_PAGE_SIZE)})


class OpportunityFormMixin(RuleRequiredMixin):
    """The shared body of the add and change pages; ``opportunity`` is None when adding one."""

    rule = permissions.can_manage_opportunities
    template_name = "funding/opportunity_form.html"
    opportunity: Opportunity | None = None

    def load(self, **kwargs) -> Opportunity | None:
        return None

    def get(self, request, **kwargs):
        self.opportunity = self.load(**kwargs)
        initial = OpportunityForm.initial_of(self.opportunity) if self.opportunity else {}
        return self._render(OpportunityForm(initial=initial))

    def post(self, request, **kwargs):
        self.opportunity = self.load(**kwargs)
        form = OpportunityForm(request.POST, known=[self.opportunity.funder] if self.opportunity else [])
        if not form.is_valid():
            return self._render(form, status=400)
        actor = request_actor(request)
        try:
            if self.opportunity is None:
                opportunity = services.opportunity_create(data=form.service_data(), actor=actor)
            else:
                opportunity = services.opportunity_update(
                    opportunity=self.opportunity, data=form.service_data(), actor=actor
                )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self._render(form, status=400)
        verb = "Published" if self.opportunity is None else "Saved the changes to"
        messages.success(request, f"{verb} {opportunity.title}.")
        return HttpResponseRedirect(reverse("funding:opportunity-manage"))

    def _render(self, form: OpportunityForm, status: int = 200):
        context = {"form": form, "opportunity": self.opportunity}
        return render(self.request, self.template_name, context, status=status)


class OpportunityCreateView(OpportunityFormMixin, View):
    """Staff: publish an opportunity for any funder of the registry."""


class OpportunityUpdateView(OpportunityFormMixin, View):
    """Staff: change an opportunity; its status follows the new dates at once."""

    def load(self, *, pk: int) -> Opportunity:
        return get_object_or_404(Opportunity.objects.select_related("funder"), pk=pk)


class FunderSuggestionsView(SuggestionsView):
    """Staff: the funders, partners and public bodies the opportunity form's funder field may
    mean, as the person types."""

    rule = permissions.can_manage_opportunities

    def suggest(self, text):
        return organisation_suggestions(text, kinds=FUNDER_KINDS)


class OpportunityWithdrawView(RuleRequiredMixin, View):
    """Staff: withdraw an opportunity from the catalogue, after a page that asks to confirm.
    Withdrawing a withdrawn one changes nothing."""

    rule = permissions.can_manage_opportunities
    template_name = "funding/opportunity_withdraw.html"

    def get(self, request, pk: int):
        return render(request, self.template_name, {"opportunity": self._load(pk)})

    def post(self, request, pk: int):
        opportunity = self._load(pk)
        services.opportunity_withdraw(opportunity=opportunity, actor=request_actor(request))
        messages.success(request, f"Withdrew {opportunity.title}: it is no longer on the catalogue.")
        return HttpResponseRedirect(reverse("funding:opportunity-manage"))

    def _load(self, pk: int) -> Opportunity:
        opportunity = get_object_or_404(Opportunity.objects.select_related("funder"), pk=pk)
        if opportunity.is_withdrawn and self.request.method == "GET":
            raise Http404("This opportunity is already withdrawn.")
        return opportunity
