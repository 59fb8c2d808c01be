"""Second review of the two-person rule, roles and ids, as an attacker or a careless
officer would try them: each test is one way in that must stay shut."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from quizzes.curriculum.bundle import BundleError, export_bundle, import_bundle, read_bundle
from quizzes.models import (
    Action,
    Lesson,
    Question,
    RedFlag,
    Reminder,
    Revision,
    Status,
    WorkflowError,
)

from .conftest import sign_in_officer
from .factories import (
    LessonFactory,
    LessonStepFactory,
    RedFlagFactory,
    ReminderFactory,
    UserFactory,
)
from .test_revisions import edit, first_question_page, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_reminder(lesson, red_flag):
    """A reminder belonging to a lesson still in draft, which a published question of
    another lesson shows with its feedback."""
    draft = LessonFactory(slug="draft-lesson", status=Status.DRAFT, red_flags=[red_flag])
    LessonStepFactory(lesson=draft)
    reminder = ReminderFactory(lesson=draft, slug="draft-lesson-1", text_en="Call 110 first.")
    lesson.questions.update(reminder=reminder)
    return reminder


@pytest.mark.parametrize("action", ["edited", "imported", "nonsense"])
def test_a_workflow_url_for_a_step_that_is_not_a_button_is_refused(
    client, lesson, reviewer_user, action
):
    sign_in_officer(client, reviewer_user)

    response = client.post(
        reverse("admin:quizzes_lesson_workflow", args=[lesson.pk, action]), follow=True
    )

    assert response.status_code == 200
    assert "Unknown workflow action." in response.content.decode()
    assert not lesson.transitions.exists()


def test_a_reminder_citizens_read_elsewhere_changes_only_by_revision(
    client, lesson, shared_reminder, author_user
):
    draft = shared_reminder.lesson
    sign_in_officer(client, author_user)

    edit(client, "lesson", draft.pk, **{"reminders-0-text_en": "Send the money first."})

    assert Reminder.objects.get(pk=shared_reminder.pk).text_en == "Call 110 first."
    assert Revision.objects.filter(key=draft.slug).exists()


@pytest.mark.parametrize("officer", ["reviewer_user", "superuser"])
def test_a_draft_lesson_whose_reminder_citizens_read_cannot_be_deleted(
    client, lesson, shared_reminder, officer, request
):
    draft = shared_reminder.lesson
    sign_in_officer(client, request.getfixturevalue(officer))

    response = client.post(
        reverse("admin:quizzes_lesson_delete", args=[draft.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Lesson.objects.filter(pk=draft.pk).exists()
    assert lesson.questions.filter(reminder=shared_reminder).count() == 3


@pytest.mark.parametrize("status", [None, Status.DRAFT])
def test_an_import_cannot_take_a_reminder_from_a_published_lesson(
    lesson, red_flag, reviewer_user, status
):
    """A bundle's lesson (new, or a draft written at once) naming another lesson's
    reminder would move it and rewrite its text with no second officer."""
    if status:
        LessonFactory(slug="copycat", status=status, red_flags=[red_flag])
    bundle = export_bundle(Lesson.objects.filter(pk=lesson.pk))
    copy = bundle["lessons"][0]
    copy.update(slug="copycat", position=99)
    copy["reminders"][0]["text"] = {"en": "Pay the fee first.", "zh_hans": "先付费。"}

    try:
        import_bundle(read_bundle(json.dumps(bundle)), reviewer_user)
    except BundleError as error:
        assert "fake-courier-1 belongs to another lesson" in str(error.problems)

    reminder = Reminder.objects.get(slug="fake-courier-1")
    assert (reminder.lesson, reminder.text_en) == (lesson, "Hang up and call 110.")


def test_a_valid_until_date_in_the_past_takes_nothing_off_the_site_unreviewed(
    client, lesson, author_user
):
    sign_in_officer(client, author_user)

    edit(client, "lesson", lesson.pk, valid_until="2020-01-01")

    assert Revision.objects.get().data["valid_until"] == "2020-01-01"
    assert Client().get(lesson.get_absolute_url()).status_code == 200


def test_foreign_ids_in_workflow_and_decision_urls_are_404(client, lesson, reviewer_user):
    sign_in_officer(client, reviewer_user)

    urls = [
        reverse("admin:quizzes_lesson_workflow", args=[999999, "approve"]),
        reverse("admin:quizzes_question_workflow", args=[999999, "approve"]),
        reverse("admin:quizzes_revision_decide", args=[999999, "approve"]),
    ]

    assert [client.post(url).status_code for url in urls] == [404, 404, 404]


def test_script_an_author_types_stays_text_for_citizens_and_the_reviewer(
    client, lesson, author_user, reviewer_user
):
    attack = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    question = lesson.questions.get(position=1)
    sign_in_officer(client, author_user)
    edit(client, "question", question.pk, body_en=f"Officer: {attack}\njavascript:alert(3)")
    revision = Revision.objects.get()
    sign_in_officer(client, reviewer_user)

    review = client.get(revision.get_absolute_url()).content.decode()
    client.post(reverse("admin:quizzes_revision_decide", args=[revision.pk, "approve"]))
    page = first_question_page(lesson)

    for html in (review, page):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_nobody_approves_the_revision_that_first_shows_citizens_their_own_red_flag(
    client, lesson, red_flag, author_user, reviewer_user, superuser
):
    """A new red flag is written at once (no page shows it); the revision linking it
    to a published lesson is what shows its text, so its writer may not approve that."""
    sign_in_officer(client, reviewer_user)
    add = reverse("admin:quizzes_redflag_add")
    data = form_data(client.get(add))
    data.update(
        slug="pay-to-unfreeze",
        title_en="Asks a fee to unfreeze",
        title_zh_hans="要求交解冻费",
        description_en="Paying the fee is safe.",
        description_zh_hans="交费是安全的。",
    )
    client.post(add, data)
    flag = RedFlag.objects.get(slug="pay-to-unfreeze")
    sign_in_officer(client, author_user)
    edit(client, "lesson", lesson.pk, red_flags=[str(red_flag.pk), str(flag.pk)])
    revision = Revision.objects.get()
    sign_in_officer(client, reviewer_user)

    review = client.get(revision.get_absolute_url()).content.decode()
    refused = client.post(
        reverse("admin:quizzes_revision_decide", args=[revision.pk, "approve"]), follow=True
    )

    assert "You wrote part of this revision" in review
    assert "Paying the fee is safe." in review and "交费是安全的。" in review
    assert "Another reviewer must approve it" in refused.content.decode()
    assert not lesson.red_flags.filter(pk=flag.pk).exists()
    revision.approve(superuser)
    assert lesson.red_flags.filter(pk=flag.pk).exists()


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("Authors", "admin:quizzes_statistics"),
        ("Authors", "admin:quizzes_import"),
        ("Authors", "admin:quizzes_import_changelist"),
        ("Analysts", "admin:quizzes_revision_changelist"),
        ("Analysts", "admin:quizzes_import"),
        ("Analysts", "admin:quizzes_import_changelist"),
    ],
)
def test_each_role_is_kept_out_of_what_it_may_not_see(client, role, page):
    user = UserFactory(username=f"officer-{role.lower()}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    sign_in_officer(client, user)

    assert client.get(reverse(page)).status_code == 403


def test_an_author_or_analyst_cannot_decide_a_revision(client, lesson, author_user):
    sign_in_officer(client, author_user)
    edit(client, "lesson", lesson.pk, title_en="Changed by the author")
    revision = Revision.objects.get()
    analyst = UserFactory(username="officer-analyst", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Analysts"))

    for user in (author_user, analyst):
        sign_in_officer(client, user)
        for action in ("approve", "send_back"):
            url = reverse("admin:quizzes_revision_decide", args=[revision.pk, action])
            client.post(url, {"comment": "fine"})

    revision.refresh_from_db()
    assert (revision.status, revision.reviewer) == ("pending", None)
    assert Lesson.objects.get(pk=lesson.pk).title_en == "Fake courier claims"


def test_nobody_publishes_an_item_that_first_shows_citizens_their_own_red_flag(
    lesson, author_user, reviewer_user
):
    flag = RedFlagFactory(slug="pay-to-unfreeze", updated_by=reviewer_user)
    question = lesson.questions.get(position=1)
    question.status, question.updated_by = Status.REVIEW, author_user
    question.save()
    question.red_flags.add(flag)

    with pytest.raises(WorkflowError, match="Another reviewer must approve it"):
        question.transition(Action.APPROVE, reviewer_user)

    assert question.author_ids() == {author_user.pk, reviewer_user.pk}
    assert Question.objects.get(pk=question.pk).status == Status.REVIEW
