"""Reads of the portal core."""

from django.db.models import Count, Q

from .models import FirmYear, Organisation, PartnerCredential


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


def partner_credential_list():
    """Every partner credential with its organisation and application, newest first."""
    return PartnerCredential.objects.select_related("organisation", "application").order_by("-created_at")


def organisation_for_token(token) -> Organisation | None:
    """The partner organisation an OAuth2 access token was issued to, or None."""
    application = getattr(token, "application", None)
    credential = getattr(application, "partner_credential", None) if application else None
    return credential.organisation if credential and credential.is_active else None
