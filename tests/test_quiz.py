"""Taking a quiz: the scenario, the answer, the feedback, and what tampering gets."""

import re
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from quizzes.models import Answer, Learner, QuizRun, Status

from .factories import LessonFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def fresh_window(seconds):
    """Rate limits count in fixed windows: start a test well inside one."""
    left = seconds - time.time() % seconds
    if left < 5:
        time.sleep(left + 0.1)


def start(client, lesson):
    response = client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    assert response.status_code == 302
    return QuizRun.objects.latest("started_at")


def question_url(run, position=1):
    return reverse("quizzes:run-question", args=[run.public_id, position])


def choice(run, position=1, correct=True):
    question = run.run_questions.get(position=position).question
    return question.choices.get(is_correct=correct)


def test_starting_a_lesson_quiz_takes_its_published_questions_in_order(visitor, lesson):
    QuestionFactory(lesson=lesson, slug="draft", position=9, status=Status.DRAFT)

    response = visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))

    run = QuizRun.objects.get()
    assert response["Location"] == question_url(run)
    assert [rq.question.slug for rq in run.run_questions.all()] == ["q1", "q2", "q3"]
    assert run.size == 3


def test_starting_a_quiz_needs_post(visitor, lesson):
    response = visitor.get(reverse("quizzes:start-quiz", args=[lesson.slug]))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert not QuizRun.objects.exists()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_link_to_a_forms_address_gets_a_page_not_a_blank_screen(visitor, lesson, language):
    with translation.override(language):
        url = reverse("quizzes:start-quiz", args=[lesson.slug])

    page = visitor.get(url).content.decode()

    assert page.count("<h1>") == 1
    heading = (
        "这个页面不能这样打开" if language == "zh-hans" else "This page cannot be used that way"
    )
    assert f"<h1>{heading}</h1>" in page


def test_question_page_shows_the_scenario_and_progress(visitor, lesson):
    run = start(visitor, lesson)

    content = visitor.get(question_url(run)).content.decode()

    assert "Question 1 of 3" in content
    assert "Scenario number 1: add our claims account." in content
    assert "+86 170 0000 4127" in content
    assert "What do you do?" in content
    assert 'name="choice"' in content


def test_question_page_never_holds_the_answer_key(visitor, lesson):
    run = start(visitor, lesson)
    question = run.run_questions.get(position=1).question

    content = visitor.get(question_url(run)).content.decode()

    for text in [question.explanation_en, "This is a trap.", "Right: that is the safe thing"]:
        assert text not in content
    assert "correct" not in content.lower()
    assert "This was a scam" not in content
    assert "Moves you off the official platform" not in content  # red flags come after
    assert "Hang up and call 110." not in content  # so does the reminder


def test_plain_post_records_the_answer_and_redirects_to_the_feedback(visitor, lesson):
    run = start(visitor, lesson)
    wrong = choice(run, correct=False)

    response = visitor.post(question_url(run), {"choice": wrong.pk})

    assert response.status_code == 302
    assert response["Location"] == question_url(run) + "#feedback"
    answer = Answer.objects.get()
    assert (answer.choice, answer.is_correct) == (wrong, False)
    content = visitor.get(question_url(run)).content.decode()
    assert "Not quite." in content
    assert "This is a trap." in content  # feedback of the chosen answer
    assert "The better choice" in content and "Call the courier" in content
    assert "Real claims are settled in the courier&#x27;s own app." in content
    assert "Moves you off the official platform" in content
    assert "Hang up and call 110." in content
    assert "Next question" in content


