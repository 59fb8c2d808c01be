"""Citizen pages show published content, and only that."""

import pytest
from django.urls import reverse

from quizzes.models import Status

from .factories import (
    CaseFactory,
    LessonFactory,
    LessonStepFactory,
    QuestionFactory,
    ReminderFactory,
)

pytestmark = pytest.mark.django_db


def test_root_redirects_to_the_browser_language(client):
    response = client.get("/", headers={"accept-language": "zh-CN,zh;q=0.9"})

    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/"


def test_home_lists_published_lessons_in_order_with_their_channels(client, lesson):
    LessonFactory(title_en="Guess who I am", position=0)

    response = client.get(reverse("quizzes:home"))

    content = response.content.decode()
    assert content.index("Guess who I am") < content.index("Fake courier claims")
    assert "Text message" in content  # the channel of the lesson's questions
    assert "New here? Start with the first lesson" in content


def test_home_hides_draft_and_expired_lessons(client, lesson):
    LessonFactory(title_en="Secret draft lesson", status=Status.DRAFT)
    LessonFactory(title_en="Lesson in review", status=Status.REVIEW)
    LessonFactory(title_en="Expired lesson", valid_until="2000-01-01")

    content = client.get(reverse("quizzes:home")).content.decode()

    assert "Fake courier claims" in content
    assert "Secret draft lesson" not in content
    assert "Lesson in review" not in content
    assert "Expired lesson" not in content


def test_lesson_page_shows_every_part_of_the_lesson(client, lesson):
    LessonStepFactory(lesson=lesson, position=1, text_en="A caller says your parcel is lost.")
    CaseFactory(lesson=lesson, title_en="Face mask refund", loss=19240, place_en="Xinjin")
    lesson.sources.add(CaseFactory._meta.model.objects.get().source)

    content = client.get(lesson.get_absolute_url()).content.decode()

    assert "<h1>Fake courier claims</h1>" in content
    assert "A caller says your parcel is lost." in content
    assert "Moves you off the official platform" in content  # red flag
    assert "Face mask refund" in content
    assert "19,240 yuan" in content
    assert "Hang up and call 110." in content  # the lesson's police reminder
    assert "Sources:" in content and "Police advisory" in content
    assert "Take the quiz" in content
    assert "3 questions" in content


def test_lesson_page_in_chinese(client, lesson):
    content = client.get(f"/zh-hans/lessons/{lesson.slug}/").content.decode()

    assert '<html lang="zh-hans">' in content
    assert "<h1>冒充快递理赔</h1>" in content


@pytest.mark.parametrize("status", [Status.DRAFT, Status.REVIEW, Status.ARCHIVED])
def test_unpublished_lesson_answers_404(client, status):
    lesson = LessonFactory(status=status)

    response = client.get(lesson.get_absolute_url())

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_reminders_page_lists_general_and_lesson_reminders(client, lesson):
    ReminderFactory(text_en="Remember the four don'ts.", slug="four-donts")
    draft = LessonFactory(status=Status.DRAFT)
    ReminderFactory(lesson=draft, text_en="A draft reminder", slug="draft-1")

    content = client.get(reverse("quizzes:reminders")).content.decode()

    assert "Remember the four don&#x27;ts." in content
    assert "Hang up and call 110." in content
    assert "A draft reminder" not in content


def on_this_page(content):
    """The reminders page's list of groups: [(anchor, words)]."""
    import re

    nav = content[
        content.index('<nav class="on-this-page"') : content.index(
            "</nav>", content.index('<nav class="on-this-page"')
        )
    ]
    return re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', nav)


def test_reminders_page_starts_with_a_link_to_each_group(client, lesson):
    """Grandpa Wang wants the advice on fake courier claims without scrolling past sixty
    reminders: the list at the top takes him there; a lesson without reminders and a
    draft lesson are not in it."""
    ReminderFactory(text_en="Remember the four don'ts.", slug="four-donts")
    LessonFactory(slug="no-reminders", title_en="A lesson without reminders")
    draft = LessonFactory(slug="secret-draft", status=Status.DRAFT)
    ReminderFactory(lesson=draft, text_en="A draft reminder", slug="draft-1")

    content = client.get(reverse("quizzes:reminders")).content.decode()

    links = on_this_page(content)
    assert links == [
        ("general-heading", "For every kind of scam"),
        ("r-fake-courier", "Fake courier claims"),
    ]
    for anchor, _ in links:
        assert f'id="{anchor}"' in content
    assert content.count("<h1") == 1
    assert content.count("<main") == 1
    assert content.index('<nav class="on-this-page"') < content.index('id="general-heading"')


def test_reminders_page_list_of_groups_in_chinese(client, lesson):
    ReminderFactory(text_en="Remember the four don'ts.", slug="four-donts")
    content = client.get("/zh-hans/reminders/").content.decode()

    assert on_this_page(content) == [
        ("general-heading", "适用于各类诈骗"),
        ("r-fake-courier", "冒充快递理赔"),
    ]
    assert '<h2 id="on-this-page-heading">本页内容</h2>' in content


