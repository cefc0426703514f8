"""The leads pages through HTTP: who may see and do what (another ambassador's lead is a 404),
forms that report every problem at once with a 400 and redirect after success, stage moves with
field-level errors, a skipped stage and a stale version refused, the history, "my impact", and
lists whose query count does not grow with the leads."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from ambassadors.models import Ambassador, Lead
from ambassadors.services import leads as lead_services
from portal.page_cache import data_version_bump
from portal.roles import Role, role_group
from tests.conftest import _user_with_role
from tests.portal.factories import OrganisationFactory

from .lead_factories import LeadAmbassadorFactory, LeadFactory, staff_member

pytestmark = pytest.mark.django_db
S = Lead.Stage

MY_LEADS = "/ambassadors/leads/"
REFER = "/ambassadors/leads/new/"
IMPACT = "/ambassadors/impact/"
PIPELINE = "/dashboard/leads/"
CREATE = "/dashboard/leads/new/"


def detail_url(lead) -> str:
    return f"/ambassadors/leads/{lead.pk}/"


def manage_url(lead) -> str:
    return f"/dashboard/leads/{lead.pk}/"


def move_url(lead, to: str = "") -> str:
    return f"/dashboard/leads/{lead.pk}/move/" + (f"?to={to}" if to else "")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def ambassador():
    return LeadAmbassadorFactory(full_name="Priya Raman")


@pytest.fixture
def staff():
    return staff_member(full_name="Sam Staff")


# Who may see what -----------------------------------------------------------------------------


def test_an_ambassador_sees_only_their_own_leads(client, ambassador):
    mine = LeadFactory(referred_by=ambassador, name="Mine Robotics")
    theirs = LeadFactory(name="Someone Else's Firm")
    client.force_login(ambassador.user)

    listing = text(client.get(MY_LEADS))
    assert "Mine Robotics" in listing and "Someone Else" not in listing
    assert client.get(detail_url(mine)).status_code == 200
    assert client.get(detail_url(theirs)).status_code == 404
    assert client.get("/ambassadors/leads/999999/").status_code == 404


@pytest.mark.parametrize("page", [MY_LEADS, REFER, IMPACT, PIPELINE, CREATE])
def test_signed_out_visitors_are_sent_to_sign_in(client, page):
    response = client.get(page)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.REVIEWER])
def test_other_roles_are_refused_every_leads_page(client, role):
    client.force_login(_user_with_role(role))
    lead = LeadFactory()
    for page in (MY_LEADS, REFER, IMPACT, detail_url(lead), PIPELINE, CREATE, manage_url(lead), move_url(lead)):
        assert client.get(page).status_code == 403, page


def test_an_ambassador_gets_no_staff_page_and_staff_no_ambassador_page(client, ambassador, staff):
    lead = LeadFactory(referred_by=ambassador)
    client.force_login(ambassador.user)
    for page in (PIPELINE, CREATE, manage_url(lead), move_url(lead, "qualified")):
        assert client.get(page).status_code == 403, page
    assert client.post(move_url(lead), {"stage": "qualified", "version": 1}).status_code == 403
    client.force_login(staff)
    assert client.get(MY_LEADS).status_code == 403
    assert client.get(detail_url(lead)).status_code == 403


def test_a_paused_ambassador_reads_their_leads_but_refers_none(client):
    paused = LeadAmbassadorFactory(paused=True)
    LeadFactory(referred_by=paused, name="Before The Pause Ltd")
    client.force_login(paused.user)
    page = text(client.get(MY_LEADS))
    assert "Before The Pause Ltd" in page and "Your ambassador role is paused" in page
    assert client.get(IMPACT).status_code == 200
    assert client.get(REFER).status_code == 403
    assert client.post(REFER, {"name": "New Ltd"}).status_code == 403
    assert Lead.objects.count() == 1


def test_a_retired_ambassador_uses_no_page(client):
    retired = LeadAmbassadorFactory(retired=True)
    client.force_login(retired.user)
    assert client.get(MY_LEADS).status_code == 403


# Referring ------------------------------------------------------------------------------------


def test_an_ambassador_refers_a_lead_and_lands_on_its_page(client, ambassador):
    client.force_login(ambassador.user)
    assert client.get(REFER).status_code == 200
    response = client.post(
        REFER,
        {
            "name": "Bengaluru Sensors Pvt Ltd",
            "company_number": "",
            "summary": "An R&D office of 30 engineers.",
            "origin_country": "IN",
            "sector": "ai_data",
            "kind": "fdi",
        },
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(lead)
    assert (lead.referred_by, lead.stage, lead.sector, str(lead.origin_country)) == (
        ambassador,
        S.REFERRED,
        "ai_data",
        "IN",
    )
    page = text(client.get(response["Location"]))
    assert "Bengaluru Sensors Pvt Ltd is referred" in page
    assert "Recorded as referred" in page and "Priya Raman" in page


def test_a_referral_with_errors_lists_every_one_and_answers_400(client, ambassador):
    client.force_login(ambassador.user)
    response = client.post(REFER, {"name": "", "company_number": "NOT-A-NUMBER", "origin_country": "ZZ", "kind": "x"})
    assert response.status_code == 400
    page = text(response)
    assert "There is a problem" in page and "<title>Error: Refer a lead" in page
    for message in (
        "Enter the company&#x27;s name",
        "Enter a Companies House number of 8 characters",
        "Choose the country the company comes from from the list",
        "Choose the type of investment from the list",
    ):
        assert message in page, message
    assert 'href="#id_name"' in page and 'href="#id_kind_0"' in page
    assert not Lead.objects.exists()


# My impact ------------------------------------------------------------------------------------


def test_my_impact_counts_only_my_landed_leads(client, ambassador):
    LeadFactory(
        referred_by=ambassador, landed=True, new_jobs=30, safeguarded_jobs=5, capital_invested=Decimal("1500000")
    )
    LeadFactory(
        referred_by=ambassador, landed=True, new_jobs=12, safeguarded_jobs=0, capital_invested=Decimal("250000.50")
    )
    LeadFactory(referred_by=ambassador, verify_win=True, new_jobs=999)  # not landed yet: not counted
    LeadFactory(referred_by=ambassador, lost=True)
    LeadFactory(landed=True, new_jobs=500, name="Not Yours Ltd")  # someone else's
    client.force_login(ambassador.user)
    page = text(client.get(IMPACT))
    assert "2 of the 4 leads you referred (1 still open)" in page
    assert '<dd class="govuk-summary-list__value">42</dd>' in page
    assert '<dd class="govuk-summary-list__value">5</dd>' in page
    assert "£1,750,000.50" in page
    assert "Not Yours Ltd" not in page and "542" not in page


def test_my_impact_without_a_landing_says_so(client, ambassador):
    client.force_login(ambassador.user)
    page = text(client.get(IMPACT))
    assert "None of your leads has landed yet" in page and "None" not in page.replace("None of your", "")


# The staff pipeline ---------------------------------------------------------------------------


def test_the_pipeline_lists_and_filters_leads(client, staff, ambassador):
    LeadFactory(
        name="Fintech From Lagos", qualified=True, sector="fintech", origin_country="NG", referred_by=ambassador
    )
    LeadFactory(name="Games From Seoul", qualified=True, sector="games", origin_country="KR", kind="uk_office")
    client.force_login(staff)
    page = text(client.get(PIPELINE))
    assert "2 leads" in page and "Fintech From Lagos" in page and "Games From Seoul" in page
    for query in ("sector=fintech", "origin_country=NG", f"ambassador={ambassador.pk}", "kind=fdi", "stage=qualified"):
        page = text(client.get(f"{PIPELINE}?{query}"))
        assert "Fintech From Lagos" in page, query
        if query != "stage=qualified":
            assert "Games From Seoul" not in page, query


def test_the_pipeline_filters_by_owner(client, staff):
    LeadFactory(name="Owned Ltd", active=True, owner=staff)
    LeadFactory(name="Other Owner Ltd", active=True)
    client.force_login(staff)
    page = text(client.get(f"{PIPELINE}?owner={staff.pk}"))
    assert "Owned Ltd" in page and "Other Owner Ltd" not in page


def test_bad_filters_answer_400_with_their_messages(client, staff):
    client.force_login(staff)
    response = client.get(f"{PIPELINE}?stage=won&origin_country=XX&owner=abc")
    assert response.status_code == 400
    page = text(response)
    assert "Choose a stage from the list" in page and "Choose a country from the list" in page
    assert "Choose a member of staff from the list" in page


def test_the_board_groups_leads_by_stage_as_plain_lists(client, staff):
    for stage in ("referred", "qualified", "active", "verify_win", "landed", "lost"):
        LeadFactory(name=f"Firm at {stage}", **({} if stage == "referred" else {stage: True}))
    client.force_login(staff)
    response = client.get(f"{PIPELINE}?view=board")
    assert response.status_code == 200
    page = text(response)
    headings = re.findall(r'<h2 class="govuk-heading-m portal-board__heading" id="board-(\w+)">', page)
    assert headings == ["referred", "qualified", "active", "verify_win", "landed", "lost"]
    for stage in headings:
        section = page.split(f'id="board-{stage}"')[1].split("</section>")[0]
        assert f"Firm at {stage}" in section and "1 lead" in section
    assert "<script" not in page.split('class="portal-board"')[1].split("</main>")[0]


def test_the_board_links_to_the_rest_of_a_long_stage(client, staff):
    Lead.objects.bulk_create(Lead(name=f"Referred {n}") for n in range(25))
    client.force_login(staff)
    page = text(client.get(f"{PIPELINE}?view=board&sector="))
    section = page.split('id="board-referred"')[1].split("</section>")[0]
    assert section.count('class="portal-board__card"') == 20
    assert "5 more referred leads in the list" in section
    assert "?stage=referred" in section


@pytest.mark.parametrize("view", ["", "?view=board"])
def test_the_pipeline_query_count_does_not_grow_with_the_leads(client, staff, count_queries, view):
    ambassadors = [LeadAmbassadorFactory() for _ in range(3)]
    firm = OrganisationFactory()
    client.force_login(staff)
    stages = list(S.values)

    def add(n: int) -> None:
        Lead.objects.bulk_create(
            Lead(
                name=f"Bulk {n} {i}",
                stage=stages[i % len(stages)],
                referred_by=ambassadors[i % 3],
                owner=staff if i % 2 else None,
                sector="software",
                origin_country="IN",
                kind="fdi",
                expected_jobs=10,
                **(LANDED_OUTCOME | {"organisation": firm} if stages[i % len(stages)] == "landed" else {}),
            )
            for i in range(n)
        )
        data_version_bump("ambassadors")  # a bulk write bumps once at the end, as the demo data does

    counts = []
    for total in (10, 3000):
        add(total - Lead.objects.count())
        with count_queries() as queries:
            response = client.get(PIPELINE + view)
        assert response.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
    assert ("3,000 leads" in text(response)) if not view else ("500 leads" in text(response))


@pytest.mark.parametrize("page", [MY_LEADS, IMPACT])
def test_the_ambassador_pages_query_count_does_not_grow_with_the_leads(client, ambassador, count_queries, page):
    client.force_login(ambassador.user)
    counts = []
    for total in (10, 2000):
        _landed_batch(ambassador, total - Lead.objects.count())
        with count_queries() as queries:
            response = client.get(page)
        assert response.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


LANDED_OUTCOME = {
    "new_jobs": 5,
    "safeguarded_jobs": 1,
    "capital_invested": Decimal("1000"),
    "landed_on": datetime.date(2025, 1, 1),
}


def _landed_batch(ambassador: Ambassador, n: int) -> None:
    firm = OrganisationFactory()
    Lead.objects.bulk_create(
        Lead(
            name=f"Landed {i}",
            referred_by=ambassador,
            stage="landed",
            organisation=firm,
            new_jobs=3,
            safeguarded_jobs=1,
            capital_invested=Decimal("1000"),
            landed_on=datetime.date(2025, 1, 1),
        )
        for i in range(n)
    )
    data_version_bump("ambassadors")  # a bulk write bumps once at the end, as the demo data does


# Cached pages ---------------------------------------------------------------------------------


def queried_tables(client, url: str, status: int = 200) -> str:
    """The SQL of one request (answering ``status``), to check what a cached page still reads."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == status, url
    return " ".join(query["sql"] for query in queries.captured_queries)


