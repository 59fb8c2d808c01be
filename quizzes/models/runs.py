"""Quiz runs, the questions fixed in each, and answers.

Progress is never stored as a score: it is computed from ``Answer`` rows, one per
answered question in a run. Learners and their progress are in ``learners``.
"""

import functools
import uuid
from contextlib import nullcontext
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .content import Lesson
from .questions import Choice, Question

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

    def record_answer(self, run_question, choice, memory=None):
        """Store the learner's choice for one question of this run, once.

        Returns the answer. The same choice again (double click, replay) returns the
        stored answer; another choice raises AnswerConflict.

        No lock and no transaction: the INSERT stands alone and the unique constraint
        (one answer per run and question) refuses a second one, even from a parallel
        request. The answer's INSERT also counts it on the run, finishes the run with
        its last answer, and updates the learner's memory (``Answer.objects.record``;
        ``memory`` is what was read with the run question).
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
        try:
            Answer.objects.record(answer, self, memory)
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
    answer_id: int | None = None  # the stored answer, None before answering
    # The question at the next position, None at the last one. Once this one is answered,
    # whether the learner has begun the next one (answered it, or replied in its
    # conversation); None before answering, when the feedback page does not need it.
    next_question_id: int | None = None
    next_started: bool | None = None
    # A tap-the-red-flag answer's marked spots (ids), once answered.
    marks: frozenset = frozenset()
    # A conversation's replies so far, {turn id: reply id}.
    taken: dict | None = None
    # What the learner remembers about the question (review.Memory), read on POST only.
    memory: object = None
    # A review's, drill's or re-check's kind (ReviewKind), None for other runs.
    review_kind: str | None = None

    def run(self):
        """The run as an unsaved handle, to record answers with (no query)."""
        return QuizRun(
            pk=self.run_id,
            public_id=self.public_id,
            learner_id=self.learner_id,
            lesson_id=self.lesson_id,
            size=self.size,
        )


def listed(db, expression):
    """SQL for the values of ``expression`` over a subquery's rows, as one text of
    comma-separated values (NULL when there are none)."""
    function = "string_agg" if db.vendor == "postgresql" else "group_concat"
    return f"{function}(CAST({expression} AS TEXT), ',')"


@functools.cache
def slot_sql(alias, memory):
    """The SQL of ``RunQuestion.objects.for_page`` on database ``alias``, with what the
    learner remembers when ``memory``: built once per process."""
    db = connections[alias]
    quote = db.ops.quote_name
    from .kinds import Spot, Step
    from .questions import Question
    from .review import ReviewItem
    from .sessions import ReviewRun

    def table(model):
        return quote(model._meta.db_table)

    answers, steps = table(Answer), table(Step)
    marks = table(Answer.spots.through)
    # The next question is begun once it has an answer or, for a conversation, a
    # step; looked at only when this one is answered (both lookups use an index).
    columns = (
        "r.id, r.lesson_id, r.size, rq.question_id, a.choice_id, a.id,"
        " nq.question_id, CASE WHEN a.id IS NULL THEN NULL ELSE ("
        f"EXISTS (SELECT 1 FROM {answers} na"
        " WHERE na.run_id = rq.run_id AND na.question_id = nq.question_id)"
        f" OR EXISTS (SELECT 1 FROM {steps} ns"
        " WHERE ns.run_id = rq.run_id AND ns.question_id = nq.question_id)) END,"
        f" (SELECT {listed(db, 'm.spot_id')} FROM {marks} m WHERE m.answer_id = a.id),"
        f" (SELECT {listed(db, "s.turn_id || ':' || s.reply_id")} FROM {steps} s"
        " WHERE s.run_id = rq.run_id AND s.question_id = rq.question_id), rr.kind"
    )
    # A review, drill or re-check is a run with a ReviewRun (its primary key is the run's).
    joins = (
        f" FROM {table(RunQuestion)} rq"
        f" JOIN {table(QuizRun)} r ON r.id = rq.run_id"
        f" LEFT JOIN {answers} a"
        " ON a.run_id = rq.run_id AND a.question_id = rq.question_id"
        f" LEFT JOIN {table(RunQuestion)} nq"
        " ON nq.run_id = rq.run_id AND nq.position = rq.position + 1"
        f" LEFT JOIN {table(ReviewRun)} rr ON rr.run_id = r.id"
    )
    if memory:
        # One row per subject of the question (itself, each of its red flags and its
        # spots' red flags; see ReviewItem.subject) with the learner's item on it, if
        # any: each looked up by an index, the item by the (learner, subject) unique one.
        links = table(Question.red_flags.through)
        subjects = (
            f"SELECT id AS question_id, id AS subject FROM {table(Question)}"
            f" UNION ALL SELECT question_id, -redflag_id FROM {links}"
            f" UNION ALL SELECT question_id, -red_flag_id FROM {table(Spot)}"
            " WHERE red_flag_id IS NOT NULL"
        )
        columns += f", {ReviewItem.objects.columns(db, 'ri')}"
        joins += (
            f" LEFT JOIN ({subjects}) subject ON subject.question_id = rq.question_id"
            f" LEFT JOIN {table(ReviewItem)} ri"
            " ON ri.learner_id = r.learner_id AND ri.subject = subject.subject"
        )
    return (
        f"SELECT {columns}{joins}"
        " WHERE r.public_id = %s AND r.learner_id = %s AND rq.position = %s"
    )


class RunQuestionQuerySet(models.QuerySet):
    def for_page(self, learner_id, public_id, position, memory=False):
        """The learner's QuestionSlot at ``position`` of run ``public_id``, or None when
        the learner has no such run question. One query, which also reads: the stored
        answer (its choice, or its marks), a conversation's replies so far, the next
        position's question (for the feedback page, which carries it), and with
        ``memory`` (to record an answer) what the learner remembers about the question
        and its red flags, and whether the run is a re-check.

        Hand-written SQL: every question page and answer runs it, and the ORM spent
        about 1 ms building it where the database needs 20 µs to answer (bench/README.md).
        """
        if learner_id is None or not 0 < position <= MAX_RUN_SIZE:
            return None
        db = connections[self.db]
        from .review import Memory, ReviewItem
        from .sessions import ReviewKind

        sql = slot_sql(db.alias, memory)
        params = [
            QuizRun._meta.get_field("public_id").get_db_prep_value(public_id, db),
            learner_id,
            position,
        ]
        with db.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return None
        row = rows[0]
        run_id, lesson_id, size, question_id, choice_id, answer_id, next_id, next_started = row[:8]
        marked, taken, review_kind = row[8], row[9], row[10]
        known = None
        if memory:
            items = [row[11:] for row in rows if row[11] is not None]
            known = Memory(
                tuple(ReviewItem.objects.from_rows(db, items)), review_kind == ReviewKind.RECHECK
            )
        return QuestionSlot(
            run_id=run_id,
            public_id=public_id,
            learner_id=learner_id,
            lesson_id=lesson_id,
            size=size,
            question_id=question_id,
            position=position,
            answer_choice=choice_id,
            answer_id=answer_id,
            next_question_id=next_id,
            next_started=None if next_started is None else bool(next_started),
            marks=frozenset(int(pk) for pk in marked.split(",")) if marked else frozenset(),
            taken=dict(
                (int(turn), int(reply))
                for turn, _, reply in (pair.partition(":") for pair in taken.split(","))
            )
            if taken
            else {},
            memory=known,
            review_kind=review_kind,
        )


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


class AnswerQuerySet(models.QuerySet):
    def record(self, answer, run, memory=None):
        """Store ``answer`` (unsaved) in ``run`` with everything it changes: the run's
        count, and its finish with the last answer (a trigger: ``QuizRun.answered``);
        what the learner remembers of the question, of its red flags and of the lesson
        (``review.memory_writes``; ``memory`` is what was read with the run question);
        and a re-check's statistics. IntegrityError, and nothing stored, when the run
        already has an answer to the question.

        On PostgreSQL this is one statement (``insert_first``); elsewhere one per table.
        """
        from .review import count_recheck, memory_writes

        writes = memory_writes(answer, run, memory)
        answer.pk, answer.first_attempt = self.insert_first(answer, then=writes)
        answer._state.adding = False
        count_recheck(answer, run, memory)
        return answer

    def insert_first(self, answer, then=()):
        """INSERT ``answer`` (unsaved), deciding ``first_attempt`` in the same statement:
        true unless the learner has answered this question before, in any run. Returns
        (id, first_attempt). IntegrityError when the run already has an answer to the
        question. Inside an outer transaction (a test, a management command) the INSERT
        gets a savepoint, or a refused duplicate would abort it all.

        ``then``: (sql, params) writes that go with the answer. On PostgreSQL they join
        the INSERT as data-modifying WITH clauses, so that the answer and all it changes
        are one statement, one round trip and one commit, stored together or not at
        all; elsewhere they follow it, one query each.

        Hand-written: this is the write on every answer, and the ORM spent about 1 ms
        building it where the database needs a tenth of that (bench/README.md).
        """
        db = connections[router.db_for_write(self.model)]
        table = db.ops.quote_name(self.model._meta.db_table)
        sql = (
            f"INSERT INTO {table}"
            " (run_id, learner_id, question_id, choice_id, ending_id, is_correct,"
            " first_attempt, answered_at)"
            " SELECT %s, %s, %s, %s, %s, %s, NOT EXISTS ("
            f"SELECT 1 FROM {table} WHERE learner_id = %s AND question_id = %s), %s"
            " RETURNING id, first_attempt"
        )
        params = [
            answer.run_id,
            answer.learner_id,
            answer.question_id,
            answer.choice_id,
            answer.ending_id,
            answer.is_correct,
            answer.learner_id,
            answer.question_id,
            db.ops.adapt_datetimefield_value(answer.answered_at),
        ]
        together = db.vendor == "postgresql" and then
        if together:
            clauses = "".join(f", w{i} AS ({write})" for i, (write, _) in enumerate(then))
            sql = f"WITH a AS ({sql}){clauses} SELECT id, first_attempt FROM a"
            params += [value for _, values in then for value in values]
        insert = transaction.atomic(using=db.alias) if db.in_atomic_block else nullcontext()
        with insert, db.cursor() as cursor:
            cursor.execute(sql, params)
            pk, first_attempt = cursor.fetchone()
        if not together:
            with db.cursor() as cursor:
                for write, values in then:
                    cursor.execute(write, values)
        return pk, bool(first_attempt)


class Answer(models.Model):
    """One learner's answer to one question in one run."""

    # The run, the learner and the question have no index of their own: an index of
    # the table begins with each (one_answer_per_question, answer_learner_question_idx,
    # answer_question_time_idx), and every answer's INSERT writes three indexes fewer.
    run = models.ForeignKey(
        QuizRun, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    # The run's learner, kept on the answer so that statistics over millions of answers
    # group by learner without a join; moved with the runs when learners merge.
    learner = models.ForeignKey(
        "quizzes.Learner", on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    # Empty for the kinds answered otherwise: the spots marked (tap the red flags).
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
    spots = models.ManyToManyField("quizzes.Spot", blank=True, related_name="answers")
    # A conversation's answer: the ending reached (its path is in Step rows).
    ending = models.ForeignKey(
        "quizzes.Ending", null=True, blank=True, on_delete=models.CASCADE, related_name="answers"
    )
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
        verbose_name_plural = _("answers")
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

    def flag_outcomes(self, question):
        """[(red flag id, recognised)] for each warning sign this answer gave evidence on:
        what review scheduling and mastery per red flag count. ``question`` is this
        answer's question with its red flags prefetched, as the content cache holds it (no
        query). A chosen answer recognises every red flag of its question when it is right;
        a tap-the-red-flag answer recognises the flags of the spots it marked and misses
        those of the spots it left (the question's spots and this answer's ``spots``
        prefetched, or ``marked`` set to their ids).
        """
        if question.kind == "spot":
            marked = getattr(self, "marked", None)
            if marked is None:
                marked = {spot.pk for spot in self.spots.all()}
            outcomes = {}
            for spot in question.spots.all():
                if spot.red_flag_id is not None:
                    found = spot.pk in marked
                    outcomes[spot.red_flag_id] = outcomes.get(spot.red_flag_id, True) and found
            return list(outcomes.items())
        return [(flag.pk, self.is_correct) for flag in question.red_flags.all()]
