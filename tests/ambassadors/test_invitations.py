"""Invitations: staff invite, resend and withdraw; the link signs a new person up without a second
verification mail, or links an existing account; an expired, withdrawn, used or unknown link gets a
clear page and creates nothing; public sign-up never makes an ambassador; the expiry job."""

import datetime
import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ambassadors import services
from ambassadors.models import Ambassador, Invitation
from ambassadors.services.invitations import InvitationUnusableError, invitation_token_hash
from portal.models import User
from portal.roles import Role, user_has_role
from tests.ambassadors.factories import AmbassadorFactory, InvitationFactory
from tests.conftest import run_at_once
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("ambassadors:invitation-create")
LIST = reverse("ambassadors:invitation-list")
SIGNUP = reverse("account_signup")
PASSWORD = "a-long-and-unusual-passphrase-42"


def accept_url(token: str) -> str:
    return reverse("ambassadors:invitation-accept", args=[token])


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def token_from_mail(message) -> str:
    return re.search(r"/ambassadors/invitations/([^/\s]+)/", message.body).group(1)


def sign_up(client, email: str, full_name: str = "Priya Raman"):
    return client.post(SIGNUP, {"email": email, "password1": PASSWORD, "password2": PASSWORD, "full_name": full_name})


# Services ------------------------------------------------------------------------------------


def test_an_invitation_stores_only_the_hash_and_expires_in_seven_days(staff_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            email=" Priya@Example.ORG ", full_name="Priya Raman", actor=staff_user
        )
    invitation.refresh_from_db()
    assert invitation.email == "priya@example.org"
    assert invitation.token_hash == invitation_token_hash(token) != token
    assert token not in str(Invitation.objects.values().get(pk=invitation.pk))
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)
    assert invitation.ambassador.status == Ambassador.Status.INVITED and invitation.ambassador.user is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["priya@example.org"]
    assert token_from_mail(mail.outbox[0]) == token
    assert invitation.emailed_at is not None


def test_only_staff_invite(ambassador_user):
    with pytest.raises(PermissionDenied):
        services.invitation_create(email="x@example.org", full_name="X", actor=ambassador_user)
    assert not Invitation.objects.exists()


def test_a_second_waiting_invitation_for_an_address_is_refused(staff_user):
    services.invitation_create(email="priya@example.org", full_name="Priya Raman", actor=staff_user)
    with pytest.raises(ValidationError) as error:
        services.invitation_create(email="PRIYA@example.org", full_name="Priya Raman", actor=staff_user)
    assert "already has an invitation waiting" in error.value.message_dict["email"][0]
    assert Ambassador.objects.count() == 1


def test_an_address_of_an_ambassador_is_refused(staff_user):
    ambassador = AmbassadorFactory()
    with pytest.raises(ValidationError) as error:
        services.invitation_create(email=ambassador.user.email, full_name="Someone", actor=staff_user)
    assert "already belongs to an ambassador" in error.value.message_dict["email"][0]


def test_accepting_links_the_user_and_makes_the_profile_active(staff_user):
    invitation, token = services.invitation_create(email="priya@example.org", full_name="Priya Raman", actor=staff_user)
    user = UserFactory(email="priya@example.org", full_name="")
    ambassador = services.invitation_accept(token=token, user=user)
    invitation.refresh_from_db()
    assert ambassador.user == user and ambassador.status == Ambassador.Status.ACTIVE
    assert ambassador.term_starts_on == timezone.localdate()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.accepted_by == user
    user = User.objects.get(pk=user.pk)
    assert user_has_role(user, Role.AMBASSADOR) and user.full_name == "Priya Raman"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": Invitation.Status.REVOKED}, "revoked"),
        ({"status": Invitation.Status.ACCEPTED}, "accepted"),
        ({"status": Invitation.Status.EXPIRED}, "expired"),
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "expired"),
    ],
)
def test_an_unusable_invitation_is_refused_and_changes_nothing(change, reason):
    invitation = InvitationFactory(**change)
    user = UserFactory(email=invitation.email)
    with pytest.raises(InvitationUnusableError) as error:
        services.invitation_accept(token=invitation.token, user=user)
    assert error.value.reason == reason
    invitation.ambassador.refresh_from_db()
    assert invitation.ambassador.user is None
    assert not user_has_role(User.objects.get(pk=user.pk), Role.AMBASSADOR)


def test_an_invitation_is_accepted_only_by_its_address():
    invitation = InvitationFactory()
    with pytest.raises(InvitationUnusableError) as error:
        services.invitation_accept(token=invitation.token, user=UserFactory(email="someone.else@example.org"))
    assert error.value.reason == "other_address"


# Serialized rollback, as every transactional test here: its flush then leaves no rows that the
# next serialized test would restore twice.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_acceptances_at_once_give_one_ambassador(postgres):
    invitation = InvitationFactory()
    first = UserFactory(email=invitation.email)
    results = run_at_once([lambda: services.invitation_accept(token=invitation.token, user=first)] * 2)
    refused = [r for r in results if isinstance(r, InvitationUnusableError)]
    accepted = [r for r in results if isinstance(r, Ambassador)]
    assert len(accepted) == 1 and len(refused) == 1 and refused[0].reason == "accepted"


