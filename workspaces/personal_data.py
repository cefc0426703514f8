"""The personal data of the workspaces app: a founder's applications, in the download of their
data, and their anonymisation when the founder deletes their account or when a rejected or
withdrawn application's retention period (``WORKSPACES_RETENTION_MONTHS`` after it was closed)
runs out.

An anonymised application keeps what the aggregate figures read (status, dates, the service level,
workspaces, desk type and desks, and the firm's stage, sector, borough and team size) and loses
everything that says who applied: the applicant, the link to the firm, the firm's name, number and
website, the answers about the team and the pitch, the diversity answers, the reasons written on
its status changes and the reviewers' comments; the same fields are cleared in its change
history. Registered with the core's ``portal.personal_data`` in ``WorkspacesConfig.ready()``.
"""

import datetime
import logging

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Prefetch, Q
from django.utils import timezone

from portal.models import User
from portal.personal_data import PersonalDataSection

from . import services
from .models import Application, Review, StatusChange
from .summaries import application_summary

logger = logging.getLogger(__name__)

S = Application.Status

# What anonymising sets: every field that describes the people behind an application.
ANONYMISED_VALUES = {
    "applicant": None,
    "organisation": None,
    "company_number": "",
    "firm_name": "",
    "firm_website": "",
    "firm_founded_on": None,
    "team_description": "",
    "support_needs": "",
    "pitch": "",
    "diversity_consent": False,
    "founders_women": None,
    "founders_ethnic_minority": None,
    "founders_disabled": None,
}
# Closed applications the retention job anonymises once their retention period has run out.
RETAINED_STATUSES = (S.REJECTED, S.WITHDRAWN)
# Open applications an account's deletion withdraws first (a draft is deleted instead).
WITHDRAWN_ON_DELETION = (S.SUBMITTED, S.IN_REVIEW, S.WAITLISTED, S.OFFERED)


def _anonymise(pks: list[int], now: datetime.datetime) -> int:
    """Anonymise the applications ``pks``, locked by the caller: a few statements whatever their
    number. Emails still owed about them are marked done: nobody is left to email. Returns how
    many were anonymised (one already anonymised is left as it is)."""
    done = Application.objects.filter(pk__in=pks, anonymised_at=None).update(
        **ANONYMISED_VALUES, anonymised_at=now, updated_at=now
    )
    StatusChange.objects.filter(application_id__in=pks).update(reason="")
    StatusChange.objects.filter(application_id__in=pks, notified_at__isnull=True).update(notified_at=now)
    Review.objects.filter(application_id__in=pks).update(comment="")
    Application.history.filter(id__in=pks).update(**ANONYMISED_VALUES, anonymised_at=now)
    return done


@transaction.atomic
def application_anonymise(*, application: Application, now: datetime.datetime | None = None) -> bool:
    """Remove everything that says who made ``application`` (``ANONYMISED_VALUES``, status-change
    reasons, reviewers' comments, the same fields in its history), keeping what the aggregate
    figures read. The row is locked and re-checked; an application already anonymised is left as
    it is (returns False), so it is idempotent. Emails still owed about it are never sent."""
    locked = list(
        Application.objects.select_for_update()
        .filter(pk=application.pk, anonymised_at=None)
        .values_list("pk", flat=True)
    )
    return _anonymise(locked, now or timezone.now()) == 1


def _closed_before(cutoff: datetime.datetime):
    """Rejected and withdrawn applications not yet anonymised whose latest move to their status
    happened before ``cutoff``."""
    return (
        Application.objects.filter(status__in=RETAINED_STATUSES, anonymised_at__isnull=True)
        .annotate(closed_at=Max("status_changes__created_at", filter=Q(status_changes__to_status=F("status"))))
        .filter(closed_at__lt=cutoff)
        .order_by("pk")
    )


