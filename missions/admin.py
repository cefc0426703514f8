from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from portal.admin import DataVersionAdminMixin

from .models import Geography, Indicator, Mission, Observation, RefreshRun


@admin.register(Mission)
class MissionAdmin(DataVersionAdminMixin, admin.ModelAdmin):
    data_keys = ("missions",)
    list_display = ["code", "name", "roadmap_order"]


@admin.register(Geography)
class GeographyAdmin(DataVersionAdminMixin, admin.ModelAdmin):
    data_keys = ("missions",)
    list_display = ["name", "code", "level"]
    list_filter = ["level"]


@admin.register(Indicator)
class IndicatorAdmin(DataVersionAdminMixin, admin.ModelAdmin):
    data_keys = ("missions",)
    list_display = ["code", "name", "mission", "method", "unit", "is_public", "owner"]
    list_filter = ["mission", "method", "is_public"]
    search_fields = ["code", "name"]
    list_select_related = ["mission", "owner"]
    raw_id_fields = ["owner"]


@admin.register(Observation)
class ObservationAdmin(DataVersionAdminMixin, SimpleHistoryAdmin):
    data_keys = ("missions",)
    list_display = ["indicator", "period_label", "geography", "status", "bound", "value", "suppressed", "source_date"]
    list_filter = ["status", "indicator__mission", "geography"]
    search_fields = ["indicator__code", "period_label", "source_title"]
    list_select_related = ["indicator", "geography"]
    raw_id_fields = ["submitted_by", "submitted_by_organisation"]


@admin.register(RefreshRun)
class RefreshRunAdmin(admin.ModelAdmin):
    list_display = ["pk", "trigger", "status", "created_at", "finished_at", "indicators_done", "indicators_total"]
    list_filter = ["status", "trigger"]
    readonly_fields = ["started_at", "finished_at", "heartbeat_at", "error"]
