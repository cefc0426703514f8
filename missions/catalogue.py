"""The indicator catalogue as data (KPIS.md §4 and §1.2), and the service that writes it.

Computed indicators name their registry function in ``computation``; reported indicators and the
comparator-only indicators (``M<n>-R-…``, which exist so the official reference figures have an
indicator to hang on) have none. Owners are left empty: staff own an indicator until it is assigned.
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from missions.models import Indicator, Mission
from portal.page_cache import data_version_bump

UP = Indicator.Direction.UP
DOWN = Indicator.Direction.DOWN
ANNUAL = Indicator.Frequency.ANNUAL
QUARTERLY = Indicator.Frequency.QUARTERLY
AD_HOC = Indicator.Frequency.AD_HOC
COMPUTED = Indicator.Method.COMPUTED
REPORTED = Indicator.Method.REPORTED

PORTAL_COHORT = (
    " Labelled 'portal cohort': the portal tracks a selected set of tech firms, not the IDBR census,"
    " so this is not an ONS rate; the official ONS figure is shown beside it, never merged."
)
# Between a methodology's plain-English account and its formula; the indicator page shows the
# formula under "For specialists".
SPECIALISTS = "\n\nFor specialists: "
SUPPRESSION = (
    " Any cell with fewer than 10 people is suppressed (the portal's rule, not a source rule);"
    " the disclosure rate is published alongside the share."
)


@dataclass(frozen=True)
class IndicatorSpec:
    """One catalogue entry; ``code`` is the stable key the sync upserts on."""

    code: str
    mission: str
    name: str
    definition: str
    unit: str
    method: str = REPORTED
    computation: str = ""
    methodology: str = ""
    direction: str = UP
    frequency: str = ANNUAL
    baseline_value: Decimal | None = None
    baseline_period: str = ""
    target_value: Decimal | None = None
    target_date: datetime.date | None = None
    is_public: bool = True


def _survival(years: int) -> IndicatorSpec:
    return IndicatorSpec(
        code=f"M1-04-{years}Y",
        mission="M1",
        name=f"Start-up {years}-year survival (portal cohort)",
        definition=(
            f"Share of the portal firms born in year c that are still active in year c+{years}. ONS/Eurostat "
            "cohort method: enterprises born in year c that survived to c+n, as a percentage of all "
            "enterprises born in year c; survival by take-over counts."
        ),
        methodology=(
            f"Of the tech firms on the portal's register that were founded in a given year, the share still "
            f"trading {years} year{'s' if years > 1 else ''} later. '2021' means the firms born in 2021. It "
            "covers the firms the portal tracks, so it is not the official ONS survival rate, which is shown "
            "beside it."
            + SPECIALISTS
            + f"S_{years}(c) = #{{f in Births(c): active(f, c+{years})}} / #Births(c) x 100. Birth: active in t "
            "but not in t-1 or t-2. Active: turnover or employment at any time in the year (a Companies "
            "House status alone is a weaker proxy)." + PORTAL_COHORT + " Comparator: ONS Business "
            "demography survival by region and local authority for the same cohort."
        ),
        unit="%",
        method=COMPUTED,
        computation=f"survival_{years}y",
    )


def _share(code: str, key: str, name: str, definition: str, comparator: str) -> IndicatorSpec:
    return IndicatorSpec(
        code=code,
        mission="M1",
        name=name,
        definition=definition,
        methodology="The share of people in the group among those who told the portal's firms their gender or "
        "ethnicity, counted from the firms' own yearly returns. A share over fewer than 10 people is withheld."
        + SPECIALISTS
        + "Share = n(group) / n(disclosed) x 100, from self-reported people records."
        + SUPPRESSION
        + f" Comparator: {comparator}",
        unit="%",
        method=COMPUTED,
        computation=key,
    )


def _origin(code: str, key: str, name: str, definition: str) -> IndicatorSpec:
    return IndicatorSpec(
        code=code,
        mission="M1",
        name=name,
        definition=definition,
        methodology=(
            "How many tech firms on the portal's register came about this way, counted from the register "
            "each year."
            + SPECIALISTS
            + "Count of portal-registered tech firms by origin, from the firm register. Domestic relocations "
            "have no official series; FDI is compared with DBT inward investment results (at least 10% "
            "foreign ownership, counted when the project lands), never with EY survey counts."
        ),
        unit="firms",
        method=COMPUTED,
        computation=key,
    )


WORKSPACES_SOURCE = " Source: the portal's workspaces register. Portal-defined, with no official comparator."
# Stands for settings.WORKSPACES_SERVICE_LEVEL_DAYS in the texts; filled in when the catalogue is synced.
SERVICE_LEVEL_DAYS = "[service level days]"
WMCA_APPLICATIONS = (
    " An application counts when it names at least one portal-supported workspace in the seven WMCA"
    " boroughs; applications only for workspaces outside the WMCA area are not counted."
)
SERVICE_LEVEL = (
    " The service level is " + SERVICE_LEVEL_DAYS + " working days from submission to the first decision"
    " (an offer, a rejection or a place on the waiting list). Working days are Monday to Friday, excluding"
    " England and Wales bank holidays, counted from the day after submission up to and including the day of"
    " the decision."
)
SUPPORTED_FIRMS = (
    " Supported firms: the portal's tech firms in the seven WMCA boroughs that have ever held desks in a"
    " portal-supported workspace in the seven WMCA boroughs. Labelled '(supported firms)': these are portal"
    " cohort figures over a small, selected group, not ONS rates, and are shown beside the all-firm portal"
    " figure, never merged with it."
)

WORKSPACE_INDICATORS = [
    IndicatorSpec(
        code="M1-17",
        mission="M1",
        name="Workspace occupancy",
        definition=(
            "Desks let to start-ups in the portal-supported workspaces in the seven WMCA boroughs at the end of "
            "each quarter (today, for the current quarter), as a share of their total desk capacity, for the "
            "WMCA area and for each borough that has workspaces."
        ),
        methodology=(
            "How full the supported workspaces are: the desks let to start-ups on the last day of each quarter, "
            "out of all their desks."
            + SPECIALISTS
            + "Occupancy in a quarter = desks let on the last day of the quarter (for the current quarter: "
            "today) / total desk capacity over every desk type x 100; the desks let and the capacity are "
            "published with it. A tenancy's desks are let on a day when the tenancy started on or before it "
            "and had not ended by it (not ended, or ended after that day). Only let desks count: desks held "
            "by an offer not yet accepted are not let (the staff dashboard shows them as held, workspace by "
            "workspace, live). Each refresh computes every quarter from the quarter of the first tenancy "
            "start to the current one. Capacity is today's capacity; a change of capacity restates earlier "
            "quarters (capacity history is not recorded). Higher is better: a full workspace puts new "
            "applicants on the waiting list." + WORKSPACES_SOURCE
        ),
        unit="%",
        method=COMPUTED,
        computation="workspace_occupancy",
        frequency=QUARTERLY,
    ),
    IndicatorSpec(
        code="M1-18",
        mission="M1",
        name="Workspace applications received",
        definition=(
            "Applications for desks in the portal-supported workspaces in the seven WMCA boroughs submitted by "
            "start-ups in the calendar year."
        ),
        methodology=(
            "How many start-ups applied for desks in the supported workspaces in the year."
            + SPECIALISTS
            + "Count of applications by the calendar year of their submission; drafts never submitted are not "
            "counted, withdrawn ones are." + WMCA_APPLICATIONS + WORKSPACES_SOURCE
        ),
        unit="applications",
        method=COMPUTED,
        computation="workspace_applications_received",
    ),
    IndicatorSpec(
        code="M1-19",
        mission="M1",
        name="Workspace applications decided",
        definition=(
            "Applications for desks in the portal-supported workspaces in the seven WMCA boroughs given a first "
            "decision (an offer, a rejection or a place on the waiting list) in the calendar year."
        ),
        methodology=(
            "How many applications for desks were given a first answer (an offer, a refusal or a waiting-list "
            "place) in the year."
            + SPECIALISTS
            + "Count of applications by the calendar year of their first decision; a later offer to an "
            "application on the waiting list does not count it again." + WMCA_APPLICATIONS + WORKSPACES_SOURCE
        ),
        unit="applications",
        method=COMPUTED,
        computation="workspace_applications_decided",
    ),
    IndicatorSpec(
        code="M1-20",
        mission="M1",
        name="Workspace applications decided within the service level",
        definition=(
            "Of the applications for the portal-supported workspaces in the seven WMCA boroughs first decided in "
            "the calendar year, the share decided within the service level of " + SERVICE_LEVEL_DAYS + " working "
            "days from submission."
        ),
        methodology=(
            "Of the applications for desks answered in the year, the share answered within "
            + SERVICE_LEVEL_DAYS
            + " working days of being sent."
            + SPECIALISTS
            + "Share = applications decided within "
            + SERVICE_LEVEL_DAYS
            + " working days / applications first "
            "decided in the year x 100; both counts are published with it."
            + WMCA_APPLICATIONS
            + SERVICE_LEVEL
            + WORKSPACES_SOURCE
        ),
        unit="%",
        method=COMPUTED,
        computation="workspace_decided_within_service_level",
    ),
    IndicatorSpec(
        code="M1-21",
        mission="M1",
        name="Firms supported with workspace",
        definition=(
            "Distinct supported firms holding desks in a portal-supported workspace in the seven WMCA boroughs "
            "at any time in the calendar year."
        ),
        methodology=(
            "How many different firms had desks in a supported workspace at some time in the year; a firm "
            "counts once."
            + SPECIALISTS
            + "Count of distinct supported firms with a tenancy in such a workspace overlapping the year: started "
            "on or before 31 December and not ended before 1 January. A firm with several tenancies counts "
            "once. Supported firms: the portal's tech firms in the seven WMCA boroughs, the same firms whose "
            "survival (M1-22) and high growth (M1-23) are measured." + WORKSPACES_SOURCE
        ),
        unit="firms",
        method=COMPUTED,
        computation="workspace_supported_firms",
    ),
    IndicatorSpec(
        code="M1-22",
        mission="M1",
        name="Start-up 3-year survival (supported firms)",
        definition=(
            "Share of the workspace-supported firms born in year c that are still active in year c+3: the "
            "start-up survival measure (M1-04) over the supported firms only."
        ),
        methodology=(
            "Of the firms that had desks in a supported workspace and were founded in a given year, the share "
            "still trading 3 years later. '2021' means the firms born in 2021. The group is small, so one firm "
            "moves the figure a long way."
            + SPECIALISTS
            + "S_3(c) = #{f in SupportedBirths(c): active(f, c+3)} / #SupportedBirths(c) x 100, with the same "
            "birth and activity rules as M1-04." + SUPPORTED_FIRMS
        ),
        unit="%",
        method=COMPUTED,
        computation="workspace_supported_survival_3y",
    ),
    IndicatorSpec(
        code="M1-23",
        mission="M1",
        name="High-growth (scale-up) incidence (supported firms)",
        definition=(
            "OECD high-growth enterprises among the workspace-supported firms with at least 10 employees at "
            "the start of the three-year period: the M1-06 measure over the supported firms only."
        ),
        methodology=(
            "Of the firms that had desks in a supported workspace and employed at least 10 people three years "
            "earlier, the share whose staff grew by more than a fifth each year since."
            + SPECIALISTS
            + "HGE_t(f) if employees_{t-3} >= 10 and (x_t / x_{t-3})^(1/3) - 1 > 0.20. Incidence = #HGE_t / "
            "#{supported firms with employees_{t-3} >= 10} x 100, as M1-06." + SUPPORTED_FIRMS
        ),
        unit="%",
        method=COMPUTED,
        computation="workspace_supported_high_growth",
    ),
]

LEADS_SOURCE = " Source: the portal's leads pipeline, which staff keep and ambassadors refer into."
LANDED = (
    " A lead counts as a landed project only while it stands at the stage 'landed' (after staff verified"
    " the win), in the calendar year of its landing date, as DBT counts a project in the year it lands."
    " A lead that landed and was later reopened or lost is not counted at all; one landed again counts"
    " once, in the year of its latest landing date. Every landed lead counts for the WMCA area: a lead is a"
    " project in the region by definition."
)
ACTIVE_AMBASSADOR = (
    " An ambassador is active when they logged at least one activity (an event, introduction, media"
    " appearance, trade mission or investor meeting) in the 90 days up to the day a quarter is measured on:"
    " its last day, or today for the current quarter. Every quarter from the first activity's to the current"
    " one has a value, over at most the last ten years."
)
NETWORK = (
    " Ambassadors on the network in a year: those who accepted their invitation (not merely invited) by 31"
    " December and had not left before 1 January; an ambassador leaves after the year their term ends, or, when"
    " retired with no term end set, after the year they were retired."
)
PORTAL_DEFINED = " Portal-defined, with no official comparator."


def _landed(code: str, key: str, name: str, definition: str, plain: str, formula: str, unit: str) -> IndicatorSpec:
    return IndicatorSpec(
        code=code,
        mission="M1",
        name=name,
        definition=definition,
        methodology=plain + SPECIALISTS + formula + LANDED + LEADS_SOURCE,
        unit=unit,
        method=COMPUTED,
        computation=key,
    )


AMBASSADOR_INDICATORS = [
    _landed(
        "M1-11",
        "leads_landed_fdi",
        "Inward investment projects landed (FDI)",
        "Foreign direct investment projects from the portal's leads pipeline that landed in the region in the "
        "calendar year: a foreign parent owns at least 10% of the shares or voting power of the firm here (DBT).",
        "How many firms from abroad set up or invested in the region in the year, among the leads the "
        "Commissioner's office and its ambassadors worked on.",
        "#X[type = FDI, stage = landed, year(landed_on) = t]. Comparator: DBT inward investment results "
        "(projects landing in the West Midlands; never mixed with EY Attractiveness Survey counts), which count "
        "every project in the region, not only the portal's.",
        "projects",
    ),
    _landed(
        "M1-12",
        "leads_landed_uk_office",
        "UK firms opening an office in the region (landed)",
        "Projects of UK firms based elsewhere opening an office in the region, from the portal's leads pipeline, "
        "landed in the calendar year.",
        "How many firms from elsewhere in the UK opened an office in the region in the year.",
        "#X[type = UK firm opening an office, stage = landed, year(landed_on) = t]. Domestic relocations have no "
        "official series; this one is portal-defined.",
        "projects",
    ),
    _landed(
        "M1-12E",
        "leads_landed_expansion",
        "Expansions of firms already in the region (landed)",
        "Projects of firms already in the region that expanded here, from the portal's leads pipeline, landed "
        "in the calendar year.",
        "How many firms already here grew in the region in the year with the office's help.",
        "#X[type = expansion, stage = landed, year(landed_on) = t]." + PORTAL_DEFINED,
        "projects",
    ),
    _landed(
        "M1-11O",
        "leads_landed_origin_countries",
        "Origin countries of landed projects",
        "Distinct countries the projects landed in the calendar year came from (every type: foreign direct "
        "investment, UK firms opening an office and expansions). The projects of each country are listed on the "
        "staff map of the network.",
        "From how many different countries the firms that landed in the year came.",
        "#distinct origin_country of X[stage = landed, year(landed_on) = t]; a project with no origin country "
        "recorded is not counted. DBT reports projects by market of origin." + PORTAL_DEFINED,
        "countries",
    ),
    _landed(
        "M1-11J",
        "leads_new_jobs",
        "New jobs from landed projects",
        "New jobs the projects landed in the calendar year create in the region, as recorded when staff verified "
        "the win (every type of project).",
        "How many new jobs the firms that landed in the year said they would create here.",
        "Sum of new_jobs over X[stage = landed, year(landed_on) = t], of every type. Comparator: DBT new jobs of "
        "inward investment projects (foreign direct investment only).",
        "jobs",
    ),
    _landed(
        "M1-11S",
        "leads_safeguarded_jobs",
        "Safeguarded jobs from landed projects",
        "Existing jobs in the region the projects landed in the calendar year keep (DBT's safeguarded jobs), as "
        "recorded when staff verified the win.",
        "How many jobs already here the firms that landed in the year kept that might otherwise have gone.",
        "Sum of safeguarded_jobs over X[stage = landed, year(landed_on) = t], of every type." + PORTAL_DEFINED,
        "jobs",
    ),
    _landed(
        "M1-11C",
        "leads_capital_invested",
        "Capital invested by landed projects",
        "Capital the projects landed in the calendar year invest in the region, in pounds, as recorded when staff "
        "verified the win.",
        "How much money the firms that landed in the year put into the region.",
        "Sum of capital_invested (GBP) over X[stage = landed, year(landed_on) = t], of every type." + PORTAL_DEFINED,
        "£",
    ),
    IndicatorSpec(
        code="M1-15A",
        mission="M1",
        name="Active ambassadors",
        definition="Ambassadors who logged at least one activity for the region in the 90 days up to the end of "
        "the quarter.",
        methodology="How many of the region's ambassadors around the world were recently at work for it: each "
        "logged an event, an introduction or a meeting in the last three months."
        + SPECIALISTS
        + "#distinct ambassador of activities with occurred_on in (d - 90 days, d], d = the quarter's last day."
        + ACTIVE_AMBASSADOR
        + " Source: the activities ambassadors log."
        + PORTAL_DEFINED,
        unit="ambassadors",
        method=COMPUTED,
        computation="ambassadors_active",
        frequency=QUARTERLY,
    ),
    IndicatorSpec(
        code="M1-15C",
        mission="M1",
        name="Countries covered by active ambassadors",
        definition="Countries with at least one active ambassador (an activity in the 90 days up to the end of "
        "the quarter), by the country on the ambassador's profile.",
        methodology="In how many countries the region had an ambassador at work in the last three months."
        + SPECIALISTS
        + "#distinct country of the ambassadors of activities with occurred_on in (d - 90 days, d]; an "
        "ambassador with no country on their profile is not counted, and one who moved counts in their current "
        "country." + ACTIVE_AMBASSADOR + PORTAL_DEFINED,
        unit="countries",
        method=COMPUTED,
        computation="ambassadors_countries_covered",
        frequency=QUARTERLY,
    ),
    IndicatorSpec(
        code="M1-15R",
        mission="M1",
        name="Leads referred per ambassador",
        definition="Leads ambassadors referred in the calendar year, per ambassador on the network that year.",
        methodology="On average, how many firms each ambassador introduced to the office in the year."
        + SPECIALISTS
        + "#leads with an ambassador as referrer recorded in t / #ambassadors on the network in t, to two "
        "decimal places; both counts are published with it. Leads staff record themselves are not counted."
        + NETWORK
        + LEADS_SOURCE
        + PORTAL_DEFINED,
        unit="leads per ambassador",
        method=COMPUTED,
        computation="leads_referred_per_ambassador",
    ),
    IndicatorSpec(
        code="M1-15L",
        mission="M1",
        name="Landed projects per ambassador",
        definition="Projects landed in the calendar year that an ambassador referred, per ambassador on the "
        "network that year.",
        methodology="On average, how many firms each ambassador brought to the region in the year."
        + SPECIALISTS
        + "#X[referred by an ambassador, stage = landed, year(landed_on) = t] / #ambassadors on the network in t, "
        "to two decimal places; both counts are published with it." + NETWORK + LANDED + LEADS_SOURCE + PORTAL_DEFINED,
        unit="projects per ambassador",
        method=COMPUTED,
        computation="leads_landed_per_ambassador",
    ),
    IndicatorSpec(
        code="M1-15V",
        mission="M1",
        name="Referred leads that landed",
        definition="Of the leads ambassadors referred in a calendar year, the share that has landed since.",
        methodology="Of the firms ambassadors introduced in a year, the share that went on to land in the region. "
        "'2024' means the leads referred in 2024; the share of recent years grows as their open leads land."
        + SPECIALISTS
        + "Conversion(c) = #{l referred by an ambassador in c: stage(l) = landed} / #{l referred by an ambassador "
        "in c} x 100, by the year the lead was recorded; both counts are published with it. Lost and open leads "
        "count in the denominator only." + LANDED + LEADS_SOURCE + PORTAL_DEFINED,
        unit="%",
        method=COMPUTED,
        computation="leads_conversion",
    ),
]

# Funding: the investment register (KPIS §2.6) --------------------------------------------------

INVESTMENTS_COUNTED = (
    " Counted: investments into the portal's tech firms in the seven WMCA boroughs, in the period of the day"
    " the round closed or the award was made; a record staff flagged as a possible duplicate of another is"
    " left out until they clear the flag. Source: the portal's investment register (entered by staff,"
    " submitted by partners through the API, or imported by staff)."
)
UNDISCLOSED_RULE = (
    " An amount that was not disclosed is never estimated: the deal is counted, and counted as undisclosed,"
    " but adds nothing to the value."
)
EQUITY_COMPARATOR = (
    " Comparators, shown beside and never merged: British Business Bank Small Business Equity Tracker"
    " (M1-R-EQUITY, M1-R-EQUITYDEALS: announced equity deals into smaller businesses of every sector, not"
    " tech-only) and tech venture figures from Dealroom, HSBC and Tech Nation (M1-R-TECHVC), whose methods differ."
)
LEAD_RULE = (
    " Domestic: the lead investor is based in the United Kingdom (country GB); international: it is based"
    " anywhere else. A round with no lead investor recorded is counted as 'lead unknown' (M1-03U), never"
    " guessed into either side."
)
GRANT_RULE = (
    " A grant is an investment of kind grant, or an award of kind other made through a listed grant or prize"
    " opportunity (a prize won in a competition on the portal's catalogue): the same grants the 360Giving"
    " export publishes."
)


def _investment(
    code: str, key: str, name: str, definition: str, plain: str, formula: str, unit: str, **extra
) -> IndicatorSpec:
    return IndicatorSpec(
        code=code,
        mission="M1",
        name=name,
        definition=definition,
        methodology=plain + SPECIALISTS + formula + INVESTMENTS_COUNTED,
        unit=unit,
        method=COMPUTED,
        computation=key,
        **extra,
    )


def _by_quarter(text: str) -> str:
    """A yearly equity text made quarterly: its period, and the codes it names (M1-02 -> M1-02Q)."""
    for year, quarter in (("calendar year", "calendar quarter"), ("the year", "the quarter"), ("year(", "quarter(")):
        text = text.replace(year, quarter)
    return re.sub(r"\b(M1-0[12]U?)\b", r"\1Q", text)


def _equity(code: str, key: str, name: str, definition: str, plain: str, formula: str, unit: str) -> list:
    """The yearly indicator and its quarterly twin (code + Q, key + _quarterly)."""
    return [
        _investment(code, key, name, definition, plain, formula, unit),
        _investment(
            f"{code}Q",
            f"{key}_quarterly",
            f"{name}, by quarter",
            _by_quarter(definition),
            _by_quarter(plain),
            _by_quarter(formula),
            unit,
            frequency=QUARTERLY,
        ),
    ]


FUNDING_INDICATORS = [
    *_equity(
        "M1-01",
        "funding_equity_value",
        "Equity investment raised by the region's tech firms",
        "Disclosed equity raised by the portal's tech firms in the WMCA area, summed by the calendar year the "
        "round closed; the deal count (M1-02) and the count of rounds whose amount was not disclosed (M1-02U) are "
        "published beside it.",
        "How much money the region's tech firms raised from investors for shares in the year, counting only the "
        "rounds whose amount was made public. Read it with the number of rounds and of undisclosed rounds beside it.",
        "Sum of R.amount_gbp over equity rounds R with a disclosed amount, firm in F_WM,tech and year(close) = t "
        "(KPIS §2.6 portal rule)." + UNDISCLOSED_RULE + EQUITY_COMPARATOR,
        "£",
    ),
    *_equity(
        "M1-02",
        "funding_equity_deals",
        "Equity deals into the region's tech firms",
        "Equity rounds closed by the portal's tech firms in the WMCA area in the calendar year, disclosed or not.",
        "How many times the region's tech firms raised money from investors for shares in the year, whether or "
        "not the amount was made public.",
        "#R[equity, firm in F_WM,tech, year(close) = t], undisclosed rounds included." + EQUITY_COMPARATOR,
        "deals",
    ),
    *_equity(
        "M1-02U",
        "funding_equity_undisclosed",
        "Equity deals with an undisclosed amount",
        "Equity rounds closed by the portal's tech firms in the WMCA area in the calendar year whose amount was "
        "not disclosed: counted in M1-02, left out of the value M1-01.",
        "How many of the rounds in the year kept their amount private, so the value raised leaves them out.",
        "#R[equity, amount undisclosed, firm in F_WM,tech, year(close) = t]." + UNDISCLOSED_RULE,
        "deals",
    ),
    _investment(
        "M1-03",
        "funding_equity_international_share",
        "International share of equity investment",
        "Disclosed equity led by an investor based outside the United Kingdom, as a share of the disclosed equity "
        "whose lead investor is known, raised by the portal's tech firms in the WMCA area in the calendar year.",
        "Of the money raised for shares in the year by rounds whose lead investor is known, the share led from "
        "abroad. Rounds with no lead recorded are left out of the share and shown on their own.",
        "Sum R.amount [lead country != GB] / Sum R.amount [lead known] x 100 over equity rounds with a disclosed "
        "amount, firm in F_WM,tech, year(close) = t; both amounts are published with it. KPIS M1-03 divides by "
        "every round's value: leaving out the rounds with no lead keeps them from counting as domestic."
        + LEAD_RULE
        + UNDISCLOSED_RULE
        + PORTAL_DEFINED,
        "%",
    ),
    _investment(
        "M1-03D",
        "funding_equity_domestic",
        "Domestic-led equity investment",
        "Disclosed equity led by an investor based in the United Kingdom, raised by the portal's tech firms in the "
        "WMCA area in the calendar year.",
        "How much of the money raised for shares in the year came in rounds led by investors based in the UK.",
        "Sum of R.amount_gbp over equity rounds with a disclosed amount and a lead investor based in GB, firm in "
        "F_WM,tech, year(close) = t." + LEAD_RULE + UNDISCLOSED_RULE,
        "£",
    ),
    _investment(
        "M1-03I",
        "funding_equity_international",
        "International-led equity investment",
        "Disclosed equity led by an investor based outside the United Kingdom, raised by the portal's tech firms "
        "in the WMCA area in the calendar year.",
        "How much of the money raised for shares in the year came in rounds led by investors based abroad.",
        "Sum of R.amount_gbp over equity rounds with a disclosed amount and a lead investor based outside GB, firm "
        "in F_WM,tech, year(close) = t." + LEAD_RULE + UNDISCLOSED_RULE,
        "£",
    ),
    _investment(
        "M1-03U",
        "funding_equity_lead_unknown",
        "Equity investment with no lead investor recorded",
        "Disclosed equity raised in rounds with no lead investor recorded, by the portal's tech firms in the WMCA "
        "area in the calendar year: neither domestic nor international.",
        "How much of the money raised for shares in the year came in rounds whose lead investor is not known, so "
        "it cannot be called domestic or international.",
        "Sum of R.amount_gbp over equity rounds with a disclosed amount and no lead investor, firm in F_WM,tech, "
        "year(close) = t." + LEAD_RULE,
        "£",
    ),
    _investment(
        "M1-13",
        "funding_grants_value",
        "Grants awarded to the region's tech firms",
        "Disclosed value of the grants awarded to the portal's tech firms in the WMCA area in the calendar year; "
        "the number of grants (M1-13N) is published beside it.",
        "How much grant money the region's tech firms were awarded in the year, counting the grants whose amount "
        "was made public.",
        "Sum of G.amountAwarded over grants G with a disclosed amount, recipient in F_WM,tech, year(awardDate) = t "
        "(KPIS M1-13)." + GRANT_RULE + UNDISCLOSED_RULE + " Comparator: 360Giving GrantNav data (no WMCA baseline).",
        "£",
    ),
    _investment(
        "M1-13N",
        "funding_grants_count",
        "Number of grants awarded to the region's tech firms",
        "Grants awarded to the portal's tech firms in the WMCA area in the calendar year, disclosed or not.",
        "How many grants the region's tech firms were awarded in the year, whether or not the amount was made public.",
        "#G[recipient in F_WM,tech, year(awardDate) = t], undisclosed grants included." + GRANT_RULE + PORTAL_DEFINED,
        "grants",
    ),
    _investment(
        "M1-13L",
        "funding_listed_value",
        "Funding secured through listed opportunities",
        "Disclosed value of the investments and awards of every kind (grants, loans, equity, prizes and others) "
        "that the portal's tech firms in the WMCA area secured in the calendar year through an opportunity listed "
        "on the portal's funding catalogue; the count (M1-13LN) is published beside it.",
        "How much money the region's tech firms won in the year through the funding opportunities the portal "
        "lists, counting the deals and awards whose amount was made public.",
        "Sum of I.amount_gbp over investments I linked to a catalogue opportunity, with a disclosed amount, firm in "
        "F_WM,tech, year(date) = t." + UNDISCLOSED_RULE + PORTAL_DEFINED,
        "£",
    ),
    _investment(
        "M1-13LN",
        "funding_listed_count",
        "Investments and awards secured through listed opportunities",
        "Investments and awards of every kind that the portal's tech firms in the WMCA area secured in the calendar "
        "year through an opportunity listed on the portal's funding catalogue, disclosed or not.",
        "How many deals and awards the region's tech firms won in the year through the funding opportunities the "
        "portal lists.",
        "#I[linked to a catalogue opportunity, firm in F_WM,tech, year(date) = t], undisclosed ones included."
        + PORTAL_DEFINED,
        "investments",
    ),
]

# Mission 3: the portal's own open data (KPIS §2.10) -------------------------------------------

OPEN_DATA_INDICATORS = [
    IndicatorSpec(
        code="M3-03",
        mission="M3",
        name="Dataset freshness",
        definition="Share of the portal's published datasets whose dct:modified is within their "
        "dct:accrualPeriodicity.",
        methodology="Of the datasets the portal publishes on its open data page, the share that was updated as "
        "often as it says it will be. A dataset updated 'when it changes' counts as up to date once it has any data."
        + SPECIALISTS
        + "#D[now - dct:modified <= period(dct:accrualPeriodicity)] / #D x 100 over the DCAT catalogue at "
        "/data/catalog.jsonld (annual 366 days, quarterly 92, monthly 31; irregular: fresh once modified), "
        "measured when the KPI refresh runs, after every other indicator; M3-03 counts itself as fresh, since the "
        "refresh updates it. Earlier change dates are not kept, so each quarter keeps the value of the last "
        "refresh in it." + PORTAL_DEFINED,
        unit="%",
        method=COMPUTED,
        computation="open_data_freshness",
        frequency=QUARTERLY,
    ),
    IndicatorSpec(
        code="M3-05",
        mission="M3",
        name="Grant data published to 360Giving",
        definition="Share of the portal's grants awarded in the calendar year that its 360Giving export publishes "
        "with every required field.",
        methodology="Of the grants in the portal's investment register awarded in the year, the share published "
        "in the 360Giving open standard. A grant is left out when its amount was not disclosed or it names no "
        "funder, as the standard requires both and the portal never guesses them."
        + SPECIALISTS
        + "#G[amount disclosed, a funder named (an investor, or the funder of its catalogue opportunity), "
        "year(awardDate) = t] / #G[year(awardDate) = t] x 100, over every grant of the register (any recipient); "
        "both counts are published with it. A possible duplicate is left out of both."
        + GRANT_RULE
        + " Comparator: the 360Giving Data Standard schema (1.4), against which the export is tested.",
        unit="%",
        method=COMPUTED,
        computation="funding_grants_published_share",
    ),
]

BUDGET_SOURCE = (
    " Source: the portal's programme budget, the plan lines and spend entries staff keep (a spend entry is"
    " dated by its invoice or receipt)." + PORTAL_DEFINED
)
BUDGET_QUARTERS = (
    " Every quarter from the programme's first to the current one (its last, once the programme has ended)"
    " has a value; the current quarter's rises as spend is recorded and settles when the quarter ends. A"
    " change to the plan or to a spend entry restates every quarter at the next refresh."
)

BUDGET_INDICATORS = [
    IndicatorSpec(
        code="M1-14",
        mission="M1",
        name="Programme budget spent",
        definition="Spend on the WMCA-Birmingham Tech partnership programme from its start to the end of each "
        "quarter, as a share of its whole two-year budget (£160,000).",
        methodology="How much of the programme's two-year budget has been spent, quarter by quarter. It reaches "
        "100% when the whole budget is spent; the plan says how fast it should rise (see 'Programme spend against "
        "plan')."
        + SPECIALISTS
        + "Share(q) = Spent(q) / Budget x 100, where Spent(q) = sum of the amounts of the spend entries dated from "
        "the programme's first day to the last day of quarter q (today, for the current quarter), and Budget = "
        "sum of the planned amounts of every plan line of the programme's eight quarters; both amounts are "
        "published with it. No value while nothing is planned. Comparator: the budget as announced (M1-R-BUDGET, "
        "£160,000 over two years)." + BUDGET_QUARTERS + BUDGET_SOURCE,
        unit="% of budget",
        method=COMPUTED,
        computation="budget_spent_share",
        direction=Indicator.Direction.ON_PLAN,
        frequency=QUARTERLY,
    ),
    IndicatorSpec(
        code="M1-14P",
        mission="M1",
        name="Programme spend against plan",
        definition="Spend on the partnership programme from its start to the end of each quarter, as a percentage "
        "of what the plan set for the same quarters: 100% is on plan.",
        methodology="Whether the programme spends as fast as it planned: under 100% it is behind its plan, over "
        "100% ahead of it (or overspent). A quarter's plan counts in full from its first day, so the current "
        "quarter's figure starts low and settles when the quarter ends."
        + SPECIALISTS
        + "AgainstPlan(q) = Spent(q) / Planned(q) x 100, where Spent(q) is as in M1-14 and Planned(q) = sum of the "
        "planned amounts of the plan lines of every quarter from the programme's first to q; both amounts are "
        "published with it. A quarter with nothing planned up to it has no value." + BUDGET_QUARTERS + BUDGET_SOURCE,
        unit="% of plan",
        method=COMPUTED,
        computation="budget_spend_against_plan",
        direction=Indicator.Direction.ON_PLAN,
        frequency=QUARTERLY,
        target_value=Decimal("100"),
    ),
]


COMPUTED_INDICATORS = [
    _survival(1),
    _survival(3),
    _survival(5),
    IndicatorSpec(
        code="M1-06",
        mission="M1",
        name="High-growth (scale-up) incidence (portal cohort)",
        definition=(
            "OECD high-growth enterprises: average annualised employment growth greater than 20% per annum "
            "over a three-year period, among firms with at least 10 employees at the start of the period, "
            "as a share of those firms."
        ),
        methodology=(
            "Of the portal's tech firms that employed at least 10 people three years earlier, the share whose "
            "staff grew by more than a fifth each year since (about three-quarters more in total). It covers "
            "the firms the portal tracks, so it is not the official ONS figure, which is shown beside it."
            + SPECIALISTS
            + "g = (x_t / x_{t-3})^(1/3) - 1; HGE_t(f) if employees_{t-3} >= 10 and g > 0.20 (about 72.8% "
            "cumulative growth). Incidence = #HGE_t / #{firms active at t with employees_{t-3} >= 10} x 100. "
            "Turnover variant as a secondary measure. Do not compare with Eurostat's 10%-threshold series."
            + PORTAL_COHORT
            + " Comparator: ONS high-growth share of businesses with 10+ employees (WM 3.9%, 2023)."
        ),
        unit="%",
        method=COMPUTED,
        computation="high_growth_incidence",
    ),
    IndicatorSpec(
        code="M1-07",
        mission="M1",
        name="Start-up to scale-up conversion (portal cohort)",
        definition=(
            "Share of a portal birth cohort that becomes an OECD high-growth enterprise within k = 8 years "
            "of birth; reported with the gazelle share (HGEs aged 5 or under)."
        ),
        methodology=(
            "Of the portal's tech firms founded in a given year, the share that became fast-growing (staff "
            "growing by more than a fifth a year for three years) within 8 years of being founded. '2012' means "
            "the firms born in 2012."
            + SPECIALISTS
            + "Conversion_8(c) = #{f in Births(c): HGE_t(f) for some t <= c+8} / #Births(c) x 100. "
            "A portal-defined indicator with no official comparator." + PORTAL_COHORT
        ),
        unit="%",
        method=COMPUTED,
        computation="scaleup_conversion",
    ),
    _share(
        "M1-08",
        "leadership_women_share",
        "Women in leadership",
        "Women among the founders, board members and C-suite of portal tech firms, as a share of those "
        "whose gender is disclosed.",
        "TTC gender minorities in senior tech roles, 22% (signatories, 2023).",
    ),
    _share(
        "M1-08D",
        "leadership_disclosure_rate",
        "Leadership disclosure rate",
        "Share of founders, board members and C-suite of portal tech firms who disclosed their gender "
        "and ethnicity; published alongside the leadership shares.",
        "TTC ethnicity disclosure rates of 76-86%.",
    ),
    _share(
        "M1-09",
        "leadership_ethnic_minority_share",
        "Ethnic minority leadership",
        "Ethnic minority founders, board members and C-suite of portal tech firms, as a share of those "
        "whose ethnicity is disclosed.",
        "TTC ethnic minority employees in senior tech roles, 13% (signatories, 2023).",
    ),
    _share(
        "M1-10W",
        "staff_women_share",
        "Women in the tech workforce",
        "Women among the staff of portal tech firms (with a separate tech-roles slice), as a share of "
        "staff whose gender is disclosed.",
        "BCS female IT specialists 20% (LFS, 2022); TTC 28% (signatories, 2023).",
    ),
    _share(
        "M1-10E",
        "staff_ethnic_minority_share",
        "Ethnic minorities in the tech workforce",
        "Ethnic minority staff of portal tech firms, as a share of staff whose ethnicity is disclosed.",
        "TTC ethnic minority tech workers 25% (signatories, 2023).",
    ),
    _share(
        "M1-10D",
        "staff_disclosure_rate",
        "Workforce disclosure rate",
        "Share of the staff of portal tech firms whose gender and ethnicity are disclosed; published "
        "alongside the workforce shares.",
        "TTC ethnicity disclosure rates of 76-86%.",
    ),
    _origin(
        "M1-16H",
        "firms_home_grown",
        "Home-grown tech firms",
        "Portal tech firms founded in the West Midlands.",
    ),
    _origin(
        "M1-16U",
        "firms_relocated_uk",
        "Tech firms relocated from elsewhere in the UK",
        "Portal tech firms that moved to, or opened an office in, the West Midlands from elsewhere in the UK.",
    ),
    _origin(
        "M1-16A",
        "firms_relocated_abroad",
        "Tech firms relocated from abroad",
        "Portal tech firms that moved to, or opened an office in, the West Midlands from abroad.",
    ),
    *WORKSPACE_INDICATORS,
    *AMBASSADOR_INDICATORS,
    *BUDGET_INDICATORS,
    *FUNDING_INDICATORS,
    *OPEN_DATA_INDICATORS,
]


def _reported(code: str, name: str, definition: str, unit: str, comparator: str, **extra) -> IndicatorSpec:
    return IndicatorSpec(
        code=code,
        mission=code[:2],
        name=name,
        definition=definition,
        methodology=f"Reported by its owner. Comparator or target: {comparator}",
        unit=unit,
        **extra,
    )


REPORTED_INDICATORS = [
    _reported(
        "M2-01",
        "Internet non-users",
        "Adults not using the internet (ONS 'recent user' = used in the last 3 months).",
        "%",
        "Roadmap: cut non-users from 22% to 15% (the UK average). The ONS series was discontinued in 2023; "
        "ONS points to the Ofcom Technology Tracker.",
        direction=DOWN,
        frequency=AD_HOC,
        baseline_value=Decimal("22"),
        baseline_period="c.2020",
        target_value=Decimal("15"),
        target_date=datetime.date(2026, 12, 31),
    ),
    _reported(
        "M2-02",
        "Non or limited internet users",
        "Residents who are non or limited internet users, as the WMCA reports.",
        "%",
        "46% (2024 Roadmap refresh).",
        direction=DOWN,
        frequency=AD_HOC,
    ),
    _reported(
        "M2-03",
        "People supported with devices, data and skills",
        "Unique people reached by digital inclusion programmes in the period, by support type.",
        "people",
        "none.",
    ),
    _reported(
        "M2-04",
        "Inclusion reach in deprived areas",
        "Share of supported people living in the 10% most deprived LSOAs (IMD decile 1).",
        "%",
        "Prospectus: 158k of 526k limited-access residents live in the most-deprived decile.",
        frequency=QUARTERLY,
    ),
    _reported(
        "M2-05",
        "Foundation-level Essential Digital Skills attainment",
        "Share of assessed learners meeting the Essential Digital Skills foundation level.",
        "%",
        "Lloyds Consumer Digital Index (UK: 1 in 5 lack foundation skills, 2022).",
    ),
    _reported(
        "M2-06",
        "Bootcamp participation and diversity",
        "Digital bootcamp starts and completions, with the shares of women and of ethnic minority participants.",
        "people",
        "More than 2,000 residents, 50% female and 50% ethnic minority (to March 2022).",
    ),
    _reported(
        "M3-01",
        "Datasets published",
        "DCAT datasets in the portal and West Midlands Datastore catalogue.",
        "datasets",
        "none found.",
        frequency=QUARTERLY,
    ),
    _reported(
        "M3-02",
        "Openly licensed, machine-readable datasets",
        "Share of catalogued datasets with an open licence and a CSV or JSON distribution.",
        "%",
        "none.",
        frequency=QUARTERLY,
    ),
    _reported(
        "M3-04",
        "Organisations adopting the regional data-ethics guidelines",
        "Signatories of the regional data-ethics and information-assurance guidelines.",
        "organisations",
        "Roadmap action (no number).",
    ),
    _reported(
        "M4-01",
        "Gigabit-capable coverage",
        "Ofcom availability of gigabit-capable broadband (at least 1 Gbit/s: full fibre plus upgraded cable), "
        "as a share of premises.",
        "% premises",
        "UK 83% of homes (Connected Nations 2024); UK Government target 85% by 2025. Watch the basis: "
        "Ofcom headlines are homes; the Social Mobility Commission counts homes and businesses.",
        frequency=AD_HOC,
    ),
    _reported(
        "M4-02",
        "Full-fibre coverage",
        "Ofcom availability of full fibre (FTTP/FTTB), as a share of premises.",
        "% premises",
        "UK 69% of homes (Connected Nations 2024); Coventry 85%, Wolverhampton 18%.",
        frequency=AD_HOC,
    ),
    _reported(
        "M4-03",
        "People with full-fibre access",
        "Full-fibre coverage multiplied by population, summed over the WMCA local authorities.",
        "people",
        "Roadmap: at least 2 million people with access by 2025.",
        frequency=AD_HOC,
        target_value=Decimal("2000000"),
        target_date=datetime.date(2025, 12, 31),
    ),
    _reported(
        "M4-04",
        "Deprivation gap in full fibre",
        "Full-fibre coverage in IMD decile-1 LSOAs minus coverage across the WMCA area.",
        "pp",
        "Roadmap: best fibre access in deprived areas.",
        direction=Indicator.Direction.ON_PLAN,
        frequency=AD_HOC,
    ),
    _reported(
        "M4-05",
        "Premises below the Universal Service Obligation",
        "Premises unable to get decent broadband (at least 10 Mbit/s down and 1 Mbit/s up).",
        "premises",
        "Ofcom: UK 61,000 (2023).",
        direction=DOWN,
        frequency=AD_HOC,
    ),
    _reported(
        "M4-06",
        "5G outdoor coverage",
        "5G outdoor coverage from at least one mobile network operator, reported as Ofcom's confidence range.",
        "% population",
        "Roadmap: at least 40% population coverage by 2025; UK 85-93% (2023).",
        frequency=AD_HOC,
        target_value=Decimal("40"),
        target_date=datetime.date(2025, 12, 31),
    ),
    _reported(
        "M4-07",
        "4G outdoor coverage",
        "4G outdoor coverage (at least one operator; all operators as a second measure).",
        "%",
        "Roadmap: more than 95% outdoor and more than 90% indoor coverage (basis not stated).",
        frequency=AD_HOC,
        target_value=Decimal("95"),
    ),
    _reported(
        "M4-08",
        "Full-fibre take-up",
        "Premises subscribed to full fibre as a share of premises where it is available.",
        "%",
        "UK 35% (July 2024).",
        frequency=AD_HOC,
    ),
    _reported(
        "M5-01",
        "Digital take-up",
        "GOV.UK: completed digital transactions (including assisted digital) / completed transactions from "
        "all channels in the same period x 100, per service.",
        "%",
        "GOV.UK Service Manual 'Data you must publish'.",
        frequency=QUARTERLY,
    ),
    _reported(
        "M5-02",
        "Completion rate",
        "GOV.UK: completed digital transactions / started digital transactions x 100.",
        "%",
        "GOV.UK Service Manual.",
        frequency=QUARTERLY,
    ),
    _reported(
        "M5-03",
        "User satisfaction",
        "GOV.UK: (satisfied + very satisfied responses) / all responses x 100; the counts for each level are "
        "published.",
        "%",
        "GOV.UK Service Manual.",
        frequency=QUARTERLY,
    ),
    _reported(
        "M5-04",
        "Cost per transaction",
        "GOV.UK: total cost of the service / completed transactions.",
        "£",
        "GOV.UK Service Manual; CDDO service performance framework.",
        direction=DOWN,
        frequency=QUARTERLY,
    ),
    _reported(
        "M5-05",
        "Accessibility compliance",
        "Share of portal-listed services meeting the public sector accessibility regulations.",
        "%",
        "CDDO service performance framework.",
    ),
    _reported(
        "M5-06",
        "Regional carbon reduction",
        "Reduction in regional carbon emissions against the WM2041 baseline.",
        "%",
        "Roadmap (from WM2041): 69% by 2027. Source series: DESNZ local authority emissions.",
        target_value=Decimal("69"),
        target_date=datetime.date(2027, 12, 31),
    ),
]


def _comparator(code: str, name: str, unit: str, definition: str, direction: str = UP) -> IndicatorSpec:
    return IndicatorSpec(
        code=code,
        mission=code[:2],
        name=name,
        definition=definition,
        methodology="Official or published reference figure, loaded from the reference data; not a portal KPI.",
        unit=unit,
        direction=direction,
        frequency=AD_HOC,
    )


COMPARATOR_INDICATORS = [
    _comparator("M1-R-BIRTHS", "Business births (ONS)", "enterprises", "ONS: active in year t, not in t-1 or t-2."),
    _comparator("M1-R-BIRTHRATE", "Business birth rate (ONS)", "%", "ONS: births_t / active_t x 100."),
    _comparator(
        "M1-R-DEATHS",
        "Business deaths (ONS)",
        "enterprises",
        "ONS: active in t, not in t+1 or t+2; the latest two years are provisional.",
        DOWN,
    ),
    _comparator("M1-R-DEATHRATE", "Business death rate (ONS)", "%", "ONS: deaths_t / active_t x 100.", DOWN),
    _comparator("M1-R-ACTIVE", "Active businesses (ONS)", "enterprises", "ONS: turnover or employment in the year."),
    _comparator(
        "M1-R-ACTIVE10K",
        "Active enterprises per 10,000 people aged 16-64 (ONS)",
        "enterprises per 10,000",
        "Active enterprises per 10,000 resident population aged 16 to 64.",
    ),
    _comparator("M1-R-SURV2Y", "Business 2-year survival rate (ONS)", "%", "ONS cohort survival, 2 years."),
    _comparator("M1-R-SURV4Y", "Business 4-year survival rate (ONS)", "%", "ONS cohort survival, 4 years."),
    *[
        _comparator(
            f"M1-R-SURVIVORS{n}",
            f"Enterprises surviving {n} year(s) (ONS)",
            "enterprises",
            f"ONS: enterprises of a birth cohort still active {n} year(s) later.",
        )
        for n in range(1, 6)
    ],
    _comparator(
        "M1-R-HGB",
        "High-growth businesses (ONS, employment measure)",
        "enterprises",
        "ONS: more than 20% employment growth a year over 3 years, among businesses with 10+ employees.",
    ),
    _comparator(
        "M1-R-SCALEUPS",
        "Scale-ups (ScaleUp Institute or programme counts)",
        "enterprises",
        "OECD 20% test on turnover or employment; higher than the ONS employment-only count.",
    ),
    _comparator(
        "M1-R-HGEFOUNDF",
        "OECD high-growth enterprises with all-female founders",
        "%",
        "Share of HGEs with known founder gender whose founders are all female (Beauhurst data).",
    ),
    _comparator(
        "M1-R-HGEFOUNDM",
        "OECD high-growth enterprises with all-male founders",
        "%",
        "Share of HGEs with known founder gender whose founders are all male (Beauhurst data).",
        DOWN,
    ),
    _comparator(
        "M1-R-IT50",
        "IT specialists aged 50+ (BCS)",
        "%",
        "BCS analysis of the ONS Labour Force Survey.",
    ),
    _comparator(
        "M1-R-EQUITY",
        "Equity investment into smaller businesses (BBB, all sectors)",
        "GBP m",
        "British Business Bank Small Business Equity Tracker: announced equity deals into smaller businesses, "
        "all sectors (Beauhurst data). Not tech-only.",
    ),
    _comparator(
        "M1-R-EQUITYDEALS",
        "Equity deals into smaller businesses (BBB, all sectors)",
        "deals",
        "British Business Bank Small Business Equity Tracker deal count, all sectors.",
    ),
    _comparator(
        "M1-R-TECHVC",
        "Venture funding raised by tech start-ups and scale-ups",
        "GBP m",
        "Tech venture funding as reported by Tech Nation, Dealroom and others; methods differ.",
    ),
    _comparator(
        "M1-R-VCUSD",
        "Venture capital investment into start-ups (Dealroom, USD)",
        "USD m",
        "Dealroom venture capital into start-ups, in US dollars.",
    ),
    _comparator(
        "M1-R-VCSHARE",
        "Share of UK venture capital and private equity investment (BVCA)",
        "%",
        "Region's share of UK VC and PE investment by value.",
    ),
    _comparator(
        "M1-R-GVA",
        "Digital sector GVA",
        "GBP",
        "Digital sector gross value added per person, or the per-employee gap with the UK average.",
    ),
    _comparator(
        "M1-R-TECHSECTOR",
        "Tech sector value",
        "GBP bn",
        "Value of the region's tech sector, as WMCA states it.",
    ),
    _comparator(
        "M1-R-FDI",
        "Inward investment projects (DBT)",
        "projects",
        "DBT: at least 10% foreign ownership, counted in the year the project lands.",
    ),
    _comparator(
        "M1-R-FDIJOBS",
        "New jobs from inward investment projects (DBT)",
        "jobs",
        "DBT: new jobs of landed FDI projects.",
    ),
    _comparator(
        "M1-R-FDIEY",
        "FDI projects (EY Attractiveness Survey)",
        "projects",
        "EY methodology, calendar years; never mixed with DBT counts.",
    ),
    _comparator(
        "M1-R-BUDGET",
        "WMCA-Birmingham Tech partnership programme budget",
        "GBP",
        "Budget of the two-year partnership programme.",
    ),
    _comparator(
        "M2-R-RECENT",
        "Recent internet users (ONS)",
        "%",
        "ONS: used the internet in the last 3 months. Discontinued in 2023.",
    ),
    _comparator("M2-R-NEVER", "Adults who never used the internet (ONS)", "%", "ONS: never used.", DOWN),
    _comparator(
        "M2-R-LIMITED", "Limited internet users", "%", "Residents who are limited internet users (WMCA).", DOWN
    ),
    _comparator(
        "M2-R-LIMITS",
        "People whose lack of internet access limits daily life",
        "people",
        "WMCA Levelling Up Growth Prospectus.",
        DOWN,
    ),
    _comparator(
        "M2-R-LIMITSDEP",
        "People whose lack of internet access limits daily life, in the most deprived LSOAs",
        "people",
        "Of the above, those living in the 10% most deprived LSOAs.",
        DOWN,
    ),
    _comparator(
        "M2-R-NOEDS",
        "Adults lacking essential digital skills",
        "%",
        "Lloyds Consumer Digital Index against the Essential Digital Skills framework.",
        DOWN,
    ),
    _comparator(
        "M2-R-NOBASIC",
        "People lacking basic digital skills (Good Things Foundation)",
        "people",
        "Good Things Foundation, Digital Nation.",
        DOWN,
    ),
    _comparator("M2-R-NOHOME", "Households without home internet access", "%", "Ofcom.", DOWN),
    _comparator(
        "M2-R-MDLS",
        "Families below the Minimum Digital Living Standard",
        "families",
        "Good Things Foundation Minimum Digital Living Standard.",
        DOWN,
    ),
    _comparator(
        "M2-R-SKILLSGAP",
        "Employers finding digital skills hard to obtain",
        "%",
        "Employers saying digital skills are difficult to obtain from applicants.",
        DOWN,
    ),
    _comparator(
        "M4-R-5GUMLAUT",
        "5G coverage (umlaut measure)",
        "%",
        "umlaut audit of 5G coverage; not Ofcom's method.",
    ),
    _comparator("M4-R-4GINDOOR", "4G indoor coverage", "%", "4G indoor coverage (basis not stated)."),
    _comparator("M4-R-NO4G", "Geography with no 4G coverage", "% of area", "Share of the area with no 4G.", DOWN),
]

CATALOGUE: list[IndicatorSpec] = COMPUTED_INDICATORS + REPORTED_INDICATORS + COMPARATOR_INDICATORS


@transaction.atomic
def indicator_catalogue_sync() -> int:
    """Create or update every catalogue indicator by code; returns how many indicators exist.

    Idempotent. Owners are never touched, so an assignment made by staff survives a re-sync. The
    service level in the texts is ``settings.WORKSPACES_SERVICE_LEVEL_DAYS`` at the time of the sync.
    Raises ``KeyError`` if the missions data migration has not run.
    """
    missions = {m.code: m for m in Mission.objects.all()}
    days = str(settings.WORKSPACES_SERVICE_LEVEL_DAYS)
    for sort_order, spec in enumerate(CATALOGUE):
        Indicator.objects.update_or_create(
            code=spec.code,
            defaults={
                "mission": missions[spec.mission],
                "name": spec.name,
                "definition": spec.definition.replace(SERVICE_LEVEL_DAYS, days),
                "methodology": spec.methodology.replace(SERVICE_LEVEL_DAYS, days),
                "unit": spec.unit,
                "direction": spec.direction,
                "frequency": spec.frequency,
                "method": spec.method,
                "computation": spec.computation,
                "baseline_value": spec.baseline_value,
                "baseline_period": spec.baseline_period,
                "target_value": spec.target_value,
                "target_date": spec.target_date,
                "is_public": spec.is_public,
                "sort_order": sort_order,
            },
        )
    data_version_bump("missions")
    return Indicator.objects.count()