def qualify(lead: Lead, actor) -> None:
    lead_services.lead_move(
        lead=lead,
        actor=actor,
        to="qualified",
        version=lead.version,
        data={"sector": "software", "origin_country": "IN", "kind": "fdi"},
    )


@pytest.mark.parametrize("page", [MY_LEADS, IMPACT])
def test_each_ambassador_sees_their_own_cached_pages(client, page):
    asha = LeadAmbassadorFactory(full_name="Asha")
    # Also staff: their own pages are still keyed by the person, never shared as "staff".
    bilal = LeadAmbassadorFactory(full_name="Bilal")
    bilal.user.groups.add(role_group(Role.STAFF))
    LeadFactory(
        referred_by=asha, landed=True, name="Asha Robotics", organisation=OrganisationFactory(name="Asha Robotics")
    )
    LeadFactory(
        referred_by=bilal, landed=True, name="Bilal Foods", organisation=OrganisationFactory(name="Bilal Foods")
    )
    for ambassador, mine, theirs in ((asha, "Asha Robotics", "Bilal Foods"), (bilal, "Bilal Foods", "Asha Robotics")):
        client.force_login(ambassador.user)
        for _ in range(2):  # the second answer is the cached one
            content = text(client.get(page))
            assert mine in content and theirs not in content, (ambassador, page)
    client.force_login(asha.user)
    assert "ambassadors_lead" not in queried_tables(client, page)  # a hit reads no lead


