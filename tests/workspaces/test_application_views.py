"""A founder's side of workspace applications, through HTTP: the five-step form with drafts,
check your answers, submission, the list, the status history, withdrawing and answering an offer;
who may see what, bad input at every step, emails and the list's query count."""

import datetime
import itertools
import re

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from portal.models import LocalAuthority, Organisation, Sector
from tests.portal.factories import OrganisationFactory, UserFactory
from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory, offered_application
from workspaces import services
from workspaces.models import Application, Criterion, DeskPool, DeskType, StatusChange, Tenancy

pytestmark = pytest.mark.django_db

S = Application.Status
STEPS = ["firm", "team", "needs", "pitch", "diversity"]
IN_A_MONTH = timezone.localdate() + datetime.timedelta(days=30)


def step_url(application: Application, step: str, *, from_check: bool = False) -> str:
    url = reverse("workspaces:application-step", kwargs={"pk": application.pk, "step": step})
    return url + ("?next=check" if from_check else "")


def url(name: str, application: Application) -> str:
    return reverse(f"workspaces:{name}", kwargs={"pk": application.pk})


def step_data(step: str, chosen=(), /, **overrides) -> dict:
    """A complete, valid answer to one step."""
    data = {
        "firm": {
            "company_number": "12345678",
            "firm_name": "Clinic Scheduling Ltd",
            "firm_local_authority": LocalAuthority.COVENTRY,
            "firm_sector": Sector.HEALTHTECH,
            "firm_founded_on_day": "1",
            "firm_founded_on_month": "2",
            "firm_founded_on_year": "2023",
            "firm_website": "clinic-scheduling.example.org",
        },
        "team": {"team_size": "5", "founders": "2", "team_description": "Two founders and three engineers."},
        "needs": {
            "workspaces": [str(w.pk) for w in chosen],
            "desk_type": DeskType.FIXED_DESK,
            "desks": "2",
            "start_on_day": str(IN_A_MONTH.day),
            "start_on_month": str(IN_A_MONTH.month),
            "start_on_year": str(IN_A_MONTH.year),
            "support_needs": "An investor introduction.",
        },
        "pitch": {"stage": Application.Stage.PRE_REVENUE, "pitch": "We schedule community clinics."},
        "diversity": {
            "diversity_consent": "on",
            "founders_women": "1",
            "founders_ethnic_minority": "",
            "founders_disabled": "0",
        },
    }[step]
    data.update(overrides)
    return data


def snapshot(application: Application) -> dict:
    application = Application.objects.get(pk=application.pk)
    fields = model_to_dict(application)
    fields["workspaces"] = sorted(w.pk for w in fields["workspaces"])
    return {**fields, "status": application.status, "updated_at": application.updated_at}


@pytest.fixture
def workspace():
    return WorkspaceFactory(name="Alpha Works")


@pytest.fixture
def founder_client(client, founder_user):
    client.force_login(founder_user)
    return client


@pytest.fixture
def draft(founder_user, workspace):
    """A complete draft of the founder's."""
    return ApplicationFactory(applicant=founder_user, workspaces=[workspace])


@pytest.fixture
def empty_draft(founder_user):
    return services.application_draft_create(applicant=founder_user)


# The journey


