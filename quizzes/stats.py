"""Statistics for the police workspace: how citizens answer each question.

Item analysis uses first attempts only (a learner's first answer to a question, before
any feedback taught them): facility is the share right; discrimination is the classic
upper-lower index D = facility among the top 27% of learners (ranked by their share of
right first attempts) minus facility among the bottom 27%. A question "needs checking"
when D is negative or when strong learners pick a wrong choice more often than the right
one. All counting happens in the database; Python only arranges the grouped rows.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from .models import MASTERY_THRESHOLD, Answer, Lesson, Question, QuizRun, RedFlag

GROUP_PERCENT = 27  # the upper and lower groups: whole learners, integer arithmetic
# Fewer first attempts than this in the upper or the lower group: no discrimination index.
MIN_GROUP_ANSWERS = 5

ITEM_ANALYSIS_SQL = """
WITH first AS (
    SELECT learner_id, question_id, choice_id,
           CASE WHEN is_correct THEN 1 ELSE 0 END AS is_right
    FROM quizzes_answer
    WHERE first_attempt AND answered_at >= %(start)s AND answered_at < %(end)s
),
scores AS (
    -- Integer sums: averaging in NUMERIC costs a third of the query on PostgreSQL.
    SELECT learner_id, SUM(is_right) AS right_answers, COUNT(*) AS answers
    FROM first GROUP BY learner_id
),
ranked AS (
    SELECT learner_id,
           ROW_NUMBER() OVER (
               ORDER BY right_answers * 1.0 / answers, learner_id
           ) AS place,
           COUNT(*) OVER () AS learners
    FROM scores
)
SELECT f.question_id, f.choice_id,
       CASE WHEN r.place * 100 <= r.learners * %(percent)s THEN 'lower'
            WHEN (r.learners - r.place + 1) * 100 <= r.learners * %(percent)s THEN 'upper'
            ELSE 'middle' END AS band,
       COUNT(*) AS answers,
       SUM(f.is_right) AS right_answers
FROM first f JOIN ranked r ON r.learner_id = f.learner_id
GROUP BY f.question_id, f.choice_id, band
"""

LESSON_SCORES_SQL = """
WITH runs AS (
    SELECT r.id, r.learner_id, r.lesson_id, r.size, r.finished_at, s.right_answers
    FROM quizzes_quizrun r
    JOIN (
        SELECT run_id, SUM(CASE WHEN is_correct THEN 1 ELSE 0 END) AS right_answers
        FROM quizzes_answer GROUP BY run_id
    ) s ON s.run_id = r.id
    WHERE r.lesson_id IS NOT NULL AND r.finished_at IS NOT NULL AND r.size > 0
      AND r.finished_at >= %(start)s AND r.finished_at < %(end)s
),
latest AS (
    SELECT lesson_id, right_answers * 1.0 / size AS score,
           ROW_NUMBER() OVER (
               PARTITION BY lesson_id, learner_id ORDER BY finished_at DESC, id DESC
           ) AS newest
    FROM runs
)
SELECT runs.lesson_id,
       AVG(runs.right_answers * 1.0 / runs.size) AS average,
       (SELECT COUNT(*) FROM latest
         WHERE latest.lesson_id = runs.lesson_id AND newest = 1 AND score >= %(mastery)s)
           AS mastered
