"""Reads of the portal core."""

import functools

from django.db.models import Count, Q

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
