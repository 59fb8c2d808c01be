"""The feedback page: the verdict first, the rest folded away, and the run's next question
carried below it, so that a learner without JavaScript answers in two requests (the POST
and the page it redirects to) instead of three."""

import re

import pytest
from django.urls import reverse

from quizzes import caching
from quizzes.models import Answer, Question, QuizRun, Reply, RunQuestion, Status, Step
from quizzes.views import quiz as quiz_views

pytestmark = pytest.mark.django_db

FORM_RE = re.compile(r'<form [^>]*class="answer-form" method="post" action="([^"]+)"')
SUMMARY_RE = re.compile(r'<details class="more"(?: open)?>\s*<summary>([^<]+)</summary>')


def start(client, lesson):
    client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    return QuizRun.objects.latest("started_at")


def url(run, position):
    return reverse("quizzes:run-question", args=[run.public_id, position])


def question_at(run, position):
    return run.run_questions.get(position=position).question


def right_choice(run, position):
    return question_at(run, position).choices.get(is_correct=True)


def carried_part(content):
    """The next question carried by a feedback page, from its heading on."""
    start = content.index('<section class="next-question"')
    return content[start : content.index("</section>", start)]


@pytest.fixture
def mixed_lesson(lesson, spot_lesson, conversation_lesson):
    """``lesson`` with every kind in turn: a choice, tap the red flags, a conversation,
    then two more choices."""
    spot = spot_lesson.questions.get()
    call = conversation_lesson.questions.get()
    lesson.questions.filter(slug="q2").update(position=4)
    lesson.questions.filter(slug="q3").update(position=5)
    for question, position in ((spot, 2), (call, 3)):
        question.lesson, question.position = lesson, position
        question.save()
    return lesson


def test_the_feedback_page_carries_the_next_question_and_not_its_key(visitor, lesson):
    run = start(visitor, lesson)
    visitor.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    following = question_at(run, 2)

    content = visitor.get(url(run, 1)).content.decode()

    assert '<a class="button" href="#q2">Next question</a>' in content
    carried = carried_part(content)
    assert '<h2 id="q2" tabindex="-1">Question 2 of 3</h2>' in carried
    assert FORM_RE.findall(content) == [url(run, 2)]
    assert "Scenario number 2: add our claims account." in carried
    for choice in following.choices.all():
        assert f'name="choice" value="{choice.pk}"' in carried
        assert choice.feedback not in carried  # neither answer's feedback is told yet
    assert following.explanation not in carried
    assert "correct" not in carried.lower()
    assert 'name="csrfmiddlewaretoken"' in carried


def test_the_verdict_and_the_way_on_come_before_what_is_folded_away(visitor, lesson):
    run = start(visitor, lesson)
    wrong = question_at(run, 1).choices.get(is_correct=False)
    visitor.post(url(run, 1), {"choice": wrong.pk})

    content = visitor.get(url(run, 1)).content.decode()

    verdict = content.index('<h2 id="feedback"')
    reason = content.index("This is a trap.")
    next_link = content.index('href="#q2"')
    folded = content.index('<details class="more"')
    assert verdict < reason < next_link < folded
    summaries = SUMMARY_RE.findall(content)
    assert summaries == [
        "The better choice",
        "Why this was a scam",
        "Red flags in this message",
        "Police reminder",
    ]
    # After a wrong answer the right one stands open: it is what the learner needs most.
    assert '<details class="more" open>\n      <summary>The better choice</summary>' in content
    assert content.count('<details class="more" open>') == 1


def test_the_summaries_are_translated(visitor, lesson):
    run = start(visitor, lesson)
    wrong = question_at(run, 1).choices.get(is_correct=False)
    visitor.post(url(run, 1), {"choice": wrong.pk})

    content = visitor.get(url(run, 1).replace("/en/", "/zh-hans/", 1)).content.decode()

    summaries = SUMMARY_RE.findall(content)
    assert len(summaries) == 4
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in summaries), summaries


