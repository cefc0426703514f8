"""The API's OpenAPI schema and its documentation page, with errors in the API's JSON shape."""

from django.urls import reverse
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import JsonErrorsMixin


class ApiSchemaView(JsonErrorsMixin, SpectacularAPIView):
    """The OpenAPI 3 schema, as YAML or JSON (``?format=json`` or ``Accept: application/json``)."""


class ApiDocsView(JsonErrorsMixin, APIView):
    """Swagger UI in the portal's page layout, from drf-spectacular-sidecar's static files, under
    the portal's Content-Security-Policy: the page has no inline script or style
    (static/src/api-docs.js starts Swagger UI)."""

    renderer_classes = (TemplateHTMLRenderer,)
    permission_classes = (AllowAny,)
    schema = None  # not an operation of the API

    def get(self, request):
        return Response({"schema_url": reverse("api-schema")}, template_name="portal/api_docs.html")
