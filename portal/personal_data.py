"""A person's own data: what they download (``personal_data_export``) and what deleting their
account does (``account_delete``).

Each app that keeps personal data registers a ``PersonalDataSection`` with
``personal_data_register`` from its ``AppConfig.ready()``: a key in the downloaded file, a title
and a sentence for the "Your data" page, an ``export(*, user)`` that returns JSON-ready data (lists,
dicts, text, numbers, dates) and, if the app keeps anything of the person after their account is
deleted, an ``erase(*, user)`` that deletes it or removes what identifies them. The core registers its
own sections here (the account, organisations, sessions, feedback); the core imports no feature
app. A new app that stores something about a person adds a section, and its tests check that the
download holds it and that deletion removes it.

Deleting an account keeps the user row, so every record that names it (a decision, a review, a
lead's owner, the change history) stays whole: the row is scrubbed and deactivated instead (no
name, a placeholder address at ``.invalid``, no password, no roles, ``deleted_at`` set), and it
reads "Deleted account" wherever it is shown.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from .exceptions import LastStaffMemberError
from .models import Feedback, IdempotencyKey, Organisation, User
from .roles import Role, is_staff, user_roles

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "tech-commissioner-portal/personal-data/1"
AUTHENTICATOR_NAMES = {"totp": "Authenticator app", "recovery_codes": "Recovery codes"}


@dataclass(frozen=True)
class PersonalDataSection:
    """One part of what the portal holds about a person.

    ``export(user=...)`` returns JSON-ready data (DjangoJSONEncoder writes dates and decimals) and runs
    a fixed number of queries whatever the amount. ``erase(user=...)``, called by ``account_delete``
    inside its transaction before the account itself is scrubbed, deletes the app's personal data
    of ``user`` or removes what identifies them, keeping what the aggregate figures need; it must be
    idempotent. Sections without personal data left after deletion give no ``erase``."""

    key: str
    title: str
    description: str
    export: Callable[..., object]
    erase: Callable[..., None] | None = None


PERSONAL_DATA_SECTIONS: dict[str, PersonalDataSection] = {}


def personal_data_register(section: PersonalDataSection) -> None:
    """Add ``section`` (or replace the one with its key): called from an app's ``ready()``, so
    idempotent. Sections are exported in the order they were first registered, and erased in the
    reverse order."""
    PERSONAL_DATA_SECTIONS[section.key] = section


def personal_data_sections() -> list[PersonalDataSection]:
    """Every registered section, in registration order (the core's first)."""
    return list(PERSONAL_DATA_SECTIONS.values())


def personal_data_export(*, user: User) -> dict:
    """Everything the portal holds about ``user``, as one JSON-ready dict: ``format`` and
    ``exported_at``, then one key per registered section. Reads only; a fixed number of queries
    per section whatever the number of rows."""
    data: dict[str, object] = {"format": EXPORT_FORMAT, "exported_at": timezone.now()}
    for section in personal_data_sections():
        data[section.key] = section.export(user=user)
    return data


def deleted_email(user_id: int) -> str:
    """The placeholder address a deleted account keeps (unique, and in ``.invalid``, a domain that
    can never receive mail, RFC 2606)."""
    return f"deleted-{user_id}@deleted.invalid"


def can_delete_account(user: User) -> bool:
    """Whether ``user`` may delete their account now: anyone but the last active member of staff
    (or operator), who would leave nobody to run the portal."""
    if not is_staff(user):
        return True
    return _other_active_staff(user).exists()


def _other_active_staff(user: User):
    return User.objects.filter(
        Q(groups__name=Role.STAFF) | Q(is_superuser=True), is_active=True, deleted_at__isnull=True
    ).exclude(pk=user.pk)


@transaction.atomic
def account_delete(*, user: User) -> User:
    """Delete ``user``'s account: every registered section's ``erase`` runs (applications
    withdrawn and anonymised, an ambassador's name removed, ...), then the core's: organisation
    memberships, email addresses, two-factor authenticators, signed-in sessions (ended at once) and
    stored API answers go, feedback they sent loses its address, and the user row is scrubbed and
    deactivated. Raises LastStaffMemberError, changing nothing, for the last active member of staff.
    Idempotent: an account already deleted is returned as it is. Returns the scrubbed user."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.deleted_at is not None:
        return user
    if is_staff(user):
        # Two last members of staff deleting themselves at once: the second waits here and finds
        # the first gone.
        Group.objects.select_for_update().filter(name=Role.STAFF).first()
        if not _other_active_staff(user).exists():
            raise LastStaffMemberError(
                "You are the only active member of staff, so your account cannot be deleted: the portal "
                "needs someone to run it. Ask an operator to give another person the staff role first."
            )
    # Last registered first: the feature apps erase while the core's part of the account is whole.
    for section in reversed(personal_data_sections()):
        if section.erase is not None:
            section.erase(user=user)
    user.full_name = ""
    user.email = deleted_email(user.pk)
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.deleted_at = timezone.now()
    user.save(
        update_fields=[
            "full_name",
            "email",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "last_login",
            "deleted_at",
        ]
    )
    user.groups.clear()
    user.user_permissions.clear()
    logger.info("Account %s deleted by its owner", user.pk)
    return user


# The core's sections ----------------------------------------------------------------------------


def _feedback_of(user: User):
    """Feedback sent with one of ``user``'s email addresses, in any letter case."""
    from allauth.account.models import EmailAddress

    addresses = EmailAddress.objects.filter(user=user).annotate(address=Lower("email")).values("address")
    return Feedback.objects.annotate(address=Lower("email")).filter(
        Q(address__in=addresses) | Q(address=user.email.lower())
    )


def _account_export(*, user: User) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    return {
        "email": user.email,
        "full_name": user.full_name,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "roles": sorted(user_roles(user)),
        "email_addresses": [
            {"email": e.email, "verified": e.verified, "primary": e.primary}
            for e in EmailAddress.objects.filter(user=user).order_by("-primary", "email")
        ],
        # What is set up and when, never a secret or a recovery code.
        "two_factor_authentication": [
            {"type": AUTHENTICATOR_NAMES.get(a.type, a.type), "set_up_at": a.created_at, "last_used_at": a.last_used_at}
            for a in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
    }


def _account_erase(*, user: User) -> None:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.usersessions.models import UserSession

    Feedback.objects.filter(pk__in=_feedback_of(user).values("pk")).update(email="")
    user.organisations.clear()
    for session in UserSession.objects.filter(user=user):
        session.end()  # deletes the Django session too: its browser is signed out on its next request
    EmailAddress.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    IdempotencyKey.objects.filter(client=f"user:{user.pk}").delete()


def _organisations_export(*, user: User) -> list[dict]:
    return [
        {
            "name": o.name,
            "kind": o.get_kind_display(),
            "company_number": o.company_number,
            "website": o.website,
            "sector": o.get_sector_display(),
            "local_authority": o.get_local_authority_display(),
        }
        for o in Organisation.objects.filter(members=user).order_by("name", "pk")
    ]


def _sessions_export(*, user: User) -> list[dict]:
    from allauth.usersessions.models import UserSession

    return [
        {"started_at": s.created_at, "last_active_at": s.last_seen_at, "ip_address": s.ip, "browser": s.user_agent}
        for s in UserSession.objects.filter(user=user).order_by("created_at", "pk")
    ]


def _feedback_export(*, user: User) -> list[dict]:
    return [
        {"sent_at": f.created_at, "what_you_were_doing": f.doing, "what_went_wrong": f.problem, "page": f.page}
        for f in _feedback_of(user).order_by("created_at", "pk")
    ]


personal_data_register(
    PersonalDataSection(
        key="account",
        title="Your account",
        description=(
            "Your name, email addresses, when you joined and last signed in, your roles, and whether you "
            "use two-factor authentication (never its secret or your recovery codes)."
        ),
        export=_account_export,
        erase=_account_erase,
    )
)
personal_data_register(
    PersonalDataSection(
        key="organisations",
        title="Your organisations",
        description="The firms and organisations your account is a member of.",
        export=_organisations_export,
    )
)
personal_data_register(
    PersonalDataSection(
        key="sessions",
        title="Your sessions",
        description=(
            "Where you are signed in: when each session started and was last used, its internet address and browser."
        ),
        export=_sessions_export,
    )
)
personal_data_register(
    PersonalDataSection(
        key="feedback",
        title="Feedback you sent",
        description="Problems you reported on the feedback page with one of your email addresses.",
        export=_feedback_export,
    )
)
