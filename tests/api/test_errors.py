"""Every error under /api/ is the API's JSON error shape, whichever layer answers it: a viewset, an
address no view matches, the schema and documentation views, or Django itself (a bad Host header,
an exception outside DRF, a 500). Elsewhere the portal keeps its HTML pages."""

import json
import logging

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import include, path
from rest_framework.views import APIView

from portal import urls as portal_urls
from tests.missions.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/v1/organisations/"
INDICATORS = "/api/v1/indicators/"


def assert_api_error(response, status: int, code: str, error_type: str = "client_error") -> dict:
    """``response`` is ``status`` with the API's error body: a ``type`` and one error of ``code``."""
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    body = json.loads(response.content)
    assert set(body) == {"type", "errors"}, body
    assert body["type"] == error_type, body
    assert [set(error) for error in body["errors"]] == [{"code", "detail", "attr"}], body
    assert body["errors"][0]["code"] == code, body
    assert body["errors"][0]["attr"] is None, body
    return body["errors"][0]


# 404: addresses no view matches, with and without the slash, doubled slashes, other versions.

UNMATCHED = [
    "/api",
    "/api/",
    "/api/v2/",
    "/api/v2/indicators/",
    "/api/v1/no-such-thing",
    "/api/v1/no-such-thing/",
    "/api/v1/indicators//",
    "/api/v1//indicators/",
    "/api//v1/indicators/",
    "/api/v1/indicators/M1-01/extra/",
    "/api/v1/indicators/M1-01/observations//",
    "/api/v1/organisations/1/years//",
    "/api/v1/schema/extra/",
    "/api/v1/docs/extra",
]


@pytest.mark.parametrize("url", UNMATCHED)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options"])
def test_an_address_no_view_matches_is_a_json_404_whatever_the_method(client, url, method):
    response = getattr(client, method)(url, HTTP_ACCEPT="text/html,application/xhtml+xml")
    assert_api_error(response, 404, "not_found")


def test_a_missing_slash_is_a_404_that_names_the_address_not_a_redirect(client):
    # A redirect would turn a client's POST into a GET of the other address.
    IndicatorFactory(code="M1-90", is_public=True)
    response = client.post("/api/v1/indicators/M1-90", {}, content_type="application/json")
    error = assert_api_error(response, 404, "not_found")
    assert error["detail"] == "Not found. API addresses end with a slash: /api/v1/indicators/M1-90/"
    assert client.get("/api/v1/indicators/M1-90/").status_code == 200
    # Without a slash that would help, the detail is the plain one.
    assert assert_api_error(client.get("/api/v1/no-such-thing"), 404, "not_found")["detail"] == "Not found."


def test_a_row_that_does_not_exist_is_a_json_404(client, as_partner):
    assert_api_error(client.get(f"{INDICATORS}NO-SUCH/"), 404, "not_found")
    api, _ = as_partner("read", "companies:write")
    assert_api_error(api.patch(f"{ORGANISATIONS}999999/", {}, format="json"), 404, "not_found")


