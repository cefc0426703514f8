"""Errors the workspaces services raise. Each is a ValidationError, so a form shows its message and
the API answers 400 with it; views may also catch them by name."""

from django.core.exceptions import ValidationError


class TransitionNotAllowedError(ValidationError):
    """The application is not in a state this action applies to, or the actor may not take it."""


class CapacityExceededError(ValidationError):
    """The desks asked for are no longer free."""
