"""The review queue, the review page, scoring and staff decisions, through HTTP: who may see and
do what, field errors that write nothing, the services' refusals shown as clear errors, the
applicant's emails, and query counts that do not grow with the rows."""

import datetime
import re
import time

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from portal.roles import Role
from tests.portal.factories import OrganisationFactory, UserFactory
from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory, offered_application
from workspaces import services
from workspaces.models import Application, Criterion, DeskPool, DeskType, Review, Score, StatusChange

pytestmark = pytest.mark.django_db

S = Application.Status
QUEUE = "/dashboard/applications/"
BULK = "/dashboard/applications/bulk/"


def review_url(application) -> str:
    return f"/dashboard/applications/{application.pk}/"


def score_url(application) -> str:
    return f"/dashboard/applications/{application.pk}/score/"


def decide_url(application) -> str:
    return f"/dashboard/applications/{application.pk}/decide/"


def criteria() -> list[Criterion]:
    return list(Criterion.objects.filter(is_active=True))


def score_data(value: int = 4, comment: str = "Strong demand and a clear plan.", **overrides) -> dict:
    data = {f"criterion_{c.pk}": str(value) for c in criteria()}
    data["comment"] = comment
    data.update(overrides)
    return data


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def workspace():
    return WorkspaceFactory(name="Innovation Hub", pools={DeskType.FIXED_DESK: 3, DeskType.HOT_DESK: 5})


@pytest.fixture
def submitted(workspace):
    return ApplicationFactory(submitted=True, workspaces=[workspace], firm_name="Clinic Scheduler Ltd")


@pytest.fixture
def in_review(workspace):
    return ApplicationFactory(in_review=True, workspaces=[workspace], firm_name="Canal Robotics Ltd", desks=2)


@pytest.fixture
def others_draft(workspace):
    return ApplicationFactory(workspaces=[workspace], firm_name="Secret Draft Ltd")


# Who may see what -------------------------------------------------------------------------


