"""The register's grants in the 360Giving Data Standard: the JSON data package served at
/data/grants-360giving.json validates against the official schema (package and grant schemas from
../shared/data/standards/, the grant schema's $ref resolved locally, dates checked as dates);
identifiers follow the standard; undisclosed, funderless and possibly duplicated grants are left
out; the flat CSV uses the template's column titles and escapes formulas; the query count holds."""

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.cache import caches
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from funding import demo as funding_demo
from funding.grants import grant_list, grant_publishable, grants_held
from funding.models import Investment, Opportunity
from missions import threesixtygiving
from portal import demo as portal_demo
from portal.models import LocalAuthority
from portal.page_cache import CACHE_ALIAS
from tests.funding.factories import (
    FunderFactory,
    InvestmentFactory,
    InvestmentInvestorFactory,
    InvestorFactory,
    OpportunityFactory,
)
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

STANDARDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "standards"
JSON_URL = "/data/grants-360giving.json"
CSV_URL = "/data/grants-360giving.csv"
# 360Giving's flat summary template (schema/summary-table/360-giving-schema-titles.csv/grants.csv).
TEMPLATE_HEADER = (
    "Identifier,Title,Description,Currency,Amount Applied For,Amount Awarded,Amount Disbursed,Award Date,URL,"
    "Planned Dates:Start Date,Planned Dates:End Date,Planned Dates:Duration (months),Recipient Org:Identifier,"
    "Recipient Org:Name,Recipient Org:Charity Number,Recipient Org:Company Number,Recipient Org:Street Address,"
    "Recipient Org:City,Recipient Org:County,Recipient Org:Country,Recipient Org:Postal Code,"
    "Recipient Org:Description,Recipient Org:Web Address,Beneficiary Location:Name,Beneficiary Location:Country Code,"
    "Beneficiary Location:Latitude,Beneficiary Location:Longitude,Beneficiary Location:Geographic Code,"
    "Beneficiary Location:Geographic Code Type,Funding Org:Identifier,Funding Org:Name,Funding Org:Department,"
    "Grant Programme:Code,Grant Programme:Title,Grant Programme:URL,From an open call?,Related Activity,"
    "Last modified,Data Source"
)
TEMPLATE_COLUMNS = next(csv.reader([TEMPLATE_HEADER]))


