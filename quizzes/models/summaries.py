"""Per-learner summaries kept up to date as answers arrive, so that the progress and
mastery pages read a handful of rows however many quizzes a learner has taken.

``LessonMemory`` is one learner's record of one lesson: the run being answered, the best
and latest scores of finished runs, and when the lesson was first completed with what
score (retention re-checks count from then), and its re-checks' answers. Red flags and
questions are summarised by ``ReviewItem`` (review.py, counted when a page reads
them), and in re-checks by ``RecheckFlag``: what the retention statistics read.
"""

from datetime import timedelta

from django.db import connections, models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEK, MONTH = 7, 30  # days after completing a lesson when its re-checks are offered
RECHECK_DAYS = (WEEK, MONTH)
RECHECK_SIZE = 3


def rechecks_due(memories, lessons, now=None):
    """[(lesson, day)] of the re-checks due among the learner's ``memories``, for the
    published ``lessons`` (no query)."""
    by_id = {lesson.pk: lesson for lesson in lessons}
    due = []
    for memory in memories:
        day = memory.recheck_due(now)
        if day is not None and memory.lesson_id in by_id:
            due.append((by_id[memory.lesson_id], day))
    return due


def fold(rows):
    """{lesson id: field values of a LessonMemory} from a learner's lesson runs, oldest
    first, as (lesson id, run id, size, answered, right, finished_at) rows: what the
    answers-as-they-arrive upsert would have built (no query). Rebuilds after learners
    merge, and fills the table for history recorded before it existed."""
    memories = {}
    for lesson_id, run_id, size, answered, right, finished_at in rows:
        memory = memories.setdefault(
            lesson_id,
            {
                "finished_runs": 0,
                "best": None,
                "latest": None,
                "completed_at": None,
                "completion_score": None,
                "updated_at": finished_at,
            },
        )
        memory.update(run_id=run_id, size=size, answered=answered, right_answers=right)
        if finished_at is not None and size:
            score = right / size
            memory["finished_runs"] += 1
            memory["latest"] = score
            memory["best"] = score if memory["best"] is None else max(memory["best"], score)
            if memory["completed_at"] is None:
                memory["completed_at"], memory["completion_score"] = finished_at, score
            memory["updated_at"] = finished_at
    return memories


class LessonMemoryQuerySet(models.QuerySet):
    def of(self, learner_id):
        return self.filter(learner_id=learner_id)

    def count_answer(self, run, answer):
        """The statement that counts ``answer`` in its lesson run ``run``: (sql, params)
        of one upsert, with no read (the arithmetic is in the upsert), for the answer's
        INSERT to carry (``Answer.objects.record``). A run finishes when its answers
        reach its size; the first finished run of the lesson is its completion."""
        db = connections[router.db_for_write(self.model)]
        quote = db.ops.quote_name
        table = quote(self.model._meta.db_table)

        def old(column):
            return f"{table}.{quote(column)}"

        same_run = f"{old('run_id')} = excluded.run_id"
        answered = f"(CASE WHEN {same_run} THEN {old('answered')} + 1 ELSE 1 END)"
        right = (
            f"(CASE WHEN {same_run} THEN {old('right_answers')} ELSE 0 END"
            " + excluded.right_answers)"
        )
        finished = f"({answered} = excluded.size)"
        score = f"({right} * 1.0 / excluded.size)"
        first = f"({finished} AND {old('completed_at')} IS NULL)"
        now = timezone.now()
        finished_now = run.size <= 1
        score_now = int(answer.is_correct) / run.size if finished_now and run.size else None
        sql = (
            f"INSERT INTO {table} (learner_id, lesson_id, run_id, size, answered,"
            " right_answers, finished_runs, best, latest, completed_at, completion_score,"
            " updated_at) VALUES (%s, %s, %s, %s, 1, %s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (learner_id, lesson_id) DO UPDATE SET"
            f" answered = {answered}, right_answers = {right},"
            f" finished_runs = {old('finished_runs')}"
            f" + CASE WHEN {finished} THEN 1 ELSE 0 END,"
            f" latest = CASE WHEN {finished} THEN {score} ELSE {old('latest')} END,"
            f" best = CASE WHEN {finished} AND ({old('best')} IS NULL OR {old('best')} < {score})"
            f" THEN {score} ELSE {old('best')} END,"
            f" completed_at = CASE WHEN {first} THEN excluded.updated_at"
            f" ELSE {old('completed_at')} END,"
            f" completion_score = CASE WHEN {first} THEN {score}"
            f" ELSE {old('completion_score')} END,"
            " run_id = excluded.run_id, size = excluded.size, updated_at = excluded.updated_at"
        )
        at = db.ops.adapt_datetimefield_value(now)
        params = [
            run.learner_id,
            run.lesson_id,
            run.pk,
            run.size,
            int(answer.is_correct),
            int(finished_now),
            score_now,
            score_now,
            at if finished_now else None,
            score_now,
            at,
        ]
        return sql, params

    def rebuild(self, learner):
        """Recompute the learner's rows from their runs (3 queries): after learners
        merge, which is rare, so reading the history once is fine."""
        from .runs import QuizRun

        rows = (
            QuizRun.objects.filter(learner=learner, lesson__isnull=False)
            .annotate(right=models.Count("answers", filter=models.Q(answers__is_correct=True)))
            .order_by("started_at", "id")
            .values_list("lesson_id", "id", "size", "answered", "right", "finished_at")
        )
        memories = fold(rows)
        self.of(learner.pk).delete()
        self.bulk_create(
            LessonMemory(learner=learner, lesson_id=lesson_id, **values)
            for lesson_id, values in memories.items()
        )

    def progress(self, learner_id, lessons, memories=None):
        """A LessonProgress for each of ``lessons`` (1 query without ``memories``, the
        learner's rows)."""
        from .learners import LessonProgress, LessonStatus
        from .runs import MASTERY_THRESHOLD

        memories = list(self.of(learner_id)) if memories is None else memories
        mine = {m.lesson_id: m for m in memories}
        result = []
        for lesson in lessons:
            memory = mine.get(lesson.pk)
            progress = LessonProgress(lesson=lesson)
            if memory is not None:
                progress.answered, progress.size = memory.answered, memory.size
            if memory is not None and memory.finished_runs:
                progress.best, progress.latest = memory.best, memory.latest
                progress.status = (
                    LessonStatus.MASTERED
                    if memory.latest >= MASTERY_THRESHOLD
                    else LessonStatus.COMPLETED
                )
            elif memory is not None:
                progress.status = LessonStatus.IN_PROGRESS
            result.append(progress)
        return result


