"""Authoring the parts of spot and conversation questions, as inlines on the question.

A turn's replies (two or three) are fields of the turn's own form: each reply's text in
both languages and the key of the turn or ending it leads to. The checks that stop a
question from going to review are ``Question.publication_problems()``; these forms only
refuse what cannot be saved (a reply leading nowhere).
"""

import re
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from ..languages import language_label
from ..models import Ending, QuestionKind, Reply, Spot, Turn
from .forms import AutoPositions, Bilingual
from .ordering import AnsweredKeepPlaces, Reorderable

REPLIES = (1, 2, 3)
LANGS = ("en", "zh_hans")


def reply_field(n, name):
    return f"reply_{n}_{name}"


class KeyInput(forms.TextInput):
    """Where a reply leads: a key, typed, with the question's saved turns and endings
    offered as the officer types (an HTML datalist, no JavaScript). A turn or ending
    added in the same form is not among them yet; its key is typed as written."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.suggestions = ()  # (key, label), set by the turns' formset

    def render(self, name, value, attrs=None, renderer=None):
        if not self.suggestions or not attrs or not attrs.get("id"):
            return super().render(name, value, attrs, renderer)
        list_id = f"{attrs['id']}-keys"
        field = super().render(name, value, {**attrs, "list": list_id}, renderer)
        options = format_html_join("", '<option value="{}" label="{}"></option>', self.suggestions)
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, options)


class TurnForm(forms.ModelForm):
    """A turn with its replies: reply_N_text_en, reply_N_text_zh_hans and reply_N_next."""

    for _n in REPLIES:
        for _lang in LANGS:
            locals()[reply_field(_n, f"text_{_lang}")] = forms.CharField(
                required=False, max_length=300
            )
        locals()[reply_field(_n, "next")] = forms.CharField(
            required=False, max_length=60, widget=KeyInput
        )
    del _n, _lang

    class Meta:
        model = Turn
        fields = ("key", "position", "says", "tactic", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in REPLIES:
            for name in ("text_en", "text_zh_hans", "next"):
                # Refused when too long, never cut by the browser (``Bilingual``).
                self.fields[reply_field(n, name)].widget.attrs.pop("maxlength", None)
            # "Reply 1 (English)", "回复 1（中文）": labelled as the model's own fields.
            for lang in LANGS:
                self.fields[reply_field(n, f"text_{lang}")].label = language_label(
                    gettext("Reply %(n)s") % {"n": n}, lang.replace("_", "-")
                )
            self.fields[reply_field(n, "next")].label = gettext("Reply %(n)s leads to") % {"n": n}
            self.fields[reply_field(n, "next")].help_text = gettext(
                "The key of a turn or of an ending: the saved ones are offered as you type."
            )
        if self.instance.pk:
            for reply in self.instance.replies.all():
                if reply.position not in REPLIES:
                    continue
                for lang in LANGS:
                    self.initial[reply_field(reply.position, f"text_{lang}")] = getattr(
                        reply, f"text_{lang}"
                    )
                target = reply.next_turn or reply.next_ending
                self.initial[reply_field(reply.position, "next")] = target.key if target else ""

    def replies(self):
        """[(position, {lang: text}, next key)] as entered, blank replies left out."""
        found = []
        for n in REPLIES:
            texts = {lang: self.cleaned_data.get(reply_field(n, f"text_{lang}")) for lang in LANGS}
            target = self.cleaned_data.get(reply_field(n, "next"))
            if any(texts.values()) or target:
                found.append((n, texts, target))
        return found


class TurnFormSet(AnsweredKeepPlaces, AutoPositions):
    """Every reply leads to a turn or an ending of this question; keys are unique across
    turns and endings. Replies are written after the turns, so that a reply may lead to a
    turn added in the same form. Turns that learners replied at keep their places."""

    answered_through = "steps"

    @cached_property
    def suggestions(self):
        """(key, label) of the question's saved turns and endings, for the replies'
        "leads to" fields: the turn's first words, or the ending's outcome (the turns
        come from the formset's own rows; 1 query for the endings)."""
        turns = [
            (turn.key, f"{turn.key}: {Truncator(' '.join(turn.says.split())).chars(40)}")
            for turn in self.get_queryset()
        ]
        endings = []
        if self.instance.pk is not None:
            endings = [
                (ending.key, f"{ending.key}: {ending.get_outcome_display()}")
                for ending in self.instance.endings.all()
            ]
        return turns + endings

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for n in REPLIES:
            form.fields[reply_field(n, "next")].widget.suggestions = self.suggestions

    def kept(self):
        return [
            f
            for f in self.forms
            if hasattr(f, "cleaned_data") and f.cleaned_data and not self._should_delete_form(f)
        ]

    def ending_keys(self):
        """The endings' keys as submitted in the same form (the endings inline)."""
        keys, prefix = set(), "endings"
        for name, value in self.data.items():
            match = re.fullmatch(rf"{prefix}-(\d+)-key", name)
            if match and not self.data.get(f"{prefix}-{match[1]}-DELETE"):
                keys.add(value)
        submitted = any(re.fullmatch(rf"{prefix}-\d+-key", n) for n in self.data)
        if not submitted and self.instance.pk:
            keys = set(self.instance.endings.values_list("key", flat=True))
        return keys

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        turn_keys = {f.cleaned_data.get("key") for f in self.kept()}
        ending_keys = self.ending_keys()
        if turn_keys & ending_keys:
            raise ValidationError(_("A turn and an ending cannot share a key."))
        for form in self.kept():
            for n, texts, target in form.replies():
                if not target:
                    form.add_error(reply_field(n, "next"), _("Say where this reply leads."))
                elif target not in turn_keys | ending_keys:
                    form.add_error(reply_field(n, "next"), _("No turn or ending has this key."))
                elif not any(texts.values()):
                    form.add_error(reply_field(n, "text_en"), _("Write the reply."))

    def save(self, commit=True):
        saved = super().save(commit)
        if commit:
            self.save_replies()
        else:
            save_m2m = self.save_m2m

            def save_m2m_and_replies():
                save_m2m()
                self.save_replies()

            self.save_m2m = save_m2m_and_replies
        return saved

    def save_replies(self):
        turns = {t.key: t for t in self.instance.turns.all()}
        endings = {e.key: e for e in self.instance.endings.all()}
        for form in self.kept():
            turn = form.instance
            if turn.pk is None or not form.has_changed():
                continue
            existing = {r.position: r for r in turn.replies.all()}
            entered = {n: (texts, target) for n, texts, target in form.replies()}
            for n in REPLIES:
                if n not in entered:
                    if n in existing:
                        existing[n].delete()
                    continue
                texts, target = entered[n]
                reply = existing.get(n) or Reply(turn=turn, position=n)
                for lang in LANGS:
                    setattr(reply, f"text_{lang}", texts[lang] or "")
                reply.next_turn = turns.get(target)
                reply.next_ending = None if target in turns else endings.get(target)
                reply.save()


class KindField(forms.TypedChoiceField):
    """The question's kind; a form that leaves it out keeps choosing an answer."""

    def __init__(self, field):
        super().__init__(
            choices=field.choices,
            required=False,
            label=field.label,
            help_text=field.help_text,
            empty_value=QuestionKind.CHOICE,
        )
        self.initial = field.initial


class PartFormSet(AnsweredKeepPlaces, AutoPositions):
    """Parts to spot, or endings: moved with buttons until learners answered with them."""


class SpotInline(Reorderable, Bilingual, TranslationStackedInline):
    model = Spot
    formset = PartFormSet
    extra = 0
    fields = ("position", "text", "red_flag", "explanation")
    both_required = ("text", "explanation")


class EndingInline(Reorderable, Bilingual, TranslationStackedInline):
    model = Ending
    formset = PartFormSet
    extra = 0
    fields = ("key", "position", "outcome", "loss", "text")
    both_required = ("text",)


class TurnInline(Reorderable, Bilingual, TranslationStackedInline):
    model = Turn
    form = TurnForm
    formset = TurnFormSet
    extra = 0
    both_required = ("says",)
    fields = (
        "key",
        "position",
        "says",
        "tactic",
        "note",
        *(reply_field(n, name) for n in REPLIES for name in ("text_en", "text_zh_hans", "next")),
    )