FROM runs GROUP BY runs.lesson_id
"""


# The dates the statistics accept: no answer is older, and later ones overflow nothing.
FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)


def date_range(start=None, end=None):
    """[start, end) as aware datetimes; dates are whole local days, end included, kept
    within FIRST_DAY and LAST_DAY (so the day after ``end`` always exists)."""
    tz = timezone.get_current_timezone()
    start = min(max(start or FIRST_DAY, FIRST_DAY), LAST_DAY)
    end = min(max(end or LAST_DAY, FIRST_DAY), LAST_DAY)
    low = datetime.datetime.combine(start, datetime.time.min, tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tz)
    return low, high


def _rows(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # These queries group a million rows; the default 4 MB spills them to disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class ChoiceStats:
    choice: object
    answers: int = 0
    upper: int = 0
    share: float | None = None
    y: int = 0

    @property
    def bar(self):
        return round((self.share or 0) * 100)

    def share_of(self, total):
        return self.answers / total if total else None


@dataclass
class QuestionStats:
    question: object
    attempts: int = 0
    learners: int = 0
    first_attempts: int = 0
    first_right: int = 0
    upper: list = field(default_factory=lambda: [0, 0])  # answers, right
    lower: list = field(default_factory=lambda: [0, 0])
    choices: list = field(default_factory=list)

    @property
    def chart_height(self):
        return len(self.choices) * 12

    @property
    def facility(self):
        return self.first_right / self.first_attempts if self.first_attempts else None

    @property
    def discrimination(self):
        if min(self.upper[0], self.lower[0]) < MIN_GROUP_ANSWERS:
            return None
        return self.upper[1] / self.upper[0] - self.lower[1] / self.lower[0]

    @property
    def problems(self):
        """Why this question needs checking, if it does."""
        found = []
        if self.discrimination is not None and self.discrimination < 0:
            found.append("negative discrimination")
        if self.upper[0] >= MIN_GROUP_ANSWERS:
            keyed = max((c.upper for c in self.choices if c.choice.is_correct), default=0)
            if any(c.upper > keyed for c in self.choices if not c.choice.is_correct):
                found.append("strong learners prefer a wrong choice")
        return found

    @property
    def needs_checking(self):
        return bool(self.problems)


def question_stats(start=None, end=None):
    """QuestionStats for every question, in curriculum order (4 queries)."""
    low, high = date_range(start, end)
    questions = (
        Question.objects.select_related("lesson")
        .prefetch_related("choices")
        .order_by("lesson__position", "position")
    )
    stats = {q.pk: QuestionStats(q) for q in questions}
    by_choice = {}
    for item in stats.values():
        item.choices = [ChoiceStats(c) for c in item.question.choices.all()]
        by_choice.update({c.choice.pk: c for c in item.choices})
    attempts = (
        Answer.objects.filter(answered_at__gte=low, answered_at__lt=high)
        .values_list("question")
        .annotate(Count("id"))
        .order_by()
    )
    for question_id, count in attempts:
        if question_id in stats:
            stats[question_id].attempts = count
    params = {"start": low, "end": high, "percent": GROUP_PERCENT}
    for question_id, choice_id, band, answers, right in _rows(ITEM_ANALYSIS_SQL, params):
        item = stats.get(question_id)
        if item is None:
            continue
        right = int(right or 0)
        # Every learner has exactly one first attempt per question.
        item.learners += answers
        item.first_attempts += answers
        item.first_right += right
        if band in ("upper", "lower"):
            group = getattr(item, band)
            group[0] += answers
            group[1] += right
        choice = by_choice.get(choice_id)
        if choice is not None:
            choice.answers += answers
            if band == "upper":
                choice.upper += answers
    for item in stats.values():
        for row, choice in enumerate(item.choices):
            choice.share = choice.share_of(item.first_attempts)
            choice.y = row * 12  # its row in the small chart of choice shares
    return list(stats.values())


@dataclass
class LessonStats:
    lesson: object
    started: int = 0
    completed: int = 0
    mastered: int = 0
    average: float | None = None


def lesson_stats(start=None, end=None):
    """Learners who started, completed and mastered each lesson, and the average score of
    finished runs (2 queries plus the lessons)."""
    low, high = date_range(start, end)
    stats = {lesson.pk: LessonStats(lesson) for lesson in Lesson.objects.order_by("position")}
    counts = (
        QuizRun.objects.filter(lesson__isnull=False, started_at__gte=low, started_at__lt=high)
        .values("lesson")
        .annotate(
            started=Count("learner", distinct=True),
            completed=Count("learner", distinct=True, filter=Q(finished_at__isnull=False)),
        )
        .order_by()
    )
    for row in counts:
        stats[row["lesson"]].started = row["started"]
        stats[row["lesson"]].completed = row["completed"]
    params = {"start": low, "end": high, "mastery": MASTERY_THRESHOLD}
    for lesson_id, average, mastered in _rows(LESSON_SCORES_SQL, params):
        stats[lesson_id].average = float(average) if average is not None else None
        stats[lesson_id].mastered = mastered
    return list(stats.values())


@dataclass
class RedFlagStats:
    flag: object
    seen: int = 0
    recognised: int = 0

    @property
    def rate(self):
        return self.recognised / self.seen if self.seen else None


def red_flag_stats(questions):
    """Per red flag: first attempts at its questions, and how many were right. Built from
    the per-question figures, so it reads no answers itself (2 queries)."""
    flags = {flag.pk: RedFlagStats(flag) for flag in RedFlag.objects.order_by("title")}
    by_question = {item.question.pk: item for item in questions}
    links = Question.red_flags.through.objects.values_list("question_id", "redflag_id")
    for question_id, flag_id in links:
        item = by_question.get(question_id)
        if item is not None:
            flags[flag_id].seen += item.first_attempts
            flags[flag_id].recognised += item.first_right
    return list(flags.values())


def dashboard(start=None, end=None, fresh=False):
    """Everything the statistics page shows, cached for STATISTICS_CACHE_SECONDS.

    Computing it reads every answer in the range (about a second per million answers on
    PostgreSQL), so the page serves a snapshot that the cache (Redis when configured)
    shares between app servers; ``refresh_statistics`` renews the usual ranges from cron.
    """
    key = f"stats:v1:{start}:{end}"
    if not fresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    questions = question_stats(start, end)
    data = {
        "questions": questions,
        "lessons": lesson_stats(start, end),
        "flags": red_flag_stats(questions),
        "computed_at": timezone.now(),
    }
    cache.set(key, data, settings.STATISTICS_CACHE_SECONDS)
    return data


# --- The question kinds beyond choosing ------------------------------------------------


def spot_found_shares(start=None, end=None):
    """{spot id: (learners who marked it, learners who answered its question)} over first
    attempts: how often each part of a tap-the-red-flag message is found (a warning sign)
    or wrongly marked (a harmless part). 2 queries."""
    from .models import Spot

    low, high = date_range(start, end)
    first = Answer.objects.filter(
        first_attempt=True, answered_at__gte=low, answered_at__lt=high, question__kind="spot"
    )
    answered = dict(first.values_list("question").annotate(n=Count("id")).order_by())
    marked = dict(
        Answer.spots.through.objects.filter(answer__in=first)
        .values_list("spot")
        .annotate(n=Count("id"))
        .order_by()
    )
    spots = Spot.objects.filter(question_id__in=answered).values_list("pk", "question_id")
    return {pk: (marked.get(pk, 0), answered[question]) for pk, question in spots}


def reply_shares(start=None, end=None):
    """{reply id: (learners who took it, learners who reached its turn)} over each
    learner's first play of a conversation: where most of them go wrong. 1 query."""
    from .models import Step

    low, high = date_range(start, end)
    rows = (
        Step.objects.filter(taken_at__gte=low, taken_at__lt=high)
        .values_list("turn", "reply", "run__learner")
        .order_by("run__learner", "turn", "taken_at", "id")
    )
    taken, reached, seen = {}, {}, set()
    for turn, reply, learner in rows:
        if (learner, turn) in seen:
            continue  # a later run of the same learner: not a first play
        seen.add((learner, turn))
        taken[turn, reply] = taken.get((turn, reply), 0) + 1
        reached[turn] = reached.get(turn, 0) + 1
    return {reply: (count, reached[turn]) for (turn, reply), count in taken.items()}
