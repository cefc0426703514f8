"""The OpenAPI schema: the schema class of public-read viewsets, and post-processing that says what
the API does where drf-spectacular cannot see it."""

from drf_standardized_errors.openapi import AutoSchema
from rest_framework.permissions import SAFE_METHODS

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


class PublicReadAutoSchema(AutoSchema):
    """Declares that reads need no credentials (an empty security requirement), as the
    permission class allows."""

    def get_auth(self):
        auths = super().get_auth()
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths
