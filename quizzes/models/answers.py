"""Answers: one per question a learner answered in a run, stored with everything the
answer changes in one statement (``Answer.objects.record``)."""

from contextlib import nullcontext

from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .questions import Choice, Question
from .runs import QuizRun


class AnswerQuerySet(models.QuerySet):
    def record(self, answer, run, recheck=None):
        """Store ``answer`` (unsaved) in ``run`` with everything it changes at once: the
        run's count, and its finish with the last answer (a trigger: ``QuizRun.answered``);
        a spot answer's marks (its ``marked``); the lesson's summary when ``run`` is a
        lesson's quiz (``LessonMemory.objects.count_answer``); a re-check's statistics
        (``recheck``: whether the run is one, None when not known); and a note that the
        learner's memory does not count it yet (``review.PendingAnswer``: the pages that
        read the memory count it, ``review.remember``). IntegrityError, and nothing
        stored, when the run already has an answer to the question.

        On PostgreSQL this is one statement (``insert_first``); elsewhere one per table.
        """
        from .review import count_recheck

        writes = []
        if run.lesson_id is not None:
            from .summaries import LessonMemory

            writes.append(LessonMemory.objects.count_answer(run, answer))
        marked = sorted(getattr(answer, "marked", None) or ())
        answer.pk, answer.first_attempt = self.insert_first(answer, then=writes, marks=marked)
        answer._state.adding = False
        count_recheck(answer, run, recheck)
        return answer

    def insert_first(self, answer, then=(), marks=()):
        """INSERT ``answer`` (unsaved), deciding ``first_attempt`` in the same statement:
        true unless the learner has answered this question before, in any run. Returns
        (id, first_attempt). IntegrityError when the run already has an answer to the
        question. Inside an outer transaction (a test, a management command) the INSERT
        gets a savepoint, or a refused duplicate would abort it all.

        With the answer go its row in ``PendingAnswer`` and its ``marks`` (spot ids);
        ``then``: more (sql, params) writes. On PostgreSQL they all join the INSERT as
        data-modifying WITH clauses, so that the answer and all it changes are one
        statement, one round trip and one commit, stored together or not at all;
        elsewhere they follow it, one query each.

        Hand-written: this is the write on every answer, and the ORM spent about 1 ms
        building it where the database needs a tenth of that (bench/README.md).
        """
        from .review import PendingAnswer

        db = connections[router.db_for_write(self.model)]
        quote = db.ops.quote_name
        table = quote(self.model._meta.db_table)
        pending = quote(PendingAnswer._meta.db_table)
        spots = quote(self.model.spots.through._meta.db_table)
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
        together = db.vendor == "postgresql"
        if together:
            clauses = (
                f", p AS (INSERT INTO {pending} (answer_id, learner_id) SELECT id, %s FROM a)"
            )
            params.append(answer.learner_id)
            if marks:
                clauses += (
                    f", m AS (INSERT INTO {spots} (answer_id, spot_id)"
                    " SELECT a.id, s FROM a, unnest(%s::bigint[]) s)"
                )
                params.append(list(marks))
            clauses += "".join(f", w{i} AS ({write})" for i, (write, _) in enumerate(then))
            sql = f"WITH a AS ({sql}){clauses} SELECT id, first_attempt FROM a"
            params += [value for _, values in then for value in values]
        insert = transaction.atomic(using=db.alias) if db.in_atomic_block else nullcontext()
        with insert, db.cursor() as cursor:
            cursor.execute(sql, params)
            pk, first_attempt = cursor.fetchone()
        if not together:
            after = [
                (
                    f"INSERT INTO {pending} (answer_id, learner_id) VALUES (%s, %s)",
                    [pk, answer.learner_id],
                ),
                *then,
            ]
            if marks:
                rows = ", ".join(["(%s, %s)"] * len(marks))
                values = [value for spot in marks for value in (pk, spot)]
                after.append((f"INSERT INTO {spots} (answer_id, spot_id) VALUES {rows}", values))
            with db.cursor() as cursor:
                for write, values in after:
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
