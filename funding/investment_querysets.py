"""Scopes of the investment register. Whoever reads the register reads every deal (commissioner
staff, and partners' API clients with ``read``); nobody else reads any. Writers are narrowed by
``funding.permissions.investments_writable_by``.

Domestic or international follows the lead investor's country: a lead based in the United
Kingdom (GB) makes a deal domestic, any other country international; a deal with no lead is
neither ("lead unknown").
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from portal.roles import is_staff

HOME_COUNTRY = "GB"
# An upload not confirmed within this many hours can no longer be confirmed: upload it again.
IMPORT_HOURS = 24


def _lead_rows():
    from .models import InvestmentInvestor

    return InvestmentInvestor.objects.filter(investment=OuterRef("pk"), is_lead=True)


class InvestmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> InvestmentQuerySet:
        """Staff read every deal; other people none. (API clients: see ``readable_by``.)"""
        return self if is_staff(user) else self.none()

    def readable_by(self, actor) -> InvestmentQuerySet:
        """Every deal for an API client (its token's ``read`` scope is checked before) and for
        staff; none for anyone else."""
        return self if actor.is_client or actor.is_staff else self.none()

    def flagged(self) -> InvestmentQuerySet:
        """Deals recorded as a possible duplicate of another that staff have not cleared."""
        return self.filter(possible_duplicate_of__isnull=False)

    def verified(self) -> InvestmentQuerySet:
        return self.filter(verified_at__isnull=False)

    def domestic(self) -> InvestmentQuerySet:
        """Deals led by an investor based in the United Kingdom."""
        return self.filter(Exists(_lead_rows().filter(country=HOME_COUNTRY)))

    def international(self) -> InvestmentQuerySet:
        """Deals led by an investor based outside the United Kingdom."""
        return self.filter(Exists(_lead_rows().exclude(country=HOME_COUNTRY)))

    def lead_unknown(self) -> InvestmentQuerySet:
        """Deals with no lead investor recorded."""
        return self.filter(~Exists(_lead_rows()))

    def for_list(self) -> InvestmentQuerySet:
        """A list's bundle: the firm, opportunity, submitting partner and the row it may duplicate
        (with its firm) in the same query, and the investors with their organisations in one
        more: a fixed number of queries whatever the number of rows."""
        from .models import InvestmentInvestor

        investors = InvestmentInvestor.objects.select_related("investor").order_by("-is_lead", "investor__name", "pk")
        return self.select_related(
            "firm", "opportunity", "submitted_by", "possible_duplicate_of", "possible_duplicate_of__firm"
        ).prefetch_related(Prefetch("investor_rows", queryset=investors))

    def for_detail(self) -> InvestmentQuerySet:
        """One deal's page: the list's bundle and who recorded and verified it."""
        return self.for_list().select_related("created_by", "verified_by")


class InvestmentImportQuerySet(models.QuerySet):
    def visible_to(self, user) -> InvestmentImportQuerySet:
        """An upload is its uploader's alone: anyone else's is a 404, staff included."""
        if user is None or not user.is_authenticated or not is_staff(user):
            return self.none()
        return self.filter(uploaded_by=user)

    def open(self, *, now: datetime.datetime | None = None) -> InvestmentImportQuerySet:
        """Uploads that can still be confirmed: not confirmed, and younger than ``IMPORT_HOURS``."""
        since = (now or timezone.now()) - datetime.timedelta(hours=IMPORT_HOURS)
        return self.filter(confirmed_at__isnull=True, created_at__gt=since)

    def stale(self, *, now: datetime.datetime | None = None) -> InvestmentImportQuerySet:
        """Uploads never confirmed and past their time: kept for nothing, deleted at the next upload."""
        since = (now or timezone.now()) - datetime.timedelta(hours=IMPORT_HOURS)
        return self.filter(confirmed_at__isnull=True, created_at__lte=since)
