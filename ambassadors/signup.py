"""How an ambassador's invitation leads to a sign-up: the invitation page keeps the link's token in
the session, and the portal's account adapter asks this handler (registered in ``apps.py``) for
the invited address and to accept the invitation for the new account."""

from django.urls import reverse

from portal.adapters import SignupInvitationRefusedError

from .services.invitations import InvitationUnusableError, invitation_accept, invitation_check

# The token of the invitation a person is signing up from, kept in their session by the
# invitation page until the sign-up completes.
SESSION_KEY = "ambassadors_invitation_token"


class AmbassadorInvitations:
    """``portal.adapters.SignupInvitations`` for ambassadors' invitations."""

    def holds(self, request) -> bool:
        return bool(request.session.get(SESSION_KEY))

    def email(self, request) -> str | None:
        token = request.session.get(SESSION_KEY)
        if not token:
            return None
        try:
            return invitation_check(token=token).email
        except InvitationUnusableError:
            return None

    def accept(self, request, user) -> None:
        token = request.session.get(SESSION_KEY)
        try:
            invitation_accept(token=token, user=user)
        except InvitationUnusableError:
            raise SignupInvitationRefusedError(reverse("ambassadors:invitation-accept", args=[token])) from None
        request.session.pop(SESSION_KEY, None)