def test_the_whole_journey_saves_each_step_resumes_and_submits(
    founder_client, founder_user, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    start = founder_client.get(reverse("workspaces:application-create"))
    assert start.status_code == 200
    assert reverse("workspaces:criterion-list") in start.content.decode()

    response = founder_client.post(reverse("workspaces:application-create"))
    application = Application.objects.get(applicant=founder_user)
    assert application.status == S.DRAFT
    assert response.url == step_url(application, "firm")

    for step, following in itertools.pairwise(STEPS[:3] + ["pitch"]):
        page = founder_client.get(step_url(application, step))
        assert page.status_code == 200
        assert f"Step {STEPS.index(step) + 1} of 5" in page.content.decode()
        response = founder_client.post(step_url(application, step), step_data(step, [workspace]))
        assert response.status_code == 302, response.content.decode()
        assert response.url == step_url(application, following)

    # Half the pitch, then "Save and come back later": saved without the required stage.
    response = founder_client.post(
        step_url(application, "pitch"), {"stage": "", "pitch": "Half a pitch", "save_later": "1"}
    )
    assert response.url == reverse("workspaces:application-list")
    application.refresh_from_db()
    assert (application.pitch, application.stage) == ("Half a pitch", "")

    listing = founder_client.get(response.url).content.decode()
    assert "are saved" in listing
    assert "Continue your application" in listing
    assert f'href="{step_url(application, "pitch")}"' in listing  # the first step with a gap

    resumed = founder_client.get(step_url(application, "pitch")).content.decode()
    assert "Half a pitch" in resumed
    response = founder_client.post(step_url(application, "pitch"), step_data("pitch"))
    assert response.url == step_url(application, "diversity")
    response = founder_client.post(step_url(application, "diversity"), step_data("diversity"))
    assert response.url == url("application-check", application)

    check = founder_client.get(response.url)
    content = check.content.decode()
    assert check.status_code == 200
    assert "govuk-error-summary" not in content
    for answer in ["12345678", "Clinic Scheduling Ltd", "Coventry", "Alpha Works", "Fixed desk", "1 February 2023"]:
        assert answer in content

    with django_capture_on_commit_callbacks(execute=True):
        response = founder_client.post(url("application-check", application))
    assert response.url == url("application-detail", application)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    organisation = application.organisation
    assert (organisation.company_number, organisation.name) == ("12345678", "Clinic Scheduling Ltd")
    assert organisation.website == "https://clinic-scheduling.example.org"
    assert founder_user in organisation.members.all()
    assert (application.founders_women, application.founders_ethnic_minority, application.founders_disabled) == (
        1,
        None,
        0,
    )
    assert [m.subject for m in mailoutbox] == [f"We have received your workspace application {application.reference}"]

    detail = founder_client.get(response.url).content.decode()
    assert "govuk-panel--confirmation" in detail and "Application submitted" in detail
    assert application.reference in detail
    assert "govuk-panel" not in founder_client.get(response.url).content.decode()  # shown once


def test_submission_links_the_firm_already_in_the_registry(founder_client, founder_user, workspace):
    existing = OrganisationFactory(company_number="SC123456", name="Registered Name Ltd")
    application = ApplicationFactory(applicant=founder_user, company_number="SC123456", workspaces=[workspace])
    before = Organisation.objects.count()
    founder_client.post(url("application-check", application))
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    assert application.organisation == existing
    assert Organisation.objects.count() == before


def test_the_start_page_explains_the_form(founder_client):
    content = founder_client.get(reverse("workspaces:application-create")).content.decode()
    for text in ["Your firm", "Diversity monitoring", "saved after each step", "Save and come back later"]:
        assert text in content


def test_save_and_come_back_later_still_checks_what_was_typed(founder_client, empty_draft):
    before = snapshot(empty_draft)
    response = founder_client.post(
        step_url(empty_draft, "team"), {"team_size": "five", "founders": "", "save_later": "1"}
    )
    assert response.status_code == 400
    assert "People in the team must be a whole number" in response.content.decode()
    assert snapshot(empty_draft) == before

    response = founder_client.post(step_url(empty_draft, "firm"), {"firm_name": "Only A Name Ltd", "save_later": "1"})
    assert response.status_code == 302
    empty_draft.refresh_from_db()
    assert (empty_draft.firm_name, empty_draft.company_number) == ("Only A Name Ltd", "")


def test_a_step_shows_the_saved_answers(founder_client, draft):
    content = founder_client.get(step_url(draft, "needs")).content.decode()
    assert 'value="fixed_desk" checked' in content
    assert f'value="{draft.workspaces.get().pk}" checked' in content
    assert f'value="{draft.start_on.year}"' in content
    assert "Free now: 10 hot desks, 5 fixed desks" in content


def test_the_needs_step_leaves_out_a_desk_type_kept_at_capacity_zero(founder_client, draft, workspace):
    # Only the history of past offers keeps a desk type at capacity 0; nobody can be offered one.
    DeskPool.objects.filter(workspace=workspace, desk_type=DeskType.FIXED_DESK).update(capacity=0)
    content = founder_client.get(step_url(draft, "needs")).content.decode()
    assert "Free now: 10 hot desks." in content
    assert "fixed desk" not in content.split("Free now:")[1].split("</div>")[0]


@pytest.mark.parametrize(
    ("step", "overrides", "anchor", "message"),
    [
        ("firm", {"company_number": "ABC"}, "id_company_number", "Enter a Companies House number of 8 characters"),
        ("firm", {"company_number": ""}, "id_company_number", "Enter the firm&#x27;s Companies House number"),
        ("firm", {"firm_local_authority": "atlantis"}, "id_firm_local_authority", "Choose a borough from the list"),
        ("firm", {"firm_founded_on_day": "31", "firm_founded_on_month": "2"}, "id_firm_founded_on_day", "real date"),
        ("firm", {"firm_founded_on_month": ""}, "id_firm_founded_on_day", "must include a month"),
        ("firm", {"firm_website": "not a web address"}, "id_firm_website", "Enter a web address"),
        ("firm", {"firm_website": 'https://example.org/"><script>x</script>'}, "id_firm_website", "no spaces, quotes"),
        ("firm", {"firm_website": "https://example.org/it's"}, "id_firm_website", "no spaces, quotes"),
        ("team", {"team_size": "²"}, "id_team_size", "whole number"),
        ("team", {"team_size": "2", "founders": "3"}, "id_founders", "more founders than people in the team"),
        ("team", {"team_size": "0"}, "id_team_size", "People in the team must be 1 or more"),
        ("needs", {"workspaces": []}, "id_workspaces_0", "Select at least one workspace"),
        ("needs", {"desk_type": ""}, "id_desk_type_0", "Select the type of desk you need"),
        ("needs", {"start_on_year": "20x6"}, "id_start_on_day", "Start date must be a real date"),
        ("needs", {"desks": "51"}, "id_desks", "Desks needed must be 50 or fewer"),
        ("pitch", {"pitch": "x" * 3001}, "id_pitch", "3,000 characters or fewer"),
        ("pitch", {"stage": "unicorn"}, "id_stage_0", "Choose a stage from the list"),
        ("diversity", {"founders_women": "3"}, "id_founders_women", "cannot be more than the 2 founders"),
        ("diversity", {"diversity_consent": ""}, "id_diversity_consent", "Tick the box to agree"),
        ("diversity", {"founders_disabled": "-1"}, "id_founders_disabled", "must be 0 or more"),
    ],
)
def test_bad_input_at_a_step_gives_field_errors_and_changes_nothing(
    founder_client, draft, workspace, step, overrides, anchor, message
):
    before = snapshot(draft)
    response = founder_client.post(step_url(draft, step), step_data(step, [workspace], **overrides))
    content = response.content.decode()
    assert response.status_code == 400
    assert message in content
    assert "govuk-error-summary" in content and f'href="#{anchor}"' in content
    assert f'id="{anchor}"' in content  # the link lands on an input
    assert content.count("<title>Error: ") == 1
    assert snapshot(draft) == before


def test_every_problem_on_the_firm_step_is_listed_at_once(founder_client, draft):
    before = snapshot(draft)
    data = step_data(
        "firm",
        company_number="NOT-A-NUMBER!",
        firm_name="",
        firm_local_authority="atlantis",
        firm_founded_on_day="31",
        firm_founded_on_month="2",
        firm_website="not a web address",
    )
    response = founder_client.post(step_url(draft, "firm"), data)
    assert response.status_code == 400
    summary = response.content.decode().split('class="govuk-error-summary"')[1].split("</ul>")[0]
    for anchor in ["company_number", "firm_name", "firm_local_authority", "firm_founded_on_day", "firm_website"]:
        assert f'href="#id_{anchor}"' in summary, anchor
    assert "Enter a Companies House number of 8 characters" in summary
    assert snapshot(draft) == before


def test_a_start_date_in_the_past_is_refused_at_the_needs_step(founder_client, draft, workspace):
    before = snapshot(draft)
    data = step_data("needs", [workspace], start_on_day="1", start_on_month="1", start_on_year="2020")
    response = founder_client.post(step_url(draft, "needs"), data)
    assert response.status_code == 400
    assert "The start date must be today or in the future" in response.content.decode()
    assert snapshot(draft) == before


def test_the_start_date_hint_gives_an_example_in_the_future(founder_client, draft):
    content = founder_client.get(step_url(draft, "needs")).content.decode()
    hint = re.search(
        r'id="id_start_on_hint" class="govuk-hint">Today or later, for example (\d+) (\d+) (\d{4})<', content
    )
    day, month, year = (int(part) for part in hint.groups())
    assert datetime.date(year, month, day) > timezone.localdate()


def test_a_closed_workspace_cannot_be_chosen(founder_client, draft):
    closed = WorkspaceFactory(accepting_applications=False)
    before = snapshot(draft)
    response = founder_client.post(step_url(draft, "needs"), step_data("needs", [closed]))
    assert response.status_code == 400
    assert "Choose workspaces from the list" in response.content.decode()
    assert snapshot(draft) == before


def test_a_start_date_in_the_past_is_refused_at_submission(founder_client, draft, mailoutbox):
    Application.objects.filter(pk=draft.pk).update(start_on=timezone.localdate() - datetime.timedelta(days=1))
    check = founder_client.get(url("application-check", draft)).content.decode()
    link = step_url(draft, "needs", from_check=True) + "#id_start_on_day"
    assert f'<a href="{link}">The start date must be today or in the future</a>' in check

    before = snapshot(draft)
    response = founder_client.post(url("application-check", draft))
    assert response.status_code == 400
    assert "The start date must be today or in the future" in response.content.decode()
    assert snapshot(draft) == before
    assert draft.organisation is None and not mailoutbox


def test_the_check_page_links_each_missing_answer_to_its_step(founder_client, empty_draft):
    response = founder_client.get(url("application-check", empty_draft))
    content = response.content.decode()
    assert response.status_code == 200
    assert f'href="{step_url(empty_draft, "firm", from_check=True)}#id_company_number"' in content
    assert f'href="{step_url(empty_draft, "needs", from_check=True)}#id_workspaces_0"' in content
    assert f'href="{step_url(empty_draft, "pitch", from_check=True)}#id_stage_0"' in content
    assert content.index("Companies House number") < content.index("Select the firm&#x27;s stage")
    response = founder_client.post(url("application-check", empty_draft))
    assert response.status_code == 400
    assert "Enter the firm&#x27;s name" in response.content.decode()
    assert Application.objects.get(pk=empty_draft.pk).status == S.DRAFT


def test_change_from_the_check_page_returns_to_it(founder_client, draft):
    check = founder_client.get(url("application-check", draft)).content.decode()
    change = step_url(draft, "team", from_check=True) + "#id_founders"
    assert f'href="{change}"' in check
    page = founder_client.get(step_url(draft, "team", from_check=True)).content.decode()
    assert f'action="{step_url(draft, "team", from_check=True)}"' in page
    assert 'class="govuk-back-link">Back' in page and f'href="{url("application-check", draft)}"' in page
    response = founder_client.post(step_url(draft, "team", from_check=True), step_data("team", founders="3"))
    assert response.url == url("application-check", draft)
    draft.refresh_from_db()
    assert draft.founders == 3


def test_a_submitted_application_cannot_be_edited(founder_client, founder_user):
    application = ApplicationFactory(applicant=founder_user, submitted=True)
    before = snapshot(application)
    for step in STEPS:
        assert founder_client.get(step_url(application, step)).url == url("application-detail", application)
        response = founder_client.post(step_url(application, step), step_data(step))
        assert response.url == url("application-detail", application)
    assert founder_client.get(url("application-check", application)).url == url("application-detail", application)
    assert founder_client.post(url("application-check", application)).url == url("application-detail", application)
    assert snapshot(application) == before


def test_an_unknown_step_is_not_found(founder_client, draft):
    assert founder_client.get(step_url(draft, "payment")).status_code == 404
    assert founder_client.post(step_url(draft, "payment"), {}).status_code == 404


# Who may see what


FOUNDER_PAGES = ["application-detail", "application-check", "application-withdraw", "application-respond"]


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.OFFERED])
def test_another_founders_application_is_not_found_on_every_page(founder_client, staff_user, status):
    other = offered_application(staff=staff_user) if status == S.OFFERED else ApplicationFactory(status=status)
    before = snapshot(other)
    for name in FOUNDER_PAGES:
        assert founder_client.get(url(name, other)).status_code == 404, name
    for name in FOUNDER_PAGES[1:]:  # the detail page only reads
        assert founder_client.post(url(name, other), {"decision": "accept"}).status_code == 404, name
    for step in STEPS:
        assert founder_client.get(step_url(other, step)).status_code == 404
        assert founder_client.post(step_url(other, step), step_data(step)).status_code == 404
    assert founder_client.get(url("application-detail", ApplicationFactory.build(pk=999999))).status_code == 404
    assert snapshot(other) == before


