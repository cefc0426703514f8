"""Permission rules of the workspaces app. Plain functions; views and DRF classes adapt them."""

from portal.roles import Role, is_staff, user_has_role

from .models import Application


def can_manage_workspaces(user) -> bool:
    """Staff add and change workspaces and end tenancies."""
    return is_staff(user)


def can_apply_for_workspace(user) -> bool:
    """Founders apply; anyone may sign up as a founder."""
    return user.is_authenticated and user_has_role(user, Role.FOUNDER)


def can_view_review_queue(user) -> bool:
    """Reviewers and staff work the review queue."""
    return is_staff(user) or user_has_role(user, Role.REVIEWER)


def can_score_application(user, application: Application) -> bool:
    """Reviewers and staff score an application waiting for a decision, never their own."""
    return (
        can_view_review_queue(user)
        and application.applicant_id != user.pk
        and application.status in (Application.Status.SUBMITTED, Application.Status.IN_REVIEW)
    )


def can_decide_application(user, application: Application) -> bool:
    """Only staff offer, reject or waitlist, never on their own application."""
    return is_staff(user) and application.applicant_id != user.pk


def can_view_scores(user, application: Application) -> bool:
    """Scores and reviewer comments are for reviewers and staff; the applicant never sees them."""
    return can_view_review_queue(user) and application.applicant_id != user.pk
