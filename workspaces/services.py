"""Writes of the workspaces app: the catalogue, drafts, the application state machine, reviews,
offers, tenancies and the waiting list. Views, the API, admin actions and tasks call these only.

The state machine (SPEC §3) is ``TRANSITIONS``: each allowed (from, to) pair names the capacities
that may take it. Every transition locks the application row, is recorded as a ``StatusChange``
with who, when and why, and, for a decision, emails the applicant after commit. The change row is
the record that the email is owed: with the broker down the change still happens and
``application_notifications_send_owed`` sends the email once the broker is back.

Desks are held by a conditional update of ``DeskPool.allocated`` (``allocated + n <= capacity``),
backed by a check constraint, so the last desk is offered once however many staff press the button.
"""

import datetime
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from portal.jobs import job_enqueue_owed
from portal.models import Organisation, User
from portal.page_cache import data_version_bump
from portal.roles import Role, user_has_role
from portal.services import organisation_find_or_create
from portal.site_url import site_url
from portal.validators import company_number_normalise, validate_company_number, validate_web_address

from .exceptions import CapacityExceededError, TransitionNotAllowedError
from .models import Application, Criterion, DeskPool, DeskType, Review, Score, StatusChange, Tenancy, Workspace
from .permissions import APPLICANT, REVIEWER, STAFF, SYSTEM, application_capacities
from .selectors import tenancy_dates
from .workdays import working_days_between

logger = logging.getLogger(__name__)

S = Application.Status

TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.SUBMITTED): frozenset({APPLICANT}),
    (S.SUBMITTED, S.IN_REVIEW): frozenset({REVIEWER, STAFF}),
    (S.IN_REVIEW, S.OFFERED): frozenset({STAFF}),
    (S.IN_REVIEW, S.REJECTED): frozenset({STAFF}),
    (S.IN_REVIEW, S.WAITLISTED): frozenset({STAFF}),
    (S.WAITLISTED, S.OFFERED): frozenset({STAFF, SYSTEM}),
    (S.OFFERED, S.ACCEPTED): frozenset({APPLICANT}),
    (S.OFFERED, S.DECLINED): frozenset({APPLICANT}),
    (S.OFFERED, S.EXPIRED): frozenset({SYSTEM}),
    **{(status, S.WITHDRAWN): frozenset({APPLICANT}) for status in Application.OPEN_STATUSES},
}
# Decisions the applicant is emailed about (their own actions get a confirmation too).
NOTIFIED = {S.SUBMITTED, S.OFFERED, S.REJECTED, S.WAITLISTED, S.EXPIRED, S.ACCEPTED, S.DECLINED, S.WITHDRAWN}

DRAFT_FIELDS = {
    "company_number",
    "firm_name",
    "firm_local_authority",
    "firm_sector",
    "firm_founded_on",
    "firm_website",
    "team_size",
    "founders",
    "team_description",
    "desk_type",
    "desks",
    "start_on",
    "support_needs",
    "stage",
    "pitch",
    "diversity_consent",
    "founders_women",
    "founders_ethnic_minority",
    "founders_disabled",
}
REQUIRED_TO_SUBMIT = {
    "company_number": "Enter the firm's Companies House number",
    "firm_name": "Enter the firm's name",
    "firm_local_authority": "Select the borough the firm is based in",
    "team_size": "Enter how many people are in the team",
    "founders": "Enter how many founders the firm has",
    "team_description": "Tell us who is in the team",
    "desk_type": "Select the type of desk you need",
    "desks": "Enter how many desks you need",
    "start_on": "Enter the date you want to start",
    "stage": "Select the firm's stage",
    "pitch": "Tell us about the firm and why it needs workspace",
    "workspaces": "Select at least one workspace",
}
# The workspace fields staff set, in the order the workspace form asks them.
WORKSPACE_FIELDS = (
    "provider",
    "name",
    "summary",
    "address",
    "postcode",
    "local_authority",
    "subsidy",
    "eligibility",
    "accessibility",
    "accepting_applications",
)


# The state machine -------------------------------------------------------------------------


