"""The curriculum (lessons, red flags, scenarios) and what learners do with it.

Content models carry a workflow status; citizens only ever reach rows that
``published()`` returns. Progress is never stored as a score: it is computed from
``Answer`` rows, one per answered question in a run.
"""

import uuid
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, models, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MASTERY_THRESHOLD = 0.8  # share of right answers in the latest finished run of a lesson
MIXED_PRACTICE_SIZE = 5
# Positions are PositiveSmallIntegerFields; a larger one in a URL finds nothing.
MAX_RUN_SIZE = 32767


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Channel(models.TextChoices):
    SMS = "sms", _("Text message")
    CALL = "call", _("Phone call")
    CHAT = "chat", _("Chat app")
    WEB = "web", _("Web page")
    QR = "qr", _("QR code")
    SCREEN_SHARE = "screen_share", _("Screen sharing")
    EMAIL = "email", _("E-mail")


class Stamped(models.Model):
    """Who changed an authored row last and when. The curriculum loader leaves rows with
    an ``updated_by`` alone: a person edited them in the admin."""

    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


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

    def __str__(self):
        return self.title


class LegalReference(Stamped):
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))

    class Meta:
        ordering = ["slug"]
        verbose_name = _("legal reference")

    def __str__(self):
        return self.title


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """What citizens may see: published and not past its "valid until" date."""
        today = timezone.localdate()
        return self.filter(status=Status.PUBLISHED).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit for review")
    APPROVE = "approve", _("Approve and publish")
    SEND_BACK = "send_back", _("Send back to the author")
    UNPUBLISH = "unpublish", _("Unpublish")
    REOPEN = "reopen", _("Reopen as a draft")
    EDITED = "edited", _("Edited after publication: back to review")


# action: (from status, to status, permission needed)
WORKFLOW = {
    Action.SUBMIT: (Status.DRAFT, Status.REVIEW, "quizzes.submit_content"),
    Action.APPROVE: (Status.REVIEW, Status.PUBLISHED, "quizzes.review_content"),
    Action.SEND_BACK: (Status.REVIEW, Status.DRAFT, "quizzes.review_content"),
    Action.UNPUBLISH: (Status.PUBLISHED, Status.ARCHIVED, "quizzes.review_content"),
    Action.REOPEN: (Status.ARCHIVED, Status.DRAFT, "quizzes.submit_content"),
}


class WorkflowError(Exception):
    """A transition that the workflow does not allow; the message says why."""


def missing_translations(obj, fields):
    """Names of translated fields left empty in a language."""
    from django.conf import settings as conf

    langs = [code.replace("-", "_") for code in conf.MODELTRANSLATION_LANGUAGES]
    return [
        f"{obj._meta.get_field(f'{name}_{lang}').verbose_name}"
        for name in fields
        for lang in langs
        if not (getattr(obj, f"{name}_{lang}") or "").strip()
    ]


class Publishable(Stamped):
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("After this date the item leaves the public site until it is reviewed."),
    )

    class Meta:
        abstract = True

    @property
    def is_public(self):
        return self.status == Status.PUBLISHED and not self.is_expired

    @property
    def is_expired(self):
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    def available_actions(self, user):
        """Workflow actions this user may take now."""
        return [
            action
            for action, (source, _target, perm) in WORKFLOW.items()
            if self.status == source and user.has_perm(perm)
        ]

    def transition(self, action, user, comment=""):
        """Move along the workflow and record who did it, when and why.

        Raises PermissionDenied without the role's permission and WorkflowError when the
        workflow refuses: wrong status, approving one's own edit (two-person rule),
        sending back without a comment, or content not ready for review.
        """
        source, target, perm = WORKFLOW[action]
        if not user.has_perm(perm):
            raise PermissionDenied
        if self.status != source:
            raise WorkflowError(
                _("This item is %(status)s; it cannot be changed that way.")
                % {"status": self.get_status_display().lower()}
            )
        if action == Action.APPROVE and self.updated_by_id == user.pk:
            raise WorkflowError(_("You changed this item last. Another reviewer must approve it."))
        if action == Action.SEND_BACK and not comment.strip():
            raise WorkflowError(_("Say what needs changing when you send an item back."))
        if action in (Action.SUBMIT, Action.APPROVE):
            problems = self.publication_problems()
            if problems:
                raise WorkflowError(" ".join(str(p) for p in problems))
        self._move(action, target, user, comment)

    def record_edit(self, user):
        """An edit to a published item sends it back to review, so citizens never see
        unreviewed text. Returns True when that happened."""
        if self.status != Status.PUBLISHED:
            return False
        self._move(Action.EDITED, Status.REVIEW, user, "")
        return True

    @transaction.atomic
    def _move(self, action, target, user, comment):
        Transition.objects.create(
            **{self._meta.model_name: self},
            action=action,
            from_status=self.status,
            to_status=target,
            user=user,
            comment=comment.strip(),
        )
        self.status = target
        self.save(update_fields=["status"])