@pytest.mark.parametrize("url", [QUEUE, "/dashboard/applications/1/"])
def test_anonymous_users_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["score", "decide", "bulk"])
def test_anonymous_posts_are_sent_to_sign_in_and_change_nothing(client, in_review, name):
    url = {"score": score_url(in_review), "decide": decide_url(in_review), "bulk": BULK}[name]
    response = client.post(url, {"decision": "waitlist", "applications": [in_review.pk], "action": "waitlist"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW


@pytest.mark.parametrize("role", [Role.FOUNDER, Role.AMBASSADOR])
def test_founders_and_ambassadors_cannot_see_the_queue_or_the_review_page(client, make_user, in_review, role):
    client.force_login(make_user(role, mfa=role != Role.FOUNDER))
    assert client.get(QUEUE).status_code == 403
    assert client.get(review_url(in_review)).status_code == 403
    assert client.post(score_url(in_review), score_data()).status_code == 403
    assert client.post(decide_url(in_review), {"decision": "waitlist"}).status_code == 403


def test_a_founder_cannot_open_their_own_application_on_the_review_page(client, in_review):
    client.force_login(in_review.applicant)
    assert client.get(review_url(in_review)).status_code == 403


@pytest.mark.parametrize("fixture", ["staff_user", "reviewer_user"])
def test_another_founders_draft_is_not_found_for_staff_and_reviewers(client, request, others_draft, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(review_url(others_draft)).status_code == 404
    assert client.post(score_url(others_draft), score_data()).status_code == 404
    assert client.post(decide_url(others_draft), {"decision": "waitlist"}).status_code == 404
    assert client.get("/dashboard/applications/999999/").status_code == 404
    assert "Secret Draft Ltd" not in text(client.get(QUEUE + "?status=submitted&status=in_review&status=offered"))
    assert not Review.objects.exists()


# The queue --------------------------------------------------------------------------------


def test_queue_shows_applications_waiting_for_a_decision_by_default(client, reviewer_user, workspace, submitted):
    ApplicationFactory(in_review=True, workspaces=[workspace], firm_name="Waiting Ltd")
    waitlisted = ApplicationFactory(in_review=True, workspaces=[workspace], firm_name="Queued Later Ltd")
    services.application_waitlist(application=waitlisted, actor=UserFactory(roles=[Role.STAFF]))
    ApplicationFactory(workspaces=[workspace], firm_name="Draft Firm Ltd")
    client.force_login(reviewer_user)
    response = client.get(QUEUE)
    assert response.status_code == 200
    content = text(response)
    assert "Clinic Scheduler Ltd" in content and "Waiting Ltd" in content
    assert "Queued Later Ltd" not in content and "Draft Firm Ltd" not in content
    assert f'href="{review_url(submitted)}"' in content
    assert "Fixed desk × 1" in content
    assert "Waiting for a decision (2)" in content and "On the waiting list (1)" in content
    # Reviewers do not get bulk actions.
    assert 'name="applications"' not in content
    assert BULK not in content
    content = text(client.get(QUEUE + "?status=waitlisted"))
    assert "Queued Later Ltd" in content and "Clinic Scheduler Ltd" not in content


def test_queue_filters_by_workspace_desk_type_and_submission_dates(client, staff_user, workspace, submitted):
    other = WorkspaceFactory(name="Digbeth Loft")
    hot = ApplicationFactory(submitted=True, workspaces=[other], desk_type=DeskType.HOT_DESK, firm_name="Hot Ltd")
    Application.objects.filter(pk=hot.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=40))
    client.force_login(staff_user)
    content = text(client.get(QUEUE + f"?workspace={other.slug}"))
    assert "Hot Ltd" in content and "Clinic Scheduler Ltd" not in content
    content = text(client.get(QUEUE + "?desk_type=fixed_desk"))
    assert "Hot Ltd" not in content and "Clinic Scheduler Ltd" in content
    since = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    content = text(client.get(QUEUE + f"?submitted_after={since}"))
    assert "Hot Ltd" not in content and "Clinic Scheduler Ltd" in content
    content = text(client.get(QUEUE + f"?submitted_before={since}"))
    assert "Hot Ltd" in content and "Clinic Scheduler Ltd" not in content


def test_queue_filter_errors_are_shown(client, staff_user, submitted):
    client.force_login(staff_user)
    response = client.get(QUEUE + "?status=rejected&submitted_after=not-a-date")
    assert response.status_code == 400
    content = text(response)
    assert "There is a problem" in content
    assert 'href="#id_status"' in content and 'href="#id_submitted_after"' in content
    assert "<title>Error: Review queue" in content


def test_queue_flags_applications_over_the_service_level_and_marks_what_you_scored(
    client, reviewer_user, settings, workspace, submitted, in_review
):
    settings.WORKSPACES_SERVICE_LEVEL_DAYS = 5
    Application.objects.filter(pk=submitted.pk).update(submitted_at=timezone.now() - datetime.timedelta(days=30))
    services.review_create(
        application=in_review, reviewer=reviewer_user, scores={c.pk: 3 for c in criteria()}, comment="Fine."
    )
    client.force_login(reviewer_user)
    content = text(client.get(QUEUE))
    overdue = re.search(r'govuk-tag--red">(\d+)<span class="govuk-visually-hidden">, over the 5 day', content)
    assert overdue and int(overdue.group(1)) > 5
    rows = dict(re.findall(r"(WS-\d{5})</a></td>(.*?)</tr>", content))
    cells = {ref: [c.strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)] for ref, row in rows.items()}
    # After the reference: firm, workspaces, desks, submitted, days waiting, reviews, scored by you, status.
    assert cells[in_review.reference][5:7] == ["1", "Yes"]
    assert cells[submitted.reference][5:7] == ["0", "No"]


def test_staff_get_a_checkbox_per_application_and_the_bulk_form(client, staff_user, submitted):
    client.force_login(staff_user)
    content = text(client.get(QUEUE + "?desk_type=fixed_desk"))
    assert f'name="applications" type="checkbox" value="{submitted.pk}"' in content
    assert f'action="{BULK}"' in content
    assert 'name="next" value="/dashboard/applications/?desk_type=fixed_desk"' in content


def _bulk_applications(count: int, workspace, reviewer) -> None:
    """``count`` submitted applications in few queries; the reviewer has scored every third."""
    founder = UserFactory(roles=[Role.FOUNDER])
    organisation = OrganisationFactory()
    now = timezone.now()
    applications = Application.objects.bulk_create(
        ApplicationFactory.build(
            applicant=founder,
            organisation=organisation,
            status=S.SUBMITTED if n % 2 else S.IN_REVIEW,
            submitted_at=now - datetime.timedelta(days=n % 40),
        )
        for n in range(count)
    )
    Application.workspaces.through.objects.bulk_create(
        Application.workspaces.through(application_id=a.pk, workspace_id=workspace.pk) for a in applications
    )
    Review.objects.bulk_create(
        Review(application=a, reviewer=reviewer, comment="Scored.", total=20, maximum=35) for a in applications[::3]
    )


@pytest.mark.parametrize("fixture", ["staff_user", "reviewer_user"])
def test_queue_query_count_does_not_grow_with_the_applications(client, request, count_queries, workspace, fixture):
    user = request.getfixturevalue(fixture)
    client.force_login(user)
    counts = []
    for total in (10, 1000):
        _bulk_applications(total - Application.objects.count(), workspace, user)
        with count_queries() as queries:
            response = client.get(QUEUE)
        assert response.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
    assert "1,000 applications" in text(response)
    assert 'aria-label="Page 20"' in text(response)


def test_queue_pages_keep_their_filters(client, reviewer_user, workspace):
    _bulk_applications(60, workspace, UserFactory(roles=[Role.REVIEWER]))
    client.force_login(reviewer_user)
    content = text(client.get(QUEUE + "?desk_type=fixed_desk"))
    assert 'href="/dashboard/applications/?desk_type=fixed_desk&amp;page=2"' in content
    content = text(client.get(QUEUE + "?desk_type=fixed_desk&page=2"))
    assert "Showing 51 to 60" in content


# The review page --------------------------------------------------------------------------


def test_review_page_shows_the_answers_but_not_the_diversity_numbers(client, reviewer_user, workspace):
    application = ApplicationFactory(
        in_review=True,
        workspaces=[workspace],
        firm_name="Diverse Founders Ltd",
        diversity_consent=True,
        founders=2,
        founders_women=2,
        founders_ethnic_minority=1,
        founders_disabled=1,
    )
    client.force_login(reviewer_user)
    response = client.get(review_url(application))
    assert response.status_code == 200
    content = text(response)
    for expected in ["Diverse Founders Ltd", application.company_number, application.pitch, "Innovation Hub"]:
        assert expected in content
    assert "Provided with consent" in content
    assert "founders_women" not in content and "women" not in content.lower()
    assert "ethnic" not in content.lower() and "disabled" not in content.lower()
    assert "Status history" in content


def test_review_page_says_when_no_diversity_answers_were_given(client, reviewer_user, in_review):
    client.force_login(reviewer_user)
    assert "Not provided" in text(client.get(review_url(in_review)))


def test_review_page_shows_reviews_scores_average_and_history(client, staff_user, reviewer_user, in_review):
    second = UserFactory(roles=[Role.REVIEWER], full_name="Priya Second")
    services.review_create(
        application=in_review, reviewer=second, scores={c.pk: 5 for c in criteria()}, comment="Excellent team."
    )
    services.application_waitlist(application=in_review, actor=staff_user, reason="Full this month")
    client.force_login(reviewer_user)
    content = text(client.get(review_url(in_review)))
    assert "Priya Second: 35 out of 35" in content
    assert "Excellent team." in content
    assert "Digital innovation" in content and "5 out of 5" in content
    assert "Average score: <strong>100.0%</strong> from 1 review" in content
    assert "Full this month" in content and "On the waiting list" in content
    assert escape(staff_user.get_full_name()) in content


def test_reviewer_sees_the_score_form_and_no_decision_controls(client, reviewer_user, in_review):
    client.force_login(reviewer_user)
    content = text(client.get(review_url(in_review)))
    assert f'action="{score_url(in_review)}"' in content
    for criterion in criteria():
        assert f'name="criterion_{criterion.pk}"' in content
        assert criterion.description in content
    assert decide_url(in_review) not in content
    assert 'name="decision"' not in content


def test_staff_see_only_the_decisions_allowed_now(client, staff_user, submitted, in_review):
    client.force_login(staff_user)
    content = text(client.get(review_url(in_review)))
    assert content.count(f'action="{decide_url(in_review)}"') == 3
    for decision in ["offer", "reject", "waitlist"]:
        assert f'name="decision" value="{decision}"' in content
    assert "Innovation Hub: 3 of 3 fixed desks free" in content
    assert 'id="offer_desks" name="desks" type="text" value="2"' in content

    content = text(client.get(review_url(submitted)))
    assert decide_url(submitted) not in content
    assert "Staff decide once the review has started" in content

    services.application_waitlist(application=in_review, actor=staff_user)
    content = text(client.get(review_url(in_review)))
    assert 'name="decision" value="offer"' in content
    assert 'name="decision" value="reject"' not in content and 'name="decision" value="waitlist"' not in content

    rejected = ApplicationFactory(in_review=True)
    services.application_reject(application=rejected, actor=staff_user, reason="Not a tech firm")
    assert 'name="decision"' not in text(client.get(review_url(rejected)))


def test_staff_cannot_score_or_decide_their_own_application(client, workspace):
    staff_founder = UserFactory(roles=[Role.STAFF, Role.FOUNDER])
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.conftest import DEMO_TOTP_SECRET

    TOTP.activate(staff_founder, DEMO_TOTP_SECRET)
    own = ApplicationFactory(in_review=True, applicant=staff_founder, workspaces=[workspace])
    services.review_create(
        application=own, reviewer=UserFactory(roles=[Role.REVIEWER]), scores={c.pk: 1 for c in criteria()}, comment="X"
    )
    client.force_login(staff_founder)
    content = text(client.get(review_url(own)))
    assert "This is your own application" in content
    assert score_url(own) not in content and 'name="decision"' not in content
    assert "Reviews" not in content  # the applicant never sees scores
    assert client.post(score_url(own), score_data()).status_code == 403
    assert client.post(decide_url(own), {"decision": "waitlist"}).status_code == 403
    own.refresh_from_db()
    assert own.status == S.IN_REVIEW
    assert Review.objects.filter(application=own).count() == 1


def test_review_page_query_count_does_not_grow_with_the_reviews(client, staff_user, count_queries, in_review):
    client.force_login(staff_user)
    active = criteria()

    def add_reviews(n: int) -> None:
        reviewers = [UserFactory(roles=[Role.REVIEWER]) for _ in range(n)]
        reviews = Review.objects.bulk_create(
            Review(application=in_review, reviewer=r, comment="Scored.", total=21, maximum=35) for r in reviewers
        )
        Score.objects.bulk_create(Score(review=r, criterion=c, value=3) for r in reviews for c in active)

    counts = []
    for n in (1, 19):
        add_reviews(n)
        with count_queries() as queries:
            response = client.get(review_url(in_review))
        assert response.status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
    assert "from 20 reviews" in text(response)


def test_staff_review_page_query_count_does_not_grow_with_the_workspaces_asked_for(client, staff_user, count_queries):
    """The offer form reads the desks it can offer once, for its choices and its first choice."""
    client.force_login(staff_user)
    counts = []
    for n in (1, 10):
        workspaces = [WorkspaceFactory(pools={DeskType.FIXED_DESK: 3}) for _ in range(n)]
        application = ApplicationFactory(in_review=True, workspaces=workspaces)
        client.get(review_url(application))  # warm caches (content types, sessions)
        with count_queries() as queries:
            response = client.get(review_url(application))
        assert response.status_code == 200
        assert text(response).count(": 3 of 3 fixed desks free") == n
        offer_options = [q for q in queries.captured_queries if 'AS "free"' in q["sql"]]
        assert len(offer_options) == 1, offer_options
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


# Scoring ----------------------------------------------------------------------------------


def test_reviewer_scores_once_and_the_review_starts(client, reviewer_user, submitted):
    client.force_login(reviewer_user)
    response = client.post(score_url(submitted), score_data(value=4))
    assert response.status_code == 302
    assert response["Location"] == review_url(submitted)
    review = Review.objects.get(application=submitted, reviewer=reviewer_user)
    assert review.total == 4 * sum(c.weight for c in criteria())
    assert review.scores.count() == len(criteria())
    submitted.refresh_from_db()
    assert submitted.status == S.IN_REVIEW
    assert StatusChange.objects.filter(application=submitted, to_status=S.IN_REVIEW, actor=reviewer_user).exists()
    content = text(client.get(review_url(submitted)))
    assert f"Your scores for {submitted.reference} are saved." in content
    assert "You have scored this application." in content
    assert score_url(submitted) not in content

    response = client.post(score_url(submitted), score_data(value=1, comment="Second go."))
    assert response.status_code == 400
    assert "You have already scored this application." in text(response)
    assert Review.objects.filter(application=submitted).count() == 1
    assert Score.objects.filter(review__application=submitted, value=1).count() == 0


def test_a_missing_score_or_comment_is_a_field_error_and_writes_nothing(client, reviewer_user, submitted):
    client.force_login(reviewer_user)
    first = criteria()[0]
    data = score_data(comment="   ")
    del data[f"criterion_{first.pk}"]
    data[f"criterion_{criteria()[1].pk}"] = "9"
    response = client.post(score_url(submitted), data)
    assert response.status_code == 400
    content = text(response)
    assert "There is a problem" in content and "<title>Error:" in content
    assert f'<a href="#id_criterion_{first.pk}">Score {first.name} from 0 to 5</a>' in content
    assert f'href="#id_criterion_{criteria()[1].pk}"' in content
    assert '<a href="#id_comment">Enter a comment explaining your scores</a>' in content
    # What was typed stays.
    assert f'name="criterion_{criteria()[2].pk}" type="radio" value="4" checked' in content
    assert not Review.objects.exists()
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_scoring_a_decided_application_is_refused_with_the_reason(client, staff_user, reviewer_user, in_review):
    services.application_reject(application=in_review, actor=staff_user, reason="Out of area")
    client.force_login(reviewer_user)
    response = client.post(score_url(in_review), score_data())
    assert response.status_code == 400
    assert "only applications waiting for a decision are scored" in text(response)
    assert not Review.objects.exists()


# Decisions --------------------------------------------------------------------------------


def test_reviewer_cannot_decide(client, reviewer_user, in_review, workspace):
    client.force_login(reviewer_user)
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    for data in [{"decision": "offer", "pool": pool.pk, "desks": 1, "expires_in_days": 14}, {"decision": "waitlist"}]:
        assert client.post(decide_url(in_review), data).status_code == 403
    assert client.post(BULK, {"applications": [in_review.pk], "action": "waitlist"}).status_code == 403
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW
    pool.refresh_from_db()
    assert pool.allocated == 0


def test_staff_offer_holds_desks_and_emails_the_applicant(
    client, staff_user, in_review, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url(in_review),
            {"decision": "offer", "pool": pool.pk, "desks": "2", "expires_in_days": "10", "reason": "Welcome!"},
        )
    assert response.status_code == 302
    assert response["Location"] == review_url(in_review)
    in_review.refresh_from_db()
    assert in_review.status == S.OFFERED
    assert in_review.offer_pool == pool and in_review.offer_desks == 2
    assert (in_review.offer_expires_at - timezone.now()).days in (9, 10)
    pool.refresh_from_db()
    assert pool.allocated == 2
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [in_review.applicant.email]
    assert in_review.reference in mailoutbox[0].subject and "offered" in mailoutbox[0].subject
    assert "Welcome!" in mailoutbox[0].body
    content = text(client.get(review_url(in_review)))
    assert f"{in_review.reference} was offered 2 desks at Innovation Hub" in content
    assert "The offer" in content


def _terms_in(content: str, application, *, desks: int, start_on: datetime.date) -> None:
    """The offer's terms as the applicant reads them, on the page or in the email."""
    end_on = start_on + relativedelta(years=1, days=-1)
    application.refresh_from_db()
    expires = timezone.localtime(application.offer_expires_at)
    for expected in [
        "Innovation Hub",
        "1 Example Street, Birmingham",
        "B1 1AA",
        "Fixed desk",
        f"£{150 * desks:,}.00 a month ({desks} × £150.00 a desk)",
        "First three months free for eligible start-ups",
        f"{start_on.day} {start_on:%B %Y}",
        f"12 months, to {end_on.day} {end_on:%B %Y}",
        f"{expires.day} {expires:%B %Y, %H:%M}",
        "What accepting means",
    ]:
        assert expected in content, expected


def test_the_offer_email_and_the_applicants_pages_state_the_terms(
    client, staff_user, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    start_on = timezone.localdate() + datetime.timedelta(days=30)
    application = ApplicationFactory(in_review=True, workspaces=[workspace], desks=2, start_on=start_on)
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url(application), {"decision": "offer", "pool": pool.pk, "desks": "2", "expires_in_days": "14"}
        )
    assert response.status_code == 302
    (email,) = mailoutbox
    _terms_in(email.body, application, desks=2, start_on=start_on)
    assert "Tenancy: 12 months" in email.body and "Desks: 2" in email.body
    # The link goes to the address the decision was made at.
    assert f"http://testserver/workspaces/applications/{application.pk}/" in email.body

    client.force_login(application.applicant)
    for url in (f"/workspaces/applications/{application.pk}/", f"/workspaces/applications/{application.pk}/respond/"):
        page = client.get(url)
        assert page.status_code == 200
        _terms_in(text(page), application, desks=2, start_on=start_on)


def test_a_partial_offer_needs_a_reason_and_the_applicant_is_told_it(
    client, staff_user, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(in_review=True, workspaces=[workspace], desks=3)
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    client.force_login(staff_user)
    data = {"decision": "offer", "pool": pool.pk, "desks": "2", "expires_in_days": "14", "reason": "  "}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(application), data)
    assert response.status_code == 400
    assert (
        '<a href="#offer_reason">Enter why you are offering fewer desks than the 3 asked for: the applicant is told</a>'
        in text(response)
    )
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW and mailoutbox == []
    pool.refresh_from_db()
    assert pool.allocated == 0

    reason = "the third fixed desk is let until June."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(application), {**data, "reason": reason})
    assert response.status_code == 302
    sentence = f"You asked for 3 desks; we can offer 2 because {reason}"
    assert sentence in mailoutbox[0].body
    client.force_login(application.applicant)
    assert sentence in text(client.get(f"/workspaces/applications/{application.pk}/"))


