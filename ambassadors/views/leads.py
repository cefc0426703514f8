"""The leads pages: an ambassador's own leads (refer one, follow each through its stages, "my
impact"), and the staff pipeline (a filtered list, a board by stage, a lead's page with its
history, recording a lead and moving it on).

Every lead is read through ``Lead.objects.visible_to(user)``; the ambassador's pages narrow it
to the leads they referred, so another ambassador's lead is the same 404 as a missing one. Every
write is one service call; what the service refuses is shown on the form, field by field, with
a 400, never a 500. Lists run a fixed number of queries whatever the number of leads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views import View

from portal import page_cache
from portal.forms import form_add_service_errors
from portal.suggestions import SuggestionsView
from portal.views import RuleRequiredMixin

from .. import permissions, stages
from ..exceptions import LeadChangedError
from ..forms.leads import LeadCreateForm, LeadMoveForm, LeadReferForm
from ..lead_filters import LeadFilterSet, staff_users_fingerprint
from ..models import Lead
from ..selectors import ambassador_suggestions
from ..services import leads as services

S = Lead.Stage
PAGE_SIZE = 50
# The board shows this many leads of each stage, most recently changed first; the list has the rest.
BOARD_PER_STAGE = 20
BOARD_STAGES = (S.REFERRED, S.QUALIFIED, S.ACTIVE, S.VERIFY_WIN, S.LANDED, S.LOST)


def _history(lead: Lead):
    return lead.changes.select_related("changed_by").order_by("changed_at", "pk")


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return page, list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


# The ambassador's pages --------------------------------------------------------------------------


def _own_leads(request):
    return Lead.objects.visible_to(request.user).filter(referred_by__user=request.user)


def _own_fragment(request, name: str, *, vary=()) -> dict:
    """A cached fragment of the ambassador's own pages: one person's leads, so keyed by that
    person whatever their roles (a member of staff who is also an ambassador sees only their own
    here), under the ``ambassadors`` data key that every lead write bumps."""
    return page_cache.fragment_context(
        request,
        name,
        data=["ambassadors"],
        audience=f"user:{request.user.pk}",
        vary=[page_cache.query_text(request), *vary],
    )


class LeadListView(RuleRequiredMixin, View):
    """Ambassadors: the leads they referred, most recently changed first, with each one's stage."""

    rule = permissions.can_use_ambassador_portal
    template_name = "ambassadors/lead_list.html"

    def get(self, request):
        paged = SimpleLazyObject(lambda: _page(request, _own_leads(request).select_related("organisation")))
        can_refer = permissions.can_act_as_ambassador(request.user)
        context = {
            **_own_fragment(request, "ambassador-leads", vary=[can_refer]),
            "page_obj": SimpleLazyObject(lambda: paged[0]),
            "page_numbers": SimpleLazyObject(lambda: paged[1]),
            "can_refer": can_refer,
        }
        return render(request, self.template_name, context)


class LeadReferView(RuleRequiredMixin, View):
    """Active ambassadors: refer a lead (the company's name; the rest helps staff qualify it).
    Errors answer 400 with every problem listed; success goes to the lead's page."""

    rule = permissions.can_act_as_ambassador
    template_name = "ambassadors/lead_refer.html"

    def get(self, request):
        return render(request, self.template_name, {"form": LeadReferForm()})

    def post(self, request):
        form = LeadReferForm(request.POST)
        if form.is_valid():
            try:
                lead = services.lead_refer(actor=request.user, data=form.lead_data())
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    f"Thank you: {lead.name} is referred. Staff will qualify it and you will be emailed as it moves.",
                )
                return HttpResponseRedirect(reverse("ambassadors:lead-detail", args=[lead.pk]))
        return render(request, self.template_name, {"form": form}, status=400)


class LeadDetailView(RuleRequiredMixin, View):
    """Ambassadors: one of their own leads, where it stands and its history (404 for any other)."""

    rule = permissions.can_use_ambassador_portal
    template_name = "ambassadors/lead_detail.html"

    def get(self, request, pk: int):
        lead = get_object_or_404(_own_leads(request).select_related("organisation", "owner"), pk=pk)
        return render(request, self.template_name, {"lead": lead, "history": _history(lead)})


