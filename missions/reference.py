"""Load the official reference figures (``missions/data/reference/*.csv``) as observations.

Every row is mapped explicitly: its indicator name through ``INDICATOR_BY_NAME`` and its geography
through ``GEOGRAPHY_BY_NAME``. A row that cannot be mapped, or whose value is not a number, is
skipped and reported with its reason; nothing is guessed. Bounds (">120") keep their comparator.
"""

import calendar
import csv
import datetime
import re
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from missions.geographies import BOROUGH_CODES, WMCA_CODE
from missions.models import Geography, Indicator, Observation
from missions.values import observation_value_errors
from portal.models import LocalAuthority
from portal.page_cache import data_version_bump

REFERENCE_DIRECTORY = Path(__file__).resolve().parent / "data" / "reference"

# CSV geography text -> Geography.code. "West Midlands" is the ITL1 region, as the ONS names it.
GEOGRAPHY_BY_NAME = {
    "United Kingdom": "K02000001",
    "England": "E92000001",
    "Northern Ireland": "N92000002",
    "West Midlands": "E12000005",
    "West Midlands (region)": "E12000005",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
    "WMCA area": WMCA_CODE,
    "WMCA 7 metropolitan boroughs": WMCA_CODE,
    # "Birmingham", "Coventry", ...: each borough by its name.
    **{LocalAuthority(borough).label: code for borough, code in BOROUGH_CODES.items()},
    "United Kingdom (TTC signatories)": "TTC-SIGNATORIES",
}

_FIVE_YEAR = "Five-year survival rate (births {} still active {})"
_HGE_SHARE = (
    "High-growth businesses as share of businesses with 10+ employees (employment growth >20% p.a. over 3 years)"
)

