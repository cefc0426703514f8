"""Which open opportunities fit a founder's firm, and why: the reads behind ``/funding/matches/``.

A firm's profile comes from the registry: its sector, borough and founding date
(``Organisation``); its headcount, from its latest yearly facts that give one (``FirmYear``); and
its stage, from the latest workspace application it submitted (the registry holds no stage, and
the application is the founder's own statement; ``workspaces.selectors.firm_stage_latest``).

An open opportunity (open or closing soon, not withdrawn) fits when each of its rules (sectors,
boroughs, stages, firm age, headcount) allows the firm or sets no limit. A fact the portal does
not hold never rules an opportunity out: its rule is shown as one to check, since only the
founder knows. The filtering is SQL, so a page of matches costs the same few queries whatever the
size of the catalogue; the reasons are worked out for the rows of one page, from their prefetched
rules.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q

from portal.models import FirmYear, LocalAuthority, Organisation

from .models import Opportunity, OpportunityArea, OpportunitySector, OpportunityStage, Stage
from .models.alerts import sector_phrase

MATCH_STATUSES = (Opportunity.Status.OPEN, Opportunity.Status.CLOSING_SOON)


@dataclass(frozen=True)
class FirmProfile:
    """What the portal knows of a firm for matching, each fact empty (``""`` or None) when unknown.
    ``age_years`` is in whole years on ``today``; ``headcount_year`` the year of the facts the
    headcount comes from; ``stage_source`` the application that gave the stage."""

    organisation: Organisation
    today: datetime.date
    sector: str = ""
    local_authority: str = ""
    founded_on: datetime.date | None = None
    age_years: int | None = None
    headcount: int | None = None
    headcount_year: int | None = None
    stage: str = ""
    stage_source: str = ""

    @property
    def sector_label(self) -> str:
        return self.organisation.get_sector_display() if self.sector else ""

    @property
    def borough_label(self) -> str:
        return LocalAuthority(self.local_authority).label if self.local_authority else ""

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label if self.stage else ""

    @property
    def missing(self) -> list[str]:
        """The facts the portal does not hold, in words."""
        facts = [
            (self.sector, "sector"),
            (self.local_authority, "borough"),
            (self.age_years is not None, "founding date"),
            (self.headcount is not None, "headcount"),
            (self.stage, "stage"),
        ]
        return [name for known, name in facts if not known]


@dataclass(frozen=True)
class Reason:
    """One rule of an opportunity and how the firm meets it. With a ``note`` the firm's fact is
    unknown: the founder checks the rule themself (``certain`` is False)."""

    text: str
    note: str = ""

    @property
    def certain(self) -> bool:
        return not self.note


@dataclass
class Match:
    """An opportunity that fits, with one reason per rule (sector, borough, stage, age, headcount)."""

    opportunity: Opportunity
    reasons: list[Reason] = field(default_factory=list)

    @property
    def checks(self) -> list[Reason]:
        return [reason for reason in self.reasons if not reason.certain]


def firm_list(*, user):
    """The firms ``user`` is a member of, by name: the only firms they see matches for, so another
    firm is a 404."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(members=user, kind=Organisation.Kind.FIRM).order_by("name", "pk")


def _whole_years(start: datetime.date, today: datetime.date) -> int:
    years = today.year - start.year - ((today.month, today.day) < (start.month, start.day))
    return max(years, 0)


def firm_profile_get(*, organisation: Organisation, today: datetime.date) -> FirmProfile:
    """The firm's profile on ``today``. Two queries (its latest headcount and its stage)."""
    from workspaces.selectors import firm_stage_latest

    headcount = (
        FirmYear.objects.filter(organisation=organisation, employees__isnull=False)
        .order_by("-year")
        .values_list("employees", "year")
        .first()
    )
    stage = firm_stage_latest(organisation_id=organisation.pk)
    founded = organisation.founded_on
    return FirmProfile(
        organisation=organisation,
        today=today,
        sector=organisation.sector,
        local_authority=organisation.local_authority,
        founded_on=founded,
        age_years=_whole_years(founded, today) if founded else None,
        headcount=headcount[0] if headcount else None,
        headcount_year=headcount[1] if headcount else None,
        stage=stage.stage if stage else "",
        stage_source=f"workspace application {stage.reference}" if stage else "",
    )


def _rule_allows(model, field_name: str, value: str) -> Q:
    """An opportunity whose rows of ``model`` name ``value``, or that has none (no limit)."""
    rules = model.objects.filter(opportunity=OuterRef("pk"))
    return Exists(rules.filter(**{field_name: value})) | ~Exists(rules)


def _range_allows(low: str, high: str, value: int) -> Q:
    """An opportunity whose range from ``low`` to ``high`` (either end open) holds ``value``."""
    return (Q(**{f"{low}__isnull": True}) | Q(**{f"{low}__lte": value})) & (
        Q(**{f"{high}__isnull": True}) | Q(**{f"{high}__gte": value})
    )


