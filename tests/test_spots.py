"""Tap the red flags: marking the warning signs in a message, and what tampering gets."""

import pytest
from django.db import connection
from django.urls import reverse

from quizzes.models import Answer, QuizRun

from .factories import QuestionFactory, SpotFactory

pytestmark = pytest.mark.django_db


def start(client, lesson):
    client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    run = QuizRun.objects.latest("started_at")
    return run, reverse("quizzes:run-question", args=[run.public_id, 1])


def spots(lesson):
    return {s.position: s for s in lesson.questions.get().spots.all()}


def test_spot_page_offers_every_part_as_a_checkbox_and_no_answer_key(visitor, spot_lesson):
    _, url = start(visitor, spot_lesson)
    by_position = spots(spot_lesson)

    content = visitor.get(url).content.decode()

    for spot in by_position.values():
        assert f'name="spot" value="{spot.pk}"' in content
    assert content.count('name="spot"') == 3
    for leak in [
        "A deadline is there to hurry you.",
        "Couriers never collect fees",
        "A greeting is harmless",
        "Hurries you",
        "Moves you off the official platform",
        "spot-flag",
        "Warning sign",
        "red_flag",
        "data-",
        "ticked",
        "spot-ticked",
    ]:
        assert leak not in content


def test_a_part_on_a_drawn_button_can_be_ticked(visitor, spot_lesson):
    """A checkbox inside a (disabled) button cannot be ticked, and a button may not hold
    controls: a button line with a part to mark is drawn, not made a button."""
    question = spot_lesson.questions.get()
    question.body_en = "Your parcel is held.\n[button] Pay the fee now"
    question.save()
    SpotFactory(question=question, position=4, text_en="Pay the fee now")
    _, url = start(visitor, spot_lesson)

    content = visitor.get(url).content.decode()

    at = content.index("Pay the fee now")
    button_line = content[at - 300 : at]
    assert 'name="spot"' in button_line and "<button" not in button_line
    assert '<span class="mock-button">' in button_line


def test_a_hit_a_miss_and_a_false_alarm_are_each_named(visitor, spot_lesson):
    run, url = start(visitor, spot_lesson)
    s = spots(spot_lesson)

    response = visitor.post(url, {"spot": [s[1].pk, s[2].pk]})

    assert response.status_code == 302
    answer = Answer.objects.get(run=run)
    assert answer.is_correct is False
    assert answer.choice is None
    assert set(answer.spots.values_list("position", flat=True)) == {1, 2}
    content = visitor.get(url).content.decode()
    assert "You found 1 of 2 warning signs." in content
    assert "You marked 1 harmless part." in content
    assert "Warning sign, and you found it." in content
    assert "Warning sign you missed." in content
    assert "Harmless: not a warning sign." in content
    assert "Couriers never collect fees through a link in a text." in content
    assert content.count('class="spot-mark spot-flag"') == 2
    assert 'name="spot"' not in content


def parts_said(content):
    """Each part of the feedback's list as the learner reads it: {position: words}."""
    import re

    items = re.findall(r'<li value="(\d)">(.*?)</li>', content, re.S)
    return {int(n): " ".join(re.sub(r"<[^>]+>", "", html).split()) for n, html in items}


def test_after_answering_each_part_says_what_the_learner_did_and_what_it_is(visitor, spot_lesson):
    """Grandma Li ticks the greeting (harmless) and the deadline (a warning sign), and
    leaves the link (a warning sign) unticked: the feedback says all three in words."""
    _, url = start(visitor, spot_lesson)
    s = spots(spot_lesson)
    visitor.post(url, {"spot": [s[1].pk, s[2].pk]})

    content = visitor.get(url).content.decode()

    said = parts_said(content)
    assert said[1].startswith("Dear customer: You ticked it. Harmless: not a warning sign.")
    assert said[2].startswith("within 24 hours: You ticked it. Warning sign, and you found it.")
    assert said[3].startswith(
        "http://parcel-fee.example/pay: You did not tick it. Warning sign you missed."
    )
    # After a mistake the list is open, not folded away.
    assert (
        '<details class="more" open>\n      <summary>The warning signs in the message' in content
    )
    # In the message itself, a tick (a shape, with words for screen readers) on her two.
    assert content.count('<span class="spot-ticked">') == 2
    assert content.count("(you ticked this)") == 2
    assert "✓ marks the parts you ticked." in content


def test_a_right_answer_keeps_the_list_folded_and_says_what_was_left(visitor, spot_lesson):
    _, url = start(visitor, spot_lesson)
    s = spots(spot_lesson)
    visitor.post(url, {"spot": [s[2].pk, s[3].pk]})

    content = visitor.get(url).content.decode()

    assert parts_said(content)[1].startswith(
        "Dear customer: You did not tick it. Harmless, rightly left unmarked."
    )
    assert '<details class="more">\n      <summary>The warning signs in the message' in content


def test_the_feedback_says_the_ticks_in_chinese_too(visitor, spot_lesson):
    _, url = start(visitor, spot_lesson)
    s = spots(spot_lesson)
    visitor.post(url, {"spot": [s[2].pk]})

    content = visitor.get(url.replace("/en/", "/zh-hans/", 1)).content.decode()

    said = parts_said(content)
    assert "您勾选了这一处。" in said[2]
    assert "您没有勾选这一处。" in said[3]
    assert content.count("（您勾选了这一处）") == 1


def test_every_sign_and_nothing_harmless_is_right(visitor, spot_lesson):
    run, url = start(visitor, spot_lesson)
    s = spots(spot_lesson)

    visitor.post(url, {"spot": [s[2].pk, s[3].pk]})

    answer = Answer.objects.get(run=run)
    assert answer.is_correct is True
    assert "Harmless, rightly left unmarked." in visitor.get(url).content.decode()
    assert run.__class__.objects.get(pk=run.pk).finished_at is not None


