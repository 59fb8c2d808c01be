"""Second review of the code merged on 2 December (live phone preview, workflow e-mails,
Move buttons, a lesson submitted with its questions, alerts' questions, the feedback page
carrying the next question): each test is one way in that must stay shut."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes import caching
from quizzes.models import (
    Action,
    Alert,
    Lesson,
    Notice,
    Question,
    Revision,
    Status,
    Transition,
    WorkflowError,
)

from .conftest import _staff, sign_in_officer
from .factories import AlertFactory, LessonFactory
from .test_authoring import draft_lesson  # noqa: F401 (a fixture)
from .test_my_work import draft_question
from .test_revisions import edit, first_question_page, form_data

pytestmark = pytest.mark.django_db


def preview_url(model, obj=None):
    return reverse(f"admin:quizzes_{model}_live_preview", args=[obj.pk] if obj else [])


def change_url(obj):
    return reverse(f"admin:quizzes_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def analyst(db):
    """An officer who may read content and its figures, but not write any."""
    return _staff("officer-analyst", "Analysts")


# --- The live phone preview --------------------------------------------------------------


def test_an_analyst_has_no_live_preview_to_type_into(client, lesson, author_user, analyst):
    question = lesson.questions.first()
    sign_in_officer(client, author_user)
    data = form_data(client.get(change_url(question)))
    data.update(prompt_en="Typed by someone who may not write", _preview_language="en")
    sign_in_officer(client, analyst)

    page = client.get(change_url(question)).content.decode()
    response = client.post(preview_url("question", question), data)

    assert preview_url("question", question) not in page  # the saved page, framed, instead
    assert response.status_code == 403
    assert "Typed by someone who may not write" not in response.content.decode()


def test_the_preview_takes_no_get_no_foreign_id_and_no_forged_request(client, lesson, author_user):
    question = lesson.questions.first()
    sign_in_officer(client, author_user)
    data = form_data(client.get(change_url(question)))
    forged = sign_in_officer(Client(enforce_csrf_checks=True), author_user)

    assert client.get(preview_url("question", question)).status_code == 405
    assert (
        client.post(
            preview_url("question", question).replace(f"/{question.pk}/", "/99999/"), data
        ).status_code
        == 404
    )
    assert forged.post(preview_url("question", question), data).status_code == 403


def test_a_preview_of_an_item_under_revision_with_tampered_row_counts_is_not_a_500(
    client, lesson, author_user
):
    question = lesson.questions.first()
    sign_in_officer(client, author_user)
    edit(client, "question", question.pk, prompt_en="Would you pay the fee now?")
    assert Revision.objects.exists()  # open: the form continues it
    data = form_data(client.get(change_url(question)))

    for total in ("abc", "-1", "9" * 30):
        data["choices-TOTAL_FORMS"] = total
        assert client.post(change_url(question), data).status_code in (200, 302)
        assert client.post(preview_url("question", question), data).status_code == 200


def test_a_preview_of_an_item_under_revision_stores_and_announces_nothing(
    client, lesson, author_user, reviewer_user, django_capture_on_commit_callbacks, mailoutbox
):
    reviewer_user.email = "reviewer@police.example"
    reviewer_user.save()
    question = lesson.questions.first()
    sign_in_officer(client, author_user)
    edit(client, "question", question.pk, prompt_en="Would you pay the fee now?")
    revision = Revision.objects.get()
    data = form_data(client.get(change_url(question)))
    data.update(prompt_en="Typed, never saved", _preview_language="en")
    mailoutbox.clear()
    before = (Transition.objects.count(), Notice.objects.count(), caching.generation())

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client.post(preview_url("question", question), data).content.decode()

    assert "Typed, never saved" in page
    assert callbacks == [] and mailoutbox == []
    assert (Transition.objects.count(), Notice.objects.count(), caching.generation()) == before
    assert Revision.objects.get().data == revision.data
    assert "Typed, never saved" not in str(Question.objects.get(pk=question.pk).prompt_en)
    citizen_page = first_question_page(lesson)
    assert "Typed, never saved" not in citizen_page


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_analyst_sees_no_move_buttons_and_cannot_move_a_step(
    client,
    analyst,
    draft_lesson,  # noqa: F811
    method,
):
    before = list(draft_lesson.steps.order_by("position").values_list("pk", flat=True))
    sign_in_officer(client, analyst)
    assert 'value="steps-0-down"' not in client.get(change_url(draft_lesson)).content.decode()

    response = getattr(client, method)(change_url(draft_lesson), {"_move": "steps-0-down"})

    # A move is a POST by an officer who may change the lesson: 405 by link, else 403.
    assert response.status_code == {"get": 405, "post": 403}[method]
    assert list(draft_lesson.steps.order_by("position").values_list("pk", flat=True)) == before


# --- Workflow e-mails ----------------------------------------------------------------------


def test_a_line_break_in_a_title_neither_injects_a_header_nor_silences_the_reviewer(
    author_user, reviewer_user, red_flag, django_capture_on_commit_callbacks, mailoutbox
):
    reviewer_user.email = "reviewer@police.example"
    reviewer_user.save()
    lesson = LessonFactory(title_en="Fake customs\r\nBcc: thief@example.com", status=Status.DRAFT)
    question = draft_question(lesson, red_flag, author_user)

    with django_capture_on_commit_callbacks(execute=True):
        question.transition(Action.SUBMIT, author_user)  # named with its lesson's title

    assert [m.to for m in mailoutbox] == [["reviewer@police.example"]]
    for mail in mailoutbox:
        assert "\n" not in mail.subject and "\r" not in mail.subject
        assert mail.bcc == [] and "thief@example.com" not in str(mail.message()["Bcc"] or "")


def test_an_author_who_left_the_workspace_hears_nothing_more(
    author_user, reviewer_user, red_flag, django_capture_on_commit_callbacks, mailoutbox
):
    author_user.email = "author@police.example"
    author_user.save()
    question = draft_question(LessonFactory(title_en="Fake customs"), red_flag, author_user)
    question.transition(Action.SUBMIT, author_user)
    author_user.is_staff = False  # moved to another post: no longer an officer here
    author_user.save()

    with django_capture_on_commit_callbacks(execute=True):
        question.transition(Action.SEND_BACK, reviewer_user, "The second choice gives it away.")

    assert mailoutbox == []


# --- Two officers for everything citizens read ------------------------------------------


def test_a_reviewer_who_edited_a_question_does_not_publish_it_with_its_lesson(
    client,
    author_user,
    reviewer_user,
    draft_lesson,  # noqa: F811
):
    question = draft_lesson.questions.get()
    sign_in_officer(client, author_user)
    page = client.get(change_url(draft_lesson))
    client.post(
        change_url(draft_lesson),
        {**form_data(page), "_workflow": "submit", "_with_questions": [question.pk]},
    )
    assert Question.objects.get(pk=question.pk).status == Status.REVIEW
    sign_in_officer(client, reviewer_user)
    edit(client, "question", question.pk, explanation_en="Customs never asks by text.")

    with pytest.raises(WorkflowError):  # its only question is now partly the reviewer's
        Lesson.objects.get(pk=draft_lesson.pk).transition(Action.APPROVE, reviewer_user)
    assert Question.objects.get(pk=question.pk).status == Status.REVIEW

    second = _staff("second-reviewer", "Reviewers")
    Lesson.objects.get(pk=draft_lesson.pk).transition(Action.APPROVE, second)
    assert Question.objects.get(pk=question.pk).status == Status.PUBLISHED


def test_a_reviewer_who_changed_an_alerts_questions_cannot_approve_it(
    client, lesson, author_user, reviewer_user
):
    first, second = lesson.questions.order_by("position")[:2]
    alert = AlertFactory(status=Status.DRAFT, updated_by=author_user)
    alert.questions.set([first])
    alert.transition(Action.SUBMIT, author_user)
    sign_in_officer(client, reviewer_user)

    when = {
        f"{name}_{i}": value
        for name, moment in (("starts_at", alert.starts_at), ("ends_at", alert.ends_at))
        for i, value in enumerate(timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S").split())
    }
    edit(client, "alert", alert.pk, questions=[str(first.pk), str(second.pk)], **when)
    client.post(reverse("admin:quizzes_alert_workflow", args=[alert.pk, Action.APPROVE]))

    alert = Alert.objects.get(pk=alert.pk)
    assert set(alert.questions.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert alert.status == Status.REVIEW
    with pytest.raises(WorkflowError):
        alert.transition(Action.APPROVE, reviewer_user)
