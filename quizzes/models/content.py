"""What citizens read: the shared vocabulary (sources, red flags, legal references) and
lessons with their steps, police reminders and cases. Questions live in ``questions.py``."""

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..languages import in_any_language
from ..numbers import whole_number
from .workflow import (
    Action,
    Publishable,
    PublishableQuerySet,
    Stamped,
    Status,
    WorkflowError,
    every_language_problem,
    missing_translations,
)


class Channel(models.TextChoices):
    SMS = "sms", _("Text message")
    CALL = "call", _("Phone call")
    CHAT = "chat", _("Chat app")
    WEB = "web", _("Web page")
    QR = "qr", _("QR code")
    SCREEN_SHARE = "screen_share", _("Screen sharing")
    APP_INSTALL = "app_install", _("App installation")
    EMAIL = "email", _("E-mail")


class Source(Stamped):
    """A document the curriculum takes its facts from."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=300)
    published = models.CharField(
        _("published"), max_length=10, blank=True, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return f"{self.code}: {self.title}"


class RedFlag(Stamped):
    """A warning sign shared by lessons and questions."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["title"]
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")

    def __str__(self):
        return self.title


class LegalReference(Stamped):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))

    class Meta:
        ordering = ["slug"]
        verbose_name = _("legal reference")
        verbose_name_plural = _("legal references")

    def __str__(self):
        return self.title


def _questions():
    """The Question model, reached through the relation (it lives in ``questions.py``,
    which imports this file)."""
    return Lesson.questions.field.model


class LessonQuerySet(PublishableQuerySet):
    def for_home(self):
        """Published lessons in order, with the channels of their published questions."""
        return self.published().prefetch_related(
            models.Prefetch(
                "questions",
                queryset=_questions().objects.published().only("id", "lesson_id", "channel"),
                to_attr="public_questions",
            )
        )

    def for_page(self):
        """Published lessons with everything the lesson page shows, in a fixed query count."""
        return self.published().with_page_content(_questions().objects.published())

    def with_page_content(self, questions=None):
        """Everything the lesson page shows; ``questions`` picks which count as its quiz
        (every question, for a staff preview)."""
        questions = _questions().objects.all() if questions is None else questions
        return self.prefetch_related(
            "steps",
            "red_flags",
            "legal_references",
            "sources",
            models.Prefetch("reminders", queryset=Reminder.objects.prefetch_related("sources")),
            models.Prefetch("cases", queryset=Case.objects.select_related("source")),
            models.Prefetch(
                "questions",
                queryset=questions.only("id", "lesson_id", "channel"),
                to_attr="public_questions",
            ),
        )


