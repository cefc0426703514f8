"""The public catalogue and its API list: search by words ranked best match first, filters that
combine, statuses that follow the clock with no edit, detail pages, caching and query counts."""

import datetime

import pytest
from django.core.cache import caches
from django.utils import timezone

from funding import services
from funding.models import Opportunity
from portal.models import LocalAuthority, Sector
from portal.page_cache import CACHE_ALIAS, data_version_bump
from tests.funding.factories import FunderFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

LIST = "/funding/"
API = "/api/v1/funding-opportunities/"


def titles(response) -> list[str]:
    """The titles the catalogue page or the API list shows, in order."""
    assert response.status_code == 200, response.content[:2000]
    if response["Content-Type"].startswith("application/json"):
        return [row["title"] for row in response.json()["results"]]
    from html.parser import HTMLParser

    class Titles(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.inside = [], False

        def handle_starttag(self, tag, attrs):
            self.inside = tag == "h3" or (self.inside and tag == "a")

        def handle_endtag(self, tag):
            if tag == "h3":
                self.inside = False

        def handle_data(self, data):
            if self.inside and data.strip():
                self.found.append(data.strip())

    parser = Titles()
    parser.feed(response.content.decode())
    return parser.found


def move_clock(monkeypatch, day: datetime.date) -> None:
    """Make ``day`` the local date everywhere the portal asks for it."""
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None: day)


# ACCEPTANCE 1: search by words in title, summary or eligibility, best match first -------------


@pytest.fixture
def searchable():
    return {
        "title": OpportunityFactory(
            title="Quantum sensing grant", summary="Money for prototypes.", eligibility="Any firm."
        ),
        "summary": OpportunityFactory(
            title="Deep tech fund", summary="For quantum computing start-ups.", eligibility="Any firm."
        ),
        "eligibility": OpportunityFactory(
            title="Founders' loan", summary="Working capital.", eligibility="Firms in quantum or photonics."
        ),
        "other": OpportunityFactory(title="Games prize", summary="For studios.", eligibility="Games studios."),
    }


@pytest.mark.parametrize("url", [LIST, API])
def test_search_finds_words_in_title_summary_or_eligibility_best_match_first(client, searchable, url):
    found = titles(client.get(url, {"q": "quantum"}))
    assert set(found) == {"Quantum sensing grant", "Deep tech fund", "Founders' loan"}
    # The title weighs most, then the summary, then the eligibility.
    assert found == ["Quantum sensing grant", "Deep tech fund", "Founders' loan"]


@pytest.mark.parametrize("url", [LIST, API])
def test_search_needs_every_word_and_stems_them(client, searchable, url):
    assert titles(client.get(url, {"q": "quantum prototypes"})) == ["Quantum sensing grant"]
    assert titles(client.get(url, {"q": "studio"})) == ["Games prize"]  # "studios" in the text


def test_a_better_match_comes_first_even_when_it_closes_later(client):
    OpportunityFactory(
        title="Robotics grant",
        summary="Robotics robotics robotics.",
        closes_on=timezone.localdate() + datetime.timedelta(days=90),
    )
    OpportunityFactory(
        title="Factory fund", eligibility="Some robotics.", closes_on=timezone.localdate() + datetime.timedelta(days=20)
    )
    assert titles(client.get(LIST, {"q": "robotics"})) == ["Robotics grant", "Factory fund"]
    # Asked to, the closing date decides instead.
    assert titles(client.get(LIST, {"q": "robotics", "ordering": "closes_on"})) == ["Factory fund", "Robotics grant"]


def test_search_vector_follows_an_edit(client, staff_user):
    from portal.permissions import Actor

    opportunity = OpportunityFactory(title="Old words")
    services.opportunity_update(
        opportunity=opportunity, data={"title": "Hydrogen boiler grant"}, actor=Actor(user=staff_user)
    )
    assert titles(client.get(API, {"q": "hydrogen"})) == ["Hydrogen boiler grant"]
    assert titles(client.get(API, {"q": "old"})) == []


