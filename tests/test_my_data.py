"""Learners can take their data with them and delete it."""

import json

import pytest
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse

from quizzes.models import Answer, Learner, QuizRun

from .conftest import PASSWORD
from .factories import UserFactory

pytestmark = pytest.mark.django_db


def answer_first_question(client, lesson):
    client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    run = QuizRun.objects.latest("started_at")
    rq = run.run_questions.first()
    client.post(
        reverse("quizzes:run-question", args=[run.public_id, 1]),
        {"choice": rq.question.choices.get(is_correct=True).pk},
    )
    return run


def test_download_holds_my_runs_and_answers_only(
    client, citizen, citizen_user, lesson, client_factory
):
    answer_first_question(citizen, lesson)
    stranger = client_factory()
    answer_first_question(stranger, lesson)

    response = citizen.get(reverse("quizzes:my-data"))

    data = json.loads(response.content)
    assert "attachment" in response["Content-Disposition"]
    assert data["account"]["username"] == "meiling"
    assert len(data["runs"]) == 1
    assert data["runs"][0]["answers"] == [
        {
            "lesson": "fake-courier",
            "question": "q1",
            "message": "Scenario number 1: add our claims account.",
            "prompt": "What do you do?",
            "answer": "Call the courier",
            "correct": True,
            "answered_at": Answer.objects.get(learner__user=citizen_user).answered_at.isoformat(),
        }
    ]


def test_deleting_an_account_removes_every_answer(citizen, citizen_user, lesson):
    answer_first_question(citizen, lesson)

    response = citizen.post(reverse("quizzes:delete-my-data"), {"password": PASSWORD})

    assert response["Location"] == reverse("quizzes:home")
    assert not get_user_model().objects.filter(username="meiling").exists()
    assert not Learner.objects.exists() and not Answer.objects.exists()
    assert not QuizRun.objects.exists()


def test_deleting_needs_the_password(citizen, lesson):
    answer_first_question(citizen, lesson)

    response = citizen.post(reverse("quizzes:delete-my-data"), {"password": "wrong"})

    assert response.status_code == 200
    assert "That is not your password." in response.content.decode()
    assert Answer.objects.count() == 1


def test_a_visitor_can_delete_their_anonymous_progress(visitor, lesson, client_factory):
    answer_first_question(visitor, lesson)
    other = client_factory()
    answer_first_question(other, lesson)

    visitor.post(reverse("quizzes:delete-my-data"))

    assert Learner.objects.count() == 1 and Answer.objects.count() == 1


def test_police_accounts_need_longer_passwords():
    officer = UserFactory.build(username="officer", is_staff=True)
    citizen = UserFactory.build(username="grandma")

    with pytest.raises(ValidationError, match="at least 14 characters"):
        password_validation.validate_password("Short-but-ok1", officer)
    password_validation.validate_password("Short-but-ok1", citizen)
