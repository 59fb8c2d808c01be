"""Forms an officer can fill without training: positions and slugs filled in when left
empty, help with an example on the fields people had to guess, and only the fields the
chosen channel uses."""

from django import forms
from django.db import models
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

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

HELP = {
    "title": _("As citizens know the scam, e.g. “Fake courier claims” / “冒充快递理赔”."),
    "summary": _("One or two sentences for the lesson's card on the home page."),
    "lesson_slug": _(
        "The lesson's name in its web address, e.g. fake-courier. Leave empty: it is made "
        "from the English title."
    ),
    "lesson_position": _(
        "Where the lesson appears in the list on the citizens' home page, lowest number "
        "first. Leave empty to put it last."
    ),
    "question_slug": _(
        "A short name used in exports, e.g. parcel-refund-sms. Leave empty: it is made "
        "from the English message."
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
        if not data.get("slug") and data.get("title_en"):
            data["slug"] = unique_slug(others, data["title_en"], 80, "lesson")
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


class Bilingual:
    """Forms of translated models as officers read them: each field labelled with its
    language ("标题（中文）"), both languages side by side, both required where review
    requires them (``both_required``), and tick boxes instead of multiple-selection lists."""

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


class NewRows:
    """A new lesson or question opens with empty rows to fill (``extra_when_new``)."""

    extra_when_new = 0

    def get_extra(self, request, obj=None, **kwargs):
        return self.extra_when_new if obj is None else 0