@pytest.mark.parametrize("count", [1, 5])
def test_reminders_query_count_does_not_grow_with_lessons(
    client, django_assert_num_queries, count
):
    ReminderFactory(text_en="Remember the four don'ts.", slug="four-donts")
    for n in range(count):
        ReminderFactory(lesson=LessonFactory(slug=f"scam-{n}"), slug=f"scam-{n}-1")

    # general reminders and their sources, published lessons and their reminders
    with django_assert_num_queries(4):
        content = client.get(reverse("quizzes:reminders")).content.decode()
    assert len(on_this_page(content)) == count + 1


def _lessons(count):
    for _n in range(count):
        lesson = LessonFactory()
        LessonStepFactory(lesson=lesson)
        ReminderFactory(lesson=lesson)
        CaseFactory(lesson=lesson)
        QuestionFactory(lesson=lesson)


@pytest.mark.parametrize("count", [1, 5])
def test_home_query_count_does_not_grow_with_lessons(client, django_assert_num_queries, count):
    _lessons(count)

    # Lessons, their questions' channels, and the scam alerts (once a minute).
    with django_assert_num_queries(3):
        response = client.get(reverse("quizzes:home"))
    with django_assert_num_queries(0):  # then from the content cache
        client.get(reverse("quizzes:home"))

    assert response.content.decode().count('class="card"') == count


@pytest.mark.parametrize("count", [1, 5])
def test_lesson_query_count_does_not_grow(client, django_assert_num_queries, count):
    _lessons(1)
    lesson = LessonFactory()
    for _n in range(count):
        LessonStepFactory(lesson=lesson)
        ReminderFactory(lesson=lesson)
        CaseFactory(lesson=lesson)
        QuestionFactory(lesson=lesson)

    # The lesson, then one query each: steps, red flags, legal references, sources,
    # reminders, their sources, cases with their source, published questions; and the
    # scam alerts (once a minute).
    with django_assert_num_queries(10):
        response = client.get(lesson.get_absolute_url())
    with django_assert_num_queries(0):  # then from the content cache
        client.get(lesson.get_absolute_url())

    assert response.status_code == 200


def test_wrong_method_is_refused(client, lesson):
    response = client.post(reverse("quizzes:home"))

    assert response.status_code == 405


def test_language_switch_returns_to_the_same_page(client, lesson):
    response = client.get(
        "/i18n/switch/zh-hans/",
        headers={"referer": f"http://testserver/en/lessons/{lesson.slug}/"},
    )

    assert response["Location"] == f"/zh-hans/lessons/{lesson.slug}/"
    assert response.cookies["django_language"].value == "zh-hans"


@pytest.mark.parametrize(
    "referer", ["", "https://evil.example.com/en/lessons/x/", "http://testserver/en/admin/"]
)
def test_language_switch_falls_back_to_home(client, referer):
    response = client.get("/i18n/switch/en/", headers={"referer": referer})

    assert response["Location"] in ("/en/", "/en/admin/")


def test_language_switch_refuses_unknown_languages(client):
    assert client.get("/i18n/switch/xx/").status_code == 404


def test_large_text_toggle_returns_to_the_page_and_sets_a_cookie(client, lesson):
    response = client.post(
        reverse("quizzes:display"),
        {"large_text": "1"},
        headers={"referer": f"http://testserver{lesson.get_absolute_url()}"},
    )

    assert response["Location"] == lesson.get_absolute_url()
    assert response.cookies["large_text"].value == "1"
    assert 'class="large-text"' in client.get(lesson.get_absolute_url()).content.decode()


def test_large_text_toggle_ignores_a_foreign_referer(client):
    response = client.post(
        reverse("quizzes:display"),
        {"large_text": "0"},
        headers={"referer": "https://evil.example"},
    )

    assert response["Location"] == reverse("quizzes:home")


def test_pages_are_compressed_for_slow_networks(client, lesson):
    response = client.get(lesson.get_absolute_url(), headers={"accept-encoding": "gzip"})

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]


def test_a_change_saved_by_another_process_is_seen_at_the_next_request(client, lesson, settings):
    """Without Redis each gunicorn worker caches pages on its own: an officer's change
    saved in one worker (or by a management command) moves the generation file's time,
    and every other worker reads the new content at its next request, not an hour on."""
    import os
    import time

    assert settings.CONTENT_GENERATION_FILE  # the tests run without REDIS_URL
    url = lesson.get_absolute_url()
    client.get(url)  # cached in this process
    type(lesson).objects.filter(pk=lesson.pk).update(title_en="Retitled elsewhere")
    assert "Retitled elsewhere" not in client.get(url).content.decode()

    later = time.time_ns() + 1_000
    os.utime(settings.CONTENT_GENERATION_FILE, ns=(later, later))  # what the other one does

    assert "Retitled elsewhere" in client.get(url).content.decode()
