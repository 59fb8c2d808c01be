"""Forms an officer can fill without training: positions and slugs filled in when left
empty, help with an example on the fields people had to guess, and only the fields the
chosen channel uses."""

from django import forms
from django.db.models import Max
from django.forms.models import BaseInlineFormSet
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from .models import Channel, Lesson

# Fields only some channels use; every other field is shown for every channel.
CHANNEL_ONLY = {
    "link": {Channel.WEB, Channel.CHAT, Channel.EMAIL},
    "qr_payload": {Channel.QR},
}

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
        from .models import Reminder

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
