"""OAuth2 validation for partner clients: a client gets no scope beyond its credential's."""

from django.contrib.auth.hashers import check_password
from oauth2_provider.oauth2_validators import OAuth2Validator


class PartnerOAuth2Validator(OAuth2Validator):
    def _allowed_scopes(self, client) -> set[str]:
        credential = getattr(client, "partner_credential", None)
        if credential is None or not credential.is_active:
            return set()
        return set(credential.scope_list)

    def authenticate_client(self, request, *args, **kwargs):
        # A revoked (or never issued) partner credential gets no token at all, not an empty-scope one.
        if not super().authenticate_client(request, *args, **kwargs):
            return False
        return bool(self._allowed_scopes(request.client))

    def _check_secret(self, provided_secret, stored_secret):
        # A secret replaced by ``partner_credential_rotate`` still works until its grace period
        # ends. The stored (hashed) secret names the client whose replaced secret is tried.
        if super()._check_secret(provided_secret, stored_secret):
            return True
        from .models import PartnerCredential

        credential = PartnerCredential.objects.filter(application__client_secret=stored_secret).first()
        return (
            credential is not None
            and credential.previous_secret_works
            and check_password(provided_secret, credential.previous_secret)
        )

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        return set(scopes) <= self._allowed_scopes(client)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return sorted(self._allowed_scopes(request.client))
