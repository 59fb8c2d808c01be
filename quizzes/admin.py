"""Authoring in the Django admin. Both languages sit side by side in every form."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from .models import (
    Action,
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
    WorkflowError,
)
from .views import workspace

admin.site.site_header = _("Anti-fraud curriculum: police workspace")
admin.site.site_title = _("Police workspace")
admin.site.index_title = _("Curriculum")


class StampedAdmin(TranslationAdmin):
    """Records who changed a row last; the curriculum loader then leaves it alone."""

    readonly_fields = ("updated_at", "updated_by")

    def save_model(self, request, obj, form, change):
        if not change or form.has_changed():
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
        if formset.has_changed() and form.instance.updated_by_id != request.user.pk:
            form.instance.updated_by = request.user
            form.instance.save(update_fields=["updated_by", "updated_at"])


class NeedsReviewFilter(admin.SimpleListFilter):
    """Items waiting for a reviewer: in review, or past their "valid until" date."""

    title = _("needs review")
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", _("Needs review"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(status=Status.REVIEW) | queryset.filter(
                status=Status.PUBLISHED, valid_until__lt=timezone.localdate()
            )
        return queryset


class WorkflowAdmin(StampedAdmin):
    """Status changes only through the workflow buttons; edits to published items send
    them back to review."""

    change_form_template = "admin/quizzes/workflow_change_form.html"
    readonly_fields = ("status", "updated_at", "updated_by")

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:object_id>/workflow/<str:action>/",
                self.admin_site.admin_view(self.workflow_view),
                name="{}_{}_workflow".format(*info),
            ),
            *super().get_urls(),
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        edited = form.has_changed() or any(f.has_changed() for f in formsets)
        if change and edited and obj.record_edit(request.user):
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
            extra_context.update(
                workflow_actions=[
                    (a, Action(a).label) for a in obj.available_actions(request.user)
                ],
                transitions=obj.transitions.select_related("user")[:20],
                preview_url=self.preview_url(obj),
                publication_problems=obj.publication_problems(),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def workflow_view(self, request, object_id, action):
        obj = get_object_or_404(self.get_queryset(request), pk=object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        try:
            obj.transition(Action(action), request.user, request.POST.get("comment", ""))
        except ValueError:
            messages.error(request, _("Unknown workflow action."))
        except PermissionDenied:
            messages.error(request, _("Your role does not allow this."))
        except WorkflowError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": Action(action).label})
        return redirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )


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
class LessonAdmin(WorkflowAdmin):
    change_list_template = "admin/quizzes/lesson_change_list.html"

    list_display = ("title", "position", "status", "valid_until", "updated_at", "updated_by")
    list_filter = (NeedsReviewFilter, "status")
    search_fields = ("slug", "title_en", "title_zh_hans", "summary_en", "summary_zh_hans")
    prepopulated_fields = {"slug": ("title_en",)}
    filter_horizontal = ("red_flags", "legal_references", "sources")
    inlines = (StepInline, ReminderInline, CaseInline)

    def preview_url(self, obj):
        return reverse("quizzes:preview-lesson", args=[obj.pk])

    def get_urls(self):
        # Workspace pages (statistics, export, import) live beside the lesson list.
        return workspace.urls(self.admin_site) + super().get_urls()

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
class QuestionAdmin(WorkflowAdmin):
    list_display = ("__str__", "channel", "is_scam", "status", "updated_at", "updated_by")
    list_filter = (NeedsReviewFilter, "status", "channel", "is_scam", "lesson")
    list_select_related = ("lesson", "updated_by")
    search_fields = ("slug", "body_en", "body_zh_hans", "lesson__title_en")
    prepopulated_fields = {"slug": ("prompt_en",)}
    filter_horizontal = ("red_flags",)
    autocomplete_fields = ("lesson", "reminder")
    inlines = (ChoiceInline,)

    def preview_url(self, obj):
        return reverse("quizzes:preview-question", args=[obj.pk])

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


# Campaigns and scam alerts: their own module, registered when this one is loaded.
from . import admin_outreach  # noqa: E402, F401
