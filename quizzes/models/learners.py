"""Learners and their progress, read from their runs and answers (``runs``)."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .answers import Answer
from .content import Lesson, RedFlag
from .questions import Question
from .runs import MASTERY_THRESHOLD, MIXED_PRACTICE_SIZE, QuizRun, RunQuestion
from .slots import remember_new_run


class LearnerQuerySet(models.QuerySet):
    def starting(self, pk, lesson):
        """Learner ``pk``, about to start ``lesson``'s quiz, or None when there is no such
        learner (erased, or merged into an account). The same query reads the learner's
        latest unfinished run of the lesson with its questions in order, which
        ``unfinished_run`` then looks at without a query of its own.

        Hand-written: every quiz a learner starts runs it, and the ORM spent about 2 ms
        building the two queries it replaces where the database needs a tenth of that.
        """
        db = connections[self.db]
        quote = db.ops.quote_name
        learners, runs = quote(Learner._meta.db_table), quote(QuizRun._meta.db_table)
        sql = (
            "SELECT l.id, l.user_id, r.id, r.public_id, r.answered, rq.question_id"
            f" FROM {learners} l LEFT JOIN {runs} r ON r.id = ("
            f"SELECT u.id FROM {runs} u WHERE u.learner_id = l.id AND u.lesson_id = %s"
            " AND u.finished_at IS NULL ORDER BY u.started_at DESC, u.id DESC LIMIT 1)"
            f" LEFT JOIN {quote(RunQuestion._meta.db_table)} rq ON rq.run_id = r.id"
            " WHERE l.id = %s ORDER BY rq.position"
        )
        with db.cursor() as cursor:
            cursor.execute(sql, [lesson.pk, pk])
            rows = cursor.fetchall()
        if not rows:
            return None
        learner = Learner.from_db(db.alias, ["id", "user_id"], rows[0][:2])
        public_id = QuizRun._meta.get_field("public_id")
        learner.unfinished = (
            lesson.pk,
            [
                (run_id, public_id.to_python(public), answered, question_id)
                for _, _, run_id, public, answered, question_id in rows
                if run_id is not None
            ],
        )
        return learner


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

    objects = LearnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("learner")
        verbose_name_plural = _("learners")

    def __init__(self, *args, created_now=False, **kwargs):
        super().__init__(*args, **kwargs)
        # True for a learner the current request created: it has no history yet, so
        # looking for its runs would only cost queries.
        self.created_now = created_now
        # (lesson id, rows) read by ``Learner.objects.starting``, for ``unfinished_run``.
        self.unfinished = None

    def __str__(self):
        return f"learner {self.pk}"

    @transaction.atomic
    def absorb(self, other):
        """Move another learner's runs into this one and delete it. Nothing is counted
        twice: runs are moved whole, and each answer belongs to exactly one run."""
        if other.pk == self.pk:
            return
        from .review import PendingAnswer, remember

        # Both memories count all their answers before they merge.
        remember(other.pk)
        remember(self.pk)
        other.runs.update(learner=self)
        # An answer given meanwhile waits in this learner's memory (none are, normally).
        PendingAnswer.objects.filter(learner=other).update(learner=self)
        # Campaign entries move too, except where this learner took part already.
        other.campaign_entries.exclude(
            campaign__in=self.campaign_entries.values("campaign")
        ).update(learner=self)
        Answer.objects.filter(learner=other).update(learner=self)
        from .review import ReviewItem  # what each learner remembers (review.py)
        from .summaries import LessonMemory, RecheckFlag

        ReviewItem.objects.merge(into=self, other=other)
        other.delete()
        # Both may have answered the same question: only the earliest stays a first attempt.
        earlier = Answer.objects.filter(learner=self, question=OuterRef("question")).filter(
            Q(answered_at__lt=OuterRef("answered_at"))
            | Q(answered_at=OuterRef("answered_at"), id__lt=OuterRef("id"))
        )
        Answer.objects.filter(learner=self).update(first_attempt=~Exists(earlier))
        LessonMemory.objects.rebuild(self)
        RecheckFlag.objects.rebuild(self)

    def export_data(self):
        """Every run and answer of this learner, as plain data (4 queries): a chosen
        answer's text, the parts a tap-the-red-flag answer marked, a conversation's ending;
        and the campaigns they joined, with what they told about themselves."""
        from .revisions import restore_published_texts

        answers = defaultdict(list)
        stored = list(
            self.answers.select_related("question__lesson", "choice", "ending")
            .prefetch_related("spots")
            .order_by("answered_at", "id")
        )
        # What the learner read when answering, not a later revision.
        restore_published_texts([(answer, answer.question) for answer in stored])
        for answer in stored:
            answers[answer.run_id].append(
                {
                    "lesson": answer.question.lesson.slug,
                    "question": answer.question.slug,
                    "message": answer.question.body,
                    "prompt": answer.question.prompt,
                    "answer": answer.choice.text
                    if answer.choice
                    else answer.ending.text
                    if answer.ending
                    else [spot.text for spot in answer.spots.all()],
                    "correct": answer.is_correct,
                    "answered_at": answer.answered_at.isoformat(),
                }
            )
        return {
            "learner_since": self.created_at.isoformat(),
            "campaigns": [
                {
                    "campaign": entry.campaign.code,
                    "joined_at": entry.joined_at.isoformat(),
                    "age_band": entry.age_band,
                    "district": entry.district,
                }
                for entry in self.campaign_entries.select_related("campaign").order_by("id")
            ],
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
        # A learner made by this request has no run to continue: no need to look.
        if lesson is not None and not self.created_now:
            unfinished = self.unfinished_run(lesson, questions)
            if unfinished is not None:
                return unfinished
        run = QuizRun.objects.start(self.pk, questions, lesson.pk if lesson else None)
        run.learner, run.lesson = self, lesson
        remember_new_run(run, questions)
        return run

    def unfinished_run(self, lesson, questions):
        """This learner's latest unfinished run of ``lesson``, if it holds exactly
        ``questions`` (ids in order), else None: starting the lesson again continues it
        instead of piling up runs (1 query, ``Learner.objects.starting``'s; none when a
        start read it already)."""
        if self.unfinished is not None and self.unfinished[0] == lesson.pk:
            rows = self.unfinished[1]
        else:
            found = Learner.objects.starting(self.pk, lesson)
            rows = found.unfinished[1] if found is not None else []
        if [question_id for *_, question_id in rows] != list(questions):
            return None
        run_id, public_id, answered, _ = rows[0]
        return QuizRun(
            pk=run_id,
            public_id=public_id,
            learner=self,
            lesson=lesson,
            size=len(questions),
            answered=answered,
        )

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
        return run_summaries(self.pk, lessons)

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
    # The latest try's answers so far and its size: a try is under way while answered < size.
    answered: int = 0
    size: int = 0

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
    def state(self):
        """Where the learner stands, in words: how far an unfinished try has gone, and
        "completed" only once a whole quiz was answered (no query). The score is said
        apart, as a score, so that "best 17%" is never read as 17% done."""
        under_way = 0 < self.answered < self.size
        if self.status == LessonStatus.NOT_STARTED:
            return self.status_label
        if self.status == LessonStatus.IN_PROGRESS:
            if not under_way:
                return self.status_label
            return ngettext(
                "In progress: %(answered)s of %(size)s question answered",
                "In progress: %(answered)s of %(size)s questions answered",
                self.size,
            ) % {"answered": self.answered, "size": self.size}
        done = (
            gettext("Mastered")
            if self.status == LessonStatus.MASTERED
            else gettext("Quiz completed")
        )
        if not under_way:
            return done
        again = ngettext(
            "new try: %(answered)s of %(size)s question answered",
            "new try: %(answered)s of %(size)s questions answered",
            self.size,
        ) % {"answered": self.answered, "size": self.size}
        return gettext("%(done)s; %(again)s") % {"done": done, "again": again}

    @property
    def best_percent(self):
        return None if self.best is None else round(self.best * 100)

    @property
    def latest_percent(self):
        return None if self.latest is None else round(self.latest * 100)


def run_summaries(learner_id, lessons=(), newest=None):
    """The learner's runs as RunSummary with their right answers (1 query on the
    learner's runs index): every run, oldest first, or the ``newest`` latest, newest
    first. ``lessons`` (the cached published lessons) names each run's lesson."""
    by_id = {lesson.pk: lesson for lesson in lessons}
    quote = connections[router.db_for_read(QuizRun)].ops.quote_name
    order, params = "r.started_at, r.id", [learner_id]
    if newest is not None:
        order, params = "r.started_at DESC, r.id DESC LIMIT %s", [learner_id, newest]
    sql = (
        "SELECT r.id, r.public_id, r.lesson_id, r.size, r.started_at, r.finished_at,"
        " (SELECT COUNT(*)"
        f" FROM {quote(Answer._meta.db_table)} a WHERE a.run_id = r.id AND a.is_correct)"
        " AS right_answers"
        f" FROM {quote(QuizRun._meta.db_table)} r"
        f" WHERE r.learner_id = %s ORDER BY {order}"
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
        for run in QuizRun.objects.raw(sql, params)
    ]