def test_the_service_refuses_a_partial_offer_without_a_reason(staff_user, workspace):
    application = ApplicationFactory(in_review=True, workspaces=[workspace], desks=3)
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    with pytest.raises(ValidationError) as caught:
        services.application_offer(application=application, actor=staff_user, pool=pool, desks=1)
    assert "reason" in caught.value.message_dict
    pool.refresh_from_db()
    assert pool.allocated == 0


def test_offering_when_no_desk_is_free_shows_the_capacity_message_and_changes_nothing(
    client, staff_user, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    for _ in range(3):
        offered_application(staff=staff_user, workspace=workspace)
    application = ApplicationFactory(in_review=True, workspaces=[workspace])
    client.force_login(staff_user)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            decide_url(application), {"decision": "offer", "pool": pool.pk, "desks": "1", "expires_in_days": "14"}
        )
    assert response.status_code == 400
    content = text(response)
    assert "There is a problem" in content
    assert "Innovation Hub has 0 fixed desks free, so 1 cannot be offered. Nothing was changed." in content
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW and application.offer_pool is None
    pool.refresh_from_db()
    assert pool.allocated == 3
    assert mailoutbox == []


def test_offer_form_errors_are_field_errors(client, staff_user, in_review):
    elsewhere = DeskPool.objects.get(workspace=WorkspaceFactory(), desk_type=DeskType.FIXED_DESK)
    client.force_login(staff_user)
    response = client.post(
        decide_url(in_review), {"decision": "offer", "pool": elsewhere.pk, "desks": "0", "expires_in_days": ""}
    )
    assert response.status_code == 400
    content = text(response)
    assert '<a href="#offer_pool">Choose a workspace the applicant asked for, from the list</a>' in content
    assert '<a href="#offer_desks">Offer at least 1 desk</a>' in content
    assert '<a href="#offer_expires_in_days">Enter how many days the offer is held for</a>' in content
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW
    assert DeskPool.objects.filter(allocated__gt=0).count() == 0


