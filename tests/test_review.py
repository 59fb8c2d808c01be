"""Today's review: FSRS scheduling per question and red flag, sessions that interleave
scam types and prefer unseen questions, mastery across scam types, and the pages."""

import itertools
import json
import random
from datetime import timedelta

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzes.models import (
    Learner,
    MasteryLevel,
    PendingAnswer,
    Question,
    QuizRun,
    RedFlag,
    ReviewItem,
    ReviewKind,
    ReviewRun,
    remember,
    review,
)
from quizzes.models.review import SCHEDULER, _claim
from quizzes.models.sessions import drill_questions, review_questions

from .conftest import PASSWORD
from .factories import LearnerFactory, LessonFactory, QuestionFactory, RedFlagFactory

pytestmark = pytest.mark.django_db


def answer(learner, question, right):
    """Answer one question in a run of its own, right or wrong, and let the learner's
    memory count it, as the next page that reads it does; returns the answer."""
    run = QuizRun.objects.create(learner=learner, lesson=question.lesson, size=1)
    rq = run.run_questions.create(question=question, position=1)
    given = run.record_answer(rq, question.choices.get(is_correct=right))
    remember(learner.pk)
    return given


def item(learner, question=None, red_flag=None):
    return ReviewItem.objects.get(learner=learner, question=question, red_flag=red_flag)


@pytest.fixture
def two_scam_types(db):
    """Two lessons (scam types) sharing the red flag "asks for a code", each with two
    questions on different channels; one more flag only in the first lesson."""
    code = RedFlagFactory(slug="asks-for-code", title_en="Asks for a verification code")
    secret = RedFlagFactory(slug="keep-secret", title_en="Tells you to keep it secret")
    courier = LessonFactory(slug="fake-courier", title_en="Fake courier claims", position=1)
    police = LessonFactory(slug="fake-police", title_en="Fake police", position=2)
    questions = {
        "courier-sms": QuestionFactory(lesson=courier, position=1, red_flags=[code, secret]),
        "courier-call": QuestionFactory(
            lesson=courier, position=2, channel="call", red_flags=[code]
        ),
        "police-chat": QuestionFactory(
            lesson=police, position=1, channel="chat", red_flags=[code]
        ),
        "police-call": QuestionFactory(
            lesson=police, position=2, channel="call", red_flags=[code]
        ),
    }
    return {"code": code, "secret": secret, "courier": courier, "police": police, **questions}


# --- Scheduling -----------------------------------------------------------------------


def test_a_wrong_answer_is_due_sooner_than_a_right_one(two_scam_types):
    learner = LearnerFactory()
    wrong = answer(learner, two_scam_types["courier-call"], right=False)
    right = answer(learner, two_scam_types["police-chat"], right=True)

    missed = item(learner, question=two_scam_types["courier-call"])
    spotted = item(learner, question=two_scam_types["police-chat"])
    assert missed.due - wrong.answered_at == timedelta(days=1)
    assert spotted.due - right.answered_at > missed.due - wrong.answered_at
    assert (missed.seen, missed.recognised, spotted.seen, spotted.recognised) == (1, 0, 1, 1)


def test_every_red_flag_of_the_question_gets_its_own_memory(two_scam_types):
    learner = LearnerFactory()
    answer(learner, two_scam_types["courier-sms"], right=False)

    flags = set(
        ReviewItem.objects.filter(learner=learner, red_flag__isnull=False).values_list(
            "red_flag__slug", "seen"
        )
    )
    assert flags == {("asks-for-code", 1), ("keep-secret", 1)}


def test_nothing_is_due_before_its_day_with_the_clock_controlled(two_scam_types):
    learner = LearnerFactory()
    answered = answer(learner, two_scam_types["courier-call"], right=True).answered_at
    due_on = item(learner, red_flag=two_scam_types["code"]).due

    assert ReviewItem.objects.due_count(learner.pk, now=answered) == 0
    assert ReviewItem.objects.due_count(learner.pk, now=due_on) == 1
    assert ReviewItem.objects.due_count(learner.pk, now=due_on - timedelta(days=1)) == 0


