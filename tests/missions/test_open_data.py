"""Open data: the DCAT catalogue conforms to the official DCAT-AP 3.0 shapes and every download it
lists answers with the media type it states; the /data/ page and the workspace downloads."""

import csv
import io
import json
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from missions import open_data
from tests.ambassadors.factories import AmbassadorFactory
from tests.funding.factories import InvestmentFactory, InvestorFactory, OpportunityFactory
from tests.missions.factories import WMCA, IndicatorFactory, ObservationFactory, geography
from tests.workspaces.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

SHAPES = Path(__file__).resolve().parents[3] / "shared" / "data" / "standards" / "dcat-ap-3.0.0-SHACL.ttl"
BASE = "http://testserver"


@pytest.fixture(scope="module")
def shapes():
    return Graph().parse(SHAPES)


@pytest.fixture
def published():
    geography(WMCA)
    shown = IndicatorFactory(code="M1-90", name="Tech firms born", frequency="annual", unit="firms")
    IndicatorFactory(code="M2-90", name="Devices lent", is_public=False)
    ObservationFactory(indicator=shown, period_start="2024-01-01", period_end="2024-12-31", value=12)
    WorkspaceFactory(name='=HYPERLINK("http://evil.example")', slug="formula-hub")
    OpportunityFactory(title="Net zero grant")
    AmbassadorFactory(full_name="Aiko Tanaka", country="JP", public=True)
    InvestmentFactory(grant=True, lead=(InvestorFactory(), "GB"))
    return shown


def catalogue(client, extension="jsonld") -> Graph:
    response = client.get(f"/data/catalog.{extension}")
    assert response.status_code == 200
    return Graph().parse(data=response.content.decode(), format="json-ld" if extension == "jsonld" else "turtle")


def test_the_catalogue_conforms_to_the_official_dcat_ap_shapes(client, published, shapes):
    graph = catalogue(client)
    conforms, _, report = validate(graph, shacl_graph=shapes, inference="rdfs")
    assert conforms, report
    datasets = set(graph.objects(None, DCAT.dataset))
    assert URIRef(f"{BASE}/data/datasets/indicator-m1-90") in datasets
    assert URIRef(f"{BASE}/data/datasets/workspaces") in datasets
    for identifier in ("funding-opportunities", "ambassador-directory", "grants-360giving"):
        assert URIRef(f"{BASE}/data/datasets/{identifier}") in datasets
    assert URIRef(f"{BASE}/data/datasets/indicator-m2-90") not in datasets  # not public


def test_the_shapes_catch_a_dataset_without_its_description(client, published, shapes):
    graph = catalogue(client)
    graph.remove((URIRef(f"{BASE}/data/datasets/indicator-m1-90"), DCTERMS.description, None))
    conforms, _, report = validate(graph, shacl_graph=shapes, inference="rdfs")
    assert not conforms
    assert "description" in report


def test_every_listed_download_answers_with_the_media_type_it_states(client, published):
    graph = catalogue(client)
    distributions = list(graph.subjects(None, DCAT.Distribution))
    assert len(distributions) >= 10
    downloads = {str(graph.value(distribution, DCAT.downloadURL)) for distribution in distributions}
    for path in ("funding-opportunities.csv", "ambassadors.json", "grants-360giving.json", "grants-360giving.csv"):
        assert f"{BASE}/data/{path}" in downloads
    for distribution in distributions:
        url = str(graph.value(distribution, DCAT.downloadURL))
        media_type = str(graph.value(distribution, DCAT.mediaType)).rsplit("media-types/", 1)[1]
        response = client.get(url.removeprefix(BASE))
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith(media_type), (url, response["Content-Type"])


def test_turtle_and_json_ld_hold_the_same_catalogue(client, published):
    assert len(catalogue(client, "ttl")) == len(catalogue(client, "jsonld"))


def test_the_catalogue_follows_the_data(client, published):
    before = catalogue(client).value(URIRef(f"{BASE}/data/datasets/indicator-m1-90"), DCTERMS.modified)
    ObservationFactory(
        indicator=published, period_start="2025-01-01", period_end="2025-12-31", period_label="2025", value=14
    )
    after = catalogue(client).value(URIRef(f"{BASE}/data/datasets/indicator-m1-90"), DCTERMS.modified)
    assert after is not None and after != before


def test_the_page_lists_each_dataset_with_its_downloads_and_the_licence(client, published):
    page = client.get("/data/").content.decode()
    assert "M1-90: Tech firms born" in page
    assert "/indicators/M1-90/observations.csv" in page and "/data/workspaces.json" in page
    for path in ("funding-opportunities.json", "ambassadors.csv", "grants-360giving.json", "grants-360giving.csv"):
        assert f"/data/{path}" in page
    assert 'id="dataset-grants-360giving"' in page  # the 360Giving dataset's landing page
    assert "Devices lent" not in page
    assert "Open Government Licence v3.0" in page


def test_a_dataset_is_fresh_within_its_frequency():
    fresh = open_data.Dataset("a", "A", "", "/", ("ECON", "Economy"), "annual", modified=None)
    assert not fresh.is_fresh
    from django.utils import timezone

    fresh.modified = timezone.now()
    assert fresh.is_fresh
    fresh.modified = timezone.now() - open_data.FREQUENCIES["annual"][2] * 2
    assert not fresh.is_fresh


def test_the_workspace_downloads_escape_formulas_and_hold_every_desk_type(client, published):
    rows = list(csv.DictReader(io.StringIO(client.get("/data/workspaces.csv").content.decode())))
    assert {row["name"] for row in rows} == {'\'=HYPERLINK("http://evil.example")'}
    assert {row["desk_type"] for row in rows} == {"Hot desk", "Fixed desk"}
    body = json.loads(client.get("/data/workspaces.json").content)
    assert body["licence"] == "Open Government Licence v3.0"
    assert {row["slug"] for row in body["workspaces"]} == {"formula-hub"}


def test_the_page_and_the_catalogue_keep_their_query_count_as_datasets_grow(client, count_queries, published):
    from django.core.cache import caches

    from portal.page_cache import CACHE_ALIAS

    def measure() -> tuple[int, int]:
        caches[CACHE_ALIAS].clear()
        with count_queries() as page:
            client.get("/data/")
        with count_queries() as data:
            client.get("/data/catalog.jsonld")
        return page.count, data.count

    small = measure()
    for number in range(20):
        IndicatorFactory(code=f"M3-{number + 50}")
    WorkspaceFactory.create_batch(5)
    OpportunityFactory.create_batch(3)
    AmbassadorFactory.create_batch(3, public=True)
    InvestmentFactory.create_batch(3, grant=True)
    assert measure() == small
