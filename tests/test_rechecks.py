"""Retention re-checks: 7 and 30 days after a lesson is completed, optional."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import LessonMemory, QuizRun, ReviewKind, ReviewRun

pytestmark = pytest.mark.django_db


def complete(visitor, lesson, days_ago):
    """The visitor takes the lesson's quiz (all right), ``days_ago`` days ago."""
    response = visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    run = QuizRun.objects.get(public_id=response.url.split("/")[-3])
    for rq in run.run_questions.select_related("question"):
        choice = rq.question.choices.get(is_correct=True)
        url = reverse("quizzes:run-question", args=[run.public_id, rq.position])
        visitor.post(url, {"choice": choice.pk})
    memory = LessonMemory.objects.get(learner=run.learner, lesson=lesson)
    memory.completed_at = timezone.now() - timedelta(days=days_ago)
    memory.save(update_fields=["completed_at"])
    return memory


@pytest.mark.parametrize(
    ("days", "due"), [(0, None), (6, None), (7, 7), (29, 7), (30, 30), (90, 30)]
)
def test_rechecks_are_due_on_day_7_and_day_30_and_not_before(visitor, lesson, days, due):
    memory = complete(visitor, lesson, days_ago=days)

    assert memory.recheck_due() == due
    page = visitor.get(reverse("quizzes:home")).text
    assert ("Quick check: do you still spot" in page) == (due is not None)


def test_a_taken_week_recheck_is_not_offered_again_but_the_month_one_is(visitor, lesson):
    memory = complete(visitor, lesson, days_ago=8)

    response = visitor.post(reverse("quizzes:recheck", args=[lesson.slug, 7]))

    recheck = ReviewRun.objects.get(kind=ReviewKind.RECHECK)
    assert response.url == recheck.run.get_absolute_url()
    assert (recheck.lesson, recheck.day, recheck.run.size) == (lesson, 7, 3)
    memory.refresh_from_db()
    assert memory.week_run == recheck.run
    assert memory.recheck_due() is None
    assert memory.recheck_due(timezone.now() + timedelta(days=22)) == 30


def test_a_recheck_can_be_skipped(visitor, lesson):
    memory = complete(visitor, lesson, days_ago=31)

    response = visitor.post(reverse("quizzes:recheck", args=[lesson.slug, 30]), {"action": "skip"})

    assert response.url == reverse("quizzes:home")
    memory.refresh_from_db()
    assert memory.month_checked_at is not None and memory.month_run is None
    assert "Quick check" not in visitor.get(reverse("quizzes:home")).text
    assert not ReviewRun.objects.exists()


def test_a_recheck_that_is_not_due_is_refused(visitor, client_factory, lesson):
    complete(visitor, lesson, days_ago=3)

    assert visitor.post(reverse("quizzes:recheck", args=[lesson.slug, 7])).status_code == 404
    assert visitor.post(reverse("quizzes:recheck", args=[lesson.slug, 8])).status_code == 404
    assert visitor.get(reverse("quizzes:recheck", args=[lesson.slug, 7])).status_code == 405
    stranger = client_factory()
    assert stranger.post(reverse("quizzes:recheck", args=[lesson.slug, 7])).status_code == 404