@pytest.mark.parametrize("role", ["staff", "reviewer", "ambassador"])
def test_other_roles_are_refused_the_founder_pages(client, make_user, draft, role):
    client.force_login(make_user(role))
    before = snapshot(draft)
    pages = [reverse("workspaces:application-list"), reverse("workspaces:application-create")]
    pages += [url(name, draft) for name in FOUNDER_PAGES[1:]] + [step_url(draft, "firm")]
    for page in pages:
        assert client.get(page).status_code == 403, page
        assert client.post(page, step_data("firm")).status_code == 403, page
    assert not Application.objects.exclude(pk=draft.pk).exists()
    assert snapshot(draft) == before


def test_anonymous_visitors_are_sent_to_sign_in(client, draft):
    pages = [reverse("workspaces:application-list"), reverse("workspaces:application-create")]
    pages += [url(name, draft) for name in FOUNDER_PAGES] + [step_url(draft, "firm")]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), page
        assert client.post(page, step_data("firm")).url.startswith("/accounts/login/"), page


def test_staff_and_reviewers_opening_an_application_go_to_its_review_page(client, make_user, founder_user):
    submitted = ApplicationFactory(applicant=founder_user, submitted=True)
    draft = ApplicationFactory(applicant=founder_user)
    for role in ["staff", "reviewer"]:
        client.force_login(make_user(role))
        response = client.get(url("application-detail", submitted))
        assert response.url == reverse("workspaces:application-review", args=[submitted.pk])
        assert client.get(url("application-detail", draft)).status_code == 404  # drafts stay private