def test_a_learner_without_javascript_answers_in_two_requests(visitor, lesson):
    """Every answer after the first page is a POST from the page in hand and the GET
    it redirects to; that page already holds the next form."""
    run = start(visitor, lesson)
    page = visitor.get(url(run, 1)).content.decode()
    requests = 0

    for position in (1, 2, 3):
        (action,) = FORM_RE.findall(page)
        assert action == url(run, position)
        posted = visitor.post(action, {"choice": right_choice(run, position).pk})
        assert posted["Location"] == url(run, position) + "#feedback"
        page = visitor.get(posted["Location"]).content.decode()
        requests += 2

    assert requests / 3 == 2
    assert Answer.objects.filter(run=run).count() == 3
    assert FORM_RE.findall(page) == []  # the last feedback leads to the results
    results = reverse("quizzes:run-results", args=[run.public_id])
    assert f'<a class="button" href="{results}">See your results</a>' in page


def test_answering_from_the_feedback_page_records_the_answer_at_its_position(visitor, lesson):
    run = start(visitor, lesson)
    visitor.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    (action,) = FORM_RE.findall(visitor.get(url(run, 1)).content.decode())
    wrong = question_at(run, 2).choices.get(is_correct=False)

    response = visitor.post(action, {"choice": wrong.pk})

    assert response["Location"] == url(run, 2) + "#feedback"
    answer = Answer.objects.get(run=run, question=question_at(run, 2))
    assert (answer.choice, answer.is_correct) == (wrong, False)
    feedback = visitor.get(url(run, 2)).content.decode()
    assert "Not quite." in feedback
    assert FORM_RE.findall(feedback) == [url(run, 3)]


def test_a_replayed_answer_from_the_feedback_page_is_stored_once(visitor, lesson):
    run = start(visitor, lesson)
    visitor.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    data = {"choice": right_choice(run, 2).pk}

    first, again = visitor.post(url(run, 2), data), visitor.post(url(run, 2), data)

    assert first.status_code == again.status_code == 302
    assert Answer.objects.filter(run=run).count() == 2


def test_a_next_question_already_answered_is_linked_not_carried(visitor, lesson):
    """A learner who goes back to question 1 after answering question 2 gets a link to
    question 2's feedback, not a form that could only conflict."""
    run = start(visitor, lesson)
    for position in (1, 2):
        visitor.post(url(run, position), {"choice": right_choice(run, position).pk})

    content = visitor.get(url(run, 1)).content.decode()

    assert f'<a class="button" href="{url(run, 2)}">Next question</a>' in content
    assert 'class="next-question"' not in content
    assert FORM_RE.findall(content) == []


def test_a_next_question_unpublished_meanwhile_is_linked_not_carried(visitor, lesson):
    run = start(visitor, lesson)
    visitor.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    Question.objects.filter(pk=question_at(run, 2).pk).update(status=Status.DRAFT)
    caching.new_generation()

    content = visitor.get(url(run, 1)).content.decode()

    assert f'<a class="button" href="{url(run, 2)}">Next question</a>' in content
    assert "Scenario number 2" not in content


def test_a_foreign_run_cannot_be_answered_from_any_page(visitor, lesson, client_factory):
    run = start(visitor, lesson)
    visitor.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    stranger = client_factory()
    start(stranger, lesson)

    for response in [
        stranger.get(url(run, 1)),
        stranger.post(url(run, 2), {"choice": right_choice(run, 2).pk}),
    ]:
        assert response.status_code == 404
    assert Answer.objects.filter(run=run).count() == 1


def test_each_learner_sees_the_next_question_of_their_own_run(visitor, lesson, client_factory):
    """The feedback page is cached per question and position; its next question differs
    between runs (here question 3 comes second in the neighbour's run)."""
    neighbour = client_factory()
    mine, theirs = start(visitor, lesson), start(neighbour, lesson)
    second, third = question_at(theirs, 2), question_at(theirs, 3)
    RunQuestion.objects.filter(run=theirs, position=3).update(position=9)
    RunQuestion.objects.filter(run=theirs, question=second).update(position=3)
    RunQuestion.objects.filter(run=theirs, position=9).update(position=2)
    for client, run in ((visitor, mine), (neighbour, theirs)):
        client.post(url(run, 1), {"choice": right_choice(run, 1).pk})

    my_page = carried_part(visitor.get(url(mine, 1)).content.decode())
    their_page = carried_part(neighbour.get(url(theirs, 1)).content.decode())

    assert second.body in my_page and third.body not in my_page
    assert third.body in their_page and second.body not in their_page
    assert url(theirs, 2) in their_page and str(mine.public_id) not in their_page


