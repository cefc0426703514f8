"""Founders' pages: their workspace applications, the five-step form with drafts, check your
answers, submission, the status history, withdrawing and answering an offer.

Every read goes through ``Application.objects.visible_to(user)`` narrowed to the user's own
applications, so another founder's application is the same 404 as a missing one. Every write is
one service call; a ``ValidationError`` it raises is shown on the page, never a 500.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views import View

from .. import permissions, services
from ..exceptions import TransitionNotAllowedError
from ..forms.applications import (
    FIELD_STEP,
    STEP_BY_SLUG,
    STEPS,
    ApplicationWithdrawForm,
    OfferResponseForm,
    Step,
    first_unanswered_step,
    step_initial,
)
from ..models import Application

S = Application.Status
PAGE_SIZE = 25
# The detail page shows the "Application submitted" panel once, straight after submission.
SUBMITTED_SESSION_KEY = "workspaces_application_submitted"

STATUS_TAG_CLASSES = {
    S.DRAFT: "govuk-tag--grey",
    S.SUBMITTED: "",  # the default blue
    S.IN_REVIEW: "govuk-tag--teal",
    S.OFFERED: "govuk-tag--yellow",
    S.ACCEPTED: "govuk-tag--green",
    S.DECLINED: "govuk-tag--grey",
    S.EXPIRED: "govuk-tag--orange",
    S.REJECTED: "govuk-tag--red",
    S.WAITLISTED: "govuk-tag--purple",
    S.WITHDRAWN: "govuk-tag--grey",
}

SUMMARY_KEYS = {
    "company_number": "Companies House number",
    "firm_name": "Firm name",
    "firm_local_authority": "Borough",
    "firm_sector": "Sector",
    "firm_founded_on": "Date of incorporation",
    "firm_website": "Website",
    "team_size": "People in the team",
    "founders": "Founders",
    "team_description": "Who is in the team",
    "workspaces": "Workspaces",
    "desk_type": "Type of desk",
    "desks": "Desks needed",
    "start_on": "Start date",
    "support_needs": "Support you would like",
    "stage": "Stage of the firm",
    "pitch": "Pitch",
    "diversity_consent": "Diversity information",
    "founders_women": "Founders who are women",
    "founders_ethnic_minority": "Founders from an ethnic minority background",
    "founders_disabled": "Founders who are disabled",
}
MULTILINE = {"team_description", "support_needs", "pitch", "workspaces"}
DIVERSITY_COUNTS = ("founders_women", "founders_ethnic_minority", "founders_disabled")


class FounderRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Signed-out users go to the login page; signed-in users who are not founders get 403."""

    def test_func(self) -> bool:
        return permissions.can_apply_for_workspace(self.request.user)


def _own_application(request, pk: int) -> Application:
    """The user's own application, or 404 (whether it is missing or someone else's)."""
    queryset = Application.objects.visible_to(request.user).filter(applicant=request.user).for_list()
    return get_object_or_404(queryset, pk=pk)


def _step_url(application: Application, step: Step, *, from_check: bool = False, anchor: str = "") -> str:
    url = reverse("workspaces:application-step", kwargs={"pk": application.pk, "step": step.slug})
    return url + ("?next=check" if from_check else "") + (f"#{anchor}" if anchor else "")


def _check_url(application: Application) -> str:
    return reverse("workspaces:application-check", kwargs={"pk": application.pk})


def _continue_url(application: Application) -> str:
    """Where a founder picks a draft up: the first step with a gap, or the check page."""
    step = first_unanswered_step(application)
    return _step_url(application, step) if step else _check_url(application)