class Lesson(Publishable):
    """One scam type: how it unfolds, its red flags, cases, reminders and the law."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position on the home page"))
    red_flags = models.ManyToManyField(
        RedFlag, blank=True, related_name="lessons", verbose_name=_("red flags")
    )
    legal_references = models.ManyToManyField(
        LegalReference, blank=True, related_name="lessons", verbose_name=_("legal basis")
    )
    sources = models.ManyToManyField(
        Source, blank=True, related_name="lessons", verbose_name=_("sources")
    )

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        constraints = [
            models.UniqueConstraint(fields=["position"], name="lesson_position_unique"),
        ]
        # Workflow and workspace permissions; the Authors, Reviewers and Analysts groups
        # hold them (migration 0002).
        permissions = [
            ("submit_content", _("Can submit lessons and questions for review")),
            ("review_content", _("Can approve, publish, send back and unpublish content")),
            ("view_statistics", _("Can see question statistics")),
            ("export_content", _("Can export the curriculum and anonymised answers")),
            ("import_content", _("Can import the curriculum")),
        ]

    def __str__(self):
        # A draft may have its title in Chinese only.
        return in_any_language(self, "title")

    def get_absolute_url(self):
        return reverse("quizzes:lesson", args=[self.slug])

    def missing_languages(self, steps=None, reminders=None):
        """Its texts, and its steps' and reminders', left empty in a language: a draft may
        be written in one (2 queries unless ``steps`` and ``reminders`` are given)."""
        steps = self.steps.all() if steps is None else steps
        reminders = self.reminders.all() if reminders is None else reminders
        missing = missing_translations(self, ("title", "summary"))
        for step in steps:
            missing += missing_translations(step, ("text",))
        for reminder in reminders:
            missing += missing_translations(reminder, ("text", "authority"))
        return missing

    def publication_problems(self):
        """What stops this lesson from going to review or being published."""
        problems = []
        steps = list(self.steps.all())
        reminders = list(self.reminders.all())
        missing = self.missing_languages(steps, reminders)
        if missing:
            problems.append(every_language_problem(missing))
        if not steps:
            problems.append(_("A lesson needs at least one step."))
        if not reminders:
            problems.append(_("A lesson needs at least one police reminder."))
        if not self.red_flags.exists():
            problems.append(_("A lesson needs at least one red flag."))
        return problems

    def questions_to_submit(self, user):
        """This author's complete draft questions of the lesson, which can go to review
        with it in one step (a few queries per draft question)."""
        return [
            question
            for question in self.questions.filter(status=Status.DRAFT).order_by("position")
            if user.pk in question.author_ids() and not question.publication_problems()
        ]

    def submit_with_questions(self, user, question_ids, comment=""):
        """Submits the lesson, and with it those of ``question_ids`` that are this
        author's complete drafts (returned); the reviewer then approves them together."""
        from .. import notifications

        wanted = {n for pk in question_ids if (n := whole_number(str(pk))) is not None}
        # Reviewers get one e-mail listing the lesson and its questions.
        with notifications.digest(), transaction.atomic():
            self.transition(Action.SUBMIT, user, comment)
            questions = [q for q in self.questions_to_submit(user) if q.pk in wanted]
            for question in questions:
                question.transition(Action.SUBMIT, user, comment)
        return questions

    def questions_going_live(self, user):
        """The questions in review that approving this lesson publishes with it: complete
        and not written by ``user`` (a few queries per question)."""
        return [
            question
            for question in self.questions.filter(status=Status.REVIEW).order_by("position")
            if not question.publication_problems() and user.pk not in question.author_ids()
        ]

    def transition(self, action, user, comment=""):
        """As ``Publishable.transition``; approving also publishes the questions that are
        ready (returned), and needs at least one public question."""
        if action != Action.APPROVE:
            return super().transition(action, user, comment)
        if not user.has_perm("quizzes.review_content"):
            raise PermissionDenied
        if user.pk in self.author_ids():
            raise WorkflowError(_("You changed this item. Another reviewer must approve it."))
        going = self.questions_going_live(user)
        if not going and not self.questions.filter(status=Status.PUBLISHED).exists():
            raise WorkflowError(
                _(
                    "A lesson needs at least one public question: approve or complete one "
                    "of its questions (written by someone else) first."
                )
            )
        from .. import notifications

        # Its authors get one e-mail listing the lesson and the questions published with it.
        with notifications.digest(), transaction.atomic():
            super().transition(action, user, comment)
            for question in going:
                question.transition(Action.APPROVE, user, comment)
        return going

    @property
    def channels(self):
        """Channels used by the lesson's published questions (needs ``for_home()``)."""
        seen = dict.fromkeys(q.channel for q in self.public_questions)
        return [Channel(c) for c in seen]


class LessonStep(models.Model):
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "position"], name="step_position_unique"),
        ]

    def __str__(self):
        return f"{self.lesson_id}.{self.position}"


class ReminderQuerySet(models.QuerySet):
    def general(self):
        return self.filter(lesson__isnull=True)


class Reminder(Stamped):
    """A police reminder: general (no lesson) or about one scam type."""

    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    lesson = models.ForeignKey(
        Lesson,
        verbose_name=_("lesson"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        help_text=_("Leave empty for a general reminder."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("text"))
    authority = models.CharField(_("issuing authority"), max_length=200)
    sources = models.ManyToManyField(
        Source, blank=True, related_name="reminders", verbose_name=_("sources")
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("police reminder")
        verbose_name_plural = _("police reminders")

    def __str__(self):
        return in_any_language(self, "text")[:80]


class Case(models.Model):
    """A real case reported in one of the sources."""

    lesson = models.ForeignKey(
        Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE, related_name="cases"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    story = models.TextField(_("what happened"))
    place = models.CharField(_("place"), max_length=200)
    loss = models.PositiveIntegerField(_("loss in yuan"), null=True, blank=True)
    occurred = models.CharField(
        _("when"), max_length=10, blank=True, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD")
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="cases"
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "position"], name="case_position_unique"),
        ]

    def __str__(self):
        return self.title