def test_htmx_post_swaps_in_the_feedback_fragment(visitor, lesson):
    run = start(visitor, lesson)
    right = choice(run)

    response = visitor.post(
        question_url(run), {"choice": right.pk}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "HX-Request" in response["Vary"]
    assert content.lstrip().startswith('<section id="answer-area"')
    assert "<html" not in content
    assert "Right." in content
    assert 'hx-swap-oob="true"' in content  # announces the result in the live region
    assert Answer.objects.filter(run=run, is_correct=True).count() == 1


def test_a_question_page_learns_it_is_no_htmx_request_without_building_every_header(
    visitor, lesson
):
    """Django builds ``request.headers`` from all of a request's headers on first use;
    the run pages ask only whether htmx sent the request (quizzes/htmx.py)."""
    run = start(visitor, lesson)

    plain = visitor.get(question_url(run))
    swapped = visitor.post(
        question_url(run), {"choice": choice(run).pk}, headers={"HX-Request": "true"}
    )

    assert "headers" not in plain.wsgi_request.__dict__
    assert not plain.wsgi_request.htmx
    assert "<html" in plain.content.decode()
    assert swapped.wsgi_request.htmx
    assert "<html" not in swapped.content.decode()


HTMX_DETAILS = [
    "boosted",
    "current_url",
    "current_url_abs_path",
    "history_restore_request",
    "prompt",
    "ptag",
    "request_type",
    "source",
    "target",
    "trigger",
    "trigger_name",
    "triggering_event",
]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"HX-Request": "true", "HX-Target": "answer-area", "HX-Trigger-Name": "choice"},
        {"HX-Request": "false", "HX-Boosted": "true", "HX-Prompt": ""},
        {
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver/zh-hans/%E8%AF%BE",
            "HX-Current-URL-URI-AutoEncoded": "true",
            "HX-History-Restore-Request": "true",
            "Triggering-Event": '{"type": "submit"}',
        },
    ],
)
def test_htmx_details_read_from_the_environ_say_what_django_htmxs_say(rf, headers):
    from django_htmx.middleware import HtmxDetails as Theirs

    from quizzes.htmx import HtmxDetails as Ours

    request = rf.get("/en/", headers=headers)
    ours, theirs = Ours(request), Theirs(request)

    assert bool(ours) is bool(theirs)
    assert {name: getattr(ours, name) for name in HTMX_DETAILS} == {
        name: getattr(theirs, name) for name in HTMX_DETAILS
    }


def test_last_answer_finishes_the_run_and_links_to_results(visitor, lesson):
    run = start(visitor, lesson)
    for position in (1, 2, 3):
        visitor.post(question_url(run, position), {"choice": choice(run, position).pk})

    run.refresh_from_db()
    content = visitor.get(question_url(run, 3)).content.decode()
    assert run.finished_at is not None
    assert "See your results" in content


def test_results_show_score_missed_questions_and_one_next_step(visitor, lesson):
    next_lesson = LessonFactory(title_en="Guess who I am", position=lesson.position + 1)
    QuestionFactory(lesson=next_lesson)
    run = start(visitor, lesson)
    wrong = choice(run, 1, correct=False)
    visitor.post(question_url(run, 1), {"choice": wrong.pk})
    for position in (2, 3):
        visitor.post(question_url(run, position), {"choice": choice(run, position).pk})

    content = visitor.get(reverse("quizzes:run-results", args=[run.public_id])).content.decode()

    assert "You got 2 of 3 right." in content
    assert content.count('class="dot-right"') == 2 and content.count('class="dot-wrong"') == 1
    assert '<rect class="score-bar-fill" width="67"' in content
    assert "Warning signs you missed" in content
    assert "<strong>Moves you off the official platform</strong>" in content
    assert "What to look at again" in content
    assert "Question 1</a>" in content
    assert f"You chose: <q>{wrong.text}</q>" in content
    assert "Read the lesson “Fake courier claims” again" in content
    # One next step: not mastered yet, so try again (the next lesson waits).
    assert content.count('class="next-step"') == 1
    assert "Try again" in content
    assert "Next lesson: Guess who I am" not in content


def test_results_after_mastering_point_to_the_next_lesson(visitor, lesson):
    next_lesson = LessonFactory(title_en="Guess who I am", position=lesson.position + 1)
    QuestionFactory(lesson=next_lesson)
    run = start(visitor, lesson)
    for position in (1, 2, 3):
        visitor.post(question_url(run, position), {"choice": choice(run, position).pk})

    content = visitor.get(reverse("quizzes:run-results", args=[run.public_id])).content.decode()

    assert "You got 3 of 3 right." in content
    assert "Warning signs you missed" not in content
    assert content.count('class="next-step"') == 1
    assert "Next lesson: Guess who I am" in content
    assert "Try again" not in content