# ACCEPTANCE 1: filters combine ------------------------------------------------------------


@pytest.fixture
def varied():
    OpportunityFactory(
        title="A: cleantech grant in Coventry", sectors=[Sector.CLEANTECH], boroughs=[LocalAuthority.COVENTRY]
    )
    OpportunityFactory(title="B: any-sector grant anywhere", amount_min_gbp=None, amount_max_gbp=5_000)
    OpportunityFactory(
        title="C: cleantech loan anywhere",
        kind=Opportunity.Kind.LOAN,
        sectors=[Sector.CLEANTECH],
        amount_min_gbp=100_000,
        amount_max_gbp=None,
    )
    OpportunityFactory(title="D: fintech grant in Dudley", sectors=[Sector.FINTECH], boroughs=[LocalAuthority.DUDLEY])
    OpportunityFactory(title="E: cleantech grant, closing soon", sectors=[Sector.CLEANTECH], closing_soon=True)
    OpportunityFactory(title="F: cleantech grant, upcoming", sectors=[Sector.CLEANTECH], upcoming=True)
    OpportunityFactory(title="G: cleantech grant, closed", sectors=[Sector.CLEANTECH], closed=True)


@pytest.mark.parametrize("url", [LIST, API])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, "E A B C D F"),  # closed ones left out; soonest deadline first
        ({"kind": "grant"}, "E A B D F"),
        ({"kind": ["grant", "loan"], "sector": "cleantech"}, "E A B C F"),  # B is for any sector
        ({"kind": "grant", "sector": "cleantech", "borough": "dudley"}, "E B F"),  # A is Coventry only
        ({"sector": "cleantech", "borough": "coventry", "amount": "20000"}, "E A F"),  # B up to £5,000; C from £100,000
        ({"sector": "cleantech", "amount": "250000"}, "C"),
        ({"status": "closing_soon"}, "E"),
        ({"status": ["upcoming", "closed"], "sector": "cleantech"}, "G F"),
        ({"status": "closed", "kind": "loan"}, ""),
        ({"q": "cleantech", "kind": "grant", "borough": "coventry"}, "A E F"),
    ],
)
def test_filters_combine(client, varied, url, query, expected):
    found = [title.split(":")[0] for title in titles(client.get(url, query))]
    if "q" in query:  # ranked: compare the set
        assert sorted(found) == sorted(expected.split())
    else:
        assert found == expected.split()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"kind": "bursary"}, "kind", "Choose kinds of funding from the list"),
        ({"sector": "atlantis"}, "sector", "Choose a sector from the list"),
        ({"borough": "outside"}, "borough", "Choose a borough from the list"),
        ({"amount": "0.5"}, "amount", "Enter the amount as a whole number of pounds, like 25000"),
        ({"amount": "-1"}, "amount", "The amount cannot be negative"),
        ({"status": "paused"}, "status", "Choose statuses from the list"),
        ({"ordering": "title"}, "ordering", "Choose how to sort from the list"),
    ],
)
def test_a_bad_filter_is_a_field_error_on_the_page_and_in_the_api(client, varied, query, field, message):
    page = client.get(LIST, query)
    assert page.status_code == 400
    assert message in page.content.decode().replace("&#x27;", "'")
    api = client.get(API, query)
    assert api.status_code == 400
    assert {"attr": field, "detail": message} in [
        {"attr": e["attr"], "detail": e["detail"]} for e in api.json()["errors"]
    ]


# ACCEPTANCE 1: the clock moves, the list follows, with no edit ----------------------------------


