"""Reads of the portal core."""

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from .models import ApiWrite, FirmYear, Organisation, PartnerCredential, WebhookDelivery
from .suggestions import LIMIT, Suggestion, name_matches
from .validators import COMPANY_NUMBER_RE, company_number_normalise


def dashboard_stats() -> dict:
    """Headline counts for the staff dashboard: organisations and tech firms (one aggregate),
    firm-years and active partner credentials. Three queries, one per table, whatever the size."""
    orgs = Organisation.objects.aggregate(
        organisations=Count("pk"), firms=Count("pk", filter=Q(kind=Organisation.Kind.FIRM, is_tech=True))
    )
    return {
        **orgs,
        "firm_years": FirmYear.objects.count(),
        "partner_clients": PartnerCredential.objects.filter(revoked_at__isnull=True).count(),
    }


def api_write_list(*, organisation_id: int | None = None):
    """Partner clients' writes, newest first, with each one's client: every partner's, or only
    those of ``organisation_id``'s credentials."""
    writes = ApiWrite.objects.select_related("credential__application", "credential__organisation")
    if organisation_id is not None:
        writes = writes.filter(credential__organisation_id=organisation_id)
    return writes.order_by("-created_at", "-pk")


def webhook_delivery_list(*, credential=None, credential_id: int | None = None):
    """Webhook deliveries of one credential's subscriptions, newest first, with the subscription."""
    deliveries = WebhookDelivery.objects.select_related("subscription")
    if credential is not None:
        credential_id = credential.pk
    return deliveries.filter(subscription__credential_id=credential_id).order_by("-created_at", "-pk")


def partner_credential_list():
    """Every partner credential with its organisation and application, newest first."""
    return PartnerCredential.objects.select_related("organisation", "application").order_by("-created_at")


@functools.lru_cache(maxsize=4096)
def _credential_organisation_id(application_id: int) -> int | None:
    return (
        PartnerCredential.objects.filter(application_id=application_id)
        .values_list("organisation_id", flat=True)
        .first()
    )


def partner_organisation_id(token) -> int | None:
    """The id of the organisation an OAuth2 token's credential was issued to, remembered per
    process (a credential's organisation never changes): for naming a cache audience without a
    query. Rights are never decided on it: a revoked credential's tokens are deleted, and
    ``organisation_for_token`` is the check."""
    application_id = getattr(token, "application_id", None)
    return None if application_id is None else _credential_organisation_id(application_id)


partner_organisation_id.cache_clear = _credential_organisation_id.cache_clear


def organisation_for_token(token) -> Organisation | None:
    """The partner organisation an OAuth2 access token was issued to, or None (no token, or a
    credential that is revoked or was never issued). One query."""
    application_id = getattr(token, "application_id", None)
    if application_id is None:
        return None
    credential = (
        PartnerCredential.objects.select_related("organisation")
        .filter(application_id=application_id, revoked_at__isnull=True)
        .first()
    )
    return credential.organisation if credential else None


def partner_organisation_list():
    """Partner organisations staff manage: every organisation that holds an API client or owns an
    indicator, with its count of active clients and its owned indicators (prefetched: three
    queries whatever the number of partners), by name."""
    # Pick the few partners by id before counting: counting first joins every firm of the registry.
    owner = Organisation._meta.get_field("owned_indicators").field
    owners = owner.model.objects.filter(**{f"{owner.name}__isnull": False}).values(owner.attname)
    return (
        Organisation.objects.filter(pk__in=PartnerCredential.objects.values("organisation_id").union(owners))
        .annotate(
            active_clients=Count("credentials", filter=Q(credentials__revoked_at__isnull=True), distinct=True),
            clients=Count("credentials", distinct=True),
            indicators=Count("owned_indicators", distinct=True),
        )
        .prefetch_related(
            Prefetch("owned_indicators", queryset=_owned_indicators(), to_attr="owned_indicator_list"),
            Prefetch("credentials", queryset=PartnerCredential.objects.select_related("application")),
        )
        .order_by("name")
    )


def _owned_indicators():
    # The core imports no feature app: reach the indicators through the relation they declare.
    indicator = Organisation._meta.get_field("owned_indicators").related_model
    return indicator.objects.select_related("mission").order_by("code")


def partner_organisation_get(pk: int) -> Organisation:
    """One partner organisation of ``partner_organisation_list``; Http404 for any other
    organisation (a firm, or a body with neither clients nor indicators)."""
    return get_object_or_404(partner_organisation_list(), pk=pk)


def user_session_list(user) -> list:
    """``user``'s signed-in sessions (allauth's ``UserSession`` rows), most recently active first:
    only those whose Django session is still stored, unexpired and signed in as ``user`` with the
    current password (a session from before a password change no longer signs anyone in). One
    query whatever the number of sessions; rows of ended sessions are left for allauth to purge at
    the next sign-in."""
    from allauth.usersessions.models import UserSession
    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.db.models import OuterRef, Subquery
    from django.utils import timezone
    from django.utils.crypto import constant_time_compare

    from .sessions import SessionStore

    stored = Session.objects.filter(session_key=OuterRef("session_key"), expire_date__gt=timezone.now())
    rows = (
        UserSession.objects.filter(user=user)
        .annotate(session_data=Subquery(stored.values("session_data")[:1]))
        .exclude(session_data=None)
        .order_by("-last_seen_at", "-pk")
    )
    store, auth_hash = SessionStore(), user.get_session_auth_hash()
    sessions = []
    for row in rows:
        data = store.decode(row.session_data)
        if str(data.get(SESSION_KEY)) == str(user.pk) and constant_time_compare(
            data.get(HASH_SESSION_KEY, ""), auth_hash
        ):
            sessions.append(row)
    return sessions


