"""The firms of the large synthetic data set (``seed_demo --scale large``, local use and
benchmarks only): a region's register at full size, loaded with ``COPY`` (``portal.bulk_copy``).

``seed(firms=100_000)`` makes that many firms, Companies House numbers ``XL000001``… (the
large set's own prefix; the demo firms are ``SY…``) and names ending "(synthetic)", born in cohorts over the 15
calendar years up to this one and more of them each year; skewed by sector (software first) and
borough (Birmingham first, one in eleven outside the WMCA area); a realistic share dissolved each
year of their life; mostly home-grown, some relocated from the UK or abroad. Each firm reports
its facts for most years it was active (``FIRM_YEARS_PER_FIRM`` per firm on average, exactly):
headcount growing, flat or shrinking (one in twelve a high-growth firm), turnover, and
leadership and staff diversity counts that always fit inside each other, with consent for most.

Deterministic: the same number of firms on the same day gives the same rows (seeded random).
Idempotent: when the firms are there already, nothing is added; a different number already loaded
is refused (``LargeDataError``), as the other apps' large data would no longer fit it. The other
apps' ``demo_large`` modules read these firms through ``large_firms()``.
"""

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .bulk_copy import ids_reserve, rows_copy, tables_analyse
from .models import FirmYear, LocalAuthority, Organisation, Sector

LARGE_FIRMS = 100_000
NUMBER_PREFIX = "XL"
MARK = "(synthetic)"
COHORT_YEARS = 15
FIRM_YEARS_PER_FIRM = 4
DEMO_PARTNER = "Birmingham Tech (demo)"  # made by ``portal.demo.seed``; maintains one firm in twenty

# Skewed as a real register is: most firms write software, most are in Birmingham.
SECTOR_WEIGHTS = {
    Sector.SOFTWARE: 22,
    Sector.FINTECH: 10,
    Sector.AI_DATA: 9,
    Sector.ECOMMERCE: 9,
    Sector.HEALTHTECH: 8,
    Sector.CREATIVE: 8,
    Sector.MANUFACTURING: 6,
    Sector.GAMES: 5,
    Sector.MOBILITY: 5,
    Sector.CLEANTECH: 4,
    Sector.CYBER: 4,
    Sector.EDTECH: 3,
    Sector.PROPTECH: 3,
    Sector.TELECOMS: 2,
    Sector.OTHER_TECH: 2,
}
BOROUGH_WEIGHTS = {
    LocalAuthority.BIRMINGHAM: 42,
    LocalAuthority.COVENTRY: 14,
    LocalAuthority.WOLVERHAMPTON: 9,
    LocalAuthority.SOLIHULL: 8,
    LocalAuthority.DUDLEY: 7,
    LocalAuthority.SANDWELL: 6,
    LocalAuthority.WALSALL: 5,
    LocalAuthority.OUTSIDE: 9,
}
ORIGIN_WEIGHTS = {
    Organisation.Origin.HOME_GROWN: 85,
    Organisation.Origin.RELOCATED_UK: 9,
    Organisation.Origin.RELOCATED_ABROAD: 6,
}
ABROAD = {"US": 20, "IN": 18, "DE": 9, "FR": 7, "IE": 7, "CN": 6, "NG": 6, "PL": 5, "JP": 4, "CA": 4, "ES": 4}
NON_TECH_SHARE = 0.1
COHORT_GROWTH = 1.06  # each cohort about 6% larger than the one before
# Chance a firm is dissolved in its 1st, 2nd, … year of life (the last figure for every later year).
DISSOLUTION_HAZARD = [0.05, 0.09, 0.09, 0.08, 0.07, 0.06, 0.05]
WORDS = [
    "Amber", "Apex", "Aster", "Beacon", "Birch", "Bluepeak", "Canal", "Cedar", "Cobalt", "Copper",
    "Crest", "Delta", "Ember", "Falcon", "Fern", "Foundry", "Granite", "Harbour", "Helix", "Indigo",
    "Iron", "Juniper", "Kestrel", "Lark", "Lumen", "Maple", "Meridian", "Mosaic", "Nimbus", "Northway",
    "Oak", "Onyx", "Orbit", "Pennine", "Pixel", "Polaris", "Quantia", "Quarry", "Raven", "Ridge",
    "Saffron", "Sable", "Signal", "Silver", "Spire", "Summit", "Tamar", "Thistle", "Union", "Vale",
    "Vector", "Vireo", "Willow", "Wren", "Yew", "Zephyr",
]  # fmt: skip
KINDS = [
    "Analytics", "Labs", "Robotics", "Payments", "Health", "Mobility", "Security", "Games", "Systems",
    "Digital", "Data", "Software", "Studios", "Networks", "Energy", "Learning", "Works", "Cloud",
]  # fmt: skip


class LargeDataError(Exception):
    """The large data set cannot be loaded here (a different size is loaded already)."""


