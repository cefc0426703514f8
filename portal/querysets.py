"""Scopes for the core models: every read of a guarded object goes through these."""

from django.db import models

from .roles import is_staff


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OrganisationQuerySet":
        """Organisations the user may read: staff all, everyone else the ones they belong to."""
        if not user.is_authenticated:
            return self.none()
        if is_staff(user):
            return self
        return self.filter(members=user)

    def for_list(self) -> "OrganisationQuerySet":
        return self.order_by("name", "pk")


class FirmYearQuerySet(models.QuerySet):
    def visible_to(self, user) -> "FirmYearQuerySet":
        """Yearly facts of the organisations the user may read."""
        from .models import Organisation

        return self.filter(organisation__in=Organisation.objects.visible_to(user))
