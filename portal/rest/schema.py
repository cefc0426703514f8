"""The OpenAPI schema: the schema class of public-read viewsets, and post-processing that says what
the API does where drf-spectacular cannot see it."""

from django.conf import settings
from drf_spectacular.drainage import warn
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_standardized_errors.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS

from .permissions import ScopedPermission

# Text the API accepts never contains NUL: PostgreSQL cannot store it, and DRF and Django forms
# refuse it with a 400 (code ``null_characters_not_allowed``).
NO_NUL_PATTERN = "^[^\\u0000]*$"

# DRF's OrderingFilter ignores values it does not know instead of refusing them.
_LENIENT_QUERY_PARAMETERS = {"ordering"}


def allow_empty_query_values(result, generator, request, public):
    """Declare two facts about the query parameters of every operation.

    An empty value means "not given" (``allowEmptyValue``): django-filter and DRF's search, ordering
    and pagination all skip an empty parameter, as an HTML filter form sends one for each blank
    field. And free text parameters refuse NUL characters.
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                if not parameter.get("required", False):
                    parameter["allowEmptyValue"] = True
                schema = parameter.get("schema", {})
                if (
                    schema.get("type") == "string"
                    and not {"enum", "format", "pattern"} & set(schema)
                    and parameter.get("name") not in _LENIENT_QUERY_PARAMETERS
                ):
                    schema["pattern"] = NO_NUL_PATTERN
    return result


class PartnerOAuth2Scheme(OpenApiAuthenticationExtension):
    """Partner tokens (OAuth2 client credentials) with the scope each operation needs, read from
    the view's ``ScopedPermission`` (its ``token_scope``), so what the schema promises is what the
    permission enforces. An operation no token may use lists no OAuth2 requirement; a view whose
    permissions do not say is a schema warning (``spectacular --fail-on-warn`` fails)."""

    target_class = "oauth2_provider.contrib.rest_framework.OAuth2Authentication"
    name = "partnerOAuth2"
    priority = 1  # before drf-spectacular's own django-oauth-toolkit scheme

    def get_security_requirement(self, auto_schema):
        view = auto_schema.view
        rules = [rule for rule in view.get_permissions() if isinstance(rule, ScopedPermission)]
        if not rules:
            warn(f"{view.__class__.__name__} has no ScopedPermission to say which scope a partner token needs")
            return None
        scopes = {rule.token_scope(auto_schema.method, view) for rule in rules}
        if None in scopes:
            return None
        return {self.name: sorted(scopes)}

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "Partner API clients: a token of the client-credentials grant, with the scopes staff gave.",
            "flows": {"clientCredentials": {"tokenUrl": "/o/token/", "scopes": settings.OAUTH2_PROVIDER["SCOPES"]}},
        }


class PublicReadAutoSchema(AutoSchema):
    """Declares that reads need no credentials (an empty security requirement), as the
    permission class allows."""

    def get_auth(self):
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths


def _error_schema(codes: list[str]) -> dict:
    return {
        "type": "object",
        "properties": {
            "type": {"$ref": "#/components/schemas/ClientErrorEnum"},
            "errors": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string", "enum": codes},
                        "detail": {"type": "string"},
                        "attr": {"type": "string", "nullable": True},
                    },
                    "required": ["code", "detail", "attr"],
                },
            },
        },
        "required": ["type", "errors"],
    }


_RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}}


def declare_safe_retries_and_limits(result, generator, request, public):
    """Declare what the API adds to every operation outside its views (``portal.rest.idempotency``,
    ``.throttles`` and ``.limits``): the optional ``Idempotency-Key`` header of writes with its 409
    and 422 answers, the 413 for a body over the limit, and ``Retry-After`` on 429."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorResponse409"] = _error_schema(["idempotency_key_in_progress"])
    schemas["ErrorResponse413"] = _error_schema(["request_too_large"])
    schemas["ErrorResponse422"] = _error_schema(["idempotency_key_reused", "invalid_idempotency_key"])
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if "429" in responses:
                responses["429"].setdefault("headers", {}).update(_RETRY_AFTER)
            if method not in ("post", "put", "patch"):
                continue
            operation.setdefault("parameters", []).append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "Any unique value, such as a UUID. A retry with the same key and request within "
                    "24 hours gets the first answer again and writes nothing.",
                    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
                }
            )
            error = "#/components/schemas/ErrorResponse{}"
            conflict = {
                "description": "The first request with this Idempotency-Key is still being served.",
                "headers": _RETRY_AFTER,
                "content": {"application/json": {"schema": {"$ref": error.format(409)}}},
            }
            own = responses.get("409")
            if own:  # the operation's own conflict (a lead changed since it was read) stays declared
                own_schema = own["content"]["application/json"]["schema"]
                conflict["description"] = (
                    f"{own['description']} Or: {conflict['description'][0].lower()}{conflict['description'][1:]}"
                )
                conflict["content"]["application/json"]["schema"] = {"oneOf": [own_schema, {"$ref": error.format(409)}]}
            responses["409"] = conflict
            responses["413"] = {
                "description": "The request body is larger than the API reads.",
                "content": {"application/json": {"schema": {"$ref": error.format(413)}}},
            }
            responses["422"] = {
                "description": "The Idempotency-Key was used before with a different request, or is not a valid key.",
                "content": {"application/json": {"schema": {"$ref": error.format(422)}}},
            }
    return result


# Operations whose 400 names items of a list by index (``"3.value"``, ``"events.0"``), which the
# per-field error enums drf-standardized-errors generates cannot list.
_INDEXED_ERROR_OPERATIONS = (
    "BulkCreate",
    "WebhookSubscriptionsCreate",
    "WebhookSubscriptionsPartialUpdate",
    "InvestmentsCreate",
    "InvestmentsUpdate",
    "InvestmentsPartialUpdate",
)


def declare_indexed_validation_errors(result, generator, request, public):
    """Give the 400s of bulk writes (and of writes with list fields) one error shape whose ``attr``
    is free text: ``"<index>.<field>"`` for an item of a bulk write, ``"<field>.<index>"`` for an
    entry of a list field, or a field name."""
    schemas = result.get("components", {}).get("schemas", {})
    schemas["IndexedValidationErrorItem"] = {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "detail": {"type": "string"},
            # No type: an item of a bulk write that is not an object at all is named by its index alone,
            # a number.
            "attr": {
                "nullable": True,
                "description": 'The field, with the index of the item it belongs to: "3.value", "events.0"; '
                "or the index alone (a number) for an item that is not an object.",
            },
        },
        "required": ["code", "detail", "attr"],
    }
    for name, schema in schemas.items():
        if (
            name.endswith("ValidationError")
            and name.startswith(_INDEXED_ERROR_OPERATIONS)
            or (name.endswith("ValidationError") and "BulkCreate" in name)
        ):
            schema["properties"]["errors"]["items"] = {"$ref": "#/components/schemas/IndexedValidationErrorItem"}
    return result