def test_the_ambassadors_pages_show_a_move_at_once(client, ambassador, staff):
    lead = LeadFactory(referred_by=ambassador, name="Moving Robotics")
    client.force_login(ambassador.user)
    assert "Referred" in text(client.get(MY_LEADS))
    assert "0 of the 1 lead you referred (1 still open)" in text(client.get(IMPACT))
    qualify(lead, staff)
    listing = text(client.get(MY_LEADS))
    assert "Qualified</strong>" in listing and "Referred</strong>" not in listing
    lead.refresh_from_db()
    lead_services.lead_move(
        lead=lead,
        actor=staff,
        to="lost",
        version=lead.version,
        data={"lost_reason": "Went to Leeds.", "competing_location": "Leeds"},
    )
    assert "0 of the 1 lead you referred (0 still open)" in text(client.get(IMPACT))


@pytest.mark.parametrize("view", ["", "?view=board"])
def test_the_pipeline_is_cached_until_a_lead_or_the_staff_change(client, staff, ambassador, view):
    lead = LeadFactory(referred_by=ambassador, name="Cached Robotics")
    client.force_login(staff)
    client.get(PIPELINE + view)
    tables = queried_tables(client, PIPELINE + view)
    assert "ambassadors_lead" not in tables and "ambassadors_ambassador" not in tables

    qualify(lead, staff)
    content = text(client.get(PIPELINE + view))
    if view:
        qualified = content.index('id="board-qualified"')
        assert qualified < content.index("Cached Robotics") < content.index('id="board-active"')
    else:
        assert "Qualified</strong>" in content
    # Users have no data key: the owner filter lists staff added or renamed since, at once.
    staff_member(full_name="Newly Joined")
    staff.full_name = "Samira Staff"
    staff.save(update_fields=["full_name"])
    content = text(client.get(PIPELINE + view))
    assert "Newly Joined</option>" in content and "Samira Staff</option>" in content
    assert "Sam Staff</option>" not in content