@pytest.mark.parametrize("url", [LIST, API])
def test_an_opportunity_leaves_the_open_list_the_day_after_it_closes(client, monkeypatch, url):
    closing_day = datetime.date(2027, 3, 31)
    move_clock(monkeypatch, closing_day - datetime.timedelta(days=20))
    OpportunityFactory(title="Spring grant", opens_on=datetime.date(2027, 1, 1), closes_on=closing_day)
    OpportunityFactory(title="Rolling loan", opens_on=datetime.date(2027, 1, 1), is_rolling=True)

    def statuses(query=None):
        response = client.get(url, query or {})
        if url == API:
            return {row["title"]: row["status"] for row in response.json()["results"]}
        return dict.fromkeys(titles(response))

    assert set(statuses({"status": "open"})) == {"Spring grant", "Rolling loan"}
    move_clock(monkeypatch, closing_day - datetime.timedelta(days=14))
    assert set(statuses({"status": "closing_soon"})) == {"Spring grant"}
    move_clock(monkeypatch, closing_day)  # its last day: still listed, closing soon
    assert set(statuses()) == {"Spring grant", "Rolling loan"}
    assert set(statuses({"status": "open"})) == {"Rolling loan"}
    move_clock(monkeypatch, closing_day + datetime.timedelta(days=1))  # the next day, no edit made
    assert set(statuses()) == {"Rolling loan"}
    assert set(statuses({"status": ["open", "closing_soon"]})) == {"Rolling loan"}
    assert set(statuses({"status": "closed"})) == {"Spring grant"}
    if url == API:
        assert statuses({"status": "closed"}) == {"Spring grant": "closed"}
    assert Opportunity.objects.get(title="Spring grant").updated_at.date() < closing_day


def test_status_before_opening_is_upcoming(client, monkeypatch):
    move_clock(monkeypatch, datetime.date(2027, 1, 1))
    opportunity = OpportunityFactory(opens_on=datetime.date(2027, 1, 2), closes_on=datetime.date(2027, 1, 10))
    assert client.get(f"{API}{opportunity.pk}/").json()["status"] == "upcoming"
    move_clock(monkeypatch, datetime.date(2027, 1, 2))
    assert client.get(f"{API}{opportunity.pk}/").json()["status"] == "closing_soon"
    move_clock(monkeypatch, datetime.date(2027, 1, 11))
    assert client.get(f"{API}{opportunity.pk}/").json()["status"] == "closed"
    assert "Closed" in client.get(opportunity.get_absolute_url()).content.decode()


# Pages ------------------------------------------------------------------------------------


def test_detail_page_shows_every_fact_and_no_none(client):
    opportunity = OpportunityFactory(
        title="Net zero grant",
        amount_min_gbp=None,
        amount_max_gbp=75_000,
        sectors=[Sector.CLEANTECH],
        boroughs=[LocalAuthority.WALSALL],
        stages=["idea"],
        firm_age_max_years=5,
        headcount_min=None,
        headcount_max=None,
        link="https://funder.example/net-zero",
    )
    page = client.get(opportunity.get_absolute_url()).content.decode()
    for text in [
        "Net zero grant",
        "Up to £75,000",
        "Clean and climate tech",
        "Walsall",
        "Idea or prototype",
        "Up to 5",
        "https://funder.example/net-zero",
        opportunity.funder.name,
    ]:
        assert text in page, text
    assert "None" not in page


def test_withdrawn_opportunities_are_404_for_the_public_and_shown_to_staff(client, staff_user):
    from portal.permissions import Actor

    opportunity = OpportunityFactory(title="Gone grant")
    services.opportunity_withdraw(opportunity=opportunity, actor=Actor(user=staff_user))
    assert client.get(opportunity.get_absolute_url()).status_code == 404
    assert client.get(f"{API}{opportunity.pk}/").status_code == 404
    assert titles(client.get(LIST)) == []
    client.force_login(staff_user)
    assert "Withdrawn" in client.get(opportunity.get_absolute_url()).content.decode()


def test_unknown_opportunity_is_404(client):
    assert client.get("/funding/987654/").status_code == 404
    assert client.get(f"{API}987654/").status_code == 404


