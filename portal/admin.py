from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from .models import Feedback, FirmYear, Organisation, PartnerCredential, User, YearlyFactsRequest
from .page_cache import data_version_bump


class DataVersionAdminMixin:
    """Admin changes are writes too: each one bumps ``data_keys`` in the admin's own transaction,
    so cached pages show it at once (``portal.page_cache``)."""

    data_keys: tuple[str, ...] = ()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # a history revert saves through here alone
        data_version_bump(*self.data_keys)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # runs after save_model, inlines included
        data_version_bump(*self.data_keys)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        data_version_bump(*self.data_keys)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        data_version_bump(*self.data_keys)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "full_name"]
    list_filter = ["groups", "is_active", "is_staff", ("deleted_at", admin.EmptyFieldListFilter)]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["full_name"]}),
        ("Roles and access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined", "deleted_at"]}),
    ]
    readonly_fields = ["deleted_at"]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    filter_horizontal = ["groups"]


class FirmYearInline(admin.TabularInline):
    model = FirmYear
    fk_name = "organisation"
    extra = 0
    fields = ["year", "employees", "turnover_gbp", "staff_total", "leadership_total", "consent", "source", "as_of"]


@admin.register(Organisation)
class OrganisationAdmin(DataVersionAdminMixin, SimpleHistoryAdmin):
    data_keys = ("organisations",)
    list_display = ["name", "kind", "company_number", "sector", "local_authority", "founded_on", "is_tech"]
    list_filter = ["kind", "sector", "local_authority", "origin", "is_tech"]
    search_fields = ["name", "company_number"]
    autocomplete_fields = ["members", "recorded_by"]
    inlines = [FirmYearInline]
    # A website typed without a scheme is read as https, as the portal's own forms read it.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(FirmYear)
class FirmYearAdmin(DataVersionAdminMixin, SimpleHistoryAdmin):
    data_keys = ("organisations",)
    list_display = ["organisation", "year", "employees", "turnover_gbp", "consent", "source", "as_of"]
    list_filter = ["year", "source", "consent"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "recorded_by"]


@admin.register(PartnerCredential)
class PartnerCredentialAdmin(DataVersionAdminMixin, SimpleHistoryAdmin):
    data_keys = ("organisations",)  # the dashboard counts partner clients
    list_display = ["organisation", "application", "scopes", "created_at", "revoked_at"]
    list_select_related = ["organisation", "application"]
    # A credential's organisation never changes: the API names its cache audience from it.
    readonly_fields = ["organisation", "application", "created_by", "created_at", "revoked_at"]


@admin.register(YearlyFactsRequest)
class YearlyFactsRequestAdmin(admin.ModelAdmin):
    list_display = ["organisation", "year", "sent_at"]
    list_select_related = ["organisation"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "problem", "email", "page", "emailed_at"]
    search_fields = ["doing", "problem", "email"]
    readonly_fields = ["doing", "problem", "email", "page", "created_at", "emailed_at"]
    date_hierarchy = "created_at"
