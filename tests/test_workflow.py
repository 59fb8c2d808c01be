"""Roles, the draft → review → published workflow, the two-person rule and previews."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import escape

from quizzes.models import Action, Lesson, Status, Transition, WorkflowError

from .conftest import sign_in_officer
from .factories import (
    LessonFactory,
    LessonStepFactory,
    QuestionFactory,
    ReminderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def officer(role):
    user = UserFactory(username=f"officer-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def draft(red_flag):
    """A complete draft lesson, written by an author, ready for review."""
    author = officer("Authors")
    lesson = LessonFactory(status=Status.DRAFT, updated_by=author, red_flags=[red_flag])
    LessonStepFactory(lesson=lesson)
    ReminderFactory(lesson=lesson)
    ready_question(lesson, red_flag, "ready")
    return lesson


def ready_question(lesson, red_flag, slug):
    """A question in review that passes every check, item-writing rules included."""
    from .factories import ChoiceFactory

    question = QuestionFactory(
        lesson=lesson,
        status=Status.REVIEW,
        red_flags=[red_flag],
        slug=slug,
        prompt_zh_hans="您怎么做？",
        choices=False,
    )
    texts = [
        ("Send the code he asks for.", "把验证码发给他。"),
        ("Call the number in the text.", "拨打短信里的号码。"),
        ("Open the bank app yourself.", "自己打开手机银行查看。"),
    ]
    for position, (en, zh) in enumerate(texts, 1):
        ChoiceFactory(
            question=question,
            position=position,
            text_en=en,
            text_zh_hans=zh,
            is_correct=position == 1,
        )
    return question


def test_groups_exist_with_their_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Authors",
        "Reviewers",
        "Analysts",
    }


# --- The permission matrix: every role against every action ---------------------------


def can_view(client, lesson):
    return client.get(reverse("admin:quizzes_lesson_changelist")).status_code == 200


def can_add(client, lesson):
    return client.get(reverse("admin:quizzes_lesson_add")).status_code == 200


def can_change(client, lesson):
    response = client.get(reverse("admin:quizzes_lesson_change", args=[lesson.pk]))
    return response.status_code == 200 and b'name="_save"' in response.content


def workflow(action, status):
    def attempt(client, lesson):
        lesson.status = status
        lesson.save(update_fields=["status"])
        url = reverse("admin:quizzes_lesson_workflow", args=[lesson.pk, action])
        client.post(url, {"comment": "Please check the dates."})
        lesson.refresh_from_db()
        return lesson.status != status

    return attempt


def can_export(client, lesson):
    response = client.get(reverse("admin:quizzes_export"))
    return response.status_code == 200 and response["Content-Type"].startswith("application/json")


def can_see_statistics(client, lesson):
    response = client.get(reverse("admin:quizzes_statistics"))
    return response.status_code == 200 and b"Questions that need checking" in response.content


def can_import(client, lesson):
    return client.get(reverse("admin:quizzes_import")).status_code == 200


ACTIONS = {
    "view": can_view,
    "add": can_add,
    "change": can_change,
    "submit": workflow("submit", Status.DRAFT),
    "approve": workflow("approve", Status.REVIEW),
    "send back": workflow("send_back", Status.REVIEW),
    "unpublish": workflow("unpublish", Status.PUBLISHED),
    "export": can_export,
    "statistics": can_see_statistics,
    "import": can_import,
}
ALLOWED = {
    "Authors": {"view", "add", "change", "submit"},
    "Reviewers": set(ACTIONS),
    "Analysts": {"view", "export", "statistics"},
    "citizen": set(),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ALLOWED)
def test_permission_matrix(client, draft, role, action):
    user = UserFactory(username="citizen-x") if role == "citizen" else officer(role)
    if user.is_staff:
        sign_in_officer(client, user)
    else:
        client.force_login(user)

    assert ACTIONS[action](client, draft) is (action in ALLOWED[role])


def test_superusers_may_do_everything(client, draft, superuser):
    sign_in_officer(client, superuser)

    for action, attempt in ACTIONS.items():
        assert attempt(client, draft), action


# --- Workflow rules --------------------------------------------------------------------


def test_full_workflow_is_recorded(draft):
    author, reviewer = draft.updated_by, officer("Reviewers")

    draft.transition(Action.SUBMIT, author)
    draft.transition(Action.SEND_BACK, reviewer, "Add the 2020 case.")
    draft.transition(Action.SUBMIT, author, "Case added.")
    draft.transition(Action.APPROVE, reviewer)
    draft.transition(Action.UNPUBLISH, reviewer, "Out of date.")

    steps = list(
        Transition.objects.filter(lesson=draft)
        .order_by("id")
        .values_list("action", "from_status", "to_status", "user__username", "comment")
    )
    assert steps == [
        ("submit", "draft", "review", "officer-Authors", ""),
        ("send_back", "review", "draft", "officer-Reviewers", "Add the 2020 case."),
        ("submit", "draft", "review", "officer-Authors", "Case added."),
        ("approve", "review", "published", "officer-Reviewers", ""),
        ("unpublish", "published", "archived", "officer-Reviewers", "Out of date."),
    ]
    assert draft.status == Status.ARCHIVED


def test_an_author_cannot_publish(draft):
    draft.transition(Action.SUBMIT, draft.updated_by)

    with pytest.raises(PermissionDenied):
        draft.transition(Action.APPROVE, draft.updated_by)
    assert Lesson.objects.get(pk=draft.pk).status == Status.REVIEW


def test_nobody_approves_their_own_edit(draft):
    reviewer = officer("Reviewers")
    draft.updated_by = reviewer
    draft.save()
    draft.transition(Action.SUBMIT, reviewer)

    with pytest.raises(WorkflowError, match="Another reviewer must approve it"):
        draft.transition(Action.APPROVE, reviewer)


def test_sending_back_needs_a_comment(draft):
    draft.transition(Action.SUBMIT, draft.updated_by)

    with pytest.raises(WorkflowError, match="Say what needs changing"):
        draft.transition(Action.SEND_BACK, officer("Reviewers"), "  ")


def test_an_incomplete_lesson_cannot_go_to_review():
    lesson = LessonFactory(status=Status.DRAFT, title_zh_hans="")

    with pytest.raises(WorkflowError) as error:
        lesson.transition(Action.SUBMIT, officer("Authors"))

    message = str(error.value)
    assert "Fill in every language: Title (Chinese)." in message
    assert "A lesson needs at least one step." in message
    assert "A lesson needs at least one police reminder." in message
    assert lesson.status == Status.DRAFT


def test_a_question_needs_two_choices_and_one_correct_before_review(lesson):
    question = QuestionFactory(lesson=lesson, status=Status.DRAFT, choices=False)

    with pytest.raises(WorkflowError) as error:
        question.transition(Action.SUBMIT, officer("Authors"))

    assert "A question needs at least two choices." in str(error.value)
    assert "A question needs exactly one correct choice." in str(error.value)


def test_the_admin_shows_workflow_errors_and_history(client, draft):
    reviewer = officer("Reviewers")
    draft.transition(Action.SUBMIT, draft.updated_by, "Ready.")
    sign_in_officer(client, reviewer)

    response = client.post(
        reverse("admin:quizzes_lesson_workflow", args=[draft.pk, "send_back"]), {"comment": ""}
    )
    page = client.get(response["Location"]).content.decode()

    assert "Say what needs changing when you send an item back." in page
    assert "Submit for review (Draft → In review)" in page
    assert "Ready." in page
    assert "Approve and publish" in page  # the reviewer's buttons


def test_workflow_urls_refuse_get(client, draft, superuser):
    sign_in_officer(client, superuser)

    response = client.get(reverse("admin:quizzes_lesson_workflow", args=[draft.pk, "submit"]))

    assert response.status_code == 405


def test_approving_a_lesson_publishes_its_ready_questions_and_says_so(client, draft):
    QuestionFactory(lesson=draft, status=Status.REVIEW, slug="half", choices=False)
    draft.transition(Action.SUBMIT, draft.updated_by)
    sign_in_officer(client, officer("Reviewers"))

    response = client.post(
        reverse("admin:quizzes_lesson_workflow", args=[draft.pk, "approve"]), follow=True
    )

    ready = draft.questions.get(slug="ready")
    assert f"Published with it: {escape(ready)}." in response.content.decode()
    statuses = dict(draft.questions.values_list("slug", "status"))
    assert statuses == {"ready": Status.PUBLISHED, "half": Status.REVIEW}


def test_a_lesson_without_a_public_question_cannot_be_approved(draft):
    draft.questions.update(status=Status.DRAFT)
    draft.transition(Action.SUBMIT, draft.updated_by)

    with pytest.raises(WorkflowError, match="at least one public question"):
        draft.transition(Action.APPROVE, officer("Reviewers"))
    assert Lesson.objects.get(pk=draft.pk).status == Status.REVIEW


def test_every_author_of_a_draft_is_kept_not_only_the_last(client, draft):
    """A reviewer who edits a draft, then lets an author save last, still cannot approve."""
    reviewer, author = officer("Reviewers"), draft.updated_by
    draft.note_edit(reviewer)
    draft.note_edit(author)
    draft.updated_by = author
    draft.save()
    draft.transition(Action.SUBMIT, author)

    with pytest.raises(WorkflowError, match="Another reviewer must approve it"):
        draft.transition(Action.APPROVE, reviewer)


def test_a_reviewer_who_changed_an_item_is_not_offered_approve_and_others_are_warned(
    client, draft
):
    """The two-person rule said no only after the button was pressed, and an edit made
    in passing took the approval from the reviewer who made it."""
    helper, other = officer("Reviewers"), UserFactory(username="other-reviewer", is_staff=True)
    other.groups.add(Group.objects.get(name="Reviewers"))
    draft.note_edit(helper)
    draft.transition(Action.SUBMIT, draft.updated_by)
    url = reverse("admin:quizzes_lesson_change", args=[draft.pk])

    helpers_page = sign_in_officer(client, helper).get(url).content.decode()
    others_page = sign_in_officer(client, other).get(url).content.decode()

    assert 'value="approve"' not in helpers_page
    assert "You changed this item, so another reviewer must approve it." in helpers_page
    assert 'value="approve"' in others_page
    assert "If you change anything here, another reviewer will have to approve it" in others_page


def test_past_valid_until_leaves_the_site_and_needs_review(client, lesson, superuser):
    lesson.valid_until = datetime.date(2020, 1, 1)
    lesson.save()

    assert client.get(lesson.get_absolute_url()).status_code == 404
    sign_in_officer(client, superuser)
    listing = client.get(reverse("admin:quizzes_lesson_changelist") + "?needs_review=yes")
    assert "Fake courier claims" in listing.content.decode()
    page = client.get(reverse("admin:quizzes_lesson_change", args=[lesson.pk]))
    assert "Needs review" in page.content.decode()


# --- Preview ---------------------------------------------------------------------------


def test_staff_preview_a_draft_as_citizens_would_see_it(client, draft):
    sign_in_officer(client, officer("Authors"))

    response = client.get(reverse("quizzes:preview-lesson", args=[draft.pk]))

    content = response.content.decode()
    assert "Preview, not published." in content
    assert f"<h1>{draft.title_en}</h1>" in content


def test_preview_of_a_question_shows_feedback_without_storing(client, lesson):
    question = QuestionFactory(lesson=lesson, status=Status.DRAFT, slug="draft-q", position=9)
    sign_in_officer(client, officer("Authors"))
    url = reverse("quizzes:preview-question", args=[question.pk])

    page = client.get(url).content.decode()
    response = client.post(url, {"choice": question.choices.get(is_correct=False).pk})

    assert "Preview, not published." in page and "This is a trap." not in page
    assert "This is a trap." in response.content.decode()
    assert not question.answers.exists()


@pytest.mark.parametrize("who", ["visitor", "citizen"])
def test_citizens_get_404_for_previews(client, draft, who):
    if who == "citizen":
        client.force_login(UserFactory(username="nosy"))
    question = QuestionFactory(lesson=draft, status=Status.DRAFT)

    assert client.get(reverse("quizzes:preview-lesson", args=[draft.pk])).status_code == 404
    assert client.get(reverse("quizzes:preview-question", args=[question.pk])).status_code == 404


def test_create_police_user_command(monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr("getpass.getpass", lambda prompt: "a long and strong passphrase")

    call_command("create_police_user", "officer-wang", "--role", "reviewer")

    user = UserFactory._meta.model.objects.get(username="officer-wang")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert user.check_password("a long and strong passphrase")


def test_an_officers_question_is_held_to_the_item_writing_rules(lesson):
    """The rules the shipped files pass (quizzes/curriculum/README.md) hold for a question an
    officer writes: it cannot go to review while the learner could guess it by length."""
    from .factories import ChoiceFactory

    question = QuestionFactory(lesson=lesson, status=Status.DRAFT, choices=False)
    question.prompt_zh_hans = "你会怎么做？"
    question.save()
    ChoiceFactory(question=question, position=1, text_en="Pay.", text_zh_hans="付钱。")
    ChoiceFactory(question=question, position=2, text_en="Reply.", text_zh_hans="回复。")
    ChoiceFactory(
        question=question,
        position=3,
        is_correct=True,
        text_en="Hang up and call the bank yourself.",
        text_zh_hans="挂断电话，自己打银行客服核实。",
    )

    with pytest.raises(WorkflowError) as error:
        question.transition(Action.SUBMIT, officer("Authors"))

    message = str(error.value)
    assert "this question/prompt: address the learner as 您, not 你" in message
    assert "in en the longest choice is more than 2 times the shortest" in message
    assert "this lesson: in en the correct choice is the longest in" in message
    assert question.status == Status.DRAFT


def test_the_item_writing_rules_speak_the_officers_language(lesson):
    from django.utils import translation

    question = QuestionFactory(lesson=lesson, status=Status.DRAFT, choices=False)
    question.prompt_zh_hans = "你会怎么做？"
    question.save()

    with translation.override("zh-hans"), pytest.raises(WorkflowError) as error:
        question.transition(Action.SUBMIT, officer("Authors"))

    assert "称呼学习者为“您”，不用“你”" in str(error.value)
    assert "需要 3 或 4 个选项" in str(error.value)