def test_the_detail_page_never_shows_reviewers_scores_or_comments(founder_client, founder_user, reviewer_user):
    application = ApplicationFactory(applicant=founder_user, submitted=True)
    scores = {criterion.pk: 4 for criterion in Criterion.objects.filter(is_active=True)}
    assert scores
    review = services.review_create(
        application=application, reviewer=reviewer_user, scores=scores, comment="Zebra-striped remark 7731"
    )
    response = founder_client.get(url("application-detail", application))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Zebra-striped remark 7731" not in content
    assert f"{review.total} / {review.maximum}" not in content and f"{review.total}/{review.maximum}" not in content
    assert reviewer_user.email not in content
    assert "Submitted to In review" in content  # the history is there, without the review


# The list


def test_the_list_shows_each_application_with_what_to_do_next(founder_client, founder_user, staff_user, workspace):
    empty = services.application_draft_create(applicant=founder_user)
    complete = ApplicationFactory(applicant=founder_user, workspaces=[workspace])
    submitted = ApplicationFactory(applicant=founder_user, submitted=True, firm_name="Submitted Firm Ltd")
    offered = offered_application(staff=staff_user, applicant=founder_user, workspace=workspace)
    someone_elses = ApplicationFactory(firm_name="Not Yours Ltd")

    content = founder_client.get(reverse("workspaces:application-list")).content.decode()
    assert f'href="{step_url(empty, "firm")}">Continue your application' in content
    assert f'href="{url("application-check", complete)}">Continue your application' in content
    assert f'href="{url("application-respond", offered)}">Respond to your offer' in content
    assert f'href="{url("application-detail", submitted)}">View' in content
    assert 'class="govuk-tag govuk-tag--yellow">Offered' in content
    assert 'class="govuk-tag govuk-tag--grey">Draft' in content
    assert submitted.organisation.name in content
    assert someone_elses.reference not in content and "Not Yours Ltd" not in content
    assert "Start a new application" in content


