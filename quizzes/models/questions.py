"""Scenarios: what the learner sees, the choices and their feedback."""

import unicodedata

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import scenes
from ..languages import in_any_language
from .content import Channel, Lesson, RedFlag, Reminder
from .kinds import QuestionKind as Kind
from .kinds import conversation_problems, spot_problems
from .workflow import (
    Publishable,
    PublishableQuerySet,
    every_language_problem,
    missing_translations,
)


class QuestionQuerySet(PublishableQuerySet):
    def published(self):
        """Published questions of published lessons."""
        return (
            super()
            .published()
            .filter(lesson__in=Lesson.objects.published())
            .order_by("lesson__position", "position")
        )


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class Surface(models.TextChoices):
    """Where a scenario's QR code is printed (QR codes only)."""

    POSTER = "poster", _("Poster")
    STICKER = "sticker", _("Sticker on a table or counter")
    PARCEL = "parcel", _("Parcel")


CLOCK_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _wide(character):
    return unicodedata.east_asian_width(character) in "WF"


def _in_a_word(text, at):
    """Whether cutting ``text`` at ``at`` splits a word of a spaced script (English,
    a number, a web address's name); Chinese is cut between any two characters."""
    return all((ch.isalnum() or ch in "'’-") and not _wide(ch) for ch in (text[at - 1], text[at]))


def shorten(text, width):
    """``text`` on one line, cut to about ``width`` columns before a word it would split,
    with an ellipsis. A Chinese character takes two columns, as on screen; a single word
    longer than the whole (a web address) is cut where it must be."""
    text = " ".join(text.split())
    used, cut = 0, None
    for at, character in enumerate(text):
        used += 2 if _wide(character) else 1
        if used > width:
            cut = at
            break
    if cut is None:
        return text
    end = cut
    while end > 0 and _in_a_word(text, end):
        end -= 1
    head = text[: end or cut].rstrip(" ,.;:!?-—，。；：！？、")
    return f"{head}…"


