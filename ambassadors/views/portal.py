"""The ambassador portal under /ambassadors/ (MFA; ambassadors who accepted and are not retired):
home, profile, activities and briefings; and the invitation page anyone with a link opens."""

from pathlib import PurePath

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from portal.forms import form_add_service_errors
from portal.models import User
from portal.views import RuleRequiredMixin

from .. import permissions, services
from ..forms.people import ActivityForm, ProfileForm
from ..models import Activity, Briefing, Lead
from ..querysets import ACTIVE_WITHIN_DAYS
from ..signup import SESSION_KEY

PAGE_SIZE = 50


def _page(request, queryset, per_page: int = PAGE_SIZE):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.page_range = list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page


class AmbassadorPortalMixin(RuleRequiredMixin):
    """Ambassadors who accepted their invitation and are not retired; ``self.ambassador`` is theirs."""

    rule = permissions.can_use_ambassador_portal

    def dispatch(self, request, *args, **kwargs):
        self.ambassador = permissions.ambassador_of(request.user)
        return super().dispatch(request, *args, **kwargs)


class AmbassadorActMixin(AmbassadorPortalMixin):
    """Active ambassadors only: a paused one reads the portal but logs and changes nothing (403)."""

    rule = permissions.can_act_as_ambassador


class HomeView(AmbassadorPortalMixin, View):
    """The ambassador's home, where they land after signing in: their profile at a glance, what
    to do next, their recent activities and the latest briefings addressed to them."""

    template_name = "ambassadors/home.html"

    def get(self, request):
        ambassador = self.ambassador
        today = timezone.localdate()
        activities = Activity.objects.filter(ambassador=ambassador)
        recent = list(activities.for_list()[:5])
        since = today - timezone.timedelta(days=ACTIVE_WITHIN_DAYS)
        leads = Lead.objects.filter(referred_by=ambassador)
        context = {
            "ambassador": ambassador,
            "sectors": [row.get_sector_display() for row in ambassador.sectors.all()],
            "profile_complete": bool(ambassador.country) and ambassador.sectors.exists(),
            "recent_activities": recent,
            "activities_recent_count": activities.filter(occurred_on__gt=since).count(),
            "activities_count": activities.count(),
            "leads_count": leads.count(),
            "leads_landed_count": leads.filter(stage=Lead.Stage.LANDED).count(),
            "briefings": list(Briefing.objects.visible_to(request.user)[:3]),
            "active_within_days": ACTIVE_WITHIN_DAYS,
            "can_act": permissions.can_act_as_ambassador(request.user),
        }
        return render(request, self.template_name, context)


