"""OAuth2 validation for partner clients: a client gets no scope beyond its credential's."""

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

    def validate_scopes(self, client_id, scopes, client, request, *args, **kwargs):
        return set(scopes) <= self._allowed_scopes(client)

    def get_default_scopes(self, client_id, request, *args, **kwargs):
        return sorted(self._allowed_scopes(request.client))