def test_reject_needs_a_reason(client, staff_user, in_review, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(in_review), {"decision": "reject", "reason": "   "})
    assert response.status_code == 400
    assert '<a href="#reject_reason">Enter the reason the application is not successful</a>' in text(response)
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW
    assert mailoutbox == []
    assert not StatusChange.objects.filter(application=in_review, to_status=S.REJECTED).exists()


def test_staff_reject_sends_the_reason_to_the_applicant(
    client, staff_user, in_review, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(in_review), {"decision": "reject", "reason": "Outside the West Midlands"})
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == S.REJECTED
    assert in_review.decided_at is not None
    change = StatusChange.objects.get(application=in_review, to_status=S.REJECTED)
    assert change.actor == staff_user and change.reason == "Outside the West Midlands"
    assert len(mailoutbox) == 1
    assert "not successful" in mailoutbox[0].subject
    assert "Reason: Outside the West Midlands" in mailoutbox[0].body
    assert mailoutbox[0].to == [in_review.applicant.email]


def test_staff_waitlist_emails_the_applicant(
    client, staff_user, in_review, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(in_review), {"decision": "waitlist", "reason": ""})
    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == S.WAITLISTED
    assert len(mailoutbox) == 1 and "waiting list" in mailoutbox[0].subject
    assert "is on the waiting list" in text(client.get(review_url(in_review)))


