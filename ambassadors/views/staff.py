"""Staff pages of the network's people under /dashboard/: the network list, an ambassador's page
with their term and status, invitations, and briefings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views import View

from portal import page_cache
from portal.forms import form_add_service_errors, service_error_messages
from portal.site_url import site_url
from portal.views import RuleRequiredMixin

from .. import permissions, services
from ..filters import NetworkFilterSet
from ..forms.people import AmbassadorTermForm, BriefingForm, InvitationForm
from ..models import Activity, Ambassador, Briefing, Invitation

PAGE_SIZE = 50


def _page(request, queryset, per_page: int = PAGE_SIZE):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


def _refusal(request, error: ValidationError) -> None:
    for text in [m for messages_ in service_error_messages(error).values() for m in messages_]:
        messages.error(request, text)


class StaffMixin(RuleRequiredMixin):
    rule = permissions.can_manage_ambassadors


class NetworkListView(StaffMixin, View):
    """Staff: every ambassador, filtered by country, sector and status, with their last activity
    and leads referred and landed; 50 a page, a fixed number of queries whatever the network's
    size, cached for staff under the ``ambassadors`` data key. A bad filter is a field error (400)."""

    template_name = "ambassadors/network_list.html"

    def get(self, request):
        def filterset_make():
            return NetworkFilterSet(request.GET or None, queryset=Ambassador.objects.for_network_list())

        filterset = filterset_make() if request.GET else SimpleLazyObject(filterset_make)
        valid = filterset.is_valid() if request.GET else True
        context = {
            **page_cache.fragment_context(
                request,
                "ambassador-network",
                data=["ambassadors"],
                audience=page_cache.audience(request.user),
                vary=[page_cache.query_text(request)],
            ),
            "form": SimpleLazyObject(lambda: filterset.form),
            "page_obj": SimpleLazyObject(lambda: _page(request, filterset.qs)),
            "filtered": bool(request.GET) and any(request.GET.get(n) for n in ("country", "sector", "status")),
        }
        return render(request, self.template_name, context, status=200 if valid else 400)


class AmbassadorDetailView(StaffMixin, View):
    """Staff: one ambassador: profile (public or not), term, status with the actions it allows,
    invitations and recent activities."""

    template_name = "ambassadors/ambassador_detail.html"

    def get(self, request, pk: int):
        ambassador = get_object_or_404(Ambassador.objects.for_network_list(), pk=pk)
        context = {
            "ambassador": ambassador,
            "sectors": [row.get_sector_display() for row in ambassador.sectors.all()],
            "invitations": list(ambassador.invitations.select_related("invited_by", "accepted_by")),
            "activities": list(Activity.objects.filter(ambassador=ambassador).for_list()[:20]),
            "moves": [
                (to, Ambassador.Status(to).label)
                for (from_, to) in sorted(services.profiles.STATUS_MOVES)
                if from_ == ambassador.status
            ],
        }
        return render(request, self.template_name, context)


class AmbassadorUpdateView(StaffMixin, View):
    """Staff: the ambassador's name and term dates. Every error at once (400); saved: the
    ambassador's page (post/redirect/get)."""

    template_name = "ambassadors/ambassador_form.html"

    def get(self, request, pk: int):
        ambassador = get_object_or_404(Ambassador, pk=pk)
        form = AmbassadorTermForm(
            initial={
                "full_name": ambassador.full_name,
                "term_starts_on": ambassador.term_starts_on,
                "term_ends_on": ambassador.term_ends_on,
            }
        )
        return self._render(ambassador, form)

    def post(self, request, pk: int):
        ambassador = get_object_or_404(Ambassador, pk=pk)
        form = AmbassadorTermForm(request.POST)
        if not form.is_valid():
            return self._render(ambassador, form, status=400)
        try:
            services.ambassador_term_update(ambassador=ambassador, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(ambassador, form, status=400)
        messages.success(request, f"Saved the changes to {form.cleaned_data['full_name']}.")
        return HttpResponseRedirect(reverse("ambassadors:ambassador-detail", args=[pk]))

    def _render(self, ambassador, form, status: int = 200):
        return render(self.request, self.template_name, {"ambassador": ambassador, "form": form}, status=status)


class AmbassadorStatusView(StaffMixin, View):
    """Staff: pause, resume or retire (POST ``status``); back to the ambassador's page."""

    def post(self, request, pk: int):
        ambassador = get_object_or_404(Ambassador, pk=pk)
        to_status = request.POST.get("status", "")
        if to_status not in Ambassador.Status.values:
            messages.error(request, "Choose pause, resume or retire.")
        else:
            try:
                ambassador = services.ambassador_status_change(
                    ambassador=ambassador, actor=request.user, to_status=to_status
                )
                messages.success(request, f"{ambassador.full_name} is now {ambassador.get_status_display().lower()}.")
            except ValidationError as error:
                _refusal(request, error)
        return HttpResponseRedirect(reverse("ambassadors:ambassador-detail", args=[pk]))


class InvitationListView(StaffMixin, View):
    """Staff: invitations, newest first, with their state and actions (send again, withdraw)."""

    template_name = "ambassadors/invitation_list.html"

    def get(self, request):
        queryset = Invitation.objects.select_related("ambassador", "invited_by")
        return render(request, self.template_name, {"page_obj": _page(request, queryset)})


class InvitationCreateView(StaffMixin, View):
    """Staff: invite someone by name and email. Errors at once (400); sent: the invitation list."""

    template_name = "ambassadors/invitation_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": InvitationForm()})

    def post(self, request):
        form = InvitationForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        try:
            invitation, _ = services.invitation_create(
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                actor=request.user,
                base_url=site_url(),
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return render(request, self.template_name, {"form": form}, status=400)
        messages.success(
            request,
            f"Invited {invitation.ambassador.full_name}: the link is on its way to {invitation.email} "
            f"and works until {invitation.expires_at:%-d %B %Y}.",
        )
        return HttpResponseRedirect(reverse("ambassadors:invitation-list"))


class InvitationResendView(StaffMixin, View):
    """Staff: send an invitation again with a new link (POST); the old link stops working."""

    def post(self, request, pk: int):
        invitation = get_object_or_404(Invitation, pk=pk)
        try:
            invitation, _ = services.invitation_resend(invitation=invitation, actor=request.user, base_url=site_url())
            messages.success(request, f"Sent a new invitation link to {invitation.email}.")
        except ValidationError as error:
            _refusal(request, error)
        return HttpResponseRedirect(reverse("ambassadors:invitation-list"))


class InvitationRevokeView(StaffMixin, View):
    """Staff: withdraw a waiting invitation (POST); its link stops working at once."""

    def post(self, request, pk: int):
        invitation = get_object_or_404(Invitation, pk=pk)
        try:
            services.invitation_revoke(invitation=invitation, actor=request.user)
            messages.success(request, f"Withdrew the invitation to {invitation.email}.")
        except ValidationError as error:
            _refusal(request, error)
        return HttpResponseRedirect(reverse("ambassadors:invitation-list"))


class BriefingManageView(StaffMixin, View):
    """Staff: the briefings published, and the form to publish one. Errors at once (400);
    published: this page again (post/redirect/get)."""

    template_name = "ambassadors/briefing_manage.html"

    def get(self, request):
        return self._render(BriefingForm())

    def post(self, request):
        form = BriefingForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            briefing = services.briefing_publish(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        messages.success(request, f"Published “{briefing.title}”.")
        return HttpResponseRedirect(reverse("ambassadors:briefing-manage"))

    def _render(self, form, status: int = 200):
        page = _page(self.request, Briefing.objects.select_related("published_by"), 20)
        return render(self.request, self.template_name, {"form": form, "page_obj": page}, status=status)


class BriefingDeleteView(StaffMixin, View):
    """Staff: withdraw a briefing and its file (POST)."""

    def post(self, request, pk: int):
        briefing = get_object_or_404(Briefing, pk=pk)
        services.briefing_delete(briefing=briefing, actor=request.user)
        messages.success(request, f"Withdrew “{briefing.title}”.")
        return HttpResponseRedirect(reverse("ambassadors:briefing-manage"))