def test_the_feedback_page_is_rendered_once_whatever_question_comes_next(
    visitor, lesson, client_factory, monkeypatch
):
    """In a review or mixed practice the next question can be any: the page is one
    rendering per question, position and answer, and the next question one rendering of
    its own, put in per request."""
    neighbour = client_factory()
    mine, theirs = start(visitor, lesson), start(neighbour, lesson)
    RunQuestion.objects.filter(run=theirs, position=3).update(position=9)
    RunQuestion.objects.filter(run=theirs, position=2).update(position=3)
    RunQuestion.objects.filter(run=theirs, position=9).update(position=2)
    for client, run in ((visitor, mine), (neighbour, theirs)):
        client.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    pages, sections = [], []
    monkeypatch.setattr(caching, "render_to_string", spy(caching.render_to_string, pages))
    monkeypatch.setattr(quiz_views, "render_to_string", spy(quiz_views.render_to_string, sections))

    for client, run in ((visitor, mine), (neighbour, theirs), (visitor, mine)):
        client.get(url(run, 1))

    assert pages == ["quizzes/question.html"]
    carried = [name for name in sections if name.endswith("#next-question")]
    assert carried == ["quizzes/question.html#next-question"] * 2


def spy(function, calls):
    def wrapper(template, *args, **kwargs):
        calls.append(template)
        return function(template, *args, **kwargs)

    return wrapper


