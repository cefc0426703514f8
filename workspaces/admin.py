from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import DataVersionAdminMixin

from .models import Application, Criterion, DeskPool, Review, StatusChange, Tenancy, Workspace


class DeskPoolInline(admin.TabularInline):
    model = DeskPool
    extra = 0
    readonly_fields = ["allocated"]


@admin.register(Workspace)
class WorkspaceAdmin(DataVersionAdminMixin, SimpleHistoryAdmin):
    data_keys = ("workspaces",)
    list_display = ["name", "provider", "local_authority", "accepting_applications"]
    list_filter = ["local_authority", "accepting_applications"]
    search_fields = ["name", "postcode"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DeskPoolInline]


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "weight", "position", "is_active"]
    list_editable = ["weight", "position", "is_active"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "created_at", "notified_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    """Read-only: status changes go through the review pages, which enforce the state machine."""

    list_display = ["reference", "firm_name", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "desk_type"]
    search_fields = ["firm_name", "company_number", "applicant__email"]
    inlines = [StatusChangeInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["application", "reviewer", "total", "maximum", "created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Tenancy)
class TenancyAdmin(DataVersionAdminMixin, SimpleHistoryAdmin):
    data_keys = ("workspaces",)
    list_display = ["organisation", "pool", "desks", "start_on", "end_on", "ended_on"]
    list_filter = ["ended_on"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
