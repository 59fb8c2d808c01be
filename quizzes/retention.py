"""Retention statistics for the police workspace: does the training hold?

Definitions (README.md, "Daily review and mastery"):
- score at completion: a learner's share right in their first finished quiz of a lesson
  (``LessonMemory.completion_score``, kept as answers arrive);
- 7-day and 30-day re-check: the share right in the 3-question re-check the learner took
  7 or 30 days (or more) after completing the lesson; skipped re-checks do not count;
- each figure is an average over learners, shown with how many learners are behind it;
  the completion score beside a re-check is that of the same learners;
- per red flag: the share right of re-check answers to questions carrying it;
- review activity per week: learners who started any quiz, and review sessions started.

Everything is counted in the database, from the per-learner summaries and the re-check
runs, never from the full answer history, so the page stays fast at a million answers.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import Lesson, QuizRun, RedFlag, ReviewKind

WEEKS = 12

RECHECK_SCORES = """
SELECT a.run_id AS run_id,
       AVG(CASE WHEN a.is_correct THEN 1.0 ELSE 0.0 END) AS score
FROM quizzes_reviewrun rr
JOIN quizzes_answer a ON a.run_id = rr.run_id
WHERE rr.kind = %s
GROUP BY a.run_id
"""

LESSON_SQL = f"""
WITH recheck AS ({RECHECK_SCORES})
SELECT m.lesson_id,
       COUNT(*), AVG(m.completion_score),
       COUNT(w.score), AVG(w.score),
       AVG(CASE WHEN w.score IS NOT NULL THEN m.completion_score END),
       COUNT(mo.score), AVG(mo.score),
       AVG(CASE WHEN mo.score IS NOT NULL THEN m.completion_score END)
FROM quizzes_lessonmemory m
LEFT JOIN recheck w ON w.run_id = m.week_run_id
LEFT JOIN recheck mo ON mo.run_id = m.month_run_id
WHERE m.completed_at IS NOT NULL
GROUP BY m.lesson_id
"""

FLAG_SQL = """
SELECT l.redflag_id, rr.day, COUNT(DISTINCT r.learner_id),
       AVG(CASE WHEN a.is_correct THEN 1.0 ELSE 0.0 END)
FROM quizzes_reviewrun rr
JOIN quizzes_quizrun r ON r.id = rr.run_id
JOIN quizzes_answer a ON a.run_id = rr.run_id
JOIN quizzes_question_red_flags l ON l.question_id = a.question_id
WHERE rr.kind = %s
GROUP BY l.redflag_id, rr.day
"""


def number(value):
    """PostgreSQL's AVG gives a Decimal, SQLite's a float: floats here."""
    return float(value) if isinstance(value, Decimal) else value


@dataclass
class LessonRetention:
    lesson: Lesson
    learners: int
    at_completion: float | None
    week_learners: int
    week: float | None
    week_before: float | None
    month_learners: int
    month: float | None
    month_before: float | None


@dataclass
class FlagRetention:
    flag: RedFlag
    week_learners: int = 0
    week: float | None = None
    month_learners: int = 0
    month: float | None = None


def lesson_retention():
    """A LessonRetention per lesson with completions (2 queries)."""
    with connection.cursor() as cursor:
        cursor.execute(LESSON_SQL, [ReviewKind.RECHECK.value])
        rows = cursor.fetchall()
    lessons = Lesson.objects.in_bulk([row[0] for row in rows])
    result = [
        LessonRetention(lessons[row[0]], *map(number, row[1:]))
        for row in rows
        if row[0] in lessons
    ]
    return sorted(result, key=lambda item: item.lesson.position)


def flag_retention():
    """A FlagRetention per red flag met in re-checks (2 queries)."""
    with connection.cursor() as cursor:
        cursor.execute(FLAG_SQL, [ReviewKind.RECHECK.value])
        rows = cursor.fetchall()
    flags = RedFlag.objects.in_bulk({row[0] for row in rows})
    result = {}
    for flag_id, day, learners, share in rows:
        if flag_id not in flags:
            continue
        item = result.setdefault(flag_id, FlagRetention(flags[flag_id]))
        if day == 7:
            item.week_learners, item.week = learners, number(share)
        elif day == 30:
            item.month_learners, item.month = learners, number(share)
    return sorted(result.values(), key=lambda item: item.flag.title)


def weekly_activity(now=None, weeks=WEEKS):
    """[(week start, active learners, review sessions)] for the last ``weeks`` weeks,
    oldest first (1 query over the quiz runs of those weeks)."""
    now = now or timezone.now()
    rows = (
        QuizRun.objects.filter(started_at__gte=now - timedelta(weeks=weeks))
        .annotate(week=TruncWeek("started_at"))
        .values("week")
        .annotate(
            learners=Count("learner", distinct=True),
            reviews=Count("id", filter=Q(review__kind=ReviewKind.REVIEW)),
        )
        .order_by("week")
    )
    return [(row["week"], row["learners"], row["reviews"]) for row in rows]


def dashboard(fresh=False):
    """Everything the retention page shows, cached like the item statistics."""
    key = "retention:v1"
    if not fresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    data = {
        "lessons": lesson_retention(),
        "flags": flag_retention(),
        "weeks": weekly_activity(),
        "computed_at": timezone.now(),
    }
    cache.set(key, data, settings.STATISTICS_CACHE_SECONDS)
    return data
