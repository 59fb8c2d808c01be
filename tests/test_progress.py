"""Progress is computed from answer rows and follows the learner into an account."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.learners import SESSION_KEY
from quizzes.models import Answer, Learner, LessonStatus, QuizRun

from .conftest import PASSWORD
from .factories import LearnerFactory, LessonFactory, QuestionFactory, RedFlagFactory

pytestmark = pytest.mark.django_db


def take_quiz(learner, lesson, right):
    """Answer a lesson quiz with the first `right` questions right, the rest wrong."""
    run = learner.start_run(lesson)
    for rq in run.run_questions.select_related("question"):
        correct = rq.position <= right
        run.record_answer(rq, rq.question.choices.get(is_correct=correct))
    return run


def status_of(learner, lesson):
    return next(p for p in learner.progress_by_lesson() if p.lesson == lesson)


def test_a_new_learner_has_not_started(lesson):
    progress = status_of(LearnerFactory(), lesson)

    assert (progress.status, progress.best, progress.latest) == (
        LessonStatus.NOT_STARTED,
        None,
        None,
    )


def test_an_unfinished_run_is_in_progress(lesson):
    learner = LearnerFactory()
    run = learner.start_run(lesson)
    rq = run.run_questions.first()
    run.record_answer(rq, rq.question.choices.first())

    assert status_of(learner, lesson).status == LessonStatus.IN_PROGRESS


def test_a_finished_run_below_the_threshold_is_completed(lesson):
    learner = LearnerFactory()
    take_quiz(learner, lesson, right=2)

    progress = status_of(learner, lesson)
    assert progress.status == LessonStatus.COMPLETED
    assert progress.best_percent == 67


def test_mastery_follows_the_latest_finished_run(lesson):
    learner = LearnerFactory()
    take_quiz(learner, lesson, right=3)
    assert status_of(learner, lesson).status == LessonStatus.MASTERED

    take_quiz(learner, lesson, right=1)

    progress = status_of(learner, lesson)
    assert progress.status == LessonStatus.COMPLETED
    assert (progress.best_percent, progress.latest_percent) == (100, 33)


def test_red_flag_recognition_counts_answers_per_flag(lesson, red_flag):
    other_flag = RedFlagFactory(title_en="Asks for a code")
    QuestionFactory(lesson=lesson, slug="q4", position=4, red_flags=[other_flag])
    learner = LearnerFactory()
    take_quiz(learner, lesson, right=2)  # q1, q2 right; q3 (off-platform), q4 (code) wrong

    flags = {f.slug: (f.recognised, f.seen) for f in learner.red_flag_recognition()}

    assert flags == {red_flag.slug: (2, 3), other_flag.slug: (0, 1)}


def test_mixed_practice_leaves_out_mastered_lessons_and_starts_with_mistakes(lesson):
    other = LessonFactory()
    for n in range(1, 4):
        QuestionFactory(lesson=other, slug=f"o{n}", position=n)
    learner = LearnerFactory()
    take_quiz(learner, lesson, right=3)  # mastered
    run = take_quiz(learner, other, right=1)
    missed = {rq.question_id for rq in run.run_questions.all() if rq.position > 1}

    practice = learner.start_run()

    chosen = [rq.question_id for rq in practice.run_questions.order_by("position")]
    assert set(chosen) == set(other.questions.values_list("id", flat=True))
    assert set(chosen[:2]) == missed


def test_visitor_progress_moves_into_a_new_account(visitor, lesson):
    visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    run = QuizRun.objects.get()
    rq = run.run_questions.first()
    visitor.post(
        reverse("quizzes:run-question", args=[run.public_id, 1]),
        {"choice": rq.question.choices.get(is_correct=True).pk},
    )

    visitor.post(
        reverse("quizzes:signup"),
        {"username": "grandma-li", "password1": PASSWORD, "password2": PASSWORD},
    )

    learner = Learner.objects.get(user__username="grandma-li")
    assert Learner.objects.count() == 1
    assert list(learner.runs.all()) == [run]
    assert Answer.objects.filter(run__learner=learner).count() == 1
    assert visitor.session[SESSION_KEY] == learner.pk  # the account's learner now
    content = visitor.get(reverse("quizzes:progress")).content.decode()
    assert "In progress: 1 of 3 questions answered" in content


def test_logging_in_merges_into_existing_progress_without_double_counting(
    client, citizen_user, lesson
):
    account = Learner.objects.create(user=citizen_user)
    take_quiz(account, lesson, right=3)
    client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    visitor_run = QuizRun.objects.exclude(learner=account).get()
    rq = visitor_run.run_questions.first()
    visitor_run.record_answer(rq, rq.question.choices.get(is_correct=False))

    client.post(reverse("quizzes:login"), {"username": "meiling", "password": PASSWORD})

    assert Learner.objects.count() == 1
    assert account.runs.count() == 2
    assert Answer.objects.filter(run__learner=account, learner=account).count() == 4
    # The visitor's later answer to a question the account had answered is a retry.
    assert Answer.objects.filter(learner=account, first_attempt=True).count() == 3
    assert status_of(account, lesson).status == LessonStatus.MASTERED


def test_progress_page_shows_lessons_flags_and_runs(client, lesson, red_flag):
    client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    run = QuizRun.objects.get()
    for rq in run.run_questions.select_related("question"):
        client.post(
            reverse("quizzes:run-question", args=[run.public_id, rq.position]),
            {"choice": rq.question.choices.get(is_correct=rq.position != 1).pk},
        )

    content = client.get(reverse("quizzes:progress")).content.decode()

    assert "You have completed 1 lesson." in content
    assert "Quiz completed" in content and "Best score 67%, latest score 67%" in content
    # wrong, then right twice: recent answers count most, but one scam type is not mastery
    assert (
        "Moves you off the official platform</strong>: You spot it in one kind of scam" in content
    )
    assert content.index("What you spot, what you miss") < content.index("You have completed")
    assert "Fake courier claims</a>," in content  # the recent run


def test_another_learners_progress_is_not_shown(client, client_factory, lesson):
    take_quiz(Learner.objects.create(), lesson, right=3)

    content = client.get(reverse("quizzes:progress")).content.decode()

    assert "You have not taken a quiz yet." in content


def test_home_cards_show_the_learners_status(citizen, citizen_user, lesson):
    take_quiz(Learner.objects.create(user=citizen_user), lesson, right=3)

    content = citizen.get(reverse("quizzes:home")).content.decode()

    assert "Mastered · best score 100%" in content


def test_read_only_pages_do_not_create_a_session(visitor, lesson):
    for url in [reverse("quizzes:home"), lesson.get_absolute_url(), reverse("quizzes:progress")]:
        visitor.get(url)

    assert not Learner.objects.exists()
    assert "sessionid" not in visitor.cookies


@pytest.mark.parametrize("runs", [1, 50])
def test_progress_and_home_query_counts_do_not_grow_with_answers(
    client, citizen_user, lesson, django_assert_num_queries, runs
):
    client.force_login(citizen_user)
    learner = current_learner_of(client, citizen_user)
    for _ in range(runs):
        take_quiz(learner, lesson, right=2)
    client.get(reverse("quizzes:home"))  # fills the content cache

    # session, user, activity, then the summaries: lessons, the answers the learner's
    # memory does not count yet (none: the home page counted them), red flags, review
    # due, and the five latest runs
    with django_assert_num_queries(8):
        content = client.get(reverse("quizzes:progress")).content.decode()
    assert "Best score 67%, latest score 67%" in content
    with django_assert_num_queries(3):  # session, user, activity: nothing new since
        assert main(client.get(reverse("quizzes:progress"))) == main(content)
    # session, user, lesson summaries, answers not yet remembered, review due
    with django_assert_num_queries(5):
        content = client.get(reverse("quizzes:home")).content.decode()
    assert "Quiz completed · best score 67%" in content


@pytest.mark.parametrize("runs", [1, 50])
def test_progress_queries_for_a_visitor(visitor, lesson, django_assert_num_queries, runs):
    visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    learner = Learner.objects.get()
    for _ in range(runs):
        take_quiz(learner, lesson, right=3)
    visitor.get(reverse("quizzes:home"))

    # session, activity, lessons, answers not yet remembered, red flags, review due,
    # five latest runs
    with django_assert_num_queries(7):
        content = visitor.get(reverse("quizzes:progress")).content.decode()
    assert "Mastered" in content
    with django_assert_num_queries(2):  # session, activity: nothing new since
        assert main(visitor.get(reverse("quizzes:progress"))) == main(content)


def test_progress_shows_each_new_answer_and_run(visitor, lesson):
    """The page is cached under the learner's activity, so whatever the learner does
    next shows on the next visit."""
    visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    learner = Learner.objects.get()
    take_quiz(learner, lesson, right=3)
    assert (
        "Best score 100%, latest score 100%"
        in visitor.get(reverse("quizzes:progress")).content.decode()
    )

    run = learner.start_run(lesson)
    page = visitor.get(reverse("quizzes:progress")).content.decode()
    # The first run, never answered, was continued by take_quiz: only this one is open.
    assert page.count("(not finished)") == 1

    for rq in run.run_questions.select_related("question"):
        run.record_answer(rq, rq.question.choices.get(is_correct=rq.position == 1))
    page = visitor.get(reverse("quizzes:progress")).content.decode()
    assert "Best score 100%, latest score 33%" in page
    assert page.count("(not finished)") == 0

    Answer.objects.filter(run=run).delete()
    QuizRun.objects.filter(pk=run.pk).delete()
    assert (
        "Best score 100%, latest score 100%"
        in visitor.get(reverse("quizzes:progress")).content.decode()
    )


def main(page):
    """The page's main content (the scripts' nonces and the forms' CSRF tokens differ
    per response)."""
    import re

    html = page if isinstance(page, str) else page.content.decode()
    html = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def current_learner_of(client, user):
    """The learner a logged-in browser uses, as starting a quiz would create it."""
    learner = Learner.objects.create(user=user)
    session = client.session
    session[SESSION_KEY] = learner.pk
    session.save()
    return learner


def test_an_expired_session_forgets_the_learner(visitor, lesson):
    from django.contrib.sessions.models import Session

    visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    response = visitor.get(reverse("quizzes:progress"))

    assert "You have not taken a quiz yet." in response.content.decode()


@pytest.mark.parametrize("rights", [(3,), (1, 3, 2), (2, 1)])
def test_lesson_summaries_kept_as_answers_arrive_match_the_history(lesson, rights):
    from quizzes.models import LessonMemory

    learner = LearnerFactory()
    for right in rights:
        take_quiz(learner, lesson, right=right)
    run = learner.start_run(lesson)  # and one left half-answered
    rq = run.run_questions.select_related("question").first()
    run.record_answer(rq, rq.question.choices.get(is_correct=True))

    kept = LessonMemory.objects.progress(learner.pk, [lesson])[0]
    history = status_of(learner, lesson)
    assert (kept.status, kept.best, kept.latest) == (history.status, history.best, history.latest)
    memory = LessonMemory.objects.get(learner=learner)
    assert (memory.finished_runs, memory.answered, memory.completion_score) == (
        len(rights),
        1,
        rights[0] / 3,
    )


def test_lesson_summaries_are_rebuilt_when_learners_merge(lesson):
    from quizzes.models import LessonMemory

    account, visitor = LearnerFactory(), LearnerFactory()
    take_quiz(account, lesson, right=1)
    take_quiz(visitor, lesson, right=3)

    account.absorb(visitor)

    memory = LessonMemory.objects.get(learner=account)
    assert (memory.finished_runs, memory.best, memory.latest) == (2, 1.0, 1.0)
    assert memory.completion_score == pytest.approx(1 / 3)


def answer_first(run, how_many, correct=True):
    for rq in run.run_questions.select_related("question").order_by("position")[:how_many]:
        run.record_answer(rq, rq.question.choices.get(is_correct=correct))


def test_a_learner_one_answer_into_a_quiz_is_told_how_far_not_completed(visitor, lesson):
    visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    learner = Learner.objects.get()
    answer_first(learner.runs.get(), 1)

    home = visitor.get(reverse("quizzes:home")).content.decode()
    page = visitor.get(reverse("quizzes:progress")).content.decode()

    for content in (home, page):
        assert "In progress: 1 of 3 questions answered" in content
        assert "completed" not in main(content).replace("You have completed", "").lower()
    assert "You have completed 0 lessons." in page


def test_a_whole_quiz_with_one_right_answer_is_completed_with_its_score_said_as_a_score(
    visitor, lesson
):
    visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    learner = Learner.objects.get()
    take_quiz(learner, lesson, right=1)

    home = visitor.get(reverse("quizzes:home")).content.decode()
    page = visitor.get(reverse("quizzes:progress")).content.decode()

    assert "Quiz completed · best score 33%" in home
    assert "Quiz completed</span>" in page
    assert "Best score 33%, latest score 33%" in page
    # The score is drawn as a meter (a measure), never as a progress bar (how far).
    assert '<meter min="0" max="100" value="33" aria-hidden="true">' in page
    assert "<progress" not in main(page)


def test_a_new_try_at_a_mastered_lesson_says_both(visitor, lesson):
    visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    learner = Learner.objects.get()
    take_quiz(learner, lesson, right=3)
    answer_first(learner.start_run(lesson), 2)

    home = visitor.get(reverse("quizzes:home")).content.decode()

    assert "Mastered; new try: 2 of 3 questions answered · best score 100%" in home


def test_a_lesson_never_opened_is_not_started(visitor, lesson):
    other = LessonFactory(slug="guess-who", title_en="Guess who I am")
    QuestionFactory(lesson=other, slug="g1", position=1)
    visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    answer_first(Learner.objects.get().runs.get(), 1)

    page = visitor.get(reverse("quizzes:progress")).content.decode()

    assert re.search(
        r'Guess who I am</a>\s*<span class="status status-not_started">Not started</span>', page
    )


def test_in_chinese_the_learner_is_told_how_far_too(visitor, lesson):
    visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    answer_first(Learner.objects.get().runs.get(), 1)

    content = visitor.get("/zh-hans/progress/").content.decode()

    assert "进行中：共3题，已答1题" in content
