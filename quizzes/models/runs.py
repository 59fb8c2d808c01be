"""Quiz runs and the questions fixed in each; their answers are in ``answers``.

Progress is never stored as a score: it is computed from ``Answer`` rows, one per
answered question in a run. Learners and their progress are in ``learners``.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .content import Lesson
from .questions import Question

MASTERY_THRESHOLD = 0.8  # share of right answers in the latest finished run of a lesson
MIXED_PRACTICE_SIZE = 5
# Positions are PositiveSmallIntegerFields; a larger one in a URL finds nothing.
MAX_RUN_SIZE = 32767


class AnswerConflict(Exception):
    """The question was already answered in this run with another choice."""


class QuizRunQuerySet(models.QuerySet):
    def start(self, learner_id, question_ids, lesson_id=None):
        """A new run of the learner over ``question_ids``, in that order, with its run
        questions; saved and returned.

        On PostgreSQL one statement (the run's INSERT as a WITH clause of its questions'),
        so one round trip and one commit; elsewhere a transaction of two INSERTs. Every
        quiz, review, drill, re-check and campaign starts here.
        """
        run = QuizRun(learner_id=learner_id, lesson_id=lesson_id, size=len(question_ids))
        db = connections[router.db_for_write(QuizRun)]
        positions = list(enumerate(question_ids, 1))
        if db.vendor != "postgresql" or not positions:
            with transaction.atomic(using=db.alias):
                run.save(force_insert=True, using=db.alias)
                RunQuestion.objects.using(db.alias).bulk_create(
                    RunQuestion(run=run, question_id=pk, position=i) for i, pk in positions
                )
            return run
        quote = db.ops.quote_name
        sql = (
            f"WITH r AS (INSERT INTO {quote(QuizRun._meta.db_table)}"
            " (public_id, learner_id, lesson_id, size, answered, started_at)"
            " VALUES (%s, %s, %s, %s, 0, %s) RETURNING id)"
            f" INSERT INTO {quote(RunQuestion._meta.db_table)} (run_id, question_id, position)"
            " SELECT r.id, q.question_id, q.position FROM r,"
            f" unnest(%s::{RunQuestion._meta.get_field('question').db_type(db)}[])"
            " WITH ORDINALITY q(question_id, position)"
            " RETURNING run_id"
        )
        # The questions as one array: the statement is the same for any number of them.
        params = [run.public_id, learner_id, lesson_id, run.size, run.started_at]
        params.append(list(question_ids))
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            run.pk = cursor.fetchone()[0]
        run._state.adding, run._state.db = False, db.alias
        return run


class QuizRun(models.Model):
    """One pass through a set of questions: a lesson quiz or mixed practice."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No index of its own: run_learner_started_idx begins with it.
    learner = models.ForeignKey(
        "quizzes.Learner", on_delete=models.CASCADE, related_name="runs", db_index=False
    )
    lesson = models.ForeignKey(
        Lesson, null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    # How many questions the run holds; fixed when it starts, like its RunQuestions.
    size = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    # Kept by the database, not by Python: a trigger on the answers' table (migration
    # 0019) counts each stored answer here and sets ``finished_at`` when the count
    # reaches ``size``, in the answer's own INSERT. The run's row lock orders answers
    # that arrive at once, so a run finishes exactly once, with no query of its own.
    answered = models.PositiveSmallIntegerField(default=0, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = QuizRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("quiz run")
        verbose_name_plural = _("quiz runs")
        indexes = [
            # The learner's runs, newest first: progress page and mixed practice.
            models.Index(fields=["learner", "-started_at"], name="run_learner_started_idx"),
        ]

    def __str__(self):
        return str(self.public_id)

    def get_absolute_url(self):
        """Where the learner goes on with the run: its first question, or the one after
        those answered (a run answered in order, as the pages lead)."""
        position = self.answered + 1 if 0 < self.answered < self.size else 1
        return reverse("quizzes:run-question", args=[self.public_id, position])

    def record_answer(self, run_question, choice, recheck=None):
        """Store the learner's choice for one question of this run, once.

        Returns the answer. The same choice again (double click, replay) returns the
        stored answer; another choice raises AnswerConflict.

        No lock and no transaction: the INSERT stands alone and the unique constraint
        (one answer per run and question) refuses a second one, even from a parallel
        request. The answer's INSERT also counts it on the run, finishes the run with
        its last answer, and leaves it for the learner's memory to count
        (``Answer.objects.record``; ``recheck``: whether this run is a lesson's re-check,
        None when not known).
        """
        from .answers import Answer

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
        try:
            Answer.objects.record(answer, self, recheck)
        except IntegrityError:
            stored = Answer.objects.select_related("choice").get(run=self, question_id=question_id)
            if stored.choice_id != choice.pk:
                raise AnswerConflict from None
            # Runs answered before their answers counted themselves (migration 0019)
            # may have been left open; the learner's retry finishes them.
            self.finish_if_complete()
            return stored
        return answer

    def finish_if_complete(self):
        """Mark the run finished if every question has an answer and it is not marked
        yet (1 query; safe to repeat). Answers finish their run as they are stored
        (``answered``); this mends the runs stored before they did. Hand-written like
        the answer's INSERT, for the same reason."""
        from .answers import Answer

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
        """(run question, answer or None) for each question of the run, in order, the
        questions' red flags and spots and the answers' marks prefetched (5 queries)."""
        answers = {
            a.question_id: a
            for a in self.answers.select_related("choice", "ending").prefetch_related("spots")
        }
        run_questions = (
            self.run_questions.select_related("question__lesson")
            .prefetch_related("question__red_flags", "question__spots")
            .order_by("position")
        )
        pairs = [(rq, answers.get(rq.question_id)) for rq in run_questions]
        # What the learner read when answering, not a later revision (no query unless
        # a revision was approved since).
        from .revisions import restore_published_texts

        cached = self.lesson_id and QuizRun.lesson.is_cached(self)
        restore_published_texts(
            [(a, rq.question) for rq, a in pairs if a],
            [(self.started_at, self.lesson)] if cached else [],
        )
        return pairs

    @staticmethod
    def missed_red_flags(results):
        """The red flags this run's answers missed, each once, in question order, from
        ``results()`` (no query: it prefetches them)."""
        missed = {}
        for rq, answer in results:
            if answer is None:
                continue
            flags = {flag.pk: flag for flag in rq.question.red_flags.all()}
            for pk, recognised in answer.flag_outcomes(rq.question):
                if not recognised and pk in flags:
                    missed.setdefault(pk, flags[pk])
        return list(missed.values())


def listed(db, expression):
    """SQL for the values of ``expression`` over a subquery's rows, as one text of
    comma-separated values (NULL when there are none)."""
    function = "string_agg" if db.vendor == "postgresql" else "group_concat"
    return f"{function}(CAST({expression} AS TEXT), ',')"


class RunQuestionQuerySet(models.QuerySet):
    def for_page(self, learner_id, public_id, position, facts=None):
        """The learner's run question at ``position`` of run ``public_id`` as its page
        needs it (a ``slots.QuestionSlot``), or None when the learner has no such run
        question (another learner's run included). From the run's ``facts`` when the
        session brought them (Redis), else one query (``slots.slot``)."""
        from .slots import slot

        return slot(self.db, learner_id, public_id, position, facts)


class RunQuestion(models.Model):
    """A question's place in a run, fixed when the run starts."""

    # No index of its own: run_position_unique begins with it.
    run = models.ForeignKey(
        QuizRun, on_delete=models.CASCADE, related_name="run_questions", db_index=False
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    objects = RunQuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("question of a run")
        verbose_name_plural = _("questions of a run")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="run_position_unique"),
            models.UniqueConstraint(fields=["run", "question"], name="run_question_unique"),
        ]

    def __str__(self):
        return f"{self.run_id}#{self.position}"
