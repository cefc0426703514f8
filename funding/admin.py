"""Opportunities and investments in the admin are read only, with their change history: they are
written through the staff pages, imports and the API, whose services check the values, flag
duplicates, write the search vector and bump the page cache."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Investment, Opportunity


@admin.register(Opportunity)
class OpportunityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "funder", "kind", "opens_on", "closes_on", "rolling", "withdrawn_at"]
    list_filter = ["kind", "rolling"]
    search_fields = ["title", "funder__name"]
    list_select_related = ["funder"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Investment)
class InvestmentAdmin(SimpleHistoryAdmin):
    list_display = ["firm", "kind", "stage", "amount_gbp", "announced_on", "origin", "verified_at"]
    list_filter = ["kind", "origin"]
    search_fields = ["firm__name", "firm__company_number", "title", "source"]
    list_select_related = ["firm"]
    date_hierarchy = "announced_on"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
