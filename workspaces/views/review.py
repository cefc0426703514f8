"""The reviewer and staff pages: the review queue (with staff bulk actions), an application's review
page, scoring against the published criteria and staff decisions (offer, turn down, waiting list).

Every application is read through ``Application.objects.visible_to(request.user)``, so another
founder's draft is a 404 here as it is everywhere. Writes go through ``workspaces.services``; what
they refuse is shown on the page as an error, never as a server error.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from portal.forms import form_add_service_errors
from portal.views import RuleRequiredMixin

from .. import permissions, selectors, services
from ..filters import ApplicationFilterSet
from ..forms.review import DECISION_FORMS, ApplicationBulkForm, ReviewForm
from ..models import Application, Review
from ..summaries import application_summary
from ..workdays import working_days_between

PAGE_SIZE = 50


def _error_summary(form, *, shown: bool = True) -> list[dict]:
    """The error summary's entries for a bound form: each message, with a link to its field when
    the field is on the page (templates give a field's first input the field's ``auto_id``)."""
    if form is None or not form.is_bound:
        return []
    entries = [{"text": message, "href": ""} for message in form.non_field_errors()]
    for field in form:
        entries += [{"text": message, "href": f"#{field.auto_id}" if shown else ""} for message in field.errors]
    return entries


# The review queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    application: Application
    working_days: int | None
    decided: bool
    overdue: bool
    scored: bool


def _queue_filters(params: QueryDict, user) -> ApplicationFilterSet:
    data = params.copy()
    if not [status for status in data.getlist("status") if status]:
        data.setlist("status", Application.SCORABLE_STATUSES)
    queryset = Application.objects.visible_to(user).review_queue().for_review_queue()
    filterset = ApplicationFilterSet(data, queryset=queryset)
    fields = filterset.form.fields
    # The queue holds these statuses only; asking for another is a field error.
    fields["status"].choices = [(status.value, status.label) for status in Application.QUEUE_STATUSES]
    fields["status"].label = "Status"
    fields["workspace"].empty_label = "All workspaces"
    fields["desk_type"].empty_label = "Any desk type"
    fields["desk_type"].label = "Desk type"
    fields["submitted_after"].label = "Submitted on or after"
    fields["submitted_before"].label = "Submitted on or before"
    return filterset


def _queue_rows(applications: list[Application], user) -> list[QueueRow]:
    # One query for the whole page: which of these applications this user has scored.
    reviewed = set(
        Review.objects.filter(reviewer=user, application_id__in=[a.pk for a in applications]).values_list(
            "application_id", flat=True
        )
    )
    today = timezone.localdate()
    limit = settings.WORKSPACES_SERVICE_LEVEL_DAYS
    rows = []
    for application in applications:
        decided = application.decided_at is not None
        days = application.decision_working_days if decided else _waiting_days(application, today)
        rows.append(
            QueueRow(
                application=application,
                working_days=days,
                decided=decided,
                overdue=days is not None and days > limit,
                scored=application.pk in reviewed,
            )
        )
    return rows


def _waiting_days(application: Application, today=None) -> int | None:
    """Working days since submission, while no decision has been made (the service level)."""
    if application.submitted_at is None or application.decided_at is not None:
        return None
    return working_days_between(timezone.localdate(application.submitted_at), today or timezone.localdate())


def _status_tabs(counts: dict[str, int], chosen: list[str]) -> list[dict]:
    url = reverse("workspaces:review-queue")
    tabs = [
        {
            "label": "Waiting for a decision",
            "count": sum(counts.get(status, 0) for status in Application.SCORABLE_STATUSES),
            "url": url,
            "active": sorted(chosen) == sorted(Application.SCORABLE_STATUSES),
        }
    ]
    for status in Application.QUEUE_STATUSES:
        tabs.append(
            {
                "label": status.label,
                "count": counts.get(status, 0),
                "url": f"{url}?status={status.value}",
                "active": chosen == [status.value],
            }
        )
    return tabs


def _queue_context(request, params: QueryDict, bulk_form: ApplicationBulkForm | None = None) -> dict:
    user = request.user
    filterset = _queue_filters(params, user)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(params.get("page"))
    rows = _queue_rows(list(page.object_list), user)
    # Bulk actions are decisions, so only those who decide get the checkboxes (as ApplicationBulkView).
    can_bulk = permissions.can_decide_applications(user)
    chosen = list(filterset.form.cleaned_data.get("status", [])) if filterset.form.is_valid() else []
    query = params.copy()
    query.pop("page", None)
    queue_url = reverse("workspaces:review-queue")
    next_url = f"{queue_url}?{params.urlencode()}" if params else queue_url
    page_numbers = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    if can_bulk and bulk_form is None:
        bulk_form = ApplicationBulkForm(queryset=Application.objects.none(), initial={"next": next_url})
    return {
        "filter_form": filterset.form,
        "filter_errors": _error_summary(filterset.form),
        "page_obj": page,
        "rows": rows,
        "tabs": _status_tabs(selectors.application_status_counts(), chosen),
        "page_numbers": list(page_numbers),
        "page_url": f"{queue_url}?{query.urlencode()}&" if query else f"{queue_url}?",
        "can_bulk": can_bulk,
        "bulk_form": bulk_form,
        "bulk_errors": _error_summary(bulk_form, shown=bool(rows)),
        "service_level_days": settings.WORKSPACES_SERVICE_LEVEL_DAYS,
    }


class ReviewQueueView(RuleRequiredMixin, View):
    """Reviewers and staff: applications waiting for a decision (or any queue status), filtered
    and paged, with how long each has waited in working days and whether you have scored it.
    Staff also tick applications for a bulk action."""

    rule = permissions.can_view_review_queue
    template_name = "workspaces/review_queue.html"

    def get(self, request):
        context = _queue_context(request, request.GET)
        # Filters that show errors answer 400, as every form of the portal does.
        return render(request, self.template_name, context, status=400 if context["filter_errors"] else 200)


class ApplicationBulkView(RuleRequiredMixin, View):
    """Staff only: start the review of, waitlist or turn down the ticked applications, through the
    same state machine as one at a time (``services.applications_decide``): a submitted
    application is moved into review first. Turning down is confirmed on a page that lists the
    applications and the reason before anything changes.

    Each application is changed in its own transaction, so one refusal does not undo the others;
    the result names every application that was not changed and why. Errors are a 400.
    """

    rule = permissions.can_decide_applications
    confirm_template_name = "workspaces/application_bulk_confirm.html"

    DONE = {
        "start_review": "moved to in review",
        "waitlist": "put on the waiting list",
        "reject": "turned down",
    }

    def post(self, request):
        form = ApplicationBulkForm(request.POST, queryset=Application.objects.visible_to(request.user))
        next_url = self._next_url(request)
        if not form.is_valid():
            params = QueryDict(urlsplit(next_url).query)
            context = _queue_context(request, params, bulk_form=form)
            return render(request, ReviewQueueView.template_name, context, status=400)
        action = form.cleaned_data["action"]
        applications = form.cleaned_data["applications"]
        if action == "reject" and not form.cleaned_data["confirmed"]:
            context = {
                "applications": applications,
                "reason": form.cleaned_data["reason"],
                "next_url": next_url,
            }
            return render(request, self.confirm_template_name, context)
        changed, refused = services.applications_decide(
            applications=applications, actor=request.user, decision=action, reason=form.cleaned_data["reason"]
        )
        done = self.DONE[action]
        if changed:
            count = len(changed)
            messages.success(request, f"{count} application{'s' if count != 1 else ''} {done}.")
        if refused:
            failures = [self._failure(application, problems) for application, problems in refused]
            count = len(failures)
            messages.error(
                request, f"{count} application{'s were' if count != 1 else ' was'} not changed: {' '.join(failures)}"
            )
        return HttpResponseRedirect(next_url)

    @staticmethod
    def _failure(application: Application, problems: list[str]) -> str:
        text = " ".join(problems)
        return text if text.startswith(application.reference) else f"{application.reference}: {text}"

    @staticmethod
    def _next_url(request) -> str:
        candidate = request.POST.get("next", "")
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return candidate
        return reverse("workspaces:review-queue")


# One application ----------------------------------------------------------------------------


def _application(request, pk: int) -> Application:
    """The application if the user may read it; 404 whether it is missing or not theirs to see."""
    queryset = Application.objects.visible_to(request.user).select_related(
        "organisation", "applicant", "offer_pool__workspace"
    )
    return get_object_or_404(queryset.prefetch_related("workspaces"), pk=pk)


def _decision_label(decision: str) -> str:
    return {"offer": "offered desks", "reject": "turned down", "waitlist": "put on the waiting list"}[decision]


def _render_review(
    request,
    application: Application,
    *,
    review_form: ReviewForm | None = None,
    decision_form=None,
    extra_errors: list[str] = (),
    status: int = 200,
):
    """The review page, optionally with a bound score or decision form that has errors."""
    user = request.user
    can_see_scores = permissions.can_view_scores(user, application)
    reviews = list(selectors.application_reviews(application=application)) if can_see_scores else []
    has_scored = any(review.reviewer_id == user.pk for review in reviews)
    can_score = permissions.can_score_application(user, application) and not has_scored
    if can_score and review_form is None:
        review_form = ReviewForm(criteria=list(selectors.criterion_list()))

    decisions = {}
    can_decide = permissions.can_decide_application(user, application)
    if can_decide:
        allowed = set(services.allowed_transitions(application=application, actor=user))
        for decision, (to_status, form_class) in DECISION_FORMS.items():
            if to_status in allowed:
                bound = decision_form is not None and decision_form.decision == decision
                decisions[decision] = decision_form if bound else form_class(application=application)
    decision_shown = decision_form is not None and decision_form.decision in decisions

    errors = [{"text": text, "href": ""} for text in extra_errors]
    errors += _error_summary(review_form, shown=can_score)
    errors += _error_summary(decision_form, shown=decision_shown)
    context = {
        "application": application,
        "waiting_days": _waiting_days(application),
        "sections": application_summary(application, for_reviewers=True),
        "history": application.status_changes.select_related("actor"),
        "can_see_scores": can_see_scores,
        "reviews": reviews,
        "average": selectors.review_average(reviews=reviews) if can_see_scores else None,
        "has_scored": has_scored,
        "is_applicant": application.applicant_id == user.pk,
        "review_form": review_form if can_score else None,
        "can_decide": can_decide,
        "decisions": decisions,
        "offer_form": decisions.get("offer"),
        "reject_form": decisions.get("reject"),
        "waitlist_form": decisions.get("waitlist"),
        "errors": errors,
    }
    return render(request, "workspaces/application_review.html", context, status=status)


class ApplicationReviewView(RuleRequiredMixin, View):
    """Reviewers and staff: an application's answers, status history and reviews; the score form
    for a reviewer who has not scored it yet; and, for staff, the decisions allowed now."""

    rule = permissions.can_view_review_queue

    def get(self, request, pk: int):
        return _render_review(request, _application(request, pk))


class ReviewCreateView(RuleRequiredMixin, View):
    """Reviewers and staff (never the applicant) score an application once against every active
    criterion. Errors re-show the review page; a second score is refused and nothing is written."""

    rule = permissions.can_view_review_queue

    def post(self, request, pk: int):
        application = _application(request, pk)
        if not permissions.can_score_application(request.user, application):
            if application.status in Application.SCORABLE_STATUSES:
                raise PermissionDenied("You cannot score your own application.")
            # Decided since the page was loaded: say why before asking about the form's fields.
            state = application.get_status_display().lower()
            message = f"{application.reference} is {state}; only applications waiting for a decision are scored."
            return _render_review(request, application, extra_errors=[message], status=400)
        form = ReviewForm(request.POST, criteria=list(selectors.criterion_list()))
        if not form.is_valid():
            return _render_review(request, application, review_form=form, status=400)
        try:
            services.review_create(
                application=application,
                reviewer=request.user,
                scores=form.scores(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
            application = _application(request, pk)
            return _render_review(request, application, review_form=form, status=400)
        messages.success(request, f"Your scores for {application.reference} are saved.")
        return HttpResponseRedirect(reverse("workspaces:application-review", args=[application.pk]))


class ApplicationDecideView(RuleRequiredMixin, View):
    """Staff only (never on their own application): offer desks, turn down with a reason sent to
    the applicant, or put on the waiting list. Reviewers get 403. A decision that is not allowed
    now, or desks that are no longer free, are shown as errors and nothing changes."""

    # Reviewers read the application first, so one they may not see is a 404 for them too.
    rule = permissions.can_view_review_queue

    def post(self, request, pk: int):
        application = _application(request, pk)
        if not permissions.can_decide_application(request.user, application):
            raise PermissionDenied("Only staff decide applications.")
        decision = request.POST.get("decision", "")
        if decision not in DECISION_FORMS:
            return _render_review(
                request, application, extra_errors=["Choose to offer, turn down or waitlist."], status=400
            )
        to_status, form_class = DECISION_FORMS[decision]
        form = form_class(request.POST, application=application)
        allowed = services.allowed_transitions(application=application, actor=request.user)
        if to_status not in allowed:
            # The page was out of date: say why before asking about the form's fields.
            state = application.get_status_display().lower()
            message = f"{application.reference} is {state}, so it cannot be {_decision_label(decision)}."
            return _render_review(request, application, extra_errors=[message], status=400)
        if not form.is_valid():
            return _render_review(request, application, decision_form=form, status=400)
        try:
            application = self._decide(decision, application, request.user, form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
            return _render_review(request, _application(request, pk), decision_form=form, status=400)
        messages.success(request, self._done(decision, application))
        return HttpResponseRedirect(reverse("workspaces:application-review", args=[application.pk]))

    @staticmethod
    def _decide(decision: str, application: Application, actor, data: dict) -> Application:
        if decision == "offer":
            return services.application_offer(
                application=application,
                actor=actor,
                pool=data["pool"],
                desks=data["desks"],
                expires_in_days=data["expires_in_days"],
                reason=data["reason"],
            )
        if decision == "reject":
            return services.application_reject(application=application, actor=actor, reason=data["reason"])
        return services.application_waitlist(application=application, actor=actor, reason=data["reason"])

    @staticmethod
    def _done(decision: str, application: Application) -> str:
        ref = application.reference
        if decision == "offer":
            expires = date_format(timezone.localtime(application.offer_expires_at), "j F Y")
            return (
                f"{ref} was offered {application.offer_desks} desk{'s' if application.offer_desks != 1 else ''} "
                f"at {application.offer_pool.workspace.name}, held until {expires}. "
                "The applicant has been emailed."
            )
        if decision == "reject":
            return f"{ref} was turned down. The applicant has been emailed the reason."
        return f"{ref} is on the waiting list. The applicant has been emailed."


__all__ = [
    "ApplicationBulkView",
    "ApplicationDecideView",
    "ApplicationReviewView",
    "ReviewCreateView",
    "ReviewQueueView",
]
