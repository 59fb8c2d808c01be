"""E-mails from the workflow: reviewers hear what waits for them, authors hear when their
work is sent back (with the comment) or published; in each officer's language, after the
change commits, never breaking the workflow, and each officer can turn them off."""

import contextlib
import logging
import smtplib

import pytest
from django.db import transaction
from django.urls import reverse

from quizzes import notifications
from quizzes.models import Action, OfficerSettings, Revision, Status

from .conftest import _staff, sign_in_officer
from .factories import LessonFactory, LessonStepFactory, ReminderFactory
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


@pytest.fixture
def lesson_with_questions(officers, red_flag):
    """A complete draft lesson with three complete draft questions, all by the author; a
    co-author who works in Chinese also edited the lesson and its first question."""
    author, _reviewer = officers
    co_author = _staff("officer-co-author", "Authors")
    co_author.email = "co-author@police.example"
    co_author.save()
    OfficerSettings.objects.create(user=co_author, language="zh-hans")
    lesson = LessonFactory(
        title_en="Fake customs",
        title_zh_hans="假冒海关",
        status=Status.DRAFT,
        updated_by=author,
        red_flags=[red_flag],
    )
    LessonStepFactory(lesson=lesson)
    ReminderFactory(lesson=lesson)
    bodies = [
        ("Pay the customs fee by gift card.", "用购物卡缴纳关税。"),
        ("Your parcel holds contraband.", "您的包裹里有违禁品。"),
        ("Confirm your ID number to release it.", "核对身份证号才能放行。"),
    ]
    for n, (en, zh) in enumerate(bodies, 1):
        question = draft_question(lesson, red_flag, author, slug=f"customs-{n}")
        question.body_en, question.body_zh_hans = en, zh
        question.save()
    lesson.note_edit(co_author)
    lesson.questions.get(slug="customs-1").note_edit(co_author)
    return lesson, co_author


def test_submitting_a_lesson_with_its_questions_is_one_email_per_reviewer(
    officers, lesson_with_questions, django_capture_on_commit_callbacks, mailoutbox
):
    author, _reviewer = officers
    lesson, _co_author = lesson_with_questions
    questions = list(lesson.questions.order_by("position"))

    with django_capture_on_commit_callbacks(execute=True):
        submitted = lesson.submit_with_questions(author, [q.pk for q in questions])

    assert submitted == questions
    # The reviewer works in Chinese; the quiet reviewer turned the e-mails off.
    assert [m.to for m in mailoutbox] == [["reviewer@police.example"]]
    mail = mailoutbox[0]
    assert mail.subject == "等待您审核：课程“假冒海关”及其他3项"
    assert "officer-author 提交了4项内容，等待审核。" in mail.body
    for url in [
        reverse("admin:quizzes_lesson_change", args=[lesson.pk]),
        *(reverse("admin:quizzes_question_change", args=[q.pk]) for q in questions),
    ]:
        assert mail.body.count(url) == 1
    for text in ["用购物卡缴纳关税。", "您的包裹里有违禁品。", "核对身份证号才能放行。"]:
        assert text in mail.body
    assert "customs fee" not in mail.body


def test_approving_a_lesson_with_its_questions_is_one_email_per_author_listing_their_items(
    officers, lesson_with_questions, django_capture_on_commit_callbacks, mailoutbox
):
    author, reviewer = officers
    lesson, _co_author = lesson_with_questions
    questions = list(lesson.questions.order_by("position"))
    lesson.submit_with_questions(author, [q.pk for q in questions])

    with django_capture_on_commit_callbacks(execute=True):
        published = lesson.transition(Action.APPROVE, reviewer)

    assert published == questions
    mail = {m.to[0]: m for m in mailoutbox}
    assert sorted(mail) == ["author@police.example", "co-author@police.example"]
    assert len(mailoutbox) == 2
    # The author wrote all four and reads English.
    english = mail["author@police.example"]
    assert english.subject == "Published: lesson “Fake customs” and 3 more"
    assert "officer-reviewer approved 4 items. Citizens can read them now:" in english.body
    for text in ["customs fee", "contraband", "ID number"]:
        assert text in english.body
    # The co-author edited the lesson and its first question, and reads Chinese.
    chinese = mail["co-author@police.example"]
    assert chinese.subject == "已发布：课程“假冒海关”及其他1项"
    assert "officer-reviewer 批准了2项内容，市民现在可以看到：" in chinese.body
    assert reverse("admin:quizzes_lesson_change", args=[lesson.pk]) in chinese.body
    assert "用购物卡缴纳关税。" in chinese.body
    assert "您的包裹里有违禁品。" not in chinese.body
    assert reverse("admin:quizzes_question_change", args=[questions[1].pk]) not in chinese.body


def test_approving_a_lesson_with_its_questions_sends_nothing_to_authors_who_turned_emails_off(
    officers, lesson_with_questions, django_capture_on_commit_callbacks, mailoutbox
):
    author, reviewer = officers
    lesson, co_author = lesson_with_questions
    lesson.submit_with_questions(author, list(lesson.questions.values_list("pk", flat=True)))
    OfficerSettings.objects.create(user=author, email_notifications=False)
    OfficerSettings.objects.filter(user=co_author).update(email_notifications=False)

    with django_capture_on_commit_callbacks(execute=True):
        lesson.transition(Action.APPROVE, reviewer)

    assert lesson.questions.filter(status=Status.PUBLISHED).count() == 3
    assert mailoutbox == []


def test_a_step_rolled_back_inside_a_digest_is_left_out_of_it(
    officers, lesson_with_questions, django_capture_on_commit_callbacks, mailoutbox
):
    author, _reviewer = officers
    lesson, _co_author = lesson_with_questions
    first, second, _third = lesson.questions.order_by("position")

    with django_capture_on_commit_callbacks(execute=True), notifications.digest():
        lesson.transition(Action.SUBMIT, author)
        with contextlib.suppress(RuntimeError), transaction.atomic():
            first.transition(Action.SUBMIT, author)
            raise RuntimeError("undone")
        second.transition(Action.SUBMIT, author)

    first.refresh_from_db()
    assert first.status == Status.DRAFT
    [mail] = mailoutbox
    assert mail.subject == "等待您审核：课程“假冒海关”及其他1项"
    assert "用购物卡缴纳关税。" not in mail.body
    assert "您的包裹里有违禁品。" in mail.body
