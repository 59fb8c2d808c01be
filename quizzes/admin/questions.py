"""Questions: the choices of a multiple-choice question as an inline, and the parts
of spot and conversation questions (``kinds.py``); only the chosen channel's fields."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from ..models import Channel, Choice, Question, QuestionKind, Status
from ..views import quiz
from .forms import ADVANCED, AutoPositions, Bilingual, NewRows, QuestionForm, for_channel
from .kinds import EndingInline, KindField, SpotInline, TurnInline
from .ordering import AnsweredKeepPlaces, Reorderable
from .preview import LivePreview
from .workflow import NeedsReviewFilter, WorkflowAdmin


class ChoiceFormSet(AnsweredKeepPlaces, AutoPositions):
    """A question going to review or published needs >= 2 choices, exactly one correct;
    answered choices keep their places."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE", False)
        ]
        # Answers point at their choice; the bundle loader keeps such a choice too.
        if any(f.instance.pk and f.instance.answers.exists() for f in self.deleted_forms):
            raise ValidationError(
                _("Learners chose an answer you removed; keep it and change its text instead.")
            )
        correct = sum(1 for data in kept if data.get("is_correct"))
        if correct > 1:
            raise ValidationError(_("Only one choice can be marked correct."))
        # Tap-the-red-flag and conversation questions have no choices.
        if self.instance.status in (Status.REVIEW, Status.PUBLISHED) and (
            self.instance.kind == "choice"
        ):
            if len(kept) < 2:
                raise ValidationError(_("A question needs at least two choices."))
            if correct != 1:
                raise ValidationError(_("Mark exactly one choice as correct."))


class ChoiceInline(Reorderable, NewRows, Bilingual, TranslationStackedInline):
    model = Choice
    formset = ChoiceFormSet
    extra_when_new = 3
    both_required = ("text", "feedback")
    optional = ("position",)
    textareas = ("text",)
    help_texts = {"feedback": "feedback"}
    fields = ("position", "text", "is_correct", "feedback")


@admin.register(Question)
class QuestionAdmin(LivePreview, WorkflowAdmin):
    key_fields = ("lesson", "slug")
    list_display = (
        "__str__",
        "kind",
        "channel",
        "scam_or_genuine",
        "status",
        "updated_at",
        "updated_by",
    )
    list_filter = (NeedsReviewFilter, "status", "kind", "channel", "is_scam", "lesson")
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

    def kind(self, request, obj):
        """The kind the form is for: the saved one, or the one a new question was
        started as (``?kind=``, from the links at the top of the new question's page);
        a new question is one to choose an answer to unless started as another kind."""
        if obj is not None:
            return obj.kind
        chosen = request.GET.get("kind")
        return chosen if chosen in QuestionKind.values else QuestionKind.CHOICE

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "channels": Channel.choices,
            "chosen_channel": self.channel(request, None),
            "other_kinds": [
                (value, label)
                for value, label in QuestionKind.choices
                if value != self.kind(request, None)
            ],
            "chosen_kind_label": QuestionKind(self.kind(request, None)).label,
        }
        return super().add_view(request, form_url, extra_context)

    @admin.display(description=_("scam or genuine"), ordering="is_scam")
    def scam_or_genuine(self, obj):
        # Words rather than the admin's tick icon, whose alternative text is English.
        return _("Scam") if obj.is_scam else _("Genuine")

    def get_inlines(self, request, obj):
        """The parts of the question's kind (as saved, or as the new question was started:
        ``kind``). Endings come before turns: a turn's replies may lead to an ending
        added with it."""
        kind = self.kind(request, obj)
        return {"spot": (SpotInline,), "conversation": (EndingInline, TurnInline)}.get(
            kind, self.inlines
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "kind" in form.base_fields:
            field = KindField(form.base_fields["kind"])
            if obj is None:
                # A new question's parts are the kind it was started as: the form shows
                # no others to fill in, so it cannot be saved as another kind.
                kind = self.kind(request, None)
                field.choices = [(kind, QuestionKind(kind).label)]
                field.empty_value = kind
                field.initial = kind
            form.base_fields["kind"] = field
        return form

    def preview_url(self, obj):
        return reverse("quizzes:preview-question", args=[obj.pk])

    def citizen_page(self, request, pk):
        return quiz.preview_question(request, pk)

    fieldsets = (
        (None, {"fields": ("lesson", "kind", "channel", "is_scam")}),
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
                    "surface",
                    "prompt",
                )
            },
        ),
        (_("Feedback"), {"fields": ("red_flags", "explanation", "reminder")}),
        (_("Publication"), {"fields": ("status", "valid_until", "updated_at", "updated_by")}),
        # Filled in when left empty; most officers never open this.
        (ADVANCED, {"fields": ("slug", "position"), "classes": ("collapse",)}),
    )
