"""FilterSets of the portal core, shared by the HTML lists and the API."""

import django_filters

from .models import Organisation


class OrganisationFilterSet(django_filters.FilterSet):
    founded_after = django_filters.DateFilter(field_name="founded_on", lookup_expr="gte")
    founded_before = django_filters.DateFilter(field_name="founded_on", lookup_expr="lte")

    class Meta:
        model = Organisation
        fields = ["kind", "sector", "local_authority", "origin", "is_tech", "company_number"]