def allowed_transitions(*, application: Application, actor: User | None) -> list[str]:
    """Statuses ``actor`` may move ``application`` to now (for showing only the actions that work)."""
    capacities = application_capacities(actor, application)
    allowed = [to for (frm, to), who in TRANSITIONS.items() if frm == application.status and who & capacities]
    if application.offer_has_expired:  # the job has not run yet, but the offer can no longer be taken
        allowed = [to for to in allowed if to != S.ACCEPTED]
    return allowed


def _lock(application: Application) -> Application:
    """Re-read the application under a row lock; every transition starts here."""
    return Application.objects.select_for_update().get(pk=application.pk)


def _check_transition(application: Application, *, to: str, actor: User | None) -> None:
    """Raise TransitionNotAllowedError when the state machine has no (status, ``to``) step, and
    PermissionDenied when ``actor`` holds none of the capacities that may take it."""
    allowed = TRANSITIONS.get((application.status, to))
    if allowed is None:
        raise TransitionNotAllowedError(
            f"{application.reference} is {application.get_status_display().lower()}, so it cannot be "
            f"moved to {S(to).label.lower()}.",
            code="transition_not_allowed",
        )
    if not allowed & application_capacities(actor, application):
        raise PermissionDenied(f"You may not move an application to {S(to).label.lower()}.")


def _transition(
    application: Application, *, to: str, actor: User | None, reason: str = "", extra_fields: Iterable[str] = ()
) -> StatusChange:
    """Move a locked application to ``to``, or raise. Records the change and queues the email."""
    _check_transition(application, to=to, actor=actor)
    frm = application.status
    application.status = to
    application.save(update_fields=["status", "updated_at", *extra_fields])
    change = StatusChange.objects.create(
        application=application, from_status=frm, to_status=to, actor=actor, reason=reason.strip()
    )
    if to in NOTIFIED:
        from .tasks import application_notify

        # The link's address is taken now: the worker that sends the email has no request.
        job_enqueue_owed(application_notify, change.pk, site_url())
    return change


