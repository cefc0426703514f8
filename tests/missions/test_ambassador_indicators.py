"""The ambassador network's indicators on hand-built leads, activities and ambassadors: projects
landed by type and origin, jobs and capital, leads landed then reopened or lost never counted
twice, active ambassadors and countries covered by quarter, leads per ambassador, conversion; the
catalogue's entries, the value rules, the query count and the KPI refresh."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambassadors.models import Activity, Ambassador, Lead
from missions.catalogue import indicator_catalogue_sync
from missions.computations import ambassadors as computations
from missions.models import Indicator, Observation, RefreshRun
from missions.registry import REGISTRY
from missions.selectors.figures import base_text
from missions.services import refresh_run_execute
from missions.values import observation_value_errors
from portal.models import User
from tests.ambassadors.network_factories import ActivityFactory, AmbassadorFactory, LeadFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_YEAR = TODAY.year
KEYS = {
    "leads_landed_fdi": "M1-11",
    "leads_landed_uk_office": "M1-12",
    "leads_landed_expansion": "M1-12E",
    "leads_landed_origin_countries": "M1-11O",
    "leads_new_jobs": "M1-11J",
    "leads_safeguarded_jobs": "M1-11S",
    "leads_capital_invested": "M1-11C",
    "ambassadors_active": "M1-15A",
    "ambassadors_countries_covered": "M1-15C",
    "leads_referred_per_ambassador": "M1-15R",
    "leads_landed_per_ambassador": "M1-15L",
    "leads_conversion": "M1-15V",
}


def by_label(values) -> dict:
    return {value.period_label: value for value in values}


def values_of(key: str) -> dict:
    return {label: value.value for label, value in by_label(REGISTRY[key]()).items()}


def landed(year: int, **fields) -> Lead:
    return LeadFactory(landed=True, landed_on=datetime.date(year, 6, 30), **fields)


def quarter_label(day: datetime.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def test_every_ambassador_indicator_is_registered_and_catalogued_in_mission_m1():
    indicator_catalogue_sync()
    for key, code in KEYS.items():
        assert key in REGISTRY, key
        indicator = Indicator.objects.get(code=code)
        assert (indicator.method, indicator.computation, indicator.mission.code) == ("computed", key, "M1")
        plain, formula = indicator.methodology.split("\n\nFor specialists: ")
        assert plain and formula and indicator.definition, code
    assert "reopened or lost is not counted" in Indicator.objects.get(code="M1-11").methodology
    assert "at least 10%" in Indicator.objects.get(code="M1-11").definition
    assert Indicator.objects.get(code="M1-15A").frequency == Indicator.Frequency.QUARTERLY


def test_projects_count_by_type_in_the_year_they_landed_with_zero_years_between():
    landed(THIS_YEAR - 2, kind=Lead.Kind.FDI)
    landed(THIS_YEAR, kind=Lead.Kind.FDI)
    landed(THIS_YEAR, kind=Lead.Kind.FDI, origin_country="US")
    landed(THIS_YEAR - 1, kind=Lead.Kind.UK_OFFICE, origin_country="GB")
    landed(THIS_YEAR, kind=Lead.Kind.EXPANSION, origin_country="GB")
    for stage in ("referred", "qualified", "active", "verify_win"):
        LeadFactory(stage=stage, kind=Lead.Kind.FDI)  # open leads never count

    years = [str(y) for y in range(THIS_YEAR - 2, THIS_YEAR + 1)]
    assert values_of("leads_landed_fdi") == dict(zip(years, [1, 0, 2], strict=True))
    assert values_of("leads_landed_uk_office") == {str(THIS_YEAR - 1): 1, str(THIS_YEAR): 0}
    assert values_of("leads_landed_expansion") == {str(THIS_YEAR): 1}


def test_origin_countries_count_each_country_once_a_year():
    landed(THIS_YEAR, origin_country="DE")
    landed(THIS_YEAR, origin_country="DE", kind=Lead.Kind.UK_OFFICE)
    landed(THIS_YEAR, origin_country="IN")
    landed(THIS_YEAR - 1, origin_country="DE")
    landed(THIS_YEAR - 1, origin_country="")  # no origin recorded: not a country
    assert values_of("leads_landed_origin_countries") == {str(THIS_YEAR - 1): 1, str(THIS_YEAR): 2}


def test_jobs_and_capital_sum_over_every_type_by_year_landed():
    landed(THIS_YEAR, new_jobs=40, safeguarded_jobs=5, capital_invested=Decimal("2500000.50"))
    landed(THIS_YEAR, kind=Lead.Kind.UK_OFFICE, new_jobs=12, safeguarded_jobs=0, capital_invested=Decimal("0"))
    landed(THIS_YEAR, kind=Lead.Kind.EXPANSION, new_jobs=0, safeguarded_jobs=30, capital_invested=Decimal("750000"))
    landed(THIS_YEAR - 1, new_jobs=7, safeguarded_jobs=1, capital_invested=Decimal("100"))
    LeadFactory(stage=Lead.Stage.VERIFY_WIN, new_jobs=500, safeguarded_jobs=500, capital_invested=Decimal("9e9"))

    assert values_of("leads_new_jobs") == {str(THIS_YEAR - 1): 7, str(THIS_YEAR): 52}
    assert values_of("leads_safeguarded_jobs") == {str(THIS_YEAR - 1): 1, str(THIS_YEAR): 35}
    assert values_of("leads_capital_invested") == {
        str(THIS_YEAR - 1): Decimal("100"),
        str(THIS_YEAR): Decimal("3250000.50"),
    }


def test_a_lead_landed_then_reopened_or_lost_is_not_counted_and_one_landed_again_counts_once():
    reopened = landed(THIS_YEAR - 1, new_jobs=100)
    lost = landed(THIS_YEAR - 1, new_jobs=200)
    again = landed(THIS_YEAR - 1, new_jobs=30, capital_invested=Decimal("10"))
    kept = landed(THIS_YEAR - 1, new_jobs=1, capital_invested=Decimal("1"))
    # Reopened back to active and lost: the outcome fields stay filled in, as a reopen leaves them.
    Lead.objects.filter(pk=reopened.pk).update(stage=Lead.Stage.ACTIVE)
    Lead.objects.filter(pk=lost.pk).update(stage=Lead.Stage.LOST, lost_reason="Went to Leeds")
    # Reopened, then landed again this year: counted once, in its latest landing year.
    Lead.objects.filter(pk=again.pk).update(landed_on=datetime.date(THIS_YEAR, 1, 15))

    assert values_of("leads_landed_fdi") == {str(THIS_YEAR - 1): 1, str(THIS_YEAR): 1}
    assert values_of("leads_new_jobs") == {str(THIS_YEAR - 1): 1, str(THIS_YEAR): 30}
    assert values_of("leads_capital_invested") == {str(THIS_YEAR - 1): Decimal("1"), str(THIS_YEAR): Decimal("10")}
    assert kept.stage == Lead.Stage.LANDED


def test_nothing_landed_gives_no_values():
    LeadFactory()
    LeadFactory(lost=True)
    for key in ("leads_landed_fdi", "leads_new_jobs", "leads_capital_invested", "leads_landed_origin_countries"):
        assert REGISTRY[key]() == [], key


def test_active_ambassadors_and_countries_by_quarter_count_activities_of_the_90_days_before():
    india_1, india_2 = AmbassadorFactory(country="IN"), AmbassadorFactory(country="IN")
    usa = AmbassadorFactory(country="US")
    nowhere = AmbassadorFactory(country="")
    ActivityFactory(ambassador=india_1, occurred_on=TODAY)
    ActivityFactory(ambassador=india_1, occurred_on=TODAY - datetime.timedelta(days=1))  # same person: once
    ActivityFactory(ambassador=india_2, occurred_on=TODAY - datetime.timedelta(days=89))
    ActivityFactory(ambassador=usa, occurred_on=TODAY - datetime.timedelta(days=90))  # 90 days ago: out
    ActivityFactory(ambassador=nowhere, occurred_on=TODAY)
    ActivityFactory(ambassador=usa, occurred_on=TODAY + datetime.timedelta(days=1))  # a future date: out
    year_ago = TODAY - datetime.timedelta(days=400)
    ActivityFactory(ambassador=usa, occurred_on=year_ago)

    active = by_label(computations.ambassadors_active())
    countries = by_label(computations.ambassadors_countries_covered())
    now, then = quarter_label(TODAY), quarter_label(year_ago)
    assert active[now].value == 3  # india_1, india_2, nowhere
    assert countries[now].value == 1  # India; a profile without a country is not a country
    assert list(active)[0] == then and active[then].value == 1 and countries[then].value == 1
    assert len(active) == len(countries) >= 5  # every quarter from the first activity's to now
    assert active[now].period_end >= TODAY


def test_a_quarter_is_measured_on_its_last_day():
    ambassador = AmbassadorFactory()
    last_day_of_a_quarter = datetime.date(THIS_YEAR - 1, 6, 30)
    ActivityFactory(ambassador=ambassador, occurred_on=last_day_of_a_quarter - datetime.timedelta(days=89))
    ActivityFactory(ambassador=AmbassadorFactory(), occurred_on=last_day_of_a_quarter - datetime.timedelta(days=90))
    active = by_label(computations.ambassadors_active())
    assert active[f"{THIS_YEAR - 1}-Q2"].value == 1
    assert active[f"{THIS_YEAR - 1}-Q2"].period_end == last_day_of_a_quarter


def _joined(ambassador: Ambassador, year: int) -> Ambassador:
    Ambassador.objects.filter(pk=ambassador.pk).update(created_at=timezone.make_aware(datetime.datetime(year, 3, 1)))
    return ambassador


def _recorded(lead: Lead, year: int) -> Lead:
    Lead.objects.filter(pk=lead.pk).update(created_at=timezone.make_aware(datetime.datetime(year, 5, 1)))
    return lead


def test_leads_per_ambassador_divide_by_the_ambassadors_on_the_network_that_year():
    last = THIS_YEAR - 1
    a, b = _joined(AmbassadorFactory(), last), _joined(AmbassadorFactory(), last)
    _joined(AmbassadorFactory(invited=True), last)  # invited only: not on the network
    gone = _joined(AmbassadorFactory(retired=True, term_ends_on=datetime.date(last, 12, 31)), last)
    gone.term_starts_on = datetime.date(last, 1, 1)
    gone.save(update_fields=["term_starts_on"])
    _joined(AmbassadorFactory(), THIS_YEAR)
    for ambassador, year in ((a, last), (a, last), (b, last), (gone, last), (a, THIS_YEAR)):
        _recorded(LeadFactory(referred_by=ambassador), year)
    _recorded(LeadFactory(referred_by=None), last)  # recorded by staff: not a referral
    _recorded(landed(THIS_YEAR, referred_by=b), last)

    referred = by_label(computations.leads_referred_per_ambassador())
    assert (referred[str(last)].value, referred[str(last)].numerator, referred[str(last)].denominator) == (
        Decimal("1.67"),
        5,
        3,
    )
    # This year: a, b and the newcomer; the retired ambassador's term ended last year.
    assert (referred[str(THIS_YEAR)].numerator, referred[str(THIS_YEAR)].denominator) == (1, 3)
    landed_per = by_label(computations.leads_landed_per_ambassador())
    assert (landed_per[str(THIS_YEAR)].value, landed_per[str(THIS_YEAR)].numerator) == (Decimal("0.33"), 1)
    indicator_catalogue_sync()
    assert base_text(Indicator.objects.get(code="M1-15R"), referred[str(last)]) == "5 leads over 3 ambassadors"


def test_conversion_is_the_share_of_each_years_referrals_landed_now():
    last = THIS_YEAR - 1
    for lead in (
        landed(THIS_YEAR),
        LeadFactory(),
        LeadFactory(lost=True),
        LeadFactory(stage=Lead.Stage.VERIFY_WIN),
    ):
        _recorded(lead, last)
    reopened = _recorded(landed(last), last)
    Lead.objects.filter(pk=reopened.pk).update(stage=Lead.Stage.ACTIVE)
    landed(THIS_YEAR)
    LeadFactory(referred_by=None, stage=Lead.Stage.LANDED, landed=True)  # staff's own lead: not a referral

    conversion = by_label(computations.leads_conversion())
    assert (conversion[str(last)].value, conversion[str(last)].numerator, conversion[str(last)].denominator) == (
        Decimal("20.0"),
        1,
        5,
    )
    assert conversion[str(THIS_YEAR)].value == Decimal("100.0")


def test_every_value_fits_its_indicators_unit_and_frequency():
    indicator_catalogue_sync()
    ambassador = _joined(AmbassadorFactory(), THIS_YEAR - 2)
    ActivityFactory(ambassador=ambassador, occurred_on=TODAY - datetime.timedelta(days=500))
    for year in (THIS_YEAR - 2, THIS_YEAR):
        for kind in Lead.Kind.values:
            _recorded(landed(year, kind=kind, referred_by=ambassador, capital_invested=Decimal("1234.56")), year)
        _recorded(LeadFactory(referred_by=ambassador), year)
    for key, code in KEYS.items():
        indicator = Indicator.objects.get(code=code)
        values = REGISTRY[key]()
        assert values, key
        for value in values:
            errors = observation_value_errors(
                indicator=indicator, value=value.value, period_start=value.period_start, period_end=value.period_end
            )
            assert errors == {}, (code, value, errors)


def _network(size: int, leads_per_ambassador: int) -> None:
    """``size`` ambassadors, each with an activity and ``leads_per_ambassador`` leads (a third
    landed), bulk-created."""
    start = User.objects.count()
    users = User.objects.bulk_create(User(email=f"bulk{start + i}@example.org") for i in range(size))
    ambassadors = Ambassador.objects.bulk_create(
        Ambassador(full_name=f"Bulk {i}", status="active", country=["IN", "US", "DE", "NG"][i % 4], user=user)
        for i, user in enumerate(users)
    )
    Activity.objects.bulk_create(
        Activity(ambassador=a, kind="event", occurred_on=TODAY - datetime.timedelta(days=i % 400))
        for i, a in enumerate(ambassadors)
    )
    firm = LeadFactory(landed=True).organisation
    Lead.objects.bulk_create(
        Lead(
            name=f"Bulk lead {i}",
            referred_by=ambassadors[i % len(ambassadors)],
            kind=["fdi", "uk_office", "expansion"][i // 3 % 3],
            origin_country=["DE", "FR", "JP"][i % 3],
            **(
                {
                    "stage": "landed",
                    "organisation": firm,
                    "landed_on": datetime.date(THIS_YEAR - i % 3, 2, 1),
                    "new_jobs": 3,
                    "safeguarded_jobs": 1,
                    "capital_invested": Decimal("10"),
                }
                if i % 3 == 0
                else {}
            ),
        )
        for i in range(size * leads_per_ambassador)
    )


@pytest.mark.parametrize("key", sorted(KEYS))
def test_query_count_does_not_grow_with_the_network(key):
    counts = []
    for size in (10, 300):
        _network(size, 3)
        with CaptureQueriesContext(connection) as queries:
            values = REGISTRY[key]()
        assert values, key
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] <= 2, counts


def test_after_a_kpi_refresh_the_relocation_and_jobs_indicators_count_a_landed_lead():
    indicator_catalogue_sync()
    ambassador = AmbassadorFactory()
    ActivityFactory(ambassador=ambassador, occurred_on=TODAY)
    landed(THIS_YEAR, referred_by=ambassador, new_jobs=25, safeguarded_jobs=4, capital_invested=Decimal("5e6"))
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF)
    assert refresh_run_execute(run_id=run.pk).status == RefreshRun.Status.SUCCEEDED

    def stored(code: str, label: str = str(THIS_YEAR)) -> Decimal:
        observation = Observation.objects.get(indicator__code=code, period_label=label, status="computed")
        assert observation.geography.code == "E47000007"
        return observation.value

    assert stored("M1-11") == 1
    assert stored("M1-11J") == 25
    assert stored("M1-11S") == 4
    assert stored("M1-11C") == Decimal("5000000")
    assert stored("M1-11O") == 1
    assert stored("M1-15A", quarter_label(TODAY)) == 1
    assert stored("M1-15V") == Decimal("100.0")