def applications_retention_anonymise(*, now: datetime.datetime | None = None, batch_size: int = 500) -> int:
    """Anonymise every rejected or withdrawn application closed more than
    ``WORKSPACES_RETENTION_MONTHS`` ago (the latest change to its status), ``batch_size`` at a
    time, each batch one transaction of a few statements. Rows another run holds are skipped (that
    run anonymises them) and every row is re-checked under its lock, so a second run, or two at
    once, anonymise each application once. Returns how many were anonymised now. Idempotent."""
    now = now or timezone.now()
    cutoff = now - relativedelta(months=settings.WORKSPACES_RETENTION_MONTHS)
    due = list(_closed_before(cutoff).values_list("pk", flat=True))
    done = 0
    for start in range(0, len(due), batch_size):
        with transaction.atomic():
            locked = list(
                Application.objects.select_for_update(skip_locked=True)
                .filter(pk__in=due[start : start + batch_size], status__in=RETAINED_STATUSES, anonymised_at=None)
                .values_list("pk", flat=True)
            )
            done += _anonymise(locked, now)
    if done:
        logger.info("Anonymised %s applications past their retention period", done)
    return done


@transaction.atomic
def applications_erase(*, user: User) -> None:
    """An account's deletion: ``user``'s drafts are deleted (never sent, so counted nowhere) with
    their history; applications still open are withdrawn through the state machine (an offer's
    desks go to the waiting list); then every application of theirs is anonymised. Idempotent."""
    applications = list(Application.objects.filter(applicant=user).order_by("pk"))
    for application in applications:
        if application.status == S.DRAFT:
            pk = application.pk
            application.delete()
            Application.history.filter(id=pk).delete()
        elif application.status in WITHDRAWN_ON_DELETION:
            services.application_withdraw(
                application=application, actor=user, reason="The applicant deleted their account"
            )
    for application in applications:
        if application.status != S.DRAFT:
            application_anonymise(application=application)


def applications_export(*, user: User) -> list[dict]:
    """``user``'s applications, oldest first, as they see them: their answers step by step (the
    diversity answers only if they gave them), workspaces, the offer or tenancy, and the status
    history with reasons (never who made each change, reviewers' scores or comments). Three
    queries whatever the number of applications."""
    applications = (
        Application.objects.filter(applicant=user)
        .for_list()
        .prefetch_related(Prefetch("status_changes", queryset=StatusChange.objects.order_by("created_at", "pk")))
        .order_by("created_at", "pk")
    )
    return [_application_export(application) for application in applications]


def _application_export(application: Application) -> dict:
    tenancy = getattr(application, "tenancy", None)
    return {
        "reference": application.reference,
        "status": application.get_status_display(),
        "started_at": application.created_at,
        "submitted_at": application.submitted_at,
        "decided_at": application.decided_at,
        "firm": application.organisation.name if application.organisation else application.firm_name,
        "answers": {
            section.title: {row.key: row.value for row in section.rows} for section in application_summary(application)
        },
        "offer": (
            {
                "workspace": application.offer_pool.workspace.name,
                "desk_type": application.offer_pool.get_desk_type_display(),
                "desks": application.offer_desks,
                "answer_by": application.offer_expires_at,
            }
            if application.status == S.OFFERED and application.offer_pool is not None
            else None
        ),
        "tenancy": (
            {
                "workspace": tenancy.pool.workspace.name,
                "desk_type": tenancy.pool.get_desk_type_display(),
                "desks": tenancy.desks,
                "starts_on": tenancy.start_on,
                "ends_on": tenancy.end_on,
                "ended_on": tenancy.ended_on,
            }
            if tenancy is not None
            else None
        ),
        "status_history": [
            {
                "from": S(change.from_status).label if change.from_status else "",
                "to": S(change.to_status).label,
                "at": change.created_at,
                "reason": change.reason,
            }
            for change in application.status_changes.all()
        ],
    }


SECTION = PersonalDataSection(
    key="workspace_applications",
    title="Your workspace applications",
    description=(
        "Each application you started: your answers, the workspaces you chose, any offer or tenancy, and "
        "its status history with the reasons you were given."
    ),
    export=applications_export,
    erase=applications_erase,
)
