"""Retention statistics for the police workspace: does the training hold?

Definitions (README.md, "Daily review and mastery"):
- score at completion: a learner's share right in their first finished quiz of a lesson
  (``LessonMemory.completion_score``, kept as answers arrive);
- 7-day and 30-day re-check: the share right in the 3-question re-check the learner took
  7 or 30 days (or more) after completing the lesson; skipped re-checks do not count;
- each figure is an average over learners, shown with how many learners are behind it;
  the completion score beside a re-check is that of the same learners;
- per red flag: the share right of re-check answers to questions carrying it (the
  question's red flags when it was answered), with the learners who gave them;
- review activity per week: learners who started any quiz, and review sessions started;
  a finished week is counted once and kept (``ActivityWeek``).

Everything is counted in the database from per-learner summaries kept up to date as
answers arrive (``LessonMemory``, ``RecheckFlag``), never from the answers, so the page
stays fast at a million answers (bench/retention_stats.py).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import ActivityWeek, Lesson, QuizRun, RedFlag, ReviewKind

WEEKS = 12

# Read from the summaries kept as answers arrive (``LessonMemory``'s re-check counts,
# ``RecheckFlag``), never from the answers: one pass over one table each.
LESSON_SQL = """
SELECT lesson_id,
       COUNT(*), AVG(completion_score),
       COUNT(CASE WHEN week_answered > 0 THEN 1 END),
       AVG(CASE WHEN week_answered > 0 THEN week_right * 1.0 / week_answered END),
       AVG(CASE WHEN week_answered > 0 THEN completion_score END),
       COUNT(CASE WHEN month_answered > 0 THEN 1 END),
       AVG(CASE WHEN month_answered > 0 THEN month_right * 1.0 / month_answered END),
       AVG(CASE WHEN month_answered > 0 THEN completion_score END)
FROM quizzes_lessonmemory
WHERE completed_at IS NOT NULL
GROUP BY lesson_id
"""

FLAG_SQL = """
SELECT red_flag_id, day, COUNT(*), SUM(right_answers) * 1.0 / SUM(answered)
FROM quizzes_recheckflag
WHERE answered > 0
GROUP BY red_flag_id, day
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
        cursor.execute(LESSON_SQL)
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
        cursor.execute(FLAG_SQL)
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


def monday(day):
    return day - timedelta(days=day.weekday())


def count_weeks(start, end):
    """{week's Monday: (active learners, review sessions)} for the quiz runs started
    from ``start`` to before ``end`` (1 query)."""
    rows = (
        QuizRun.objects.filter(started_at__gte=start, started_at__lt=end)
        .annotate(week=TruncWeek("started_at"))
        .values("week")
        .annotate(
            learners=Count("learner", distinct=True),
            reviews=Count("id", filter=Q(review__kind=ReviewKind.REVIEW)),
        )
    )
    return {timezone.localdate(row["week"]): (row["learners"], row["reviews"]) for row in rows}


def local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def weekly_activity(now=None, weeks=WEEKS):
    """[(week's Monday, active learners, review sessions)] for the weeks with activity
    among the last ``weeks`` and this one, oldest first. Finished weeks come from
    ``ActivityWeek``, counted from the runs the first time they are needed; only this
    week's runs are counted each time (2 queries; 4 when a finished week is new)."""
    now = now or timezone.now()
    this_week = monday(timezone.localdate(now))
    first = this_week - timedelta(weeks=weeks)
    stored = {
        row.week: (row.learners, row.reviews)
        for row in ActivityWeek.objects.filter(week__gte=first, week__lt=this_week)
    }
    missing = [
        first + timedelta(weeks=n)
        for n in range(weeks)
        if first + timedelta(weeks=n) not in stored
    ]
    if missing:
        counted = count_weeks(local_midnight(missing[0]), local_midnight(this_week))
        new = {week: counted.get(week, (0, 0)) for week in missing}
        ActivityWeek.objects.bulk_create(
            [ActivityWeek(week=w, learners=n, reviews=r) for w, (n, r) in new.items()],
            ignore_conflicts=True,  # a parallel refresh counted them too
        )
        stored.update(new)
    stored.update(count_weeks(local_midnight(this_week), now + timedelta(seconds=1)))
    return [(week, *stored[week]) for week in sorted(stored) if stored[week][0]]


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