def test_spotting_again_on_the_due_day_pushes_the_next_review_further(two_scam_types):
    learner = LearnerFactory()
    first = answer(learner, two_scam_types["courier-call"], right=True)
    flag = item(learner, red_flag=two_scam_types["code"])
    gap = flag.due - first.answered_at

    flag.reviewed(True, two_scam_types["courier"].pk, flag.due)

    assert flag.due - first.answered_at - gap > gap  # the next interval is longer
    assert SCHEDULER.enable_fuzzing is False


# --- Sessions ---------------------------------------------------------------------------


def make_due(learner):
    """Everything the learner has answered is due (their memory counts it first)."""
    remember(learner.pk)
    ReviewItem.objects.filter(learner=learner).update(due="2000-01-01T00:00:00Z")


def test_a_review_prefers_an_unseen_question_for_a_due_tactic(two_scam_types):
    learner = LearnerFactory()
    seen = two_scam_types["courier-call"]
    answer(learner, seen, right=False)
    make_due(learner)

    picked = review_questions(learner.pk, rng=random.Random(1))

    unseen = {two_scam_types[k].pk for k in ("courier-sms", "police-chat", "police-call")}
    assert len(picked) == 1  # one due tactic, one question
    assert picked[0] in unseen


def test_a_seen_question_comes_back_when_no_unseen_one_is_left(two_scam_types):
    learner = LearnerFactory()
    for key in ("courier-sms", "courier-call", "police-chat", "police-call"):
        answer(learner, two_scam_types[key], right=False)
    make_due(learner)

    picked = review_questions(learner.pk, rng=random.Random(1))

    assert 1 <= len(picked) <= 2  # the two due flags, covered by one or two questions
    assert set(picked) <= {two_scam_types[k].pk for k in two_scam_types if "-" in k}


def test_a_review_holds_as_many_questions_as_the_pages_said_were_due(two_scam_types):
    # The only question on "keep it secret" asks for a code too: picked first, it covers
    # both due tactics, and another question on the code takes the place it saved.
    learner = LearnerFactory()
    answer(learner, two_scam_types["courier-sms"], right=False)
    make_due(learner)
    ReviewItem.objects.filter(learner=learner, red_flag=two_scam_types["secret"]).update(
        due="1999-01-01T00:00:00Z"
    )
    assert ReviewItem.objects.today(learner.pk)["count"] == 2

    picked = review_questions(learner.pk, rng=random.Random(1))

    assert len(picked) == 2
    assert two_scam_types["courier-sms"].pk in picked
    other = next(pk for pk in picked if pk != two_scam_types["courier-sms"].pk)
    assert Question.objects.get(pk=other).red_flags.filter(pk=two_scam_types["code"].pk)


def test_a_review_interleaves_scam_types_and_channels(db):
    learner = LearnerFactory()
    lessons = [LessonFactory(position=n) for n in (1, 2, 3)]
    for n in range(6):
        flag = RedFlagFactory(slug=f"flag-{n}")
        channel = ("sms", "call")[n % 2]
        question = QuestionFactory(lesson=lessons[n % 3], channel=channel, red_flags=[flag])
        answer(learner, question, right=False)
    make_due(learner)

    picked = review_questions(learner.pk, rng=random.Random(2))

    lesson_of = dict(
        ReviewItem.objects.filter(question__isnull=False).values_list(
            "question", "question__lesson"
        )
    )
    order = [lesson_of[pk] for pk in picked]
    assert len(picked) == 6
    assert all(a != b for a, b in itertools.pairwise(order))  # never two in a row


