"""The target-market services: a pair added twice at the same moment is stored once and the other
request is told why; removing twice removes once; each write bumps the ambassadors data key."""

import pytest
from django.core.exceptions import ValidationError

from ambassadors.models import TargetMarket
from ambassadors.services import target_market_add, target_market_remove
from portal.models import DataVersion
from tests.conftest import run_at_once

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def version() -> int:
    return DataVersion.objects.filter(key="ambassadors").values_list("version", flat=True).first() or 0


def test_the_same_pair_added_twice_at_once_is_stored_once_and_the_other_is_told_why():
    results = run_at_once([lambda: target_market_add(country="KE", sector="fintech")] * 2)
    stored = [r for r in results if isinstance(r, TargetMarket)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(stored) == 1 and len(refused) == 1, results
    assert refused[0].message_dict == {"sector": ["Kenya: Fintech is already a target market."]}
    assert TargetMarket.objects.filter(country="KE", sector="fintech").count() == 1


def test_removing_twice_removes_once_and_bumps_once():
    market = target_market_add(country="KE", sector="fintech")
    before = version()
    assert target_market_remove(target_market_id=market.pk).country.code == "KE"
    assert target_market_remove(target_market_id=market.pk) is None
    assert version() == before + 1
    assert not TargetMarket.objects.exists()


def test_a_refused_pair_changes_nothing_and_bumps_nothing():
    before = version()
    with pytest.raises(ValidationError) as refused:
        target_market_add(country="ZZ", sector="non_tech")
    assert set(refused.value.message_dict) == {"country", "sector"}
    assert version() == before and not TargetMarket.objects.exists()