def _bulk_applications(applicant, workspace, count: int) -> None:
    """``count`` applications in assorted states, written in a few statements."""
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    states = itertools.cycle(
        [
            {"status": S.DRAFT},
            {"status": S.SUBMITTED, "submitted_at": timezone.now()},
            {"status": S.OFFERED, "offer_pool": pool, "offer_desks": 1, "offer_expires_at": timezone.now()},
            {"status": S.REJECTED},
        ]
    )
    applications = Application.objects.bulk_create(
        ApplicationFactory.build(applicant=applicant, **next(states)) for _ in range(count)
    )
    through = Application.workspaces.through
    through.objects.bulk_create(through(application_id=a.pk, workspace_id=workspace.pk) for a in applications)


def test_the_list_runs_the_same_queries_for_10_and_1000_applications(
    founder_client, founder_user, workspace, count_queries
):
    page = reverse("workspaces:application-list")
    _bulk_applications(founder_user, workspace, 10)
    with count_queries() as small:
        assert founder_client.get(page).status_code == 200
    _bulk_applications(founder_user, workspace, 990)
    with count_queries() as large:
        response = founder_client.get(page)
    assert response.status_code == 200
    assert small.count == large.count
    assert "page 1 of 40" in response.content.decode()
    assert founder_client.get(page + "?page=40").status_code == 200


