"""E-mails from the workflow: reviewers hear what waits for them, authors hear when their
work is sent back (with the comment) or published; in each officer's language, after the
change commits, never breaking the workflow, and each officer can turn them off."""

import logging
import smtplib

import pytest
from django.urls import reverse

from quizzes import notifications
from quizzes.models import Action, OfficerSettings, Revision, Status

from .conftest import _staff, sign_in_officer
from .factories import LessonFactory
from .test_my_work import draft_question
from .test_revisions import edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def officers(author_user, reviewer_user):
    """An author, a reviewer who works in Chinese, and a second reviewer who turned the
    e-mails off; all with an address."""
    author_user.email = "author@police.example"
    author_user.save()
    reviewer_user.email = "reviewer@police.example"
    reviewer_user.save()
    OfficerSettings.objects.create(user=reviewer_user, language="zh-hans")
    quiet = _staff("quiet-reviewer", "Reviewers")
    quiet.email = "quiet@police.example"
    quiet.save()
    OfficerSettings.objects.create(user=quiet, email_notifications=False)
    return author_user, reviewer_user


@pytest.fixture
def draft(red_flag, author_user):
    question = draft_question(LessonFactory(title_en="Fake customs"), red_flag, author_user)
    question.body_en = "Pay the customs fee by gift card."
    question.save()
    return question


def test_reviewers_but_not_the_author_hear_of_a_submission_in_their_language(
    officers, draft, django_capture_on_commit_callbacks, mailoutbox
):
    author, _reviewer = officers

    with django_capture_on_commit_callbacks(execute=True):
        draft.transition(Action.SUBMIT, author)

    assert [m.to for m in mailoutbox] == [["reviewer@police.example"]]
    mail = mailoutbox[0]
    assert mail.subject.startswith("等待您审核：")
    assert "officer-author" in mail.body
    assert f"/questions/{draft.pk}/" in mail.body or f"/question/{draft.pk}/" in mail.body
    assert "Waiting" not in mail.subject + mail.body
    assert mail.alternatives == []  # plain text only


def test_nothing_is_sent_before_the_change_commits(officers, draft, mailoutbox):
    # Inside the test's transaction, which never commits: the step is not announced.
    draft.transition(Action.SUBMIT, officers[0])

    assert mailoutbox == []


def test_the_author_hears_the_comment_when_their_work_is_sent_back(
    officers, draft, django_capture_on_commit_callbacks, mailoutbox
):
    author, reviewer = officers
    draft.transition(Action.SUBMIT, author)

    with django_capture_on_commit_callbacks(execute=True):
        draft.transition(Action.SEND_BACK, reviewer, "Say which customs office.")

    assert [m.to for m in mailoutbox] == [["author@police.example"]]
    assert mailoutbox[0].subject.startswith("Sent back to you: question")
    assert "Say which customs office." in mailoutbox[0].body
    assert "officer-reviewer" in mailoutbox[0].body


def test_the_author_hears_when_their_work_is_published(
    officers, draft, django_capture_on_commit_callbacks, mailoutbox
):
    author, reviewer = officers
    draft.transition(Action.SUBMIT, author)

    with django_capture_on_commit_callbacks(execute=True):
        draft.transition(Action.APPROVE, reviewer)

    assert draft.status == Status.PUBLISHED
    assert [m.to for m in mailoutbox] == [["author@police.example"]]
    assert mailoutbox[0].subject.startswith("Published: question")
    assert "Citizens can read it now." in mailoutbox[0].body


def test_a_mail_server_failure_never_breaks_the_workflow(
    officers, draft, django_capture_on_commit_callbacks, mailoutbox, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server down")

    monkeypatch.setattr(notifications, "send_mail", refuse)

    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        draft.transition(Action.SUBMIT, officers[0])

    draft.refresh_from_db()
    assert draft.status == Status.REVIEW
    assert "Could not e-mail" in caplog.text


def test_an_officer_turns_the_emails_off_in_their_settings(
    client, officers, draft, django_capture_on_commit_callbacks, mailoutbox
):
    author, reviewer = officers
    sign_in_officer(client, reviewer)
    page = client.get(reverse("admin:quizzes_officer_settings")).content.decode()
    assert "reviewer@police.example" in page

    response = client.post(reverse("admin:quizzes_officer_settings"), {"language": "en"})

    assert response.status_code == 302
    assert OfficerSettings.of(reviewer).email_notifications is False
    assert client.session["workspace_language"] == "en"
    with django_capture_on_commit_callbacks(execute=True):
        draft.transition(Action.SUBMIT, author)
    assert mailoutbox == []


def test_a_revision_is_announced_to_reviewers_and_its_approval_to_its_authors(
    client,
    lesson,
    officers,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    author, reviewer = officers
    sign_in_officer(client, author)
    with django_capture_on_commit_callbacks(execute=True):
        edit(client, "lesson", lesson.pk, title_en="Fake SF Express claims")
    assert [m.to for m in mailoutbox] == [["reviewer@police.example"]]
    assert "Fake SF Express claims" not in mailoutbox[0].subject  # the live title, not the draft
    revision = Revision.objects.get()
    mailoutbox.clear()

    sign_in_officer(client, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:quizzes_revision_decide", args=[revision.pk, "approve"]))

    assert [m.to for m in mailoutbox] == [["author@police.example"]]
    assert mailoutbox[0].subject.startswith("Published: revision of lesson")
    assert reverse("admin:quizzes_revision_change", args=[revision.pk]) in mailoutbox[0].body
