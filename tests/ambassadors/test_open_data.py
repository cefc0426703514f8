"""The public ambassador directory as open data: /data/ambassadors.csv and .json hold the consenting
profiles of ambassadors on the network and nothing private, escape formulas, follow every change
(a withdrawn consent included) and keep their query count as the network grows."""

import csv
import io
import json

import pytest
from django.core.cache import caches

from ambassadors import services
from ambassadors.selectors import DIRECTORY_EXPORT_FIELDS
from portal.page_cache import CACHE_ALIAS
from tests.ambassadors.factories import AmbassadorFactory

pytestmark = pytest.mark.django_db

CSV_URL = "/data/ambassadors.csv"
JSON_URL = "/data/ambassadors.json"


@pytest.fixture
def network():
    """Public: Aiko (Japan, two sectors) and Ben (paused). Not public: Chandra (no consent), Dana
    (retired, consented), Eve (invited)."""
    return {
        "aiko": AmbassadorFactory(
            full_name="Aiko Tanaka", country="JP", city="Tokyo", sectors=["fintech", "games"], public=True
        ),
        "ben": AmbassadorFactory(full_name="=cmd|' /C calc'!A0", country="IN", public=True, paused=True),
        "chandra": AmbassadorFactory(full_name="Chandra Rao", country="IN"),
        "dana": AmbassadorFactory(full_name="Dana Lee", country="JP", public=True, retired=True),
        "eve": AmbassadorFactory(full_name="Eve Invited", invited=True, public=True, country="", sectors=[]),
    }


def csv_rows(client) -> list[dict]:
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def json_rows(client) -> list[dict]:
    response = client.get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["licence"] == "Open Government Licence v3.0"
    return body["ambassadors"]


def test_only_consenting_ambassadors_on_the_network_are_published_with_nothing_private(client, network):
    rows = json_rows(client)
    assert [row["name"] for row in rows] == ["=cmd|' /C calc'!A0", "Aiko Tanaka"]
    assert set(rows[1]) == set(DIRECTORY_EXPORT_FIELDS)  # no email, status, term or user
    aiko = rows[1]
    assert (aiko["country"], aiko["country_name"], aiko["city"]) == ("JP", "Japan", "Tokyo")
    assert aiko["sectors"] == ["fintech", "games"]
    assert aiko["page"] == f"http://testserver/ambassadors/directory/{network['aiko'].pk}/"


def test_the_csv_holds_the_same_profiles_and_escapes_formulas(client, network):
    rows = csv_rows(client)
    assert [row["name"] for row in rows] == ["'=cmd|' /C calc'!A0", "Aiko Tanaka"]
    assert rows[1]["sectors"] == "fintech; games"
    assert list(rows[0]) == DIRECTORY_EXPORT_FIELDS


def test_a_withdrawn_consent_leaves_the_downloads_at_once(client, network):
    assert len(csv_rows(client)) == 2
    aiko = network["aiko"]
    services.ambassador_profile_update(
        ambassador=aiko, actor=aiko.user, data={"country": "JP", "public_profile": False}, sectors=["fintech"]
    )
    assert [row["name"] for row in json_rows(client)] == ["=cmd|' /C calc'!A0"]
    assert len(csv_rows(client)) == 1


def test_the_downloads_keep_their_query_count_as_the_network_grows(client, count_queries, network):
    def measure() -> tuple[int, int]:
        caches[CACHE_ALIAS].clear()
        with count_queries() as as_csv:
            client.get(CSV_URL)
        with count_queries() as as_json:
            client.get(JSON_URL)
        return as_csv.count, as_json.count

    small = measure()
    AmbassadorFactory.create_batch(12, public=True, sectors=["software", "cyber"])
    assert measure() == small
