"""Authoring made for people: what is filled in automatically sits under a closed
"Advanced" section, steps and choices move with buttons instead of typed numbers (without
JavaScript), and a lesson goes to review together with its author's new questions."""

import re

import pytest
from django.urls import reverse

from quizzes.models import Action, Lesson, Question, Revision, Status

from .conftest import sign_in_officer
from .factories import AnswerFactory, LessonFactory, LessonStepFactory, ReminderFactory
from .test_my_work import draft_question
from .test_revisions import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_lesson(author_user, red_flag):
    """The author's complete draft lesson with three steps and one complete draft question."""
    lesson = LessonFactory(
        slug="fake-customs",
        title_en="Fake customs fees",
        status=Status.DRAFT,
        red_flags=[red_flag],
        updated_by=author_user,
    )
    for n, text in enumerate(["A parcel is held.", "A fee is asked.", "A link is sent."], 1):
        LessonStepFactory(lesson=lesson, position=n, text_en=text)
    ReminderFactory(lesson=lesson, slug="fake-customs-1")
    draft_question(lesson, red_flag, author_user)
    return lesson


def change_url(obj):
    return reverse(f"admin:quizzes_{obj._meta.model_name}_change", args=[obj.pk])


def steps(lesson):
    return list(lesson.steps.order_by("position").values_list("text_en", flat=True))


def test_slugs_and_positions_wait_under_a_closed_advanced_section(
    client, author_user, draft_lesson
):
    sign_in_officer(client, author_user)

    for url in (change_url(draft_lesson), change_url(draft_lesson.questions.get())):
        page = client.get(url).content.decode()

        advanced = page[page.index("<details><summary>") :]
        advanced = advanced[: advanced.index("</details>")]
        assert "Advanced" in advanced
        assert 'name="slug"' in advanced and 'name="position"' in advanced
        assert 'name="slug"' not in page.replace(advanced, "")


def test_an_officer_moves_a_step_down_without_typing_numbers(client, author_user, draft_lesson):
    sign_in_officer(client, author_user)
    page = client.get(change_url(draft_lesson))
    html = page.content.decode()
    assert re.search(r'<input type="hidden" name="steps-0-position" value="1"', html)
    assert 'value="steps-0-up"' not in html  # the first step cannot go up
    data = form_data(page)
    data["steps-2-text_en"] = "A link is sent by text."  # typed before pressing the button

    response = client.post(change_url(draft_lesson), {**data, "_move": "steps-0-down"})

    assert response.status_code == 302
    assert response.url == change_url(draft_lesson) + "#steps-1"  # back at the row it moved
    assert steps(draft_lesson) == [
        "A fee is asked.",
        "A parcel is held.",
        "A link is sent by text.",
    ]


def test_choices_move_up_too(client, author_user, draft_lesson):
    question = draft_lesson.questions.get()
    before = list(question.choices.order_by("position").values_list("text_en", flat=True))
    sign_in_officer(client, author_user)

    client.post(
        change_url(question),
        {**form_data(client.get(change_url(question))), "_move": "choices-2-up"},
    )

    after = list(question.choices.order_by("position").values_list("text_en", flat=True))
    assert after == [before[0], before[2], before[1]]


def test_answered_choices_keep_their_places(client, author_user, lesson):
    """A revision matches choices by position: moving one would put another text under
    what learners chose."""
    question = lesson.questions.first()
    AnswerFactory(question=question)
    before = list(question.choices.order_by("position").values_list("pk", "text_en"))
    sign_in_officer(client, author_user)
    page = client.get(change_url(question))
    assert 'name="_move"' not in page.content.decode()

    client.post(change_url(question), {**form_data(page), "_move": "choices-0-down"})

    assert list(question.choices.order_by("position").values_list("pk", "text_en")) == before
    assert not Revision.objects.exists()


def test_moving_a_step_of_a_published_lesson_is_a_revision(client, author_user, lesson):
    LessonStepFactory(lesson=lesson, position=1, text_en="First.")
    LessonStepFactory(lesson=lesson, position=2, text_en="Second.")
    sign_in_officer(client, author_user)

    client.post(
        change_url(lesson), {**form_data(client.get(change_url(lesson))), "_move": "steps-1-up"}
    )

    assert steps(lesson) == ["First.", "Second."]  # citizens see no change yet
    revision = Revision.objects.get()
    assert [s["text"]["en"] for s in revision.data["steps"]] == ["Second.", "First."]


def test_a_move_of_no_row_of_the_item_is_refused_and_saves_nothing(
    client, author_user, draft_lesson
):
    sign_in_officer(client, author_user)
    data = form_data(client.get(change_url(draft_lesson)))
    data["steps-0-text_en"] = "Typed, then a forged button."

    for value in ("steps-9-up", "steps-x-down", "steps-\u00b2-up", "nothing", "choices-0-up"):
        response = client.post(change_url(draft_lesson), {**data, "_move": value})
        assert response.status_code == 400
    for fields in ({"steps-TOTAL_FORMS": "\u00b2"}, {"steps-0-id": "\u00b2"}):
        response = client.post(
            change_url(draft_lesson), {**data, **fields, "_move": "steps-0-down"}
        )
        assert response.status_code == 400
    # A forged count of saved rows is the formset's to refuse, on the form itself.
    response = client.post(
        change_url(draft_lesson),
        {**data, "steps-INITIAL_FORMS": "\u00b2", "_move": "steps-0-down"},
    )
    assert response.status_code == 200
    assert "ManagementForm data is missing or has been tampered with" in response.text

    assert steps(draft_lesson) == ["A parcel is held.", "A fee is asked.", "A link is sent."]


def test_the_last_step_moving_down_stays_where_it_is(client, author_user, draft_lesson):
    sign_in_officer(client, author_user)
    data = form_data(client.get(change_url(draft_lesson)))

    response = client.post(change_url(draft_lesson), {**data, "_move": "steps-2-down"})

    assert response.status_code == 302
    assert steps(draft_lesson) == ["A parcel is held.", "A fee is asked.", "A link is sent."]


def test_a_lesson_goes_to_review_with_its_new_questions_and_is_approved_with_them(
    client, author_user, reviewer_user, draft_lesson, red_flag
):
    others = draft_question(draft_lesson, red_flag, reviewer_user, slug="not-mine")
    mine = draft_lesson.questions.get(slug="ready")
    sign_in_officer(client, author_user)
    page = client.get(change_url(draft_lesson))
    html = page.content.decode()
    assert f'name="_with_questions" value="{mine.pk}"' in html
    assert f'name="_with_questions" value="{others.pk}"' not in html

    client.post(
        change_url(draft_lesson),
        {**form_data(page), "_workflow": "submit", "_with_questions": [mine.pk, others.pk]},
    )

    statuses = dict(Question.objects.values_list("slug", "status"))
    assert statuses == {"ready": Status.REVIEW, "not-mine": Status.DRAFT}
    assert Lesson.objects.get(pk=draft_lesson.pk).status == Status.REVIEW

    sign_in_officer(client, reviewer_user)
    client.post(reverse("admin:quizzes_lesson_workflow", args=[draft_lesson.pk, Action.APPROVE]))

    assert Lesson.objects.get(pk=draft_lesson.pk).status == Status.PUBLISHED
    assert Question.objects.get(pk=mine.pk).status == Status.PUBLISHED