def test_a_review_holds_at_most_ten_questions(db):
    learner = LearnerFactory()
    lesson = LessonFactory()
    for _n in range(14):
        answer(learner, QuestionFactory(lesson=lesson, red_flags=[RedFlagFactory()]), right=False)
    make_due(learner)

    assert ReviewItem.objects.due_count(learner.pk) == 10
    assert len(review_questions(learner.pk)) == 10


def test_a_drill_takes_questions_on_one_tactic_only(two_scam_types):
    learner = LearnerFactory()

    picked = drill_questions(learner.pk, two_scam_types["secret"].pk)

    assert picked == [two_scam_types["courier-sms"].pk]


# --- Mastery ----------------------------------------------------------------------------


def test_mastery_needs_right_answers_in_two_scam_types(two_scam_types):
    learner = LearnerFactory()
    answer(learner, two_scam_types["courier-call"], right=True)
    answer(learner, two_scam_types["courier-sms"], right=True)

    assert item(learner, red_flag=two_scam_types["code"]).level == MasteryLevel.ONE_STORY

    answer(learner, two_scam_types["police-chat"], right=True)

    assert item(learner, red_flag=two_scam_types["code"]).level == MasteryLevel.MASTERED


def test_recent_answers_weigh_more(two_scam_types):
    learner = LearnerFactory()
    answer(learner, two_scam_types["courier-call"], right=False)
    answer(learner, two_scam_types["courier-sms"], right=True)
    code = item(learner, red_flag=two_scam_types["code"])

    assert code.strength > 0.5  # one wrong then one right: more right than wrong
    assert code.level == MasteryLevel.LEARNING


# --- Pages --------------------------------------------------------------------------------


def start_quiz_as(client, lesson):
    response = client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    return QuizRun.objects.get(public_id=response.url.split("/")[-3])


def answer_through_pages(client, run, right):
    for rq in run.run_questions.select_related("question"):
        choice = rq.question.choices.get(is_correct=right)
        client.post(
            reverse("quizzes:run-question", args=[run.public_id, rq.position]),
            {"choice": choice.pk},
        )


def test_home_shows_the_review_when_something_is_due(visitor, two_scam_types):
    run = start_quiz_as(visitor, two_scam_types["courier"])
    answer_through_pages(visitor, run, right=False)
    assert "Your review today" not in visitor.get(reverse("quizzes:home")).text
    make_due(run.learner)

    page = visitor.get(reverse("quizzes:home")).text

    assert "Your review today: 2 questions, about 1 minute" in page
    assert reverse("quizzes:review") in page


def test_a_review_session_is_a_run_of_due_questions(visitor, two_scam_types):
    run = start_quiz_as(visitor, two_scam_types["courier"])
    answer_through_pages(visitor, run, right=False)
    make_due(run.learner)

    response = visitor.post(reverse("quizzes:review"))

    review = ReviewRun.objects.get(kind=ReviewKind.REVIEW)
    assert response.url == review.run.get_absolute_url()
    assert review.run.learner == run.learner
    lessons = set(review.run.run_questions.values_list("question__lesson__slug", flat=True))
    assert "fake-police" in lessons  # an unseen question for the same tactic


def test_review_page_without_anything_due(visitor):
    page = visitor.get(reverse("quizzes:review")).text

    assert "Nothing to review today. Come back tomorrow." in page
    response = visitor.post(reverse("quizzes:review"))
    assert response.url == reverse("quizzes:review")
    assert Learner.objects.count() == 0


def test_mastery_page_lists_strongest_and_weakest_with_a_drill(visitor, two_scam_types):
    run = start_quiz_as(visitor, two_scam_types["courier"])
    rqs = list(run.run_questions.select_related("question").order_by("position"))
    url = reverse("quizzes:run-question", args=[run.public_id, 1])
    visitor.post(url, {"choice": rqs[0].question.choices.get(is_correct=False).pk})

    page = visitor.get(reverse("quizzes:mastery")).text

    assert page.count("<h1>") == 1
    assert "Warning signs you miss" in page
    assert "Tells you to keep it secret" in page
    assert reverse("quizzes:drill", args=["keep-secret"]) in page