class ImpactView(RuleRequiredMixin, View):
    """Ambassadors: "my impact": the firms that landed from their referrals, with the new and
    safeguarded jobs and the capital invested credited to them. Three queries for the figures and
    the page of firms, whatever the number of leads; none on a cached page."""

    rule = permissions.can_use_ambassador_portal
    template_name = "ambassadors/impact.html"

    def get(self, request):
        def totals():
            return _own_leads(request).aggregate(
                referred=Count("pk"),
                landed=Count("pk", filter=Q(stage=S.LANDED)),
                open=Count("pk", filter=~Q(stage__in=[S.LANDED, S.LOST])),
                new_jobs=Sum("new_jobs", filter=Q(stage=S.LANDED), default=0),
                safeguarded_jobs=Sum("safeguarded_jobs", filter=Q(stage=S.LANDED), default=0),
                capital_invested=Sum("capital_invested", filter=Q(stage=S.LANDED), default=0),
            )

        landed = _own_leads(request).landed().select_related("organisation").order_by("-landed_on", "-pk")
        paged = SimpleLazyObject(lambda: _page(request, landed))
        context = {
            **_own_fragment(request, "ambassador-impact"),
            "totals": SimpleLazyObject(totals),
            "page_obj": SimpleLazyObject(lambda: paged[0]),
            "page_numbers": SimpleLazyObject(lambda: paged[1]),
        }
        return render(request, self.template_name, context)


# The staff pipeline ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    label: str
    count: int
    leads: list[Lead]

    @property
    def more(self) -> int:
        return self.count - len(self.leads)


def _board(queryset) -> list[BoardColumn]:
    """Each stage's count and its most recently changed leads: two queries for the whole board."""
    counts = dict(queryset.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))
    ranked = queryset.annotate(
        board_rank=Window(RowNumber(), partition_by=[F("stage")], order_by=[F("updated_at").desc(), F("pk").desc()])
    ).filter(board_rank__lte=BOARD_PER_STAGE)
    by_stage: dict[str, list[Lead]] = {stage: [] for stage in BOARD_STAGES}
    for lead in ranked.order_by("-updated_at", "-pk"):
        by_stage[lead.stage].append(lead)
    return [BoardColumn(stage, S(stage).label, counts.get(stage, 0), by_stage[stage]) for stage in BOARD_STAGES]


class LeadPipelineView(RuleRequiredMixin, View):
    """Staff: every lead, filtered by stage, type, sector, origin country, ambassador and owner;
    as a paged list, or with ``?view=board`` as a board by stage, which is plain HTML: without
    JavaScript (or on a small screen) it reads as one list per stage. Bad filters answer 400.

    Cached for staff under the ``ambassadors`` data key (every lead and ambassador write bumps
    it) and the staff who may own a lead (names included, one small query), since users have no
    data key of their own."""

    rule = permissions.can_manage_leads
    template_name = "ambassadors/lead_pipeline.html"

    def get(self, request):
        board = request.GET.get("view") == "board"

        def filterset_make():
            queryset = Lead.objects.visible_to(request.user).select_related("referred_by", "owner", "organisation")
            return LeadFilterSet(request.GET, queryset=queryset)

        query = request.GET.copy()
        query.pop("page", None)
        query.pop("view", None)
        # Without filters nothing can be wrong, so a cached page builds no filter at all.
        filterset = filterset_make() if query else SimpleLazyObject(filterset_make)
        errors = bool(filterset.form.errors) if query else False
        context = {
            **page_cache.fragment_context(
                request,
                "lead-pipeline",
                data=["ambassadors"],
                audience=page_cache.audience(request.user),
                vary=[page_cache.query_text(request), staff_users_fingerprint()],
            ),
            "filter_form": SimpleLazyObject(lambda: filterset.form),
            "board": board,
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k not in ("page", "view")),
        }
        if board:
            context["columns"] = SimpleLazyObject(lambda: _board(filterset.qs))
        else:
            paged = SimpleLazyObject(lambda: _page(request, filterset.qs.order_by("-updated_at", "-pk")))
            context.update(page_obj=SimpleLazyObject(lambda: paged[0]), page_numbers=SimpleLazyObject(lambda: paged[1]))
        return render(request, self.template_name, context, status=400 if errors else 200)


class LeadCreateView(RuleRequiredMixin, View):
    """Staff: record a lead (it starts referred; move it on from its page)."""

    rule = permissions.can_manage_leads
    template_name = "ambassadors/lead_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": LeadCreateForm()})

    def post(self, request):
        form = LeadCreateForm(request.POST)
        if form.is_valid():
            try:
                lead = services.lead_create(actor=request.user, data=form.lead_data())
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                messages.success(request, f"{lead.name} is recorded as a referred lead.")
                return HttpResponseRedirect(reverse("ambassadors:lead-manage", args=[lead.pk]))
        return render(request, self.template_name, {"form": form}, status=400)