@pytest.mark.parametrize("url", ["/no-such-page/", "/apiary/", "/ap/"])
def test_pages_outside_the_api_keep_the_html_404(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Page not found" in response.content


# 405: a method the address does not serve.


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("delete", ORGANISATIONS, "GET, POST, HEAD, OPTIONS"),
        ("put", INDICATORS, "GET, HEAD, OPTIONS"),
        ("delete", f"{INDICATORS}M1-90/", "GET, HEAD, OPTIONS"),
        ("post", "/api/v1/schema/", "GET, HEAD, OPTIONS"),
        ("delete", "/api/v1/docs/", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_method_the_address_does_not_serve_is_a_json_405(as_partner, method, url, allowed):
    IndicatorFactory(code="M1-90", is_public=True)
    api, _ = as_partner("read", "companies:write", "observations:write", "investments:write")
    response = getattr(api, method)(url, {}, format="json")
    assert_api_error(response, 405, "method_not_allowed")
    assert response["Allow"] == allowed


# 406: an Accept header the API cannot satisfy; the API answers JSON only.


@pytest.mark.parametrize(
    "url", [INDICATORS, "/api/v1/missions/", f"{INDICATORS}M1-90/", "/api/v1/schema/", "/api/v1/docs/"]
)
@pytest.mark.parametrize("accept", ["application/xml", "text/csv"])
def test_an_accept_header_the_api_cannot_satisfy_is_a_json_406(client, url, accept):
    IndicatorFactory(code="M1-90", is_public=True)
    assert_api_error(client.get(url, HTTP_ACCEPT=accept), 406, "not_acceptable")


def test_the_api_answers_json_to_a_browser_and_no_html_pages(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get(INDICATORS, HTTP_ACCEPT=browser)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    # DRF's browsable pages are off: a client asking for HTML only gets the 406.
    assert_api_error(client.get(INDICATORS, HTTP_ACCEPT="text/html"), 406, "not_acceptable")


# 415: a body that is not JSON.


@pytest.mark.parametrize(
    ("content_type", "body"),
    [("text/plain", "name=x"), ("application/x-www-form-urlencoded", "name=x"), ("application/xml", "<name>x</name>")],
)
def test_a_body_that_is_not_json_is_a_json_415(as_partner, content_type, body):
    api, _ = as_partner("read", "companies:write", "observations:write")
    assert_api_error(api.post(ORGANISATIONS, body, content_type=content_type), 415, "unsupported_media_type")
    assert_api_error(api.patch(f"{ORGANISATIONS}1/", body, content_type=content_type), 415, "unsupported_media_type")
    indicator = IndicatorFactory(code="M2-90")
    url = f"{INDICATORS}{indicator.code}/observations/"
    assert_api_error(api.post(url, body, content_type=content_type), 415, "unsupported_media_type")


# 400 and 403 that Django answers before any view: the same shape under /api/.


def test_a_host_the_portal_does_not_serve_is_a_json_400_under_the_api(client):
    assert_api_error(client.get(INDICATORS, HTTP_HOST="evil.example"), 400, "parse_error")
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# 500 (and errors raised outside DRF): this module is also the URLconf of the tests marked with it,
# the portal's own plus addresses that fail, each kind in its own layer.


class FailingApiView(APIView):
    permission_classes = ()

    def get(self, request):
        raise RuntimeError("an API view failed")


def failing_view(request):
    raise RuntimeError("a view outside DRF failed")


def forbidden_view(request):
    raise PermissionDenied


failing_patterns = [
    path("api/v1/failing/", FailingApiView.as_view()),
    path("api/v1/failing-outside-drf/", failing_view),
    path("api/v1/forbidden-outside-drf/", forbidden_view),
    path("failing/", failing_view),
]
urlpatterns = [path("", include(failing_patterns)), *portal_urls.urlpatterns]
handler400, handler403 = portal_urls.handler400, portal_urls.handler403
handler404, handler500 = portal_urls.handler404, portal_urls.handler500

SERVER_ERROR = {"type": "server_error", "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}]}


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/api/v1/failing/", "/api/v1/failing-outside-drf/"])
def test_a_server_error_under_the_api_is_a_json_500_and_logged_with_its_traceback(client, caplog, url):
    client.raise_request_exception = False
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(url)
    assert_api_error(response, 500, "error", error_type="server_error")
    assert json.loads(response.content) == SERVER_ERROR  # nothing of the exception leaks
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.exc_info and isinstance(record.exc_info[1], RuntimeError)


@pytest.mark.urls(__name__)
def test_a_server_error_outside_the_api_is_the_html_500_page(client):
    client.raise_request_exception = False
    response = client.get("/failing/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert b"Sorry, there is a problem with the service" in response.content


@pytest.mark.urls(__name__)
def test_permission_denied_outside_drf_is_a_json_403_under_the_api(client):
    assert_api_error(client.get("/api/v1/forbidden-outside-drf/"), 403, "permission_denied")


# Logging: a client's mistake is one warning line, never a traceback.


def test_api_404_and_403_are_logged_as_one_warning_line(client, as_partner, caplog):
    api, _ = as_partner("read")
    with caplog.at_level(logging.INFO, logger="django.request"):
        client.get("/api/v1/no-such-thing/")
        client.get(f"{INDICATORS}NO-SUCH/")
        api.post(ORGANISATIONS, {}, format="json")  # the token lacks companies:write
    assert [(r.levelno, r.getMessage(), r.exc_info) for r in caplog.records] == [
        (logging.WARNING, "Not Found: /api/v1/no-such-thing/", None),
        (logging.WARNING, f"Not Found: {INDICATORS}NO-SUCH/", None),
        (logging.WARNING, f"Forbidden: {ORGANISATIONS}", None),
    ]


# The schema declares these errors, in this shape, for every operation.


def test_every_operation_declares_404_405_406_415_and_500_in_the_error_shape(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operations = [
        (method, url, operation)
        for url, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) >= 20
    for method, url, operation in operations:
        for status, component in [
            ("404", "ErrorResponse404"),
            ("405", "ErrorResponse405"),
            ("406", "ErrorResponse406"),
            ("415", "ErrorResponse415"),
            ("500", "ErrorResponse500"),
        ]:
            content = operation["responses"].get(status, {}).get("content", {})
            assert list(content) == ["application/json"], (method, url, status)
            assert content["application/json"]["schema"] == {"$ref": f"#/components/schemas/{component}"}
    error = schema["components"]["schemas"]["ErrorResponse500"]
    assert error["required"] == ["errors", "type"]