def test_results_do_not_double_the_full_stop_after_the_chosen_answer(visitor, lesson):
    run = start(visitor, lesson)
    wrong = choice(run, 1, correct=False)
    wrong.text_en = "Add them and follow the link."
    wrong.save()
    visitor.post(question_url(run, 1), {"choice": wrong.pk})

    content = visitor.get(reverse("quizzes:run-results", args=[run.public_id])).content.decode()

    assert "follow the link.." not in content
    assert "You chose: <q>Add them and follow the link.</q>" in content


def test_the_same_answer_twice_is_stored_once(visitor, lesson):
    run = start(visitor, lesson)
    right = choice(run)

    visitor.post(question_url(run), {"choice": right.pk})
    response = visitor.post(question_url(run), {"choice": right.pk})

    assert response.status_code == 302
    assert Answer.objects.count() == 1


def test_another_choice_after_answering_is_refused(visitor, lesson):
    run = start(visitor, lesson)
    visitor.post(question_url(run), {"choice": choice(run).pk})

    response = visitor.post(question_url(run), {"choice": choice(run, correct=False).pk})

    assert response.status_code == 409
    assert "You have already answered this question." in response.content.decode()
    assert Answer.objects.get().is_correct is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Please choose one of the answers."),
        ({"choice": "abc"}, "Please choose one of the answers."),
        ({"choice": "-1"}, "Please choose one of the answers."),
        ({"choice": "9" * 40}, "Please choose one of the answers."),
        # Unicode digits: str.isdigit() takes them, int() refuses "²" and reads "٣" as 3.
        ({"choice": "\u00b2"}, "Please choose one of the answers."),
        ({"choice": "\u0663"}, "Please choose one of the answers."),
        ({"choice": "999999"}, "That answer does not belong to this question."),
    ],
)
def test_malformed_answers_get_400_and_store_nothing(visitor, lesson, data, message):
    run = start(visitor, lesson)

    response = visitor.post(question_url(run), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Answer.objects.exists()


def test_a_choice_of_another_question_is_refused(visitor, lesson):
    run = start(visitor, lesson)
    other = choice(run, position=2)

    response = visitor.post(question_url(run, 1), {"choice": other.pk})

    assert response.status_code == 400
    assert "That answer does not belong to this question." in response.content.decode()
    assert not Answer.objects.exists()


def test_htmx_errors_are_swapped_into_the_form(visitor, lesson):
    run = start(visitor, lesson)

    response = visitor.post(question_url(run), {}, headers={"HX-Request": "true"})

    assert response.status_code == 400
    assert response.content.decode().lstrip().startswith('<form id="answer-area"')


def test_a_cached_question_page_carries_each_learners_own_run_and_token(
    visitor, lesson, client_factory
):
    """The page is rendered once per question and position and shared: each learner
    must still get the addresses of their own run and a CSRF token that works."""
    neighbour = client_factory()
    mine, theirs = start(visitor, lesson), start(neighbour, lesson)

    my_page = visitor.get(question_url(mine)).content.decode()
    their_page = neighbour.get(question_url(theirs)).content.decode()

    assert f'action="{question_url(mine)}"' in my_page
    assert str(theirs.public_id) not in my_page
    assert f'action="{question_url(theirs)}"' in their_page
    assert str(mine.public_id) not in their_page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', their_page).group(1)
    neighbour.handler.enforce_csrf_checks = True
    answered = neighbour.post(
        question_url(theirs), {"choice": choice(theirs).pk, "csrfmiddlewaretoken": token}
    )
    assert answered.status_code == 302
    feedback = neighbour.get(question_url(theirs)).content.decode()
    assert reverse("quizzes:run-question", args=[theirs.public_id, 2]) in feedback
    assert str(mine.public_id) not in feedback


def test_another_learners_run_answers_404(visitor, lesson, client_factory):
    run = start(visitor, lesson)
    stranger = client_factory()
    stranger.post(reverse("quizzes:start-quiz", args=[lesson.slug]))

    for response in [
        stranger.get(question_url(run)),
        stranger.post(question_url(run), {"choice": choice(run).pk}),
        stranger.get(reverse("quizzes:run-results", args=[run.public_id])),
    ]:
        assert response.status_code == 404
    assert not Answer.objects.exists()


def test_a_question_unpublished_during_the_run_answers_404(visitor, lesson):
    run = start(visitor, lesson)
    question = run.run_questions.get(position=1).question
    question.status = Status.DRAFT
    question.save()

    response = visitor.post(question_url(run), {"choice": choice(run).pk})

    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_unknown_run_or_position_answers_404(visitor, lesson):
    run = start(visitor, lesson)

    assert visitor.get(question_url(run, 4)).status_code == 404
    assert visitor.get(question_url(run, 0)).status_code == 404
    assert visitor.get(question_url(run, 10**30)).status_code == 404
    missing = reverse("quizzes:run-question", args=["00000000-0000-0000-0000-000000000000", 1])
    assert visitor.get(missing).status_code == 404


def test_a_draft_lesson_cannot_be_started(visitor):
    draft = LessonFactory(status=Status.DRAFT)
    QuestionFactory(lesson=draft)

    response = visitor.post(reverse("quizzes:start-quiz", args=[draft.slug]))

    assert response.status_code == 404
    assert not QuizRun.objects.exists()


def test_wrong_method_on_a_question_is_refused(visitor, lesson):
    run = start(visitor, lesson)

    response = visitor.put(question_url(run))

    assert response.status_code == 405


def test_answers_are_rate_limited(visitor, lesson, settings):
    settings.RATE_LIMIT_ANSWERS_PER_MINUTE = 1
    run = start(visitor, lesson)
    visitor.post(question_url(run, 1), {"choice": choice(run, 1).pk})

    response = visitor.post(question_url(run, 2), {"choice": choice(run, 2).pk})

    assert response.status_code == 429
    assert "Please wait a minute" in response.content.decode()
    assert Answer.objects.count() == 1


def test_mixed_practice_draws_from_lessons_not_mastered(visitor, lesson):
    response = visitor.post(reverse("quizzes:practice"))

    run = QuizRun.objects.get()
    assert response["Location"] == question_url(run)
    assert run.lesson is None
    assert run.size == 3


# --- Query budgets (steady state: published content comes from the cache) -----------


def start_and_warm(client, lesson, answered):
    run = start(client, lesson)
    for position in range(1, answered + 1):
        client.post(question_url(run, position), {"choice": choice(run, position).pk})
    client.get(question_url(run, answered + 1))  # fills the content cache
    return run


@pytest.mark.parametrize("answered", [0, 2])
def test_question_page_queries_for_a_visitor(visitor, lesson, django_assert_num_queries, answered):
    run = start_and_warm(visitor, lesson, answered)

    with django_assert_num_queries(2):  # session, run question with its answer
        visitor.get(question_url(run, answered + 1))


@pytest.mark.parametrize("answered", [0, 2])
def test_question_page_queries_for_a_citizen(citizen, lesson, django_assert_num_queries, answered):
    run = start_and_warm(citizen, lesson, answered)

    with django_assert_num_queries(3):  # session, user, run question with its answer
        citizen.get(question_url(run, answered + 1))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["visitor", "citizen"])