def test_marking_everything_does_not_win(visitor, spot_lesson):
    run, url = start(visitor, spot_lesson)

    visitor.post(url, {"spot": [s.pk for s in spots(spot_lesson).values()]})

    assert Answer.objects.get(run=run).is_correct is False


def test_flag_outcomes_count_each_red_flag_found_or_missed(visitor, spot_lesson, red_flag):
    run, url = start(visitor, spot_lesson)
    s = spots(spot_lesson)
    visitor.post(url, {"spot": [s[2].pk]})
    answer = Answer.objects.get(run=run)
    question = spot_lesson.questions.get()

    outcomes = dict(answer.flag_outcomes(question))

    assert outcomes == {s[2].red_flag_id: True, red_flag.pk: False}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"spot": ["x"]},
        {"spot": ["99999999"]},
        {"spot": ["1" * 19]},
        {"spot": [str(n) for n in range(1, 12)]},
        {"spot": ["\u00b2"]},
    ],
    ids=["nothing", "not-a-number", "foreign", "too-long", "too-many", "unicode-digit"],
)
def test_tampered_marks_are_refused_and_nothing_is_stored(visitor, spot_lesson, data):
    _, url = start(visitor, spot_lesson)

    response = visitor.post(url, data)

    assert response.status_code == 400
    assert not Answer.objects.exists()
    assert Answer.spots.through.objects.count() == 0


def test_a_spot_of_another_question_is_refused(visitor, spot_lesson):
    other = SpotFactory(question=QuestionFactory(kind="spot", choices=False))
    _, url = start(visitor, spot_lesson)
    s = spots(spot_lesson)

    response = visitor.post(url, {"spot": [s[2].pk, other.pk]})

    assert response.status_code == 400
    assert not Answer.objects.exists()


def test_replayed_marks_are_idempotent_and_other_marks_conflict(visitor, spot_lesson):
    run, url = start(visitor, spot_lesson)
    s = spots(spot_lesson)
    visitor.post(url, {"spot": [s[2].pk]})

    replay = visitor.post(url, {"spot": [s[2].pk]})
    other = visitor.post(url, {"spot": [s[3].pk]})

    assert replay.status_code == 302
    assert other.status_code == 409
    answer = Answer.objects.get(run=run)
    assert list(answer.spots.values_list("position", flat=True)) == [2]


def test_another_learner_cannot_answer_in_my_run(visitor, spot_lesson, client_factory):
    _, url = start(visitor, spot_lesson)

    response = client_factory().post(url, {"spot": [spots(spot_lesson)[2].pk]})

    assert response.status_code == 404
    assert not Answer.objects.exists()


def test_htmx_answer_swaps_in_the_feedback(visitor, spot_lesson):
    _, url = start(visitor, spot_lesson)

    response = visitor.post(
        url, {"spot": [spots(spot_lesson)[2].pk]}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section id="answer-area"')
    assert "You found 1 of 2 warning signs." in content


@pytest.mark.parametrize("answered", [False, True])
def test_spot_page_queries(visitor, spot_lesson, django_assert_num_queries, answered):
    _, url = start(visitor, spot_lesson)
    if answered:
        visitor.post(url, {"spot": [spots(spot_lesson)[2].pk]})
    visitor.get(url)  # fills the content cache

    with django_assert_num_queries(2):  # session, run question with its answer and marks
        visitor.get(url)


@pytest.mark.django_db(transaction=True)
def test_spot_answer_queries(client, spot_lesson, django_assert_num_queries):
    _, url = start(client, spot_lesson)
    client.get(url)
    data = {"spot": [s.pk for s in spots(spot_lesson).values()][1:]}

    # session, run question, INSERT answer (which finishes the run with its last answer),
    # its row for the learner's memory to count (quizzes/models/review.py), the lesson's
    # summary upsert, INSERT marks: on PostgreSQL all one statement with the answer's
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 6):
        response = client.post(url, data)

    assert response.status_code == 302


def test_spot_page_in_chinese_marks_the_chinese_words(visitor, spot_lesson):
    _, url = start(visitor, spot_lesson)
    zh_url = url.replace("/en/", "/zh-hans/", 1)

    content = visitor.get(zh_url).content.decode()

    assert '<span class="spot-text">24小时内</span>' in content


def test_my_data_lists_the_parts_i_marked(visitor, spot_lesson):
    _, url = start(visitor, spot_lesson)
    visitor.post(url, {"spot": [spots(spot_lesson)[2].pk]})

    data = visitor.get(reverse("quizzes:my-data")).json()

    assert data["runs"][0]["answers"][0]["answer"] == ["within 24 hours"]


def test_staff_preview_shows_spot_feedback_without_storing(client, spot_lesson):
    from .conftest import sign_in_officer
    from .test_workflow import officer

    question = spot_lesson.questions.get()
    sign_in_officer(client, officer("Authors"))
    url = reverse("quizzes:preview-question", args=[question.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {"spot": [spots(spot_lesson)[2].pk]})

    assert 'name="spot"' in page and "A deadline is there to hurry you." not in page
    assert "You found 1 of 2 warning signs." in response.content.decode()
    assert not Answer.objects.exists()


def test_spot_found_shares_count_first_attempts(spot_lesson, client_factory):
    from quizzes.stats import spot_found_shares

    s = spots(spot_lesson)
    for marked in ([2, 3], [2], [1, 2]):
        client = client_factory()
        _, url = start(client, spot_lesson)
        client.post(url, {"spot": [s[n].pk for n in marked]})

    shares = spot_found_shares()

    assert shares == {s[1].pk: (1, 3), s[2].pk: (3, 3), s[3].pk: (1, 3)}
