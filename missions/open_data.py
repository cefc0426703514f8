"""The portal's own open data (mission 3): the datasets it publishes with their downloads, and
their catalogue in DCAT-AP 3.0 (``dcat:Catalog`` → ``dcat:Dataset`` → ``dcat:Distribution``),
served as JSON-LD and Turtle.

Every public indicator is a dataset (its observations as CSV and JSON), and so are the workspace
catalogue, the funding opportunities, the public ambassador directory and the register's grants
in the 360Giving standard (``threesixtygiving``). Each dataset names its publisher, contact
point, licence (the Open Government Licence v3.0), themes (the EU data-theme vocabulary),
keywords, update frequency (the EU frequency vocabulary) and when it last changed, so the
freshness of the catalogue can be measured (indicator M3-03, ``computations.open_data``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

from ambassadors.selectors import directory_modified
from funding.grants import grants_modified
from funding.open_data import opportunities_modified
from portal.exports import LICENCE_TITLE, LICENCE_URL
from workspaces.models import Workspace

from .models import Indicator

PUBLISHER_NAME = "West Midlands Tech Commissioner"

_EU = "http://publications.europa.eu/resource/authority/"
FREQUENCY = Namespace(f"{_EU}frequency/")
THEME = Namespace(f"{_EU}data-theme/")
FILE_TYPE = Namespace(f"{_EU}file-type/")
MEDIA_TYPE = Namespace("https://www.iana.org/assignments/media-types/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

# How often each indicator frequency means a dataset is updated, and the EU vocabulary's term.
FREQUENCIES = {
    Indicator.Frequency.ANNUAL: ("ANNUAL", "Annual", datetime.timedelta(days=366)),
    Indicator.Frequency.QUARTERLY: ("QUARTERLY", "Quarterly", datetime.timedelta(days=92)),
    Indicator.Frequency.MONTHLY: ("MONTHLY", "Monthly", datetime.timedelta(days=31)),
    Indicator.Frequency.AD_HOC: ("IRREG", "Irregular", None),
}
# The Roadmap's missions in the EU data-theme vocabulary.
MISSION_THEMES = {
    "M1": ("ECON", "Economy and finance"),
    "M2": ("SOCI", "Population and society"),
    "M3": ("TECH", "Science and technology"),
    "M4": ("TECH", "Science and technology"),
    "M5": ("GOVE", "Government and public sector"),
}
FORMATS = {"csv": ("CSV", "text/csv"), "json": ("JSON", "application/json")}


@dataclass
class Distribution:
    title: str
    path: str
    format: str  # "csv" or "json"


@dataclass
class Dataset:
    """One published dataset. ``path`` is its page; ``modified`` when its data last changed (None
    before it has any); ``frequency`` a key of ``FREQUENCIES``."""

    identifier: str
    title: str
    description: str
    path: str
    theme: tuple[str, str]
    frequency: str
    modified: datetime.datetime | None
    keywords: list[str] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)

    @property
    def is_fresh(self) -> bool:
        """Updated within its stated frequency (a dataset updated irregularly always is)."""
        period = FREQUENCIES[self.frequency][2]
        if period is None:
            return self.modified is not None
        return self.modified is not None and timezone.now() - self.modified <= period


def _downloads(title: str, csv_name: str, json_name: str, *args) -> list[Distribution]:
    """The CSV and JSON distributions of a dataset, by URL name (with ``args``)."""
    return [
        Distribution(f"{title} (CSV)", reverse(csv_name, args=args), "csv"),
        Distribution(f"{title} (JSON)", reverse(json_name, args=args), "json"),
    ]


def dataset_list() -> list[Dataset]:
    """Every dataset the portal publishes: indicators by mission and code, then the workspaces,
    the funding opportunities, the ambassador directory and the 360Giving grants. Five queries."""
    indicators = (
        Indicator.objects.filter(is_public=True)
        .select_related("mission")
        .annotate(last_updated=Max("observations__updated_at"), last_computed=Max("observations__computed_at"))
        .order_by("mission__code", "sort_order", "code")
    )
    datasets = []
    for indicator in indicators:
        changes = [moment for moment in (indicator.last_updated, indicator.last_computed) if moment]
        datasets.append(
            Dataset(
                identifier=f"indicator-{indicator.code.lower()}",
                title=f"{indicator.code}: {indicator.name}",
                description=indicator.definition,
                path=reverse("missions:indicator-detail", args=[indicator.code]),
                theme=MISSION_THEMES.get(indicator.mission.code, MISSION_THEMES["M3"]),
                frequency=indicator.frequency,
                modified=max(changes) if changes else None,
                keywords=[indicator.mission.name, f"mission {indicator.mission.code}", indicator.unit],
                distributions=[
                    Distribution(
                        f"{indicator.code} observations ({kind.upper()})",
                        reverse(f"missions:indicator-observations-{kind}", args=[indicator.code]),
                        kind,
                    )
                    for kind in ("csv", "json")
                ],
            )
        )
    datasets.append(
        Dataset(
            identifier="workspaces",
            title="Workspaces for tech start-ups",
            description=(
                "Every workspace listed on the portal: its provider, address, borough, the desk types it "
                "offers with their capacity, free desks and monthly price, and whether it takes applications."
            ),
            path=reverse("workspaces:workspace-list"),
            theme=MISSION_THEMES["M1"],
            frequency=Indicator.Frequency.AD_HOC,
            modified=Workspace.objects.aggregate(last=Max("updated_at"))["last"],
            keywords=["workspace", "start-up", "desks"],
            distributions=[
                Distribution(f"Workspaces ({kind.upper()})", reverse(f"workspaces:workspace-export-{kind}"), kind)
                for kind in ("csv", "json")
            ],
        )
    )
    datasets.extend(_funding_and_network_datasets())
    return datasets


def _funding_and_network_datasets() -> list[Dataset]:
    """The funding opportunities, the public ambassador directory and the register's grants in the
    360Giving standard. Three queries: when each last changed."""
    return [
        Dataset(
            identifier="funding-opportunities",
            title="Funding opportunities for tech firms",
            description=(
                "Every funder's current and past opportunities on the portal (grants, loans, equity, accelerators, "
                "prizes and procurement): the funder, amounts, opening and closing dates, status as of the day of "
                "download, who can apply and the structured eligibility rules. Withdrawn opportunities are left out."
            ),
            path=reverse("funding:opportunity-list"),
            theme=MISSION_THEMES["M1"],
            frequency=Indicator.Frequency.AD_HOC,
            modified=opportunities_modified(),
            keywords=["funding", "grants", "investment", "opportunities"],
            distributions=_downloads(
                "Funding opportunities", "funding:opportunity-export-csv", "funding:opportunity-export-json"
            ),
        ),
        Dataset(
            identifier="ambassador-directory",
            title="West Midlands tech ambassadors",
            description=(
                "The public directory of the region's ambassadors around the world who consented to a public "
                "profile: name, country and city, sectors, expertise, languages and biography."
            ),
            path=reverse("ambassadors:directory"),
            theme=MISSION_THEMES["M1"],
            frequency=Indicator.Frequency.AD_HOC,
            modified=directory_modified(),
            keywords=["ambassadors", "inward investment", "network"],
            distributions=_downloads(
                "Ambassador directory", "ambassadors:directory-export-csv", "ambassadors:directory-export-json"
            ),
        ),
        Dataset(
            identifier="grants-360giving",
            title="Grants to tech firms (360Giving)",
            description=(
                "Grants and competition awards to firms recorded in the portal's investment register, in the "
                "360Giving Data Standard: a JSON data package and the flat CSV of 360Giving's summary template. "
                "Only grants with a disclosed amount and a named funder are published."
            ),
            path=reverse("missions:open-data") + "#dataset-grants-360giving",
            theme=MISSION_THEMES["M1"],
            frequency=Indicator.Frequency.AD_HOC,
            modified=grants_modified(),
            keywords=["grants", "360Giving", "funding"],
            distributions=_downloads(
                "360Giving grants", "missions:grants-360giving-csv", "missions:grants-360giving-json"
            ),
        ),
    ]


def catalogue_graph(datasets: list[Dataset], *, base_url: str, contact_email: str) -> Graph:
    """The DCAT-AP 3.0 catalogue of ``datasets`` as an RDF graph, every address absolute under
    ``base_url``. Every node the shapes check is typed, and every concept labelled."""
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("skos", SKOS), ("vcard", VCARD)):
        graph.bind(prefix, namespace)
    catalogue = URIRef(f"{base_url}/data/catalog")
    publisher = URIRef(f"{base_url}/#publisher")
    contact = URIRef(f"{base_url}/#contact")
    licence = URIRef(LICENCE_URL)

    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(PUBLISHER_NAME, lang="en")))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(PUBLISHER_NAME)))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{contact_email}")))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.title, Literal(LICENCE_TITLE, lang="en")))

    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal("Tech Commissioner Portal open data", lang="en")))
    graph.add(
        (
            catalogue,
            DCTERMS.description,
            Literal(
                "The data the West Midlands Tech Commissioner's portal publishes: the Digital Roadmap's "
                "indicators, the workspace catalogue, funding opportunities, the ambassador directory and "
                "grants in the 360Giving standard, free to reuse under the Open Government Licence.",
                lang="en",
            ),
        )
    )
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((catalogue, DCTERMS.license, licence))
    graph.add((catalogue, FOAF.homepage, URIRef(f"{base_url}/data/")))
    graph.add((URIRef(f"{base_url}/data/"), RDF.type, FOAF.Document))
    graph.add((catalogue, DCTERMS.language, URIRef(f"{_EU}language/ENG")))
    graph.add((URIRef(f"{_EU}language/ENG"), RDF.type, DCTERMS.LinguisticSystem))
    modified = [dataset.modified for dataset in datasets if dataset.modified]
    if modified:
        graph.add((catalogue, DCTERMS.modified, Literal(max(modified).isoformat(), datatype=XSD.dateTime)))

    for dataset in datasets:
        node = URIRef(f"{base_url}/data/datasets/{dataset.identifier}")
        graph.add((catalogue, DCAT.dataset, node))
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.identifier, Literal(dataset.identifier)))
        graph.add((node, DCTERMS.title, Literal(dataset.title, lang="en")))
        graph.add((node, DCTERMS.description, Literal(dataset.description, lang="en")))
        graph.add((node, DCTERMS.publisher, publisher))
        graph.add((node, DCAT.contactPoint, contact))
        graph.add((node, DCAT.landingPage, URIRef(f"{base_url}{dataset.path}")))
        graph.add((URIRef(f"{base_url}{dataset.path}"), RDF.type, FOAF.Document))
        for keyword in dataset.keywords:
            graph.add((node, DCAT.keyword, Literal(keyword, lang="en")))
        theme = THEME[dataset.theme[0]]
        graph.add((node, DCAT.theme, theme))
        graph.add((theme, RDF.type, SKOS.Concept))
        graph.add((theme, SKOS.prefLabel, Literal(dataset.theme[1], lang="en")))
        code, label, _ = FREQUENCIES[dataset.frequency]
        graph.add((node, DCTERMS.accrualPeriodicity, FREQUENCY[code]))
        graph.add((FREQUENCY[code], RDF.type, DCTERMS.Frequency))
        graph.add((FREQUENCY[code], SKOS.prefLabel, Literal(label, lang="en")))
        if dataset.modified:
            graph.add((node, DCTERMS.modified, Literal(dataset.modified.isoformat(), datatype=XSD.dateTime)))
        for index, distribution in enumerate(dataset.distributions):
            url = URIRef(f"{base_url}{distribution.path}")
            item = URIRef(f"{base_url}/data/datasets/{dataset.identifier}/distributions/{index}")
            file_type, media_type = FORMATS[distribution.format]
            graph.add((node, DCAT.distribution, item))
            graph.add((item, RDF.type, DCAT.Distribution))
            graph.add((item, DCTERMS.title, Literal(distribution.title, lang="en")))
            graph.add((item, DCAT.accessURL, url))
            graph.add((item, DCAT.downloadURL, url))
            graph.add((item, DCTERMS.license, licence))
            graph.add((item, DCTERMS.format, FILE_TYPE[file_type]))
            graph.add((FILE_TYPE[file_type], RDF.type, DCTERMS.MediaTypeOrExtent))
            graph.add((item, DCAT.mediaType, MEDIA_TYPE[media_type]))
            graph.add((MEDIA_TYPE[media_type], RDF.type, DCTERMS.MediaType))
    return graph
