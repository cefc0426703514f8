"""The staff network views: the coverage matrix with its gaps in words, target markets added and
removed, the map's table and data; staff only; and a query count that does not grow with 2,000
ambassadors and 20,000 leads."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambassadors import selectors
from ambassadors.models import Ambassador, AmbassadorSector, Lead, TargetMarket
from portal.models import DataVersion, User
from portal.page_cache import data_version_bump
from portal.roles import Role
from tests.ambassadors.network_factories import AmbassadorFactory, LeadFactory, TargetMarketFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

COVERAGE = reverse("ambassadors:coverage")
MARKETS = reverse("ambassadors:target-market-list")
MAP = reverse("ambassadors:map")
PAGES = [COVERAGE, MARKETS, MAP]


def remove_url(market) -> str:
    return reverse("ambassadors:target-market-remove", args=[market.pk])


@pytest.fixture
def staff(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def network():
    """India: two active fintech ambassadors (one also in AI); Nigeria: a paused one; Germany: a
    retired one; targets India fintech (covered), India health (a gap), Japan cyber (a gap)."""
    AmbassadorFactory(full_name="Asha", country="IN", sectors=["fintech", "ai_data"])
    AmbassadorFactory(full_name="Bilal", country="IN", sectors=["fintech"])
    AmbassadorFactory(full_name="Chidi", country="NG", sectors=["healthtech"], paused=True)
    AmbassadorFactory(full_name="Dora", country="DE", sectors=["cyber"], retired=True)
    TargetMarketFactory(country="IN", sector="fintech")
    TargetMarketFactory(country="IN", sector="healthtech")
    TargetMarketFactory(country="JP", sector="cyber")


def cell_texts(content: str, row_start: str) -> str:
    start = content.index(row_start)
    return content[start : content.index("</tr>", start)]


# Who may see the pages


def test_signed_out_visitors_are_sent_to_sign_in(client):
    market = TargetMarketFactory()
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert client.post(remove_url(market)).status_code == 302
    assert TargetMarket.objects.filter(pk=market.pk).exists()


@pytest.mark.parametrize("role", [Role.AMBASSADOR, Role.REVIEWER, Role.FOUNDER])
def test_other_roles_are_refused(client, make_user, role):
    market = TargetMarketFactory()
    client.force_login(make_user(role, mfa=role != Role.FOUNDER))
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert client.post(MARKETS, {"country": "FR", "sector": "games"}).status_code == 403
    assert client.post(remove_url(market)).status_code == 403
    assert list(TargetMarket.objects.values_list("country", "sector")) == [("IN", "fintech")]


# The coverage matrix


def test_the_matrix_counts_active_ambassadors_and_names_each_gap_in_words(staff, network):
    response = staff.get(COVERAGE)
    assert response.status_code == 200
    coverage = selectors.network_coverage()
    assert [row.country_name for row in coverage.rows] == ["India", "Japan"]  # paused and retired: not counted
    india = coverage.rows[0]
    assert india.active == 2
    cells = {cell.sector: cell for cell in india.cells}
    assert (cells["fintech"].active, cells["fintech"].is_target, cells["fintech"].is_gap) == (2, True, False)
    assert (cells["ai_data"].active, cells["ai_data"].is_target) == (1, False)
    assert cells["healthtech"].is_gap
    assert [(name, cell.sector) for name, cell in coverage.gaps] == [("India", "healthtech"), ("Japan", "cyber")]

    content = response.content.decode()
    assert "2 of 3 target markets have no active ambassador" in content
    assert "<li>India: Health and medtech</li>" in content
    assert "<li>Japan: Cyber security</li>" in content
    india_row = cell_texts(content, '<th scope="row" class="govuk-table__header">India')
    assert "1 gap" in india_row
    assert 'data-label="Fintech">2 <span class="portal-coverage__target">target</span>' in india_row
    assert 'data-label="Health and medtech"><strong class="govuk-tag govuk-tag--red">Gap</strong>' in india_row
    assert "target market with no active ambassador" in india_row
    assert 'data-label="AI and data">1<' in india_row
    # It stacks at 320 px and scrolls in its own labelled region above that.
    assert "portal-table--stack-until-wide" in content
    assert 'role="region" aria-labelledby="coverage-caption"' in content


def test_with_no_targets_the_page_says_so(staff):
    AmbassadorFactory(country="FR", sectors=["games"])
    content = staff.get(COVERAGE).content.decode()
    assert "No target markets are set, so there are no gaps to show." in content
    assert "France" in content


def test_every_target_covered_says_so(staff):
    AmbassadorFactory(country="FR", sectors=["games"])
    TargetMarketFactory(country="FR", sector="games")
    assert "Every target market has at least one active ambassador." in staff.get(COVERAGE).content.decode()


# Target markets


def test_staff_add_a_target_market_and_see_it_with_its_coverage(staff, network):
    before = DataVersion.objects.filter(key="ambassadors").values_list("version", flat=True).first() or 0
    response = staff.post(MARKETS, {"country": "BR", "sector": "fintech"})
    assert response.status_code == 303 and response["Location"] == MARKETS
    assert TargetMarket.objects.filter(country="BR", sector="fintech").exists()
    assert DataVersion.objects.get(key="ambassadors").version > before
    page = staff.get(MARKETS).content.decode()
    assert "Added Brazil: Fintech to the target markets." in page
    assert "4 target markets" in page
    brazil = cell_texts(page, '<th scope="row" class="govuk-table__header">Brazil')
    assert "Gap</strong> none yet" in brazil
    covered = {(m.country.code, m.sector): m.active for m in selectors.target_market_list()}
    assert covered == {("BR", "fintech"): 0, ("IN", "fintech"): 2, ("IN", "healthtech"): 0, ("JP", "cyber"): 0}


def test_a_pair_already_targeted_is_refused_on_its_field(staff, network):
    response = staff.post(MARKETS, {"country": "IN", "sector": "fintech"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "India: Fintech is already a target market." in content
    assert "govuk-error-summary" in content and "Error: Target markets" in content
    assert TargetMarket.objects.count() == 3


def test_every_missing_or_unknown_answer_is_reported_at_once(staff):
    response = staff.post(MARKETS, {})
    assert response.status_code == 400
    assert "Choose a country." in response.content.decode() and "Choose a sector." in response.content.decode()
    response = staff.post(MARKETS, {"country": "XX", "sector": "non_tech"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose a country from the list." in content and "Choose a tech sector from the list." in content
    assert not TargetMarket.objects.exists()


def test_staff_remove_a_target_market_and_removing_it_again_changes_nothing(staff, network):
    market = TargetMarket.objects.get(country="JP")
    response = staff.post(remove_url(market))
    assert response.status_code == 303 and response["Location"] == MARKETS
    assert "Removed Japan: Cyber security from the target markets." in staff.get(MARKETS).content.decode()
    assert not TargetMarket.objects.filter(pk=market.pk).exists()
    assert staff.post(remove_url(market)).status_code == 303
    assert "already been removed" in staff.get(MARKETS).content.decode()
    assert TargetMarket.objects.count() == 2
    assert staff.get(remove_url(market)).status_code == 405
    assert "Japan" not in staff.get(COVERAGE).content.decode()


def test_each_remove_button_posts_the_one_form_around_the_cached_table(staff, network):
    content = staff.get(MARKETS).content.decode()
    table_form = content[
        content.rindex("<form", 0, content.index('id="markets-table"')) : content.index(
            "</form>", content.index('id="markets-table"')
        )
    ]
    assert table_form.count('name="csrfmiddlewaretoken"') == 1  # outside the cached table, fresh each time
    for market in TargetMarket.objects.all():
        assert f'formaction="{remove_url(market)}"' in table_form
    # The form's lists are cached too; a posted form is shown as posted, with its errors.
    assert '<option value="IN">India</option>' in content and staff.get(MARKETS).content.decode().count(
        "<option"
    ) == content.count("<option")
    refused = staff.post(MARKETS, {"country": "IN", "sector": "nothing"}).content.decode()
    assert '<option value="IN" selected>India</option>' in refused


# The map


def test_the_map_page_has_a_table_of_the_numbers_the_map_draws(staff, network):
    firm = OrganisationFactory(company_number="")
    for kind, country, jobs in (("fdi", "IN", 30), ("fdi", "IN", 5), ("uk_office", "GB", 12), ("expansion", "", 1)):
        LeadFactory(landed=True, kind=kind, origin_country=country, new_jobs=jobs, organisation=firm, referred_by=None)
    reopened = LeadFactory(landed=True, origin_country="US", organisation=firm, referred_by=None)
    Lead.objects.filter(pk=reopened.pk).update(stage="active")  # no longer landed: not on the map
    LeadFactory(origin_country="FR", referred_by=None)  # open: not on the map

    response = staff.get(MAP)
    assert response.status_code == 200
    content = response.content.decode()
    network_map = selectors.network_map()
    rows = {row.country_name: row for row in network_map.rows}
    assert list(rows) == ["India", "United Kingdom", "Not recorded"]
    india = rows["India"]
    assert (india.ambassadors, india.projects, india.fdi, india.new_jobs, india.numeric) == (2, 2, 2, 35, "356")
    assert (rows["United Kingdom"].uk_office, rows["United Kingdom"].numeric) == (1, "826")
    assert rows["Not recorded"].expansion == 1
    totals = network_map.totals
    assert (totals.ambassadors, totals.projects, totals.new_jobs, totals.capital) == (2, 4, 48, Decimal("4000000.00"))

    data = json.loads(content.split('id="network-map-data" type="application/json">')[1].split("</script>")[0])
    assert data == {
        "countries": [
            {"id": "356", "name": "India", "ambassadors": 2, "projects": 2},
            {"id": "826", "name": "United Kingdom", "ambassadors": 0, "projects": 1},
        ]
    }
    table = content[content.index('id="network-map-table"') :]
    assert 'data-label="New jobs">35<' in table and "All countries" in table and "£4,000,000" in table
    # The maps start hidden and are drawn from the portal's own files: no map service, no CDN.
    assert "data-portal-map" in content and 'data-atlas-url="/static/build/countries-110m.json"' in content
    for script in ("chart.umd.min.js", "chartjs-chart-geo.umd.min.js", "ambassadors-map.js"):
        assert f'src="/static/build/{script}"' in content
    assert "https://" not in content.split("<main")[1].split("</main>")[0]


def test_an_empty_network_says_so(staff):
    assert "No active ambassadors and no landed projects yet." in staff.get(MAP).content.decode()
    assert "No active ambassadors and no target markets yet." in staff.get(COVERAGE).content.decode()


def test_the_matrix_the_map_and_the_markets_are_cached_until_the_network_changes(staff, network):
    for url in (COVERAGE, MAP, MARKETS):
        staff.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(url).status_code == 200
        tables = " ".join(q["sql"] for q in queries.captured_queries)
        assert "ambassadors_" not in tables, url  # a hit reads the data versions, not the network
    staff.post(MARKETS, {"country": "NO", "sector": "cleantech"})
    assert "<li>Norway: Clean and climate tech</li>" in staff.get(COVERAGE).content.decode()
    assert "4 target markets" in staff.get(MARKETS).content.decode()
    LeadFactory(landed=True, origin_country="CL", referred_by=None)
    assert "Chile" in staff.get(MAP).content.decode()


# Query counts


def bulk_network(ambassadors: int, leads: int) -> None:
    """``ambassadors`` active ambassadors in 40 countries with two sectors each, target markets, and
    ``leads`` leads of which a quarter landed, all bulk-created."""
    country_codes = ["IN", "US", "DE", "NG", "JP", "BR", "FR", "CN", "CA", "AU"] * 4
    start = User.objects.count()
    users = User.objects.bulk_create(User(email=f"network{start + i}@example.org") for i in range(ambassadors))
    made = Ambassador.objects.bulk_create(
        Ambassador(full_name=f"A{i}", status="active", country=country_codes[i % 10], user=user)
        for i, user in enumerate(users)
    )
    sectors = [s for s, _ in selectors.COVERAGE_SECTORS]
    AmbassadorSector.objects.bulk_create(
        AmbassadorSector(ambassador=a, sector=sectors[(i + k) % len(sectors)])
        for i, a in enumerate(made)
        for k in (0, 1)
    )
    TargetMarket.objects.bulk_create(
        [TargetMarket(country=c, sector=s) for c in country_codes[:10] for s in sectors[:3]], ignore_conflicts=True
    )
    firm = OrganisationFactory(company_number="")
    outcome = {
        "stage": "landed",
        "organisation": firm,
        "landed_on": datetime.date(2025, 3, 1),
        "new_jobs": 2,
        "safeguarded_jobs": 1,
        "capital_invested": Decimal("100"),
    }
    Lead.objects.bulk_create(
        (
            Lead(
                name=f"L{i}",
                referred_by=made[i % len(made)],
                origin_country=country_codes[i % 10],
                kind=["fdi", "uk_office", "expansion"][i % 3],
                **(outcome if i % 4 == 0 else {}),
            )
            for i in range(leads)
        ),
        batch_size=5000,
    )
    data_version_bump("ambassadors")  # a bulk write bumps once at the end, as the demo data does


# The network's other lists, from the people and leads parts: the same sizes must not change them.
NETWORK_LISTS = [
    "/ambassadors/directory/",
    "/dashboard/ambassadors/",
    "/dashboard/leads/",
    "/dashboard/leads/?view=board",
    "/api/v1/ambassadors/",
    "/api/v1/leads/",
]


def test_the_pages_and_their_reads_keep_a_constant_query_count_from_10_to_2000_ambassadors(staff):
    counts = []
    for ambassadors, leads in ((10, 100), (1990, 19900)):
        bulk_network(ambassadors, leads)
        measured = []
        for read in (selectors.network_coverage, selectors.network_map, selectors.target_market_list):
            with CaptureQueriesContext(connection) as queries:
                read()
            measured.append(len(queries.captured_queries))
        for url in [*PAGES, *NETWORK_LISTS]:
            with CaptureQueriesContext(connection) as queries:
                assert staff.get(url).status_code == 200, url
            measured.append(len(queries.captured_queries))
        counts.append(measured)
    assert Ambassador.objects.count() == 2000 and Lead.objects.count() == 20000
    assert counts[0] == counts[1], counts
    assert counts[0][:3] == [3, 2, 2]
    assert len(selectors.network_coverage().rows) == 10
    assert selectors.network_map().totals.projects == 5000
