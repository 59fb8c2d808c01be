"""Review sessions: today's review, a drill on one warning sign, a lesson's re-check.
Each is an ordinary quiz run, marked by a ``ReviewRun``; what is here chooses its
questions from what the learner remembers (``review``).

The daily review is driven by the tactics: a red flag's item falls due, and the review
shows a question carrying that red flag, one the learner has not seen where there is
one, so that they recognise the tactic and not the remembered text. Questions without
red flags (genuine messages) are reviewed themselves. Question items keep their own
memory too: among seen questions, the one remembered least comes back first.
"""

from datetime import UTC, datetime

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from .review import REVIEW_SIZE, ReviewItem
from .slots import remember_new_run

DRILL_SIZE = 5  # questions in a drill on one red flag, at most


class ReviewKind(models.TextChoices):
    REVIEW = "review", _("Today's review")
    DRILL = "drill", _("Drill on one warning sign")
    RECHECK = "recheck", _("Re-check")
    # A campaign's runs, named as such on their pages (quizzes/models/campaigns.py).
    FIRST_CHECK = "first", _("Campaign: first check")
    FINAL_CHECK = "final", _("Campaign: final check")
    CAMPAIGN = "campaign", _("Campaign quiz")


class ReviewRun(models.Model):
    """Marks a quiz run as a review, a drill on one red flag, a lesson's re-check, or one
    of a campaign's runs; the run itself, its questions and answers are ordinary runs."""

    run = models.OneToOneField(
        "quizzes.QuizRun", primary_key=True, on_delete=models.CASCADE, related_name="review"
    )
    kind = models.CharField(max_length=10, choices=ReviewKind.choices)
    red_flag = models.ForeignKey(
        "quizzes.RedFlag", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For a re-check: the lesson, and how many days after its completion (7 or 30).
    lesson = models.ForeignKey(
        "quizzes.Lesson", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    day = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("review run")
        verbose_name_plural = _("review runs")

    def __str__(self):
        return f"{self.kind} {self.run_id}"

    @property
    def kind_label(self):
        return ReviewKind(self.kind).label


def start_session(learner_id, question_ids, kind, **marks):
    """A run of the learner over ``question_ids`` marked as ``kind`` (2 queries on
    PostgreSQL, 3 elsewhere), or None if empty."""
    from .runs import QuizRun

    if not question_ids:
        return None
    with transaction.atomic():
        run = QuizRun.objects.start(learner_id, question_ids)
        ReviewRun.objects.create(run=run, kind=kind, **marks)
        remember_new_run(run, question_ids, kind)
    return run


# --- Choosing questions ------------------------------------------------------------


class PoolQuestion:
    """A published question as sessions choose among them: plain values, cached."""

    __slots__ = ("channel", "flags", "id", "lesson_id")

    def __init__(self, id, lesson_id, channel, flags):
        self.id, self.lesson_id, self.channel, self.flags = id, lesson_id, channel, flags


def question_pool():
    """Every published question with its lesson, channel and red flags (2 queries, then
    from the content cache until an officer changes something)."""
    from .. import caching
    from .questions import Question

    def build():
        return [
            PoolQuestion(q.pk, q.lesson_id, q.channel, frozenset(f.pk for f in q.red_flags.all()))
            for q in Question.objects.published()
            .only("id", "lesson_id", "channel")
            .prefetch_related("red_flags")
        ]

    return caching.cached("review-pool", build)


def carrying(pool, flag_id):
    """The questions of ``pool`` that carry the red flag ``flag_id``."""
    return [q for q in pool if flag_id in q.flags]


def interleave(questions):
    """Reorder so that neighbours come from different lessons (and channels) where
    possible: one from each lesson in turn, in the order they were chosen."""
    by_lesson = {}
    for q in questions:
        by_lesson.setdefault(q.lesson_id, []).append(q)
    ordered = []
    while any(by_lesson.values()):
        turn = [group.pop(0) for group in by_lesson.values() if group]
        # Within a turn, avoid repeating the channel just shown.
        if ordered and len(turn) > 1 and turn[0].channel == ordered[-1].channel:
            turn.append(turn.pop(0))
        ordered += turn
    return ordered


def choose(candidates, seen_due, picked, rng):
    """The best of ``candidates`` for a tactic: one not seen yet (at random), else the
    seen one due first; lessons already picked less often come first."""
    per_lesson = {}
    for q in picked:
        per_lesson[q.lesson_id] = per_lesson.get(q.lesson_id, 0) + 1
    ids = {q.id for q in picked}
    left = [q for q in candidates if q.id not in ids]
    if not left:
        return None
    far_future = datetime.max.replace(tzinfo=UTC)
    return min(
        left,
        key=lambda q: (
            q.id in seen_due,
            per_lesson.get(q.lesson_id, 0),
            seen_due.get(q.id, far_future),
            rng.random(),
        ),
    )


def seen_questions(learner_id):
    """{question id: due} for every question the learner has answered (1 query; bounded
    by the number of questions, not by how many quizzes the learner took)."""
    return dict(
        ReviewItem.objects.of(learner_id)
        .filter(question__isnull=False)
        .values_list("question_id", "due")
    )


def review_questions(learner_id, now=None, size=REVIEW_SIZE, rng=None, first=()):
    """Question ids for today's review: ``first`` (a live scam alert's questions), then
    one question per due item, interleaved; ``size`` in all at most (2 queries). A
    question covers every due tactic it carries; the places it saves go to more
    questions on the due tactics, so the review holds as many questions as the pages
    said were due."""
    import random

    rng = rng or random.Random()
    pool = question_pool()
    by_id = {q.id: q for q in pool}
    leading = [by_id[pk] for pk in first if pk in by_id][:size]
    due = []
    if len(leading) < size:
        due = list(
            ReviewItem.objects.of(learner_id)
            .due(now)
            .order_by("due", "id")
            .values_list("question_id", "red_flag_id")[: size * 3]
        )
    if not due:
        return [q.id for q in leading]
    seen = seen_questions(learner_id)
    # The alert's questions already train the tactics they carry.
    picked, covered = list(leading), set().union(*(q.flags for q in leading))
    for question_id, flag_id in due:
        if len(picked) >= size:
            break
        if flag_id is not None:
            if flag_id in covered:
                continue
            candidates = carrying(pool, flag_id)
        else:
            candidates = [q for q in pool if q.id == question_id]
        best = choose(candidates, seen, picked, rng)
        if best is not None:
            picked.append(best)
            covered |= best.flags
    # The pages promised one question per due item (``ReviewItem.objects.today``). Where
    # one question covered several due tactics, more questions on those tactics fill the
    # places left, so the review holds what it promised while the pool has enough.
    promised = min(len(leading) + len(due), size)
    while len(picked) < promised:
        before = len(picked)
        for _question_id, flag_id in due:
            if len(picked) >= promised:
                break
            if flag_id is not None:
                best = choose(carrying(pool, flag_id), seen, picked, rng)
                if best is not None:
                    picked.append(best)
        if len(picked) == before:
            break
    return [q.id for q in leading + interleave(picked[len(leading) :])]


def pick(learner_id, candidates, size, rng=None):
    """Up to ``size`` of ``candidates``, unseen ones first, interleaved across lessons
    (1 query: what the learner has seen)."""
    import random

    rng = rng or random.Random()
    seen = seen_questions(learner_id)
    picked = []
    while len(picked) < size:
        best = choose(candidates, seen, picked, rng)
        if best is None:
            break
        picked.append(best)
    return [q.id for q in interleave(picked)]


def drill_questions(learner_id, flag_id, size=DRILL_SIZE, rng=None):
    """Up to ``size`` questions carrying one red flag, unseen ones first, interleaved
    across lessons (1 query)."""
    candidates = carrying(question_pool(), flag_id)
    return pick(learner_id, candidates, size, rng)


def recheck_questions(learner_id, lesson_id, size=3, rng=None):
    """Up to ``size`` questions on a lesson's tactics (its questions' red flags), from
    any lesson, unseen ones first (1 query)."""
    pool = question_pool()
    flags = frozenset().union(*(q.flags for q in pool if q.lesson_id == lesson_id))
    candidates = [q for q in pool if q.flags & flags or q.lesson_id == lesson_id]
    return pick(learner_id, candidates, size, rng)
