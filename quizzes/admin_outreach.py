"""Campaigns and scam alerts in the police workspace: the same workflow as lessons and
questions (one officer writes, another approves), plus a campaign's poster and figures."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
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
    # Questions can be many: picked by search. Lessons are few: a plain list.
    autocomplete_fields = ("questions",)
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

    @admin.display(description=_("Link, poster and figures"))
    def links(self, obj):
        if obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            obj.link,
            obj.link,
            reverse("quizzes:campaign-poster", args=[obj.code]),
            _("Poster"),
            reverse("admin:quizzes_campaign_figures", args=[obj.pk]),
            _("Figures"),
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/figures/",
                self.admin_site.admin_view(self.figures_view),
                name="quizzes_campaign_figures",
            ),
            path(
                "<int:object_id>/figures.csv",
                self.admin_site.admin_view(self.figures_csv),
                name="quizzes_campaign_figures_csv",
            ),
            *super().get_urls(),
        ]

    def figure_campaign(self, request, object_id):
        if not request.user.has_perm("quizzes.view_participant"):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def figures_view(self, request, object_id):
        from .views import campaign_figures

        campaign = self.figure_campaign(request, object_id)
        return campaign_figures.page(request, campaign, self.admin_site.each_context(request))

    def figures_csv(self, request, object_id):
        from .views import campaign_figures

        return campaign_figures.csv(request, self.figure_campaign(request, object_id))


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