# Organisations named by typing ------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationMatch:
    """What a name or Companies House number typed by a person finds in the registry: one
    ``organisation``, or none with the ``problem`` in a sentence. ``unknown_name`` is true when the
    text is a name that no organisation has, which a new organisation could take."""

    text: str
    organisation: Organisation | None = None
    problem: str = ""
    unknown_name: bool = False


def _looks_like_number(text: str) -> bool:
    return bool(COMPANY_NUMBER_RE.match(company_number_normalise(text))) and any(c.isdigit() for c in text)


def _kinds_noun(kinds: list[str] | None) -> str:
    """``kinds`` in words for a problem's sentence: "organisation" for any kind, else their labels,
    like "funder, partner or public body"."""
    if not kinds:
        return "organisation"
    labels = [Organisation.Kind(kind).label.lower() for kind in kinds]
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} or {labels[-1]}"


def organisations_find(
    texts: Iterable[str], *, kinds: Iterable[str] | None = None, known: Iterable[Organisation] = ()
) -> dict[str, OrganisationMatch]:
    """Each text's match, keyed by the text as given (stripped). A text that reads as a Companies
    House number (``01234567``, ``SC123456``, or fewer digits, zero-padded) is looked up by number;
    any other by name, ignoring case. With ``kinds``, an organisation of another kind is a problem,
    and of several organisations of one name only those of ``kinds`` count. Several organisations
    of one name are a problem that asks for the number, unless one of them is ``known`` (the one
    the record being changed names already), so a record sent back unchanged keeps it. Two queries
    whatever the number of texts; empty texts are left out."""
    allowed = list(kinds) if kinds is not None else None
    known_ids = {organisation.pk for organisation in known if organisation is not None}
    wanted = {text.strip() for text in texts if text and text.strip()}
    numbers = {text: company_number_normalise(text) for text in wanted if _looks_like_number(text)}
    names = {text.lower(): text for text in wanted if text not in numbers}
    by_number = {o.company_number: o for o in Organisation.objects.filter(company_number__in=set(numbers.values()))}
    by_name: dict[str, list[Organisation]] = {}
    if names:
        rows = Organisation.objects.annotate(lowered=Lower("name")).filter(lowered__in=list(names)).order_by("pk")
        for organisation in rows:
            by_name.setdefault(organisation.lowered, []).append(organisation)
    found: dict[str, OrganisationMatch] = {}
    noun = _kinds_noun(allowed)
    for text in wanted:
        if text in numbers:
            organisation = by_number.get(numbers[text])
            if organisation is None:
                found[text] = OrganisationMatch(
                    text, problem=f"No {noun} has the Companies House number {numbers[text]}"
                )
                continue
        else:
            matches = by_name.get(text.lower(), [])
            if not matches:
                found[text] = OrganisationMatch(
                    text, problem=f"No {noun} called “{text}” is in the registry", unknown_name=True
                )
                continue
            if allowed is not None and len(matches) > 1:
                # A firm and a funder may share a name: a form that wants a funder means the funder.
                matches = [o for o in matches if o.kind in allowed] or matches[:1]
            if len(matches) > 1 and len(kept := [o for o in matches if o.pk in known_ids]) == 1:
                matches = kept
            if len(matches) > 1:
                found[text] = OrganisationMatch(
                    text, problem=f"{len(matches)} organisations are called “{text}”: give its Companies House number"
                )
                continue
            organisation = matches[0]
        if allowed is not None and organisation.kind not in allowed:
            found[text] = OrganisationMatch(
                text,
                problem=f"{organisation.name} is a {organisation.get_kind_display().lower()}, not a {noun}",
            )
            continue
        found[text] = OrganisationMatch(text, organisation=organisation)
    return found


def organisation_reference(organisation: Organisation) -> str:
    """How a person, a CSV file or a form names an organisation so that ``organisations_find``
    finds it again: its Companies House number, else its name."""
    return organisation.company_number or organisation.name


def organisation_suggestions(text: str, *, kinds: Iterable[str]) -> list[Suggestion]:
    """The first organisations of ``kinds`` a person typing ``text`` may mean, for a form's
    suggestions (``portal.suggestions``): by Companies House number when ``text`` has a digit,
    else by name. Each is suggested as ``organisation_reference`` names it, so what is picked is
    found again by ``organisations_find``. One query, or two when few names start with ``text``."""
    organisations = Organisation.objects.filter(kind__in=list(kinds)).only("name", "company_number", "kind")
    if any(character.isdigit() for character in text):
        number = text.upper().replace(" ", "")
        rows = organisations.filter(company_number__startswith=number).order_by("company_number", "pk")[:LIMIT]
    else:
        rows = name_matches(organisations, "name", text)
    found = []
    for organisation in rows:
        value = organisation_reference(organisation)
        kind = organisation.get_kind_display()
        label = f"{organisation.name}, {kind.lower()}" if value != organisation.name else kind
        found.append(Suggestion(value, label))
    return found