class ProfileEditView(AmbassadorActMixin, View):
    """The ambassador edits their own profile; consent to a public profile is theirs to give or
    withdraw. Errors: every one at once, 400. Saved: back to the home page (post/redirect/get)."""

    template_name = "ambassadors/profile_form.html"

    def get(self, request):
        return self._render(ProfileForm.for_ambassador(self.ambassador))

    def post(self, request):
        form = ProfileForm.for_ambassador(self.ambassador, request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            services.ambassador_profile_update(
                ambassador=self.ambassador,
                actor=request.user,
                data=form.profile_data(),
                sectors=form.cleaned_data["sectors"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        messages.success(request, "Your profile has been saved.")
        return HttpResponseRedirect(reverse("ambassadors:home"))

    def _render(self, form, status: int = 200):
        return render(self.request, self.template_name, {"form": form, "ambassador": self.ambassador}, status=status)


class ActivityListView(AmbassadorPortalMixin, View):
    """The ambassador's own activities, newest first, 50 a page."""

    template_name = "ambassadors/activity_list.html"

    def get(self, request):
        queryset = Activity.objects.visible_to(request.user).filter(ambassador=self.ambassador).for_list()
        context = {
            "page_obj": _page(request, queryset),
            "can_act": permissions.can_act_as_ambassador(request.user),
        }
        return render(request, self.template_name, context)


class ActivityFormMixin(AmbassadorActMixin):
    template_name = "ambassadors/activity_form.html"
    activity: Activity | None = None

    def load(self, **kwargs) -> Activity | None:
        return None

    def get(self, request, **kwargs):
        self.activity = self.load(**kwargs)
        return self._render(ActivityForm(ambassador=self.ambassador, activity=self.activity))

    def post(self, request, **kwargs):
        self.activity = self.load(**kwargs)
        form = ActivityForm(request.POST, ambassador=self.ambassador, activity=self.activity)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            if self.activity is None:
                activity = services.activity_create(
                    ambassador=self.ambassador, actor=request.user, data=form.activity_data()
                )
                messages.success(request, f"Logged your {activity.get_kind_display().lower()} activity.")
            else:
                activity = services.activity_update(
                    activity=self.activity, actor=request.user, data=form.activity_data()
                )
                messages.success(request, f"Saved the changes to your {activity.get_kind_display().lower()} activity.")
        except ValidationError as error:
            form_add_service_errors(form, error)
            return self._render(form, status=400)
        return HttpResponseRedirect(reverse("ambassadors:activity-list"))

    def _render(self, form, status: int = 200):
        context = {"form": form, "activity": self.activity, "has_leads": form.fields["lead"].queryset.exists()}
        return render(self.request, self.template_name, context, status=status)


class ActivityCreateView(ActivityFormMixin, View):
    """Log an activity."""


class ActivityUpdateView(ActivityFormMixin, View):
    """Change one of your own activities; anyone else's is a 404."""

    def load(self, *, pk: int) -> Activity:
        return get_object_or_404(
            Activity.objects.visible_to(self.request.user).filter(ambassador=self.ambassador).for_list(), pk=pk
        )


class BriefingListView(RuleRequiredMixin, View):
    """The briefings addressed to this ambassador (staff: every briefing), newest first."""

    rule = permissions.can_read_briefings
    template_name = "ambassadors/briefing_list.html"

    def get(self, request):
        page = _page(request, Briefing.objects.visible_to(request.user), 20)
        return render(request, self.template_name, {"page_obj": page})


class BriefingDetailView(RuleRequiredMixin, View):
    """One briefing; one not addressed to this ambassador is a 404."""

    rule = permissions.can_read_briefings
    template_name = "ambassadors/briefing_detail.html"

    def get(self, request, pk: int):
        briefing = get_object_or_404(Briefing.objects.visible_to(request.user), pk=pk)
        file_name = PurePath(briefing.file.name).name if briefing.file else ""
        return render(request, self.template_name, {"briefing": briefing, "file_name": file_name})


class BriefingFileView(RuleRequiredMixin, View):
    """A briefing's file, as a download, only to those who may read the briefing (never from a
    public address: files are not under any URL the web server serves)."""

    rule = permissions.can_read_briefings

    def get(self, request, pk: int):
        briefing = get_object_or_404(Briefing.objects.visible_to(request.user).exclude(file=""), pk=pk)
        try:
            handle = briefing.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing.") from None
        response = FileResponse(handle, as_attachment=True, filename=PurePath(briefing.file.name).name)
        response["Cache-Control"] = "private, no-store"
        return response


class InvitationAcceptView(View):
    """The page an invitation's link opens, for anyone holding it.

    - A link that cannot be used (unknown 404; expired, withdrawn or used 410) says why and what to
      do; nothing is created.
    - Signed out, with no account for the invited address: the sign-up page comes next; the address
      counts as verified (the link reached it), so no second verification email is sent, and the
      new account becomes the ambassador (``portal.adapters.AccountAdapter.save_user``).
    - Signed out, and the address has an account: sign in, and come back here to accept.
    - Signed in with the invited address: a button accepts (POST, then the ambassador's home).
    """

    template_name = "ambassadors/invitation_accept.html"

    def get(self, request, token: str):
        try:
            invitation = services.invitation_check(token=token)
        except services.InvitationUnusableError as error:
            return self._unusable(error)
        user = request.user
        context = {"invitation": invitation, "token": token}
        if user.is_authenticated:
            if user.email.lower() != invitation.email.lower():
                return self._unusable(services.InvitationUnusableError("other_address"))
            if permissions.ambassador_of(user) is not None:
                return self._unusable(services.InvitationUnusableError("already_ambassador"))
            return render(request, self.template_name, {**context, "step": "accept"})
        if User.objects.filter(email__iexact=invitation.email).exists():
            login = reverse("account_login") + "?next=" + reverse("ambassadors:invitation-accept", args=[token])
            return render(request, self.template_name, {**context, "step": "sign-in", "login_url": login})
        request.session[SESSION_KEY] = token
        get_adapter(request).stash_verified_email(request, invitation.email)
        return render(request, self.template_name, {**context, "step": "sign-up"})

    def post(self, request, token: str):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(reverse("ambassadors:invitation-accept", args=[token]))
        try:
            ambassador = services.invitation_accept(token=token, user=request.user)
        except services.InvitationUnusableError as error:
            return self._unusable(error)
        messages.success(request, f"Welcome to the network, {ambassador.full_name}. Complete your profile below.")
        return HttpResponseRedirect(reverse("ambassadors:profile-edit"))

    def _unusable(self, error: services.InvitationUnusableError):
        status = {"unknown": 404, "other_address": 403, "already_ambassador": 403}.get(error.reason, 410)
        context = {"step": "unusable", "reason": error.reason, "message": error.message}
        return render(self.request, self.template_name, context, status=status)
