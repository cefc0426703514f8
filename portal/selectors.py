"""Reads of the portal core."""

import functools

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from .models import ApiWrite, FirmYear, Organisation, PartnerCredential, WebhookDelivery


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