def test_resending_makes_a_new_link_and_the_old_one_stops_working(staff_user, django_capture_on_commit_callbacks):
    invitation = InvitationFactory(status=Invitation.Status.EXPIRED)
    old = invitation.token
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_resend(invitation=invitation, actor=staff_user)
    assert invitation.status == Invitation.Status.PENDING and token != old
    assert invitation.expires_at > timezone.now() + datetime.timedelta(days=6)
    with pytest.raises(InvitationUnusableError):
        services.invitation_check(token=old)
    assert services.invitation_check(token=token) == invitation
    assert token_from_mail(mail.outbox[-1]) == token


def test_an_accepted_invitation_is_not_resent_nor_withdrawn(staff_user):
    invitation = InvitationFactory(status=Invitation.Status.ACCEPTED)
    with pytest.raises(ValidationError):
        services.invitation_resend(invitation=invitation, actor=staff_user)
    with pytest.raises(ValidationError):
        services.invitation_revoke(invitation=invitation, actor=staff_user)


def test_an_older_email_job_does_not_send_a_replaced_link(staff_user):
    invitation = InvitationFactory()
    old = invitation.token
    services.invitation_resend(invitation=invitation, actor=staff_user)
    assert services.invitation_send(invitation=invitation, token=old) is False


def test_the_expiry_job_marks_overdue_invitations_once():
    overdue = InvitationFactory(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    waiting = InvitationFactory()
    from ambassadors.tasks import invitations_expire

    assert invitations_expire.delay().get() == 1
    assert invitations_expire.delay().get() == 0
    overdue.refresh_from_db()
    waiting.refresh_from_db()
    assert overdue.status == Invitation.Status.EXPIRED and waiting.status == Invitation.Status.PENDING


# Pages: staff --------------------------------------------------------------------------------


def test_staff_invite_through_the_form_and_see_the_invitation_listed(
    client, staff_user, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, {"full_name": "Priya Raman", "email": "priya@example.org"}, follow=True)
    assert response.redirect_chain == [(LIST, 302)]
    assert "Invited Priya Raman" in text(response) and "priya@example.org" in text(response)
    assert len(mail.outbox) == 1 and "/ambassadors/invitations/" in mail.outbox[0].body


def test_the_invitation_form_reports_every_error_at_once(client, staff_user):
    client.force_login(staff_user)
    response = client.post(CREATE, {"full_name": "", "email": "not-an-address"})
    assert response.status_code == 400
    page = text(response)
    assert "Enter the ambassador's full name" in page
    assert "Enter an email address in the correct format" in page
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("role", [Role.AMBASSADOR, Role.FOUNDER, Role.REVIEWER])
def test_other_roles_are_refused_the_staff_invitation_pages(client, make_user, role):
    client.force_login(make_user(role, mfa=role != Role.FOUNDER))
    assert client.get(CREATE).status_code == 403
    assert client.get(LIST).status_code == 403
    assert client.post(CREATE, {"full_name": "X", "email": "x@example.org"}).status_code == 403
    assert not Invitation.objects.exists()


def test_with_the_broker_down_the_invitation_is_made_and_listed_as_not_emailed(
    client, staff_user, broker, django_capture_on_commit_callbacks
):
    broker.stop()
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CREATE, {"full_name": "Priya Raman", "email": "priya@example.org"})
    assert response.status_code == 302  # never a 500: the invitation is stored
    invitation = Invitation.objects.get()
    assert invitation.emailed_at is None and mail.outbox == []
    assert "Not emailed yet" in text(client.get(LIST))
    broker.start()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ambassadors:invitation-resend", args=[invitation.pk]))
    assert broker.queued() == 1  # the new link's email is on its way to a worker


def test_staff_resend_and_withdraw_from_the_list(client, staff_user):
    invitation = InvitationFactory()
    client.force_login(staff_user)
    response = client.post(reverse("ambassadors:invitation-revoke", args=[invitation.pk]), follow=True)
    assert "Withdrew the invitation" in text(response)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    response = client.post(reverse("ambassadors:invitation-resend", args=[invitation.pk]), follow=True)
    assert "Sent a new invitation link" in text(response)
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


# Pages: the link -----------------------------------------------------------------------------


