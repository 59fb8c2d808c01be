"""Authoring in the Django admin. Both languages sit side by side in every form."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline

from .admin_forms import (
    HELP,
    AutoPositions,
    LessonForm,
    QuestionForm,
    ReminderFormSet,
    for_channel,
)
from .languages import translated_label
from .models import (
    Action,
    Case,
    Channel,
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


def side_by_side(fields):
    """Each field's languages on one row: ``title_en, title_zh_hans`` become a pair."""
    grouped, fields = [], list(fields)
    while fields:
        name = fields.pop(0)
        if isinstance(name, str) and name.endswith("_en") and fields:
            twin = f"{name[:-3]}_zh_hans"
            if fields[0] == twin:
                grouped.append((name, fields.pop(0)))
                continue
        grouped.append(name)
    return grouped


class Bilingual:
    """Forms of translated models as officers read them: each field labelled with its
    language ("标题（中文）"), both languages side by side, both required where review
    requires them (``both_required``), and tick boxes instead of multiple-selection lists."""

    both_required = ()
    optional = ()  # fields filled in when left empty (positions, slugs)
    help_texts = {}  # field name -> key in admin_forms.HELP
    textareas = ()  # short texts that still deserve more than one line
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
        # The browser's own date picker speaks the officer's language; the admin's
        # calendar leaves some of its labels in English.
        models.DateField: {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})},
    }

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is None:
            return field
        original = getattr(db_field, "translated_field", None)
        name = db_field.name if original is None else original.name
        if original is not None:
            field.label = translated_label(db_field)
            field.required = field.required or name in self.both_required
        if name in self.optional:
            field.required = False
        # Help once per pair of languages, under the first.
        if name in self.help_texts and getattr(db_field, "language", "en") == "en":
            field.help_text = HELP[self.help_texts[name]]
        if name in self.textareas:
            field.widget = forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"})
        elif isinstance(field.widget, forms.Textarea):
            field.widget.attrs["rows"] = 3
        return field

    def get_fieldsets(self, request, obj=None):
        return [
            (name, {**options, "fields": side_by_side(options["fields"])})
            for name, options in super().get_fieldsets(request, obj)
        ]


class StampedAdmin(Bilingual, TranslationAdmin):
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
        response = super().change_view(request, object_id, form_url, extra_context)
        # The phone preview beside the form is a frame of this site's own preview page.
        response._csp_config = {**settings.SECURE_CSP, "frame-src": [CSP.SELF]}
        return response

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


class NewRows:
    """A new lesson or question opens with empty rows to fill (``extra_when_new``)."""

    extra_when_new = 0

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra_when_new if obj is None else 0


class StepInline(NewRows, Bilingual, TranslationStackedInline):
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
    help_texts = {"position": "position"}


class ReminderInline(NewRows, Bilingual, TranslationStackedInline):
    model = Reminder
    formset = ReminderFormSet
    extra_when_new = 1
    optional = ("position", "slug")
    fields = ("slug", "position", "authority", "text", "sources")
    both_required = ("text", "authority")
    help_texts = {"authority": "authority", "position": "position", "slug": "reminder_slug"}


class CaseInline(Bilingual, TranslationStackedInline):
    model = Case
    formset = AutoPositions
    extra = 0
    optional = ("position",)
    help_texts = {"position": "position"}


@admin.register(Lesson)
class LessonAdmin(WorkflowAdmin):
    change_list_template = "admin/quizzes/lesson_change_list.html"

    list_display = ("title", "position", "status", "valid_until", "updated_at", "updated_by")
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

    def get_urls(self):
        # Workspace pages (statistics, export, import) live beside the lesson list.
        return workspace.urls(self.admin_site) + super().get_urls()

    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "position")}),
        (_("Publication"), {"fields": ("status", "valid_until", "updated_at", "updated_by")}),
        (_("Links"), {"fields": ("red_flags", "legal_references", "sources")}),
    )


class ChoiceFormSet(AutoPositions):
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


class ChoiceInline(NewRows, Bilingual, TranslationStackedInline):
    model = Choice
    formset = ChoiceFormSet
    extra_when_new = 3
    both_required = ("text", "feedback")
    optional = ("position",)
    textareas = ("text",)
    help_texts = {"position": "position", "feedback": "feedback"}
    fields = ("position", "text", "is_correct", "feedback")


@admin.register(Question)
class QuestionAdmin(WorkflowAdmin):
    list_display = ("__str__", "channel", "scam_or_genuine", "status", "updated_at", "updated_by")
    list_filter = (NeedsReviewFilter, "status", "channel", "is_scam", "lesson")
    list_select_related = ("lesson", "updated_by")
    search_fields = ("slug", "body_en", "body_zh_hans", "lesson__title_en")
    # Lesson and reminder are plain lists rather than the admin's search boxes: a few
    # dozen rows, no JavaScript needed, and the control keeps its label.
    inlines = (ChoiceInline,)
    form = QuestionForm
    both_required = ("body", "prompt", "explanation")
    optional = ("slug", "position")
    help_texts = {
        "slug": "question_slug",
        "position": "question_position",
        "channel": "channel",
        "link": "link",
        "qr_payload": "qr_payload",
        "prompt": "prompt",
        "explanation": "explanation",
    }

    def channel(self, request, obj):
        """The channel the form is for: the saved one, or the one being chosen."""
        return request.POST.get("channel") or request.GET.get("channel") or (obj and obj.channel)

    def get_fieldsets(self, request, obj=None):
        channel = self.channel(request, obj)
        return [
            (name, {**options, "fields": for_channel(options["fields"], channel)})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "channels": Channel.choices,
            "chosen_channel": self.channel(request, None),
        }
        return super().add_view(request, form_url, extra_context)

    @admin.display(description=_("scam or genuine"), ordering="is_scam")
    def scam_or_genuine(self, obj):
        # Words rather than the admin's tick icon, whose alternative text is English.
        return _("Scam") if obj.is_scam else _("Genuine")

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
    both_required = ("title", "description")


@admin.register(Reminder)
class ReminderAdmin(StampedAdmin):
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
    list_display = ("code", "title", "publisher", "published")
    search_fields = ("code", "title_en", "title_zh_hans")
