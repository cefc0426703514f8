"""A founder's matches: the open opportunities that fit their firm's sector, borough, stage, age and
headcount, each with why it fits; unknown facts never rule one out; another firm is a 404; the
query count does not grow with the catalogue."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from funding import matching
from funding.models import Opportunity
from portal.models import LocalAuthority, Sector
from tests.funding.factories import OpportunityFactory
from tests.portal.factories import FirmYearFactory, OrganisationFactory
from tests.workspaces.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

MATCHES = reverse("funding:match-list")


def years_ago(n: int, days: int = 30) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - n) - datetime.timedelta(days=days)


@pytest.fixture
def firm(founder_user):
    """A 3-year-old software firm in Birmingham with 12 staff, earning revenue (its application)."""
    firm = OrganisationFactory(
        name="Clinic Scheduling Ltd",
        members=[founder_user],
        sector=Sector.SOFTWARE,
        local_authority=LocalAuthority.BIRMINGHAM,
        founded_on=years_ago(3),
    )
    FirmYearFactory(organisation=firm, year=2023, employees=8)
    FirmYearFactory(organisation=firm, year=2024, employees=12)
    FirmYearFactory(organisation=firm, year=2025, employees=None)  # no headcount that year
    ApplicationFactory(
        submitted=True,
        organisation=firm,
        applicant=founder_user,
        stage="pre_revenue",
        submitted_at=timezone.now() - datetime.timedelta(days=300),
    )
    ApplicationFactory(
        submitted=True,
        organisation=firm,
        applicant=founder_user,
        stage="revenue",
    )
    return firm


def shown(response) -> list[str]:
    from html.parser import HTMLParser

    class Titles(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found, self.inside = [], False

        def handle_starttag(self, tag, attrs):
            self.inside = tag == "h3" or (self.inside and tag == "a")

        def handle_endtag(self, tag):
            if tag == "h3":
                self.inside = False

        def handle_data(self, data):
            if self.inside and data.strip():
                self.found.append(data.strip())

    assert response.status_code == 200, response.content[:1000]
    parser = Titles()
    parser.feed(response.content.decode())
    return parser.found


def test_the_profile_reads_the_registry_the_latest_headcount_and_the_latest_application(firm):
    profile = matching.firm_profile_get(organisation=firm, today=timezone.localdate())
    assert (profile.sector, profile.local_authority, profile.age_years) == ("software", "birmingham", 3)
    assert (profile.headcount, profile.headcount_year) == (12, 2024)
    assert profile.stage == "revenue"
    assert profile.stage_source.startswith("workspace application WS-")
    assert profile.missing == []


def test_only_opportunities_whose_every_rule_allows_the_firm_are_shown(client, founder_user, firm):
    fits = [
        OpportunityFactory(title="Any firm at all"),
        OpportunityFactory(title="Software in Birmingham", sectors=["software", "fintech"], boroughs=["birmingham"]),
        OpportunityFactory(title="Revenue stage", stages=["revenue", "scaling"], closing_soon=True),
        OpportunityFactory(title="Young and small", firm_age_max_years=5, headcount_min=10, headcount_max=50),
        OpportunityFactory(title="Rolling loan", kind=Opportunity.Kind.LOAN, is_rolling=True),
    ]
    OpportunityFactory(title="Fintech only", sectors=["fintech"])
    OpportunityFactory(title="Coventry only", boroughs=["coventry"])
    OpportunityFactory(title="Ideas only", stages=["idea"])
    OpportunityFactory(title="Under two years old", firm_age_max_years=2)
    OpportunityFactory(title="At least 50 staff", headcount_min=50)
    OpportunityFactory(title="Not open yet", upcoming=True)
    OpportunityFactory(title="Closed already", closed=True)
    withdrawn = OpportunityFactory(title="Withdrawn")
    Opportunity.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())

    client.force_login(founder_user)
    found = shown(client.get(MATCHES))
    # Soonest deadline first, rolling last.
    assert found == ["Revenue stage", "Any firm at all", "Software in Birmingham", "Young and small", "Rolling loan"]
    assert {o.title for o in fits} == set(found)


def test_each_match_says_why_it_fits(client, founder_user, firm):
    OpportunityFactory(
        title="Software in Birmingham",
        sectors=["software", "fintech"],
        boroughs=["birmingham", "coventry"],
        stages=["revenue"],
        firm_age_max_years=5,
        headcount_max=50,
    )
    OpportunityFactory(title="Open to all")
    client.force_login(founder_user)
    page = client.get(MATCHES).content.decode()
    for reason in [
        "For software and SaaS firms",
        "For firms in Birmingham",
        "For firms at your stage: earning revenue",
        "Firms up to 5 years old: yours is 3",
        "Firms with up to 50 staff: yours has 12 (2024)",
        "Any sector",
        "Any borough: firms anywhere can apply",
        "Any stage",
        "Any firm age",
        "Any number of staff",
    ]:
        assert reason in page, reason
    assert "None" not in page
    assert "Check" not in page


def test_reasons_in_words_for_ranges_and_several_values():
    profile = matching.FirmProfile(organisation=OrganisationFactory.build(sector=""), today=timezone.localdate())
    opportunity = OpportunityFactory(
        sectors=["ai_data", "cyber"],
        boroughs=["dudley", "walsall", "sandwell"],
        stages=["idea"],
        firm_age_min_years=1,
        firm_age_max_years=1,
        headcount_min=10,
    )
    opportunity = Opportunity.objects.for_list().get(pk=opportunity.pk)
    reasons = matching.match_reasons(opportunity=opportunity, profile=profile)
    assert [(r.text, r.note) for r in reasons] == [
        ("For AI and data or cyber security firms", "we do not have your firm's sector"),
        ("For firms in Dudley, Sandwell or Walsall", "we do not know where your firm is based"),
        ("For firms at these stages: idea or prototype", "we do not know your firm's stage"),
        ("Firms 1 year old", "we do not know when your firm was founded"),
        ("Firms with at least 10 staff", "we have no headcount for your firm"),
    ]
    assert not any(r.certain for r in reasons)


def test_a_fact_we_do_not_hold_never_rules_an_opportunity_out_and_is_marked_check(client, founder_user):
    OrganisationFactory(members=[founder_user], sector="", local_authority="", founded_on=None)
    OpportunityFactory(title="Fintech in Coventry", sectors=["fintech"], boroughs=["coventry"], headcount_max=5)
    client.force_login(founder_user)
    response = client.get(MATCHES)
    assert shown(response) == ["Fintech in Coventry"]
    page = response.content.decode()
    assert "We do not have your firm's sector, borough, founding date, headcount, stage." in page
    assert page.count('govuk-tag--yellow">Check</strong>') == 3  # sector, borough, headcount
    assert "Not recorded" in page


def test_a_firm_outside_the_region_sees_only_opportunities_open_anywhere(client, founder_user):
    OrganisationFactory(members=[founder_user], local_authority=LocalAuthority.OUTSIDE)
    OpportunityFactory(title="Anywhere")
    OpportunityFactory(title="Birmingham only", boroughs=["birmingham"])
    client.force_login(founder_user)
    assert shown(client.get(MATCHES)) == ["Anywhere"]


def test_a_founder_with_no_firm_is_told_the_next_step(client, founder_user):
    OrganisationFactory(name="Someone else's firm")  # not theirs
    client.force_login(founder_user)
    response = client.get(MATCHES)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your account is not linked to a firm yet" in page
    assert reverse("workspaces:application-list") in page
    assert reverse("funding:alert-create") in page


def test_a_founder_of_several_firms_picks_one_and_another_firm_is_404(client, founder_user, firm):
    other = OrganisationFactory(name="Zebra Ventures Ltd", members=[founder_user], sector=Sector.FINTECH)
    OpportunityFactory(title="Fintech only", sectors=["fintech"])
    OpportunityFactory(title="Software only", sectors=["software"])
    client.force_login(founder_user)
    assert shown(client.get(MATCHES)) == ["Software only"]  # the first by name
    assert "Zebra Ventures Ltd" in client.get(MATCHES).content.decode()
    assert shown(client.get(MATCHES, {"firm": other.pk})) == ["Fintech only"]
    strangers = OrganisationFactory(name="Not Theirs Ltd")
    assert client.get(MATCHES, {"firm": strangers.pk}).status_code == 404
    assert client.get(MATCHES, {"firm": "not-a-number"}).status_code == 404


def test_matches_are_for_founders_and_the_signed_out_are_sent_to_sign_in(client, ambassador_user, staff_user):
    response = client.get(MATCHES)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (ambassador_user, staff_user):
        client.force_login(user)
        assert client.get(MATCHES).status_code == 403


def test_the_founders_landing_page_links_to_their_matches_and_alerts(client, founder_user):
    client.force_login(founder_user)
    page = client.get(reverse("workspaces:application-list")).content.decode()
    assert f'href="{MATCHES}"' in page
    assert f'href="{reverse("funding:alert-list")}"' in page


def test_the_page_offers_an_alert_for_the_firms_sector(client, founder_user, firm):
    client.force_login(founder_user)
    page = client.get(MATCHES).content.decode()
    assert f'href="{reverse("funding:alert-create")}?sector=software"' in page
    assert f'href="{reverse("funding:opportunity-list")}?sector=software&amp;borough=birmingham"' in page


def test_query_count_does_not_grow_with_the_catalogue(client, founder_user, firm, count_queries):
    from tests.funding.test_catalogue import bulk_opportunities

    client.force_login(founder_user)
    bulk_opportunities(10)
    client.get(MATCHES)
    with count_queries() as few:
        assert client.get(MATCHES).status_code == 200
    bulk_opportunities(2_000)
    with count_queries() as many:
        response = client.get(MATCHES, {"page": 2})
        assert response.status_code == 200
    assert many.count == few.count, [q["sql"] for q in many.captured_queries]
    assert len(shown(response)) == 20


def test_the_demo_founder_has_matches_with_reasons_and_two_alerts(client, founder_user):
    from funding import demo
    from funding.models import Alert

    founder_user.email = demo.DEMO_FOUNDER
    founder_user.save(update_fields=["email"])
    OrganisationFactory(
        members=[founder_user],
        sector=Sector.FINTECH,
        local_authority=LocalAuthority.SOLIHULL,
        founded_on=datetime.date(2011, 6, 17),
    )
    counts = demo.seed()
    assert counts["alerts"] == 2
    assert demo.seed() == {**counts, "new_opportunities": 0}
    client.force_login(founder_user)
    response = client.get(MATCHES)
    found = shown(response)
    for title in [
        "Scale-up Growth Grant",
        "Established Firms Export Accelerator",
        "Regional Growth Loan",
        "Investor Readiness Programme",
    ]:
        assert title in found
    page = response.content.decode()
    assert "For fintech firms" in page and "For firms in Solihull" in page
    assert "Firms at least 3 years old: yours is" in page
    summaries = sorted(alert.summary for alert in Alert.objects.filter(user=founder_user))
    assert summaries == ["Accelerators or grants for fintech firms", "Every kind of funding, with the words “net zero”"]