class LessonQuerySet(PublishableQuerySet):
    def for_home(self):
        """Published lessons in order, with the channels of their published questions."""
        return self.published().prefetch_related(
            models.Prefetch(
                "questions",
                queryset=Question.objects.published().only("id", "lesson_id", "channel"),
                to_attr="public_questions",
            )
        )

    def for_page(self):
        """Published lessons with everything the lesson page shows, in a fixed query count."""
        return self.published().with_page_content(Question.objects.published())

    def with_page_content(self, questions=None):
        """Everything the lesson page shows; ``questions`` picks which count as its quiz
        (every question, for a staff preview)."""
        questions = Question.objects.all() if questions is None else questions
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
    red_flags = models.ManyToManyField(RedFlag, blank=True, related_name="lessons")
    legal_references = models.ManyToManyField(
        LegalReference, blank=True, related_name="lessons", verbose_name=_("legal basis")
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="lessons")

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        verbose_name = _("lesson")
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
        return self.title

    def get_absolute_url(self):
        return reverse("quizzes:lesson", args=[self.slug])

    def publication_problems(self):
        """What stops this lesson from going to review or being published."""
        problems = []
        missing = missing_translations(self, ("title", "summary"))
        steps = list(self.steps.all())
        reminders = list(self.reminders.all())
        for step in steps:
            missing += missing_translations(step, ("text",))
        for reminder in reminders:
            missing += missing_translations(reminder, ("text", "authority"))
        if missing:
            problems.append(
                _("Fill in every language: %(fields)s.")
                % {"fields": ", ".join(sorted(set(map(str, missing))))}
            )
        if not steps:
            problems.append(_("A lesson needs at least one step."))
        if not reminders:
            problems.append(_("A lesson needs at least one police reminder."))
        if not self.red_flags.exists():
            problems.append(_("A lesson needs at least one red flag."))
        return problems

    @property
    def channels(self):
        """Channels used by the lesson's published questions (needs ``for_home()``)."""
        seen = dict.fromkeys(q.channel for q in self.public_questions)
        return [Channel(c) for c in seen]