def _require_reason(reason: str, message: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": message})
    return reason.strip()


# Drafts and submission ----------------------------------------------------------------------


@transaction.atomic
def application_draft_create(*, applicant: User) -> Application:
    """Start an empty draft for a founder. Raises PermissionDenied for anyone who is not a founder."""
    if not user_has_role(applicant, Role.FOUNDER):
        raise PermissionDenied("Only founders apply for workspace.")
    application = Application.objects.create(applicant=applicant)
    StatusChange.objects.create(
        application=application, from_status="", to_status=S.DRAFT, actor=applicant, reason="Draft started"
    )
    return application


@transaction.atomic
def application_draft_update(
    *, application: Application, actor: User, data: dict, workspaces: Iterable[Workspace] | None = None
) -> Application:
    """Save one step's answers on a draft. Only the applicant, only while it is a draft.

    ``data`` holds some of ``DRAFT_FIELDS``; each is validated (ValidationError keyed by field) and
    nothing is saved when any is wrong. Diversity answers are cleared when consent is withdrawn.
    """
    application = _lock(application)
    if actor.pk != application.applicant_id:
        raise PermissionDenied("Only the applicant changes their application.")
    if application.status != S.DRAFT:
        raise TransitionNotAllowedError("Only a draft can be changed; this application has been submitted.")
    unknown = set(data) - DRAFT_FIELDS
    if unknown:
        raise ValueError(f"Unknown application fields: {sorted(unknown)}")
    for field, value in data.items():
        setattr(application, field, value)
    if "company_number" in data:
        application.company_number = company_number_normalise(application.company_number)
        if application.company_number:
            try:
                validate_company_number(application.company_number)
            except ValidationError as exc:
                raise ValidationError({"company_number": exc.messages}) from exc
    if application.firm_website:
        try:
            validate_web_address(application.firm_website)
        except ValidationError as exc:
            raise ValidationError({"firm_website": exc.messages}) from exc
    if not application.diversity_consent:
        application.founders_women = application.founders_ethnic_minority = application.founders_disabled = None
    changed = set(data) | {"founders_women", "founders_ethnic_minority", "founders_disabled"}
    application.full_clean(exclude=[f.name for f in Application._meta.fields if f.name not in changed])
    errors = _answer_errors(application)
    if errors:
        raise ValidationError(errors)
    application.save(update_fields=[*sorted(changed), "updated_at"])
    if workspaces is not None:
        chosen = list(workspaces)
        closed = [w.name for w in chosen if not w.accepting_applications]
        if closed:
            raise ValidationError({"workspaces": f"{', '.join(closed)} is not taking applications."})
        application.workspaces.set(chosen)
    return application


def _team_errors(application: Application) -> dict:
    if application.team_size and application.founders and application.founders > application.team_size:
        return {"founders": "There cannot be more founders than people in the team"}
    return {}


def _answer_errors(application: Application) -> dict:
    errors = _team_errors(application)
    if application.founders is not None:
        for field in ("founders_women", "founders_ethnic_minority", "founders_disabled"):
            value = getattr(application, field)
            if value is not None and value > application.founders:
                errors[field] = f"This cannot be more than the {application.founders} founders you told us about."
    return errors


def application_missing_answers(*, application: Application) -> dict[str, str]:
    """The questions still unanswered, field -> message; empty when the draft can be submitted."""
    missing = {
        field: message
        for field, message in REQUIRED_TO_SUBMIT.items()
        if field != "workspaces" and getattr(application, field) in ("", None)
    }
    if not application.workspaces.exists():
        missing["workspaces"] = REQUIRED_TO_SUBMIT["workspaces"]
    if application.start_on and application.start_on < timezone.localdate():
        missing["start_on"] = "The start date must be today or in the future"
    missing.update(_team_errors(application))
    return missing


@transaction.atomic
def application_submit(*, application: Application, actor: User) -> Application:
    """Submit a complete draft. The firm is found in the registry by its Companies House number
    or created there (the founder becomes its member). Raises ValidationError naming every
    unanswered question, TransitionNotAllowedError when it is not a draft."""
    application = _lock(application)
    _check_transition(application, to=S.SUBMITTED, actor=actor)
    missing = application_missing_answers(application=application)
    closed = list(application.workspaces.filter(accepting_applications=False).values_list("name", flat=True))
    if closed:
        missing["workspaces"] = f"{', '.join(closed)} is no longer taking applications; choose another"
    if missing:
        raise ValidationError(missing)
    organisation, _ = organisation_find_or_create(
        company_number=application.company_number,
        data={
            "name": application.firm_name,
            "kind": Organisation.Kind.FIRM,
            "local_authority": application.firm_local_authority,
            "sector": application.firm_sector,
            "founded_on": application.firm_founded_on,
            "website": application.firm_website,
            "is_tech": application.firm_sector != "non_tech",
        },
        member=actor,
    )
    application.organisation = organisation
    application.submitted_at = timezone.now()
    _transition(application, to=S.SUBMITTED, actor=actor, extra_fields=["organisation", "submitted_at"])
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor: User, reason: str = "") -> Application:
    """The applicant withdraws an open application; an offer's desks go to the waiting list."""
    application = _lock(application)
    was_offered = application.status == S.OFFERED
    _transition(application, to=S.WITHDRAWN, actor=actor, reason=reason)
    if was_offered:
        _release_offer(application)
    return application


# Review and decisions -----------------------------------------------------------------------


@transaction.atomic
def application_review_start(*, application: Application, actor: User, reason: str = "") -> Application:
    """Move a submitted application into review (staff, or a reviewer)."""
    application = _lock(application)
    _transition(application, to=S.IN_REVIEW, actor=actor, reason=reason)
    return application


