"""The workspace indicators: occupancy by area, applications received and decided, the service
level, supported firms and their survival and high growth, checked on applications taken through
the workspaces services, and stored by the KPI refresh."""

import calendar
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from missions.catalogue import indicator_catalogue_sync
from missions.computations import firms, workspaces
from missions.geographies import BOROUGH_CODES, WMCA_BOROUGHS
from missions.models import Geography, Indicator, Observation, RefreshRun
from missions.registry import REGISTRY
from missions.services import refresh_run_execute
from portal.models import LocalAuthority, Organisation
from tests.portal.factories import FirmYearFactory, OrganisationFactory
from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory, offered_application
from workspaces import services
from workspaces.models import Application, DeskType, Tenancy

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_YEAR = TODAY.year
WMCA, BIRMINGHAM, COVENTRY = "E47000007", "E08000025", "E08000026"
KEYS = {
    "workspace_occupancy": "M1-17",
    "workspace_applications_received": "M1-18",
    "workspace_applications_decided": "M1-19",
    "workspace_decided_within_service_level": "M1-20",
    "workspace_supported_firms": "M1-21",
    "workspace_supported_survival_3y": "M1-22",
    "workspace_supported_high_growth": "M1-23",
}


def quarter(offset: int = 0, today: datetime.date = TODAY) -> tuple[datetime.date, datetime.date, str]:
    """The first and last day and the label of the quarter ``offset`` quarters after today's."""
    year, index = divmod(today.year * 4 + (today.month - 1) // 3 + offset, 4)
    first = index * 3 + 1
    end = datetime.date(year, first + 2, calendar.monthrange(year, first + 2)[1])
    return datetime.date(year, first, 1), end, f"{year}-Q{index + 1}"


def by_key(values) -> dict:
    return {(value.period_label, value.geography_code): value for value in values}


def by_label(values) -> dict:
    return {value.period_label: value for value in values}


def accepted(staff, workspace, desks: int = 1, **kwargs) -> Tenancy:
    """An application offered and accepted through the services: a tenancy from today."""
    application = offered_application(staff=staff, workspace=workspace, desks=desks, start_on=TODAY, **kwargs)
    return services.application_accept_offer(application=application, actor=application.applicant)


def test_every_workspace_indicator_is_registered_and_catalogued():
    indicator_catalogue_sync()
    for key, code in KEYS.items():
        assert key in REGISTRY
        indicator = Indicator.objects.get(code=code)
        assert (indicator.method, indicator.computation, indicator.mission.code) == ("computed", key, "M1")
        assert indicator.methodology and indicator.definition
    assert "20 working days" in Indicator.objects.get(code="M1-20").methodology
    assert "20 working days" in Indicator.objects.get(code="M1-20").definition
    assert "bank holidays" in Indicator.objects.get(code="M1-20").methodology
    assert "(supported firms)" in Indicator.objects.get(code="M1-22").name
    assert "portal cohort" in Indicator.objects.get(code="M1-23").methodology
    assert "let" in Indicator.objects.get(code="M1-17").methodology
    assert "capacity is today's capacity" in Indicator.objects.get(code="M1-17").methodology.lower()
    assert Indicator.objects.get(code="M1-17").frequency == Indicator.Frequency.QUARTERLY


def test_the_catalogue_states_the_service_level_of_the_settings_when_synced(settings):
    settings.WORKSPACES_SERVICE_LEVEL_DAYS = 15  # read when synced, not when imported
    indicator_catalogue_sync()
    service_level = Indicator.objects.get(code="M1-20")
    assert "15 working days" in service_level.definition
    assert "service level is 15 working days" in service_level.methodology
    assert "20 working days" not in service_level.definition + service_level.methodology
    assert not Indicator.objects.filter(methodology__contains="[").filter(methodology__contains="days]").exists()


def test_the_catalogue_says_the_workspace_indicators_count_the_seven_boroughs_only():
    indicator_catalogue_sync()
    for code in ("M1-17", "M1-18", "M1-19", "M1-20", "M1-21"):
        assert "in the seven WMCA boroughs" in Indicator.objects.get(code=code).definition, code
    for code in ("M1-21", "M1-22", "M1-23"):
        assert "tech firms in the seven WMCA boroughs" in Indicator.objects.get(code=code).methodology, code


# Occupancy


def test_occupancy_counts_let_desks_of_current_tenancies_per_borough_and_for_the_area(staff_user):
    big = WorkspaceFactory(pools={DeskType.HOT_DESK: 10, DeskType.FIXED_DESK: 10})
    small = WorkspaceFactory(pools={DeskType.FIXED_DESK: 5})
    coventry = WorkspaceFactory(local_authority=LocalAuthority.COVENTRY, pools={DeskType.FIXED_DESK: 8})
    outside = WorkspaceFactory(local_authority=LocalAuthority.OUTSIDE, pools={DeskType.FIXED_DESK: 4})
    WorkspaceFactory(local_authority=LocalAuthority.DUDLEY, pools={})  # no desks: no value for Dudley

    accepted(staff_user, big, desks=3)
    accepted(staff_user, small, desks=2)
    accepted(staff_user, coventry, desks=2)
    accepted(staff_user, outside, desks=4)  # outside the area: never counted
    offered_application(staff=staff_user, workspace=big, desks=4)  # held by an offer, not let
    services.tenancy_end(tenancy=accepted(staff_user, coventry, desks=1))  # given back
    _, end, label = quarter()
    late = accepted(staff_user, small, desks=1)  # starts after the quarter: not let in it
    Tenancy.objects.filter(pk=late.pk).update(start_on=end + datetime.timedelta(days=1))

    values = by_key(workspaces.workspace_occupancy())
    assert set(values) == {(label, WMCA), (label, BIRMINGHAM), (label, COVENTRY)}
    expected = {WMCA: ("21.2", 7, 33), BIRMINGHAM: ("20.0", 5, 25), COVENTRY: ("25.0", 2, 8)}
    start, end, _ = quarter()
    for code, (rate, let, capacity) in expected.items():
        value = values[(label, code)]
        assert (value.value, value.numerator, value.denominator) == (Decimal(rate), let, capacity), code
        assert (value.period_start, value.period_end) == (start, end)


def _dates(tenancy: Tenancy, start: datetime.date, ended: datetime.date | None = None) -> Tenancy:
    Tenancy.objects.filter(pk=tenancy.pk).update(
        start_on=start, end_on=start + datetime.timedelta(days=365), ended_on=ended
    )
    return tenancy


def test_occupancy_has_a_value_for_every_quarter_since_the_first_tenancy_per_borough(staff_user):
    birmingham = WorkspaceFactory(pools={DeskType.HOT_DESK: 4, DeskType.FIXED_DESK: 6})
    coventry = WorkspaceFactory(local_authority=LocalAuthority.COVENTRY, pools={DeskType.FIXED_DESK: 5})
    two_ago, last, now = quarter(-2), quarter(-1), quarter()
    # Started two quarters ago, ended last quarter: let at the end of two quarters ago only.
    _dates(accepted(staff_user, birmingham, desks=3), two_ago[0] + datetime.timedelta(days=10), last[0])
    # Started on the last day of a quarter (let on it), ended on the last day of the next (not let on it).
    _dates(accepted(staff_user, birmingham, desks=2), two_ago[1], last[1])
    # Ended on the first day of this quarter: let at the end of last quarter, not today.
    _dates(accepted(staff_user, coventry, desks=1), last[0], now[0])
    # Current since two quarters ago.
    _dates(accepted(staff_user, coventry, desks=4), two_ago[0])

    values = by_key(workspaces.workspace_occupancy())
    expected = {
        two_ago: {WMCA: ("60.0", 9, 15), BIRMINGHAM: ("50.0", 5, 10), COVENTRY: ("80.0", 4, 5)},
        last: {WMCA: ("33.3", 5, 15), BIRMINGHAM: ("0.0", 0, 10), COVENTRY: ("100.0", 5, 5)},
        now: {WMCA: ("26.7", 4, 15), BIRMINGHAM: ("0.0", 0, 10), COVENTRY: ("80.0", 4, 5)},
    }
    assert set(values) == {(label, code) for (_, _, label), rows in expected.items() for code in rows}
    for (start, end, label), rows in expected.items():
        for code, (rate, let, capacity) in rows.items():
            value = values[(label, code)]
            assert (value.value, value.numerator, value.denominator) == (Decimal(rate), let, capacity), (label, code)
            assert (value.period_start, value.period_end) == (start, end)


def test_occupancy_fills_every_quarter_back_to_the_first_start_across_years(staff_user):
    workspace = WorkspaceFactory(pools={DeskType.FIXED_DESK: 4})
    _dates(accepted(staff_user, workspace, desks=2), quarter(-9)[0], quarter(-7)[0] + datetime.timedelta(days=3))
    accepted(staff_user, workspace, desks=1)  # from today

    values = [v for v in workspaces.workspace_occupancy() if v.geography_code == WMCA]
    assert [v.period_label for v in values] == [quarter(offset)[2] for offset in range(-9, 1)]
    assert [v.numerator for v in values] == [2, 2, 0, 0, 0, 0, 0, 0, 0, 1]
    assert {v.denominator for v in values} == {4}  # today's capacity in every quarter


def test_occupancy_measures_the_current_quarter_today_and_past_ones_on_their_last_day(staff_user, monkeypatch):
    workspace = WorkspaceFactory(pools={DeskType.FIXED_DESK: 20})
    _dates(accepted(staff_user, workspace, desks=1), datetime.date(2023, 12, 31))  # let from Q4
    _dates(accepted(staff_user, workspace, desks=2), datetime.date(2024, 1, 1), datetime.date(2024, 5, 20))
    _dates(accepted(staff_user, workspace, desks=4), datetime.date(2024, 5, 16))  # starts after "today"
    _dates(accepted(staff_user, workspace, desks=8), datetime.date(2024, 7, 1))  # the next quarter
    monkeypatch.setattr(workspaces.timezone, "localdate", lambda: datetime.date(2024, 5, 15))

    values = {v.period_label: v for v in workspaces.workspace_occupancy() if v.geography_code == WMCA}
    assert {label: v.numerator for label, v in values.items()} == {"2023-Q4": 1, "2024-Q1": 3, "2024-Q2": 3}
    assert (values["2024-Q2"].period_start, values["2024-Q2"].period_end) == (
        datetime.date(2024, 4, 1),
        datetime.date(2024, 6, 30),
    )


def test_occupancy_is_empty_without_desks_and_zero_without_tenancies():
    assert workspaces.workspace_occupancy() == []
    WorkspaceFactory(pools={DeskType.FIXED_DESK: 4})
    values = by_key(workspaces.workspace_occupancy())
    assert [(v.geography_code, v.value, v.numerator, v.denominator) for v in values.values()] == [
        (WMCA, Decimal("0.0"), 0, 4),
        (BIRMINGHAM, Decimal("0.0"), 0, 4),
    ]


# Applications and the service level


def _decided(staff, when: datetime.datetime, days: int, outcome: str = "reject") -> Application:
    application = ApplicationFactory(in_review=True)
    if outcome == "reject":
        services.application_reject(application=application, actor=staff, reason="Not this round")
    else:
        services.application_waitlist(application=application, actor=staff)
    Application.objects.filter(pk=application.pk).update(decided_at=when, decision_working_days=days)
    return application


def test_applications_received_by_year_of_submission_with_empty_years_as_zero(founder_user):
    draft = ApplicationFactory(applicant=founder_user)
    services.application_submit(application=draft, actor=founder_user)
    ApplicationFactory()  # a draft never submitted is not received
    old = ApplicationFactory(submitted=True)
    Application.objects.filter(pk=old.pk).update(
        submitted_at=datetime.datetime(THIS_YEAR - 2, 6, 1, tzinfo=datetime.UTC)
    )

    values = by_label(workspaces.workspace_applications_received())
    assert list(values) == [str(THIS_YEAR - 2), str(THIS_YEAR - 1), str(THIS_YEAR)]
    assert [v.value for v in values.values()] == [1, 0, 1]
    assert all(v.geography_code == WMCA for v in values.values())


def test_applications_decided_counts_the_first_decision_once(staff_user):
    waitlisted = _decided(staff_user, timezone.now(), 3, outcome="waitlist")
    services.waitlist_promote(pool=waitlisted.workspaces.get().desk_pools.get(desk_type=DeskType.FIXED_DESK))
    waitlisted.refresh_from_db()
    assert waitlisted.status == Application.Status.OFFERED  # a second decision, still one count
    offered_application(staff=staff_user)
    _decided(staff_user, datetime.datetime(THIS_YEAR - 1, 12, 31, 12, tzinfo=datetime.UTC), 5)
    ApplicationFactory(in_review=True)  # not decided yet

    values = by_label(workspaces.workspace_applications_decided())
    assert {label: v.value for label, v in values.items()} == {str(THIS_YEAR - 1): 1, str(THIS_YEAR): 2}


def test_service_level_share_includes_20_working_days_and_excludes_21(staff_user, settings):
    now = timezone.now()
    for days in (0, 19, 20, 21, 35):
        _decided(staff_user, now, days)
    _decided(staff_user, datetime.datetime(THIS_YEAR - 1, 3, 1, tzinfo=datetime.UTC), 21)

    values = by_label(workspaces.workspace_decided_within_service_level())
    this_year = values[str(THIS_YEAR)]
    assert (this_year.value, this_year.numerator, this_year.denominator) == (Decimal("60.0"), 3, 5)
    assert (values[str(THIS_YEAR - 1)].value, values[str(THIS_YEAR - 1)].numerator) == (Decimal("0.0"), 0)

    settings.WORKSPACES_SERVICE_LEVEL_DAYS = 21  # read when computed, not when imported
    assert by_label(workspaces.workspace_decided_within_service_level())[str(THIS_YEAR)].numerator == 4


def test_service_level_uses_the_working_days_the_service_stamped(staff_user):
    offered = offered_application(staff=staff_user)
    offered.refresh_from_db()
    assert offered.decision_working_days == 0
    value = by_label(workspaces.workspace_decided_within_service_level())[str(THIS_YEAR)]
    assert (value.value, value.numerator, value.denominator) == (Decimal("100.0"), 1, 1)


# Supported firms


def _tenancy_years(tenancy: Tenancy, start: datetime.date, ended: datetime.date | None) -> None:
    Tenancy.objects.filter(pk=tenancy.pk).update(
        start_on=start, end_on=start + datetime.timedelta(days=364), ended_on=ended
    )


def test_supported_firms_counts_distinct_firms_with_a_tenancy_overlapping_each_year(staff_user):
    workspace = WorkspaceFactory(pools={DeskType.FIXED_DESK: 20})
    firm = OrganisationFactory()
    first = accepted(staff_user, workspace, organisation=firm)
    second = accepted(staff_user, workspace, organisation=firm)  # the same firm again: counted once
    _tenancy_years(first, datetime.date(THIS_YEAR - 3, 12, 31), datetime.date(THIS_YEAR - 2, 1, 1))
    _tenancy_years(second, datetime.date(THIS_YEAR - 2, 6, 1), None)
    ended = accepted(staff_user, workspace)
    _tenancy_years(ended, datetime.date(THIS_YEAR - 2, 3, 1), datetime.date(THIS_YEAR - 2, 12, 31))
    accepted(staff_user, workspace)  # from today

    values = by_label(workspaces.workspace_supported_firms())
    assert {label: v.value for label, v in values.items()} == {
        str(THIS_YEAR - 3): 1,
        str(THIS_YEAR - 2): 2,
        str(THIS_YEAR - 1): 1,
        str(THIS_YEAR): 2,
    }


def test_supported_survival_and_high_growth_cover_only_firms_that_had_a_tenancy(staff_user):
    workspace = WorkspaceFactory(pools={DeskType.FIXED_DESK: 20})
    cohort = datetime.date(2015, 5, 1)
    supported = [
        OrganisationFactory(founded_on=cohort),
        OrganisationFactory(founded_on=cohort, dissolved_on=datetime.date(2017, 6, 1)),
        OrganisationFactory(founded_on=cohort, local_authority=LocalAuthority.OUTSIDE),  # not in the population
    ]
    for organisation in supported:
        accepted(staff_user, workspace, organisation=organisation)
    others = [OrganisationFactory(founded_on=cohort, dissolved_on=datetime.date(2016, 1, 1)) for _ in range(3)]
    FirmYearFactory(organisation=supported[0], year=2020, employees=10)
    FirmYearFactory(organisation=supported[0], year=2023, employees=30)  # high-growth
    FirmYearFactory(organisation=others[0], year=2020, employees=10)
    FirmYearFactory(organisation=others[0], year=2023, employees=11)

    survival = by_label(workspaces.workspace_supported_survival_3y())["2015"]
    assert (survival.value, survival.numerator, survival.denominator) == (Decimal("50.0"), 1, 2)
    everyone = by_label(firms.survival_3y())["2015"]
    assert (everyone.numerator, everyone.denominator) == (1, 5)  # the default population is unchanged

    growth = by_label(workspaces.workspace_supported_high_growth())["2023"]
    assert (growth.value, growth.numerator, growth.denominator) == (Decimal("100.0"), 1, 1)
    all_growth = by_label(firms.high_growth_incidence())["2023"]
    assert (all_growth.value, all_growth.numerator, all_growth.denominator) == (Decimal("50.0"), 1, 2)


# One population: workspaces in the seven WMCA boroughs


def test_workspaces_outside_the_wmca_area_count_in_no_workspace_indicator(staff_user):
    inside = WorkspaceFactory(pools={DeskType.FIXED_DESK: 10})
    outside = WorkspaceFactory(local_authority=LocalAuthority.OUTSIDE, pools={DeskType.FIXED_DESK: 10})
    # Applications: one only for the outside workspace, one naming both (counted once).
    only_outside = _decided(staff_user, timezone.now(), 3)
    only_outside.workspaces.set([outside])
    both = _decided(staff_user, timezone.now(), 30)
    both.workspaces.set([inside, outside])
    # Tenancies: a firm in the outside workspace only, a firm in the inside one, and a firm
    # registered outside the area holding desks inside (not one of the supported tech firms).
    cohort = datetime.date(THIS_YEAR - 3, 5, 1)
    outside_tenant = OrganisationFactory(founded_on=cohort)
    inside_tenant = OrganisationFactory(founded_on=cohort)
    accepted(staff_user, outside, organisation=outside_tenant)
    accepted(staff_user, inside, organisation=inside_tenant)
    accepted(staff_user, inside, organisation=OrganisationFactory(local_authority=LocalAuthority.OUTSIDE))

    this_year = str(THIS_YEAR)
    # The accepted applications were submitted and decided too; the outside one is not counted.
    assert by_label(workspaces.workspace_applications_received())[this_year].value == 3
    assert by_label(workspaces.workspace_applications_decided())[this_year].value == 3
    within = by_label(workspaces.workspace_decided_within_service_level())[this_year]
    assert (within.numerator, within.denominator) == (2, 3)
    assert by_label(workspaces.workspace_supported_firms())[this_year].value == 1
    assert list(workspaces.supported_firm_population()) == [inside_tenant]
    survival = by_label(workspaces.workspace_supported_survival_3y())[str(THIS_YEAR - 3)]
    assert (survival.numerator, survival.denominator) == (1, 1)
    occupancy = {v.geography_code: v for v in workspaces.workspace_occupancy()}
    # Let: the two tenancies inside. Capacity: 10 inside and the 15 of each workspace the two decided
    # applications were made for at first, not the 10 outside.
    assert (occupancy[WMCA].numerator, occupancy[WMCA].denominator) == (2, 40)


def test_every_wmca_borough_has_its_geography_and_no_other_area_does():
    assert set(WMCA_BOROUGHS) == set(LocalAuthority.values) - {LocalAuthority.OUTSIDE}
    for borough, code in BOROUGH_CODES.items():
        area = Geography.objects.get(code=code)
        assert (area.name, area.level) == (LocalAuthority(borough).label, Geography.Level.LOCAL_AUTHORITY)


def test_occupancy_has_a_value_for_each_borough_with_desks():
    for borough in LocalAuthority.values:
        WorkspaceFactory(local_authority=borough, pools={DeskType.FIXED_DESK: 4})
    codes = {v.geography_code for v in workspaces.workspace_occupancy()}
    assert codes == {WMCA, *BOROUGH_CODES.values()}  # every borough's workspaces, none outside


# Set-based: the query count does not grow with the data


def _bulk(size: int) -> None:
    workspace = WorkspaceFactory(pools={DeskType.FIXED_DESK: 5000})
    pool = workspace.desk_pools.get()
    organisations = Organisation.objects.bulk_create(
        OrganisationFactory.build(company_number="", founded_on=datetime.date(2012 + n % 8, 1, 1)) for n in range(size)
    )
    applications = ApplicationFactory.create_batch(size, in_review=True, workspaces=[workspace])
    now = timezone.now()
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(
        status=Application.Status.ACCEPTED, decided_at=now, decision_working_days=12
    )
    Tenancy.objects.bulk_create(
        Tenancy(
            application=application,
            organisation=organisation,
            pool=pool,
            desks=1,
            start_on=datetime.date(2015 + n % 10, 1, 1),
            end_on=datetime.date(2030, 1, 1),
        )
        for n, (application, organisation) in enumerate(zip(applications, organisations, strict=True))
    )


@pytest.mark.parametrize("key", sorted(KEYS))
def test_query_count_does_not_grow_with_the_data(key):
    counts = []
    for size in (3, 60):
        _bulk(size)
        with CaptureQueriesContext(connection) as queries:
            values = REGISTRY[key]()
        assert values or key == "workspace_supported_high_growth"
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] <= 3, counts


