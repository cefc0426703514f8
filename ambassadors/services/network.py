"""Writes of the network views: the target markets staff want the network to cover."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django_countries import countries

from portal.models import Sector
from portal.page_cache import data_version_bump

from ..models import TargetMarket


@transaction.atomic
def target_market_add(*, country: str, sector: str) -> TargetMarket:
    """Add the pair ``country`` (ISO 3166-1 alpha-2) and ``sector`` (a tech sector) to the target
    markets, so the coverage matrix shows a gap while no active ambassador covers it.

    Raises ``ValidationError`` (by field) for a country or sector not on the lists, or for a pair
    already targeted (also when another request added it a moment before). Bumps ``ambassadors``.
    """
    errors = {}
    if country not in countries:
        errors["country"] = "Choose a country from the list."
    if sector not in Sector.values or sector == Sector.NON_TECH:
        errors["sector"] = "Choose a tech sector from the list."
    if errors:
        raise ValidationError(errors)
    taken = ValidationError(
        {"sector": f"{countries.name(country)}: {Sector(sector).label} is already a target market."}
    )
    if TargetMarket.objects.filter(country=country, sector=sector).exists():
        raise taken
    try:
        with transaction.atomic():
            market = TargetMarket.objects.create(country=country, sector=sector)
    except IntegrityError as error:  # added by someone else since the check above
        raise taken from error
    data_version_bump("ambassadors")
    return market


@transaction.atomic
def target_market_remove(*, target_market_id: int) -> TargetMarket | None:
    """Remove a target market. Returns the removed market (unsaved), or None when it was already
    gone: removing twice changes nothing. Bumps ``ambassadors`` when it removed one."""
    market = TargetMarket.objects.select_for_update().filter(pk=target_market_id).first()
    if market is None:
        return None
    market.delete()
    data_version_bump("ambassadors")
    return market
