"""A branching conversation: one turn at a time, endings, replays and tampering."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from quizzes.models import Answer, QuizRun, Reply, Step

pytestmark = pytest.mark.django_db


def start(client, lesson):
    client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    run = QuizRun.objects.latest("started_at")
    return run, reverse("quizzes:run-question", args=[run.public_id, 1])


def reply(text):
    return Reply.objects.get(text_en=text)


def post(client, url, text, **extra):
    r = reply(text)
    return client.post(url, {"turn": r.turn_id, "reply": r.pk}, **extra)


def test_first_turn_holds_no_later_turn_and_no_ending(visitor, conversation_lesson):
    _, url = start(visitor, conversation_lesson)

    content = visitor.get(url).content.decode()

    assert "Your account is involved in a case." in content
    assert "What case?" in content and "I will call 110." in content
    for leak in [
        "Move your savings to our safe account.",
        "You hung up.",
        "The money was gone.",
        "An official title is the first prop.",
        "There is no safe account.",
        "I'll pay.",
        "50,000",
    ]:
        assert leak not in content


def test_a_reply_leads_to_the_next_turn_and_reload_resumes(visitor, conversation_lesson):
    run, url = start(visitor, conversation_lesson)

    response = post(visitor, url, "What case?")

    assert response.status_code == 302
    assert response["Location"].endswith("#now")  # the turn to answer, at the top
    content = visitor.get(url).content.decode()
    assert "Move your savings to our safe account." in content
    assert "What case?" in content  # the conversation so far
    assert "There is no safe account." not in content
    assert not Answer.objects.exists()
    assert Step.objects.filter(run=run).count() == 1


def test_paying_ends_with_money_lost_and_the_walk_back(visitor, conversation_lesson):
    run, url = start(visitor, conversation_lesson)
    post(visitor, url, "What case?")

    post(visitor, url, "I'll pay.")

    answer = Answer.objects.get(run=run)
    assert answer.is_correct is False
    assert answer.ending.key == "paid"
    content = visitor.get(url).content.decode()
    assert "You lost money." in content
    assert "Lost: 50,000 yuan" in content
    assert "An official title is the first prop." in content
    assert "There is no safe account." in content
    assert content.count("Here you could have stopped.") == 2
    assert 'name="reply"' not in content
    assert QuizRun.objects.get(pk=run.pk).finished_at is not None


def test_hanging_up_at_once_is_safe(visitor, conversation_lesson):
    run, url = start(visitor, conversation_lesson)

    post(visitor, url, "I will call 110.")

    assert Answer.objects.get(run=run).is_correct is True
    content = visitor.get(url).content.decode()
    assert "You got out safely." in content
    assert "Here you could have stopped." not in content


def test_reading_out_the_code_leaves_the_learner_partly_exposed(
    visitor, conversation_lesson, code_reply
):
    run, url = start(visitor, conversation_lesson)
    post(visitor, url, "What case?")

    response = post(visitor, url, "The code is 402193.")

    assert response.status_code == 302
    assert response["Location"].endswith("#feedback")
    answer = Answer.objects.get(run=run)
    assert (answer.ending.key, answer.is_correct) == ("gave-code", False)
    content = visitor.get(url).content.decode()
    assert "You were partly exposed." in content
    assert "With the code, they could sign in to your bank." in content
    assert "Lost:" not in content  # exposed, not (yet) robbed
    assert content.count("Here you could have stopped.") == 2
    assert 'name="reply"' not in content


def thread_of(content):
    """The scammer's and the learner's lines in the phone mockup, in order."""
    figure = content[content.index("<figure") : content.index("</figure>")]
    lines = re.findall(r'<li class="(mine|theirs)[^"]*"[^>]*>(.*?)</li>', figure, re.S)
    return [
        (side, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip()) for side, text in lines
    ]


def test_every_turn_continues_the_same_call(visitor, conversation_lesson):
    _, url = start(visitor, conversation_lesson)
    post(visitor, url, "What case?")

    content = visitor.get(url).content.decode()

    assert content.count("<figure") == 1
    assert thread_of(content) == [
        ("theirs", "Officer Ma: Hello, is that Liu Shufen?"),
        ("theirs", "Officer Ma: Your account is involved in a case."),
        ("mine", "You: What case?"),
        ("theirs", "Officer Ma: Move your savings to our safe account."),
    ]
    # The turn to answer now is marked, and the reply form comes after the thread.
    assert content.count('id="now"') == 1
    assert content.index("</figure>") < content.index('name="reply"')


def test_the_thread_in_chinese_uses_full_width_colons(visitor, conversation_lesson):
    from quizzes.models import Question

    Question.objects.filter(kind="conversation").update(body_zh_hans="马警官：喂，是刘淑芬吗？")
    visitor.cookies["django_language"] = "zh-hans"
    _, url = start(visitor, conversation_lesson)

    content = visitor.get(url.replace("/en/", "/zh-hans/")).content.decode()

    assert thread_of(content)[0] == ("theirs", "马警官：喂，是刘淑芬吗？")


def test_a_replayed_turn_is_idempotent_and_another_reply_there_conflicts(
    visitor, conversation_lesson
):
    run, url = start(visitor, conversation_lesson)
    post(visitor, url, "What case?")

    replay = post(visitor, url, "What case?")
    other = post(visitor, url, "I will call 110.")

    assert replay.status_code == 302
    assert other.status_code == 409
    # Said under the heading, before the thread, with the way down to the reply.
    content = other.content.decode()
    assert content.index('role="alert"') < content.index("</figure>")
    assert 'href="#reply-form"' in content and 'id="reply-form"' in content
    assert Step.objects.filter(run=run).count() == 1
    assert not Answer.objects.exists()


def test_a_turn_not_reached_yet_is_refused(visitor, conversation_lesson):
    _run, url = start(visitor, conversation_lesson)

    response = post(visitor, url, "I'll pay.")

    assert response.status_code == 400
    assert not Step.objects.exists()
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"turn": "x", "reply": "1"},
        {"turn": "1", "reply": "99999"},
        {"turn": "9" * 30},
        {"turn": "\u00b2", "reply": "1"},
    ],
    ids=["nothing", "not-a-number", "foreign-reply", "too-long", "unicode-digit"],
)
def test_tampered_replies_are_refused_and_nothing_is_stored(visitor, conversation_lesson, data):
    _, url = start(visitor, conversation_lesson)

    response = visitor.post(url, data)

    assert response.status_code == 400
    assert not Step.objects.exists()


def test_a_reply_of_another_turn_is_refused(visitor, conversation_lesson):
    _, url = start(visitor, conversation_lesson)
    opening = reply("What case?").turn_id

    response = visitor.post(url, {"turn": opening, "reply": reply("I'll pay.").pk})

    assert response.status_code == 400
    assert not Step.objects.exists()


def test_another_learner_cannot_reply_in_my_run(visitor, conversation_lesson, client_factory):
    _, url = start(visitor, conversation_lesson)

    response = post(client_factory(), url, "What case?")

    assert response.status_code == 404
    assert not Step.objects.exists()


def test_htmx_reply_swaps_in_the_next_turn(visitor, conversation_lesson):
    _, url = start(visitor, conversation_lesson)

    response = post(visitor, url, "What case?", headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="answer-area"')
    # The whole thread comes back in the same phone, the new turn last, then the form.
    assert [text for _, text in thread_of(content)][-2:] == [
        "You: What case?",
        "Officer Ma: Move your savings to our safe account.",
    ]
    assert "There is no safe account." not in content
    for ending in ("You hung up.", "The money was gone.", "50,000"):
        assert ending not in content  # the endings of this turn's replies stay on the server


@pytest.mark.parametrize("replies", [0, 1])
def test_turn_page_queries(visitor, conversation_lesson, django_assert_num_queries, replies):
    _, url = start(visitor, conversation_lesson)
    if replies:
        post(visitor, url, "What case?")
    visitor.get(url)  # fills the content cache

    with django_assert_num_queries(2):  # session, run question with its answer and path
        visitor.get(url)


@pytest.mark.django_db(transaction=True)
def test_reply_queries(client, conversation_lesson, django_assert_num_queries):
    _, url = start(client, conversation_lesson)
    post(client, url, "What case?")
    r = reply("I'll pay.")
    client.get(url)

    # session, run question with its path and what the learner remembers about it,
    # INSERT step, INSERT answer (which finishes the run), the learner's summaries (the
    # lesson, and the question and its red flags: one upsert each; quizzes/models/review.py),
    # which on PostgreSQL the answer's INSERT carries
    with django_assert_num_queries(4 if connection.vendor == "postgresql" else 6):
        response = client.post(url, {"turn": r.turn_id, "reply": r.pk})

    assert response.status_code == 302


def test_my_data_names_the_ending_reached(visitor, conversation_lesson):
    _, url = start(visitor, conversation_lesson)
    post(visitor, url, "I will call 110.")

    data = visitor.get(reverse("quizzes:my-data")).json()

    assert data["runs"][0]["answers"][0]["answer"] == "You hung up."


def test_staff_preview_plays_a_conversation_without_storing(client, conversation_lesson):
    from .conftest import sign_in_officer
    from .test_workflow import officer

    question = conversation_lesson.questions.get()
    sign_in_officer(client, officer("Authors"))
    url = reverse("quizzes:preview-question", args=[question.pk])
    first = reply("What case?")

    page = client.get(url).content.decode()
    turn2 = client.post(url, {"turn": first.turn_id, "reply": first.pk}).content.decode()
    paid = reply("I'll pay.")
    ending = client.post(
        url, {"path": str(first.pk), "turn": paid.turn_id, "reply": paid.pk}
    ).content.decode()

    assert "Your account is involved in a case." in page
    assert "Move your savings to our safe account." in turn2
    assert "You lost money." in ending
    assert not Step.objects.exists() and not Answer.objects.exists()


def test_results_name_the_ending(visitor, conversation_lesson):
    run, url = start(visitor, conversation_lesson)
    post(visitor, url, "What case?")
    post(visitor, url, "I'll pay.")

    content = visitor.get(reverse("quizzes:run-results", args=[run.public_id])).content.decode()

    assert "You got 0 of 1 right." in content
    assert "Money lost" in content


def test_reply_shares_count_each_learners_first_play(conversation_lesson, client_factory):
    from quizzes.stats import reply_shares

    for text in ("What case?", "I will call 110.", "What case?"):
        client = client_factory()
        _, url = start(client, conversation_lesson)
        post(client, url, text)

    shares = reply_shares()

    assert shares == {reply("What case?").pk: (2, 3), reply("I will call 110.").pk: (1, 3)}