def test_a_new_person_signs_up_from_the_link_without_a_second_verification_mail(client, staff_user):
    invitation, token = services.invitation_create(email="priya@example.org", full_name="Priya Raman", actor=staff_user)
    mail.outbox.clear()
    response = client.get(accept_url(token))
    assert response.status_code == 200
    assert "Create your account" in text(response)
    signup = client.get(SIGNUP)
    assert 'value="priya@example.org"' in signup.content.decode()

    response = sign_up(client, "priya@example.org")
    assert response.status_code == 302
    assert mail.outbox == []  # no verification email: the link proved the address
    user = User.objects.get(email="priya@example.org")
    assert user_has_role(user, Role.AMBASSADOR) and not user_has_role(user, Role.FOUNDER)
    assert EmailAddress.objects.get(user=user).verified
    ambassador = Ambassador.objects.get(user=user)
    assert ambassador.pk == invitation.ambassador_id and ambassador.status == Ambassador.Status.ACTIVE
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ACCEPTED
    # Signed in, and sent to set up TOTP before any page of the portal.
    assert client.get(reverse("ambassadors:home")).url == reverse("mfa_activate_totp")


def test_signing_up_from_the_link_with_another_address_is_refused(client):
    invitation = InvitationFactory(email="priya@example.org")
    client.get(accept_url(invitation.token))
    response = sign_up(client, "someone.else@example.org")
    assert response.status_code == 400
    assert "Use the address your invitation was sent to, priya@example.org" in text(response)
    assert not User.objects.exists()


def test_public_sign_up_makes_a_founder_never_an_ambassador(client):
    response = sign_up(client, "founder@example.org")
    assert response.status_code == 302
    user = User.objects.get(email="founder@example.org")
    assert user_has_role(user, Role.FOUNDER) and not user_has_role(user, Role.AMBASSADOR)
    assert not Ambassador.objects.filter(user=user).exists()
    assert len(mail.outbox) == 1  # the usual verification code


def test_an_invitation_withdrawn_while_signing_up_creates_no_account(client, staff_user):
    invitation = InvitationFactory(email="priya@example.org")
    client.get(accept_url(invitation.token))
    services.invitation_revoke(invitation=invitation, actor=staff_user)
    response = sign_up(client, "priya@example.org")
    assert response.status_code == 302 and response.url == accept_url(invitation.token)
    assert not User.objects.filter(email="priya@example.org").exists()
    assert not EmailAddress.objects.filter(email="priya@example.org").exists()
    response = client.get(response.url)
    assert response.status_code == 410 and "withdrawn" in text(response)


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"status": Invitation.Status.REVOKED}, 410, "was withdrawn"),
        ({"status": Invitation.Status.ACCEPTED}, 410, "has already been used"),
        ({"expires_at": timezone.now() - datetime.timedelta(hours=1)}, 410, "has expired"),
    ],
)
def test_an_unusable_link_gets_a_clear_page_and_nothing_is_created(client, change, status, words):
    invitation = InvitationFactory(**change)
    response = client.get(accept_url(invitation.token))
    assert response.status_code == status
    assert "This invitation cannot be used" in text(response) and words in text(response)
    assert "ambassadors_invitation_token" not in client.session
    assert sign_up(client, invitation.email).status_code == 302  # a plain public sign-up, then
    assert not user_has_role(User.objects.get(email=invitation.email), Role.AMBASSADOR)
    assert Ambassador.objects.get(pk=invitation.ambassador_id).user is None


def test_an_unknown_link_is_a_404_with_the_same_clear_page(client):
    response = client.get(accept_url("not-a-real-token"))
    assert response.status_code == 404
    assert "not recognised" in text(response)


def test_a_used_link_cannot_be_used_again(client):
    invitation = InvitationFactory(email="priya@example.org")
    client.get(accept_url(invitation.token))
    sign_up(client, "priya@example.org")
    other = type(client)()
    response = other.get(accept_url(invitation.token))
    assert response.status_code == 410 and "already been used" in text(response)
    assert Ambassador.objects.filter(user__isnull=False).count() == 1


def test_an_existing_account_signs_in_and_accepting_links_it(client):
    founder = UserFactory(email="priya@example.org", roles=[Role.FOUNDER])
    invitation = InvitationFactory(email="Priya@example.org")
    response = client.get(accept_url(invitation.token))
    assert "Sign in to accept" in text(response)
    assert f"next={accept_url(invitation.token)}" in response.content.decode()
    client.force_login(founder)
    response = client.get(accept_url(invitation.token))
    assert "Accept the invitation" in text(response)
    response = client.post(accept_url(invitation.token))
    assert response.status_code == 302
    assert User.objects.count() == 1
    founder = User.objects.get(pk=founder.pk)
    assert user_has_role(founder, Role.AMBASSADOR) and user_has_role(founder, Role.FOUNDER)
    assert Ambassador.objects.get(pk=invitation.ambassador_id).user == founder


def test_a_signed_in_user_with_another_address_cannot_accept(client, founder_user):
    invitation = InvitationFactory()
    client.force_login(founder_user)
    response = client.get(accept_url(invitation.token))
    assert response.status_code == 403 and "different email address" in text(response)
    assert client.post(accept_url(invitation.token)).status_code == 403
    assert Ambassador.objects.get(pk=invitation.ambassador_id).user is None


def test_ambassadors_land_on_their_portal_after_signing_in():
    from portal.adapters import landing_url

    ambassador = AmbassadorFactory()
    assert landing_url(ambassador.user) == reverse("ambassadors:home")