@pytest.mark.parametrize(
    ("setup", "data", "message"),
    [
        ("rejected", {"decision": "offer", "desks": "1", "expires_in_days": "14"}, "is not successful, so it cannot"),
        ("rejected", {"decision": "reject", "reason": "Again"}, "is not successful, so it cannot be turned down"),
        ("submitted", {"decision": "offer", "desks": "1", "expires_in_days": "14"}, "is submitted, so it cannot be"),
        ("submitted", {"decision": "waitlist"}, "is submitted, so it cannot be put on the waiting list"),
    ],
)
def test_disallowed_decisions_are_refused_with_a_clear_message(
    client, staff_user, workspace, submitted, in_review, setup, data, message
):
    application = submitted
    if setup == "rejected":
        application = services.application_reject(application=in_review, actor=staff_user, reason="No")
    before = list(StatusChange.objects.filter(application=application).values_list("pk", flat=True))
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    client.force_login(staff_user)
    response = client.post(decide_url(application), {"pool": pool.pk, **data})
    assert response.status_code == 400
    content = text(response)
    assert "There is a problem" in content and message in content
    application.refresh_from_db()
    assert application.status == (S.REJECTED if setup == "rejected" else S.SUBMITTED)
    assert list(StatusChange.objects.filter(application=application).values_list("pk", flat=True)) == before
    pool.refresh_from_db()
    assert pool.allocated == 0


