"""Forms an officer can fill without training: positions and slugs filled in when left
empty, help with an example on the fields people had to guess, and only the fields the
chosen channel uses."""

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..curriculum.schema import LANGS
from ..languages import translated_label
from ..models import Channel, Lesson

# Fields only some channels use; every other field is shown for every channel.
CHANNEL_ONLY = {
    "link": {Channel.WEB, Channel.CHAT, Channel.EMAIL},
    "qr_payload": {Channel.QR},
    "surface": {Channel.QR},
}

# The form section with what is filled in automatically (slugs, positions), closed.
ADVANCED = _("Advanced")

# Above the form of an item whose texts review checks in both languages.
ONE_LANGUAGE_NOTE = _(
    "You may save a draft in Chinese or in English only; it needs both before review."
)
# Under a text left empty in both languages.
EITHER_LANGUAGE = _("Write this in Chinese or English; it needs both before review.")

HELP = {
    "title": _("As citizens know the scam, e.g. “Fake courier claims” / “冒充快递理赔”."),
    "summary": _("One or two sentences for the lesson's card on the home page."),
    "lesson_slug": _(
        "The lesson's name in its web address, e.g. fake-courier. Leave empty: it is made "
        "from the English title, or numbered (lesson-2) without one."
    ),
    "lesson_position": _(
        "Where the lesson appears in the list on the citizens' home page, lowest number "
        "first. Leave empty to put it last."
    ),
    "question_slug": _(
        "A short name used in exports, e.g. parcel-refund-sms. Leave empty: it is made "
        "from the English message, or numbered (question-2) without one."
    ),
    "reminder_slug": _("Leave empty: it is made from the lesson's, e.g. fake-courier-1."),
    "question_position": _("Order of the question in its lesson. Leave empty to put it last."),
    "position": _("Leave empty: rows are numbered in the order shown."),
    "authority": _(
        "The police body that issues the reminder, as citizens should read it, e.g. "
        "“Shanghai Public Security Bureau” / “上海市公安局”."
    ),
    "channel": _(
        "How the scam reaches the citizen. The form shows the fields this channel uses "
        "once it is chosen (or saved)."
    ),
    "link": _("The address shown in the browser bar or as a link, e.g. http://sf-refund.top."),
    "qr_payload": _("What the QR code contains, usually a web address."),
    "prompt": _("The question under the scene, e.g. “What do you do?” / “你会怎么做？”."),
    "explanation": _("Shown after answering: why this is (or is not) a scam."),
    "text": _("One step, reminder or choice in a sentence or two."),
    "feedback": _("Shown when the learner picks this choice."),
}


def unique_slug(queryset, text, max_length, fallback):
    """A slug from ``text`` not taken in ``queryset``: "fake-courier", "fake-courier-2"."""
    base = slugify(text)[: max_length - 4].strip("-") or fallback
    slug, n = base, 1
    while queryset.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


class LessonForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        others = Lesson.objects.exclude(pk=self.instance.pk)
        # A draft may have no English title yet: then "lesson", "lesson-2"...
        if not data.get("slug") and "slug" in self.fields:
            data["slug"] = unique_slug(others, data.get("title_en") or "", 80, "lesson")
        if data.get("position") is None and "position" in self.fields:
            data["position"] = (others.aggregate(last=Max("position"))["last"] or 0) + 1
        return data


class QuestionForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        lesson = data.get("lesson")
        if lesson is None:
            return data
        others = lesson.questions.exclude(pk=self.instance.pk)
        if not data.get("slug") and "slug" in self.fields:
            words = " ".join((data.get("body_en") or "").split()[:6])
            data["slug"] = unique_slug(others, words, 80, "question")
        if data.get("position") is None and "position" in self.fields:
            data["position"] = (others.aggregate(last=Max("position"))["last"] or 0) + 1
        return data