def test_a_drill_starts_a_run_on_that_tactic(visitor, two_scam_types):
    response = visitor.post(reverse("quizzes:drill", args=["keep-secret"]))

    drill = ReviewRun.objects.get(kind=ReviewKind.DRILL)
    assert response.url == drill.run.get_absolute_url()
    assert drill.red_flag.slug == "keep-secret"
    assert list(drill.run.run_questions.values_list("question", flat=True)) == [
        two_scam_types["courier-sms"].pk
    ]


def test_a_drill_refuses_get_and_unknown_tactics(visitor, two_scam_types):
    assert visitor.get(reverse("quizzes:drill", args=["keep-secret"])).status_code == 405
    assert visitor.post(reverse("quizzes:drill", args=["no-such-flag"])).status_code == 404


def test_the_manifest_lets_the_site_be_installed(visitor):
    response = visitor.get(reverse("quizzes:manifest"))

    data = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert (data["name"], data["display"], data["start_url"]) == (
        "Spot the scam",
        "standalone",
        "/en/",
    )
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    assert all(icon["src"].startswith("/static/") for icon in data["icons"])
    assert 'rel="manifest"' in visitor.get(reverse("quizzes:home")).text


# --- Carried into an account --------------------------------------------------------------


def test_a_visitors_review_state_moves_into_their_account(visitor, two_scam_types):
    run = start_quiz_as(visitor, two_scam_types["courier"])
    answer_through_pages(visitor, run, right=False)

    visitor.post(
        reverse("quizzes:signup"),
        {"username": "grandma-li", "password1": PASSWORD, "password2": PASSWORD},
    )

    account = Learner.objects.get(user__username="grandma-li")
    assert ReviewItem.objects.filter(learner=account).count() == 4  # 2 questions, 2 flags
    assert Learner.objects.count() == 1


def test_merging_keeps_one_item_per_question_and_flag(two_scam_types):
    visitor, account = LearnerFactory(), LearnerFactory()
    answer(visitor, two_scam_types["courier-call"], right=False)
    answer(account, two_scam_types["courier-call"], right=True)
    answer(account, two_scam_types["police-chat"], right=True)

    account.absorb(visitor)

    code = item(account, red_flag=two_scam_types["code"])
    assert code.seen == 2  # the account's, answered more often
    assert ReviewItem.objects.filter(learner=account).count() == 3


# --- Query budgets --------------------------------------------------------------------------


def many_items(learner, count):
    """``count`` due red-flag items for ``learner``, as after a long history."""
    flags = RedFlag.objects.bulk_create(
        RedFlag(slug=f"bulk-{n}", title_en=f"Sign {n}", description_en="x") for n in range(count)
    )
    ReviewItem.objects.bulk_create(
        ReviewItem(
            learner=learner,
            red_flag=flag,
            card={},
            due="2000-01-01T00:00:00Z",
            answered_at="2000-01-01T00:00:00Z",
        )
        for flag in flags
    )


@pytest.mark.parametrize("count", [1, 500])
def test_home_due_count_queries_do_not_grow(visitor, lesson, django_assert_max_num_queries, count):
    run = start_quiz_as(visitor, lesson)
    many_items(run.learner, count)
    visitor.get(reverse("quizzes:home"))  # fills the content cache

    with django_assert_max_num_queries(4):  # session, runs, due count
        page = visitor.get(reverse("quizzes:home")).text

    assert f"Your review today: {min(count, 10)} question" in page


@pytest.mark.parametrize("count", [1, 500])
def test_review_question_page_queries_do_not_grow(
    visitor, two_scam_types, django_assert_max_num_queries, count
):
    run = start_quiz_as(visitor, two_scam_types["courier"])
    answer_through_pages(visitor, run, right=False)
    visitor.get(reverse("quizzes:review"))  # counts the answers in the learner's memory
    many_items(run.learner, count)
    make_due(run.learner)
    review = QuizRun.objects.get(
        public_id=visitor.post(reverse("quizzes:review")).url.split("/")[-3]
    )
    url = reverse("quizzes:run-question", args=[review.public_id, 1])
    visitor.get(url)  # fills the content cache

    with django_assert_max_num_queries(4):  # session, run question with its answer
        response = visitor.get(url)

    assert response.status_code == 200


