"""The phone preview beside the lesson and question forms shows what citizens would see
as the officer types: the unsaved form is posted, the citizens' own page comes back,
nothing is stored, the content cache is untouched, and everything typed is escaped."""

import html

import pytest
from django.urls import reverse

from quizzes import caching
from quizzes.models import Lesson, Question, Revision

from .conftest import sign_in_officer
from .factories import QuestionFactory
from .test_admin import lesson_form
from .test_revisions import form_data

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


def preview_url(model, obj=None):
    return reverse(f"admin:quizzes_{model}_live_preview", args=[obj.pk] if obj else [])


def test_a_new_lesson_is_previewed_as_typed_and_nothing_is_stored(client, author_user, red_flag):
    sign_in_officer(client, author_user)
    data = lesson_form(red_flag, title_en=f"Fake prizes {SCRIPT}", _preview_language="en")
    before = caching.generation()

    response = client.post(preview_url("lesson"), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Fake prizes &lt;script&gt;" in page
    assert "A caller says you won a prize." in page  # the typed step
    assert SCRIPT not in page
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert not Lesson.objects.filter(slug="fake-lottery").exists()
    assert caching.generation() == before


def test_with_htmx_the_page_comes_back_in_a_frame_escaped_once_more(client, author_user, red_flag):
    sign_in_officer(client, author_user)
    typed = f"假冒彩票 {SCRIPT}"
    data = lesson_form(red_flag, title_zh_hans=typed, _preview_language="zh-hans")

    response = client.post(preview_url("lesson"), data, headers={"HX-Request": "true"})

    fragment = response.content.decode()
    assert fragment.startswith("<iframe") and 'name="phone-preview"' in fragment
    assert "<script" not in fragment and "<h1" not in fragment  # all of it inside srcdoc
    inner = html.unescape(fragment[fragment.index('srcdoc="') + 8 : fragment.rindex('"')])
    assert '<html lang="zh-hans">' in inner
    assert "<h1>假冒彩票 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>" in inner
    assert SCRIPT not in inner


def test_an_unfinished_form_says_what_the_preview_needs(client, author_user, red_flag):
    sign_in_officer(client, author_user)
    # A draft may have its title in one language, not in none.
    data = lesson_form(red_flag, title_en="", title_zh_hans="", _preview_language="en")

    page = client.post(preview_url("lesson"), data).content.decode()

    assert "The preview appears once the form has what citizens would need." in page
    assert "Title (English)" in page


def test_an_edit_of_a_published_question_is_previewed_but_not_saved(client, author_user, lesson):
    question = lesson.questions.first()
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    sign_in_officer(client, author_user)
    data = form_data(client.get(url))
    data.update(prompt_en="Would you pay the fee?", _preview_language="en")

    page = client.post(preview_url("question", question), data).content.decode()

    assert "Would you pay the fee?" in page
    question.refresh_from_db()
    assert question.prompt_en != "Would you pay the fee?"
    assert not Revision.objects.exists()


def test_a_spot_question_is_previewed_in_both_languages(client, author_user, spot_lesson):
    question = spot_lesson.questions.get()
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    sign_in_officer(client, author_user)
    data = form_data(client.get(url))

    english = client.post(preview_url("question", question), {**data, "_preview_language": "en"})
    chinese = client.post(
        preview_url("question", question), {**data, "_preview_language": "zh-hans"}
    )

    assert english.status_code == chinese.status_code == 200
    assert "within 24 hours" in english.content.decode()
    assert "24小时内" in chinese.content.decode()


def test_the_preview_is_post_only_and_for_officers(client, author_user, lesson, citizen_user):
    question = lesson.questions.first()
    sign_in_officer(client, author_user)
    assert client.get(preview_url("question", question)).status_code == 405
    client.force_login(citizen_user)
    response = client.post(preview_url("question", question), {})
    assert response.status_code == 302  # to the workspace's log-in page
    assert Question.objects.count() == 3


def test_the_form_page_offers_the_live_preview_and_a_button_without_javascript(
    client, author_user, lesson
):
    sign_in_officer(client, author_user)

    page = client.get(reverse("admin:quizzes_lesson_change", args=[lesson.pk])).content.decode()

    url = preview_url("lesson", lesson)
    assert f'hx-post="{url}"' in page
    assert "input delay:500ms" in page
    assert f'formaction="{url}" formtarget="phone-preview"' in page


def test_a_conversation_is_previewed_with_its_unsaved_opening_turn(
    client, author_user, conversation_lesson
):
    question = conversation_lesson.questions.get()
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    sign_in_officer(client, author_user)
    data = form_data(client.get(url))
    turns = next(k[: -len("-0-says_en")] for k in data if k.endswith("-0-says_en"))

    response = client.post(
        preview_url("question", question),
        {
            **data,
            f"{turns}-0-says_en": "Your ID card was used in a case.",
            "_preview_language": "en",
        },
    )

    page = response.content.decode()
    assert "Your ID card was used in a case." in page
    assert "Move your savings" not in page  # the next turn waits for a reply
    assert question.turns.get(key="opening").says_en == "Your account is involved in a case."


def test_a_row_the_open_revision_adds_is_previewed_as_typed(client, author_user, lesson):
    from .factories import LessonFactory, LessonStepFactory

    url = reverse("admin:quizzes_lesson_change", args=[lesson.pk])
    sign_in_officer(client, author_user)
    data = form_data(client.get(url))
    data.update(
        {
            "steps-TOTAL_FORMS": str(int(data["steps-TOTAL_FORMS"]) + 1),
            f"steps-{data['steps-TOTAL_FORMS']}-position": "9",
            f"steps-{data['steps-TOTAL_FORMS']}-text_en": "Then asks for a code.",
            f"steps-{data['steps-TOTAL_FORMS']}-text_zh_hans": "然后索要验证码。",
        }
    )
    client.post(url, data)  # the new step waits in the revision
    data = form_data(client.get(url))  # the form shows it, with the id it had then
    # Meanwhile another row takes that id (PostgreSQL never gives it again at all).
    LessonStepFactory(lesson=LessonFactory(slug="another"), position=1)
    last = int(data["steps-TOTAL_FORMS"]) - 1
    data.update(
        {f"steps-{last}-text_en": "Then asks for the code twice.", "_preview_language": "en"}
    )

    page = client.post(preview_url("lesson", lesson), data).content.decode()

    assert "Then asks for the code twice." in page


def test_a_new_conversation_without_turns_says_what_to_add_instead_of_a_missing_page(
    client, author_user, lesson
):
    """An officer saves a new conversation first, then adds its turns: meanwhile its
    preview says what it needs, as for any unfinished form."""
    question = QuestionFactory(lesson=lesson, kind="conversation", choices=False)
    sign_in_officer(client, author_user)

    page = client.get(reverse("quizzes:preview-question", args=[question.pk]))
    live = client.post(
        preview_url("question", question),
        {**form_data(client.get(reverse("admin:quizzes_question_change", args=[question.pk]))),
         "_preview_language": "en"},
    )  # fmt: skip

    for response in (page, live):
        assert response.status_code == 200
        assert "first turn, with its replies, to see it here." in response.text