def test_answer_submission_queries(client, lesson, django_assert_num_queries, who):
    """Outside a test transaction, as in production: no BEGIN, COMMIT or savepoint."""
    if who == "citizen":
        from .factories import UserFactory

        client.force_login(UserFactory(username="meiling"))
    run = start_and_warm(client, lesson, 1)
    # session, [user], run question with what the learner remembers about it, INSERT
    # (which finishes the run with its last answer), the learner's summaries: the lesson,
    # and the question and its red flags (one upsert each; quizzes/models/review.py). On
    # PostgreSQL the INSERT carries both upserts: one statement (Answer.objects.record).
    expected = (3 if connection.vendor == "postgresql" else 5) + (who == "citizen")
    data = {"choice": choice(run, 2).pk}

    with django_assert_num_queries(expected):
        response = client.post(question_url(run, 2), data)

    assert response.status_code == 302


def test_answers_are_also_limited_per_address(visitor, lesson, settings, client_factory):
    settings.RATE_LIMIT_ANSWERS_PER_ADDRESS_PER_MINUTE = 1
    run = start(visitor, lesson)
    visitor.post(question_url(run, 1), {"choice": choice(run, 1).pk})
    classmate = client_factory()
    other_run = start(classmate, lesson)

    response = classmate.post(question_url(other_run, 1), {"choice": choice(other_run, 1).pk})

    assert response.status_code == 429
    assert Answer.objects.count() == 1