@transaction.atomic
def review_create(*, application: Application, reviewer: User, scores: dict[int, int], comment: str) -> Review:
    """Record one reviewer's scores (criterion id -> 0..5, every active criterion) and comment.

    Each reviewer scores an application once (constraint); scoring a submitted application starts
    its review. Raises PermissionDenied for anyone but reviewers and staff, and for the applicant.
    """
    application = _lock(application)
    if not application_capacities(reviewer, application) & {REVIEWER, STAFF}:
        raise PermissionDenied("Only reviewers and staff score applications.")
    if application.status not in Application.SCORABLE_STATUSES:
        raise TransitionNotAllowedError(
            f"{application.reference} is {application.get_status_display().lower()}; only applications "
            "waiting for a decision are scored."
        )
    criteria = list(Criterion.objects.filter(is_active=True))
    errors = {}
    for criterion in criteria:
        value = scores.get(criterion.pk)
        if value is None or not 0 <= value <= Score.MAXIMUM:
            errors[f"criterion_{criterion.pk}"] = f"Score {criterion.name} from 0 to {Score.MAXIMUM}"
    if not (comment or "").strip():
        errors["comment"] = "Enter a comment explaining your scores"
    if errors:
        raise ValidationError(errors)
    review = Review(
        application=application,
        reviewer=reviewer,
        comment=comment.strip(),
        total=sum(scores[c.pk] * c.weight for c in criteria),
        maximum=sum(Score.MAXIMUM * c.weight for c in criteria),
    )
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as exc:
        raise ValidationError({"comment": "You have already scored this application."}) from exc
    Score.objects.bulk_create(Score(review=review, criterion=c, value=scores[c.pk]) for c in criteria)
    if application.status == S.SUBMITTED:
        _transition(application, to=S.IN_REVIEW, actor=reviewer, reason="First score recorded")
    return review


def _record_decision(application: Application) -> list[str]:
    """Stamp the first decision's time and its working days from submission (the service level)."""
    if application.decided_at is not None:
        return []
    application.decided_at = timezone.now()
    application.decision_working_days = working_days_between(
        timezone.localdate(application.submitted_at), timezone.localdate(application.decided_at)
    )
    return ["decided_at", "decision_working_days"]


def _hold_desks(pool: DeskPool, desks: int) -> None:
    """Take ``desks`` from the pool in one conditional update, or raise CapacityExceededError."""
    held = DeskPool.objects.filter(pk=pool.pk, allocated__lte=F("capacity") - desks).update(
        allocated=F("allocated") + desks
    )
    if not held:
        pool.refresh_from_db(fields=["capacity", "allocated"])
        raise CapacityExceededError(
            f"{pool.workspace.name} has {pool.available} {pool.get_desk_type_display().lower()}s free, "
            f"so {desks} cannot be offered. Nothing was changed.",
            code="capacity_exceeded",
        )


def _release_desks(pool_id: int, desks: int) -> None:
    DeskPool.objects.filter(pk=pool_id).update(allocated=F("allocated") - desks)


def _offer(
    application: Application, *, pool: DeskPool, desks: int, actor: User | None, reason: str, expires_in_days: int
) -> Application:
    # Check the transition before holding desks, so a refused transition holds nothing.
    _check_transition(application, to=S.OFFERED, actor=actor)
    if pool.workspace_id not in set(application.workspaces.values_list("pk", flat=True)):
        raise ValidationError({"pool": f"The applicant did not ask for {pool.workspace.name}."})
    if pool.desk_type != application.desk_type:
        raise ValidationError({"pool": f"The applicant asked for {DeskType(application.desk_type).label.lower()}s."})
    if desks < 1:
        raise ValidationError({"desks": "Offer at least one desk."})
    _hold_desks(pool, desks)
    application.offer_pool = pool
    application.offer_desks = desks
    application.offer_expires_at = timezone.now() + datetime.timedelta(days=expires_in_days)
    fields = ["offer_pool", "offer_desks", "offer_expires_at", *_record_decision(application)]
    _transition(application, to=S.OFFERED, actor=actor, reason=reason, extra_fields=fields)
    return application