def _problems(error: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as field -> messages; messages with no field under NON_FIELD_ERRORS."""
    return error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}


def _redirect_to(application: Application) -> HttpResponseRedirect:
    return HttpResponseRedirect(application.get_absolute_url())


# Answers summaries ------------------------------------------------------------------------------


@dataclass
class SummaryRow:
    key: str
    value: str
    multiline: bool = False
    change_url: str = ""


@dataclass
class SummarySection:
    step: Step
    rows: list[SummaryRow] = field(default_factory=list)


def _answer(application: Application, name: str) -> str:
    """One answer as the founder would say it; '' when unanswered."""
    if name == "workspaces":
        return "\n".join(w.name for w in application.workspaces.all())
    if name == "diversity_consent":
        return "Given" if application.diversity_consent else "Not given"
    value = getattr(application, name)
    if value in ("", None):
        return "Prefer not to say" if name in DIVERSITY_COUNTS else ""
    if name in ("firm_local_authority", "firm_sector", "desk_type", "stage"):
        return getattr(application, f"get_{name}_display")()
    if name in ("firm_founded_on", "start_on"):
        return date_format(value, "j F Y")
    return str(value)


def _summary_sections(application: Application, *, with_change: bool) -> list[SummarySection]:
    """The answers step by step; with ``with_change``, each row links to its question and back."""
    sections = []
    for step in STEPS:
        section = SummarySection(step)
        for name in step.fields:
            if name in DIVERSITY_COUNTS and not application.diversity_consent:
                continue
            section.rows.append(
                SummaryRow(
                    key=SUMMARY_KEYS[name],
                    value=_answer(application, name) or "Not answered",
                    multiline=name in MULTILINE,
                    change_url=(
                        _step_url(application, step, from_check=True, anchor=step.form_class.anchor(name))
                        if with_change
                        else ""
                    ),
                )
            )
        sections.append(section)
    return sections


def _answer_error_links(application: Application, problems: dict[str, list[str] | str]) -> list[dict[str, str]]:
    """Error summary entries ({"text", "href"}) from field -> message(s), each linked to its
    question and back to the check page, in the order the questions are asked."""
    order = [name for step in STEPS for name in step.fields]
    links = []
    for name in sorted(problems, key=lambda name: order.index(name) if name in order else len(order)):
        found = problems[name]
        step = FIELD_STEP.get(name)
        href = _step_url(application, step, from_check=True, anchor=step.form_class.anchor(name)) if step else ""
        links.extend({"text": str(message), "href": href} for message in ([found] if isinstance(found, str) else found))
    return links


# The list and starting ----------------------------------------------------------------------


@dataclass
class ApplicationRow:
    application: Application
    tag_class: str
    action_label: str
    action_url: str


def _list_row(application: Application) -> ApplicationRow:
    if application.status == S.DRAFT:
        label, url = "Continue your application", _continue_url(application)
    elif application.status == S.OFFERED:
        label, url = "Respond to your offer", reverse("workspaces:application-respond", args=[application.pk])
    else:
        label, url = "View", application.get_absolute_url()
    return ApplicationRow(application, STATUS_TAG_CLASSES[application.status], label, url)


class ApplicationListView(FounderRequiredMixin, View):
    """Founders: their own applications, newest first, each with what to do next. Paginated, and
    a fixed number of queries whatever the number of applications."""

    template_name = "workspaces/application_list.html"

    def get(self, request):
        applications = Application.objects.visible_to(request.user).filter(applicant=request.user).for_list()
        page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "page": page,
            "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "rows": [_list_row(a) for a in page],
        }
        return render(request, self.template_name, context)


class ApplicationCreateView(FounderRequiredMixin, View):
    """Founders: what the form asks and how drafts work (GET); start a draft (POST)."""

    template_name = "workspaces/application_start.html"

    def get(self, request):
        return render(request, self.template_name, {"steps": STEPS})

    def post(self, request):
        application = services.application_draft_create(applicant=request.user)
        return HttpResponseRedirect(_step_url(application, STEPS[0]))


# The steps and the check page ---------------------------------------------------------------


class ApplicationStepView(FounderRequiredMixin, View):
    """Founders: one step of their own draft. Saves the step through the service and moves on, to
    the check page when they came from it, or to their list with "Save and come back later"
    (which may leave questions unanswered). A submitted application redirects to its page."""

    template_name = "workspaces/application_step.html"

    def get(self, request, pk: int, step: str):
        step_, application = self._load(pk, step)
        if application.status != S.DRAFT:
            return _redirect_to(application)
        form = step_.form_class(initial=step_initial(step_, application))
        return self._render(step_, application, form)

    def post(self, request, pk: int, step: str):
        step_, application = self._load(pk, step)
        if application.status != S.DRAFT:
            messages.info(request, f"{application.reference} has been submitted, so its answers cannot be changed.")
            return _redirect_to(application)
        save_later = "save_later" in request.POST
        form = step_.form_class(request.POST, partial=save_later)
        if not form.is_valid():
            return self._render(step_, application, form, status=400)
        workspaces = list(form.cleaned_data["workspaces"]) if "workspaces" in form.fields else None
        try:
            services.application_draft_update(
                application=application, actor=request.user, data=form.answers, workspaces=workspaces
            )
        except TransitionNotAllowedError as error:
            messages.error(request, " ".join(error.messages))
            return _redirect_to(application)
        except ValidationError as error:
            for name, problems in _problems(error).items():
                form.add_error(name if name in form.fields else None, problems)
            return self._render(step_, application, form, status=400)
        if save_later:
            messages.success(
                request,
                f"Your answers to application {application.reference} are saved. "
                "You can continue it from this page at any time.",
            )
            return HttpResponseRedirect(reverse("workspaces:application-list"))
        index = STEPS.index(step_)
        if self._from_check() or index == len(STEPS) - 1:
            return HttpResponseRedirect(_check_url(application))
        return HttpResponseRedirect(_step_url(application, STEPS[index + 1]))

    def _load(self, pk: int, slug: str) -> tuple[Step, Application]:
        step = STEP_BY_SLUG.get(slug)
        if step is None:
            raise Http404("No such step")
        return step, _own_application(self.request, pk)

    def _from_check(self) -> bool:
        return self.request.GET.get("next") == "check"

    def _render(self, step: Step, application: Application, form, status: int = 200):
        index = STEPS.index(step)
        from_check = self._from_check()
        if from_check:
            back_url = _check_url(application)
        elif index:
            back_url = _step_url(application, STEPS[index - 1])
        else:
            back_url = reverse("workspaces:application-list")
        context = {
            "application": application,
            "step": step,
            "number": index + 1,
            "count": len(STEPS),
            "form": form,
            "from_check": from_check,
            "action_url": _step_url(application, step, from_check=from_check),
            "back_url": back_url,
            "is_last": index == len(STEPS) - 1,
            "fields_template": f"workspaces/partials/application_fields_{step.slug}.html",
        }
        return render(self.request, self.template_name, context, status=status)


class ApplicationCheckView(FounderRequiredMixin, View):
    """Founders: every answer of their own draft with Change links, what is still missing, and the
    submit button. A refused submission shows why, links each problem to its question and
    submits nothing."""

    template_name = "workspaces/application_check.html"

    def get(self, request, pk: int):
        application = _own_application(request, pk)
        if application.status != S.DRAFT:
            return _redirect_to(application)
        missing = services.application_missing_answers(application=application)
        return self._render(application, _answer_error_links(application, missing), refused=False)

    def post(self, request, pk: int):
        application = _own_application(request, pk)
        if application.status != S.DRAFT:
            messages.info(request, f"{application.reference} has already been submitted.")
            return _redirect_to(application)
        try:
            services.application_submit(application=application, actor=request.user)
        except ValidationError as error:
            return self._render(application, _answer_error_links(application, _problems(error)), refused=True)
        request.session[SUBMITTED_SESSION_KEY] = application.pk
        return _redirect_to(application)

    def _render(self, application: Application, errors: list[dict[str, str]], *, refused: bool):
        context = {
            "application": application,
            "sections": _summary_sections(application, with_change=True),
            "errors": errors,
            "refused": refused,
        }
        return render(self.request, self.template_name, context)


# After submission ---------------------------------------------------------------------------


class ApplicationDetailView(LoginRequiredMixin, View):
    """The applicant: the status, their answers, the status history (never reviewers' scores or
    comments), the offer or tenancy and the actions open to them now. Staff and reviewers who
    open someone else's application are sent to its review page."""

    template_name = "workspaces/application_detail.html"

    def get(self, request, pk: int):
        application = get_object_or_404(Application.objects.visible_to(request.user).for_list(), pk=pk)
        if application.applicant_id != request.user.pk:
            if permissions.can_view_review_queue(request.user):
                return HttpResponseRedirect(reverse("workspaces:application-review", args=[application.pk]))
            raise Http404("No such application")
        allowed = services.allowed_transitions(application=application, actor=request.user)
        offer_expired = application.status == S.OFFERED and application.offer_expires_at <= timezone.now()
        context = {
            "application": application,
            "tag_class": STATUS_TAG_CLASSES[application.status],
            "sections": _summary_sections(application, with_change=False),
            "history": list(application.status_changes.all()),
            "offer_expired": offer_expired,
            "can_accept": S.ACCEPTED in allowed and not offer_expired,
            "can_decline": S.DECLINED in allowed,
            "can_withdraw": application.is_open and S.WITHDRAWN in allowed,
            "tenancy": getattr(application, "tenancy", None) if application.status == S.ACCEPTED else None,
            "continue_url": _continue_url(application) if application.status == S.DRAFT else "",
            "just_submitted": request.session.pop(SUBMITTED_SESSION_KEY, None) == application.pk,
        }
        return render(request, self.template_name, context)


class ApplicationWithdrawView(FounderRequiredMixin, View):
    """Founders: confirm withdrawing their own open application, with an optional reason."""

    template_name = "workspaces/application_withdraw.html"

    def get(self, request, pk: int):
        application = _own_application(request, pk)
        if S.WITHDRAWN not in services.allowed_transitions(application=application, actor=request.user):
            messages.info(
                request,
                f"{application.reference} is {application.get_status_display().lower()}, so it cannot be withdrawn.",
            )
            return _redirect_to(application)
        return self._render(application, ApplicationWithdrawForm())

    def post(self, request, pk: int):
        application = _own_application(request, pk)
        form = ApplicationWithdrawForm(request.POST)
        if not form.is_valid():
            return self._render(application, form, status=400)
        try:
            services.application_withdraw(
                application=application, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return _redirect_to(application)
        messages.success(request, f"You have withdrawn application {application.reference}.")
        return _redirect_to(application)

    def _render(self, application: Application, form, status: int = 200):
        return render(self.request, self.template_name, {"application": application, "form": form}, status=status)


class ApplicationRespondView(FounderRequiredMixin, View):
    """Founders: accept or decline the offer on their own application (radios and a button, so it
    works without JavaScript). A refusal (the offer has expired, or was already answered) is
    shown as a message on the page."""

    template_name = "workspaces/application_respond.html"

    def get(self, request, pk: int):
        application = _own_application(request, pk)
        if application.status != S.OFFERED:
            messages.info(request, f"{application.reference} has no offer waiting for your answer.")
            return _redirect_to(application)
        decision = request.GET.get("decision")
        initial = {"decision": decision} if decision in (OfferResponseForm.ACCEPT, OfferResponseForm.DECLINE) else {}
        return self._render(application, OfferResponseForm(initial=initial))

    def post(self, request, pk: int):
        application = _own_application(request, pk)
        form = OfferResponseForm(request.POST)
        if not form.is_valid():
            return self._render(application, form, status=400)
        try:
            if form.cleaned_data["decision"] == OfferResponseForm.ACCEPT:
                tenancy = services.application_accept_offer(application=application, actor=request.user)
                message = (
                    f"You have accepted {tenancy.desks} {tenancy.pool.get_desk_type_display().lower()}"
                    f"{'s' if tenancy.desks != 1 else ''} at {tenancy.pool.workspace.name}, "
                    f"from {date_format(tenancy.start_on, 'j F Y')}."
                )
            else:
                services.application_decline_offer(
                    application=application, actor=request.user, reason=form.cleaned_data["reason"]
                )
                message = f"You have declined the offer on application {application.reference}."
        except ValidationError as error:
            if application.status != S.OFFERED:
                messages.error(request, " ".join(error.messages))
                return _redirect_to(application)
            form.add_error(None, error.messages)
            return self._render(application, form)
        messages.success(request, message)
        return _redirect_to(application)

    def _render(self, application: Application, form, status: int = 200):
        context = {
            "application": application,
            "form": form,
            "offer_expired": application.offer_expires_at is not None
            and application.offer_expires_at <= timezone.now(),
        }
        return render(self.request, self.template_name, context, status=status)
