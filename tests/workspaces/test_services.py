"""The workspaces services: the state machine, desk holding, the waiting list and the emails."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.utils import timezone

from portal.models import Organisation
from portal.roles import Role
from tests.portal.factories import OrganisationFactory, UserFactory
from workspaces import selectors, services
from workspaces.exceptions import CapacityExceededError, TransitionNotAllowedError
from workspaces.models import Application, DeskPool, StatusChange, Tenancy

from .factories import ApplicationFactory, WorkspaceFactory, offered_application

pytestmark = pytest.mark.django_db
S = Application.Status


def pool_of(workspace, desk_type="fixed_desk") -> DeskPool:
    return DeskPool.objects.get(workspace=workspace, desk_type=desk_type)


def full_scores(value: int = 3) -> dict[int, int]:
    return {c.pk: value for c in selectors.criterion_list()}


def set_status(application, status, **fields):
    """Put an application into ``status`` without a service, to try transitions from there."""
    if status == S.OFFERED:
        fields.update(offer_pool=pool_of(application.workspaces.get()), offer_desks=1)
        fields.setdefault("offer_expires_at", timezone.now() + datetime.timedelta(days=1))
    Application.objects.filter(pk=application.pk).update(status=status, **fields)
    application.refresh_from_db()
    return application


# The state machine -------------------------------------------------------------------------

ALL = [s for s, _ in S.choices]


def _allowed_pairs():
    return set(services.TRANSITIONS)


def test_the_transition_table_is_the_one_in_the_spec():
    assert _allowed_pairs() == {
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.IN_REVIEW),
        (S.IN_REVIEW, S.OFFERED),
        (S.IN_REVIEW, S.REJECTED),
        (S.IN_REVIEW, S.WAITLISTED),
        (S.WAITLISTED, S.OFFERED),
        (S.OFFERED, S.ACCEPTED),
        (S.OFFERED, S.DECLINED),
        (S.OFFERED, S.EXPIRED),
        *((s, S.WITHDRAWN) for s in (S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.WAITLISTED, S.OFFERED)),
    }


def _attempt(action, application, staff):
    """Run one service action as the actor it belongs to; returns the exception raised, if any."""
    applicant = application.applicant
    pool = pool_of(application.workspaces.get())
    calls = {
        S.SUBMITTED: lambda: services.application_submit(application=application, actor=applicant),
        S.IN_REVIEW: lambda: services.application_review_start(application=application, actor=staff),
        S.OFFERED: lambda: services.application_offer(application=application, actor=staff, pool=pool),
        S.REJECTED: lambda: services.application_reject(application=application, actor=staff, reason="No fit"),
        S.WAITLISTED: lambda: services.application_waitlist(application=application, actor=staff),
        S.ACCEPTED: lambda: services.application_accept_offer(application=application, actor=applicant),
        S.DECLINED: lambda: services.application_decline_offer(application=application, actor=applicant),
        S.WITHDRAWN: lambda: services.application_withdraw(application=application, actor=applicant),
    }
    try:
        calls[action]()
    except (TransitionNotAllowedError, PermissionDenied) as error:
        return error
    return None


DISALLOWED = [
    (frm, to)
    for frm, to in itertools.product(
        ALL, [S.SUBMITTED, S.IN_REVIEW, S.OFFERED, S.REJECTED, S.WAITLISTED, S.ACCEPTED, S.DECLINED, S.WITHDRAWN]
    )
    if (frm, to) not in services.TRANSITIONS
]


@pytest.mark.parametrize(("frm", "to"), DISALLOWED)
def test_every_disallowed_transition_is_refused_and_changes_nothing(frm, to, staff_user):
    application = set_status(ApplicationFactory(submitted=True), frm)
    before = StatusChange.objects.count()
    error = _attempt(to, application, staff_user)
    assert isinstance(error, TransitionNotAllowedError), error
    application.refresh_from_db()
    assert application.status == frm
    assert StatusChange.objects.count() == before
    assert pool_of(application.workspaces.get()).allocated == 0


@pytest.mark.parametrize(
    ("frm", "to", "role"),
    [
        (S.IN_REVIEW, S.OFFERED, Role.REVIEWER),
        (S.IN_REVIEW, S.REJECTED, Role.REVIEWER),
        (S.IN_REVIEW, S.WAITLISTED, Role.REVIEWER),
        (S.IN_REVIEW, S.OFFERED, Role.FOUNDER),
        (S.SUBMITTED, S.IN_REVIEW, Role.FOUNDER),
    ],
)
def test_a_transition_by_a_role_it_does_not_belong_to_is_refused(frm, to, role):
    application = set_status(ApplicationFactory(submitted=True), frm)
    someone = UserFactory(roles=[role])
    pool = pool_of(application.workspaces.get())
    action = {
        S.OFFERED: lambda: services.application_offer(application=application, actor=someone, pool=pool),
        S.REJECTED: lambda: services.application_reject(application=application, actor=someone, reason="x"),
        S.WAITLISTED: lambda: services.application_waitlist(application=application, actor=someone),
        S.IN_REVIEW: lambda: services.application_review_start(application=application, actor=someone),
    }[to]
    with pytest.raises(PermissionDenied):
        action()
    application.refresh_from_db()
    assert application.status == frm
    assert pool.allocated == DeskPool.objects.get(pk=pool.pk).allocated == 0


def test_only_the_applicant_answers_an_offer_or_withdraws(staff_user):
    application = offered_application(staff=staff_user)
    other_founder = UserFactory(roles=[Role.FOUNDER])
    for actor in (staff_user, other_founder):
        with pytest.raises(PermissionDenied):
            services.application_accept_offer(application=application, actor=actor)
        with pytest.raises(PermissionDenied):
            services.application_withdraw(application=application, actor=actor)
    application.refresh_from_db()
    assert application.status == S.OFFERED


def test_staff_cannot_decide_their_own_application(staff_user):
    staff_user.groups.add(*UserFactory(roles=[Role.FOUNDER]).groups.all())
    application = ApplicationFactory(applicant=staff_user, in_review=True)
    with pytest.raises(PermissionDenied):
        services.application_reject(application=application, actor=staff_user, reason="Conflict")


def test_each_transition_records_who_when_and_why(staff_user):
    application = ApplicationFactory(in_review=True)
    services.application_reject(application=application, actor=staff_user, reason="  Outside the region  ")
    change = application.status_changes.get(to_status=S.REJECTED)
    assert (change.from_status, change.actor, change.reason) == (S.IN_REVIEW, staff_user, "Outside the region")
    assert timezone.now() - change.created_at < datetime.timedelta(minutes=1)


def test_reject_needs_a_reason(staff_user):
    application = ApplicationFactory(in_review=True)
    with pytest.raises(ValidationError) as error:
        services.application_reject(application=application, actor=staff_user, reason="  ")
    assert "reason" in error.value.message_dict
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW


# Drafts and submission ----------------------------------------------------------------------


def test_a_draft_is_saved_step_by_step_and_validated_by_field(founder_user):
    draft = services.application_draft_create(applicant=founder_user)
    services.application_draft_update(
        application=draft, actor=founder_user, data={"firm_name": "Acme", "company_number": "123"}
    )
    draft.refresh_from_db()
    assert (draft.firm_name, draft.company_number) == ("Acme", "00000123")
    with pytest.raises(ValidationError) as error:
        services.application_draft_update(
            application=draft, actor=founder_user, data={"firm_name": "Changed", "company_number": "ABC"}
        )
    assert "company_number" in error.value.message_dict
    draft.refresh_from_db()
    assert draft.firm_name == "Acme"  # nothing from the failed step was saved


def test_diversity_answers_need_consent_and_fit_the_founders(founder_user):
    draft = services.application_draft_create(applicant=founder_user)
    services.application_draft_update(application=draft, actor=founder_user, data={"founders": 2})
    with pytest.raises(ValidationError) as error:
        services.application_draft_update(
            application=draft, actor=founder_user, data={"diversity_consent": True, "founders_women": 3}
        )
    assert "founders_women" in error.value.message_dict
    services.application_draft_update(
        application=draft, actor=founder_user, data={"diversity_consent": False, "founders_women": 1}
    )
    draft.refresh_from_db()
    assert draft.founders_women is None  # not kept without consent


def test_only_a_founder_starts_and_only_the_applicant_edits(founder_user, reviewer_user):
    with pytest.raises(PermissionDenied):
        services.application_draft_create(applicant=reviewer_user)
    draft = services.application_draft_create(applicant=founder_user)
    with pytest.raises(PermissionDenied):
        services.application_draft_update(application=draft, actor=UserFactory(roles=[Role.FOUNDER]), data={})


def test_submit_names_every_missing_answer_and_changes_nothing(founder_user):
    draft = services.application_draft_create(applicant=founder_user)
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=draft, actor=founder_user)
    assert {"company_number", "firm_name", "pitch", "workspaces", "desks"} <= set(error.value.message_dict)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT and draft.organisation is None


def test_submit_creates_the_firm_in_the_registry_with_the_founder_as_member(
    mailoutbox, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(company_number="12345678", firm_name="Brand New Ltd")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=application.applicant)
    firm = Organisation.objects.get(company_number="12345678")
    assert firm.name == "Brand New Ltd" and firm.kind == Organisation.Kind.FIRM and firm.is_tech
    assert list(firm.members.all()) == [application.applicant]
    application.refresh_from_db()
    assert application.organisation == firm and application.status == S.SUBMITTED and application.submitted_at
    assert [m.subject for m in mailoutbox] == [f"We have received your workspace application {application.reference}"]


def test_submit_links_a_firm_already_in_the_registry_without_changing_it():
    firm = OrganisationFactory(company_number="SC123456", name="Registered Name Ltd")
    application = ApplicationFactory(company_number="", firm_name="Another Name")
    services.application_draft_update(
        application=application, actor=application.applicant, data={"company_number": "sc 123456"}
    )
    services.application_submit(application=application, actor=application.applicant)
    application.refresh_from_db()
    firm.refresh_from_db()
    assert application.organisation == firm and firm.name == "Registered Name Ltd"
    assert not firm.members.filter(pk=application.applicant.pk).exists()  # no self-service claim on a firm


def test_submit_refuses_a_workspace_that_stopped_taking_applications():
    application = ApplicationFactory()
    application.workspaces.update(accepting_applications=False)
    with pytest.raises(ValidationError) as error:
        services.application_submit(application=application, actor=application.applicant)
    assert "workspaces" in error.value.message_dict


# Reviews ------------------------------------------------------------------------------------


def test_a_reviewer_scores_once_and_the_first_score_starts_the_review(reviewer_user):
    application = ApplicationFactory(submitted=True)
    review = services.review_create(
        application=application, reviewer=reviewer_user, scores=full_scores(4), comment="Strong"
    )
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    criteria = selectors.criterion_list()
    assert review.total == sum(4 * c.weight for c in criteria) and review.maximum == sum(5 * c.weight for c in criteria)
    with pytest.raises(ValidationError, match="already scored"):
        services.review_create(application=application, reviewer=reviewer_user, scores=full_scores(1), comment="Again")
    assert application.reviews.count() == 1


def test_a_review_needs_every_criterion_in_range_and_a_comment(reviewer_user):
    application = ApplicationFactory(submitted=True)
    scores = full_scores(3)
    first = next(iter(scores))
    scores[first] = 6
    with pytest.raises(ValidationError) as error:
        services.review_create(application=application, reviewer=reviewer_user, scores=scores, comment="")
    assert {f"criterion_{first}", "comment"} <= set(error.value.message_dict)
    assert not application.reviews.exists()


def test_founders_cannot_score_and_nobody_scores_a_decided_application(founder_user, reviewer_user, staff_user):
    application = ApplicationFactory(submitted=True)
    with pytest.raises(PermissionDenied):
        services.review_create(application=application, reviewer=founder_user, scores=full_scores(), comment="x")
    services.application_review_start(application=application, actor=staff_user)
    services.application_reject(application=application, actor=staff_user, reason="Outside the region")
    with pytest.raises(TransitionNotAllowedError):
        services.review_create(application=application, reviewer=reviewer_user, scores=full_scores(), comment="x")


# Offers, capacity and tenancies -------------------------------------------------------------


def test_an_offer_holds_desks_and_records_the_service_level(staff_user):
    workspace = WorkspaceFactory(pools={"fixed_desk": 3})
    application = ApplicationFactory(in_review=True, workspaces=[workspace], desks=2)
    services.application_offer(application=application, actor=staff_user, pool=pool_of(workspace))
    application.refresh_from_db()
    assert pool_of(workspace).allocated == 2
    assert application.offer_desks == 2 and application.decided_at is not None
    assert application.decision_working_days == 0
    assert application.offer_expires_at > timezone.now() + datetime.timedelta(days=13)


def test_an_offer_beyond_the_free_desks_is_refused_and_holds_nothing(staff_user):
    workspace = WorkspaceFactory(pools={"fixed_desk": 1})
    application = ApplicationFactory(in_review=True, workspaces=[workspace], desks=2)
    with pytest.raises(CapacityExceededError, match="1 fixed desks free, so 2 cannot be offered"):
        services.application_offer(application=application, actor=staff_user, pool=pool_of(workspace))
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW and application.offer_pool is None
    assert pool_of(workspace).allocated == 0


def test_an_offer_must_match_the_workspace_and_desk_type_asked_for(staff_user):
    asked, other = WorkspaceFactory(), WorkspaceFactory()
    application = ApplicationFactory(in_review=True, workspaces=[asked])
    with pytest.raises(ValidationError):
        services.application_offer(application=application, actor=staff_user, pool=pool_of(other))
    with pytest.raises(ValidationError):
        services.application_offer(application=application, actor=staff_user, pool=pool_of(asked, "hot_desk"))
    assert DeskPool.objects.filter(allocated__gt=0).count() == 0


def test_the_database_refuses_more_desks_than_capacity():
    pool = pool_of(WorkspaceFactory(pools={"fixed_desk": 2}))
    with pytest.raises(IntegrityError):
        DeskPool.objects.filter(pk=pool.pk).update(allocated=3)


def test_accepting_turns_the_held_desks_into_a_tenancy(staff_user, settings):
    settings.WORKSPACES_TENANCY_MONTHS = 6  # not the default of 12: the setting is what counts
    application = offered_application(staff=staff_user, start_on=datetime.date(2030, 3, 1))
    tenancy = services.application_accept_offer(application=application, actor=application.applicant)
    assert tenancy.start_on == application.start_on == datetime.date(2030, 3, 1)
    assert tenancy.end_on == datetime.date(2030, 8, 31)  # six months, to the day before
    assert (tenancy.organisation, tenancy.desks, tenancy.pool) == (application.organisation, 1, application.offer_pool)
    assert DeskPool.objects.get(pk=tenancy.pool_id).allocated == 1


def test_an_offer_past_its_date_cannot_be_accepted(staff_user):
    application = offered_application(staff=staff_user)
    Application.objects.filter(pk=application.pk).update(
        offer_expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with pytest.raises(TransitionNotAllowedError, match="expired"):
        services.application_accept_offer(application=application, actor=application.applicant)
    assert not Tenancy.objects.exists()


@pytest.mark.parametrize("action", ["decline", "withdraw"])
def test_declining_or_withdrawing_an_offer_frees_the_desks_for_the_waiting_list(action, staff_user):
    workspace = WorkspaceFactory(pools={"fixed_desk": 1})
    offered = offered_application(staff=staff_user, workspace=workspace)
    waiting = ApplicationFactory(in_review=True, workspaces=[workspace])
    services.application_waitlist(application=waiting, actor=staff_user)
    waiting.refresh_from_db()
    assert waiting.status == S.WAITLISTED  # no desk free yet

    getattr(services, f"application_{'decline_offer' if action == 'decline' else 'withdraw'}")(
        application=offered, actor=offered.applicant
    )
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED and waiting.offer_pool == pool_of(workspace)
    change = waiting.status_changes.get(to_status=S.OFFERED)
    assert change.actor is None and "waiting list" in change.reason
    assert pool_of(workspace).allocated == 1


def test_the_waiting_list_is_offered_in_decision_order_and_skips_who_needs_too_many(staff_user):
    workspace = WorkspaceFactory(pools={"fixed_desk": 2})
    offered_application(staff=staff_user, workspace=workspace)  # keeps its desk throughout
    offered = offered_application(staff=staff_user, workspace=workspace)  # declines: ONE desk frees
    # Created (and waitlisted) in the order too_big, second, first: by pk or by the time they were
    # waitlisted, second would come before first. Only the decision dates put first ahead.
    too_big, second, first = (ApplicationFactory(in_review=True, workspaces=[workspace], desks=d) for d in (2, 1, 1))
    for application in (too_big, second, first):
        services.application_waitlist(application=application, actor=staff_user)
    now = timezone.now()
    for application, days_ago in ((too_big, 3), (first, 2), (second, 1)):
        Application.objects.filter(pk=application.pk).update(decided_at=now - datetime.timedelta(days=days_ago))
    assert first.pk > second.pk

    services.application_decline_offer(application=offered, actor=offered.applicant)
    statuses = {a.pk: a.status for a in Application.objects.filter(pk__in=[too_big.pk, first.pk, second.pk])}
    # too_big decided earliest but needs 2 desks with 1 free: skipped; first, decided before
    # second, takes the one desk; second waits on.
    assert statuses == {too_big.pk: S.WAITLISTED, first.pk: S.OFFERED, second.pk: S.WAITLISTED}
    first.refresh_from_db()
    assert (first.offer_pool, first.offer_desks) == (pool_of(workspace), 1)
    assert pool_of(workspace).allocated == 2


def test_the_waiting_list_fills_every_desk_freed_at_once_and_skips_who_needs_too_many(staff_user):
    workspace = WorkspaceFactory(pools={"fixed_desk": 2})
    offered = offered_application(staff=staff_user, workspace=workspace, desks=2)
    too_big, first, second = (ApplicationFactory(in_review=True, workspaces=[workspace], desks=d) for d in (3, 1, 1))
    for application in (too_big, second, first):
        services.application_waitlist(application=application, actor=staff_user)
    # Decision dates: too_big, then second, then first; put first's decision before second's.
    Application.objects.filter(pk=first.pk).update(decided_at=timezone.now() - datetime.timedelta(days=2))
    Application.objects.filter(pk=too_big.pk).update(decided_at=timezone.now() - datetime.timedelta(days=3))

    services.application_decline_offer(application=offered, actor=offered.applicant)
    statuses = {a.pk: a.status for a in Application.objects.filter(pk__in=[too_big.pk, first.pk, second.pk])}
    assert statuses == {too_big.pk: S.WAITLISTED, first.pk: S.OFFERED, second.pk: S.OFFERED}
    assert pool_of(workspace).allocated == 2


def test_ending_a_tenancy_frees_its_desks_once(staff_user):
    workspace = WorkspaceFactory(pools={"fixed_desk": 1})
    application = offered_application(staff=staff_user, workspace=workspace)
    tenancy = services.application_accept_offer(application=application, actor=application.applicant)
    waiting = ApplicationFactory(in_review=True, workspaces=[workspace])
    services.application_waitlist(application=waiting, actor=staff_user)
    services.tenancy_end(tenancy=tenancy, ended_on=tenancy.start_on, today=tenancy.start_on)
    services.tenancy_end(tenancy=tenancy)
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
    assert pool_of(workspace).allocated == 1  # the waiting firm's offer, not two releases
    tenancy.refresh_from_db()
    assert tenancy.ended_on == tenancy.start_on


def test_a_tenancy_cannot_end_before_it_starts_or_in_the_future(staff_user):
    workspace = WorkspaceFactory(pools={"fixed_desk": 1})
    application = offered_application(staff=staff_user, workspace=workspace)
    tenancy = services.application_accept_offer(application=application, actor=application.applicant)
    today = tenancy.start_on + datetime.timedelta(days=10)
    for ended_on in (tenancy.start_on - datetime.timedelta(days=1), today + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            services.tenancy_end(tenancy=tenancy, ended_on=ended_on, today=today)
        assert "ended_on" in error.value.message_dict
        tenancy.refresh_from_db()
        assert tenancy.ended_on is None
        assert pool_of(workspace).allocated == 1  # the desk is still let
    services.tenancy_end(tenancy=tenancy, ended_on=today, today=today)
    tenancy.refresh_from_db()
    assert tenancy.ended_on == today and pool_of(workspace).allocated == 0


def test_tenancies_past_their_last_day_end_on_it(staff_user):
    application = offered_application(staff=staff_user)
    tenancy = services.application_accept_offer(application=application, actor=application.applicant)
    assert services.tenancies_end_due(today=tenancy.end_on) == 0
    assert services.tenancies_end_due(today=tenancy.end_on + datetime.timedelta(days=1)) == 1
    assert services.tenancies_end_due(today=tenancy.end_on + datetime.timedelta(days=1)) == 0
    tenancy.refresh_from_db()
    assert tenancy.ended_on == tenancy.end_on
    assert pool_of(application.workspaces.get()).allocated == 0


# The catalogue -------------------------------------------------------------------------------


def test_capacity_cannot_drop_below_the_desks_held(staff_user):
    workspace = WorkspaceFactory(pools={"fixed_desk": 3})
    offered_application(staff=staff_user, workspace=workspace, desks=2)
    with pytest.raises(ValidationError) as error:
        services.workspace_save(workspace=workspace, data={"name": "Renamed"}, pools={"fixed_desk": (1, None)})
    assert "capacity_fixed_desk" in error.value.message_dict
    workspace.refresh_from_db()
    assert workspace.name != "Renamed" or pool_of(workspace).capacity == 3
    assert pool_of(workspace).capacity == 3


def test_more_capacity_is_offered_to_the_waiting_list(staff_user):
    workspace = WorkspaceFactory(pools={"fixed_desk": 1})
    offered_application(staff=staff_user, workspace=workspace)
    waiting = ApplicationFactory(in_review=True, workspaces=[workspace])
    services.application_waitlist(application=waiting, actor=staff_user)
    services.workspace_save(workspace=workspace, data={}, pools={"fixed_desk": (2, None)})
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED


def test_a_new_workspace_gets_a_unique_slug_and_its_pools():
    provider = OrganisationFactory(kind=Organisation.Kind.WORKSPACE_PROVIDER)
    data = {
        "provider": provider,
        "name": "Hub",
        "address": "1 Street",
        "postcode": "B1 1AA",
        "local_authority": "birmingham",
        "eligibility": "Start-ups",
        "accessibility": "Step-free",
    }
    first = services.workspace_save(data=data, pools={"hot_desk": (4, None), "private_office": (0, None)})
    second = services.workspace_save(data=data, pools={})
    assert (first.slug, second.slug) == ("hub", "hub-2")
    assert list(first.desk_pools.values_list("desk_type", "capacity")) == [("hot_desk", 4)]


def test_a_workspace_provider_must_be_a_workspace_provider():
    firm = OrganisationFactory(kind=Organisation.Kind.FIRM)
    with pytest.raises(ValidationError) as error:
        services.workspace_save(
            data={
                "provider": firm,
                "name": "X",
                "address": "A",
                "postcode": "B1",
                "local_authority": "birmingham",
                "eligibility": "E",
                "accessibility": "A",
            },
            pools={},
        )
    assert "provider" in error.value.message_dict


# Emails --------------------------------------------------------------------------------------


def test_every_decision_emails_the_applicant_once(staff_user, mailoutbox, django_capture_on_commit_callbacks):
    application = ApplicationFactory(in_review=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_waitlist(application=application, actor=staff_user, reason="Full this month")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [application.applicant.email]
    assert "waiting list" in message.subject and "Full this month" in message.body
    change = application.status_changes.get(to_status=S.WAITLISTED)
    assert services.application_notify(status_change=change) is False  # a retry sends nothing more
    assert len(mailoutbox) == 1


def test_a_failed_email_is_sent_by_the_retry(monkeypatch, staff_user, mailoutbox):
    application = ApplicationFactory(in_review=True)
    services.application_reject(application=application, actor=staff_user, reason="Not digital")
    change = application.status_changes.get(to_status=S.REJECTED)
    StatusChange.objects.filter(pk=change.pk).update(notified_at=None)
    mailoutbox.clear()

    from django.core.mail import EmailMessage

    def broken(self, fail_silently=False):
        raise ConnectionError("SMTP down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", broken)
        with pytest.raises(ConnectionError):
            services.application_notify(status_change=change)
    change.refresh_from_db()
    assert change.notified_at is None
    assert services.application_notify(status_change=change) is True
    assert len(mailoutbox) == 1 and "Not digital" in mailoutbox[0].body


def test_an_owed_email_is_sent_by_the_sweep_once_and_only_in_its_window(staff_user, mailoutbox):
    # The decision commits but its email job never ran (the broker was down): the change is owed.
    application = ApplicationFactory(in_review=True)
    services.application_reject(application=application, actor=staff_user, reason="Not digital")
    change = application.status_changes.get(to_status=S.REJECTED)
    assert change.notified_at is None and mailoutbox == []
    second = datetime.timedelta(seconds=1)

    # Its own job may still be on its way: left alone at first; too old: no longer news.
    assert services.application_notifications_send_owed(now=change.created_at + services.OWED_AFTER - second) == 0
    too_late = change.created_at + services.OWED_WITHIN + second
    assert services.application_notifications_send_owed(now=too_late) == 0
    assert mailoutbox == []

    due = change.created_at + services.OWED_AFTER + second
    assert services.application_notifications_send_owed(now=due) == 1
    assert [message.to for message in mailoutbox] == [[application.applicant.email]]
    assert "Not digital" in mailoutbox[0].body
    change.refresh_from_db()
    assert change.notified_at is not None
    assert services.application_notifications_send_owed(now=due) == 0  # sent once
    assert services.application_notify(status_change=change) is False  # and a late job sends nothing
    assert len(mailoutbox) == 1


def test_the_sweep_skips_changes_that_send_no_email_and_goes_on_past_a_failure(monkeypatch, staff_user, mailoutbox):
    first, second = ApplicationFactory(in_review=True), ApplicationFactory(in_review=True)
    for application in (first, second):
        services.application_reject(application=application, actor=staff_user, reason="Not digital")
    # A move into review is recorded too, but nobody is emailed about it.
    services.application_review_start(application=ApplicationFactory(submitted=True), actor=staff_user)
    assert StatusChange.objects.filter(to_status=S.IN_REVIEW, notified_at__isnull=True).exists()
    later = timezone.now() + services.OWED_AFTER + datetime.timedelta(seconds=1)

    from django.core.mail import EmailMessage

    send = EmailMessage.send

    def refused_for_first(self, fail_silently=False):
        if self.to == [first.applicant.email]:
            raise ConnectionError("Mailbox unavailable")
        return send(self, fail_silently)

    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", refused_for_first)
        assert services.application_notifications_send_owed(now=later) == 1
    assert [message.to for message in mailoutbox] == [[second.applicant.email]]
    assert services.application_notifications_send_owed(now=later) == 1  # the next sweep sends the first
    assert [message.to for message in mailoutbox][-1] == [first.applicant.email]


# Bulk decisions -----------------------------------------------------------------------------


def test_bulk_decisions_start_the_review_of_a_submitted_application_first(staff_user):
    submitted = ApplicationFactory(submitted=True)
    changed, refused = services.applications_decide(
        applications=[submitted], actor=staff_user, decision="reject", reason="Outside the region"
    )
    assert (changed, refused) == ([submitted], [])
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.REJECTED and submitted.decided_at is not None
    path = list(StatusChange.objects.filter(application=submitted).values_list("from_status", "to_status"))
    assert path[-2:] == [("submitted", "in_review"), ("in_review", "rejected")]


def test_a_refused_bulk_decision_leaves_no_half_made_change(staff_user, reviewer_user):
    submitted = ApplicationFactory(submitted=True)
    # No reason: the turn-down is refused, and the review it started is undone with it.
    changed, refused = services.applications_decide(applications=[submitted], actor=staff_user, decision="reject")
    assert changed == [] and [a for a, _ in refused] == [submitted]
    assert "Enter the reason" in refused[0][1][0]
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED
    assert not StatusChange.objects.filter(application=submitted, to_status="in_review").exists()
    # Reviewers may start a review but not decide: refused, and nothing changed either.
    changed, refused = services.applications_decide(applications=[submitted], actor=reviewer_user, decision="waitlist")
    assert changed == [] and len(refused) == 1
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED


def test_an_offer_of_fewer_desks_than_asked_keeps_its_reason_in_the_terms(staff_user):
    application = ApplicationFactory(in_review=True, desks=5)
    pool = pool_of(application.workspaces.get())
    application = services.application_offer(
        application=application, actor=staff_user, pool=pool, desks=2, reason="only 2 are free."
    )
    terms = selectors.offer_terms(application=application)
    assert (terms.desks, terms.desks_asked, terms.is_partial, terms.note) == (2, 5, True, "only 2 are free.")
    assert terms.monthly_price_total == terms.monthly_price_per_desk * 2
    assert terms.tenancy_months == 12