def test_an_unknown_decision_is_an_error(client, staff_user, in_review):
    client.force_login(staff_user)
    response = client.post(decide_url(in_review), {"decision": "accept"})
    assert response.status_code == 400
    assert "Choose to offer, turn down or waitlist." in text(response)
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW


# Bulk actions -----------------------------------------------------------------------------


def test_bulk_start_review_reports_each_refusal_and_keeps_the_filters(client, staff_user, workspace, submitted):
    second = ApplicationFactory(submitted=True, workspaces=[workspace])
    already = ApplicationFactory(in_review=True, workspaces=[workspace])
    client.force_login(staff_user)
    next_url = "/dashboard/applications/?desk_type=fixed_desk"
    response = client.post(
        BULK,
        {"applications": [submitted.pk, second.pk, already.pk], "action": "start_review", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert set(Application.objects.filter(status=S.IN_REVIEW).values_list("pk", flat=True)) == {
        submitted.pk,
        second.pk,
        already.pk,
    }
    content = text(client.get(response["Location"]))
    assert "2 applications moved to in review." in content
    assert f"1 application was not changed: {already.reference} is in review, so it cannot be moved to in review." in (
        content
    )


def test_bulk_with_unknown_or_hidden_ids_changes_nothing_and_names_them(client, staff_user, submitted, others_draft):
    client.force_login(staff_user)
    response = client.post(
        BULK, {"applications": [submitted.pk, others_draft.pk, 999999, "abc"], "action": "start_review"}
    )
    assert response.status_code == 400
    content = text(response)
    assert "These applications were not found: abc, " in content
    assert others_draft.reference in content and "WS-999999" in content
    assert 'href="#bulk_applications"' in content
    # The ticked boxes stay ticked.
    assert f'type="checkbox" value="{submitted.pk}" checked' in content
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    others_draft.refresh_from_db()
    assert others_draft.status == S.DRAFT


def test_bulk_reject_needs_a_reason(client, staff_user, in_review, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, {"applications": [in_review.pk], "action": "reject", "reason": " "})
    assert response.status_code == 400
    assert '<a href="#bulk_reason">Enter the reason the applications are not successful</a>' in text(response)
    in_review.refresh_from_db()
    assert in_review.status == S.IN_REVIEW
    assert mailoutbox == []


def test_bulk_reject_is_confirmed_first_and_goes_through_the_state_machine(
    client, staff_user, workspace, in_review, submitted, mailoutbox, django_capture_on_commit_callbacks
):
    other = ApplicationFactory(in_review=True, workspaces=[workspace])
    client.force_login(staff_user)
    data = {"applications": [in_review.pk, submitted.pk], "action": "reject", "reason": "Round is full", "next": QUEUE}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, data)
    # A confirmation page lists the applications and the reason; nothing has changed yet.
    assert response.status_code == 200
    content = text(response)
    assert "Are you sure you want to turn down 2 applications?" in content
    assert in_review.reference in content and submitted.reference in content and "Round is full" in content
    assert 'name="confirmed" value="on"' in content
    assert set(Application.objects.filter(pk__in=[in_review.pk, submitted.pk]).values_list("status", flat=True)) == {
        S.IN_REVIEW,
        S.SUBMITTED,
    }
    assert mailoutbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, {**data, "confirmed": "on"})
    assert response.status_code == 302 and response["Location"] == QUEUE
    in_review.refresh_from_db()
    submitted.refresh_from_db()
    assert in_review.status == S.REJECTED and submitted.status == S.REJECTED
    # The submitted one was moved into review by staff first, as the machine requires.
    path = list(StatusChange.objects.filter(application=submitted).values_list("to_status", "actor"))
    assert path[-2:] == [(S.IN_REVIEW, staff_user.pk), (S.REJECTED, staff_user.pk)]
    assert submitted.decided_at is not None
    assert sorted(m.to[0] for m in mailoutbox) == sorted([in_review.applicant.email, submitted.applicant.email])
    assert all("Reason: Round is full" in m.body for m in mailoutbox)
    assert "2 applications turned down." in text(client.get(QUEUE))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, {"applications": [other.pk], "action": "waitlist"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == S.WAITLISTED
    assert len(mailoutbox) == 3


def test_bulk_waitlist_of_a_submitted_application_starts_its_review(client, staff_user, submitted):
    client.force_login(staff_user)
    response = client.post(BULK, {"applications": [submitted.pk], "action": "waitlist"})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == S.WAITLISTED
    assert StatusChange.objects.filter(application=submitted, to_status=S.IN_REVIEW, actor=staff_user).exists()


def test_bulk_refusals_are_named_and_leave_no_half_made_change(client, staff_user, in_review, workspace):
    rejected = services.application_reject(application=in_review, actor=staff_user, reason="No")
    client.force_login(staff_user)
    data = {"applications": [rejected.pk], "action": "reject", "reason": "Again", "confirmed": "on"}
    response = client.post(BULK, data)
    assert response.status_code == 302
    assert f"{rejected.reference} is not successful, so it cannot be moved to not successful." in text(
        client.get(QUEUE)
    )
    assert StatusChange.objects.filter(application=rejected, to_status=S.REJECTED).count() == 1


@pytest.mark.parametrize(
    "junk", ["²", "١٢", "1.5", "-3", "0", "99999999999999999999999", "1e3", "\x00", " ", "WS-00001", "x" * 300]
)
def test_bulk_with_any_junk_id_is_a_400_with_a_field_message(client, staff_user, submitted, junk):
    client.force_login(staff_user)
    response = client.post(BULK, {"applications": [junk], "action": "start_review"})
    assert response.status_code == 400
    content = text(response)
    assert "These applications were not found" in content
    assert 'href="#bulk_applications"' in content
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_bulk_without_a_selection_or_action_is_an_error(client, staff_user, submitted):
    client.force_login(staff_user)
    response = client.post(BULK, {"action": "", "next": QUEUE})
    assert response.status_code == 400
    content = text(response)
    assert "Select at least one application" in content
    assert "Choose what to do with the applications" in content


def test_bulk_ignores_a_next_address_on_another_site(client, staff_user, submitted):
    client.force_login(staff_user)
    response = client.post(
        BULK, {"applications": [submitted.pk], "action": "start_review", "next": "https://evil.example/phish"}
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_decision_with_the_broker_down_is_made_and_emailed_once_the_sweep_runs(
    client, staff_user, in_review, workspace, broker, mailoutbox
):
    # The rule: a status change never waits on the broker. It commits with its change record, which
    # is what the email is owed by; the sweep sends it later. Never a 500, never half a decision.
    broker.stop()
    client.force_login(staff_user)
    pool = DeskPool.objects.get(workspace=workspace, desk_type=DeskType.FIXED_DESK)
    started = time.monotonic()
    data = {"decision": "offer", "pool": pool.pk, "desks": "2", "expires_in_days": "10", "reason": "Welcome!"}
    response = client.post(decide_url(in_review), data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 1, elapsed
    in_review.refresh_from_db()
    assert in_review.status == S.OFFERED
    pool.refresh_from_db()
    assert pool.allocated == 2
    change = StatusChange.objects.get(application=in_review, to_status=S.OFFERED)
    assert change.notified_at is None and mailoutbox == []
    assert broker.queued() == 0

    broker.start()
    due = change.created_at + services.OWED_AFTER + datetime.timedelta(seconds=1)
    assert services.application_notifications_send_owed(now=due) == 1
    assert [message.to for message in mailoutbox] == [[in_review.applicant.email]]
    assert "offered" in mailoutbox[0].subject
    assert services.application_notifications_send_owed(now=due) == 0
    assert len(mailoutbox) == 1
