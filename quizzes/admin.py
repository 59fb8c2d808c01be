"""Authoring in the Django admin. Both languages sit side by side in every form."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from .models import (
    Case,
    Choice,
    LegalReference,
    Lesson,
    LessonStep,
    Question,
    RedFlag,
    Reminder,
    Source,
    Status,
)

admin.site.site_header = _("Anti-fraud curriculum: police workspace")
admin.site.site_title = _("Police workspace")
admin.site.index_title = _("Curriculum")


class StampedAdmin(TranslationAdmin):
    """Records who changed a row last; the curriculum loader then leaves it alone."""

    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if hasattr(obj, "updated_by_id"):
                obj.updated_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class StepInline(TranslationTabularInline):
    model = LessonStep
    extra = 0


class ReminderInline(TranslationStackedInline):
    model = Reminder
    extra = 0
    fields = ("slug", "position", "authority", "text", "sources")
    filter_horizontal = ("sources",)


class CaseInline(TranslationStackedInline):
    model = Case
    extra = 0


@admin.register(Lesson)
class LessonAdmin(StampedAdmin):
    list_display = ("title", "position", "status", "valid_until", "updated_at", "updated_by")
    list_filter = ("status",)
    search_fields = ("slug", "title_en", "title_zh_hans", "summary_en", "summary_zh_hans")
    prepopulated_fields = {"slug": ("title_en",)}
    filter_horizontal = ("red_flags", "legal_references", "sources")
    inlines = (StepInline, ReminderInline, CaseInline)
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "position")}),
        (_("Publication"), {"fields": ("status", "valid_until", "updated_at", "updated_by")}),
        (_("Links"), {"fields": ("red_flags", "legal_references", "sources")}),
    )


class ChoiceFormSet(BaseInlineFormSet):
    """A question going to review or published needs >= 2 choices, exactly one correct."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE", False)
        ]
        correct = sum(1 for data in kept if data.get("is_correct"))
        if correct > 1:
            raise ValidationError(_("Only one choice can be marked correct."))
        if self.instance.status in (Status.REVIEW, Status.PUBLISHED):
            if len(kept) < 2:
                raise ValidationError(_("A question needs at least two choices."))
            if correct != 1:
                raise ValidationError(_("Mark exactly one choice as correct."))


class ChoiceInline(TranslationStackedInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 0
    fields = ("position", "text", "is_correct", "feedback")


@admin.register(Question)
class QuestionAdmin(StampedAdmin):
    list_display = ("__str__", "channel", "is_scam", "status", "updated_at", "updated_by")
    list_filter = ("status", "channel", "is_scam", "lesson")
    list_select_related = ("lesson", "updated_by")
    search_fields = ("slug", "body_en", "body_zh_hans", "lesson__title_en")
    prepopulated_fields = {"slug": ("prompt_en",)}
    filter_horizontal = ("red_flags",)
    autocomplete_fields = ("lesson", "reminder")
    inlines = (ChoiceInline,)
    fieldsets = (
        (None, {"fields": ("lesson", "slug", "position", "channel", "is_scam")}),
        (
            _("What the learner sees"),
            {
                "fields": (
                    "setup",
                    "sender_number",
                    "sender_name",
                    "body",
                    "link",
                    "qr_payload",
                    "prompt",
                )
            },
        ),
        (_("Feedback"), {"fields": ("red_flags", "explanation", "reminder")}),
        (_("Publication"), {"fields": ("status", "valid_until", "updated_at", "updated_by")}),
    )


@admin.register(RedFlag)
class RedFlagAdmin(StampedAdmin):
    list_display = ("title", "slug", "updated_at")
    search_fields = ("slug", "title_en", "title_zh_hans")
    prepopulated_fields = {"slug": ("title_en",)}


@admin.register(Reminder)
class ReminderAdmin(StampedAdmin):
    list_display = ("__str__", "authority", "lesson", "position")
    list_filter = (("lesson", admin.EmptyFieldListFilter),)
    search_fields = ("slug", "text_en", "text_zh_hans", "authority_en")
    filter_horizontal = ("sources",)


@admin.register(LegalReference)
class LegalReferenceAdmin(StampedAdmin):
    list_display = ("title", "slug")
    search_fields = ("title_en", "title_zh_hans")


@admin.register(Source)
class SourceAdmin(StampedAdmin):
    list_display = ("code", "title", "publisher", "published")
    search_fields = ("code", "title_en", "title_zh_hans")
