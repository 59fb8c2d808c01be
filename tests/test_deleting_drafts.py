"""An author who started a lesson or a question by mistake can throw it away, as long as
it is theirs alone and no citizen ever read it; everything else still needs a reviewer,
and whatever citizens read is never deleted from a form."""

import pytest
from django.urls import reverse

from quizzes.models import Action, Lesson, Question, Status

from .conftest import sign_in_officer
from .factories import QuestionFactory, UserFactory
from .test_revisions import bare_draft

pytestmark = pytest.mark.django_db


def written_by(item, *officers):
    item.updated_by = officers[-1]
    item.save(update_fields=["updated_by"])
    for officer in officers:
        item.note_edit(officer)
    return item


def delete(client, model, item):
    return client.post(reverse(f"admin:quizzes_{model}_delete", args=[item.pk]), {"post": "yes"})


def test_an_author_deletes_a_draft_lesson_only_they_wrote(client, author_user):
    lesson = written_by(bare_draft(), author_user)
    sign_in_officer(client, author_user)

    page = client.get(reverse("admin:quizzes_lesson_change", args=[lesson.pk]))
    response = delete(client, "lesson", lesson)

    assert reverse("admin:quizzes_lesson_delete", args=[lesson.pk]) in page.content.decode()
    assert response.status_code == 302
    assert not Lesson.objects.filter(pk=lesson.pk).exists()


def test_an_author_deletes_their_draft_question(client, author_user, lesson):
    question = written_by(QuestionFactory(lesson=lesson, status=Status.DRAFT), author_user)
    sign_in_officer(client, author_user)

    response = delete(client, "question", question)

    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()
    assert lesson.questions.count() == 3  # the published ones stay


def test_a_draft_another_officer_worked_on_waits_for_a_reviewer(client, author_user):
    colleague = UserFactory(username="colleague", is_staff=True)
    lesson = written_by(bare_draft(), colleague, author_user)
    sign_in_officer(client, author_user)

    response = delete(client, "lesson", lesson)

    assert response.status_code == 403
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_a_draft_that_was_once_published_waits_for_a_reviewer(client, author_user, reviewer_user):
    lesson = written_by(bare_draft(), author_user)
    lesson.transitions.create(
        action=Action.APPROVE, from_status=Status.REVIEW, to_status=Status.PUBLISHED,
        user=reviewer_user,
    )  # fmt: skip
    sign_in_officer(client, author_user)

    response = delete(client, "lesson", lesson)

    assert response.status_code == 403
    assert Lesson.objects.filter(pk=lesson.pk).exists()


@pytest.mark.parametrize("status", [Status.REVIEW, Status.PUBLISHED, Status.ARCHIVED])
def test_an_author_cannot_delete_what_left_the_draft_stage(client, author_user, status):
    lesson = written_by(bare_draft(), author_user)
    Lesson.objects.filter(pk=lesson.pk).update(status=status)
    sign_in_officer(client, author_user)

    response = delete(client, "lesson", lesson)

    assert response.status_code == 403
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_a_draft_lesson_holding_another_authors_question_is_not_deleted(client, author_user):
    lesson = written_by(bare_draft(), author_user)
    colleague = UserFactory(username="colleague", is_staff=True)
    written_by(QuestionFactory(lesson=lesson, status=Status.DRAFT), colleague)
    sign_in_officer(client, author_user)

    response = delete(client, "lesson", lesson)

    assert response.status_code == 403
    assert Lesson.objects.filter(pk=lesson.pk).exists()


def test_an_analyst_deletes_nothing(client, lesson):
    from .conftest import _staff

    analyst = _staff("officer-analyst", "Analysts")
    draft = written_by(bare_draft(), analyst)
    sign_in_officer(client, analyst)

    assert delete(client, "lesson", draft).status_code == 403


@pytest.mark.parametrize("model", ["campaign", "alert"])
def test_an_author_deletes_their_own_draft_campaign_or_alert(client, author_user, model):
    from .factories import AlertFactory, CampaignFactory

    factory = {"campaign": CampaignFactory, "alert": AlertFactory}[model]
    item = written_by(factory(status=Status.DRAFT), author_user)
    sign_in_officer(client, author_user)

    response = delete(client, model, item)

    assert response.status_code == 302
    assert not type(item).objects.filter(pk=item.pk).exists()