def test_a_class_behind_one_address_is_not_limited_by_default(visitor, lesson, client_factory):
    learners = [client_factory() for _ in range(35)]
    for learner in learners:
        run = start(learner, lesson)
        assert learner.post(question_url(run, 1), {"choice": choice(run, 1).pk}).status_code == 302

    assert Answer.objects.count() == 35


def test_a_retried_last_answer_finishes_a_run_left_unfinished(visitor, lesson):
    """A request can store the last answer and fail before finishing the run (a database
    restart); the learner presses the button again."""
    run = start(visitor, lesson)
    for position in (1, 2, 3):
        visitor.post(question_url(run, position), {"choice": choice(run, position).pk})
    QuizRun.objects.filter(pk=run.pk).update(finished_at=None)

    response = visitor.post(question_url(run, 3), {"choice": choice(run, 3).pk})

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.finished_at is not None
    assert Answer.objects.filter(run=run).count() == 3


def test_a_lesson_without_questions_says_so_once(visitor):
    empty = LessonFactory(slug="empty")
    visitor.get(empty.get_absolute_url())  # the page is now cached without the message

    response = visitor.post(reverse("quizzes:start-quiz", args=[empty.slug]), follow=True)

    assert "This lesson has no questions yet." in response.content.decode()
    assert "no questions yet" not in visitor.get(empty.get_absolute_url()).content.decode()
    assert not QuizRun.objects.exists()


def test_a_message_waits_in_the_session_not_in_a_cookie_of_its_own(visitor):
    """The session is read on every page anyway (``display``), so messages wait there
    (settings.MESSAGE_STORAGE): with a cookie of their own, every request looked for
    that cookie first."""
    empty = LessonFactory(slug="empty")

    started = visitor.post(reverse("quizzes:start-quiz", args=[empty.slug]))
    shown = visitor.get(started["Location"])

    assert "messages" not in started.cookies and "messages" not in shown.cookies
    assert "This lesson has no questions yet." in shown.content.decode()
    assert "no questions yet" not in visitor.get(empty.get_absolute_url()).content.decode()


@pytest.mark.django_db(transaction=True)
def test_starting_another_quiz_queries(visitor, lesson, django_assert_num_queries):
    """Outside a test transaction, as in production. The lesson and its questions come
    from the content cache, and the session is not written again."""
    run = start(visitor, lesson)
    for position in (1, 2, 3):
        visitor.post(question_url(run, position), {"choice": choice(run, position).pk})

    # session, the learner with its unfinished run (Learner.objects.starting), then the
    # run and its questions: one statement on PostgreSQL (QuizRun.objects.start),
    # elsewhere BEGIN, run, its questions, COMMIT
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 6):
        response = visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))

    assert response.status_code == 302
    assert QuizRun.objects.count() == 2


def test_starting_an_unfinished_lesson_again_continues_its_run(
    visitor, lesson, django_assert_num_queries
):
    run = start(visitor, lesson)
    visitor.post(question_url(run, 1), {"choice": choice(run, 1).pk})

    # session, the learner with its unfinished run (Learner.objects.starting)
    with django_assert_num_queries(2):
        response = visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))

    assert response["Location"] == question_url(run, 2)  # where the learner stopped
    assert QuizRun.objects.count() == 1