def test_a_bad_filter_is_refused_cached_or_not(client, staff):
    client.force_login(staff)
    for _ in range(2):
        response = client.get(PIPELINE + "?stage=nowhere")
        assert response.status_code == 400
        assert "Choose a stage from the list" in text(response)


# Recording, moving and the history --------------------------------------------------------------


def test_staff_record_a_lead_credited_to_an_ambassador(client, staff, ambassador):
    client.force_login(staff)
    assert client.get(CREATE).status_code == 200
    response = client.post(
        CREATE, {"name": "Walk-in GmbH", "origin_country": "DE", "referred_by": ambassador.user.email}
    )
    lead = Lead.objects.get()
    assert response.status_code == 302 and response["Location"] == manage_url(lead)
    assert lead.referred_by == ambassador and lead.created_by == staff
    assert client.post(CREATE, {"name": ""}).status_code == 400


def test_the_lead_page_offers_only_the_moves_allowed(client, staff):
    lead = LeadFactory(qualified=True)
    client.force_login(staff)
    page = text(client.get(manage_url(lead)))
    assert "Move the lead to active" in page and "Mark the lead as lost" in page
    assert "verify win" not in page.split('id="next"')[1].split('id="history"')[0].lower()


def test_a_move_without_its_fields_is_refused_field_by_field_with_400(client, staff):
    lead = LeadFactory(qualified=True)
    client.force_login(staff)
    form = client.get(move_url(lead, "active"))
    assert form.status_code == 200
    assert 'name="expected_jobs"' in text(form) and 'name="new_jobs"' not in text(form)

    response = client.post(
        move_url(lead),
        {"stage": "active", "version": lead.version, "owner": "", "expected_jobs": "-2", "expected_capital": "lots"},
    )
    assert response.status_code == 400
    page = text(response)
    for message, anchor in (
        ("Choose the member of staff who owns the lead", "id_owner"),
        ("The jobs expected cannot be negative: enter 0 or more", "id_expected_jobs"),
        ("Enter the capital expected as an amount in pounds, like 2500000 or 2500000.50", "id_expected_capital"),
    ):
        assert f'<a href="#{anchor}">{message}</a>' in page, message
        assert f'id="{anchor}_error"' in page
    lead.refresh_from_db()
    assert (lead.stage, lead.version) == (S.QUALIFIED, 1)


