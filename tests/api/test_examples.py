"""The API documentation shows an example body for every write, and every example is valid against
the schema it illustrates (so a partner who copies one gets past the shape checks)."""

import jsonschema
import pytest
from schemathesis.specs.openapi.converter import to_json_schema

from portal.rest.examples import REQUEST_EXAMPLES
from tests.api.test_schema import schema

DOCUMENT = schema.raw_schema
COMPONENTS = {
    name: to_json_schema(component, nullable_keyword="nullable")
    for name, component in DOCUMENT["components"]["schemas"].items()
}
WRITES = [
    (f"{method.upper()} {path}", operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
    if method in {"post", "put", "patch"} and "requestBody" in operation
]


def test_every_write_has_an_example_and_every_example_a_write():
    documented = {
        label for label, operation in WRITES if operation["requestBody"]["content"]["application/json"].get("examples")
    }
    assert documented == {label for label, _ in WRITES}
    assert set(REQUEST_EXAMPLES) == {label for label, _ in WRITES}


@pytest.mark.parametrize(("label", "operation"), WRITES, ids=[label for label, _ in WRITES])
def test_each_example_is_valid_against_its_request_schema(label, operation):
    body = operation["requestBody"]["content"]["application/json"]
    root = {
        "components": {"schemas": COMPONENTS},
        "allOf": [to_json_schema(body["schema"], nullable_keyword="nullable")],
    }
    validator = jsonschema.Draft4Validator(root, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    for example in body["examples"].values():
        errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(example["value"])]
        assert errors == [], (label, errors)
