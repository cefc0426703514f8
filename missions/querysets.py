"""Scopes for the missions models: every read of an indicator or observation goes through these."""

from django.db import models

from portal.roles import is_staff


class IndicatorQuerySet(models.QuerySet):
    def public(self) -> "IndicatorQuerySet":
        return self.filter(is_public=True)

    def visible_to(self, user, *, organisation=None) -> "IndicatorQuerySet":
        """Indicators a reader may see: staff all; a partner organisation (API token) the public
        ones and those it owns; everyone else, signed in or not, the public ones."""
        if is_staff(user):
            return self
        if organisation is not None:
            return self.filter(models.Q(is_public=True) | models.Q(owner=organisation))
        return self.public()

    def writable_by(self, user, *, organisation=None) -> "IndicatorQuerySet":
        """Reported indicators a writer may submit values for: staff any reported indicator, a
        partner organisation only the ones it owns, nobody else any."""
        reported = self.filter(method="reported")
        if organisation is not None:
            return reported.filter(owner=organisation)
        if is_staff(user):
            return reported
        return self.none()

    def for_list(self) -> "IndicatorQuerySet":
        return self.select_related("mission", "owner").order_by("mission__code", "sort_order", "code")


class ObservationQuerySet(models.QuerySet):
    def visible_to(self, user, *, organisation=None) -> "ObservationQuerySet":
        """Observations of the indicators the reader may see."""
        from .models import Indicator

        return self.filter(indicator__in=Indicator.objects.visible_to(user, organisation=organisation))

    def for_list(self) -> "ObservationQuerySet":
        return self.select_related("indicator", "geography").order_by(
            "indicator__code", "period_start", "geography__code", "status"
        )
