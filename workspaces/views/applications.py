"""Founders' pages: their workspace applications, the five-step form with drafts, check your
answers, submission, the status history, withdrawing and answering an offer.

Every read goes through ``Application.objects.visible_to(user)`` narrowed to the user's own
applications, so another founder's application is the same 404 as a missing one. Every write is
one service call; a ``ValidationError`` it raises is shown on the page, never a 500.
"""

from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.views import View

from portal.forms import form_add_service_errors, service_error_messages
from portal.views import RuleRequiredMixin

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
from ..summaries import application_summary

S = Application.Status
PAGE_SIZE = 25
# The detail page shows the "Application submitted" panel once, straight after submission.
SUBMITTED_SESSION_KEY = "workspaces_application_submitted"


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


def _redirect_to(application: Application) -> HttpResponseRedirect:
    return HttpResponseRedirect(application.get_absolute_url())


def _change_url(application: Application, name: str) -> str:
    """The question ``name`` on its step, coming back to the check page."""
    step = FIELD_STEP[name]
    return _step_url(application, step, from_check=True, anchor=step.form_class.anchor(name))


def _answer_error_links(application: Application, problems: dict[str, list[str] | str]) -> list[dict[str, str]]:
    """Error summary entries ({"text", "href"}) from field -> message(s), each linked to its
    question and back to the check page, in the order the questions are asked."""
    order = [name for step in STEPS for name in step.fields]
    links = []
    for name in sorted(problems, key=lambda name: order.index(name) if name in order else len(order)):
        found = problems[name]
        href = _change_url(application, name) if name in FIELD_STEP else ""
        links.extend({"text": str(message), "href": href} for message in ([found] if isinstance(found, str) else found))
    return links


# The list and starting ----------------------------------------------------------------------


@dataclass
class ApplicationRow:
    application: Application
    action_label: str
    action_url: str


def _list_row(application: Application) -> ApplicationRow:
    if application.status == S.DRAFT:
        label, url = "Continue your application", _continue_url(application)
    elif application.status == S.OFFERED:
        label, url = "Respond to your offer", reverse("workspaces:application-respond", args=[application.pk])
    else:
        label, url = "View", application.get_absolute_url()
    return ApplicationRow(application, label, url)


class ApplicationListView(RuleRequiredMixin, View):
    """Founders: their own applications, newest first, each with what to do next. Paginated, and
    a fixed number of queries whatever the number of applications."""

    rule = permissions.can_apply_for_workspace
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


class ApplicationCreateView(RuleRequiredMixin, View):
    """Founders: what the form asks and how drafts work (GET); start a draft (POST)."""

    rule = permissions.can_apply_for_workspace
    template_name = "workspaces/application_start.html"

    def get(self, request):
        return render(request, self.template_name, {"steps": STEPS})

    def post(self, request):
        application = services.application_draft_create(applicant=request.user)
        return HttpResponseRedirect(_step_url(application, STEPS[0]))


# The steps and the check page ---------------------------------------------------------------


class ApplicationStepView(RuleRequiredMixin, View):
    """Founders: one step of their own draft. Saves the step through the service and moves on, to
    the check page when they came from it, or to their list with "Save and come back later"
    (which may leave questions unanswered). A submitted application redirects to its page."""

    rule = permissions.can_apply_for_workspace
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
            form_add_service_errors(form, error)
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


class ApplicationCheckView(RuleRequiredMixin, View):
    """Founders: every answer of their own draft with Change links, what is still missing, and the
    submit button. A refused submission shows why, links each problem to its question and
    submits nothing."""

    rule = permissions.can_apply_for_workspace
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
            errors = _answer_error_links(application, service_error_messages(error))
            return self._render(application, errors, refused=True, status=400)
        request.session[SUBMITTED_SESSION_KEY] = application.pk
        return _redirect_to(application)

    def _render(self, application: Application, errors: list[dict[str, str]], *, refused: bool, status: int = 200):
        context = {
            "application": application,
            "sections": application_summary(application, change_url=partial(_change_url, application)),
            "errors": errors,
            "refused": refused,
        }
        return render(self.request, self.template_name, context, status=status)


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
        context = {
            "application": application,
            "sections": application_summary(application),
            "history": list(application.status_changes.all()),
            "can_accept": S.ACCEPTED in allowed,
            "can_decline": S.DECLINED in allowed,
            "can_withdraw": S.WITHDRAWN in allowed,
            "tenancy": getattr(application, "tenancy", None) if application.status == S.ACCEPTED else None,
            "continue_url": _continue_url(application) if application.status == S.DRAFT else "",
            "just_submitted": request.session.pop(SUBMITTED_SESSION_KEY, None) == application.pk,
        }
        return render(request, self.template_name, context)


class ApplicationWithdrawView(RuleRequiredMixin, View):
    """Founders: confirm withdrawing their own open application, with an optional reason."""

    rule = permissions.can_apply_for_workspace
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


class ApplicationRespondView(RuleRequiredMixin, View):
    """Founders: accept or decline the offer on their own application (radios and a button, so it
    works without JavaScript). A refusal (the offer has expired, or was already answered) is
    shown as a message on the page."""

    rule = permissions.can_apply_for_workspace
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
            form_add_service_errors(form, error)
            return self._render(application, form, status=400)
        messages.success(request, message)
        return _redirect_to(application)

    def _render(self, application: Application, form, status: int = 200):
        context = {"application": application, "form": form}
        return render(self.request, self.template_name, context, status=status)