class Question(Publishable):
    """A scenario: what the learner sees, and what they should do."""

    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="questions"
    )
    slug = models.SlugField(_("slug"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position in the lesson"))
    kind = models.CharField(
        _("kind of question"), max_length=20, choices=Kind.choices, default=Kind.CHOICE
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    setup = models.TextField(_("situation"), blank=True, help_text=_("Optional scene-setting."))
    direction = models.CharField(
        _("call direction"),
        max_length=10,
        choices=Direction.choices,
        default=Direction.INCOMING,
        help_text=_("Calls only: did the learner receive the call or make it?"),
    )
    time = models.CharField(
        _("time shown"),
        max_length=5,
        blank=True,
        validators=[RegexValidator(CLOCK_TIME, _('A clock time such as "10:42".'))],
        help_text=_('Clock time on the screen, such as "10:42".'),
    )
    subject = models.CharField(_("e-mail subject"), max_length=200, blank=True)
    sender_number = models.CharField(
        _("sender number or address"),
        max_length=120,
        blank=True,
        help_text=_("Phone number, short code, e-mail address or account ID as shown."),
    )
    sender_name = models.CharField(
        _("sender name"), max_length=120, blank=True, help_text=_("Account or caller name shown.")
    )
    body = models.TextField(
        _("message"),
        help_text=_('For calls, one turn per line as "Speaker: words".'),
    )
    link = models.CharField(
        _("link or web address"), max_length=500, blank=True, help_text=_("Shown as text only.")
    )
    qr_payload = models.CharField(_("QR code content"), max_length=500, blank=True)
    surface = models.CharField(
        _("where the QR code is"),
        max_length=10,
        choices=Surface.choices,
        default=Surface.POSTER,
        help_text=_("QR codes only: a poster, a sticker on a table or counter, or a parcel."),
    )
    prompt = models.CharField(_("prompt"), max_length=200)
    is_scam = models.BooleanField(_("is a scam"), default=True)
    red_flags = models.ManyToManyField(
        RedFlag, blank=True, related_name="questions", verbose_name=_("red flags")
    )
    explanation = models.TextField(_("explanation"))
    reminder = models.ForeignKey(
        Reminder,
        verbose_name=_("police reminder shown with the feedback"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["lesson__position", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "slug"], name="question_slug_unique"),
            models.UniqueConstraint(
                fields=["lesson", "position"], name="question_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(surface__in=Surface.values), name="question_surface_known"
            ),
        ]

    def __str__(self):
        """Its lesson and the start of what the learner reads: how officers know it."""
        # A draft may be written in Chinese only.
        text = Truncator(" ".join(in_any_language(self, "body").split())).chars(48)
        return f"{self.lesson} · {text}" if self.lesson_id else text

    def parts(self):
        """What a question of another kind than choosing an answer is made of: its parts
        to spot, or its turns, their replies and its endings (up to 3 queries)."""
        if self.pk is None:
            return []
        if self.kind == Kind.SPOT:
            return list(self.spots.all())
        if self.kind == Kind.CONVERSATION:
            turns = list(self.turns.prefetch_related("replies"))
            return [*turns, *(r for t in turns for r in t.replies.all()), *self.endings.all()]
        return []

    def missing_languages(self, choices=None, parts=None):
        """Its texts, and its reminder's and its choices' or parts', left empty in a
        language: a draft may be written in one (a few queries unless ``choices`` and
        ``parts`` are given and the reminder is loaded)."""
        if choices is None:
            choices = list(self.choices.all()) if self.kind == Kind.CHOICE else []
        parts = self.parts() if parts is None else parts
        missing = missing_translations(self, ("body", "prompt", "explanation"))
        # Its police reminder may be another lesson's, still a draft in one language.
        if self.reminder is not None:
            missing += missing_translations(self.reminder, ("text", "authority"))
        for choice in choices:
            missing += missing_translations(choice, ("text", "feedback"))
        for part in parts:
            fields = [f for f in ("says", "text", "explanation") if hasattr(part, f"{f}_en")]
            missing += missing_translations(part, fields)
        return missing

    def short_label(self, width=64):
        """How an officer picks it out of a long list: its kind and the start of its
        message, in the active language (no query)."""
        return gettext("%(kind)s · %(start)s") % {
            "kind": self.get_kind_display(),
            "start": shorten(self.gist, width),
        }

    def publication_problems(self, choices=None):
        """What stops this question from going to review or being published."""
        choices = list(self.choices.all()) if choices is None else choices
        problems = []
        if self.kind == Kind.SPOT:
            choices = []
            parts = list(self.spots.all()) if self.pk else []
            problems += spot_problems(self, parts)
        elif self.kind == Kind.CONVERSATION:
            choices = []
            turns = list(self.turns.prefetch_related("replies")) if self.pk else []
            endings = list(self.endings.all()) if self.pk else []
            problems += conversation_problems(turns, endings)
            parts = [*turns, *(r for t in turns for r in t.replies.all()), *endings]
        else:
            parts = []
        if self.kind == Kind.CHOICE and len(choices) < 2:
            problems.append(_("A question needs at least two choices."))
        if self.kind == Kind.CHOICE and sum(1 for c in choices if c.is_correct) != 1:
            problems.append(_("A question needs exactly one correct choice."))
        if self.is_scam and self.pk and not self.red_flags.exists():
            problems.append(_("A scam question needs at least one red flag."))
        missing = self.missing_languages(choices, parts)
        if missing:
            problems.append(every_language_problem(missing))
        if self.channel == Channel.QR and not self.qr_payload:
            problems.append(_("A QR-code question needs the content of its code."))
        if self.channel == Channel.WEB and not self.link:
            problems.append(_("A web-page question needs the address shown in the browser."))
        if not self.sender_number and not (self.sender_name_en or self.sender_name_zh_hans):
            problems.append(_("Say who the message or call seems to come from."))
        return problems + self.item_writing_problems(choices)

    def curriculum_shape(self, choices):
        """This question as the curriculum files write one (what the item-writing rules read)."""
        langs = ("en", "zh_hans")
        return {
            "slug": self.slug,
            "kind": self.kind,
            "channel": self.channel,
            "direction": getattr(self, "direction", "") or "incoming",
            **{
                name: {lang: getattr(self, f"{name}_{lang}") or "" for lang in langs}
                for name in ("setup", "body", "prompt", "explanation")
            },
            "choices": [
                {
                    "text": {lang: getattr(c, f"text_{lang}") or "" for lang in langs},
                    "feedback": {lang: getattr(c, f"feedback_{lang}") or "" for lang in langs},
                    "correct": c.is_correct,
                }
                for c in choices
            ],
        }

    def item_writing_problems(self, choices):
        """The item-writing rules (quizzes/curriculum/README.md) for an officer's question: the
        same check as the shipped files, this question's own rules and its lesson's share of
        questions whose correct choice is the longest, counting this question in."""
        from ..curriculum.quality import question_problems, set_problems

        shape = self.curriculum_shape(choices)
        # On the question's own page: "this question", not its slug (English to a
        # Chinese officer, and no help where the officer already is).
        problems = question_problems(shape, where=_("this question"))
        if self.lesson_id:
            others = (
                Question.objects.filter(lesson_id=self.lesson_id)
                .exclude(pk=self.pk)
                .exclude(status="archived")
                .prefetch_related("choices")
            )
            lesson_set = [q.curriculum_shape(q.choices.all()) for q in others] + [shape]
            problems += set_problems(_("this lesson"), lesson_set)
        return problems

    # --- What the screen shows (quizzes/scenes.py parses the body) ---------------------

    @property
    def gist(self):
        """The body as one line of plain text, the mockup's markup left out (a field's
        or a button's words stay): for naming the question in a list."""
        lines = []
        for line in (self.body or "").splitlines():
            element = scenes.ELEMENT_LINE.match(line.strip())
            lines.append(element.group(2) if element else line.strip())
        return " ".join(line for line in lines if line)

    def screen(self, spots=()):
        """The body as the screen's lines (scenes.Line); ``spots`` are (text, spot) pairs
        to mark as candidate parts in tap-the-red-flag questions. No query. A link kept in
        ``link`` rather than the body (older items) ends the message, once."""
        lines = scenes.parse(self.body, self.channel, spots)
        if self.link and self.channel != "web" and self.link not in self.body:
            lines += scenes.parse(self.link, self.channel)
        return lines

    def scene_context(self, spots=(), reveal=False, thread=(), marked=()):
        """The context of includes/scenario.html: the question and its parsed screen.
        With ``spots`` each candidate part is a checkbox (before answering); ``reveal``
        highlights them (after), with a tick on those in ``marked`` (the learner's).
        ``thread``: a conversation's turns and replies so far (``Conversation.thread``),
        drawn after the body in the same chat or call."""
        screen = self.screen([(spot.text, spot) for spot in spots]) + list(thread)
        return {
            "question": self,
            "screen": screen,
            "screen_bubbles": scenes.bubbles(screen),
            "screen_has_buttons": any(line.element == "button" for line in screen),
            # A call's length grows with the conversation's turns.
            "call_duration": self.call_duration(screen) if self.channel == "call" else "",
            "marking": bool(spots) and not reveal,
            "reveal": reveal,
            "marked": marked if reveal else (),
        }

    @property
    def qr_piece(self):
        return scenes.Piece(self.qr_payload, link=True)

    @property
    def sender(self):
        """Who the screen says it is from: the name, the number, or both."""
        if self.sender_name and self.sender_number:
            # Chinese takes full-width brackets: 市公安局（021-2288 0110）.
            return gettext("%(name)s (%(number)s)") % {
                "name": self.sender_name,
                "number": self.sender_number,
            }
        return self.sender_name or self.sender_number

    @property
    def counterpart(self):
        """Who speaks to the learner in a call or chat: the first speaker of the body who
        is not the learner, else the sender shown."""
        speaker = next(
            (line.speaker for line in self.screen() if line.speaker and not line.mine), ""
        )
        return speaker or self.sender_name or self.sender_number

    @property
    def avatar_initial(self):
        return (self.sender_name or self.sender_number or "?")[:1].upper()

    def address_parts(self):
        return scenes.address_parts(self.link)

    def call_duration(self, screen=None):
        """A plausible call length for the transcript so far (``screen``, else the body),
        "m:ss": about 3 words or 5 Chinese characters a second."""
        screen = self.screen() if screen is None else screen
        text = " ".join(line.text for line in screen)
        han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        seconds = max(8, round(han / 5 + len(text.split()) / 3))
        return f"{seconds // 60}:{seconds % 60:02d}"

    def caption(self):
        """The scenario's figure caption, read first by screen readers: what it is, from
        whom, and when ("Text message from 1069 0000, received 10:42")."""
        who = self.sender or gettext("an unknown sender")
        if self.channel == "call":
            if self.direction == Direction.OUTGOING:
                text = gettext("A call you made to %(who)s") % {"who": who}
            else:
                text = gettext("Incoming call from %(who)s") % {"who": who}
        elif self.channel == "web":
            # The domain only: the address bar shows the whole address, once.
            domain = self.address_parts()[1] or self.link
            text = gettext("Web page at %(address)s") % {"address": domain or who}
        elif self.channel == "qr" and self.surface == Surface.STICKER:
            text = gettext("A QR code sticker: %(who)s") % {"who": who}
        elif self.channel == "qr" and self.surface == Surface.PARCEL:
            text = gettext("A QR code on a parcel: %(who)s") % {"who": who}
        elif self.channel == "qr":
            text = gettext("A QR code on a poster: %(who)s") % {"who": who}
        elif self.channel == "screen_share":
            text = gettext("Screen-sharing request from %(who)s") % {"who": who}
        elif self.channel == "app_install":
            text = gettext("App installation prompt: %(who)s") % {"who": who}
        elif self.channel == "email":
            text = gettext("E-mail from %(who)s") % {"who": who}
        elif self.channel == "chat":
            text = gettext("Chat with %(who)s") % {"who": who}
        else:
            text = gettext("Text message from %(who)s") % {"who": who}
        if self.time:
            text = gettext("%(what)s, at %(time)s") % {"what": text, "time": self.time}
        return text

    def qr_training_url(self):
        """What a scenario's QR code encodes: our own training page, never the fake
        address (SITE_URL + the page's path)."""
        path = reverse("quizzes:qr-training", args=[self.pk])
        return settings.SITE_URL.rstrip("/") + path


class Choice(models.Model):
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("text"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(_("feedback"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "position"], name="choice_position_unique"
            ),
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(is_correct=True),
                name="one_correct_choice_per_question",
            ),
        ]

    def __str__(self):
        return in_any_language(self, "text")