# Withdrawing


def test_a_founder_withdraws_an_open_application(
    founder_client, founder_user, mailoutbox, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(applicant=founder_user, submitted=True)
    assert founder_client.get(url("application-withdraw", application)).status_code == 200
    detail = founder_client.get(url("application-detail", application)).content.decode()
    assert f'href="{url("application-withdraw", application)}"' in detail

    with django_capture_on_commit_callbacks(execute=True):
        response = founder_client.post(url("application-withdraw", application), {"reason": "We found an office."})
    assert response.url == url("application-detail", application)
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    assert application.status_changes.last().reason == "We found an office."
    assert [m.subject for m in mailoutbox] == [f"You have withdrawn your workspace application {application.reference}"]
    detail = founder_client.get(response.url).content.decode()
    assert "You have withdrawn application" in detail
    assert "We found an office." in detail
    assert f'href="{url("application-withdraw", application)}"' not in detail


def test_a_closed_application_cannot_be_withdrawn(founder_client, founder_user):
    application = ApplicationFactory(applicant=founder_user, status=S.REJECTED)
    response = founder_client.get(url("application-withdraw", application))
    assert response.url == url("application-detail", application)
    response = founder_client.post(url("application-withdraw", application), {"reason": ""}, follow=True)
    assert response.status_code == 200
    assert "cannot be moved to withdrawn" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == S.REJECTED


def test_a_withdrawal_reason_that_is_too_long_is_refused(founder_client, founder_user):
    application = ApplicationFactory(applicant=founder_user, submitted=True)
    response = founder_client.post(url("application-withdraw", application), {"reason": "x" * 2001})
    assert response.status_code == 400
    assert 'href="#id_reason"' in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


# Answering an offer


@pytest.fixture
def offer(staff_user, founder_user, workspace):
    return offered_application(staff=staff_user, applicant=founder_user, workspace=workspace, desks=2)


def test_accepting_an_offer_creates_the_tenancy(
    founder_client, offer, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    detail = founder_client.get(url("application-detail", offer)).content.decode()
    assert "Your offer" in detail and "Accept offer" in detail and "Decline offer" in detail
    assert founder_client.get(url("application-respond", offer)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = founder_client.post(url("application-respond", offer), {"decision": "accept"})
    assert response.url == url("application-detail", offer)
    tenancy = Tenancy.objects.get(application=offer)
    assert (tenancy.desks, tenancy.pool.workspace) == (2, workspace)
    assert Application.objects.get(pk=offer.pk).status == S.ACCEPTED
    assert [m.subject for m in mailoutbox] == [f"You have accepted workspace: {offer.reference}"]
    detail = founder_client.get(response.url).content.decode()
    assert "You have accepted 2 fixed desks at Alpha Works" in detail
    assert "Your desks" in detail and "Accept offer" not in detail

    again = founder_client.post(url("application-respond", offer), {"decision": "accept"}, follow=True)
    assert again.status_code == 200
    assert "cannot be moved to accepted" in again.content.decode()
    assert Tenancy.objects.filter(application=offer).count() == 1


def test_declining_an_offer_frees_its_desks(
    founder_client, offer, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    assert pool.allocated == 2
    page = founder_client.get(url("application-respond", offer) + "?decision=decline").content.decode()
    assert 'value="decline" checked' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = founder_client.post(
            url("application-respond", offer), {"decision": "decline", "reason": "Too far from home."}
        )
    assert response.url == url("application-detail", offer)
    pool.refresh_from_db()
    assert pool.allocated == 0
    offer.refresh_from_db()
    assert offer.status == S.DECLINED
    assert StatusChange.objects.filter(application=offer, to_status=S.DECLINED, reason="Too far from home.").exists()
    assert [m.subject for m in mailoutbox] == [f"You have declined the workspace offer {offer.reference}"]
    assert not Tenancy.objects.exists()


def test_an_expired_offer_cannot_be_accepted(founder_client, offer):
    Application.objects.filter(pk=offer.pk).update(offer_expires_at=timezone.now() - datetime.timedelta(minutes=1))
    detail = founder_client.get(url("application-detail", offer)).content.decode()
    assert "This offer has expired" in detail and "Accept offer" not in detail

    response = founder_client.post(url("application-respond", offer), {"decision": "accept"})
    content = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in content and "This offer has expired, so it can no longer be accepted." in content
    assert Application.objects.get(pk=offer.pk).status == S.OFFERED
    assert not Tenancy.objects.exists()


def test_an_answer_must_be_chosen(founder_client, offer):
    response = founder_client.post(url("application-respond", offer), {"decision": "maybe"})
    assert response.status_code == 400
    content = response.content.decode()
    assert 'href="#id_decision_0"' in content and "Select whether you accept or decline the offer" in content
    assert Application.objects.get(pk=offer.pk).status == S.OFFERED


def test_there_is_nothing_to_answer_without_an_offer(founder_client, founder_user):
    application = ApplicationFactory(applicant=founder_user, submitted=True)
    response = founder_client.get(url("application-respond", application), follow=True)
    assert "has no offer waiting for your answer" in response.content.decode()
    response = founder_client.post(url("application-respond", application), {"decision": "decline"}, follow=True)
    assert response.status_code == 200
    assert Application.objects.get(pk=application.pk).status == S.SUBMITTED


def test_an_applicant_who_is_no_longer_a_founder_still_sees_their_application(client, founder_user):
    application = ApplicationFactory(applicant=founder_user, submitted=True)
    founder_user.groups.clear()
    client.force_login(UserFactory._meta.model.objects.get(pk=founder_user.pk))
    assert client.get(url("application-detail", application)).status_code == 200
    assert client.get(reverse("workspaces:application-list")).status_code == 403