def test_a_skipped_stage_is_refused_on_the_page(client, staff):
    lead = LeadFactory()
    client.force_login(staff)
    message = "A referred lead moves to qualified or lost next; it cannot go to active without the stages between."
    get = client.get(move_url(lead, "active"))
    assert get.status_code == 400 and message in text(get)
    post = client.post(move_url(lead), {"stage": "active", "version": 1, "owner": staff.pk, "expected_jobs": "3"})
    assert post.status_code == 400 and message in text(post)
    lead.refresh_from_db()
    assert lead.stage == S.REFERRED


def test_a_move_from_an_out_of_date_page_is_refused_and_shows_the_lead_now(client, staff):
    lead = LeadFactory(qualified=True)
    client.force_login(staff)
    response = client.post(
        move_url(lead),
        {"stage": "lost", "version": 0, "lost_reason": "Chose Leeds", "competing_location": "Leeds"},
    )
    assert response.status_code == 409
    page = text(response)
    assert "This lead was changed by someone else since you opened it, so nothing was saved." in page
    assert 'name="version" value="1"' in page
    lead.refresh_from_db()
    assert lead.stage == S.QUALIFIED


def test_staff_take_a_lead_to_landed_and_every_change_is_in_the_history(
    client, staff, ambassador, mailoutbox, django_capture_on_commit_callbacks
):
    lead = LeadFactory(referred_by=ambassador, name="Lagos Pay Ltd")
    client.force_login(staff)
    today = timezone.localdate() - datetime.timedelta(days=3)
    steps = [
        ("qualified", {"sector": "fintech", "origin_country": "NG", "kind": "fdi"}),
        ("active", {"owner": staff.pk, "expected_jobs": "50", "expected_capital": "3000000"}),
        (
            "verify_win",
            {
                "new_jobs": "45",
                "safeguarded_jobs": "0",
                "capital_invested": "2750000.00",
                "landed_on_day": today.day,
                "landed_on_month": today.month,
                "landed_on_year": today.year,
            },
        ),
        ("landed", {"company_number": "12345678"}),
    ]
    for to, data in steps:
        lead.refresh_from_db()
        form = client.get(move_url(lead, to))
        assert form.status_code == 200, to
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                move_url(lead), {"stage": to, "version": lead.version, "reason": f"On to {to}", **data}
            )
        assert response.status_code == 302, (to, text(response))
        assert response["Location"] == manage_url(lead)

    page = text(client.get(manage_url(lead)))
    assert "Lagos Pay Ltd moved to landed. The ambassador who referred it is emailed." in page
    history = page.split('id="history"')[1]
    assert history.count('data-label="Who">Sam Staff<') == 4
    for label in ("Referred to qualified", "Qualified to active", "Active to verify win", "Verify win to landed"):
        assert label in history, label
    assert "On to landed" in history and "Companies House number: 12345678" in history
    lead.refresh_from_db()
    assert lead.stage == S.LANDED and lead.organisation.company_number == "12345678"
    assert len(mailoutbox) == 4

    # The ambassador sees the landing on the lead's page and on "my impact".
    client.force_login(ambassador.user)
    assert "45 new jobs and £2,750,000 invested, credited to you" in text(client.get(detail_url(lead)))
    assert "£2,750,000" in text(client.get(IMPACT))