# CSV indicator text -> Indicator.code: a catalogue indicator where the row is its official
# comparator, otherwise a comparator-only indicator (M<n>-R-…).
INDICATOR_BY_NAME = {
    # M1 business demography
    "Business births": "M1-R-BIRTHS",
    "Business births (cohort size)": "M1-R-BIRTHS",
    "Business birth rate": "M1-R-BIRTHRATE",
    "Business deaths": "M1-R-DEATHS",
    "Business deaths (as revised in 2023 bulletin)": "M1-R-DEATHS",
    "Business deaths (first estimate)": "M1-R-DEATHS",
    "Business death rate": "M1-R-DEATHRATE",
    "Business death rate (as revised in 2023 bulletin)": "M1-R-DEATHRATE",
    "Business death rate (first estimate)": "M1-R-DEATHRATE",
    "Active businesses": "M1-R-ACTIVE",
    "Active enterprises per 10,000 population aged 16 to 64": "M1-R-ACTIVE10K",
    "1-year survival rate": "M1-04-1Y",
    "2-year survival rate": "M1-R-SURV2Y",
    "3-year survival rate": "M1-04-3Y",
    "4-year survival rate": "M1-R-SURV4Y",
    "5-year survival rate": "M1-04-5Y",
    _FIVE_YEAR.format(2012, 2017): "M1-04-5Y",
    _FIVE_YEAR.format(2007, 2012): "M1-04-5Y",
    _FIVE_YEAR.format(2018, 2023): "M1-04-5Y",
    **{f"Enterprises surviving {n} year(s)": f"M1-R-SURVIVORS{n}" for n in range(1, 6)},
    "High-growth businesses (employment measure)": "M1-R-HGB",
    _HGE_SHARE: "M1-06",
    "Scaleups (turnover or employment growth >20% p.a. over 3 years, ONS data)": "M1-R-SCALEUPS",
    "Scaling businesses supported through Aston Small Business Growth Programme": "M1-R-SCALEUPS",
    # M1 diversity (TTC, BCS, GOV.UK HGE founders)
    "Women/gender minorities in tech roles (TTC signatories)": "M1-10W",
    "Women in tech roles (TTC signatories)": "M1-10W",
    "Women in UK wider tech workforce (comparator quoted by TTC)": "M1-10W",
    "Female IT specialists": "M1-10W",
    "Gender minorities in senior tech roles (TTC signatories)": "M1-08",
    "Ethnic minority tech workers (TTC signatories)": "M1-10E",
    "IT specialists from ethnic minorities": "M1-10E",
    "Ethnic minority employees in senior tech roles (TTC signatories)": "M1-09",
    "IT specialists aged 50+": "M1-R-IT50",
    "OECD-defined HGEs with all-female founders": "M1-R-HGEFOUNDF",
    "OECD-defined HGEs with all-male founders": "M1-R-HGEFOUNDM",
    # M1 investment
    "Equity investment into smaller businesses (all sectors)": "M1-R-EQUITY",
    "Equity investment into smaller businesses": "M1-R-EQUITY",
    "Equity deals into smaller businesses": "M1-R-EQUITYDEALS",
    "Funding raised by tech startups and scaleups": "M1-R-TECHVC",
    "VC raised by region's startups since 2020 (more than 2,300 startups)": "M1-R-TECHVC",
    "Venture capital investment into startups": "M1-R-VCUSD",
    "Share of UK venture capital and private equity investment by value": "M1-R-VCSHARE",
    "Digital sector GVA per person": "M1-R-GVA",
    "Digital and creative sector GVA per employee gap vs UK average": "M1-R-GVA",
    "Tech sector value / businesses / employment (WMCA statement at roadmap refresh)": "M1-R-TECHSECTOR",
    "WMCA-Birmingham Tech partnership programme budget": "M1-R-BUDGET",
    # M1 FDI
    "FDI projects landed": "M1-R-FDI",
    "New jobs from FDI projects": "M1-R-FDIJOBS",
    "FDI projects (EY Attractiveness Survey methodology)": "M1-R-FDIEY",
    # M2 digital inclusion
    "Residents who are internet non-users": "M2-01",
    "Adults who are internet non-users (baseline 'highest in UK')": "M2-01",
    "Share of residents who are internet non-users (target: reduce to UK average)": "M2-01",
    "Share of population who are non or limited users of the internet": "M2-02",
    "Residents who are limited internet users": "M2-R-LIMITED",
    "People saying lack of internet access limits day-to-day activities": "M2-R-LIMITS",
    "Of whom living in top 10% most deprived LSOAs": "M2-R-LIMITSDEP",
    "Adults who were recent internet users (used in last 3 months)": "M2-R-RECENT",
    "Recent internet users (highest region)": "M2-R-RECENT",
    "Recent internet users (lowest region)": "M2-R-RECENT",
    "Adults who had never used the internet": "M2-R-NEVER",
    "Adults without Essential Digital Skills for life": "M2-R-NOEDS",
    "Adults without foundation-level digital skills": "M2-R-NOEDS",
    "People lacking basic digital skills": "M2-R-NOBASIC",
    "Households without home internet access": "M2-R-NOHOME",
    "Families below the Minimum Digital Living Standard": "M2-R-MDLS",
    "Local residents who have taken part in digital bootcamps (50% female, 50% Black and ethnic minority)": "M2-06",
    "Employers saying digital skills are difficult to obtain from applicants (highest UK region)": "M2-R-SKILLSGAP",
    # M4 connectivity
    "Homes with gigabit-capable broadband availability (full fibre + cable)": "M4-01",
    "Residential premises with gigabit-capable availability": "M4-01",
    "Homes with gigabit-capable availability": "M4-01",
    "Homes and businesses with gigabit capability": "M4-01",
    "Gigabit-capable coverage": "M4-01",
    "Gigabit broadband availability (techUK Local Digital Index)": "M4-01",
    "UK Government gigabit target (Project Gigabit)": "M4-01",
    "Homes with full-fibre (FTTP) availability": "M4-02",
    "Residential premises with full-fibre availability": "M4-02",
    "Homes with full-fibre availability": "M4-02",
    "Full fibre coverage": "M4-02",
    "Full fibre coverage (England average quoted)": "M4-02",
    "Full fibre coverage in Sandwell, Walsall and Dudley (baseline)": "M4-02",
    "People with access to full fibre (target), with best fibre access in deprived areas": "M4-03",
    "Homes and businesses unable to access decent broadband (10/1 Mbit/s)": "M4-05",
    "5G mobile population coverage (target: best in UK)": "M4-06",
    "5G coverage (umlaut audit, combined authority areas)": "M4-R-5GUMLAUT",
    "Locations with 5G from at least one operator (umlaut)": "M4-R-5GUMLAUT",
    "4G outdoor coverage (target)": "M4-07",
    "4G indoor coverage (target)": "M4-R-4GINDOOR",
    "Share of geography with no 4G coverage (baseline)": "M4-R-NO4G",
    "Full-fibre take-up where available": "M4-08",
    # M5
    "Regional carbon reduction (WM2041 net zero strategy)": "M5-06",
}