def package_validator() -> Draft202012Validator:
    """A validator of 360Giving data packages: the package schema, its grant ``$ref`` (a release
    URL) pointed at the local grant schema, and jsonschema's format checks (``date-time`` by
    rfc3339-validator), without which every date would match both branches of the schema's
    ``oneOf`` and fail."""
    package = json.loads((STANDARDS / "360-giving-package-schema.json").read_text())
    grant = DRAFT202012.create_resource(json.loads((STANDARDS / "360-giving-schema.json").read_text()))
    reference = package["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources([(reference, grant), (grant.contents["$id"], grant)])
    return Draft202012Validator(package, registry=registry, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(package: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in package_validator().iter_errors(package)]


def export(client) -> dict:
    response = client.get(JSON_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


@pytest.fixture
def register():
    """Published: a grant with a lead funder (Companies House number) into a Birmingham firm; an
    award through a listed prize, funded by the opportunity's funder, into a firm with no number
    outside the WMCA area. Left out: an undisclosed grant, a grant with no funder, a possible
    duplicate, an equity round, a loan, an award of kind "other" made outside the catalogue."""
    funder = FunderFactory(name="Midlands Innovation Trust", company_number="01234567")
    firm = OrganisationFactory(name="Canal Robotics Ltd", company_number="SC123456", website="https://canal.example")
    outsider = OrganisationFactory(name="=Remote Labs", company_number="", local_authority=LocalAuthority.OUTSIDE)
    prize = OpportunityFactory(title="Smart Mobility Prize", kind=Opportunity.Kind.PRIZE, funder=FunderFactory())
    grant = InvestmentFactory(
        grant=True,
        firm=firm,
        amount_gbp=48_000,
        announced_on=datetime.date(2024, 3, 5),
        title="Prototype of a canal inspection robot",
        source="https://funder.example/awards/2024",
        lead=(funder, "GB"),
    )
    InvestmentInvestorFactory(investment=grant, investor=InvestorFactory(name="Co-funder"), country="US")
    award = InvestmentFactory(
        kind=Investment.Kind.OTHER,
        stage="",
        firm=outsider,
        amount_gbp=10_000,
        opportunity=prize,
        announced_on=datetime.date(2025, 1, 20),
        source="Press release of 20 January 2025",
    )
    left_out = [
        InvestmentFactory(grant=True, undisclosed=True, firm=firm, lead=(funder, "GB")),
        InvestmentFactory(grant=True, firm=firm),  # no investor, no opportunity: no funder to name
        InvestmentFactory(grant=True, firm=firm, lead=(funder, "GB"), possible_duplicate_of=grant),
        InvestmentFactory(firm=firm, lead=(funder, "GB")),  # an equity round
        InvestmentFactory(kind=Investment.Kind.LOAN, stage="", firm=firm, lead=(funder, "GB")),
        InvestmentFactory(kind=Investment.Kind.OTHER, stage="", firm=firm, lead=(funder, "GB")),
    ]
    return {"grant": grant, "award": award, "prize": prize, "funder": funder, "firm": firm, "left_out": left_out}


def test_the_export_validates_against_the_official_360giving_schema(client, register):
    package = export(client)
    assert schema_errors(package) == []
    assert len(package["grants"]) == 2
    assert package["license"] == "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
    assert package["downloadURL"] == "http://testserver/data/grants-360giving.json"


def test_the_schema_check_does_catch_a_grant_missing_a_required_field(client, register):
    package = export(client)
    del package["grants"][0]["amountAwarded"]
    package["grants"][1]["awardDate"] = "20 January 2025"
    errors = schema_errors(package)
    assert errors and any("grants/1/awardDate" in error for error in errors)


def test_grants_carry_identifiers_funders_and_places_as_the_standard_asks(client, register):
    grants = {grant["id"]: grant for grant in export(client)["grants"]}
    prefix = threesixtygiving.PREFIX
    grant = grants[f"{prefix}-{register['grant'].pk}"]
    assert (grant["amountAwarded"], grant["currency"], grant["awardDate"]) == (48_000, "GBP", "2024-03-05")
    assert grant["recipientOrganization"] == [
        {
            "id": "GB-COH-SC123456",
            "name": "Canal Robotics Ltd",
            "companyNumber": "SC123456",
            "url": "https://canal.example",
        }
    ]
    funders = grant["fundingOrganization"]
    assert funders[0] == {"id": "GB-COH-01234567", "name": "Midlands Innovation Trust"}  # the lead first
    assert funders[1]["id"].startswith(f"{prefix}-org-")  # no Companies House number
    assert grant["beneficiaryLocation"] == [
        {"name": "Birmingham", "countryCode": "GB", "geoCode": "E08000025", "geoCodeType": "MD"}
    ]
    assert grant["dataSource"] == "https://funder.example/awards/2024"
    assert "grantProgramme" not in grant and "fromOpenCall" not in grant

    award = grants[f"{prefix}-{register['award'].pk}"]
    outsider = register["award"].firm
    assert award["recipientOrganization"] == [{"id": f"{prefix}-org-{outsider.pk}", "name": "=Remote Labs"}]
    assert award["fundingOrganization"][0]["name"] == register["prize"].funder.name
    assert award["title"] == "Award to =Remote Labs"
    assert award["grantProgramme"] == [
        {
            "code": f"{prefix}-opportunity-{register['prize'].pk}",
            "title": "Smart Mobility Prize",
            "url": f"http://testserver/funding/{register['prize'].pk}/",
        }
    ]
    assert award["fromOpenCall"] == "Yes"
    assert "beneficiaryLocation" not in award and "dataSource" not in award


def test_undisclosed_funderless_and_duplicate_grants_are_never_published(client, register):
    published = {grant["id"] for grant in export(client)["grants"]}
    for investment in register["left_out"]:
        assert f"{threesixtygiving.PREFIX}-{investment.pk}" not in published
    # Held as grants (the share published, M3-05, counts them), but not publishable:
    assert set(grants_held().values_list("pk", flat=True)) == {
        register["grant"].pk,
        register["award"].pk,
        register["left_out"][0].pk,
        register["left_out"][1].pk,
    }
    assert [grant.pk for grant in grant_list()] == [register["grant"].pk, register["award"].pk]


def test_the_flat_csv_uses_the_template_titles_and_escapes_formulas(client, register):
    response = client.get(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    reader = csv.DictReader(io.StringIO(response.content.decode()))
    rows = list(reader)
    header = reader.fieldnames
    assert header == threesixtygiving.FLAT_COLUMNS
    assert [title for title in TEMPLATE_COLUMNS if title in header] == header  # the template's names and order
    grant, award = rows
    assert grant["Identifier"] == f"{threesixtygiving.PREFIX}-{register['grant'].pk}"
    assert (grant["Amount Awarded"], grant["Award Date"]) == ("48000", "2024-03-05")
    assert (grant["Funding Org:Identifier"], grant["Funding Org:Name"]) == (
        "GB-COH-01234567",
        "Midlands Innovation Trust",
    )
    assert grant["Beneficiary Location:Geographic Code"] == "E08000025"
    assert award["Recipient Org:Name"] == "'=Remote Labs"
    assert award["Beneficiary Location:Name"] == "" and award["From an open call?"] == "Yes"


def test_with_no_grant_the_package_is_empty_not_an_error(client):
    package = export(client)
    assert package["grants"] == []
    assert list(csv.reader(io.StringIO(client.get(CSV_URL).content.decode()))) == [threesixtygiving.FLAT_COLUMNS]


def test_the_export_follows_the_register(client, register):
    assert len(export(client)["grants"]) == 2
    InvestmentFactory(grant=True, firm=register["firm"], lead=(register["funder"], "GB"), amount_gbp=5_000)
    assert len(export(client)["grants"]) == 3


def test_the_downloads_keep_their_query_count_as_grants_grow(client, count_queries, register):
    def measure() -> tuple[int, int]:
        caches[CACHE_ALIAS].clear()
        with count_queries() as as_json:
            client.get(JSON_URL)
        with count_queries() as as_csv:
            client.get(CSV_URL)
        return as_json.count, as_csv.count

    small = measure()
    for number in range(12):
        grant = InvestmentFactory(
            grant=True, firm=OrganisationFactory(), amount_gbp=1_000 + number, opportunity=register["prize"]
        )
        InvestmentInvestorFactory(investment=grant, is_lead=True)
        InvestmentInvestorFactory(investment=grant)
    assert measure() == small
    assert len(export(client)["grants"]) == 14


def test_a_real_export_of_the_demo_data_validates(client):
    portal_demo.seed()
    funding_demo.seed()
    counts = funding_demo.grants_seed()
    assert counts == {"grants": funding_demo.GRANT_COUNT, "new_grants": funding_demo.GRANT_COUNT}
    package = export(client)
    assert schema_errors(package) == []
    # The demo register (funding_demo.seed) holds grants of its own beside the grants seed's.
    held = grants_held().count()
    undisclosed = grants_held().filter(amount_gbp__isnull=True).count()
    assert held >= funding_demo.GRANT_COUNT and undisclosed > 0
    assert len(package["grants"]) == grants_held().filter(grant_publishable()).count() > 0
    assert any("grantProgramme" in grant for grant in package["grants"])
    assert any(grant["id"] and "beneficiaryLocation" in grant for grant in package["grants"])
    assert funding_demo.grants_seed()["new_grants"] == 0  # idempotent
