"""Reads of the network for staff: the coverage matrix of countries × sectors against the target
markets, the map's figures by country, and the ambassador a lead form names by typing; and the
public directory as open data. Each runs a fixed number of queries, whatever the number of
ambassadors, sectors or leads."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Max, Q, Sum, Value, When
from django.urls import reverse
from django_countries import countries

from portal.models import Sector
from portal.suggestions import LIMIT, Suggestion, name_matches

from .models import Ambassador, AmbassadorSector, Lead, TargetMarket

# The sectors the matrix has a column for: the portal's tech taxonomy.
COVERAGE_SECTORS = [(code, label) for code, label in Sector.choices if code != Sector.NON_TECH]
NO_COUNTRY = "No country given"


def country_name(code: str) -> str:
    """The English name of an ISO 3166-1 alpha-2 code (the code itself if it is not one)."""
    return countries.name(code) or code if code else NO_COUNTRY


# Coverage ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoverageCell:
    """One country and sector: how many active ambassadors cover it, and whether staff target it."""

    sector: str
    sector_label: str
    active: int
    is_target: bool

    @property
    def is_gap(self) -> bool:
        """A target market no active ambassador covers."""
        return self.is_target and self.active == 0


@dataclass
class CoverageRow:
    country: str
    country_name: str
    active: int  # active ambassadors in the country, whatever their sectors
    cells: list[CoverageCell] = field(default_factory=list)

    @property
    def gaps(self) -> list[CoverageCell]:
        return [cell for cell in self.cells if cell.is_gap]


@dataclass
class Coverage:
    sectors: list[tuple[str, str]]
    rows: list[CoverageRow]
    target_count: int

    @property
    def gaps(self) -> list[tuple[str, CoverageCell]]:
        """(country name, cell) of every target market without an active ambassador."""
        return [(row.country_name, cell) for row in self.rows for cell in row.gaps]


def network_coverage() -> Coverage:
    """Active ambassadors by country and sector against the target markets.

    Rows are the countries with an active ambassador or a target market, by name; an ambassador
    with no country is left out (the matrix is about where the network is). An ambassador covering
    three sectors counts once in each, and once in the country's total. Three queries.
    """
    by_cell = {
        (country, sector): n
        for country, sector, n in AmbassadorSector.objects.filter(ambassador__status=Ambassador.Status.ACTIVE)
        .exclude(ambassador__country="")
        .values_list("ambassador__country", "sector")
        .annotate(n=Count("ambassador", distinct=True))
        .order_by()
    }
    by_country = dict(
        Ambassador.objects.filter(status=Ambassador.Status.ACTIVE)
        .exclude(country="")
        .values_list("country")
        .annotate(n=Count("pk"))
        .order_by()
    )
    targets = set(TargetMarket.objects.values_list("country", "sector"))
    codes = set(by_country) | {country for country, _ in targets}
    rows = []
    for code in sorted(codes, key=country_name):
        row = CoverageRow(country=code, country_name=country_name(code), active=by_country.get(code, 0))
        row.cells = [
            CoverageCell(sector, label, by_cell.get((code, sector), 0), (code, sector) in targets)
            for sector, label in COVERAGE_SECTORS
        ]
        rows.append(row)
    return Coverage(sectors=COVERAGE_SECTORS, rows=rows, target_count=len(targets))


def target_market_list():
    """Every target market with the number of active ambassadors covering it, by country name then
    sector. Two queries."""
    covered = {
        (country, sector): n
        for country, sector, n in AmbassadorSector.objects.filter(ambassador__status=Ambassador.Status.ACTIVE)
        .values_list("ambassador__country", "sector")
        .annotate(n=Count("ambassador", distinct=True))
        .order_by()
    }
    markets = list(TargetMarket.objects.all())
    for market in markets:
        market.active = covered.get((market.country.code, market.sector), 0)
    return sorted(markets, key=lambda m: (m.country.name, m.get_sector_display()))


# The map --------------------------------------------------------------------------------------


@dataclass
class MapRow:
    """One country on the map: its active ambassadors, and the projects from it that landed."""

    country: str
    country_name: str
    numeric: str  # ISO 3166-1 numeric, zero-padded: the id of the country's shape in world-atlas
    ambassadors: int = 0
    projects: int = 0
    fdi: int = 0
    uk_office: int = 0
    expansion: int = 0
    new_jobs: int = 0
    safeguarded_jobs: int = 0
    capital: Decimal = Decimal(0)


@dataclass
class NetworkMap:
    rows: list[MapRow]
    totals: MapRow

    def chart_data(self) -> dict:
        """The figures the map script draws: one entry per country with a shape id."""
        return {
            "countries": [
                {"id": row.numeric, "name": row.country_name, "ambassadors": row.ambassadors, "projects": row.projects}
                for row in self.rows
                if row.numeric
            ]
        }


def network_map() -> NetworkMap:
    """Active ambassadors by the country they live in and landed projects by origin country, with
    the projects' types, jobs and capital; countries by name, a row for ambassadors with no
    country or projects with no origin recorded at the end. A lead counts while it is landed (as
    the indicators count). Two queries."""
    ambassadors = dict(
        Ambassador.objects.filter(status=Ambassador.Status.ACTIVE)
        .values_list("country")
        .annotate(n=Count("pk"))
        .order_by()
    )
    landed = {
        row["origin_country"]: row
        for row in Lead.objects.filter(stage=Lead.Stage.LANDED, landed_on__isnull=False)
        .values("origin_country")
        .annotate(
            projects=Count("pk"),
            fdi=Count("pk", filter=Q(kind=Lead.Kind.FDI)),
            uk_office=Count("pk", filter=Q(kind=Lead.Kind.UK_OFFICE)),
            expansion=Count("pk", filter=Q(kind=Lead.Kind.EXPANSION)),
            new_jobs=Sum("new_jobs"),
            safeguarded_jobs=Sum("safeguarded_jobs"),
            capital=Sum("capital_invested"),
        )
        .order_by()
    }
    rows = []
    for code in sorted(set(ambassadors) | set(landed), key=lambda c: (c == "", country_name(c))):
        row = MapRow(
            country=code,
            country_name=country_name(code) if code else "Not recorded",
            numeric=countries.numeric(code, padded=True) or "" if code else "",
            ambassadors=ambassadors.get(code, 0),
        )
        if code in landed:
            figures = landed[code]
            row.projects, row.fdi = figures["projects"], figures["fdi"]
            row.uk_office, row.expansion = figures["uk_office"], figures["expansion"]
            row.new_jobs, row.safeguarded_jobs = figures["new_jobs"] or 0, figures["safeguarded_jobs"] or 0
            row.capital = figures["capital"] or Decimal(0)
        rows.append(row)
    totals = MapRow(country="", country_name="All countries", numeric="")
    for name in ("ambassadors", "projects", "fdi", "uk_office", "expansion", "new_jobs", "safeguarded_jobs", "capital"):
        setattr(totals, name, sum((getattr(row, name) for row in rows), start=getattr(totals, name)))
    return NetworkMap(rows=rows, totals=totals)


# The public directory as open data --------------------------------------------------------------

DIRECTORY_EXPORT_FIELDS = [
    "id",
    "name",
    "country",
    "country_name",
    "city",
    "sectors",
    "expertise",
    "languages",
    "bio",
    "page",
]


def directory_export_rows(*, page_url) -> list[dict]:
    """Every profile of the public directory (``Ambassador.objects.public()``: consented, active or
    paused) as a row of ``DIRECTORY_EXPORT_FIELDS``, exactly what the public profile page shows and
    nothing more; ``sectors`` is a list of sector codes, ``page`` the profile's address made by
    ``page_url(path)``. Two queries."""
    return [
        {
            "id": ambassador.pk,
            "name": ambassador.full_name,
            "country": ambassador.country.code or "",
            "country_name": ambassador.country.name or "",
            "city": ambassador.city,
            "sectors": ambassador.sector_codes,
            "expertise": ambassador.expertise,
            "languages": ambassador.languages,
            "bio": ambassador.bio,
            "page": page_url(reverse("ambassadors:directory-profile", args=[ambassador.pk])),
        }
        for ambassador in Ambassador.objects.public().for_directory().order_by("full_name", "pk")
    ]


def directory_modified() -> datetime.datetime | None:
    """When an ambassador's profile last changed, public or not (a withdrawn consent changes the
    directory too); None while there is none. One query."""
    return Ambassador.objects.aggregate(last=Max("updated_at"))["last"]


# Naming the ambassador a lead is credited to ---------------------------------------------------


def creditable_ambassadors():
    """The ambassadors a lead may be credited to: every one who has accepted their invitation
    (active, paused or retired)."""
    return Ambassador.objects.exclude(status=Ambassador.Status.INVITED)


def ambassador_suggestions(text: str) -> list[Suggestion]:
    """The first ambassadors a lead may be credited to that a member of staff typing ``text`` may
    mean, for the lead forms' suggestions (``portal.suggestions``): by the start of their email
    address when ``text`` has an "@", else by the start of their name or of a word in it. Each is
    suggested by its email address, which ``ambassador_find`` finds again however many share the
    name, labelled with the name, the country and the status unless active. One query, or two
    when few names start with ``text``."""
    ambassadors = creditable_ambassadors().select_related("user").only("full_name", "country", "status", "user__email")
    if "@" in text:
        rows = ambassadors.filter(user__email__istartswith=text).order_by("user__email", "pk")[:LIMIT]
    else:
        rows = name_matches(ambassadors, "full_name", text)
    found = []
    for ambassador in rows:
        status = "" if ambassador.status == Ambassador.Status.ACTIVE else ambassador.get_status_display().lower()
        label = ", ".join(part for part in (ambassador.full_name, ambassador.country.name, status) if part)
        found.append(Suggestion(ambassador.user.email, label))
    return found


@dataclass(frozen=True)
class AmbassadorMatch:
    """What a typed text names: the ambassador, or why it names none (``problem``, for staff)."""

    ambassador: Ambassador | None
    problem: str = ""


def ambassador_find(text: str) -> AmbassadorMatch:
    """The ambassador a lead may be credited to that ``text`` names: by email address, exactly but
    ignoring case, or else by full name, ignoring case and extra spaces. A text that names nobody,
    a name several such ambassadors share, and the name of one still invited each give a
    ``problem`` that says what to type instead, as does a text of only spaces (a form's empty
    field names nobody before it gets here). One query, none for an empty text."""
    text = " ".join(text.split())
    if not text:
        return AmbassadorMatch(None, "Enter the ambassador's email address or name")
    by_email = Q(user__email__iexact=text)
    rows = list(
        Ambassador.objects.filter(by_email | Q(full_name__iexact=text))
        .annotate(
            # An address names one person whatever their name; the invited cannot be credited.
            _by_email=Case(When(by_email, then=Value(1)), default=Value(0), output_field=IntegerField()),
            _invited=Case(
                When(status=Ambassador.Status.INVITED, then=Value(1)), default=Value(0), output_field=IntegerField()
            ),
        )
        .select_related("user")
        .order_by("-_by_email", "_invited", "pk")[:2]
    )
    if not rows:
        if "@" in text:
            return AmbassadorMatch(None, f"No ambassador has the email address “{text}”: check it, or type their name")
        return AmbassadorMatch(None, f"No ambassador called “{text}”: check the spelling, or type their email")
    first = rows[0]
    if first._by_email:
        return AmbassadorMatch(first)
    if first._invited:
        return AmbassadorMatch(
            None, f"{first.full_name} has not accepted their invitation yet: a lead is credited only once they have"
        )
    if len(rows) > 1 and not rows[1]._invited:
        return AmbassadorMatch(
            None, f"More than one ambassador is called “{text}”: type the email address of the one you mean"
        )
    return AmbassadorMatch(first)