class AutoPositions(BaseInlineFormSet):
    """Rows left without a position are numbered after the others, in the order shown."""

    def clean(self):
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        taken = [f.cleaned_data["position"] for f in kept if f.cleaned_data.get("position")]
        following = max(taken, default=0) + 1
        for form in kept:
            # 0 is the default a new row shows for choices, reminders and cases.
            if not form.cleaned_data.get("position"):
                form.cleaned_data["position"] = form.instance.position = following
                following += 1
        super().clean()


def for_channel(fields, channel):
    """The fields of a question form that the channel uses."""
    if channel not in Channel.values:
        return fields
    return [
        name
        for name in fields
        if not (isinstance(name, str) and channel not in CHANNEL_ONLY.get(name, {channel}))
    ]


class ReminderFormSet(AutoPositions):
    """A lesson's reminders left without a slug get the lesson's: fake-courier-1, -2..."""

    def clean(self):
        super().clean()
        from ..models import Reminder

        taken = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("slug"):
                continue
            others = Reminder.objects.exclude(pk=form.instance.pk)
            base = slugify(f"{self.instance.slug or 'reminder'}-{data.get('position') or 1}")
            slug, n = base, 1
            while slug in taken or others.filter(slug=slug).exists():
                n += 1
                slug = f"{base}-{n}"
            taken.add(slug)
            data["slug"] = form.instance.slug = slug


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


class EitherLanguage:
    """Each text of ``either_language`` filled in at least one language: the form of a
    draft, which review checks in both (``publication_problems``) before citizens see it."""

    either_language = ()

    def clean(self):
        data = super().clean()
        # The error goes beside the text in the officer's language, which they will fill.
        own = translation.get_language() or settings.LANGUAGE_CODE
        own = own.replace("-", "_") if own.replace("-", "_") in LANGS else LANGS[0]
        for name in self.either_language:
            texts = [f"{name}_{lang}" for lang in LANGS]
            if not all(t in self.fields for t in texts) or any(t in self.errors for t in texts):
                continue
            if not any(str(data.get(t) or "").strip() for t in texts):
                self.add_error(f"{name}_{own}", EITHER_LANGUAGE)
        return data


class Bilingual:
    """Forms of translated models as officers read them: each field labelled with its
    language ("标题（中文）"), both languages side by side, tick boxes instead of
    multiple-selection lists, and the texts review requires in both languages
    (``both_required``) required in one of them for a draft (``EitherLanguage``), or in
    both where nothing checks them before citizens read them (shared vocabulary)."""

    both_required = ()
    optional = ()  # fields filled in when left empty (positions, slugs)
    help_texts = {}  # field name -> key in admin.forms.HELP
    textareas = ()  # short texts that still deserve more than one line
    formfield_overrides = {
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
        # The browser's own date picker speaks the officer's language; the admin's
        # calendar leaves some of its labels in English.
        models.DateField: {"widget": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})},
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.drafts_in_one_language():
            self.form = type(
                self.form.__name__,
                (EitherLanguage, self.form),
                {"either_language": self.both_required},
            )

    def drafts_in_one_language(self):
        """Whether a text of ``both_required`` may be saved in one language: the item (or,
        for an inline, the item it belongs to) goes through review, which refuses it until
        both are there (``publication_problems``)."""
        item = getattr(self, "parent_model", None) or self.model
        return bool(self.both_required) and hasattr(item, "publication_problems")

    def render_change_form(self, request, context, *args, **kwargs):
        if self.drafts_in_one_language():
            context["one_language_note"] = ONE_LANGUAGE_NOTE
        return super().render_change_form(request, context, *args, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is None:
            return field
        original = getattr(db_field, "translated_field", None)
        name = db_field.name if original is None else original.name
        if original is not None:
            field.label = translated_label(db_field)
            if name in self.both_required:
                field.required = not self.drafts_in_one_language()
        if name in self.optional:
            field.required = False
        # No maxlength in the page: a browser silently cuts a longer pasted text there.
        # The form refuses it instead, saying how long it is and how long it may be.
        field.widget.attrs.pop("maxlength", None)
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


class NewRows:
    """A new lesson or question opens with empty rows to fill (``extra_when_new``)."""

    extra_when_new = 0

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra_when_new if obj is None else 0
