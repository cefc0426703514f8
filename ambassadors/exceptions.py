"""Errors the ambassadors services raise. Each is a ValidationError, so a form shows its message
and the API answers with it; views and the API also catch them by name."""

from django.core.exceptions import ValidationError


class StageNotAllowedError(ValidationError):
    """The lead cannot move to that stage from where it is (a skipped stage, a closed lead), or
    the person may not make that move. Keyed to ``stage``."""


class LeadChangedError(ValidationError):
    """Someone else changed the lead since it was read (its ``version`` moved on): nothing was
    changed, and the person sees the lead as it is now before trying again."""
