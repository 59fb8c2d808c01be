"""Lessons and the vocabulary they link (red flags, reminders, legal references,
sources), with a lesson's steps, reminders and cases as inlines."""

from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from ..models import Case, LegalReference, Lesson, LessonStep, RedFlag, Reminder, Source
from ..views import quiz, workspace
from .forms import ADVANCED, AutoPositions, Bilingual, LessonForm, NewRows, ReminderFormSet
from .ordering import Reorderable
from .preview import LivePreview
from .workflow import NeedsReviewFilter, StampedAdmin, WorkflowAdmin


class StepInline(Reorderable, NewRows, Bilingual, TranslationStackedInline):
    # Stacked rather than a table: every field keeps its own label (axe, screen readers).
    model = LessonStep
    fields = ("position", "text")

    def get_fieldsets(self, request, obj=None):
        # One row per step: its number, then the text in both languages.
        return [(None, {"fields": [("position", "text_en", "text_zh_hans")]})]

    formset = AutoPositions
    extra_when_new = 3
    both_required = ("text",)
    optional = ("position",)


class ReminderInline(Reorderable, NewRows, Bilingual, TranslationStackedInline):
    model = Reminder
    formset = ReminderFormSet
    extra_when_new = 1
    optional = ("position", "slug")
    fieldsets = (
        (None, {"fields": ("position", "authority", "text", "sources")}),
        (ADVANCED, {"fields": ("slug",), "classes": ("collapse",)}),
    )
    both_required = ("text", "authority")
    help_texts = {"authority": "authority", "slug": "reminder_slug"}


class CaseInline(Reorderable, Bilingual, TranslationStackedInline):
    model = Case
    formset = AutoPositions
    extra = 0
    optional = ("position",)


@admin.register(Lesson)
class LessonAdmin(LivePreview, WorkflowAdmin):
    change_list_template = "admin/quizzes/lesson_change_list.html"

    list_display = ("heading", "position", "status", "valid_until", "updated_at", "updated_by")
    list_filter = (NeedsReviewFilter, "status")
    search_fields = ("slug", "title_en", "title_zh_hans", "summary_en", "summary_zh_hans")
    prepopulated_fields = {"slug": ("title_en",)}
    inlines = (StepInline, ReminderInline, CaseInline)
    form = LessonForm
    both_required = ("title", "summary")
    optional = ("slug", "position")
    textareas = ("summary",)
    help_texts = {
        "title": "title",
        "summary": "summary",
        "slug": "lesson_slug",
        "position": "lesson_position",
    }

    def preview_url(self, obj):
        return reverse("quizzes:preview-lesson", args=[obj.pk])

    def citizen_page(self, request, pk):
        return quiz.preview_lesson(request, pk)

    def get_urls(self):
        # Workspace pages (statistics, export, import) live beside the lesson list.
        return workspace.urls(self.admin_site) + super().get_urls()

    fieldsets = (
        (None, {"fields": ("title", "summary")}),
        (_("Publication"), {"fields": ("status", "valid_until", "updated_at", "updated_by")}),
        (_("Links"), {"fields": ("red_flags", "legal_references", "sources")}),
        # Filled in when left empty; most officers never open this.
        (ADVANCED, {"fields": ("slug", "position"), "classes": ("collapse",)}),
    )


@admin.register(RedFlag)
class RedFlagAdmin(StampedAdmin):
    list_display = ("title", "slug", "updated_at")
    search_fields = ("slug", "title_en", "title_zh_hans")
    prepopulated_fields = {"slug": ("title_en",)}
    both_required = ("title", "description")


@admin.register(Reminder)
class ReminderAdmin(StampedAdmin):
    add_needs_review = True
    list_display = ("__str__", "authority", "lesson", "position")
    list_filter = (("lesson", admin.EmptyFieldListFilter),)
    search_fields = ("slug", "text_en", "text_zh_hans", "authority_en")
    both_required = ("text", "authority")


@admin.register(LegalReference)
class LegalReferenceAdmin(StampedAdmin):
    list_display = ("title", "slug")
    search_fields = ("title_en", "title_zh_hans")


@admin.register(Source)
class SourceAdmin(StampedAdmin):
    key_fields = ("code",)
    list_display = ("code", "title", "publisher", "published")
    search_fields = ("code", "title_en", "title_zh_hans")
