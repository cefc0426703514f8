"""Invitations: the only way a person becomes an ambassador.

Staff invite an email address (``invitation_create``): an ``Ambassador`` in status *invited* and an
``Invitation`` holding only the SHA-256 of a random token, valid for ``INVITATION_DAYS``. The token
travels once, in the email's link. Following the link either signs a new person up through allauth
(the address counts as verified, since the link reached it) or, for an address that already has an
account, asks its owner to sign in; either way ``invitation_accept`` links the user to the profile,
gives them the ambassador role and makes the profile active. A link that is unknown, expired,
withdrawn or already used is refused with ``InvitationUnusableError`` and nothing is created.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from portal.jobs import job_enqueue_owed
from portal.models import User
from portal.page_cache import data_version_bump
from portal.roles import Role, role_group
from portal.site_url import site_url

from ..models import Ambassador, Invitation
from ..permissions import can_manage_ambassadors

logger = logging.getLogger(__name__)

INVITATION_DAYS = 7


class InvitationUnusableError(Exception):
    """An invitation link that cannot be used; ``reason`` is one of ``REASONS``' keys and
    ``message`` says what happened and what to do, in words for the person holding the link."""

    REASONS = {
        "unknown": "This invitation link is not recognised. Check that you copied the whole link from the email.",
        "expired": (
            "This invitation has expired. Invitations last 7 days: ask the Tech Commissioner's office to "
            "send a new one."
        ),
        "revoked": (
            "This invitation was withdrawn by the Tech Commissioner's office. Contact them if you think "
            "this is a mistake."
        ),
        "accepted": (
            "This invitation has already been used. If you accepted it, sign in with the address it was sent to."
        ),
        "other_address": (
            "This invitation was sent to a different email address from the one you are signed in with. "
            "Sign out, then open the link again."
        ),
        "already_ambassador": "Your account already belongs to an ambassador, so it cannot accept another invitation.",
    }

    def __init__(self, reason: str):
        self.reason = reason
        self.message = self.REASONS[reason]
        super().__init__(self.message)


def invitation_token_hash(token: str) -> str:
    """The stored form of a token: its SHA-256 in hex. A database leak gives no usable link."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, invitation_token_hash(token)


def _email_owed(invitation: Invitation, token: str, base_url: str) -> None:
    """Email the link once the transaction commits. The token exists nowhere else, so a broker that
    is down loses this email: the invitation is still made, and staff see it listed as not emailed
    yet (``emailed_at`` empty) and send it again (a new link) once the broker is back."""
    from ..tasks import invitation_send as invitation_send_task

    job_enqueue_owed(invitation_send_task, invitation.pk, token, base_url or site_url())


def _check_staff(actor) -> None:
    if not can_manage_ambassadors(actor):
        raise PermissionDenied("Only commissioner staff manage invitations.")


@transaction.atomic
def invitation_create(*, email: str, full_name: str, actor: User, base_url: str = "") -> tuple[Invitation, str]:
    """Invite ``email`` to join as the ambassador ``full_name``: a new invited profile and its
    pending invitation, expiring in ``INVITATION_DAYS``; the link is emailed after commit.

    Returns the invitation and the raw token (shown to nobody; for the email and tests). Raises
    PermissionDenied unless ``actor`` is staff, and ValidationError on ``email`` when the address
    already has an invitation waiting or belongs to an ambassador's account. An address that has an
    account of another kind is invited as any other: accepting links that account.
    """
    _check_staff(actor)
    email = email.strip().lower()
    errors = {}
    if Ambassador.objects.filter(user__email__iexact=email).exists():
        errors["email"] = f"{email} already belongs to an ambassador's account."
    elif Invitation.objects.pending().filter(email__iexact=email).exists():
        errors["email"] = f"{email} already has an invitation waiting. Send it again from the list of invitations."
    if not full_name.strip():
        errors["full_name"] = "Enter the ambassador's full name"
    if errors:
        raise ValidationError(errors)
    ambassador = Ambassador.objects.create(full_name=full_name.strip(), status=Ambassador.Status.INVITED)
    token, digest = _new_token()
    now = timezone.now()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                ambassador=ambassador,
                email=email,
                token_hash=digest,
                invited_by=actor,
                created_at=now,
                expires_at=now + datetime.timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:  # another member of staff invited the same address a moment ago
        raise ValidationError({"email": f"{email} already has an invitation waiting."}) from None
    _email_owed(invitation, token, base_url)
    data_version_bump("ambassadors")  # the network list shows the invited profile
    return invitation, token


