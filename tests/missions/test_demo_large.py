"""The large synthetic data set at a small size: exact counts, a realistic shape, every invariant the
workflows keep, idempotent, a different size refused; and ``seed_demo --scale large`` wired to it."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q, Sum

from ambassadors.models import Activity, Ambassador, Lead, LeadChange
from funding.demo_large import SOURCE_PREFIX
from funding.models import Investment, InvestmentInvestor
from missions import demo_large
from missions.management.commands import seed_demo
from missions.models import RefreshRun
from portal import demo
from portal.demo_large import NUMBER_PREFIX, LargeDataError
from portal.models import FirmYear, LocalAuthority, Organisation, Sector, User
from workspaces.demo_large import FOUNDER_PREFIX
from workspaces.models import Application, DeskPool, StatusChange, Tenancy

pytestmark = pytest.mark.django_db

FIRMS = 2_000


@pytest.fixture
def loaded():
    demo.seed()  # the demo accounts the large set refers to
    return demo_large.large_seed(firms=FIRMS)


def test_large_seed_loads_every_part_at_its_ratio_to_the_firms(loaded):
    firms = Organisation.objects.filter(company_number__startswith=NUMBER_PREFIX)
    assert firms.count() == FIRMS
    assert FirmYear.objects.filter(organisation__in=firms).count() == 4 * FIRMS
    applications = Application.objects.filter(applicant__email__startswith=FOUNDER_PREFIX)
    assert applications.count() == FIRMS // 2
    network = Ambassador.objects.filter(full_name__endswith="(synthetic)")
    assert network.exclude(status="invited").count() == FIRMS // 50  # and a few invitations on top
    assert network.filter(status="invited", user__isnull=True).exists()
    assert Activity.objects.filter(ambassador__full_name__endswith="(synthetic)").count() == FIRMS
    assert Lead.objects.filter(summary__contains="large synthetic").count() == FIRMS // 5
    assert Investment.objects.filter(source__startswith=SOURCE_PREFIX).count() == 2 * FIRMS
    assert all(part["new"] for part in loaded.values())


def test_large_firms_are_skewed_by_sector_and_borough_over_fifteen_growing_cohorts(loaded):
    firms = Organisation.objects.filter(company_number__startswith=NUMBER_PREFIX)
    sectors = Counter(firms.filter(is_tech=True).values_list("sector", flat=True))
    assert sectors.most_common(1)[0][0] == Sector.SOFTWARE
    assert sectors[Sector.SOFTWARE] > 3 * sectors[Sector.TELECOMS]
    boroughs = Counter(firms.values_list("local_authority", flat=True))
    assert boroughs.most_common(1)[0][0] == LocalAuthority.BIRMINGHAM
    assert 0.04 < boroughs[LocalAuthority.OUTSIDE] / FIRMS < 0.15
    cohorts = Counter(d.year for d in firms.values_list("founded_on", flat=True))
    this_year = datetime.date.today().year
    assert set(cohorts) == set(range(this_year - 14, this_year + 1))
    assert sum(cohorts[y] for y in range(this_year - 4, this_year)) > sum(
        cohorts[y] for y in range(this_year - 14, this_year - 10)
    )
    dissolved = firms.filter(dissolved_on__isnull=False).count() / FIRMS
    assert 0.1 < dissolved < 0.6
    assert not firms.filter(dissolved_on__lt=F("founded_on")).exists()
    assert {*firms.values_list("origin", flat=True)} == set(Organisation.Origin.values)
    assert not firms.filter(origin=Organisation.Origin.RELOCATED_ABROAD, origin_country="").exists()
    assert not firms.exclude(origin=Organisation.Origin.RELOCATED_ABROAD).exclude(origin_country="").exists()


def test_large_firm_years_fall_in_each_firms_life_and_some_firms_grow_fast(loaded):
    years = FirmYear.objects.filter(organisation__company_number__startswith=NUMBER_PREFIX)
    assert not years.filter(year__lt=F("organisation__founded_on__year")).exists()
    assert not years.filter(year__gt=F("organisation__dissolved_on__year")).exists()
    assert not years.filter(year__gte=datetime.date.today().year).exists()  # reported once a year is over
    assert years.filter(consent=True).count() > 0.7 * years.count()
    assert years.filter(leadership_disclosed__isnull=True).exists() and years.filter(employees__gte=50).exists()
    assert years.values("organisation").distinct().count() > 0.8 * FIRMS


def test_large_applications_hold_the_history_and_desks_the_workflow_would(loaded):
    applications = Application.objects.filter(applicant__email__startswith=FOUNDER_PREFIX)
    assert set(applications.values_list("status", flat=True)) == set(Application.Status.values)
    # Every application starts as a draft; each moves from the status it was in.
    assert StatusChange.objects.filter(application__in=applications, from_status="").count() == applications.count()
    assert not StatusChange.objects.filter(application__in=applications, notified_at__isnull=True).exists()
    decided = applications.filter(decided_at__isnull=False)
    assert not decided.filter(Q(decision_working_days__isnull=True) | Q(decided_at__lt=F("submitted_at"))).exists()
    assert applications.filter(decision_working_days__gt=20).exists()  # some miss the service level
    assert not applications.exclude(status="draft").filter(organisation__isnull=True).exists()
    assert (
        Tenancy.objects.filter(application__in=applications).count() == applications.filter(status="accepted").count()
    )
    for pool in DeskPool.objects.filter(workspace__slug__startswith="large-"):
        held = (Tenancy.objects.filter(pool=pool, ended_on__isnull=True).aggregate(n=Sum("desks"))["n"] or 0) + (
            applications.filter(offer_pool=pool).aggregate(n=Sum("offer_desks"))["n"] or 0
        )
        assert pool.allocated == held <= pool.capacity
    founders = User.objects.filter(email__startswith=FOUNDER_PREFIX)
    assert founders.filter(groups__name="founder").count() == founders.count()
    assert not founders.exclude(password__startswith="!").exists()  # they cannot sign in
    assert not applications.filter(created_at__lt=F("applicant__date_joined")).exists()


def test_large_network_leads_and_investments_keep_their_rules(loaded):
    landed = Lead.objects.filter(summary__contains="large synthetic", stage="landed")
    assert landed.exists()
    assert not landed.filter(organisation__isnull=True).exists()
    assert not landed.filter(kind="fdi").exclude(organisation__origin=Organisation.Origin.RELOCATED_ABROAD).exists()
    assert landed.values("organisation").distinct().count() == landed.count()  # a firm lands once
    leads = Lead.objects.filter(summary__contains="large synthetic")
    assert LeadChange.objects.filter(lead__in=leads, from_stage="").count() == leads.count()
    assert leads.filter(referred_by__isnull=False).count() > 0.7 * leads.count()  # the rest are staff's own
    activities = Activity.objects.filter(ambassador__full_name__endswith="(synthetic)")
    assert not activities.filter(occurred_on__lt=F("ambassador__term_starts_on")).exists()
    deals = Investment.objects.filter(source__startswith=SOURCE_PREFIX)
    leads_per_deal = deals.annotate(n=Count("investor_rows", filter=Q(investor_rows__is_lead=True)))
    assert not leads_per_deal.exclude(n=1).exists()  # exactly one lead investor each
    assert not deals.filter(announced_on__lt=F("firm__founded_on")).exists()
    assert deals.filter(amount_gbp__isnull=True).exists() and deals.filter(possible_duplicate_of__isnull=False).exists()
    assert InvestmentInvestor.objects.filter(investment__in=deals).exclude(country="GB").exists()
    per_firm = Counter(deals.values_list("firm", flat=True))
    assert per_firm.most_common(1)[0][1] >= 10  # a few firms raise again and again


def test_large_seed_again_adds_nothing_and_another_size_is_refused(loaded):
    counts = {model: model.objects.count() for model in (Organisation, FirmYear, Application, Lead, Investment)}
    again = demo_large.large_seed(firms=FIRMS)
    assert not any(part["new"] for part in again.values())
    assert {model: model.objects.count() for model in counts} == counts
    with pytest.raises(LargeDataError, match="loaded already with 2,000 firms, not 3,000"):
        demo_large.large_seed(firms=3_000)


def test_seed_demo_scale_large_loads_the_large_set_and_refreshes_over_it(monkeypatch):
    monkeypatch.setattr(demo_large, "LARGE_FIRMS", 1_000)
    out = io.StringIO()
    call_command("seed_demo", "--scale", "large", stdout=out)
    assert "Large data set loaded" in out.getvalue() and "1,000 firms (4,000 firm-years)" in out.getvalue()
    assert Organisation.objects.filter(company_number__startswith=NUMBER_PREFIX).count() == 1_000
    assert RefreshRun.objects.get().status == RefreshRun.Status.SUCCEEDED
    out = io.StringIO()
    call_command("seed_demo", "--scale", "large", stdout=out)
    assert "already loaded, nothing added" in out.getvalue()


@pytest.mark.parametrize("value", ["huge", "0", "-2"])
def test_seed_demo_refuses_a_scale_that_is_neither_a_number_nor_large(value):
    with pytest.raises(CommandError, match="whole number from 1, or 'large'"):
        call_command("seed_demo", "--scale", value)
    assert seed_demo.scale_value("large") == "large" and seed_demo.scale_value("3") == 3


def test_large_seed_works_at_a_tiny_size_with_a_minimum_network_and_investors():
    demo.seed()
    parts = demo_large.large_seed(firms=100)
    assert parts["firms"]["firm_years"] == 400 and parts["workspaces"]["applications"] == 50
    assert parts["ambassadors"]["ambassadors"] == 10 and parts["ambassadors"]["leads"] == 20
    assert parts["funding"]["investments"] == 200