def _spread(pool_by_n, size: int, first: int) -> None:
    """``size`` one-desk tenancies starting a quarter apart from ``first`` quarters ago, every other
    one ended in the quarter after its start."""
    applications = ApplicationFactory.create_batch(size, in_review=True)
    organisations = Organisation.objects.bulk_create(OrganisationFactory.build(company_number="") for _ in range(size))
    Application.objects.filter(pk__in=[a.pk for a in applications]).update(status=Application.Status.ACCEPTED)
    tenancies = []
    for n, (application, organisation) in enumerate(zip(applications, organisations, strict=True)):
        start = quarter(-first + n)[0] + datetime.timedelta(days=n % 40)
        ended = quarter(-first + n + 1)[0] + datetime.timedelta(days=5) if n % 2 else None
        tenancies.append(
            Tenancy(
                application=application,
                organisation=organisation,
                pool=pool_by_n(n),
                desks=1,
                start_on=start,
                end_on=start + datetime.timedelta(days=365),
                ended_on=ended if ended is not None and ended <= TODAY else None,
            )
        )
    Tenancy.objects.bulk_create(tenancies)


def test_occupancy_query_count_is_the_same_for_1_and_30_tenancies_over_many_quarters():
    birmingham = WorkspaceFactory(pools={DeskType.FIXED_DESK: 100}).desk_pools.get()
    coventry = WorkspaceFactory(local_authority=LocalAuthority.COVENTRY, pools={DeskType.FIXED_DESK: 100})
    pools = [birmingham, coventry.desk_pools.get()]
    counts, quarters = [], []
    for size, first in ((1, 1), (29, 30)):
        _spread(lambda n: pools[n % 2], size, first)
        with CaptureQueriesContext(connection) as queries:
            values = workspaces.workspace_occupancy()
        counts.append(len(queries.captured_queries))
        quarters.append(len({v.period_label for v in values}))
    assert quarters == [2, 31]
    assert counts[0] == counts[1] <= 3, counts