def test_reopening_a_landed_lead_asks_why(client, staff):
    lead = LeadFactory(landed=True)
    client.force_login(staff)
    form = text(client.get(move_url(lead, "active")))
    assert "Reopen the lead" in form
    response = client.post(
        move_url(lead),
        {"stage": "active", "version": 1, "owner": lead.owner_id, "expected_jobs": "40", "expected_capital": "2000000"},
    )
    assert response.status_code == 400 and "Enter why the landed lead is reopened" in text(response)
    response = client.post(
        move_url(lead),
        {
            "stage": "active",
            "version": 1,
            "owner": lead.owner_id,
            "expected_jobs": "40",
            "expected_capital": "2000000",
            "reason": "Deal fell through",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.stage == S.ACTIVE


def test_changing_details_records_what_changed(client, staff):
    lead = LeadFactory(active=True)
    client.force_login(staff)
    data = {
        "stage": "active",
        "version": 1,
        "name": lead.name,
        "company_number": "",
        "summary": "Now 60 engineers.",
        "sector": "software",
        "origin_country": "IN",
        "kind": "fdi",
        "referred_by": lead.referred_by.user.email,
        "owner": lead.owner_id,
        "expected_jobs": "60",
        "expected_capital": "2000000",
    }
    response = client.post(move_url(lead), data)
    assert response.status_code == 302
    history = text(client.get(manage_url(lead))).split('id="history"')[1]
    assert "Details changed (active)" in history and "Jobs expected: 40 to 60" in history
    assert escape("None") not in history


def test_nothing_reads_none(client, staff, ambassador):
    lead = LeadFactory(referred_by=ambassador)
    client.force_login(staff)
    assert ">None<" not in text(client.get(manage_url(lead)))
    client.force_login(ambassador.user)
    assert ">None<" not in text(client.get(detail_url(lead)))