def test_htmx_feedback_keeps_its_swap_and_links_to_the_next_page(visitor, lesson):
    run = start(visitor, lesson)

    response = visitor.post(
        url(run, 1), {"choice": right_choice(run, 1).pk}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert content.lstrip().startswith('<section id="answer-area"')
    assert f'<a class="button" href="{url(run, 2)}">Next question</a>' in content
    assert 'class="next-question"' not in content


# --- Every kind, carried and carrying -----------------------------------------------


def test_a_spot_question_is_carried_as_its_checkboxes_without_its_key(visitor, mixed_lesson):
    run = start(visitor, mixed_lesson)
    visitor.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    spots = list(question_at(run, 2).spots.all())

    carried = carried_part(visitor.get(url(run, 1)).content.decode())

    assert FORM_RE.findall(carried) == [url(run, 2)]
    assert [int(v) for v in re.findall(r'name="spot" value="(\d+)"', carried)] == [
        spot.pk for spot in spots
    ]
    for leak in ["spot-flag", "A deadline is there to hurry you.", "Hurries you", "Warning sign"]:
        assert leak not in carried


def test_a_spot_answer_from_the_feedback_page_carries_the_conversation(visitor, mixed_lesson):
    run = start(visitor, mixed_lesson)
    visitor.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    flags = [spot.pk for spot in question_at(run, 2).spots.all() if spot.is_flag]

    response = visitor.post(url(run, 2), {"spot": flags})

    assert response["Location"] == url(run, 2) + "#feedback"
    content = visitor.get(url(run, 2)).content.decode()
    assert "You found 2 of 2 warning signs." in content
    carried = carried_part(content)
    opening = Reply.objects.get(text_en="What case?").turn
    assert f'name="turn" value="{opening.pk}"' in carried
    assert "Your account is involved in a case." in carried
    assert "What case?" in carried and "I will call 110." in carried
    for leak in ["Move your savings", "You hung up.", "The money was gone.", "I'll pay."]:
        assert leak not in content


def test_a_conversation_begun_from_the_feedback_page_ends_on_a_feedback_page(
    visitor, mixed_lesson
):
    run = start(visitor, mixed_lesson)
    visitor.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    visitor.post(url(run, 2), {"spot": [question_at(run, 2).spots.first().pk]})
    hang_up = Reply.objects.get(text_en="I will call 110.")

    response = visitor.post(url(run, 3), {"turn": hang_up.turn_id, "reply": hang_up.pk})

    assert response["Location"] == url(run, 3) + "#feedback"
    assert Step.objects.filter(run=run).count() == 1
    content = visitor.get(url(run, 3)).content.decode()
    assert "You got out safely." in content
    assert '<a class="button" href="#q4">Next question</a>' in content
    assert content.index('href="#q4"') < content.index("<summary>Looking back</summary>")
    assert FORM_RE.findall(carried_part(content)) == [url(run, 4)]


def test_a_conversation_half_played_is_linked_not_carried(visitor, mixed_lesson):
    run = start(visitor, mixed_lesson)
    visitor.post(url(run, 1), {"choice": right_choice(run, 1).pk})
    visitor.post(url(run, 2), {"spot": [question_at(run, 2).spots.first().pk]})
    talk_on = Reply.objects.get(text_en="What case?")
    visitor.post(url(run, 3), {"turn": talk_on.turn_id, "reply": talk_on.pk})

    content = visitor.get(url(run, 2)).content.decode()

    assert f'<a class="button" href="{url(run, 3)}">Next question</a>' in content
    assert 'class="next-question"' not in content


# --- Query budgets: carrying the next question costs no query -------------------------


def feedback_for(client, lesson, answered, posts):
    """A run of ``lesson`` with its first ``answered`` questions answered by ``posts``."""
    run = start(client, lesson)
    for position in range(1, answered + 1):
        client.post(url(run, position), posts(run, position))
    client.get(url(run, answered))  # fills the caches
    return run


def choice_post(run, position):
    return {"choice": right_choice(run, position).pk}


def mixed_post(run, position):
    question = question_at(run, position)
    if question.kind == "spot":
        return {"spot": [question.spots.first().pk]}
    if question.kind == "conversation":
        hang_up = Reply.objects.get(text_en="I will call 110.")
        return {"turn": hang_up.turn_id, "reply": hang_up.pk}
    return {"choice": right_choice(run, position).pk}


@pytest.mark.parametrize("answered", [1, 3])
def test_choice_feedback_with_the_next_question_queries(
    visitor, lesson, django_assert_num_queries, answered
):
    run = feedback_for(visitor, lesson, answered, choice_post)

    with django_assert_num_queries(2):  # session, this and the next run question
        content = visitor.get(url(run, answered)).content.decode()

    assert ("next-question" in content) is (answered < 3)


@pytest.mark.parametrize(
    ("answered", "what"),
    [
        (1, "choice feedback carrying a spot question"),
        (2, "spot feedback (+ the marks) carrying a conversation"),
        (3, "conversation ending (+ the path) carrying a choice"),
    ],
)
def test_feedback_of_every_kind_queries(
    citizen, mixed_lesson, django_assert_num_queries, answered, what
):
    run = feedback_for(citizen, mixed_lesson, answered, mixed_post)
    # session, user, this and the next run question (with its marks or its path)
    expected = 3

    with django_assert_num_queries(expected):
        content = citizen.get(url(run, answered)).content.decode()

    assert 'class="next-question"' in content
    assert FORM_RE.findall(content) == [url(run, answered + 1)]


# --- The box says the verdict; the texts under it do not say it again ----------------

VERDICT_OPENING = re.compile(
    r"(Right|Correct|Wrong|Not quite|Well done|Exactly)\b"
    r"|(对|不对|正确|错误?|答对了|答错了)[。，！：]"
)


def texts_under_the_verdict(node):
    """Every choice feedback and explanation in a lesson file, each language."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("feedback", "explanation") and isinstance(value, dict):
                yield from (text for text in value.values() if isinstance(text, str))
            else:
                yield from texts_under_the_verdict(value)
    elif isinstance(node, list):
        for item in node:
            yield from texts_under_the_verdict(item)


def test_no_feedback_in_the_curriculum_opens_with_a_verdict():
    """A "Right." inside a "Not quite." box (the better choice's feedback) contradicts
    the box: the heading gives the verdict, the text gives the reason."""
    from quizzes.curriculum.schema import read_lessons

    texts = [text for lesson in read_lessons() for text in texts_under_the_verdict(lesson)]

    assert len(texts) > 500
    assert [text for text in texts if VERDICT_OPENING.match(text)] == []
