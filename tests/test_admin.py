"""A police officer authors a whole lesson with a question in the admin."""

import pytest
from django.urls import reverse

from quizzes.models import Choice, Lesson, Question, Status

from .conftest import sign_in_officer
from .factories import QuestionFactory

pytestmark = pytest.mark.django_db


def management(prefix, total):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def lesson_form(red_flag, **extra):
    return {
        "title_en": "Fake lottery calls",
        "title_zh_hans": "假冒彩票中奖电话",
        "slug": "fake-lottery",
        "summary_en": "A caller says you won and asks for a fee.",
        "summary_zh_hans": "来电说你中奖了，却要你先交钱。",
        "position": "50",
        "status": Status.DRAFT,
        "red_flags": [red_flag.pk],
        **management("steps", 1),
        "steps-0-position": "1",
        "steps-0-text_en": "A caller says you won a prize.",
        "steps-0-text_zh_hans": "来电说你中了奖。",
        **management("reminders", 1),
        "reminders-0-slug": "fake-lottery-1",
        "reminders-0-position": "1",
        "reminders-0-authority_en": "Shanghai Public Security Bureau",
        "reminders-0-authority_zh_hans": "上海市公安局",
        "reminders-0-text_en": "Real prizes never cost a fee.",
        "reminders-0-text_zh_hans": "真正的奖品不需要先交钱。",
        **management("cases", 0),
        **extra,
    }


def question_form(lesson, choices, status=Status.DRAFT):
    data = {
        "lesson": lesson.pk,
        "slug": "prize-call",
        "position": "10",
        "channel": "call",
        "is_scam": "on",
        "sender_number": "+86 171 0000 2222",
        "body_en": "Caller: You won a car. Pay the tax first.",
        "body_zh_hans": "来电者：你中了一辆车，先交税。",
        "prompt_en": "What do you do?",
        "prompt_zh_hans": "你会怎么做？",
        "explanation_en": "Prizes that cost money are scams.",
        "explanation_zh_hans": "要先交钱的奖都是骗局。",
        "status": status,
        **management("choices", len(choices)),
    }
    for i, (text, correct) in enumerate(choices):
        data.update(
            {
                f"choices-{i}-position": str(i + 1),
                f"choices-{i}-text_en": text,
                f"choices-{i}-text_zh_hans": f"选项{i}",
                f"choices-{i}-feedback_en": "Because.",
                f"choices-{i}-feedback_zh_hans": "因为。",
            }
        )
        if correct:
            data[f"choices-{i}-is_correct"] = "on"
    return data


def test_an_officer_authors_a_lesson_and_its_question(client, superuser, red_flag):
    sign_in_officer(client, superuser)

    response = client.post(reverse("admin:quizzes_lesson_add"), lesson_form(red_flag))

    assert response.status_code == 302, response.context["errors"]
    lesson = Lesson.objects.get(slug="fake-lottery")
    assert lesson.updated_by == superuser
    assert lesson.steps.get().text_zh_hans == "来电说你中了奖。"
    assert lesson.reminders.get().updated_by == superuser

    response = client.post(
        reverse("admin:quizzes_question_add"),
        question_form(lesson, [("Pay the tax", False), ("Hang up and call 110", True)]),
    )

    assert response.status_code == 302, response.context["errors"]
    question = Question.objects.get(slug="prize-call")
    assert question.updated_by == superuser
    assert list(question.choices.values_list("is_correct", flat=True)) == [False, True]


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        ([("Only one", True)], "A question needs at least two choices."),
        ([("A", False), ("B", False)], "A question needs exactly one correct choice."),
    ],
)
def test_a_draft_may_be_unfinished_but_cannot_go_to_review(
    client, superuser, lesson, choices, message
):
    sign_in_officer(client, superuser)
    client.post(reverse("admin:quizzes_question_add"), question_form(lesson, choices))
    question = Question.objects.get(slug="prize-call")
    question.red_flags.set(lesson.red_flags.all())

    response = client.post(
        reverse("admin:quizzes_question_workflow", args=[question.pk, "submit"]), follow=True
    )

    assert message in response.content.decode()
    question.refresh_from_db()
    assert question.status == Status.DRAFT


def test_two_correct_choices_are_refused_even_in_a_draft(client, superuser, lesson):
    sign_in_officer(client, superuser)

    response = client.post(
        reverse("admin:quizzes_question_add"), question_form(lesson, [("A", True), ("B", True)])
    )

    assert response.status_code == 200
    assert "Only one choice can be marked correct." in response.content.decode()
    assert not Question.objects.filter(slug="prize-call").exists()


def test_new_items_start_as_drafts_whatever_the_form_says(client, superuser, red_flag):
    sign_in_officer(client, superuser)

    client.post(reverse("admin:quizzes_lesson_add"), lesson_form(red_flag, status="published"))

    assert Lesson.objects.get(slug="fake-lottery").status == Status.DRAFT


def test_the_database_refuses_a_second_correct_choice(lesson):
    from django.db import IntegrityError

    question = QuestionFactory(lesson=lesson, slug="extra", position=10)

    with pytest.raises(IntegrityError):
        Choice.objects.create(question=question, position=3, is_correct=True, text="x")


def test_a_duplicate_position_is_a_friendly_error(client, superuser, red_flag, lesson):
    sign_in_officer(client, superuser)

    response = client.post(
        reverse("admin:quizzes_lesson_add"),
        lesson_form(red_flag, position=str(lesson.position)),
    )

    assert response.status_code == 200
    assert "Lesson with this Position on the home page already exists." in (
        response.content.decode()
    )


def test_citizens_cannot_open_the_admin(citizen):
    response = citizen.get(reverse("admin:quizzes_lesson_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