@transaction.atomic
def invitation_resend(*, invitation: Invitation, actor: User, base_url: str = "") -> tuple[Invitation, str]:
    """Send a not-yet-accepted invitation again with a new link, valid for ``INVITATION_DAYS`` from
    now; the old link stops working. Works for a waiting, expired or withdrawn invitation.

    Raises PermissionDenied unless staff; ValidationError when it was accepted, or when the address
    has another invitation waiting."""
    _check_staff(actor)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == Invitation.Status.ACCEPTED:
        raise ValidationError("This invitation was accepted, so it cannot be sent again.")
    token, digest = _new_token()
    now = timezone.now()
    invitation.token_hash = digest
    invitation.status = Invitation.Status.PENDING
    invitation.created_at = now
    invitation.expires_at = now + datetime.timedelta(days=INVITATION_DAYS)
    invitation.invited_by = actor
    invitation.emailed_at = None
    try:
        with transaction.atomic():
            invitation.save(
                update_fields=["token_hash", "status", "created_at", "expires_at", "invited_by", "emailed_at"]
            )
    except IntegrityError:
        raise ValidationError(f"{invitation.email} has another invitation waiting.") from None
    _email_owed(invitation, token, base_url)
    return invitation, token


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor: User) -> Invitation:
    """Withdraw a waiting invitation: its link stops working at once. Idempotent for one already
    withdrawn. Raises PermissionDenied unless staff; ValidationError when it was accepted or has
    expired (there is nothing to withdraw)."""
    _check_staff(actor)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == Invitation.Status.REVOKED:
        return invitation
    if invitation.status != Invitation.Status.PENDING:
        raise ValidationError(
            f"Only a waiting invitation can be withdrawn; this one is {invitation.get_status_display().lower()}."
        )
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    return invitation


def invitation_check(*, token: str, now: datetime.datetime | None = None) -> Invitation:
    """The invitation a link's ``token`` opens, when it can still be used. Reads only.

    Raises InvitationUnusableError: ``unknown``, ``expired`` (also a pending one past its time that
    the expiry job has not marked yet), ``revoked`` or ``accepted``."""
    invitation = (
        Invitation.objects.select_related("ambassador").filter(token_hash=invitation_token_hash(token)).first()
        if token
        else None
    )
    _raise_unless_usable(invitation, now or timezone.now())
    return invitation


def _raise_unless_usable(invitation: Invitation | None, now: datetime.datetime) -> None:
    if invitation is None:
        raise InvitationUnusableError("unknown")
    if invitation.status == Invitation.Status.PENDING and invitation.expires_at <= now:
        raise InvitationUnusableError("expired")
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationUnusableError(invitation.status)


@transaction.atomic
def invitation_accept(*, token: str, user: User, now: datetime.datetime | None = None) -> Ambassador:
    """Accept the invitation ``token`` opens for ``user``, whose email must be the invited address:
    the user gets the ambassador role and the profile (now active, its term starting today unless
    staff set a start). Single use: the invitation row is locked and marked accepted, so of two
    attempts at once one succeeds and the other is refused as ``accepted``.

    Raises InvitationUnusableError (see ``invitation_check``; also ``other_address`` and
    ``already_ambassador``), leaving nothing changed."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update().filter(token_hash=invitation_token_hash(token)).first()
        if token
        else None
    )
    _raise_unless_usable(invitation, now)
    if user.email.lower() != invitation.email.lower():
        raise InvitationUnusableError("other_address")
    if Ambassador.objects.filter(user=user).exists():
        raise InvitationUnusableError("already_ambassador")
    ambassador = Ambassador.objects.select_for_update().get(pk=invitation.ambassador_id)
    ambassador.user = user
    ambassador.status = Ambassador.Status.ACTIVE
    if ambassador.term_starts_on is None:
        ambassador.term_starts_on = timezone.localdate(now)
    ambassador.save(update_fields=["user", "status", "term_starts_on", "updated_at"])
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    user.groups.add(role_group(Role.AMBASSADOR))
    if not user.full_name:
        user.full_name = ambassador.full_name
        user.save(update_fields=["full_name"])
    data_version_bump("ambassadors")
    return ambassador


def invitations_expire(*, now: datetime.datetime | None = None) -> int:
    """Mark every waiting invitation past its time as expired, in one UPDATE. Returns how many.
    Idempotent: a second run finds none. Links already stop working at ``expires_at`` whether or
    not this has run (``invitation_check``); this keeps the staff list honest."""
    return Invitation.objects.overdue(now=now).update(status=Invitation.Status.EXPIRED)


def invitation_send(*, invitation: Invitation, token: str, base_url: str = "") -> bool:
    """Email the invitation's link (``token``) to its address, if it is still waiting with that
    token (a resend replaces the token, and the older email is then not sent), and stamp
    ``emailed_at``. Returns whether it was sent."""
    invitation = Invitation.objects.select_related("ambassador", "invited_by").filter(pk=invitation.pk).first()
    if invitation is None or invitation.status != Invitation.Status.PENDING:
        return False
    if invitation.token_hash != invitation_token_hash(token):
        return False
    from django.urls import reverse

    url = (base_url or site_url()).rstrip("/") + reverse("ambassadors:invitation-accept", args=[token])
    context = {"invitation": invitation, "url": url, "days": INVITATION_DAYS}
    EmailMessage(
        subject="You are invited to join the West Midlands tech ambassadors",
        body=render_to_string("ambassadors/email/invitation.txt", context),
        to=[invitation.email],
    ).send()
    Invitation.objects.filter(pk=invitation.pk, token_hash=invitation.token_hash).update(emailed_at=timezone.now())
    return True