def test_a_learner_that_no_longer_exists_starts_afresh(visitor, lesson):
    """A session whose learner was erased (or merged into an account) gets a new one."""
    run = start(visitor, lesson)
    visitor.post(question_url(run, 1), {"choice": choice(run, 1).pk})
    run.learner.delete()

    again = start(visitor, lesson)

    assert again.learner_id != run.learner_id
    assert again.answers.count() == 0


def test_an_unfinished_run_of_another_lesson_is_not_continued(visitor, lesson):
    other = LessonFactory(slug="fake-police")
    for n in (1, 2):
        QuestionFactory(lesson=other, slug=f"p{n}", position=n)
    first = start(visitor, other)
    visitor.post(question_url(first, 1), {"choice": choice(first, 1).pk})

    run = start(visitor, lesson)

    assert run.lesson == lesson and run.pk != first.pk
    again = visitor.post(reverse("quizzes:start-quiz", args=[other.slug]))
    assert again["Location"] == question_url(first, 2)


def test_starting_quizzes_is_rate_limited_per_address_before_anything_is_stored(
    client_factory, lesson, settings
):
    settings.RATE_LIMIT_RUNS_PER_ADDRESS_PER_MINUTE = 3
    fresh_window(60)
    statuses = []
    for _ in range(5):  # new visitors each time: no session cookie
        response = client_factory().post(
            reverse("quizzes:start-quiz", args=[lesson.slug]), REMOTE_ADDR="198.51.100.9"
        )
        statuses.append(response.status_code)

    assert statuses == [302, 302, 302, 429, 429]
    assert QuizRun.objects.count() == 3
    assert Learner.objects.count() == 3
    assert "Please slow down" in response.content.decode()


def test_starting_quizzes_is_rate_limited_per_learner(visitor, lesson, settings):
    settings.RATE_LIMIT_RUNS_PER_LEARNER_PER_HOUR = 2
    fresh_window(3600)
    start(visitor, lesson)
    practice = [visitor.post(reverse("quizzes:practice")).status_code for _ in range(3)]

    assert practice == [302, 429, 429]
    assert QuizRun.objects.count() == 2
    assert "Please slow down" in visitor.post(reverse("quizzes:practice")).content.decode()


def test_an_answer_refused_with_javascript_shows_its_message_in_place(visitor, lesson):
    """htmx swaps a refusal's page part in (the stored feedback and why), as it does a
    form error: a 409 for an answer given already, from another tab, is no dead button."""
    import html
    import json

    run = start(visitor, lesson)
    visitor.post(question_url(run, 1), {"choice": choice(run, 1).pk})

    response = visitor.post(
        question_url(run, 1), {"choice": choice(run, 1, correct=False).pk}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 409
    assert "You have already answered this question." in response.content.decode()
    page = visitor.get(reverse("quizzes:home")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page).group(1)
    rules = json.loads(html.unescape(config))["responseHandling"]
    handling = {rule["code"]: rule for rule in rules}
    for code in ("400", "409", "429"):
        assert handling[code]["swap"] is True and handling[code]["error"] is False


def test_the_chinese_results_name_a_missed_question_in_plain_chinese(visitor, lesson):
    """The recap of a missed web-page question shows the page's words, not its markup
    ([field], [button]), with Chinese punctuation and the lesson's title in 《》."""
    question = choice(start(visitor, lesson), 1).question
    question.channel = "web"
    question.body_zh_hans = "安全中心\n[field] 银行卡号\n[field] 银行卡密码\n[button] 提交核查"
    question.save()
    run = start(visitor, lesson)
    zh = question_url(run, 1).replace("/en/", "/zh-hans/", 1)
    visitor.post(zh, {"choice": choice(run, 1, correct=False).pk})

    url = reverse("quizzes:run-results", args=[run.public_id]).replace("/en/", "/zh-hans/", 1)
    content = visitor.get(url).content.decode()

    assert "<q>安全中心 银行卡号 银行卡密码 提交核查</q>" in content
    assert "[field]" not in content and "[button]" not in content
    assert "第1题</a>：" in content
    assert f"再学一遍课程《{lesson.title_zh_hans}》" in content