# The refresh stores them


def test_the_refresh_stores_every_workspace_indicator(staff_user):
    indicator_catalogue_sync()
    workspace = WorkspaceFactory(pools={DeskType.FIXED_DESK: 8})
    accepted(staff_user, workspace, desks=2)
    ApplicationFactory(in_review=True, workspaces=[workspace])
    run = RefreshRun.objects.create(trigger=RefreshRun.Trigger.STAFF)
    assert refresh_run_execute(run_id=run.pk).status == RefreshRun.Status.SUCCEEDED

    _, _, label = quarter()
    occupancy = Observation.objects.filter(indicator__code="M1-17", status="computed")
    stored = {o.geography.code: (o.period_label, o.value, o.numerator, o.denominator) for o in occupancy}
    assert stored == {
        WMCA: (label, Decimal("25.0"), 2, 8),
        BIRMINGHAM: (label, Decimal("25.0"), 2, 8),
    }
    expected = {"M1-18": Decimal("2"), "M1-19": Decimal("1"), "M1-20": Decimal("100.0"), "M1-21": Decimal("1")}
    for code, value in expected.items():
        observation = Observation.objects.get(indicator__code=code, period_label=str(THIS_YEAR), status="computed")
        assert (observation.value, observation.geography.code) == (value, WMCA), code