class LessonStep(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("step")
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
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        help_text=_("Leave empty for a general reminder."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.TextField(_("text"))
    authority = models.CharField(_("issuing authority"), max_length=200)
    sources = models.ManyToManyField(Source, blank=True, related_name="reminders")

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("police reminder")

    def __str__(self):
        return self.text[:80]


class Case(models.Model):
    """A real case reported in one of the sources."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="cases")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("title"), max_length=200)
    story = models.TextField(_("what happened"))
    place = models.CharField(_("place"), max_length=200)
    loss = models.PositiveIntegerField(_("loss in yuan"), null=True, blank=True)
    occurred = models.CharField(
        _("when"), max_length=10, blank=True, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD")
    )
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="cases")

    class Meta:
        ordering = ["position"]
        verbose_name = _("case")
        constraints = [
            models.UniqueConstraint(fields=["lesson", "position"], name="case_position_unique"),
        ]

    def __str__(self):
        return self.title


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


class Transition(models.Model):
    """One step of a lesson's or a question's workflow: who, when, from what to what."""

    lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.CASCADE, related_name="transitions"
    )
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("workflow step")
        constraints = [
            models.CheckConstraint(
                condition=Q(lesson__isnull=False, question__isnull=True)
                | Q(lesson__isnull=True, question__isnull=False),
                name="transition_has_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"


# --- Learners and their progress ---------------------------------------------------


class Learner(models.Model):
    """Whoever takes quizzes: a pseudonymous record, tied to an account once they have one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="learner",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("learner")

    def __str__(self):
        return f"learner {self.pk}"

    @transaction.atomic
    def absorb(self, other):
        """Move another learner's runs into this one and delete it. Nothing is counted
        twice: runs are moved whole, and each answer belongs to exactly one run."""
        if other.pk == self.pk:
            return
        other.runs.update(learner=self)
        Answer.objects.filter(learner=other).update(learner=self)
        other.delete()
        # Both may have answered the same question: only the earliest stays a first attempt.
        earlier = Answer.objects.filter(learner=self, question=OuterRef("question")).filter(
            Q(answered_at__lt=OuterRef("answered_at"))
            | Q(answered_at=OuterRef("answered_at"), id__lt=OuterRef("id"))
        )
        Answer.objects.filter(learner=self).update(first_attempt=~Exists(earlier))

    def export_data(self):
        """Every run and answer of this learner, as plain data (2 queries)."""
        answers = defaultdict(list)
        for answer in self.answers.select_related("question__lesson", "choice").order_by(
            "answered_at", "id"
        ):
            answers[answer.run_id].append(
                {
                    "lesson": answer.question.lesson.slug,
                    "question": answer.question.slug,
                    "answer": answer.choice.text,
                    "correct": answer.is_correct,
                    "answered_at": answer.answered_at.isoformat(),
                }
            )
        return {
            "learner_since": self.created_at.isoformat(),
            "runs": [
                {
                    "lesson": run.lesson.slug if run.lesson else None,
                    "started_at": run.started_at.isoformat(),
                    "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                    "questions": run.size,
                    "answers": answers[run.pk],
                }
                for run in self.runs.select_related("lesson").order_by("started_at", "id")
            ],
        }

    def start_run(self, lesson=None):
        """A new run over a lesson's published questions, or a mixed practice set
        (2 queries for a lesson from ``Lesson.objects.for_home()``, as cached)."""
        if lesson is not None:
            published = getattr(lesson, "public_questions", None)  # prefetched by for_home()
            if published is None:
                published = lesson.questions.published().only("id")
            questions = [question.pk for question in published]
        else:
            questions = self.practice_question_ids()
        if not questions:
            return None
        with transaction.atomic():
            run = QuizRun.objects.create(learner=self, lesson=lesson, size=len(questions))
            RunQuestion.objects.bulk_create(
                RunQuestion(run=run, question_id=qid, position=i)
                for i, qid in enumerate(questions, 1)
            )
        return run

    def practice_question_ids(self, size=MIXED_PRACTICE_SIZE):
        """Questions from lessons not yet mastered: first those last answered wrong,
        then those never answered; random within each group (4 queries)."""
        mastered = {
            p.lesson.pk for p in self.progress_by_lesson() if p.status == LessonStatus.MASTERED
        }
        candidates = (
            Question.objects.published()
            .exclude(lesson__in=mastered)
            .order_by("?")
            .values_list("id", flat=True)
        )
        latest = self.latest_answers()
        wrong = [q for q in candidates if q in latest and not latest[q]]
        fresh = [q for q in candidates if q not in latest]
        rest = [q for q in candidates if latest.get(q)]
        return (wrong + fresh + rest)[:size]

    def latest_answers(self):
        """{question id: right or not} for each question's most recent answer (1 query)."""
        latest = {}
        rows = Answer.objects.filter(learner=self).order_by("answered_at", "id")
        for question_id, is_correct in rows.values_list("question_id", "is_correct"):
            latest[question_id] = is_correct
        return latest

    def runs_with_scores(self, lessons=()):
        """Every run as a RunSummary, oldest first, with its right answers (1 query).

        Plain rows, not model instances: a learner may have hundreds of runs, and the
        progress page should not cost more for them. ``lessons`` (the cached published
        lessons) names each run's lesson. Hand-written SQL (through ``raw()``, which
        converts the values): building the grouped ORM query cost more than running it.
        """
        by_id = {lesson.pk: lesson for lesson in lessons}
        quote = connections[router.db_for_read(QuizRun)].ops.quote_name
        sql = (
            "SELECT r.id, r.public_id, r.lesson_id, r.size, r.started_at, r.finished_at,"
            " (SELECT COUNT(*)"
            f" FROM {quote(Answer._meta.db_table)} a WHERE a.run_id = r.id AND a.is_correct)"
            " AS right_answers"
            f" FROM {quote(QuizRun._meta.db_table)} r"
            " WHERE r.learner_id = %s ORDER BY r.started_at, r.id"
        )
        return [
            RunSummary(
                run.public_id,
                run.lesson_id,
                run.size,
                run.right_answers,
                run.started_at,
                run.finished_at,
                lesson=by_id.get(run.lesson_id),
            )
            for run in QuizRun.objects.raw(sql, [self.pk])
        ]

    def activity(self):
        """A short text that changes whenever what the progress page shows could: any
        answer or run added or removed, any run finished (1 query, on indexes).

        Ids only grow, so with the counts a removal followed by an addition still
        changes it. The progress page is cached under it.
        """
        db = connections[router.db_for_read(Answer)]
        answers = db.ops.quote_name(Answer._meta.db_table)
        runs = db.ops.quote_name(QuizRun._meta.db_table)
        sql = (
            f"SELECT (SELECT COUNT(*) FROM {answers} WHERE learner_id = %s),"
            f" (SELECT MAX(id) FROM {answers} WHERE learner_id = %s),"
            " COUNT(*), MAX(id), COUNT(finished_at)"
            f" FROM {runs} WHERE learner_id = %s"
        )
        with db.cursor() as cursor:
            cursor.execute(sql, [self.pk, self.pk, self.pk])
            return "-".join(str(value) for value in cursor.fetchone())

    def progress_by_lesson(self, lessons=None, runs=None):
        """A LessonProgress for each published lesson, from ``runs_with_scores()``
        (1 query for the runs, 1 more without ``lessons``)."""
        lessons = list(Lesson.objects.published()) if lessons is None else lessons
        runs = self.runs_with_scores() if runs is None else runs
        by_lesson = defaultdict(list)
        for run in runs:
            if run.lesson_id is not None:
                by_lesson[run.lesson_id].append(run)
        return [LessonProgress.from_runs(lesson, by_lesson[lesson.pk]) for lesson in lessons]

    def red_flag_recognition(self):
        """Each red flag the learner has met, with ``seen`` (answers to questions that
        carry it) and ``recognised`` (those right), least recognised first (1 query)."""
        quote = connections[router.db_for_read(RedFlag)].ops.quote_name
        links = Question.red_flags.through._meta.db_table
        sql = (
            "SELECT f.*, COUNT(*) AS seen,"
            " SUM(CASE WHEN a.is_correct THEN 1 ELSE 0 END) AS recognised"
            f" FROM {quote(RedFlag._meta.db_table)} f"
            f" JOIN {quote(links)} l ON l.redflag_id = f.id"
            f" JOIN {quote(Answer._meta.db_table)} a ON a.question_id = l.question_id"
            " WHERE a.learner_id = %s GROUP BY f.id"
        )
        flags = RedFlag.objects.raw(sql, [self.pk])
        return sorted(flags, key=lambda flag: (flag.recognised / flag.seen, flag.title))


class LessonStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    MASTERED = "mastered", _("Mastered")


@dataclass
class RunSummary:
    public_id: uuid.UUID
    lesson_id: int | None
    size: int
    right: int
    started_at: object
    finished_at: object
    lesson: object = None


@dataclass
class LessonProgress:
    lesson: Lesson
    status: str = LessonStatus.NOT_STARTED
    best: float | None = None
    latest: float | None = None
    runs: list = field(default_factory=list)

    @classmethod
    def from_runs(cls, lesson, runs):
        finished = [r for r in runs if r.finished_at is not None]
        scores = [r.right / r.size for r in finished if r.size]
        progress = cls(lesson=lesson, runs=runs)
        if scores:
            progress.best, progress.latest = max(scores), scores[-1]
            progress.status = (
                LessonStatus.MASTERED
                if progress.latest >= MASTERY_THRESHOLD
                else LessonStatus.COMPLETED
            )
        elif runs:
            progress.status = LessonStatus.IN_PROGRESS
        return progress

    @property
    def status_label(self):
        return LessonStatus(self.status).label

    @property
    def best_percent(self):
        return None if self.best is None else round(self.best * 100)

    @property
    def latest_percent(self):
        return None if self.latest is None else round(self.latest * 100)


class AnswerConflict(Exception):
    """The question was already answered in this run with another choice."""


class QuizRun(models.Model):
    """One pass through a set of questions: a lesson quiz or mixed practice."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="runs")
    lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    # How many questions the run holds; fixed when it starts, like its RunQuestions.
    size = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("quiz run")
        indexes = [
            # The learner's runs, newest first: progress page and mixed practice.
            models.Index(fields=["learner", "-started_at"], name="run_learner_started_idx"),
        ]

    def __str__(self):
        return str(self.public_id)

    def get_absolute_url(self):
        return reverse("quizzes:run-question", args=[self.public_id, 1])

    def record_answer(self, run_question, choice):
        """Store the learner's choice for one question of this run, once.

        Returns the answer. The same choice again (double click, replay) returns the
        stored answer; another choice raises AnswerConflict.

        No lock and no transaction: the INSERT stands alone and the unique constraint
        (one answer per run and question) refuses a second one, even from a parallel
        request. The run is then finished by one conditional UPDATE; whichever request
        commits its answer last runs that UPDATE after every answer is visible, so a run
        always finishes however many answers arrive at once (2 queries; 3 on a replay).
        """
        question_id = run_question.question_id
        if choice.question_id != question_id:
            raise ValidationError(_("That choice does not belong to this question."))
        answer = Answer(
            run=self,
            learner_id=self.learner_id,
            question_id=question_id,
            choice=choice,
            is_correct=choice.is_correct,
        )
        # Inside an outer transaction (a test, a management command) the INSERT needs a
        # savepoint, or a refused duplicate would abort the whole transaction.
        insert = transaction.atomic if connection.in_atomic_block else nullcontext
        try:
            with insert():
                answer.pk, answer.first_attempt = Answer.objects.insert_first(answer)
        except IntegrityError:
            stored = Answer.objects.select_related("choice").get(run=self, question_id=question_id)
            if stored.choice_id != choice.pk:
                raise AnswerConflict from None
            # The first request may have stored the answer and failed before finishing
            # the run (a database restart, say); the learner's retry finishes it.
            self.finish_if_complete()
            return stored
        answer._state.adding = False
        self.finish_if_complete()
        return answer

    def finish_if_complete(self):
        """Mark the run finished once every question has an answer (1 query; safe to
        repeat). Hand-written like the answer's INSERT, for the same reason."""
        db = connections[router.db_for_write(QuizRun)]
        quote = db.ops.quote_name
        sql = (
            f"UPDATE {quote(QuizRun._meta.db_table)} SET finished_at = %s"
            " WHERE id = %s AND finished_at IS NULL"
            f" AND size <= (SELECT COUNT(*) FROM {quote(Answer._meta.db_table)} WHERE run_id = %s)"
        )
        now = db.ops.adapt_datetimefield_value(timezone.now())
        with db.cursor() as cursor:
            cursor.execute(sql, [now, self.pk, self.pk])

    def results(self):
        """(run question, answer or None) for each question of the run, in order
        (2 queries)."""
        answers = {a.question_id: a for a in self.answers.select_related("choice")}
        run_questions = self.run_questions.select_related("question__lesson").order_by("position")
        return [(rq, answers.get(rq.question_id)) for rq in run_questions]


@dataclass(frozen=True, slots=True)
class QuestionSlot:
    """A learner's run question as its page needs it: read by
    ``RunQuestion.objects.for_page``, plain values rather than model instances."""

    run_id: int
    public_id: uuid.UUID
    learner_id: int
    lesson_id: int | None
    size: int
    question_id: int
    position: int
    answer_choice: int | None  # the stored answer's choice, None before answering

    def run(self):
        """The run as an unsaved handle, to record answers with (no query)."""
        return QuizRun(
            pk=self.run_id,
            public_id=self.public_id,
            learner_id=self.learner_id,
            lesson_id=self.lesson_id,
            size=self.size,
        )


class RunQuestionQuerySet(models.QuerySet):
    def for_page(self, learner_id, public_id, position):
        """The learner's QuestionSlot at ``position`` of run ``public_id``, with the
        stored answer's choice if any, or None when the learner has no such run question.
        One query.

        Hand-written SQL: every question page and answer runs it, and the ORM spent
        about 1 ms building it where the database needs 20 µs to answer (bench/README.md).
        """
        if learner_id is None or not 0 < position <= MAX_RUN_SIZE:
            return None
        db = connections[self.db]
        quote = db.ops.quote_name
        sql = (
            "SELECT r.id, r.lesson_id, r.size, rq.question_id, a.choice_id"
            f" FROM {quote(self.model._meta.db_table)} rq"
            f" JOIN {quote(QuizRun._meta.db_table)} r ON r.id = rq.run_id"
            f" LEFT JOIN {quote(Answer._meta.db_table)} a"
            " ON a.run_id = rq.run_id AND a.question_id = rq.question_id"
            " WHERE r.public_id = %s AND r.learner_id = %s AND rq.position = %s"
        )
        params = [
            QuizRun._meta.get_field("public_id").get_db_prep_value(public_id, db),
            learner_id,
            position,
        ]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        run_id, lesson_id, size, question_id, choice_id = row
        return QuestionSlot(
            run_id=run_id,
            public_id=public_id,
            learner_id=learner_id,
            lesson_id=lesson_id,
            size=size,
            question_id=question_id,
            position=position,
            answer_choice=choice_id,
        )


class RunQuestion(models.Model):
    """A question's place in a run, fixed when the run starts."""

    run = models.ForeignKey(QuizRun, on_delete=models.CASCADE, related_name="run_questions")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    objects = RunQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="run_position_unique"),
            models.UniqueConstraint(fields=["run", "question"], name="run_question_unique"),
        ]

    def __str__(self):
        return f"{self.run_id}#{self.position}"


