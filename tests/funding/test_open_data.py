"""The funding opportunities as open data: /data/funding-opportunities.csv and .json hold every
published opportunity (never a withdrawn one) with its status and rules, escape formulas, follow
the data, and keep their query count as opportunities grow."""

import csv
import datetime
import io
import json

import pytest
from django.core.cache import caches
from django.utils import timezone

from funding import services
from funding.models import Opportunity
from portal.page_cache import CACHE_ALIAS
from portal.permissions import Actor
from tests.funding.factories import FunderFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

CSV_URL = "/data/funding-opportunities.csv"
JSON_URL = "/data/funding-opportunities.json"


def csv_rows(client) -> list[dict]:
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def json_body(client) -> dict:
    response = client.get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


@pytest.fixture
def listed(staff_user):
    funder = FunderFactory(name="@Midlands Fund")
    open_one = OpportunityFactory(
        title='=HYPERLINK("http://evil.example")',
        funder=funder,
        sectors=["fintech", "software"],
        boroughs=["coventry"],
        stages=["revenue"],
    )
    closed = OpportunityFactory(title="Last year's call", closed=True, amount_min_gbp=None)
    withdrawn = OpportunityFactory(title="Withdrawn call")
    services.opportunity_withdraw(opportunity=withdrawn, actor=Actor(user=staff_user))
    return open_one, closed, withdrawn


def test_the_csv_lists_published_opportunities_with_status_and_rules_and_escapes_formulas(client, listed):
    open_one, closed, _ = listed
    rows = {row["id"]: row for row in csv_rows(client)}
    assert set(rows) == {str(open_one.pk), str(closed.pk)}  # the withdrawn one is never published
    row = rows[str(open_one.pk)]
    assert row["title"] == '\'=HYPERLINK("http://evil.example")'
    assert row["funder"] == "'@Midlands Fund"
    assert (row["status"], row["kind"], row["rolling"]) == ("open", "grant", "false")
    assert (row["sectors"], row["boroughs"], row["stages"]) == ("fintech; software", "coventry", "revenue")
    assert row["page"] == f"http://testserver/funding/{open_one.pk}/"
    assert rows[str(closed.pk)]["status"] == "closed"
    assert rows[str(closed.pk)]["amount_min_gbp"] == ""  # no lower limit: empty, never "None"


def test_the_json_holds_the_same_opportunities_with_the_licence(client, listed):
    open_one, closed, _ = listed
    body = json_body(client)
    assert body["licence"] == "Open Government Licence v3.0"
    by_id = {row["id"]: row for row in body["opportunities"]}
    assert set(by_id) == {open_one.pk, closed.pk}
    assert by_id[open_one.pk]["sectors"] == ["fintech", "software"]
    assert by_id[open_one.pk]["closes_on"] == open_one.closes_on.isoformat()
    assert by_id[closed.pk]["amount_min_gbp"] is None


def test_the_downloads_follow_the_data_and_the_date(client, listed, monkeypatch):
    assert len(csv_rows(client)) == 2
    OpportunityFactory(title="A new call")
    assert len(csv_rows(client)) == 3
    open_one = listed[0]
    later = open_one.closes_on + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: later)
    by_id = {row["id"]: row for row in json_body(client)["opportunities"]}
    assert by_id[open_one.pk]["status"] == "closed"


def test_anyone_may_download_them_signed_in_or_not(client, founder_user, listed):
    assert len(csv_rows(client)) == 2
    client.force_login(founder_user)
    assert len(json_body(client)["opportunities"]) == 2


def test_the_downloads_keep_their_query_count_as_opportunities_grow(client, count_queries):
    def measure() -> tuple[int, int]:
        caches[CACHE_ALIAS].clear()
        with count_queries() as as_csv:
            client.get(CSV_URL)
        with count_queries() as as_json:
            client.get(JSON_URL)
        return as_csv.count, as_json.count

    OpportunityFactory(sectors=["fintech"], boroughs=["dudley"], stages=["idea"])
    small = measure()
    for _ in range(15):
        OpportunityFactory(sectors=["fintech", "games"], boroughs=["walsall"], stages=["idea", "revenue"])
    assert measure() == small
    assert Opportunity.objects.count() == 16
