"""What police see about retention: completion against the 7- and 30-day re-checks."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes import retention
from quizzes.models import ActivityWeek, LessonMemory, QuizRun, RecheckFlag, ReviewKind
from quizzes.models.sessions import start_session

from .conftest import sign_in_officer
from .factories import LearnerFactory, QuestionFactory, RedFlagFactory, UserFactory

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
    check = start_session(keeper.pk, questions, ReviewKind.RECHECK, lesson=lesson, day=7)
    LessonMemory.objects.get(learner=keeper).mark_checked(7, check)  # as the view does
    answer_all(check, right=1)
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


def test_recheck_answers_are_counted_as_they_arrive(rechecked, red_flag):
    keeper = LessonMemory.objects.get(week_run__isnull=False)
    assert (keeper.week_answered, keeper.week_right) == (3, 1)
    assert (keeper.month_answered, keeper.month_right) == (0, 0)
    [tally] = RecheckFlag.objects.all()
    assert (tally.learner_id, tally.red_flag, tally.day) == (keeper.learner_id, red_flag, 7)
    assert (tally.answered, tally.right_answers) == (3, 1)


def test_review_and_drill_answers_are_not_counted_as_rechecks(lesson):
    learner = LearnerFactory()
    answer_all(learner.start_run(lesson), right=3)
    questions = list(lesson.questions.values_list("pk", flat=True))
    for kind in (ReviewKind.REVIEW, ReviewKind.DRILL):
        answer_all(start_session(learner.pk, questions, kind), right=0)

    memory = LessonMemory.objects.get(learner=learner)
    assert (memory.week_answered, memory.month_answered) == (0, 0)
    assert not RecheckFlag.objects.exists()


def test_retention_figures_read_the_summaries_not_the_answers(
    rechecked, django_assert_num_queries
):
    with django_assert_num_queries(2) as queries:
        retention.lesson_retention()
    with django_assert_num_queries(2) as more:
        retention.flag_retention()
    sqls = [q["sql"] for q in [*queries.captured_queries, *more.captured_queries]]
    assert not [sql for sql in sqls if "quizzes_answer" in sql]


def test_a_recheck_on_two_red_flags_counts_on_each(lesson, red_flag):
    second = RedFlagFactory(slug="keep-secret", title_en="Tells you to keep it secret")
    question = QuestionFactory(lesson=lesson, position=7, red_flags=[red_flag, second])
    learner = LearnerFactory()
    answer_all(learner.start_run(lesson), right=3)
    check = start_session(learner.pk, [question.pk], ReviewKind.RECHECK, lesson=lesson, day=30)
    LessonMemory.objects.get(learner=learner).mark_checked(30, check)

    answer_all(check, right=1)

    flags = {
        item.flag.slug: (item.month_learners, item.month) for item in retention.flag_retention()
    }
    assert flags == {"off-platform": (1, 1.0), "keep-secret": (1, 1.0)}
    (item,) = retention.lesson_retention()
    assert (item.month_learners, item.month) == (1, 1.0)


def test_a_visitors_rechecks_follow_them_into_their_account(rechecked, red_flag):
    visitor = LessonMemory.objects.get(week_run__isnull=False).learner
    account = LearnerFactory()

    account.absorb(visitor)

    [tally] = RecheckFlag.objects.all()
    assert (tally.learner, tally.day, tally.answered, tally.right_answers) == (account, 7, 3, 1)


def test_a_finished_week_is_counted_once_and_this_week_every_time(
    lesson, django_assert_num_queries
):
    now = timezone.now()
    last_week = now - datetime.timedelta(weeks=1)
    learner, other = LearnerFactory(), LearnerFactory()
    for who in (learner, learner, other):
        QuizRun.objects.create(learner=who, lesson=lesson, size=3, started_at=last_week)
    review = start_session(learner.pk, [lesson.questions.first().pk], ReviewKind.REVIEW)
    QuizRun.objects.filter(pk=review.pk).update(started_at=last_week)

    with django_assert_num_queries(4):  # stored weeks, the new ones counted and kept, now
        first = retention.weekly_activity(now)
    monday = timezone.localdate(last_week) - datetime.timedelta(
        days=timezone.localdate(last_week).weekday()
    )
    assert first == [(monday, 2, 1)]
    assert ActivityWeek.objects.count() == retention.WEEKS

    learner.start_run(lesson)  # this week
    with django_assert_num_queries(2):  # stored weeks, this week's runs
        second = retention.weekly_activity(now + datetime.timedelta(seconds=5))
    assert second[0] == (monday, 2, 1)
    assert second[1][1:] == (1, 0)


def test_the_cron_refresh_renews_the_retention_figures(rechecked):
    from io import StringIO

    from django.core.cache import cache
    from django.core.management import call_command

    out = StringIO()
    call_command("refresh_statistics", stdout=out)

    assert "retention:" in out.getvalue()
    assert cache.get("retention:v1")["lessons"][0].week_learners == 1