class LessonMemory(models.Model):
    """One learner's record of one lesson, updated with every answer in its quiz."""

    # No index of its own: the (learner, lesson) unique index begins with it.
    learner = models.ForeignKey(
        "quizzes.Learner",
        on_delete=models.CASCADE,
        related_name="lesson_memories",
        db_index=False,
    )
    lesson = models.ForeignKey("quizzes.Lesson", on_delete=models.CASCADE, related_name="+")
    # The run being counted: answers to another run of the lesson start a new count.
    # Only compared with the next answer's run, never followed: no constraint and no
    # index, so every answer's update of this row stays in place (HOT) with nothing to
    # check, and a deleted run's id, never reused, simply matches no later answer.
    run = models.ForeignKey(
        "quizzes.QuizRun",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    size = models.PositiveSmallIntegerField(default=0)
    answered = models.PositiveSmallIntegerField(default=0)
    right_answers = models.PositiveSmallIntegerField(default=0)
    finished_runs = models.PositiveIntegerField(default=0)
    best = models.FloatField(null=True)
    latest = models.FloatField(null=True)
    # The first finished run: retention re-checks count their days from it.
    completed_at = models.DateTimeField(null=True)
    completion_score = models.FloatField(null=True)
    updated_at = models.DateTimeField(null=True)
    # Retention re-checks, RECHECK_DAYS after the completion: when each was taken or
    # skipped (offered once), and its run (None when skipped).
    week_checked_at = models.DateTimeField(null=True)
    week_run = models.ForeignKey(
        "quizzes.QuizRun", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    month_checked_at = models.DateTimeField(null=True)
    month_run = models.ForeignKey(
        "quizzes.QuizRun", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The re-checks' answers so far, counted as they arrive (``count_recheck_answer``):
    # the retention statistics read these instead of the answers. Defaults in the
    # database too: ``count_answer``'s INSERT leaves them out.
    week_answered = models.PositiveSmallIntegerField(default=0, db_default=0)
    week_right = models.PositiveSmallIntegerField(default=0, db_default=0)
    month_answered = models.PositiveSmallIntegerField(default=0, db_default=0)
    month_right = models.PositiveSmallIntegerField(default=0, db_default=0)

    objects = LessonMemoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("lesson summary")
        verbose_name_plural = _("lesson summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "lesson"], name="lesson_memory_learner_lesson_unique"
            ),
        ]

    def __str__(self):
        return f"learner {self.learner_id}: lesson {self.lesson_id}"

    def recheck_due(self, now=None):
        """7 or 30 when that re-check is due (the latest one not yet taken or skipped),
        else None (no query). Before day 7 nothing is due; from day 30 the month's."""
        if self.completed_at is None:
            return None
        age = (now or timezone.now()) - self.completed_at
        if age >= timedelta(days=MONTH) and self.month_checked_at is None:
            return MONTH
        if timedelta(days=WEEK) <= age < timedelta(days=MONTH) and self.week_checked_at is None:
            return WEEK
        return None

    def mark_checked(self, day, run=None, now=None):
        """Record that the ``day`` re-check was taken (with its run) or skipped (1 query)."""
        prefix = "week" if day == WEEK else "month"
        setattr(self, f"{prefix}_checked_at", now or timezone.now())
        setattr(self, f"{prefix}_run", run)
        self.save(update_fields=[f"{prefix}_checked_at", f"{prefix}_run"])


def recent_runs(learner_id, lessons=(), limit=5):
    """The learner's ``limit`` latest runs as RunSummary, newest first, with their right
    answers (1 query on the learner's runs index, whatever the history)."""
    from .learners import run_summaries

    return run_summaries(learner_id, lessons, newest=limit)


class RecheckFlagQuerySet(models.QuerySet):
    def rebuild(self, learner):
        """Recompute the learner's rows from their re-check answers (3 queries): after
        learners merge, which is rare."""
        from .answers import Answer

        rows = (
            Answer.objects.filter(learner=learner, run__review__kind="recheck")
            .exclude(question__red_flags=None)
            .values_list("question__red_flags", "run__review__day")
            .annotate(
                answered=models.Count("id"),
                right_answers=models.Count("id", filter=models.Q(is_correct=True)),
            )
        )
        self.filter(learner=learner).delete()
        self.bulk_create(
            RecheckFlag(
                learner=learner,
                red_flag_id=flag,
                day=day,
                answered=answered,
                right_answers=right,
            )
            for flag, day, answered, right in rows
            if day in RECHECK_DAYS
        )


class RecheckFlag(models.Model):
    """One learner's answers, in their ``day`` re-checks, to questions carrying one red
    flag; counted as the answers arrive."""

    # No index of its own: recheck_flag_unique begins with it.
    learner = models.ForeignKey(
        "quizzes.Learner", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    red_flag = models.ForeignKey("quizzes.RedFlag", on_delete=models.CASCADE, related_name="+")
    day = models.PositiveSmallIntegerField()
    answered = models.PositiveIntegerField(default=0)
    right_answers = models.PositiveIntegerField(default=0)

    objects = RecheckFlagQuerySet.as_manager()

    class Meta:
        verbose_name = _("re-check answers on a red flag")
        verbose_name_plural = _("re-check answers on red flags")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "red_flag", "day"], name="recheck_flag_unique"
            ),
        ]

    def __str__(self):
        return f"learner {self.learner_id}: flag {self.red_flag_id} on day {self.day}"


