"""The funding indicators on a hand-built register: equity raised with its deal and undisclosed
counts by year and by quarter, domestic and international money by the lead investor's country
(no lead: "lead unknown"), money secured through listed opportunities, grants awarded and the
share of grants published to 360Giving, every number worked out by hand below; firms outside the
WMCA area, non-tech firms, possible duplicates and future dates left out; the catalogue entries,
the value rules, the query count and the KPI refresh."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from funding.models import Investment, InvestmentInvestor, Opportunity
from missions.catalogue import indicator_catalogue_sync
from missions.models import Indicator, Observation, RefreshRun
from missions.registry import REGISTRY
from missions.selectors.figures import base_text
from missions.services import refresh_run_execute
from missions.values import observation_value_errors
from portal.models import LocalAuthority
from tests.funding.factories import InvestmentFactory, InvestmentInvestorFactory, InvestorFactory, OpportunityFactory
from tests.portal.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_YEAR = TODAY.year
Y1, Y2 = THIS_YEAR - 2, THIS_YEAR - 1
KEYS = {
    "funding_equity_value": "M1-01",
    "funding_equity_value_quarterly": "M1-01Q",
    "funding_equity_deals": "M1-02",
    "funding_equity_deals_quarterly": "M1-02Q",
    "funding_equity_undisclosed": "M1-02U",
    "funding_equity_undisclosed_quarterly": "M1-02UQ",
    "funding_equity_international_share": "M1-03",
    "funding_equity_domestic": "M1-03D",
    "funding_equity_international": "M1-03I",
    "funding_equity_lead_unknown": "M1-03U",
    "funding_grants_value": "M1-13",
    "funding_grants_count": "M1-13N",
    "funding_listed_value": "M1-13L",
    "funding_listed_count": "M1-13LN",
    "funding_grants_published_share": "M3-05",
}
YEARLY = [str(Y1), str(Y2), str(THIS_YEAR)]


def values_of(key: str) -> dict[str, Decimal]:
    return {value.period_label: value.value for value in REGISTRY[key]()}


def day(year: int, month: int, date: int) -> datetime.date:
    return datetime.date(year, month, date)


@pytest.fixture
def register():
    """The hand-computed register. Firms A (Birmingham) and B (Coventry) count; Outsider (outside
    the WMCA area) and NonTech (Birmingham, not tech) do not. Investors: UK (GB), US and DE.

    Equity (value / deals / undisclosed / lead):
      1. A  Y1-02-10  £1,000,000  lead UK, US co-investor (not lead)   domestic
      2. B  Y1-05-20  £3,000,000  lead US, through an equity opportunity  international, listed
      3. A  Y1-05-25  undisclosed lead DE                                  a deal, no value
      4. B  Y1-11-03  £500,000    no investor                             lead unknown
      5. B  THIS-01-01 £2,000,000 lead DE                                  international
      left out: Outsider £9,999,999; NonTech £7,777,777; a possible duplicate of 1; A tomorrow.
    Grants and awards:
      10. A  grant Y1-06-01 £50,000 lead UK, through a grant opportunity   grant, listed
      11. B  grant Y1-07-01 undisclosed, lead UK                           grant (no value), unpublished
      12. A  other Y2-03-01 £10,000 through a prize opportunity, no investor  grant (award), listed
      13. A  loan  Y2-04-01 £200,000 through the grant opportunity         listed, not a grant
      14. Outsider grant Y1-08-01 £99,999 lead UK                          only in M3-05 (published)
      15. A  other Y2-05-01 £5,000 lead UK, no opportunity                 neither
      16. B  grant Y2-06-01 £1,000, no investor, no opportunity            grant, unpublished (no funder)
      left out: a possible duplicate of 10.
    """
    a = OrganisationFactory(name="A", local_authority=LocalAuthority.BIRMINGHAM)
    b = OrganisationFactory(name="B", local_authority=LocalAuthority.COVENTRY)
    outsider = OrganisationFactory(name="Outsider", local_authority=LocalAuthority.OUTSIDE)
    non_tech = OrganisationFactory(name="NonTech", is_tech=False)
    uk, us, de = InvestorFactory(name="UK fund"), InvestorFactory(name="US fund"), InvestorFactory(name="DE fund")
    grant_call = OpportunityFactory(kind=Opportunity.Kind.GRANT)
    prize = OpportunityFactory(kind=Opportunity.Kind.PRIZE)
    equity_call = OpportunityFactory(kind=Opportunity.Kind.EQUITY)

    first = InvestmentFactory(firm=a, amount_gbp=1_000_000, announced_on=day(Y1, 2, 10), lead=(uk, "GB"))
    InvestmentInvestorFactory(investment=first, investor=us, country="US")
    InvestmentFactory(
        firm=b, amount_gbp=3_000_000, announced_on=day(Y1, 5, 20), lead=(us, "US"), opportunity=equity_call
    )
    InvestmentFactory(firm=a, undisclosed=True, announced_on=day(Y1, 5, 25), lead=(de, "DE"))
    InvestmentFactory(firm=b, amount_gbp=500_000, announced_on=day(Y1, 11, 3))
    InvestmentFactory(firm=b, amount_gbp=2_000_000, announced_on=day(THIS_YEAR, 1, 1), lead=(de, "DE"))
    InvestmentFactory(firm=outsider, amount_gbp=9_999_999, announced_on=day(Y1, 3, 1), lead=(uk, "GB"))
    InvestmentFactory(firm=non_tech, amount_gbp=7_777_777, announced_on=day(Y1, 3, 1), lead=(uk, "GB"))
    InvestmentFactory(firm=a, amount_gbp=1_000_000, announced_on=day(Y1, 2, 10), possible_duplicate_of=first)
    InvestmentFactory(firm=a, amount_gbp=4_000_000, announced_on=TODAY + datetime.timedelta(days=1))

    grant = InvestmentFactory(
        grant=True, firm=a, amount_gbp=50_000, announced_on=day(Y1, 6, 1), lead=(uk, "GB"), opportunity=grant_call
    )
    InvestmentFactory(grant=True, firm=b, undisclosed=True, announced_on=day(Y1, 7, 1), lead=(uk, "GB"))
    other = {"kind": Investment.Kind.OTHER, "stage": ""}
    InvestmentFactory(**other, firm=a, amount_gbp=10_000, announced_on=day(Y2, 3, 1), opportunity=prize)
    InvestmentFactory(
        kind=Investment.Kind.LOAN,
        stage="",
        firm=a,
        amount_gbp=200_000,
        announced_on=day(Y2, 4, 1),
        opportunity=grant_call,
    )
    InvestmentFactory(grant=True, firm=outsider, amount_gbp=99_999, announced_on=day(Y1, 8, 1), lead=(uk, "GB"))
    InvestmentFactory(**other, firm=a, amount_gbp=5_000, announced_on=day(Y2, 5, 1), lead=(uk, "GB"))
    InvestmentFactory(grant=True, firm=b, amount_gbp=1_000, announced_on=day(Y2, 6, 1))
    InvestmentFactory(
        grant=True, firm=a, amount_gbp=50_000, announced_on=day(Y1, 6, 1), lead=(uk, "GB"), possible_duplicate_of=grant
    )


def test_every_funding_indicator_is_registered_and_catalogued_with_its_methodology():
    indicator_catalogue_sync()
    for key, code in KEYS.items():
        assert key in REGISTRY, key
        indicator = Indicator.objects.get(code=code)
        assert (indicator.method, indicator.computation) == ("computed", key)
        assert indicator.mission.code == code[:2]
        plain, formula = indicator.methodology.split("\n\nFor specialists: ")
        assert plain and formula and indicator.definition, code
        expected = Indicator.Frequency.QUARTERLY if code.endswith("Q") else Indicator.Frequency.ANNUAL
        assert indicator.frequency == expected, code
    assert "never estimated" in Indicator.objects.get(code="M1-01").methodology
    assert "lead unknown" in Indicator.objects.get(code="M1-03").methodology
    assert "(M1-02Q)" in Indicator.objects.get(code="M1-01Q").definition
    assert Indicator.objects.get(code="M3-03").computation == "open_data_freshness"


def test_equity_raised_counts_disclosed_rounds_only_with_every_deal_and_undisclosed_one_counted(register):
    assert values_of("funding_equity_value") == dict(
        zip(YEARLY, [Decimal(4_500_000), Decimal(0), Decimal(2_000_000)], strict=True)
    )
    assert values_of("funding_equity_deals") == dict(zip(YEARLY, [Decimal(4), Decimal(0), Decimal(1)], strict=True))
    assert values_of("funding_equity_undisclosed") == dict(
        zip(YEARLY, [Decimal(1), Decimal(0), Decimal(0)], strict=True)
    )


def test_the_quarterly_series_run_from_the_first_deal_to_this_quarter_with_zeros_between(register):
    value = values_of("funding_equity_value_quarterly")
    deals = values_of("funding_equity_deals_quarterly")
    undisclosed = values_of("funding_equity_undisclosed_quarterly")
    this_quarter = (TODAY.month - 1) // 3 + 1
    assert len(value) == len(deals) == len(undisclosed) == 8 + this_quarter
    assert list(value)[0] == f"{Y1}-Q1" and list(value)[-1] == f"{THIS_YEAR}-Q{this_quarter}"
    assert [value[f"{Y1}-Q{q}"] for q in (1, 2, 3, 4)] == [1_000_000, 3_000_000, 0, 500_000]
    assert [deals[f"{Y1}-Q{q}"] for q in (1, 2, 3, 4)] == [1, 2, 0, 1]
    assert [undisclosed[f"{Y1}-Q{q}"] for q in (1, 2, 3, 4)] == [0, 1, 0, 0]
    assert value[f"{THIS_YEAR}-Q1"] == 2_000_000 and deals[f"{THIS_YEAR}-Q1"] == 1
    assert all(value[f"{Y2}-Q{q}"] == 0 for q in (1, 2, 3, 4))


def test_domestic_and_international_follow_the_lead_investors_country_and_no_lead_is_unknown(register):
    assert values_of("funding_equity_domestic") == dict(zip(YEARLY, [1_000_000, 0, 0], strict=True))
    assert values_of("funding_equity_international") == dict(zip(YEARLY, [3_000_000, 0, 2_000_000], strict=True))
    assert values_of("funding_equity_lead_unknown") == dict(zip(YEARLY, [500_000, 0, 0], strict=True))
    share = {value.period_label: value for value in REGISTRY["funding_equity_international_share"]()}
    assert set(share) == {str(Y1), str(THIS_YEAR)}  # Y2: no round with a known lead, no value
    assert (share[str(Y1)].value, share[str(Y1)].numerator, share[str(Y1)].denominator) == (
        Decimal("75.0"),
        3_000_000,
        4_000_000,
    )
    assert share[str(THIS_YEAR)].value == Decimal("100.0")


def test_a_co_investor_abroad_never_makes_a_uk_led_round_international(register):
    InvestmentInvestor.objects.filter(country="US", is_lead=False).update(country="JP")
    assert values_of("funding_equity_domestic")[str(Y1)] == 1_000_000


def test_money_through_listed_opportunities_and_grants_awarded(register):
    assert values_of("funding_listed_value") == dict(zip(YEARLY, [3_050_000, 210_000, 0], strict=True))
    assert values_of("funding_listed_count") == dict(zip(YEARLY, [2, 2, 0], strict=True))
    assert values_of("funding_grants_value") == dict(zip(YEARLY, [50_000, 11_000, 0], strict=True))
    assert values_of("funding_grants_count") == dict(zip(YEARLY, [2, 2, 0], strict=True))


def test_the_share_of_grants_published_counts_every_recipient_and_leaves_out_unpublishable_ones(register):
    share = {value.period_label: value for value in REGISTRY["funding_grants_published_share"]()}
    assert set(share) == {str(Y1), str(Y2)}
    assert (share[str(Y1)].value, share[str(Y1)].numerator, share[str(Y1)].denominator) == (Decimal("66.7"), 2, 3)
    assert (share[str(Y2)].value, share[str(Y2)].numerator, share[str(Y2)].denominator) == (Decimal("50.0"), 1, 2)


def test_with_no_investment_there_is_no_value():
    for key in KEYS:
        assert REGISTRY[key]() == [], key


def test_every_value_fits_its_indicators_unit_and_frequency(register):
    indicator_catalogue_sync()
    for key, code in KEYS.items():
        indicator = Indicator.objects.get(code=code)
        values = REGISTRY[key]()
        assert values, key
        for value in values:
            errors = observation_value_errors(
                indicator=indicator, value=value.value, period_start=value.period_start, period_end=value.period_end
            )
            assert errors == {}, (code, value, errors)


def _register_of(size: int) -> None:
    """``size`` investments of every kind into one firm, with a lead for most, bulk-created."""
    firm = OrganisationFactory()
    lead = InvestorFactory()
    opportunity = OpportunityFactory(kind=Opportunity.Kind.PRIZE)
    kinds = [Investment.Kind.EQUITY, Investment.Kind.GRANT, Investment.Kind.OTHER, Investment.Kind.LOAN]
    rows = Investment.objects.bulk_create(
        Investment(
            firm=firm,
            kind=kinds[i % 4],
            amount_gbp=None if i % 5 == 0 else 1_000 + i,
            announced_on=day(THIS_YEAR - i % 4, 1 + i % 12, 1 + i % 28),
            opportunity=opportunity if i % 3 == 0 else None,
            source="https://news.example/deal",
        )
        for i in range(size)
    )
    InvestmentInvestor.objects.bulk_create(
        InvestmentInvestor(investment=row, investor=lead, is_lead=True, country=["GB", "US"][i % 2])
        for i, row in enumerate(rows)
        if i % 7
    )


@pytest.mark.parametrize("key", sorted(KEYS))
def test_query_count_does_not_grow_with_the_register(key):
    counts = []
    for size in (10, 400):
        _register_of(size)
        with CaptureQueriesContext(connection) as queries:
            values = REGISTRY[key]()
        assert values, key
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] == 1, counts


def test_after_a_kpi_refresh_an_investment_recorded_moves_the_indicators(register):
    indicator_catalogue_sync()

    def refresh() -> None:
        run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF)
        assert refresh_run_execute(run_id=run.pk).status == RefreshRun.Status.SUCCEEDED

    def stored(code: str, label: str = str(THIS_YEAR)) -> Observation:
        observation = Observation.objects.get(indicator__code=code, period_label=label, status="computed")
        assert observation.geography.code == "E47000007"
        return observation

    refresh()
    assert stored("M1-01").value == 2_000_000 and stored("M1-02").value == 1
    share = stored("M1-03", str(Y1))
    assert (
        base_text(share.indicator, share) == "3,000,000 of 4,000,000 pounds raised in rounds with a known lead investor"
    )

    firm = OrganisationFactory(local_authority=LocalAuthority.WALSALL)
    InvestmentFactory(firm=firm, amount_gbp=750_000, announced_on=TODAY, lead=(InvestorFactory(), "GB"))
    InvestmentFactory(firm=firm, undisclosed=True, announced_on=TODAY)
    refresh()
    assert stored("M1-01").value == 2_750_000
    assert stored("M1-02").value == 3 and stored("M1-02U").value == 1
    assert stored("M1-03D").value == 750_000
    quarter = f"{THIS_YEAR}-Q{(TODAY.month - 1) // 3 + 1}"
    assert stored("M1-01Q", quarter).value == (2_750_000 if quarter.endswith("Q1") else 750_000)
