"""What every page and API list of the portal is measured against: the cheapest page and the
cheapest DRF list the portal's own stack can serve."""

from django.views.generic import TemplateView
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from .models import ReferenceRow


class ReferencePageView(TemplateView):
    """A tiny template through the portal's full middleware and context processors."""

    template_name = "bench_reference/minimal.html"


class ReferenceRowSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferenceRow
        fields = ["id", "name", "value", "created_at"]


class ReferenceRowListView(generics.ListAPIView):
    """One page (50) of a one-table model, with the project's default authentication, filters
    and pagination; open to anyone, and measured with the same partner token as the API lists."""

    queryset = ReferenceRow.objects.all()
    serializer_class = ReferenceRowSerializer
    permission_classes = [AllowAny]