def count_recheck_answer(run, answer, flag_ids):
    """Count ``answer`` if ``run`` is a lesson's re-check: on the learner's summary of
    that lesson and on each red flag of the question (``flag_ids``). For the retention
    statistics, which then read these rows and not the answers.

    1 query for any run without a lesson (reviews, drills, practice: it changes nothing
    there), 2 for a re-check of a question with red flags. The re-check's run is on the
    summary before its first answer (``LessonMemory.mark_checked``).
    """
    db = connections[router.db_for_write(LessonMemory)]
    quote = db.ops.quote_name
    right = int(answer.is_correct)
    sql = (
        f"UPDATE {quote(LessonMemory._meta.db_table)} SET"
        " week_answered = week_answered + CASE WHEN week_run_id = %s THEN 1 ELSE 0 END,"
        " week_right = week_right + CASE WHEN week_run_id = %s THEN %s ELSE 0 END,"
        " month_answered = month_answered + CASE WHEN month_run_id = %s THEN 1 ELSE 0 END,"
        " month_right = month_right + CASE WHEN month_run_id = %s THEN %s ELSE 0 END"
        " WHERE learner_id = %s AND (week_run_id = %s OR month_run_id = %s)"
        f" RETURNING CASE WHEN week_run_id = %s THEN {WEEK} ELSE {MONTH} END"
    )
    pk = run.pk
    with db.cursor() as cursor:
        cursor.execute(sql, [pk, pk, right, pk, pk, right, run.learner_id, pk, pk, pk])
        found = cursor.fetchone()
        if found is None or not flag_ids:
            return
        table = quote(RecheckFlag._meta.db_table)
        rows = ", ".join(["(%s, %s, %s, 1, %s)"] * len(flag_ids))
        params = []
        for flag_id in flag_ids:
            params += [run.learner_id, flag_id, found[0], right]
        cursor.execute(
            f"INSERT INTO {table} (learner_id, red_flag_id, day, answered, right_answers)"
            f" VALUES {rows} ON CONFLICT (learner_id, red_flag_id, day) DO UPDATE SET"
            f" answered = {table}.answered + 1,"
            f" right_answers = {table}.right_answers + excluded.right_answers",
            params,
        )


class ActivityWeek(models.Model):
    """The review activity of one finished week (Monday, site time zone): learners who
    started a quiz and review sessions started. A week is counted once, when the
    retention statistics first need it after it ended; it does not change after that
    (runs are never added to a past week)."""

    week = models.DateField(unique=True)
    learners = models.PositiveIntegerField()
    reviews = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("week of review activity")
        verbose_name_plural = _("weeks of review activity")
        ordering = ["week"]

    def __str__(self):
        return f"week of {self.week}: {self.learners} learners, {self.reviews} reviews"
