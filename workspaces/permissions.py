"""Permission rules of the workspaces app. Plain functions; views, DRF classes, querysets and the
services' state machine adapt them.

A user acts on an application in one or more *capacities*: its applicant, a reviewer, staff, or
(for jobs) the system. ``application_capacities`` is the one place that decides them, so the rule
that nobody reviews or decides their own application holds for pages and services alike.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.roles import Role, is_staff, user_has_role

if TYPE_CHECKING:
    from .models import Application

APPLICANT, REVIEWER, STAFF, SYSTEM = "applicant", "reviewer", "staff", "system"


def application_capacities(user, application: Application) -> set[str]:
    """The capacities ``user`` holds on ``application``; ``None`` is the system (a job). The
    applicant holds only that capacity on their own application, whatever their roles."""
    if user is None:
        return {SYSTEM}
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.pk == application.applicant_id:
        return {APPLICANT}
    capacities = set()
    if is_staff(user):
        capacities.add(STAFF)
    if user_has_role(user, Role.REVIEWER):
        capacities.add(REVIEWER)
    return capacities


def can_manage_workspaces(user) -> bool:
    """Staff add and change workspaces and end tenancies."""
    return is_staff(user)


def can_apply_for_workspace(user) -> bool:
    """Founders apply; anyone may sign up as a founder."""
    return user.is_authenticated and user_has_role(user, Role.FOUNDER)


def can_view_review_queue(user) -> bool:
    """Reviewers and staff work the review queue, so they read every submitted application."""
    return is_staff(user) or user_has_role(user, Role.REVIEWER)


def can_score_application(user, application: Application) -> bool:
    """Reviewers and staff score an application waiting for a decision, never their own."""
    return bool(application_capacities(user, application) & {REVIEWER, STAFF}) and (
        application.status in application.SCORABLE_STATUSES
    )


def can_decide_applications(user) -> bool:
    """Staff offer, reject and waitlist applications (and act on them in bulk from the queue)."""
    return is_staff(user)


def can_decide_application(user, application: Application) -> bool:
    """Only staff offer, reject or waitlist, never on their own application."""
    return can_decide_applications(user) and STAFF in application_capacities(user, application)


def can_view_scores(user, application: Application) -> bool:
    """Scores and reviewer comments are for reviewers and staff; the applicant never sees them."""
    return bool(application_capacities(user, application) & {REVIEWER, STAFF})