class AnswerQuerySet(models.QuerySet):
    def insert_first(self, answer):
        """INSERT ``answer`` (unsaved), deciding ``first_attempt`` in the same statement:
        true unless the learner has answered this question before, in any run. Returns
        (id, first_attempt). One query; IntegrityError when the run already has an
        answer to the question.

        Hand-written: this is the one write on every answer, and the ORM spent about
        1 ms building it where the database needs a tenth of that (bench/README.md).
        """
        db = connections[router.db_for_write(self.model)]
        table = db.ops.quote_name(self.model._meta.db_table)
        sql = (
            f"INSERT INTO {table}"
            " (run_id, learner_id, question_id, choice_id, is_correct, first_attempt,"
            " answered_at)"
            " SELECT %s, %s, %s, %s, %s, NOT EXISTS ("
            f"SELECT 1 FROM {table} WHERE learner_id = %s AND question_id = %s), %s"
            " RETURNING id, first_attempt"
        )
        params = [
            answer.run_id,
            answer.learner_id,
            answer.question_id,
            answer.choice_id,
            answer.is_correct,
            answer.learner_id,
            answer.question_id,
            db.ops.adapt_datetimefield_value(answer.answered_at),
        ]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            pk, first_attempt = cursor.fetchone()
        return pk, bool(first_attempt)