@transaction.atomic
def application_offer(
    *,
    application: Application,
    actor: User,
    pool: DeskPool,
    desks: int | None = None,
    reason: str = "",
    expires_in_days: int | None = None,
) -> Application:
    """Staff offer desks from ``pool`` (one of the workspaces asked for, the desk type asked for).

    The desks are held at once; raises CapacityExceededError when they are not free (nothing is
    changed), TransitionNotAllowedError / PermissionDenied for a wrong state or actor. Fewer desks
    than asked for need a ``reason`` (ValidationError on ``reason``): the applicant is told it.
    """
    application = _lock(application)
    desks = desks or application.desks or 1
    if application.desks and desks < application.desks:
        reason = _require_reason(
            reason,
            f"Enter why you are offering fewer desks than the {application.desks} asked for: the applicant is told",
        )
    application = _offer(
        application,
        pool=pool,
        desks=desks,
        actor=actor,
        reason=reason,
        expires_in_days=expires_in_days or settings.WORKSPACES_OFFER_DAYS,
    )
    data_version_bump("workspaces")  # free desks changed
    return application


@transaction.atomic
def application_reject(*, application: Application, actor: User, reason: str) -> Application:
    """Staff turn an application down; the reason is required and sent to the applicant."""
    reason = _require_reason(reason, "Enter the reason the application is not successful")
    application = _lock(application)
    _transition(application, to=S.REJECTED, actor=actor, reason=reason, extra_fields=_record_decision(application))
    return application


@transaction.atomic
def application_waitlist(*, application: Application, actor: User, reason: str = "") -> Application:
    """Staff put an application on the waiting list; it is offered a desk when one frees up, in
    order of this decision's date."""
    application = _lock(application)
    _transition(application, to=S.WAITLISTED, actor=actor, reason=reason, extra_fields=_record_decision(application))
    return application


BULK_DECISIONS = {
    "start_review": S.IN_REVIEW,
    "waitlist": S.WAITLISTED,
    "reject": S.REJECTED,
}


def applications_decide(
    *, applications: Iterable[Application], actor: User, decision: str, reason: str = ""
) -> tuple[list[Application], list[tuple[Application, list[str]]]]:
    """Staff take one decision (``BULK_DECISIONS``) on many applications through the services that
    take it on one (``application_review_start``, ``application_waitlist``,
    ``application_reject``): a submitted application is first moved into review (the step the
    machine allows staff), then waitlisted or turned down, in one transaction per application, so
    one refusal neither undoes the others nor leaves a half-made change. Turning down needs a
    ``reason``. Returns (changed, [(refused, its messages)]); raises ValueError for an unknown
    decision."""
    if decision not in BULK_DECISIONS:
        raise ValueError(f"Unknown bulk decision {decision!r}")
    to = BULK_DECISIONS[decision]
    changed, refused = [], []
    for application in applications:
        try:
            with transaction.atomic():
                decided = _lock(application)
                if to == S.IN_REVIEW or decided.status == S.SUBMITTED:
                    started = "" if to == S.IN_REVIEW else "Review started to decide it"
                    decided = application_review_start(application=decided, actor=actor, reason=started)
                if to == S.REJECTED:
                    decided = application_reject(application=decided, actor=actor, reason=reason)
                elif to == S.WAITLISTED:
                    decided = application_waitlist(application=decided, actor=actor, reason=reason)
        except ValidationError as error:
            refused.append((application, error.messages))
        except PermissionDenied as error:
            refused.append((application, [str(error)]))
        else:
            changed.append(decided)
    return changed, refused


# The applicant's answer ---------------------------------------------------------------------


@transaction.atomic
def application_accept_offer(*, application: Application, actor: User) -> Tenancy:
    """The applicant accepts an offer still in date: the held desks become a tenancy from the
    wanted start date (or today) for ``WORKSPACES_TENANCY_MONTHS``."""
    application = _lock(application)
    if application.offer_has_expired:
        raise TransitionNotAllowedError("This offer has expired, so it can no longer be accepted.")
    _transition(application, to=S.ACCEPTED, actor=actor)
    start_on, end_on = tenancy_dates(wanted=application.start_on, today=timezone.localdate())
    tenancy = Tenancy.objects.create(
        application=application,
        organisation=application.organisation,
        pool=application.offer_pool,
        desks=application.offer_desks,
        start_on=start_on,
        end_on=end_on,
    )
    data_version_bump("workspaces")  # occupancy counts tenancies
    return tenancy