class AmbassadorSuggestionsView(SuggestionsView):
    """Staff: the ambassadors a lead may be credited to that the lead forms' "Referred by" and the
    pipeline's filter may mean, as the person types."""

    rule = permissions.can_manage_leads

    def suggest(self, text):
        return ambassador_suggestions(text)


def _staff_lead(request, pk: int) -> Lead:
    queryset = Lead.objects.visible_to(request.user).select_related("referred_by__user", "owner", "organisation")
    return get_object_or_404(queryset, pk=pk)


class LeadManageView(RuleRequiredMixin, View):
    """Staff: a lead, its history (who, when, from, to, why, what changed) and the moves allowed
    from its stage, each a link to the move form."""

    rule = permissions.can_manage_leads
    template_name = "ambassadors/lead_manage.html"

    def get(self, request, pk: int):
        lead = _staff_lead(request, pk)
        moves = [{"stage": stage, "label": S(stage).label} for stage in stages.allowed_moves(lead)]
        return render(request, self.template_name, {"lead": lead, "history": _history(lead), "moves": moves})


class LeadMoveView(RuleRequiredMixin, View):
    """Staff: move a lead to ``?to=<stage>`` (the fields that stage requires, filled in with what
    the lead holds), or change its details when ``to`` is its own stage. Every missing or wrong
    field is listed at once (400); a stage that is not next is refused on the page (400); a lead
    someone else changed since the form was opened is refused with the lead as it is now (409)."""

    rule = permissions.can_manage_leads
    template_name = "ambassadors/lead_move.html"

    def get(self, request, pk: int):
        lead = _staff_lead(request, pk)
        to = request.GET.get("to") or lead.stage
        refusal = stages.move_refusal(lead, to)
        if refusal:
            return self._render(lead, None, to, errors=[refusal], status=400)
        return self._render(lead, LeadMoveForm(lead=lead, to=to), to)

    def post(self, request, pk: int):
        lead = _staff_lead(request, pk)
        to = request.POST.get("stage") or lead.stage
        refusal = stages.move_refusal(lead, to)
        if refusal:
            return self._render(lead, None, to, errors=[refusal], status=400)
        form = LeadMoveForm(request.POST, lead=lead, to=to)
        if not form.is_valid():
            return self._render(lead, form, to, status=400)
        data, version = form.lead_data(), form.cleaned_data["version"]
        try:
            if to == lead.stage:
                services.lead_update(
                    lead=lead, actor=request.user, version=version, data=data, reason=form.cleaned_data["reason"]
                )
                done = f"{lead.name}'s details are saved."
            else:
                services.lead_move(
                    lead=lead, actor=request.user, to=to, version=version, data=data, reason=form.cleaned_data["reason"]
                )
                done = f"{lead.name} moved to {S(to).label.lower()}."
                if lead.referred_by_id:
                    done += " The ambassador who referred it is emailed."
        except LeadChangedError as error:
            # Show the lead as it is now, with a fresh form, and say why nothing was saved.
            lead = _staff_lead(request, pk)
            fresh = LeadMoveForm(lead=lead, to=to) if not stages.move_refusal(lead, to) else None
            return self._render(lead, fresh, to, errors=error.messages, status=409)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(lead, form, to, status=400)
        messages.success(request, done)
        return HttpResponseRedirect(reverse("ambassadors:lead-manage", args=[lead.pk]))

    def _render(self, lead: Lead, form, to: str, *, errors=(), status: int = 200):
        stage_errors = list(errors)
        if form is not None:
            # The hidden fields' errors have no box to link to: they head the page instead.
            for hidden in ("stage", "version"):
                if hidden in form.errors:
                    stage_errors += form.errors.pop(hidden)
        context = {
            "lead": lead,
            "form": form,
            "to": to,
            "to_label": S(to).label if to in S.values else to,
            "changing_details": to == lead.stage,
            "reopening": stages.needs_reason(lead, to) if to in S.values else False,
            "errors": [{"text": text, "href": ""} for text in stage_errors],
        }
        return render(self.request, self.template_name, context, status=status)


__all__ = [
    "AmbassadorSuggestionsView",
    "ImpactView",
    "LeadCreateView",
    "LeadDetailView",
    "LeadListView",
    "LeadManageView",
    "LeadMoveView",
    "LeadPipelineView",
    "LeadReferView",
]
