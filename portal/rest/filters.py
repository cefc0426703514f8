"""Filter backends of the API shared by every app's viewsets."""

from rest_framework import filters
from rest_framework.exceptions import ValidationError


class SearchFilter(filters.SearchFilter):
    """DRF's search, with its errors (a NUL character in ``?search=``) reported on the ``search`` parameter."""

    def get_search_terms(self, request):
        try:
            return super().get_search_terms(request)
        except ValidationError as exc:
            raise ValidationError({self.search_param: exc.detail}) from exc
