"""A person deletes their account: confirmed with their password, signed out everywhere, their
details gone, their applications and an ambassador's records anonymised (the aggregate figures
unchanged), and the last active member of staff refused."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.test import Client
from django.urls import reverse

from ambassadors.models import Activity, Ambassador, Invitation, Lead
from missions.registry import REGISTRY
from portal.exceptions import LastStaffMemberError
from portal.models import Feedback, IdempotencyKey, Organisation, User
from portal.personal_data import account_delete, can_delete_account, deleted_email
from portal.roles import Role
from tests.ambassadors.factories import ActivityFactory, AmbassadorFactory, InvitationFactory
from tests.ambassadors.lead_factories import LeadFactory
from tests.browser.conftest import PASSWORD
from tests.conftest import run_at_once
from tests.portal.factories import OrganisationFactory
from tests.workspaces.factories import ApplicationFactory, WorkspaceFactory, offered_application
from workspaces import services as workspace_services
from workspaces.models import Application, Criterion, DeskType, Review, StatusChange, Tenancy

pytestmark = pytest.mark.django_db

DELETE = reverse("portal:account-delete")
DELETED = reverse("portal:account-deleted")
SIGNED_IN_PAGE = reverse("portal:account-data")
S = Application.Status


def signed_in(user, user_agent: str = "Browser") -> Client:
    browser = Client(HTTP_USER_AGENT=user_agent)
    browser.force_login(user)
    assert browser.get(SIGNED_IN_PAGE).status_code == 200
    return browser


def all_indicator_values() -> dict:
    return {key: compute() for key, compute in REGISTRY.items()}


@pytest.fixture
def founder_with_history(founder_user, staff_user, reviewer_user):
    """A founder with a draft, a rejected, an accepted (a tenancy), a submitted and an offered
    application (the last desk of a pool another firm waits for), a firm, feedback and a stored
    API answer."""
    workspace = WorkspaceFactory(pools={DeskType.FIXED_DESK: 2})
    firm = OrganisationFactory(name="Founder's Firm Ltd", members=[founder_user])
    draft = ApplicationFactory(applicant=founder_user, workspaces=[workspace])
    rejected = ApplicationFactory(applicant=founder_user, in_review=True, workspaces=[workspace])
    scores = {criterion.pk: 3 for criterion in Criterion.objects.filter(is_active=True)}
    workspace_services.review_create(
        application=rejected, reviewer=reviewer_user, scores=scores, comment="The founders, Ann and Bo, are keen."
    )
    workspace_services.application_reject(application=rejected, actor=staff_user, reason="Ann's firm is too early.")
    accepted = offered_application(staff=staff_user, applicant=founder_user, workspace=workspace)
    workspace_services.application_accept_offer(application=accepted, actor=founder_user)
    submitted = ApplicationFactory(applicant=founder_user, submitted=True, workspaces=[workspace])
    offered = offered_application(staff=staff_user, applicant=founder_user, workspace=workspace)
    waiting = ApplicationFactory(in_review=True, workspaces=[workspace])
    workspace_services.application_waitlist(application=waiting, actor=staff_user)
    Feedback.objects.create(doing="Applying", problem="It froze", email=founder_user.email)
    IdempotencyKey.objects.create(client=f"user:{founder_user.pk}", key="k1", fingerprint="f")
    return {
        "firm": firm,
        "draft": draft,
        "rejected": rejected,
        "accepted": accepted,
        "submitted": submitted,
        "offered": offered,
        "waiting": waiting,
    }


def test_deleting_an_account_signs_out_everywhere_and_scrubs_it(founder_user, founder_with_history):
    laptop = signed_in(founder_user, "Laptop")
    phone = signed_in(founder_user, "Phone")
    pk, email = founder_user.pk, founder_user.email

    response = laptop.post(DELETE, {"password": PASSWORD})
    assert response.status_code == 303 and response["Location"] == DELETED
    page = laptop.get(DELETED)
    assert page.status_code == 200 and "Your account has been deleted" in page.content.decode()
    for browser in (laptop, phone):
        after = browser.get(SIGNED_IN_PAGE)
        assert after.status_code == 302 and after["Location"].startswith(reverse("account_login"))

    user = User.objects.get(pk=pk)
    assert (user.email, user.full_name, user.is_active, user.has_usable_password()) == (
        deleted_email(pk),
        "",
        False,
        False,
    )
    assert user.deleted_at is not None and str(user) == "Deleted account"
    assert not user.groups.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not UserSession.objects.filter(user=user).exists()
    assert not IdempotencyKey.objects.filter(client=f"user:{pk}").exists()
    assert Feedback.objects.get().email == "" and Feedback.objects.get().problem == "It froze"
    firm = Organisation.objects.get(pk=founder_with_history["firm"].pk)  # the firm stays in the register
    assert not firm.members.exists()

    # Nobody can sign in to it again, and the address is free for a new account.
    login = Client().post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert login.status_code == 400
    assert User.objects.create_user(email, PASSWORD).pk != pk


def test_applications_are_withdrawn_then_anonymised_and_drafts_deleted(founder_user, founder_with_history):
    apps = founder_with_history
    account_delete(user=founder_user)

    assert not Application.objects.filter(pk=apps["draft"].pk).exists()
    assert not Application.history.filter(id=apps["draft"].pk).exists()
    statuses = {
        name: Application.objects.get(pk=apps[name].pk).status
        for name in ("rejected", "accepted", "submitted", "offered")
    }
    assert statuses == {
        "rejected": S.REJECTED,
        "accepted": S.ACCEPTED,
        "submitted": S.WITHDRAWN,
        "offered": S.WITHDRAWN,
    }
    # The offer's desk went to the firm waiting for it.
    assert Application.objects.get(pk=apps["waiting"].pk).status == S.OFFERED
    assert Tenancy.objects.filter(application=apps["accepted"]).exists()

    for application in Application.objects.filter(pk__in=[apps[n].pk for n in statuses]):
        assert application.anonymised_at is not None
        assert application.applicant_id is None and application.organisation_id is None
        assert (application.firm_name, application.company_number, application.pitch, application.team_description) == (
            "",
            "",
            "",
            "",
        )
        assert application.submitted_at is not None and list(application.workspaces.all())
        assert application.team_size == 4 and application.desks == 1
        assert not StatusChange.objects.filter(application=application).exclude(reason="").exists()
        assert not StatusChange.objects.filter(application=application, notified_at__isnull=True).exists()
        history = Application.history.filter(id=application.pk)
        assert history.exists()
        assert not history.exclude(firm_name="").exists() and not history.filter(applicant__isnull=False).exists()
    assert Review.objects.get(application=apps["rejected"]).comment == ""
    # The firm waiting for the desk keeps everything.
    waiting = Application.objects.get(pk=apps["waiting"].pk)
    assert waiting.applicant is not None and waiting.firm_name


def test_the_aggregate_figures_are_the_same_after_deletion(
    founder_user, founder_with_history, django_capture_on_commit_callbacks
):
    ambassador = AmbassadorFactory()
    ActivityFactory(ambassador=ambassador)
    LeadFactory(referred_by=ambassador, landed=True)
    before = all_indicator_values()
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=founder_user)
        account_delete(user=ambassador.user)
    assert all_indicator_values() == before


def test_no_email_is_sent_to_a_deleted_account(
    founder_user, founder_with_history, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=founder_user)
    addressed = {address for message in mailoutbox for address in message.to}
    assert founder_user.email not in addressed and deleted_email(founder_user.pk) not in addressed
    # The firm offered the freed desk is told.
    assert founder_with_history["waiting"].applicant.email in addressed


def test_an_ambassadors_records_stay_for_the_figures_without_their_name(client):
    ambassador = AmbassadorFactory(full_name="Ama Ambassador", public=True, bio="Bio", city="Pune")
    activity = ActivityFactory(ambassador=ambassador, notes="Met Dr Rao")
    lead = LeadFactory(referred_by=ambassador, landed=True)
    invitation = InvitationFactory(ambassador=ambassador, email=ambassador.user.email, status="accepted")
    directory_page = reverse("ambassadors:directory-profile", args=[ambassador.pk])
    assert client.get(directory_page).status_code == 200

    account_delete(user=ambassador.user)

    ambassador = Ambassador.objects.get(pk=ambassador.pk)
    assert ambassador.full_name == "Former ambassador" and ambassador.status == Ambassador.Status.RETIRED
    assert (ambassador.bio, ambassador.city, ambassador.public_profile) == ("", "", False)
    assert ambassador.country == "IN" and ambassador.sector_codes == ["software"]
    assert Activity.objects.get(pk=activity.pk).notes == ""
    assert Lead.objects.get(pk=lead.pk).referred_by_id == ambassador.pk
    assert Invitation.objects.get(pk=invitation.pk).email == deleted_email(ambassador.user_id)
    assert not Authenticator.objects.filter(user_id=ambassador.user_id).exists()
    assert client.get(directory_page).status_code == 404
    assert "Ama Ambassador" not in client.get(reverse("ambassadors:directory")).content.decode()


def test_a_wrong_or_missing_password_changes_nothing(founder_user):
    browser = signed_in(founder_user)
    for data, message in (
        ({"password": "not-my-password"}, "The password is not correct"),
        ({}, "Enter your password"),
    ):
        response = browser.post(DELETE, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert "There is a problem" in page and message in page and "<title>Error: Delete your account" in page
    founder_user.refresh_from_db()
    assert founder_user.is_active and founder_user.deleted_at is None
    assert browser.get(SIGNED_IN_PAGE).status_code == 200


def test_the_page_explains_what_happens(founder_user):
    response = signed_in(founder_user).get(DELETE)
    assert response.status_code == 200
    page = response.content.decode()
    assert "What is deleted" in page and "What is kept, without your name" in page
    assert "Delete my account" in page and reverse("portal:account-data") in page and "None" not in page


def test_the_last_active_member_of_staff_cannot_delete_their_account(staff_user, make_user):
    make_user(Role.STAFF, is_active=False)  # an inactive member of staff does not count
    browser = signed_in(staff_user)
    page = browser.get(DELETE)
    assert page.status_code == 200 and "You are the only active member of staff" in page.content.decode()
    assert "Delete my account" not in page.content.decode()
    assert browser.post(DELETE, {"password": PASSWORD}).status_code == 400
    with pytest.raises(LastStaffMemberError):
        account_delete(user=staff_user)
    staff_user.refresh_from_db()
    assert staff_user.is_active and staff_user.deleted_at is None


def test_staff_delete_their_account_while_another_remains_and_their_decisions_stay(staff_user, make_user):
    other = make_user(Role.STAFF)
    application = ApplicationFactory(in_review=True)
    workspace_services.application_reject(application=application, actor=staff_user, reason="Too early.")
    assert can_delete_account(staff_user)
    response = signed_in(staff_user).post(DELETE, {"password": PASSWORD})
    assert response.status_code == 303
    change = StatusChange.objects.get(application=application, to_status=S.REJECTED)
    assert str(change.actor) == "Deleted account" and change.reason == "Too early."
    assert not can_delete_account(other)  # now the last one


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_last_members_of_staff_deleting_at_once_leave_one(postgres, make_user):
    staff_user, other = make_user(Role.STAFF), make_user(Role.STAFF)
    results = run_at_once([lambda: account_delete(user=staff_user), lambda: account_delete(user=other)])
    refused = [result for result in results if isinstance(result, LastStaffMemberError)]
    assert len(refused) == 1, results
    assert User.objects.filter(groups__name=Role.STAFF, is_active=True).count() == 1


def test_deleting_twice_changes_nothing_more(founder_user, founder_with_history):
    first = account_delete(user=founder_user)
    second = account_delete(user=founder_user)
    assert second.deleted_at == first.deleted_at and second.email == deleted_email(founder_user.pk)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for response in (client.get(DELETE), client.post(DELETE, {"password": PASSWORD})):
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