@dataclass(frozen=True)
class LargeFirm:
    """What the other apps' large-data loaders need to know of one firm."""

    id: int
    company_number: str
    name: str
    sector: str
    local_authority: str
    founded_on: datetime.date
    dissolved_on: datetime.date | None
    origin: str
    origin_country: str
    is_tech: bool


def large_firms() -> list[LargeFirm]:
    """Every firm of the large data set, by Companies House number (empty when none is loaded)."""
    fields = list(LargeFirm.__dataclass_fields__)
    rows = (
        Organisation.objects.filter(company_number__startswith=NUMBER_PREFIX)
        .order_by("company_number")
        .values_list(*fields)
    )
    return [LargeFirm(*row) for row in rows.iterator(chunk_size=10_000)]


def large_firm_count() -> int:
    return Organisation.objects.filter(company_number__startswith=NUMBER_PREFIX).count()


def _weighted(rng: random.Random, weights: dict, k: int) -> list:
    return rng.choices(list(weights), weights=list(weights.values()), k=k)


def _founded(rng: random.Random, today: datetime.date, k: int) -> list[datetime.date]:
    """Founding dates of ``k`` firms over the last ``COHORT_YEARS`` calendar years, each cohort
    ``COHORT_GROWTH`` times the one before; none after today."""
    years = list(range(today.year - COHORT_YEARS + 1, today.year + 1))
    chosen = rng.choices(years, weights=[COHORT_GROWTH**i for i in range(len(years))], k=k)
    dates = []
    for year in chosen:
        first, last = datetime.date(year, 1, 1), min(today, datetime.date(year, 12, 31))
        dates.append(first + datetime.timedelta(days=rng.randint(0, (last - first).days)))
    return dates


def _dissolved(rng: random.Random, founded: datetime.date, today: datetime.date) -> datetime.date | None:
    age = 0
    while True:
        start = founded + datetime.timedelta(days=365 * age)
        if start > today:
            return None
        if rng.random() < DISSOLUTION_HAZARD[min(age, len(DISSOLUTION_HAZARD) - 1)]:
            day = start + datetime.timedelta(days=rng.randint(0, 364))
            return day if day <= today else None
        age += 1


def _firm_rows(rng: random.Random, ids: range, today: datetime.date, partner_id: int | None) -> list[tuple]:
    count = len(ids)
    sectors = _weighted(rng, SECTOR_WEIGHTS, count)
    boroughs = _weighted(rng, BOROUGH_WEIGHTS, count)
    origins = _weighted(rng, ORIGIN_WEIGHTS, count)
    founded = _founded(rng, today, count)
    rows = []
    for n, pk in enumerate(ids, start=1):
        is_tech = rng.random() >= NON_TECH_SHARE
        origin = origins[n - 1]
        country = _weighted(rng, ABROAD, 1)[0] if origin == Organisation.Origin.RELOCATED_ABROAD else ""
        rows.append(
            (
                pk,
                f"{rng.choice(WORDS)} {rng.choice(KINDS)} {n:06d} Ltd {MARK}",
                Organisation.Kind.FIRM,
                f"{NUMBER_PREFIX}{n:06d}",
                sectors[n - 1] if is_tech else Sector.NON_TECH,
                boroughs[n - 1],
                founded[n - 1],
                _dissolved(rng, founded[n - 1], today),
                origin,
                country,
                is_tech,
                partner_id if partner_id and n % 20 == 0 else None,
            )
        )
    return rows


FIRM_FIELDS = [
    "id",
    "name",
    "kind",
    "company_number",
    "sector",
    "local_authority",
    "founded_on",
    "dissolved_on",
    "origin",
    "origin_country",
    "is_tech",
    "recorded_by_id",
]
FIRM_YEAR_FIELDS = [
    "organisation_id",
    "year",
    "employees",
    "turnover_gbp",
    "leadership_total",
    "leadership_disclosed",
    "leadership_women",
    "leadership_ethnic_minority",
    "staff_total",
    "staff_disclosed",
    "staff_women",
    "staff_ethnic_minority",
    "consent",
    "source",
    "as_of",
    "recorded_by_id",
]


def _share(people: int, rate: float) -> int:
    """``rate`` of ``people``, rounded, never more than ``people``."""
    return min(people, round(people * rate))


def _active_years(firm: tuple, last_year: int) -> range:
    """The years ``firm`` (a row of ``FIRM_FIELDS``) was active, up to ``last_year``."""
    founded, dissolved = firm[6], firm[7]
    return range(founded.year, min(dissolved.year if dissolved else last_year, last_year) + 1)


YEAR_ENDS = {year: datetime.date(year + 1, 1, 31) for year in range(1990, 2101)}