_NUMBER = r"-?\d+(?:\.\d+)?"
_BOUNDED = re.compile(rf"^(>=|<=|>|<)?\s*({_NUMBER})$")
_BASELINE_TO_TARGET = re.compile(rf"^({_NUMBER})\s*->\s*({_NUMBER})$")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_FINANCIAL_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
_YEAR_RANGE = re.compile(r"(?<!\d)(\d{4})-(\d{4}|\d{2})(?!\d)")
_DAY = re.compile(r"(\d{1,2}) ([A-Z][a-z]{2})[a-z]* (\d{4})")
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
_MONTH_RANGE = re.compile(r"\b([A-Z][a-z]{2})[a-z]*(?:-([A-Z][a-z]{2})[a-z]*)? (\d{4})")
_SOURCE_DATE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")  # 2024, 2024-11, 2024-11-18
_STATUS_PRIORITY = {"published": 0, "derived": 1, "target": 2, "secondary": 3}


class RowSkippedError(Exception):
    """A reference row that cannot be loaded; the message is the reason reported back."""


def _value_parse(text: str) -> tuple[str, Decimal, str]:
    """Return (bound, value, baseline note) for a CSV value; raise RowSkippedError if not a number."""
    cleaned = text.strip().replace(",", "")
    if match := _BASELINE_TO_TARGET.match(cleaned):
        return "", Decimal(match[2]), f"Baseline {match[1]}; target {match[2]}."
    if match := _BOUNDED.match(cleaned):
        return match[1] or "", Decimal(match[2]), ""
    raise RowSkippedError(f"value {text!r} is not a number or a bound")


