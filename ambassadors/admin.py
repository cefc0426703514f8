"""Admin of the ambassadors app, for operators. Day-to-day work goes through the portal's pages
(invitations, status, leads), whose services keep the rules; here the records are read and
corrected. Changes that show on cached pages bump the ``ambassadors`` data key."""

from django import forms
from django.contrib import admin

from portal.admin import DataVersionAdminMixin

from .models import (
    Activity,
    ActivityReminder,
    Ambassador,
    AmbassadorSector,
    Briefing,
    Invitation,
    Lead,
    LeadChange,
    TargetMarket,
)
from .services.briefings import briefing_file_errors


class AmbassadorSectorInline(admin.TabularInline):
    model = AmbassadorSector
    extra = 0


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    can_delete = False
    fields = ["email", "status", "created_at", "expires_at", "accepted_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # an invitation needs its emailed token: staff invite from the network pages


@admin.register(Ambassador)
class AmbassadorAdmin(DataVersionAdminMixin, admin.ModelAdmin):
    data_keys = ("ambassadors",)
    list_display = ["full_name", "status", "country", "city", "public_profile", "term_starts_on", "term_ends_on"]
    list_filter = ["status", "public_profile", "country"]
    search_fields = ["full_name", "user__email", "city"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["public_profile_changed_at", "created_at", "updated_at"]
    inlines = [AmbassadorSectorInline, InvitationInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "ambassador", "status", "created_at", "expires_at", "accepted_at"]
    list_filter = ["status"]
    search_fields = ["email", "ambassador__full_name"]
    list_select_related = ["ambassador"]
    # The token's hash, who accepted and when are the invitation's record: never typed in.
    readonly_fields = ["ambassador", "email", "token_hash", "invited_by", "created_at", "accepted_at", "accepted_by"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(DataVersionAdminMixin, admin.ModelAdmin):
    data_keys = ("ambassadors",)
    list_display = ["ambassador", "kind", "occurred_on", "place", "reach"]
    list_filter = ["kind"]
    search_fields = ["ambassador__full_name", "place", "notes"]
    list_select_related = ["ambassador"]
    raw_id_fields = ["ambassador", "organisation", "lead"]
    date_hierarchy = "occurred_on"


class LeadChangeInline(admin.TabularInline):
    model = LeadChange
    extra = 0
    can_delete = False
    readonly_fields = ["changed_by", "changed_at", "from_stage", "to_stage", "reason", "fields"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """Read only: a lead moves through its stages on the pipeline pages, which check each stage's
    fields, keep the version and record the history."""

    list_display = ["name", "stage", "kind", "origin_country", "referred_by", "owner", "updated_at"]
    list_filter = ["stage", "kind", "sector"]
    search_fields = ["name", "referred_by__full_name"]
    list_select_related = ["referred_by", "owner"]
    inlines = [LeadChangeInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class BriefingAdminForm(forms.ModelForm):
    """A briefing's file is held to the portal page's rules here too: an allowed type, under 10 MB."""

    class Meta:
        model = Briefing
        fields = [
            "title",
            "body",
            "file",
            "audience",
            "audience_country",
            "audience_sector",
            "published_by",
            "published_at",
        ]

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file and file != self.initial.get("file"):  # a new upload, not the file already kept
            errors = briefing_file_errors(file)
            if errors:
                raise forms.ValidationError(errors)
        return file


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    form = BriefingAdminForm
    list_display = ["title", "audience", "audience_country", "audience_sector", "published_at"]
    list_filter = ["audience"]
    search_fields = ["title", "body"]


@admin.register(TargetMarket)
class TargetMarketAdmin(DataVersionAdminMixin, admin.ModelAdmin):
    data_keys = ("ambassadors",)
    list_display = ["country", "sector", "created_at"]
    list_filter = ["sector"]


@admin.register(ActivityReminder)
class ActivityReminderAdmin(admin.ModelAdmin):
    list_display = ["ambassador", "month", "sent_at"]
    list_select_related = ["ambassador"]
    readonly_fields = ["ambassador", "month", "sent_at"]

    def has_add_permission(self, request) -> bool:
        return False
