"""The open data page with the funding, ambassador and 360Giving datasets, and the funding
indicators' pages after a KPI refresh, in Chromium: axe-core finds no WCAG 2.2 A/AA violation, a
keyboard user reaches and downloads the 360Giving package, the datasets table fits a 320 px
phone, and everything reads without JavaScript."""

import json
import re

import pytest

from missions.catalogue import indicator_catalogue_sync
from missions.models import RefreshRun
from missions.services import refresh_run_execute
from portal.models import LocalAuthority
from tests.ambassadors.factories import AmbassadorFactory
from tests.browser.conftest import visit
from tests.funding.factories import InvestmentFactory, InvestorFactory, OpportunityFactory
from tests.portal.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

GRANTS_JSON = "/data/grants-360giving.json"


@pytest.fixture
def published():
    """A UK-led and a US-led round, an undisclosed one and a grant through a listed opportunity,
    into a Birmingham tech firm; a public ambassador; the catalogue synced and refreshed."""
    indicator_catalogue_sync()
    firm = OrganisationFactory(name="Canal Robotics Ltd", local_authority=LocalAuthority.BIRMINGHAM)
    InvestmentFactory(firm=firm, amount_gbp=1_200_000, lead=(InvestorFactory(name="Brum Ventures"), "GB"))
    InvestmentFactory(firm=firm, amount_gbp=3_000_000, lead=(InvestorFactory(name="Bay Capital"), "US"))
    InvestmentFactory(firm=firm, undisclosed=True)
    call = OpportunityFactory(title="Net zero innovation grant")
    InvestmentFactory(firm=firm, grant=True, amount_gbp=48_000, opportunity=call, lead=(call.funder, "GB"))
    AmbassadorFactory(full_name="Aiko Tanaka", country="JP", public=True)
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF)
    assert refresh_run_execute(run_id=run.pk).status == RefreshRun.Status.SUCCEEDED


def test_the_open_data_page_lists_the_new_datasets_accessibly(page, published):
    visit(page, "/data/", title="Open data")
    table = page.locator("#datasets-caption").locator("xpath=..")
    for title in ("Funding opportunities for tech firms", "West Midlands tech ambassadors", "Grants to tech firms"):
        assert table.get_by_role("link", name=re.compile(title)).first.is_visible(), title
    assert page.get_by_role("link", name="360Giving Data Standard").is_visible()


def test_a_keyboard_user_downloads_the_360giving_package(page, published):
    visit(page, "/data/")
    for _ in range(1000):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == GRANTS_JSON:
            break
    else:
        pytest.fail("The 360Giving download is not reachable with Tab")
    assert "JSON of Grants to tech firms (360Giving)" in page.evaluate("document.activeElement.textContent")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    package = json.loads(open(download.value.path()).read())  # noqa: SIM115 - Playwright keeps the file
    assert [grant["amountAwarded"] for grant in package["grants"]] == [48_000]


def test_the_datasets_table_fits_a_phone(make_page, published):
    phone = make_page(viewport={"width": 320, "height": 800})
    visit(phone, "/data/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize(
    "path", ["/indicators/M1-01/", "/indicators/M1-03/", "/indicators/M3-03/", "/missions/economy/"]
)
def test_the_funding_indicators_pages_are_accessible_after_a_refresh(page, published, path):
    visit(page, path)
    if path == "/indicators/M1-03/":
        assert page.get_by_text(
            "3,000,000 of 4,200,000 pounds raised in rounds with a known lead investor"
        ).first.is_visible()


def test_without_javascript_the_page_and_the_indicators_read_the_same(nojs_page, published):
    visit(nojs_page, "/data/")
    assert nojs_page.get_by_role("link", name=re.compile("CSV of Funding opportunities")).is_visible()
    visit(nojs_page, "/indicators/M1-01/")
    row = nojs_page.get_by_role("row", name=re.compile("2024"))
    assert "4,200,000" in row.first.inner_text()