def test_a_review_sessions_results_say_what_it_was(visitor, two_scam_types):
    run = start_quiz_as(visitor, two_scam_types["courier"])
    answer_through_pages(visitor, run, right=False)
    make_due(run.learner)
    review = QuizRun.objects.get(
        public_id=visitor.post(reverse("quizzes:review")).url.split("/")[-3]
    )

    page = visitor.get(reverse("quizzes:run-results", args=[review.public_id])).text

    assert '<p class="quiz-context">Today&#x27;s review</p>' in page


def test_a_review_sessions_questions_say_what_it_is(visitor, two_scam_types):
    """Not "Mixed practice": the question pages of a review name it, in both languages."""
    run = start_quiz_as(visitor, two_scam_types["courier"])
    answer_through_pages(visitor, run, right=False)
    make_due(run.learner)
    review_url = visitor.post(reverse("quizzes:review")).url

    english = visitor.get(review_url).text
    chinese = visitor.get(review_url.replace("/en/", "/zh-hans/", 1)).text

    assert '<p class="quiz-context">Today&#x27;s review</p>' in english
    assert "Mixed practice" not in english
    assert '<p class="quiz-context">今日复习</p>' in chinese


def test_a_tap_the_red_flag_answer_counts_each_flag_found_or_missed(db):
    """The evidence per red flag comes from ``Answer.flag_outcomes``: a spot answer
    recognises the flags of the spots it marked and misses the others."""
    from quizzes.models.kinds import record_marks

    from .factories import SpotFactory

    found, missed = RedFlagFactory(slug="found"), RedFlagFactory(slug="missed")
    question = QuestionFactory(kind="spot", red_flags=[found, missed], choices=False)
    hit = SpotFactory(question=question, red_flag=found)
    SpotFactory(question=question, red_flag=missed)
    learner = LearnerFactory()
    run = QuizRun.objects.create(learner=learner, lesson=question.lesson, size=1)
    run.run_questions.create(question=question, position=1)

    record_marks(run, question.pk, list(question.spots.all()), {hit.pk})
    remember(learner.pk)

    outcomes = dict(
        ReviewItem.objects.filter(learner=learner, red_flag__isnull=False).values_list(
            "red_flag__slug", "recognised"
        )
    )
    assert outcomes == {"found": 1, "missed": 0}


def test_the_chinese_review_page_ends_its_sentence_with_a_chinese_full_stop(visitor, lesson):
    run = start_quiz_as(visitor, lesson)
    answer_through_pages(visitor, run, right=False)
    make_due(run.learner)

    page = visitor.get(reverse("quizzes:review").replace("/en/", "/zh-hans/", 1)).text

    assert "分钟。</p>" in page and "分钟.</p>" not in page


# --- Counted when read ----------------------------------------------------------------


