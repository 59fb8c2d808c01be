"""Campaigns and scam alerts in the police workspace: the same workflow as lessons and
questions (one officer writes, another approves), plus a campaign's poster and figures."""

from itertools import groupby
from operator import attrgetter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..models import Alert, Campaign, Lesson, Question
from .workflow import NeedsReviewFilter, WorkflowAdmin


class OutreachAdmin(WorkflowAdmin):
    """The content workflow without revisions: an edit to a published campaign or alert
    sends it back to review, and another officer approves it again. A draft may be
    written in one language (``both_required``); review wants both
    (``publication_problems``)."""

    def needs_review(self, obj):
        return False  # saved to the row itself, never as a revision

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "questions":
            # Well over a hundred: only those citizens may be given, under their
            # lessons, as tick boxes that need no script.
            kwargs["queryset"] = Question.objects.published().select_related("lesson")
            kwargs["form_class"] = QuestionsByLesson
            kwargs["widget"] = GroupedCheckboxes
        elif db_field.name == "lessons":
            # Only what citizens may be sent to (drafts are not on the site).
            kwargs["queryset"] = Lesson.objects.published()
            kwargs["form_class"] = LessonsOnTheSite
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        field = form.base_fields.get("questions")
        if field is not None and obj is not None:
            field.queryset = on_the_site_or_held(Question, obj.questions).select_related("lesson")
        field = form.base_fields.get("lessons")
        if field is not None and obj is not None:
            field.queryset = on_the_site_or_held(Lesson, obj.lessons)
        return form

    def save_related(self, request, form, formsets, change):
        super(WorkflowAdmin, self).save_related(request, form, formsets, change)
        edited = not change or form.has_changed() or any(f.has_changed() for f in formsets)
        if edited and form.instance.record_edit(request.user):
            messages.warning(
                request,
                _(
                    "This item was published, so your change sent it back to review. "
                    "Citizens do not see it until another reviewer approves it."
                ),
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if obj is not None:
            # Their citizen pages may not be framed: the preview is a link only.
            extra_context.update(self.workflow_context(request, obj), link_preview_only=True)
        # The workflow panel without the revision parts, which are for lessons and
        # questions.
        return super(WorkflowAdmin, self).change_view(request, object_id, form_url, extra_context)


class GroupedCheckboxes(forms.CheckboxSelectMultiple):
    """Tick boxes in a fieldset per group, whose legend names it for screen readers
    (Django's own template puts a group's name in a label that labels nothing)."""

    template_name = "admin/quizzes/widgets/grouped_checkboxes.html"


class LessonGroups(forms.models.ModelChoiceIterator):
    """The questions under their lessons' titles, in lesson order (1 query, when the
    tick boxes are drawn)."""

    def __iter__(self):
        for _lesson, questions in groupby(self.queryset, key=attrgetter("lesson_id")):
            questions = list(questions)
            yield questions[0].lesson.title, [self.choice(q) for q in questions]


def on_the_site_or_held(model, held):
    """The published ``model`` rows, and those the item holds (``held``, its related
    manager) that have left the site since: they stay listed, ticked and marked so, since
    saving the form must not drop them unnoticed."""
    return model.objects.published() | model.objects.filter(pk__in=held.values("pk"))


class QuestionsByLesson(forms.ModelMultipleChoiceField):
    """The published questions as tick boxes under each lesson's title, each named by
    its kind and the start of its message in the officer's language."""

    iterator = LessonGroups
    widget = GroupedCheckboxes

    def label_from_instance(self, obj):
        if obj.is_public:
            return obj.short_label()
        return _("%(question)s (no longer on the site)") % {"question": obj.short_label()}


class LessonsOnTheSite(forms.ModelMultipleChoiceField):
    """The published lessons; one a campaign holds that has left the site since stays
    listed, named so."""

    def label_from_instance(self, obj):
        if obj.is_public:
            return obj.title
        return _("%(lesson)s (no longer on the site)") % {"lesson": obj.title}


@admin.register(Campaign)
class CampaignAdmin(OutreachAdmin):
    list_display = ("heading", "code", "place", "starts_on", "ends_on", "status")
    list_filter = (NeedsReviewFilter, "status", "audience")
    both_required = ("title", "unit", "place")
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

    def workflow_context(self, request, obj):
        # The panel's checks read its lessons and its quiz's questions with their
        # lessons: fetched together, not a lesson at a time.
        return super().workflow_context(request, obj.load_content())

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
        from ..views import campaign_figures

        campaign = self.figure_campaign(request, object_id)
        return campaign_figures.page(request, campaign, self.admin_site.each_context(request))

    def figures_csv(self, request, object_id):
        from ..views import campaign_figures

        return campaign_figures.csv(request, self.figure_campaign(request, object_id))


@admin.register(Alert)
class AlertAdmin(OutreachAdmin):
    list_display = ("heading", "starts_at", "ends_at", "status")
    list_filter = (NeedsReviewFilter, "status")
    both_required = ("title", "text")
    search_fields = ("title_en", "title_zh_hans")
    fieldsets = (
        (None, {"fields": ("title", "text", "lesson", "questions")}),
        (_("When it shows"), {"fields": ("starts_at", "ends_at")}),
        (_("Publication"), {"fields": ("status", "valid_until", "updated_at", "updated_by")}),
    )

    def preview_url(self, obj):
        return reverse("quizzes:home")
