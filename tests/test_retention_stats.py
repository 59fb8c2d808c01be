"""What police see about retention: completion against the 7- and 30-day re-checks."""

import pytest
from django.urls import reverse

from quizzes import retention
from quizzes.models import LessonMemory, ReviewKind
from quizzes.models.review import start_session

from .conftest import sign_in_officer
from .factories import LearnerFactory, UserFactory

pytestmark = pytest.mark.django_db


def answer_all(run, right):
    """Answer every question of ``run``, the first ``right`` of them right."""
    for rq in run.run_questions.select_related("question").order_by("position"):
        run.record_answer(rq, rq.question.choices.get(is_correct=rq.position <= right))


@pytest.fixture
def rechecked(lesson):
    """A learner who completed the lesson with 3 of 3, then got 1 of 3 in the day-7
    re-check; another who completed it with 2 of 3 and skipped the re-check."""
    keeper = LearnerFactory()
    answer_all(keeper.start_run(lesson), right=3)
    questions = list(lesson.questions.values_list("pk", flat=True))
    check = start_session(keeper, questions, ReviewKind.RECHECK, lesson=lesson, day=7)
    answer_all(check, right=1)
    LessonMemory.objects.get(learner=keeper).mark_checked(7, check)
    skipper = LearnerFactory()
    answer_all(skipper.start_run(lesson), right=2)
    LessonMemory.objects.get(learner=skipper).mark_checked(7)
    return lesson


def test_lesson_retention_compares_the_same_learners(rechecked):
    (item,) = retention.lesson_retention()

    assert item.lesson == rechecked
    assert item.learners == 2
    assert item.at_completion == pytest.approx(5 / 6)
    assert (item.week_learners, item.week, item.week_before) == (1, pytest.approx(1 / 3), 1.0)
    assert (item.month_learners, item.month) == (0, None)


def test_red_flag_retention_counts_recheck_answers(rechecked, red_flag):
    (item,) = retention.flag_retention()

    assert (item.flag, item.week_learners, item.week) == (red_flag, 1, pytest.approx(1 / 3))


def test_weekly_activity_counts_learners_and_reviews(rechecked):
    weeks = retention.weekly_activity()

    assert sum(learners for _, learners, _ in weeks) >= 2
    assert sum(reviews for _, _, reviews in weeks) == 0


def test_officers_see_the_retention_page(
    client, rechecked, superuser, django_assert_max_num_queries
):
    sign_in_officer(client, superuser)

    page = client.get(reverse("admin:quizzes_retention")).text

    assert "Fake courier claims" in page
    assert "33% (1)" in page
    assert page.count("<svg") >= 2
    with django_assert_max_num_queries(8):  # from the cache: session, user, device, perms
        client.get(reverse("admin:quizzes_retention"))


def test_citizens_do_not_see_the_retention_page(client, rechecked):
    client.force_login(UserFactory(username="meiling"))

    response = client.get(reverse("admin:quizzes_retention"))

    assert response.status_code in (302, 403)
    assert "Fake courier claims" not in response.text