def test_pages_paginate_20_at_a_time(client):
    funder = FunderFactory()
    OpportunityFactory.create_batch(21, funder=funder)
    assert len(titles(client.get(LIST))) == 20
    assert len(titles(client.get(LIST, {"page": 2}))) == 1
    assert "page 2 of 2" in client.get(LIST, {"page": 2}).content.decode()


def test_a_cached_page_shows_a_write_at_once(client, staff_user):
    from portal.permissions import Actor

    opportunity = OpportunityFactory(title="First title")
    assert titles(client.get(LIST)) == ["First title"]
    services.opportunity_update(opportunity=opportunity, data={"title": "Second title"}, actor=Actor(user=staff_user))
    assert titles(client.get(LIST)) == ["Second title"]
    assert "Second title" in client.get(opportunity.get_absolute_url()).content.decode()
    assert titles(client.get(API)) == ["Second title"]


def test_a_cached_page_runs_only_the_version_query(client, count_queries):
    OpportunityFactory.create_batch(3)
    client.get(LIST)
    with count_queries() as cached:
        assert client.get(LIST).status_code == 200
    assert cached.count == 1, [q["sql"] for q in cached.captured_queries]


# Query counts: 10 and 10,000 rows --------------------------------------------------------------


def bulk_opportunities(n: int) -> None:
    """``n`` opportunities of every kind and status with rules, in a few statements."""
    funders = FunderFactory.create_batch(3)
    today = timezone.localdate()
    kinds = Opportunity.Kind.values
    rows, rules = [], {}
    for i in range(n):
        closes = today + datetime.timedelta(days=(i * 7) % 60 - 10)
        rows.append(
            Opportunity(
                funder=funders[i % 3],
                title=f"Bulk opportunity {i} robotics",
                kind=kinds[i % len(kinds)],
                summary="Bulk summary about robotics.",
                eligibility="Any firm.",
                opens_on=today - datetime.timedelta(days=100),
                closes_on=closes,
                link="https://funder.example/bulk",
            )
        )
        rules[i] = {
            "sectors": [Sector.CLEANTECH, Sector.AI_DATA][: i % 3],
            "boroughs": [LocalAuthority.COVENTRY][: i % 2],
            "stages": ["idea"][: i % 2],
        }
    services.opportunities_bulk_create(rows, rules)
    data_version_bump("funding")


@pytest.mark.parametrize(
    "url",
    [
        LIST,
        f"{LIST}?q=robotics&kind=grant&sector=cleantech&borough=coventry&amount=1000",
        f"{LIST}?status=closed&ordering=-created_at&page=3",
        API,
        f"{API}?q=robotics&kind=loan&sector=cleantech&status=open&status=closing_soon",
        "/funding/deadlines.ics?kind=grant",
    ],
)
def test_catalogue_and_api_list_run_the_same_queries_for_10_and_10000_rows(client, count_queries, url):
    bulk_opportunities(10)
    client.get(url)  # warm caches (content types, sessions)
    caches[CACHE_ALIAS].clear()  # measure a page built afresh, not one served from the page cache
    with count_queries() as small:
        assert client.get(url).status_code == 200
    bulk_opportunities(9_990)
    caches[CACHE_ALIAS].clear()
    with count_queries() as large:
        response = client.get(url)
        assert response.status_code == 200
    assert large.count == small.count, [q["sql"] for q in large.captured_queries]
    assert b"robotics" in response.content or b"Bulk" in response.content


def test_the_navigation_leads_to_funding_and_marks_it_current(client):
    opportunity = OpportunityFactory()
    for path in (LIST, opportunity.get_absolute_url()):
        content = client.get(path).content.decode()
        active = content.split("govuk-service-navigation__item--active")[1].split("</li>")[0]
        assert 'href="/funding/"' in active and "Funding" in active, path
