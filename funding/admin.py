"""Opportunities, investments and the budget in the admin are read only, with their change history:
they are written through the staff pages, imports and the API, whose services check the values,
flag duplicates, write the search vector and bump the page cache."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AlertDigest, BudgetLine, Investment, Opportunity, SpendEntry


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


@admin.register(AlertDigest)
class AlertDigestAdmin(admin.ModelAdmin):
    """The digest ledger, read only: who was sent what and when, and what is still owed. Written
    only by the digest job (``funding.alerts``)."""

    list_display = ["period", "user", "status", "new_count", "closing_count", "sent_at"]
    list_filter = ["status", "period"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    date_hierarchy = "period"


# The programme budget: read only too; the staff pages write it through funding/budget_services.py.


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BudgetLine)
class BudgetLineAdmin(ReadOnlyHistoryAdmin):
    list_display = ["category", "year", "quarter", "planned_gbp", "updated_by", "updated_at"]
    list_filter = ["category", "year"]
    list_select_related = ["updated_by"]


@admin.register(SpendEntry)
class SpendEntryAdmin(ReadOnlyHistoryAdmin):
    list_display = ["spent_on", "category", "supplier", "amount_gbp", "recorded_by"]
    list_filter = ["category"]
    search_fields = ["supplier", "note"]
    date_hierarchy = "spent_on"
    list_select_related = ["recorded_by"]


@admin.register(Investment)
class InvestmentAdmin(ReadOnlyHistoryAdmin):
    list_display = ["firm", "kind", "stage", "amount_gbp", "announced_on", "origin", "verified_at"]
    list_filter = ["kind", "origin"]
    search_fields = ["firm__name", "firm__company_number", "title", "source"]
    list_select_related = ["firm"]
    date_hierarchy = "announced_on"