def _firm_years(rng: random.Random, firm: tuple, years: range, partner_id: int | None) -> list[tuple]:
    """A row for each of ``years`` for ``firm``, with a headcount path and counts that fit the
    constraints (each diversity count at most the disclosed count, at most the total)."""
    pk, recorded_by = firm[0], firm[11]
    kind = rng.random()
    if kind < 0.08:  # a high-growth firm for a while
        growth = rng.uniform(0.25, 0.6)
    elif kind < 0.55:
        growth = rng.uniform(0.0, 0.15)
    elif kind < 0.88:
        growth = rng.uniform(-0.05, 0.05)
    else:
        growth = rng.uniform(-0.2, -0.05)
    employees = 1 + int(rng.lognormvariate(0.7, 0.9))
    per_head = rng.randint(35_000, 150_000)
    women, minority = rng.betavariate(2, 5), rng.betavariate(2, 7)
    disclosure = rng.uniform(0.55, 1.0) / 1.15  # at most 1 once the yearly wobble is applied
    consent = rng.random() < 0.85
    pick = rng.random()
    source = "self_reported" if pick < 0.6 else "partner" if pick < 0.9 else "staff"
    reporter = (recorded_by or partner_id) if source == "partner" else None
    rows = []
    random_ = rng.random  # the loop below runs for every firm-year: plain floats, no randint
    for year in years:
        # Diversity counts are not given every year; the shares wander a little from year to year.
        known, wobble = random_() >= 0.2, 0.85 + 0.3 * random_()
        leaders = max(1, min(employees, round(employees**0.45 + 1.5 * random_() - 0.5)))
        turnover = round(employees * per_head * (0.8 + 0.4 * random_())) if random_() >= 0.1 else None
        if known:
            leaders_disclosed = leaders - int(random_() * (leaders // 3 + 1))
            staff_disclosed = _share(employees, disclosure * wobble)
            counts = (
                leaders_disclosed,
                _share(leaders_disclosed, women * wobble),
                _share(leaders_disclosed, minority * wobble),
                employees,
                staff_disclosed,
                _share(staff_disclosed, women * wobble),
                _share(staff_disclosed, minority * wobble),
            )
        else:
            counts = (None, None, None, employees, None, None, None)
        rows.append((pk, year, employees, turnover, leaders, *counts, consent, source, YEAR_ENDS[year], reporter))
        employees = max(1, min(5_000, round(employees * (0.9 + growth + 0.2 * random_()))))
        if growth > 0.2 and random_() < 0.25:  # high growth does not last for ever
            growth = 0.1 * random_()
    return rows


def _reported(rng: random.Random, firms: list[tuple], years: list[range], skipped: set[int], partner_id):
    """The firm-years of ``firms`` but those whose running index is in ``skipped``, one by one."""
    index = 0
    for firm, active in zip(firms, years, strict=True):
        for row in _firm_years(rng, firm, active, partner_id):
            if index not in skipped:
                yield row
            index += 1


@transaction.atomic
def seed(*, firms: int = LARGE_FIRMS, today: datetime.date | None = None) -> dict:
    """Load ``firms`` synthetic firms and ``FIRM_YEARS_PER_FIRM`` × ``firms`` firm-years with
    ``COPY`` (PostgreSQL only: ``portal.bulk_copy.BulkCopyError`` elsewhere). Returns counts:
    ``firms``, ``firm_years`` (of the large set) and ``new`` (False when they were there already).

    Idempotent; raises ``LargeDataError`` when a different number of large-set firms is loaded.
    Writes no change history (as ``bulk_create``); the caller bumps the data versions."""
    existing = large_firm_count()
    if existing == firms:
        return _counts(new=False)
    if existing:
        raise LargeDataError(
            f"The large data set is loaded already with {existing:,} firms, not {firms:,}: "
            "load it into a new, empty database."
        )
    today = today or timezone.localdate()
    rng = random.Random(14_2026)  # noqa: S311 - demo data, not security
    partner = Organisation.objects.filter(name=DEMO_PARTNER).values_list("pk", flat=True).first()
    firm_rows = _firm_rows(rng, ids_reserve(Organisation, firms), today, partner)
    rows_copy(Organisation, FIRM_FIELDS, firm_rows)

    # Facts are reported once a year has ended. Every active year is a candidate; some are left
    # unreported so that exactly FIRM_YEARS_PER_FIRM per firm remain, spread evenly at random.
    years = [_active_years(firm, today.year - 1) for firm in firm_rows]
    candidates = sum(map(len, years))
    skipped = set(rng.sample(range(candidates), max(0, candidates - FIRM_YEARS_PER_FIRM * firms)))
    rows_copy(FirmYear, FIRM_YEAR_FIELDS, _reported(rng, firm_rows, years, skipped, partner))
    tables_analyse(Organisation, FirmYear)
    return _counts(new=True)


def _counts(*, new: bool) -> dict:
    return {
        "new": new,
        "firms": large_firm_count(),
        "firm_years": FirmYear.objects.filter(organisation__company_number__startswith=NUMBER_PREFIX).count(),
    }
