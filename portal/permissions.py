"""Permission rules of the portal core. Plain functions; views and DRF classes adapt them.

Who writes: an ``Actor``
------------------------
Every write is made by an ``Actor``, built once per request by ``request_actor`` from either a
session (a signed-in person: ``actor.user``) or a partner's OAuth2 token (the partner organisation
its credential was issued to and the client's id: ``actor.partner``, ``actor.client_id``; a token
carries no user). Rules take the actor (or a bare user, read as that user's actor), and services
take it as ``actor=`` so that the history records who wrote.

What a partner may change
-------------------------
A partner reads the whole registry with ``read``, but with ``companies:write`` it changes only
what its own organisation answers for:

- it creates firms only (``kind="firm"``); asking for any other kind is refused (403);
- it changes, and reports the yearly facts of, only the firms whose ``Organisation.recorded_by``
  is its organisation: those its client created, and those staff handed to it in the admin;
- it never changes partners, funders, public bodies or workspace providers (its own organisation
  included), another partner's firms, or firms nobody handed to it (a founder's own firm);
- it never changes a firm's ``kind``.

A signed-in member (a founder) changes only the organisations they belong to and cannot change
their kind; staff change anything. Where the reader can see a row it may not change, the refusal
is a 403 with the message of ``organisation_change_refusal``; a row it cannot see is a 404.

The apps that hold records partners submit (leads, investments, opportunities) follow the same
shape: the row records the partner organisation that answers for it, and their
``can_change_<noun>(actor, obj)`` rules ask ``actor.partner`` about that record the same way.
"""

from dataclasses import dataclass

from oauth2_provider.models import AccessToken

from .models import Organisation, User
from .roles import Role, is_staff, user_has_role

# simple_history's history_change_reason holds at most 100 characters.
HISTORY_REASON_MAX_LENGTH = 100


@dataclass(frozen=True)
class Actor:
    """Who makes a request: a signed-in (or anonymous) ``user``, or a partner's API client, which
    carries no user and acts for ``partner``, its credential's organisation. A token whose
    credential is revoked or unknown has neither and may change nothing."""

    user: User | None = None  # or AnonymousUser
    partner: Organisation | None = None
    client_id: str = ""

    @classmethod
    def for_token(cls, token: AccessToken) -> "Actor":
        """The actor of a partner's OAuth2 access token."""
        from .selectors import organisation_for_token

        application = getattr(token, "application", None)
        return cls(partner=organisation_for_token(token), client_id=getattr(application, "client_id", ""))

    @property
    def is_client(self) -> bool:
        """True for an API client (a token), whose rules are the partner's, never a person's."""
        return bool(self.client_id) or self.partner is not None

    @property
    def is_staff(self) -> bool:
        return not self.is_client and is_staff(self.user)

    @property
    def history_user(self):
        """The person the change history names, or None for an API client."""
        if self.is_client or self.user is None or not self.user.is_authenticated:
            return None
        return self.user

    @property
    def history_reason(self) -> str | None:
        """The change reason the history records for an API client's writes, e.g.
        ``API client demo-partner (Birmingham Tech (demo))``; None for a person."""
        if not self.is_client:
            return None
        organisation = self.partner.name if self.partner is not None else "no partner organisation"
        reason = f"API client {self.client_id} ({organisation})"
        if len(reason) > HISTORY_REASON_MAX_LENGTH:
            reason = reason[: HISTORY_REASON_MAX_LENGTH - 2] + "…)"
        return reason


def request_actor(request) -> Actor:
    """The actor of a request, built once and kept on it: the partner of the OAuth2 token the API
    request was authenticated with, otherwise the request's user (a page's session)."""
    actor = getattr(request, "_portal_actor", None)
    if actor is None:
        token = getattr(request, "auth", None)
        actor = Actor.for_token(token) if isinstance(token, AccessToken) else Actor(user=request.user)
        request._portal_actor = actor
    return actor


def _as_actor(who) -> Actor:
    return who if isinstance(who, Actor) else Actor(user=who)


def can_view_dashboard(user) -> bool:
    """Commissioner staff (and operators) see the staff dashboard."""
    return is_staff(user)


def can_manage_credentials(user) -> bool:
    """Only staff issue and revoke partner API credentials."""
    return can_view_dashboard(user)


def can_create_organisation(who, kind: str = Organisation.Kind.FIRM) -> bool:
    """Staff create organisations of any kind; founders (their own firm) and partner clients
    create firms only. A token with no active credential creates nothing. Runs no query beyond
    the user's roles (read once per request)."""
    actor = _as_actor(who)
    if actor.is_client:
        return actor.partner is not None and kind == Organisation.Kind.FIRM
    user = actor.user
    if user is None or not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    return user_has_role(user, Role.FOUNDER) and kind == Organisation.Kind.FIRM


def can_change_organisation(who, organisation) -> bool:
    """Staff change any organisation; a member changes the organisations they belong to (one
    query); a partner client changes only firms whose ``recorded_by`` is its organisation (no
    query). Everyone else changes nothing."""
    actor = _as_actor(who)
    if actor.is_client:
        return (
            actor.partner is not None
            and organisation.kind == Organisation.Kind.FIRM
            and organisation.recorded_by_id is not None
            and organisation.recorded_by_id == actor.partner.pk
        )
    user = actor.user
    if user is None or not user.is_authenticated:
        return False
    if is_staff(user):
        return True
    return organisation.members.filter(pk=user.pk).exists()


def can_change_organisation_kind(who, organisation, kind: str) -> bool:
    """Only staff turn an organisation into another kind; everyone else keeps the kind it has."""
    return kind == organisation.kind or _as_actor(who).is_staff


def can_report_firm_year(who, organisation) -> bool:
    """Yearly facts follow their organisation: whoever may change it reports its years."""
    return can_change_organisation(who, organisation)


def organisation_create_refusal(who, kind: str) -> str:
    """Why ``who`` may not create an organisation of ``kind``, in a sentence to show."""
    actor = _as_actor(who)
    if actor.is_client and actor.partner is None:
        return "This API client's credential is no longer active."
    if actor.is_client or (actor.user is not None and user_has_role(actor.user, Role.FOUNDER)):
        return 'You can register firms only (kind "firm"); commissioner staff record other kinds of organisation.'
    return "Your role cannot create organisations."


def organisation_change_refusal(who, organisation) -> str:
    """Why ``who`` may not change ``organisation``, in a sentence an API client or a page shows."""
    actor = _as_actor(who)
    if actor.is_client:
        if actor.partner is None:
            return "This API client's credential is no longer active."
        if organisation.kind != Organisation.Kind.FIRM:
            return (
                f"Partners change firms only; this organisation is a {organisation.get_kind_display().lower()}, "
                "which only commissioner staff change."
            )
        return (
            "Partners change only the firms their organisation created or maintains; this firm is not "
            f"maintained by {actor.partner.name}. Ask the Tech Commissioner's office to hand it to you."
        )
    return "You can change only your own organisation."