def _year_span(first: int, last: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(first, 1, 1), datetime.date(last, 12, 31)


def _period_parse(period: str, source_date: str, *, is_target: bool) -> tuple[datetime.date, datetime.date]:
    """Dates of a CSV period: a year, a financial year, a year range, days or months; else the first
    4-digit year (for a target the part after '->'); else the source date's year."""
    text = period.split("->")[-1] if is_target else period
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return _year_span(int(text), int(text))
    if match := _FINANCIAL_YEAR.match(text):
        start = int(match[1])
        return datetime.date(start, 4, 1), datetime.date(start + 1, 3, 31)
    days = [datetime.date(int(y), _MONTHS[m], int(d)) for d, m, y in _DAY.findall(text) if m in _MONTHS] or [
        datetime.date(*map(int, iso)) for iso in _ISO_DAY.findall(text)
    ]
    if days:
        return days[0], days[-1]
    if match := _YEAR_RANGE.search(text):
        first, last = match[1], match[2]
        last = last if len(last) == 4 else first[:2] + last
        return _year_span(int(first), int(last))
    if (match := _MONTH_RANGE.search(text)) and match[1] in _MONTHS:
        year, first_month = int(match[3]), _MONTHS[match[1]]
        last_month = _MONTHS.get(match[2] or match[1], first_month)
        return datetime.date(year, first_month, 1), datetime.date(
            year, last_month, calendar.monthrange(year, last_month)[1]
        )
    if years := _YEAR.findall(text):
        return _year_span(int(years[0]), int(years[0]))
    if years := _YEAR.findall(source_date):
        return _year_span(int(years[0]), int(years[0]))
    raise RowSkippedError(f"no year in period {period!r} or source date {source_date!r}")


def _rows_read(directory: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    # When two rows land on the same observation key, the publisher's own figure wins over a
    # derived one, and that over a secondary report; then the later release.
    rows.sort(key=lambda row: row["source_date"], reverse=True)
    rows.sort(key=lambda row: _STATUS_PRIORITY.get(row["value_status"], 9))
    return rows


@transaction.atomic
def reference_figures_load(*, directory: Path | None = None) -> dict:
    """Upsert one Observation per reference CSV row found in ``directory`` (default: the app's
    ``data/reference``). Idempotent: keyed on (indicator, period label, geography, status).

    Returns ``{"loaded": n, "skipped": [(row id, reason), …]}``. A row is skipped, never guessed,
    when its geography or indicator is not in the explicit mappings, its indicator is not in the
    catalogue (run ``indicator_catalogue_sync`` first), its value is not a number or a bound, or an
    earlier-ranked row already gave the same observation.
    """
    indicators = {i.code: i for i in Indicator.objects.all()}
    geographies = {g.code: g for g in Geography.objects.all()}
    loaded = 0
    skipped: list[tuple[str, str]] = []
    taken: dict[tuple, str] = {}
    for row in _rows_read(directory or REFERENCE_DIRECTORY):
        row_id = row["id"]
        try:
            observation, key = _observation_fields(row, indicators, geographies)
            if key in taken:
                raise RowSkippedError(f"same indicator, period, geography and status as {taken[key]}, which is kept")
        except RowSkippedError as error:
            skipped.append((row_id, str(error)))
            continue
        taken[key] = row_id
        indicator, period_label, geography, status = key
        Observation.objects.update_or_create(
            indicator=indicator,
            period_label=period_label,
            geography=geography,
            status=status,
            defaults=observation,
        )
        loaded += 1
    data_version_bump("missions")
    skipped.sort()
    return {"loaded": loaded, "skipped": skipped}


def _observation_fields(row: dict[str, str], indicators: dict, geographies: dict) -> tuple[dict, tuple]:
    """Map one CSV row to (observation defaults, unique key); raise RowSkippedError with the reason."""
    geography_code = GEOGRAPHY_BY_NAME.get(row["geography"])
    if geography_code is None or geography_code not in geographies:
        raise RowSkippedError(f"geography {row['geography']!r} is not in the geography vocabulary")
    if row["source_date"] and not _SOURCE_DATE.match(row["source_date"]):
        raise RowSkippedError(f"source date {row['source_date']!r} is not a year, a month or a day (2024-11-18)")
    bound, value, baseline_note = _value_parse(row["value"])
    indicator_code = INDICATOR_BY_NAME.get(row["indicator"])
    if indicator_code is None:
        raise RowSkippedError(f"indicator {row['indicator']!r} has no mapping to a catalogue indicator")
    if indicator_code not in indicators:
        raise RowSkippedError(f"indicator {indicator_code} is not in the catalogue")
    is_target = row["value_status"] == "target" or bool(baseline_note)
    status = Observation.Status.TARGET if is_target else Observation.Status.PUBLISHED
    period_start, period_end = _period_parse(row["period"], row["source_date"], is_target=is_target)
    indicator = indicators[indicator_code]
    # The rules every reported value meets; a target may lie beyond next year, so only its value
    # is checked.
    broken = observation_value_errors(
        indicator=indicator,
        value=value,
        period_start=period_start,
        period_end=max(period_end, period_start),
        check_period=not is_target,
    )
    if broken:
        raise RowSkippedError(
            f"{indicator_code} ({indicator.unit}, {indicator.get_frequency_display().lower()}): "
            + " ".join(broken[field] for field in sorted(broken))
        )
    notes = [
        f"Reference row {row['id']}: {row['indicator']}.",
        f"Unit as published: {row['unit']}." if row["unit"] and row["unit"] != indicator.unit else "",
        baseline_note,
        "Derived by the reference data's compiler from the publisher's counts."
        if row["value_status"] == "derived"
        else "",
        row["notes"],
    ]
    fields = {
        "period_start": period_start,
        "period_end": max(period_end, period_start),
        "value": value,
        "bound": bound,
        "source_title": row["source_title"][:300],
        "source_url": row["source_url"][:500],
        "source_publisher": row["original_publisher"][:200],
        "source_date": row["source_date"],
        "secondary": row["value_status"] == "secondary",
        "notes": " ".join(part for part in notes if part),
    }
    key = (indicator, row["period"][:60], geographies[geography_code], status)
    return fields, key