def memory_of(learner):
    """The learner's items as the pages show them, without ids and times."""
    return sorted(
        (
            item.subject,
            item.seen,
            item.recognised,
            round(item.strength, 9),
            item.two_lessons,
            item.first_lesson_id,
            item.flagless,
            item.card["state"],
            round(item.card["stability"] or 0, 6),
            round(item.card["difficulty"] or 0, 6),
        )
        for item in ReviewItem.objects.of(learner.pk)
    )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.lists(
        st.tuples(
            st.sampled_from(["courier-sms", "courier-call", "police-chat", "police-call"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_counting_answers_when_the_learner_returns_remembers_what_counting_each_did(
    two_scam_types, answers
):
    """An answer waits for the learner's next page to be counted in their memory: counted
    there, all at once, the memory is what counting each answer as it came would make."""
    each, later = LearnerFactory(), LearnerFactory()
    for name, right in answers:
        answer(each, two_scam_types[name], right)  # counted at once
        question = two_scam_types[name]
        run = QuizRun.objects.create(learner=later, lesson=question.lesson, size=1)
        rq = run.run_questions.create(question=question, position=1)
        run.record_answer(rq, question.choices.get(is_correct=right))
    assert not ReviewItem.objects.of(later.pk).exists()
    assert PendingAnswer.objects.filter(learner=later).count() == len(answers)

    remember(later.pk)

    assert memory_of(later) == memory_of(each)
    assert not PendingAnswer.objects.filter(learner=later).exists()


def test_an_answer_is_counted_once_however_many_pages_count_it(visitor, two_scam_types):
    run = start_quiz_as(visitor, two_scam_types["courier"])
    answer_through_pages(visitor, run, right=True)

    for page in ("quizzes:home", "quizzes:review", "quizzes:progress", "quizzes:mastery"):
        visitor.get(reverse(page))

    assert item(run.learner, red_flag=two_scam_types["code"]).seen == 2  # two questions
    assert item(run.learner, question=two_scam_types["courier-sms"]).seen == 1


def test_a_parallel_count_takes_none_of_the_answers_the_first_one_took(two_scam_types):
    """Two pages of one learner counting at once: each answer goes to one of them (the
    claim's DELETE ... RETURNING), so none is counted twice."""
    learner = LearnerFactory()
    question = two_scam_types["courier-call"]
    run = QuizRun.objects.create(learner=learner, lesson=question.lesson, size=1)
    rq = run.run_questions.create(question=question, position=1)
    stored = run.record_answer(rq, question.choices.get(is_correct=True))

    assert _claim([stored.pk]) == [stored.pk]
    assert _claim([stored.pk]) == []


def test_nothing_waiting_costs_one_query(django_assert_num_queries):
    learner = LearnerFactory()

    with django_assert_num_queries(1):
        remember(learner.pk)
    with django_assert_num_queries(0):
        remember(None)


def test_a_long_wait_is_counted_in_batches(two_scam_types, monkeypatch):
    """A learner back after many answers (a bot's, say) is counted a batch at a time,
    each batch in its own transaction, until nothing waits."""
    monkeypatch.setattr(review, "REMEMBER_BATCH", 2)
    learner, question = LearnerFactory(), two_scam_types["courier-call"]
    for right in (True, False, True, True, False):
        run = QuizRun.objects.create(learner=learner, lesson=question.lesson, size=1)
        rq = run.run_questions.create(question=question, position=1)
        run.record_answer(rq, question.choices.get(is_correct=right))

    remember(learner.pk)

    counted = item(learner, question=question)
    assert (counted.seen, counted.recognised) == (5, 3)
    assert not PendingAnswer.objects.filter(learner=learner).exists()


def test_the_items_remembering_reads_are_the_ones_the_orm_reads(visitor, two_scam_types):
    """``ReviewItem.objects.about`` builds items from its own SQL: the same values and
    types (dates, the card's JSON, booleans) as the ORM gives, on every database."""
    run = start_quiz_as(visitor, two_scam_types["courier"])
    answer_through_pages(visitor, run, right=False)
    remember(run.learner_id)
    stored = list(ReviewItem.objects.of(run.learner_id).order_by("pk"))
    subjects = [item.question_id or -item.red_flag_id for item in stored]

    read = sorted(ReviewItem.objects.about(run.learner_id, subjects), key=lambda i: i.pk)

    def values(item):
        return {f.attname: getattr(item, f.attname) for f in ReviewItem._meta.concrete_fields}

    assert len(stored) >= 2
    assert [values(item) for item in read] == [values(item) for item in stored]
    assert not any(item._state.adding for item in read)
    assert ReviewItem.objects.about(run.learner_id, [-999_999]) == []