class Answer(models.Model):
    """One learner's answer to one question in one run."""

    run = models.ForeignKey(QuizRun, on_delete=models.CASCADE, related_name="answers")
    # The run's learner, kept on the answer so that statistics over millions of answers
    # group by learner without a join; moved with the runs when learners merge.
    learner = models.ForeignKey(Learner, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choice = models.ForeignKey(Choice, on_delete=models.CASCADE, related_name="answers")
    # Copied from the choice when answering, so later edits to the key do not rewrite
    # what the learner scored.
    is_correct = models.BooleanField()
    # The learner's first answer to this question in any run: item statistics (facility,
    # discrimination) count first attempts only, before feedback taught the answer.
    first_attempt = models.BooleanField(default=True)
    answered_at = models.DateTimeField(default=timezone.now)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        constraints = [
            models.UniqueConstraint(fields=["run", "question"], name="one_answer_per_question"),
        ]
        indexes = [
            # Question statistics by date range.
            models.Index(fields=["question", "answered_at"], name="answer_question_time_idx"),
            # A learner's answers: progress, red-flag recognition, first-attempt checks.
            models.Index(fields=["learner", "question"], name="answer_learner_question_idx"),
        ]

    def __str__(self):
        return f"{self.run_id}: {self.question_id} -> {self.choice_id}"