@transaction.atomic
def application_decline_offer(*, application: Application, actor: User, reason: str = "") -> Application:
    """The applicant declines an offer; its desks go to the waiting list."""
    application = _lock(application)
    _transition(application, to=S.DECLINED, actor=actor, reason=reason)
    _release_offer(application)
    return application


def _release_offer(application: Application) -> None:
    _release_desks(application.offer_pool_id, application.offer_desks)
    waitlist_promote(pool=application.offer_pool)
    data_version_bump("workspaces")  # free desks changed


# Jobs: expiry, tenancy ends, the waiting list -------------------------------------------------


def offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Expire every offer past its date, free its desks and offer them to the waiting list.

    One transaction per offer, each re-checked under its row lock, so running twice (or two
    workers at once) expires each offer once and promotes once. Returns how many expired.
    """
    now = now or timezone.now()
    due = Application.objects.filter(status=S.OFFERED, offer_expires_at__lte=now).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            application = (
                Application.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=S.OFFERED, offer_expires_at__lte=now)
                .first()
            )
            if application is None:
                continue
            _transition(application, to=S.EXPIRED, actor=None, reason="The offer was not accepted in time")
            _release_offer(application)
            expired += 1
    return expired


@transaction.atomic
def tenancy_end(
    *, tenancy: Tenancy, ended_on: datetime.date | None = None, today: datetime.date | None = None
) -> Tenancy:
    """Give a tenancy's desks back on ``ended_on`` (default ``today``) and offer them to the waiting
    list. Once: a second call changes nothing. Raises ValidationError on ``ended_on`` for a date
    before the tenancy starts or after ``today`` (desks are given back when it has happened)."""
    tenancy = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
    if tenancy.ended_on is not None:
        return tenancy
    today = today or timezone.localdate()
    tenancy.ended_on = ended_on or today
    if tenancy.ended_on < tenancy.start_on:
        raise ValidationError(
            {"ended_on": f"The end date must be on or after the tenancy's start, {tenancy.start_on:%-d %B %Y}"}
        )
    if tenancy.ended_on > today:
        raise ValidationError({"ended_on": "The end date must be today or in the past"})
    tenancy.save(update_fields=["ended_on"])
    _release_desks(tenancy.pool_id, tenancy.desks)
    waitlist_promote(pool=tenancy.pool)
    data_version_bump("workspaces")  # free desks and occupancy changed
    return tenancy


def tenancies_end_due(*, today: datetime.date | None = None) -> int:
    """End every tenancy whose planned last day has passed. Idempotent."""
    today = today or timezone.localdate()
    ended = 0
    for tenancy in Tenancy.objects.current().filter(end_on__lt=today):
        tenancy_end(tenancy=tenancy, ended_on=tenancy.end_on, today=today)
        ended += 1
    return ended


@transaction.atomic
def waitlist_promote(*, pool: DeskPool) -> list[Application]:
    """Offer the pool's free desks to waitlisted applications for its workspace and desk type, in
    order of decision date, skipping any that need more desks than are free.

    The pool row is locked first, so promotions of one pool run one at a time; each offer goes
    through the same conditional hold as a staff offer. Returns the applications offered.
    """
    pool = DeskPool.objects.select_for_update().select_related("workspace").get(pk=pool.pk)
    offered = []
    while pool.available > 0:
        candidate = (
            Application.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=S.WAITLISTED, desk_type=pool.desk_type, workspaces=pool.workspace, desks__lte=pool.available)
            .order_by("decided_at", "pk")
            .first()
        )
        if candidate is None:
            break
        _offer(
            candidate,
            pool=pool,
            desks=candidate.desks,
            actor=None,
            reason="A desk became free and you were next on the waiting list",
            expires_in_days=settings.WORKSPACES_OFFER_DAYS,
        )
        offered.append(candidate)
        pool.refresh_from_db(fields=["capacity", "allocated"])
    if offered:
        data_version_bump("workspaces")  # free desks changed
    return offered


# The catalogue ------------------------------------------------------------------------------


def _unique_slug(name: str, workspace: Workspace | None) -> str:
    base = slugify(name)[:70] or "workspace"
    slug, n = base, 2
    while Workspace.objects.filter(slug=slug).exclude(pk=getattr(workspace, "pk", None)).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def workspace_save(
    *, data: dict, pools: dict[str, tuple[int, object]], workspace: Workspace | None = None
) -> Workspace:
    """Create or change a workspace and its desk pools (desk type -> (capacity, monthly price)).

    A capacity of 0 removes a desk type that holds no desks. Capacity can never drop below the
    desks already held (ValidationError on ``capacity_<desk type>``). Extra capacity is offered
    to the waiting list at once.
    """
    unknown = set(data).difference(WORKSPACE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown workspace fields: {sorted(unknown)}")
    creating = workspace is None
    workspace = workspace or Workspace()
    for field, value in data.items():
        setattr(workspace, field, value)
    if creating:
        workspace.slug = _unique_slug(workspace.name, workspace)
    workspace.full_clean()
    workspace.save(update_fields=None if creating else [*data, "updated_at"])
    errors = {}
    grown = []
    existing = {p.desk_type: p for p in DeskPool.objects.select_for_update().filter(workspace=workspace)}
    for desk_type, (capacity, price) in pools.items():
        pool = existing.get(desk_type)
        if pool is None:
            if capacity:
                DeskPool.objects.create(
                    workspace=workspace, desk_type=desk_type, capacity=capacity, monthly_price_gbp=price
                )
            continue
        if capacity < pool.allocated:
            errors[f"capacity_{desk_type}"] = (
                f"{pool.allocated} {pool.get_desk_type_display().lower()}s are offered or let, so capacity "
                f"cannot be less than {pool.allocated}."
            )
            continue
        if capacity == 0 and not pool.offers.exists() and not pool.tenancies.exists():
            pool.delete()
            continue
        if capacity > pool.capacity:
            grown.append(pool)
        pool.capacity, pool.monthly_price_gbp = capacity, price
        pool.save(update_fields=["capacity", "monthly_price_gbp"])
    if errors:
        raise ValidationError(errors)
    for pool in grown:
        waitlist_promote(pool=pool)
    data_version_bump("workspaces")
    return workspace


# Notifications ------------------------------------------------------------------------------

# An email still owed this long after its status change missed its job (the broker was down, or
# lost the message); older than OWED_WITHIN it is no longer news, so it is left alone.
OWED_AFTER = datetime.timedelta(minutes=5)
OWED_WITHIN = datetime.timedelta(days=3)


def application_notify(*, status_change: StatusChange, base_url: str = "") -> bool:
    """Email the applicant about one status change, once: the change is claimed by stamping
    ``notified_at`` before sending and un-stamped if sending fails, so a retry sends it. Links
    start with ``base_url`` (the portal's address when the change was made), or ``site_url()``."""
    claimed = StatusChange.objects.filter(pk=status_change.pk, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    if not Application.objects.filter(pk=status_change.application_id, applicant__isnull=False).exists():
        return False  # anonymised: nobody is left to email
    from .notifications import status_change_email

    try:
        status_change_email(status_change, base_url=base_url or site_url()).send()
    except Exception:
        StatusChange.objects.filter(pk=status_change.pk).update(notified_at=None)
        raise
    return True


def application_notifications_send_owed(*, now: datetime.datetime | None = None) -> int:
    """Email every applicant still owed an email about a status change made between
    ``OWED_WITHIN`` and ``OWED_AFTER`` ago: a decision committed while the broker was down, or
    whose job was lost. Each is sent once (``application_notify`` claims it), so this, a late job
    and a second sweep never send twice; one that fails is logged and left for the next sweep.
    Returns how many were sent. Idempotent."""
    now = now or timezone.now()
    owed = StatusChange.objects.filter(
        to_status__in=NOTIFIED,
        notified_at__isnull=True,
        created_at__range=(now - OWED_WITHIN, now - OWED_AFTER),
    ).order_by("created_at", "pk")
    sent = 0
    for change in owed:
        try:
            sent += application_notify(status_change=change)
        except Exception:  # one bad address or a mail server hiccup must not stop the others
            logger.exception("The owed email about status change %s failed", change.pk)
    return sent
