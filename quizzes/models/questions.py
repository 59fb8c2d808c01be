"""Scenarios: what the learner sees, the choices and their feedback."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .content import Channel, Lesson, RedFlag, Reminder
from .workflow import Publishable, PublishableQuerySet, missing_translations


class QuestionQuerySet(PublishableQuerySet):
    def published(self):
        """Published questions of published lessons."""
        return (
            super()
            .published()
            .filter(lesson__in=Lesson.objects.published())
            .order_by("lesson__position", "position")
        )


class Question(Publishable):
    """A scenario: what the learner sees, and what they should do."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="questions")
    slug = models.SlugField(_("slug"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position in the lesson"))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    setup = models.TextField(_("situation"), blank=True, help_text=_("Optional scene-setting."))
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
    prompt = models.CharField(_("prompt"), max_length=200)
    is_scam = models.BooleanField(_("is a scam"), default=True)
    red_flags = models.ManyToManyField(RedFlag, blank=True, related_name="questions")
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
        constraints = [
            models.UniqueConstraint(fields=["lesson", "slug"], name="question_slug_unique"),
            models.UniqueConstraint(
                fields=["lesson", "position"], name="question_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.lesson.slug}/{self.slug}" if self.lesson_id else self.slug

    def publication_problems(self, choices=None):
        """What stops this question from going to review or being published."""
        choices = list(self.choices.all()) if choices is None else choices
        problems = []
        if len(choices) < 2:
            problems.append(_("A question needs at least two choices."))
        if sum(1 for c in choices if c.is_correct) != 1:
            problems.append(_("A question needs exactly one correct choice."))
        if self.is_scam and self.pk and not self.red_flags.exists():
            problems.append(_("A scam question needs at least one red flag."))
        missing = missing_translations(self, ("body", "prompt", "explanation"))
        for choice in choices:
            missing += missing_translations(choice, ("text", "feedback"))
        if missing:
            problems.append(
                _("Fill in every language: %(fields)s.")
                % {"fields": ", ".join(sorted(set(map(str, missing))))}
            )
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
        problems = question_problems(shape)
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

    def transcript(self):
        """The body as (speaker, words) turns; a line without a speaker has speaker ""."""
        turns = []
        for line in self.body.splitlines():
            line = line.strip()
            if not line:
                continue
            for sep in ("：", ":"):
                speaker, found, words = line.partition(sep)
                if found and 0 < len(speaker) <= 20 and "http" not in speaker:
                    turns.append((speaker.strip(), words.strip()))
                    break
            else:
                turns.append(("", line))
        return turns


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("text"), max_length=300)
    is_correct = models.BooleanField(_("correct"), default=False)
    feedback = models.TextField(_("feedback"))

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("choice")
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
        return self.text