def opportunity_matches(*, profile: FirmProfile):
    """The published opportunities open or closing soon on ``profile.today`` whose every rule
    allows the firm (or that the firm cannot be ruled out of, its fact being unknown), soonest
    deadline first (rolling ones last), with their funder, rules and status: a queryset, so the
    caller paginates in SQL."""
    queryset = Opportunity.objects.published().with_statuses(MATCH_STATUSES, today=profile.today)
    if profile.sector:
        queryset = queryset.filter(_rule_allows(OpportunitySector, "sector", profile.sector))
    if profile.local_authority == LocalAuthority.OUTSIDE:
        # Outside the WMCA area: only opportunities for firms anywhere.
        queryset = queryset.exclude(Exists(OpportunityArea.objects.filter(opportunity=OuterRef("pk"))))
    elif profile.local_authority:
        queryset = queryset.filter(_rule_allows(OpportunityArea, "local_authority", profile.local_authority))
    if profile.stage:
        queryset = queryset.filter(_rule_allows(OpportunityStage, "stage", profile.stage))
    if profile.age_years is not None:
        queryset = queryset.filter(_range_allows("firm_age_min_years", "firm_age_max_years", profile.age_years))
    if profile.headcount is not None:
        queryset = queryset.filter(_range_allows("headcount_min", "headcount_max", profile.headcount))
    return queryset.for_list().with_status(today=profile.today).by_closing_date()


def _or(labels: Iterable[str]) -> str:
    labels = list(labels)
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def _range_words(low: int | None, high: int | None, unit: str, one: str = "") -> str:
    """A range with either end open in words: "up to 5 years old", "2 to 5 years old"; ``one`` is
    the unit after the number 1 when it differs ("year old")."""

    def amount(n: int) -> str:
        return f"{n} {one if n == 1 and one else unit}"

    if low is not None and high is not None:
        return amount(low) if low == high else f"{low} to {amount(high)}"
    if high is not None:
        return f"up to {amount(high)}"
    return f"at least {amount(low)}"


def match_reasons(*, opportunity: Opportunity, profile: FirmProfile) -> list[Reason]:
    """Why ``opportunity`` fits the firm, one reason per rule, in words ("For software and SaaS
    firms", "Any borough", "Firms up to 5 years old: yours is 3"). Reads the prefetched rules only:
    no query. A rule the firm's unknown fact cannot be checked against carries a note saying so."""
    p = profile
    reasons = []

    sectors = [rule.sector for rule in opportunity.sector_rules.all()]
    if not sectors:
        reasons.append(Reason("Any sector"))
    elif p.sector:
        reasons.append(Reason(f"For {sector_phrase(p.sector)} firms"))
    else:
        words = _or(sector_phrase(s) for s in sectors)
        reasons.append(Reason(f"For {words} firms", "we do not have your firm's sector"))

    boroughs = [rule.get_local_authority_display() for rule in opportunity.area_rules.all()]
    if not boroughs:
        reasons.append(Reason("Any borough: firms anywhere can apply"))
    elif p.local_authority:
        reasons.append(Reason(f"For firms in {p.borough_label}"))
    else:
        reasons.append(Reason(f"For firms in {_or(boroughs)}", "we do not know where your firm is based"))

    stages = [rule.stage for rule in opportunity.stage_rules.all()]
    if not stages:
        reasons.append(Reason("Any stage"))
    elif p.stage:
        reasons.append(Reason(f"For firms at your stage: {p.stage_label.lower()}"))
    else:
        words = _or(Stage(s).label.lower() for s in stages)
        reasons.append(Reason(f"For firms at these stages: {words}", "we do not know your firm's stage"))

    low, high = opportunity.firm_age_min_years, opportunity.firm_age_max_years
    if low is None and high is None:
        reasons.append(Reason("Any firm age"))
    else:
        rule = "Firms " + _range_words(low, high, "years old", "year old")
        if p.age_years is None:
            reasons.append(Reason(rule, "we do not know when your firm was founded"))
        else:
            reasons.append(Reason(f"{rule}: yours is {p.age_years}"))

    low, high = opportunity.headcount_min, opportunity.headcount_max
    if low is None and high is None:
        reasons.append(Reason("Any number of staff"))
    else:
        rule = "Firms with " + _range_words(low, high, "staff")
        if p.headcount is None:
            reasons.append(Reason(rule, "we have no headcount for your firm"))
        else:
            reasons.append(Reason(f"{rule}: yours has {p.headcount} ({p.headcount_year})"))
    return reasons


def match_list(*, opportunities: Iterable[Opportunity], profile: FirmProfile) -> list[Match]:
    """Each of ``opportunities`` (from ``opportunity_matches``) with its reasons. No query."""
    return [Match(o, match_reasons(opportunity=o, profile=profile)) for o in opportunities]
