"""The statistics page shows, per part to spot, how often learners mark it, and per
conversation turn the share of learners taking each reply and where most go wrong."""

import pytest
from django.urls import reverse

from quizzes.models import Reply
from quizzes.stats import conversation_stats, spot_stats

from .test_conversations import post
from .test_conversations import start as start_call
from .test_spots import spots
from .test_spots import start as start_spots

pytestmark = pytest.mark.django_db


def play(client_factory, spot_lesson, conversation_lesson):
    s = spots(spot_lesson)
    for marked in ([2, 3], [2], [1, 2]):
        client = client_factory()
        _, url = start_spots(client, spot_lesson)
        client.post(url, {"spot": [s[n].pk for n in marked]})
    for texts in (["What case?", "I'll pay."], ["I will call 110."], ["What case?", "I'll pay."]):
        client = client_factory()
        _, url = start_call(client, conversation_lesson)
        for text in texts:
            post(client, url, text)


def test_spot_and_conversation_statistics(
    client_factory, spot_lesson, conversation_lesson, django_assert_num_queries
):
    play(client_factory, spot_lesson, conversation_lesson)

    with django_assert_num_queries(6):
        [(question, rows)] = spot_stats()
        [(_call, turns, worst)] = conversation_stats()

    assert question == spot_lesson.questions.get()
    assert [(s.position, marked, answered) for s, marked, answered, _ in rows] == [
        (1, 1, 3),
        (2, 3, 3),
        (3, 1, 3),
    ]
    by_text = {
        r.text_en: (taken, reached, wrong) for _, rs in turns for r, taken, reached, _, wrong in rs
    }
    assert by_text == {
        "What case?": (2, 3, False),
        "I will call 110.": (1, 3, False),
        "I'll pay.": (2, 2, True),
        "I am hanging up.": (0, 2, False),
    }
    assert worst == Reply.objects.get(text_en="I'll pay.").turn


def test_the_statistics_page_shows_them(
    client, client_factory, spot_lesson, conversation_lesson, superuser
):
    from .conftest import sign_in_officer

    play(client_factory, spot_lesson, conversation_lesson)
    sign_in_officer(client, superuser)

    content = client.get(reverse("admin:quizzes_statistics")).content.decode()

    assert "within 24 hours" in content and "100%" in content
    assert "most go wrong at turn “safe-account”" in content
    assert "I am hanging up." in content
