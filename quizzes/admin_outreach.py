"""Campaigns and scam alerts in the police workspace: the same workflow as lessons and
questions (one officer writes, another approves), plus a campaign's poster and figures."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin import NeedsReviewFilter, WorkflowAdmin
from .models import Alert, Campaign


@admin.register(Campaign)
class CampaignAdmin(WorkflowAdmin):
    list_display = ("title", "code", "place", "starts_on", "ends_on", "status")
    list_filter = (NeedsReviewFilter, "status", "audience")
    search_fields = ("code", "title_en", "title_zh_hans", "place_en", "place_zh_hans")
    readonly_fields = ("status", "links", "updated_at", "updated_by")
    fieldsets = (
        (None, {"fields": ("title", "code", "unit", "place", "audience", "audience_other")}),
        (_("Dates"), {"fields": ("starts_on", "ends_on")}),
        (_("What to take"), {"fields": ("lessons", "questions")}),
        (
            _("Publication"),
            {"fields": ("status", "valid_until", "links", "updated_at", "updated_by")},
        ),
    )

    def preview_url(self, obj):
        return obj.get_absolute_url()

    @admin.display(description=_("Link and poster"))
    def links(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.link,
            obj.link,
            reverse("quizzes:campaign-poster", args=[obj.code]),
            _("Poster"),
        )


@admin.register(Alert)
class AlertAdmin(WorkflowAdmin):
    list_display = ("title", "starts_at", "ends_at", "status")
    list_filter = (NeedsReviewFilter, "status")
    search_fields = ("title_en", "title_zh_hans")
    autocomplete_fields = ("lesson",)
    fieldsets = (
        (None, {"fields": ("title", "text", "lesson")}),
        (_("When it shows"), {"fields": ("starts_at", "ends_at")}),
        (_("Publication"), {"fields": ("status", "valid_until", "updated_at", "updated_by")}),
    )

    def preview_url(self, obj):
        return reverse("quizzes:home")
