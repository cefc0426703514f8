"""Who may open an HTML page: the mixins that gate a view on a permission rule of
``portal/permissions.py``. They live apart from ``portal/views.py`` so that modules the views
import (the suggestions of ``portal/suggestions.py``) can build on them too; ``portal.views``
re-exports them, where the apps import them from."""

from collections.abc import Callable

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin

from . import permissions


class RuleRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Gate a view on ``rule``, a permission function of the user (``can_<verb>_<noun>(user)``):
    signed-out users go to the login page; signed-in users the rule refuses get 403."""

    rule: Callable[..., bool]

    def test_func(self) -> bool:
        # Read through the class: a function stored on it is not bound to the view.
        return type(self).rule(self.request.user)


class StaffRequiredMixin(RuleRequiredMixin):
    """Commissioner staff only (the dashboard's rule)."""

    rule = permissions.can_view_dashboard
