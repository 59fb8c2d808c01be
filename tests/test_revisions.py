"""Revisions: officers change published content through the workspace's own forms; citizens
keep reading the approved version until a second officer approves the change."""

import json

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import translation

from quizzes.curriculum.bundle import export_bundle, import_bundle, read_bundle
from quizzes.curriculum.items import export_item
from quizzes.models import (
    Action,
    Kind,
    Lesson,
    QuizRun,
    Revision,
    RevisionStatus,
    Status,
    WorkflowError,
)

from .conftest import sign_in_officer
from .factories import (
    CaseFactory,
    LegalReferenceFactory,
    LessonStepFactory,
    QuestionFactory,
    ReminderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(lesson, red_flag):
    """The published lesson with a step, a case and a legal reference as well."""
    LessonStepFactory(lesson=lesson, position=1, text_en="A courier calls about a parcel.")
    CaseFactory(lesson=lesson, position=1, title_en="The parcel that never was")
    lesson.legal_references.add(LegalReferenceFactory(slug="article-266"))
    red_flag.description_en = "Real couriers pay claims in their own app."
    red_flag.save()
    return lesson


def form_data(response):
    """What the browser would post back from an admin change page, unchanged."""
    data = {}

    def add(name, value):
        if value is None or value is False:
            return
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[name] = str(getattr(value, "pk", value))

    form = response.context["adminform"].form
    for name in form.fields:
        add(form.add_prefix(name), form[name].value())
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            add(management.add_prefix(name), management[name].value())
        for subform in formset.forms:
            for name in subform.fields:
                add(subform.add_prefix(name), subform[name].value())
    return data


def edit(client, model, pk, **changes):
    url = reverse(f"admin:quizzes_{model}_change", args=[pk])
    data = form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def lesson_page(lesson):
    return Client().get(lesson.get_absolute_url()).content.decode()


def first_question_page(lesson):
    citizen = Client()
    citizen.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    run = QuizRun.objects.latest("id")
    page = citizen.get(reverse("quizzes:run-question", args=[run.public_id, 1]))
    return page.content.decode()


def reminders_page(lesson):
    return Client().get(reverse("quizzes:reminders")).content.decode()


def case_of(lesson):
    return lesson.cases.get()


# (what the author edits, the admin change form, which row, the field, the new text,
# the citizen page that shows it)
EDITS = {
    "reminder": (
        "reminder",
        lambda lesson: lesson.reminders.get().pk,
        "text_en",
        "Hang up, then call 96110.",
        reminders_page,
    ),
    "red flag": (
        "redflag",
        lambda lesson: lesson.red_flags.get().pk,
        "description_en",
        "Couriers never ask you to add an account.",
        lesson_page,
    ),
    "legal reference": (
        "legalreference",
        lambda lesson: lesson.legal_references.get().pk,
        "summary_en",
        "Fraud is punished with up to life in prison.",
        lesson_page,
    ),
    "case": (
        "lesson",
        lambda lesson: lesson.pk,
        "cases-0-title_en",
        "A claim that emptied an account",
        lesson_page,
    ),
    "step": (
        "lesson",
        lambda lesson: lesson.pk,
        "steps-0-text_en",
        "A stranger says your parcel is lost.",
        lesson_page,
    ),
    "question": (
        "question",
        lambda lesson: lesson.questions.get(position=1).pk,
        "body_en",
        "Scenario one, reworded: join our claims group.",
        first_question_page,
    ),
    "choice": (
        "question",
        lambda lesson: lesson.questions.get(position=1).pk,
        "choices-0-text_en",
        "Join the group chat",
        first_question_page,
    ),
}


@pytest.mark.parametrize("what", EDITS)
def test_an_edit_reaches_citizens_only_after_a_second_officer_approves(
    client, published, author_user, reviewer_user, what
):
    model, pk, field, text, page = EDITS[what]
    assert text not in page(published)  # and the page is now in the content cache
    sign_in_officer(client, author_user)

    response = edit(client, model, pk(published), **{field: text})

    revision = Revision.objects.get()
    assert response["Location"] == revision.get_absolute_url()
    assert text not in page(published)
    sign_in_officer(client, reviewer_user)
    review = client.get(revision.get_absolute_url()).content.decode()
    assert text in review and "Before (what citizens see now)" in review
    client.post(reverse("admin:quizzes_revision_decide", args=[revision.pk, "approve"]))
    assert text in page(published)
    revision.refresh_from_db()
    assert (revision.status, revision.reviewer) == (RevisionStatus.APPROVED, reviewer_user)


def test_approval_keeps_questions_and_choices_so_answers_point_at_them(
    client, published, author_user, superuser
):
    question = published.questions.get(position=1)
    choice_ids = list(question.choices.values_list("pk", flat=True))
    sign_in_officer(client, author_user)
    edit(client, "question", question.pk, **{"choices-1-text_en": "Ring the courier"})

    Revision.objects.get().approve(superuser)

    assert list(question.choices.values_list("pk", flat=True)) == choice_ids
    assert question.choices.get(position=2).text_en == "Ring the courier"
    assert published.questions.get(position=1).pk == question.pk


def test_an_author_continues_their_revision_and_others_join_as_authors(
    client, published, author_user, reviewer_user, superuser
):
    sign_in_officer(client, author_user)
    edit(client, "lesson", published.pk, title_en="Fake courier claims, revised")

    form = client.get(reverse("admin:quizzes_lesson_change", args=[published.pk]))
    assert form.context["adminform"].form["title_en"].value() == "Fake courier claims, revised"
    assert "Its next version is a revision (Waiting for review)" in form.content.decode()
    sign_in_officer(client, reviewer_user)
    edit(client, "lesson", published.pk, summary_en="Revised by the reviewer too.")

    revision = Revision.objects.get()
    assert revision.data["title"]["en"] == "Fake courier claims, revised"
    assert revision.data["summary"]["en"] == "Revised by the reviewer too."
    assert set(revision.authors.all()) == {author_user, reviewer_user}
    review = client.get(revision.get_absolute_url()).content.decode()
    assert "You wrote part of this revision" in review and "Approve and publish" not in review
    response = client.post(
        reverse("admin:quizzes_revision_decide", args=[revision.pk, "approve"]), follow=True
    )
    assert "You wrote part of this revision" in response.content.decode()
    assert Lesson.objects.get(pk=published.pk).title_en == "Fake courier claims"
    revision.approve(superuser)
    assert Lesson.objects.get(pk=published.pk).title_en == "Fake courier claims, revised"


def test_nobody_approves_their_own_revision_reimported_from_an_export(
    client, published, reviewer_user
):
    sign_in_officer(client, reviewer_user)
    edit(client, "lesson", published.pk, title_en="My own change")
    bundle = export_bundle(Lesson.objects.filter(pk=published.pk))
    bundle["lessons"][0]["title"]["en"] = "My own change"

    import_bundle(read_bundle(json.dumps(bundle)), reviewer_user)

    revision = Revision.objects.get()
    response = client.post(
        reverse("admin:quizzes_revision_decide", args=[revision.pk, "approve"]), follow=True
    )
    assert "Another reviewer must approve it" in response.content.decode()
    assert Lesson.objects.get(pk=published.pk).title_en == "Fake courier claims"


def test_a_sent_back_revision_stays_with_its_author(client, published, author_user, reviewer_user):
    sign_in_officer(client, author_user)
    edit(client, "lesson", published.pk, title_en="Too short")
    revision = Revision.objects.get()
    sign_in_officer(client, reviewer_user)

    client.post(
        reverse("admin:quizzes_revision_decide", args=[revision.pk, "send_back"]),
        {"comment": "Say which courier."},
    )

    revision.refresh_from_db()
    assert (revision.status, revision.comment) == (RevisionStatus.SENT_BACK, "Say which courier.")
    sign_in_officer(client, author_user)
    edit(client, "lesson", published.pk, title_en="Fake SF Express claims")
    revision.refresh_from_db()
    assert revision.status == RevisionStatus.PENDING
    assert revision.data["title"]["en"] == "Fake SF Express claims"


def test_a_citizen_mid_quiz_keeps_the_question_while_its_revision_is_in_review(
    client, published, author_user
):
    citizen = Client()
    citizen.post(reverse("quizzes:start-quiz", args=[published.slug]))
    url = reverse("quizzes:run-question", args=[QuizRun.objects.get().public_id, 1])
    assert "Scenario number 1" in citizen.get(url).content.decode()
    question = published.questions.get(position=1)
    sign_in_officer(client, author_user)

    edit(
        client,
        "question",
        question.pk,
        body_en="A changed scenario",
        **{"choices-0-text_en": "A changed choice"},
    )

    response = citizen.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Scenario number 1: add our claims account." in page
    assert "Add the account" in page and "Call the courier" in page
    assert "A changed" not in page
    assert Lesson.objects.get(pk=published.pk).questions.published().count() == 3


def test_the_results_page_never_shows_text_in_review(client, published, author_user):
    citizen = Client()
    citizen.post(reverse("quizzes:start-quiz", args=[published.slug]))
    run = QuizRun.objects.get()
    for position, rq in enumerate(run.run_questions.order_by("position"), 1):
        wrong = rq.question.choices.get(is_correct=False)
        citizen.post(
            reverse("quizzes:run-question", args=[run.public_id, position]), {"choice": wrong.pk}
        )
    sign_in_officer(client, author_user)
    for question in published.questions.all():
        edit(client, "question", question.pk, **{"choices-0-text_en": "Unreviewed choice"})
    edit(client, "lesson", published.pk, title_en="Unreviewed title")

    page = citizen.get(reverse("quizzes:run-results", args=[run.public_id])).content.decode()

    assert "Add the account" in page
    assert "Unreviewed" not in page


def test_answered_content_taken_off_the_site_still_changes_only_by_revision(
    client, published, author_user
):
    citizen = Client()
    citizen.post(reverse("quizzes:start-quiz", args=[published.slug]))
    run = QuizRun.objects.get()
    rq = run.run_questions.get(position=1)
    chosen = rq.question.choices.get(is_correct=False)
    citizen.post(reverse("quizzes:run-question", args=[run.public_id, 1]), {"choice": chosen.pk})
    Lesson.objects.filter(pk=published.pk).update(status=Status.DRAFT)  # unpublished
    rq.question.__class__.objects.filter(pk=rq.question_id).update(status=Status.DRAFT)
    sign_in_officer(client, author_user)

    edit(client, "question", rq.question_id, **{"choices-0-text_en": "Unreviewed choice"})

    chosen.refresh_from_db()
    assert chosen.text_en == "Add the account"
    assert Revision.objects.get().key == f"{published.slug}/{rq.question.slug}"
    data = citizen.get(reverse("quizzes:my-data")).content.decode()
    assert "Unreviewed" not in data and "Add the account" in data


def test_typing_and_importing_the_same_change_give_the_same_revision(
    client, published, author_user, reviewer_user
):
    sign_in_officer(client, author_user)
    edit(client, "lesson", published.pk, **{"steps-0-text_en": "Typed step text."})
    typed = Revision.objects.get()
    typed_data = typed.data
    typed.delete()
    bundle = export_bundle(Lesson.objects.filter(pk=published.pk))
    bundle["lessons"][0]["steps"][0]["text"]["en"] = "Typed step text."

    import_bundle(read_bundle(json.dumps(bundle)), author_user)

    imported = Revision.objects.get()
    assert imported.data == typed_data
    imported.approve(reviewer_user)
    assert export_item(Kind.LESSON, published.slug) == typed_data


def bare_draft():
    """A draft lesson with its titles and summaries only."""
    return Lesson.objects.create(
        slug="draft", title_en="Draft", title_zh_hans="草稿", summary_en="S",
        summary_zh_hans="概要", position=40, status=Status.DRAFT,
    )  # fmt: skip


def test_a_workflow_button_saves_the_form_first(client, author_user, red_flag):
    lesson = bare_draft()
    lesson.red_flags.add(red_flag)
    LessonStepFactory(lesson=lesson)
    ReminderFactory(lesson=lesson)
    QuestionFactory(lesson=lesson, status=Status.DRAFT)
    sign_in_officer(client, author_user)

    response = edit(client, "lesson", lesson.pk, title_en="Draft, finished", _workflow="submit")

    lesson.refresh_from_db()
    assert response.status_code == 302
    assert (lesson.title_en, lesson.status) == ("Draft, finished", Status.REVIEW)
    assert [t.action for t in lesson.transitions.order_by("id")] == [Action.EDITED, Action.SUBMIT]


def test_a_refused_step_pressed_with_the_form_never_reads_as_done(client, author_user):
    """A busy officer reads green as done: when the step is refused, the page says the
    refusal and that what was typed is kept, with no "changed successfully" above it."""
    lesson = bare_draft()
    sign_in_officer(client, author_user)

    response = edit(client, "lesson", lesson.pk, title_en="Draft, retitled", _workflow="approve")

    shown = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert [tag for tag, _ in shown] == ["error", "info"]
    assert shown[1][1] == "What you typed is saved; only this step was refused."
    assert Lesson.objects.get(pk=lesson.pk).title_en == "Draft, retitled"
    assert Lesson.objects.get(pk=lesson.pk).status == Status.DRAFT


def test_a_workflow_button_with_an_invalid_form_moves_nothing(client, author_user, red_flag):
    lesson = bare_draft()
    sign_in_officer(client, author_user)

    # A title in one language is enough for a draft: in none, the form is invalid.
    response = edit(client, "lesson", lesson.pk, title_en="", title_zh_hans="", _workflow="submit")

    assert response.status_code == 200
    assert Lesson.objects.get(pk=lesson.pk).status == Status.DRAFT


def test_the_reviewer_sees_both_languages_before_and_after(
    client, published, author_user, reviewer_user
):
    sign_in_officer(client, author_user)
    edit(client, "lesson", published.pk, title_zh_hans="冒充快递理赔（新）")
    sign_in_officer(client, reviewer_user)

    response = client.get(Revision.objects.get().get_absolute_url())

    assert response.context["changes"] == [
        ("title", "English", "Fake courier claims", "Fake courier claims"),
        ("title", "Chinese", "冒充快递理赔", "冒充快递理赔（新）"),
    ]
    assert response.content.decode().count("<h1>") == 1
    with translation.override("zh-hans"):
        assert Revision.objects.get().changes()[1][:2] == ("标题", "中文")


def chinese_title_revision_page(client, published, author, reviewer):
    """The revision page a reviewer opens after an author changed the lesson's Chinese
    title only."""
    sign_in_officer(client, author)
    edit(client, "lesson", published.pk, title_zh_hans="冒充快递理赔（新）")
    sign_in_officer(client, reviewer)
    return client.get(Revision.objects.get().get_absolute_url()).content.decode()


def test_the_language_a_revision_leaves_alone_is_not_struck_through(
    client, published, author_user, reviewer_user
):
    page = chinese_title_revision_page(client, published, author_user, reviewer_user)

    assert "<del>Fake courier claims</del>" not in page
    assert "Fake courier claims <em>(unchanged)</em>" in page
    assert "<del>冒充快递理赔</del>" in page and "<ins>冒充快递理赔（新）</ins>" in page


def test_load_curriculum_says_it_is_for_a_fresh_installation():
    from quizzes.management.commands.load_curriculum import Command

    assert "fresh installation" in Command.help
    assert "import_curriculum, which sends changes to review" in Command.help


def test_a_row_the_revision_adds_can_be_edited_again(client, published, author_user):
    sign_in_officer(client, author_user)
    url = reverse("admin:quizzes_lesson_change", args=[published.pk])
    data = form_data(client.get(url))
    data.update(
        {
            "steps-TOTAL_FORMS": "2",
            "steps-1-position": "2",
            "steps-1-text_en": "Then asks for a code.",
            "steps-1-text_zh_hans": "然后索要验证码。",
            "steps-1-lesson": str(published.pk),
        }
    )
    client.post(url, data)

    response = edit(client, "lesson", published.pk, **{"steps-1-text_en": "Then asks again."})

    assert response.status_code == 302
    steps = Revision.objects.get().data["steps"]
    assert [s["text"]["en"] for s in steps] == [
        "A courier calls about a parcel.",
        "Then asks again.",
    ]
    assert published.steps.count() == 1


def test_a_new_general_reminder_waits_for_review(client, published, author_user, reviewer_user):
    sign_in_officer(client, author_user)
    data = form_data(client.get(reverse("admin:quizzes_reminder_add")))
    data.update(
        slug="never-share-codes",
        position="1",
        text_en="Never share a verification code.",
        text_zh_hans="不要把验证码告诉任何人。",
        authority_en="Ministry of Public Security",
        authority_zh_hans="公安部",
    )

    response = client.post(reverse("admin:quizzes_reminder_add"), data)

    revision = Revision.objects.get()
    assert response["Location"] == revision.get_absolute_url()
    assert "Never share a verification code." not in reminders_page(published)
    revision.approve(reviewer_user)
    assert "Never share a verification code." in reminders_page(published)


def test_importing_the_shipped_files_defers_unsupported_kinds_and_publishes_nothing(
    reviewer_user,
):
    from quizzes.curriculum.schema import read_lessons, read_vocabulary

    bundle = {
        "format": "antifraud-curriculum",
        "version": 1,
        "vocabulary": read_vocabulary(),
        "lessons": read_lessons(),
    }
    other_kinds = [
        q
        for lesson in bundle["lessons"]
        for q in lesson["questions"]
        if q.get("kind", "choice") != "choice"
    ]

    summary, _ = import_bundle(read_bundle(json.dumps(bundle)), reviewer_user)

    # Kinds the loader cannot store yet are counted as deferred (none once it can).
    assert 0 <= summary["deferred"] <= len(other_kinds)
    assert summary["created"] > 0
    assert not Lesson.objects.published().exists()


def test_a_workflow_button_on_published_content_works_without_changes(
    client, published, reviewer_user
):
    sign_in_officer(client, reviewer_user)

    edit(client, "lesson", published.pk, _workflow="unpublish")

    assert Lesson.objects.get(pk=published.pk).status == Status.ARCHIVED
    assert not Revision.objects.exists()


def test_results_and_data_download_show_the_text_published_when_answering(
    client, published, author_user, reviewer_user
):
    citizen = Client()
    citizen.post(reverse("quizzes:start-quiz", args=[published.slug]))
    run = QuizRun.objects.get()
    for rq in run.run_questions.order_by("position"):
        wrong = rq.question.choices.get(is_correct=False)
        url = reverse("quizzes:run-question", args=[run.public_id, rq.position])
        citizen.post(url, {"choice": wrong.pk})
    sign_in_officer(client, author_user)
    for question in published.questions.all():
        new_text = {"choices-0-text_en": "Join the group", "body_en": "Reworded scenario."}
        edit(client, "question", question.pk, **new_text, prompt_en="Your move?")
    edit(client, "lesson", published.pk, title_en="Courier refund scams")
    sign_in_officer(client, reviewer_user)
    for revision in Revision.objects.all():
        client.post(reverse("admin:quizzes_revision_decide", args=[revision.pk, "approve"]))
    assert not Revision.objects.open().exists()

    page = citizen.get(reverse("quizzes:run-results", args=[run.public_id])).content.decode()
    data = citizen.get(reverse("quizzes:my-data")).content.decode()

    assert "Add the account" in page and "Fake courier claims" in page
    assert "Scenario number 1: add our claims account." in page
    assert "Join the group" not in page and "Courier refund scams" not in page
    assert "Reworded" not in page
    assert "Add the account" in data and "Scenario number 1" in data
    assert "What do you do?" in data
    assert "Join the group" not in data and "Reworded" not in data and "Your move" not in data
    assert "Courier refund scams" in lesson_page(published)


def test_an_imported_question_naming_a_reminder_in_review_waits_for_it(
    client, published, author_user, reviewer_user
):
    bundle = export_bundle(Lesson.objects.filter(pk=published.pk))
    lesson = bundle["lessons"][0]
    lesson["reminders"].append({**lesson["reminders"][0], "slug": "new-one", "position": 2})
    lesson["questions"].append(
        {**lesson["questions"][0], "slug": "q4", "position": 4, "reminder": "new-one"}
    )

    import_bundle(read_bundle(json.dumps(bundle)), author_user)

    question = Revision.objects.get(kind=Kind.QUESTION)
    with pytest.raises(WorkflowError, match="new-one"):
        question.approve(reviewer_user)
    Revision.objects.get(kind=Kind.LESSON).approve(reviewer_user)
    question.refresh_from_db()
    question.approve(reviewer_user)
    created = published.questions.get(slug="q4")
    assert (created.status, created.reminder.slug) == (Status.REVIEW, "new-one")


def test_a_revision_the_database_refuses_is_a_message_not_an_error(
    client, published, author_user, reviewer_user
):
    bundle = export_bundle(Lesson.objects.filter(pk=published.pk))
    bundle["lessons"][0]["position"] = 99
    import_bundle(read_bundle(json.dumps(bundle)), author_user)
    revision = Revision.objects.get()
    Lesson.objects.create(slug="other", title_en="Other", position=99)  # meanwhile
    sign_in_officer(client, reviewer_user)

    response = client.post(
        reverse("admin:quizzes_revision_decide", args=[revision.pk, "approve"]), follow=True
    )

    assert "The database refused this version" in response.content.decode()
    assert Revision.objects.get().status == RevisionStatus.PENDING


def test_only_reviewers_decide_and_analysts_do_not_see_revisions(
    client, published, author_user, superuser
):
    from django.contrib.auth.models import Group

    from .factories import UserFactory

    sign_in_officer(client, superuser)
    edit(client, "lesson", published.pk, title_en="Changed by the chief")
    revision = Revision.objects.get()
    other_author = UserFactory(username="officer-other", is_staff=True)
    other_author.groups.add(Group.objects.get(name="Authors"))
    analyst = UserFactory(username="officer-analyst", is_staff=True)
    analyst.groups.add(Group.objects.get(name="Analysts"))

    sign_in_officer(client, other_author)
    response = client.post(
        reverse("admin:quizzes_revision_decide", args=[revision.pk, "approve"]), follow=True
    )
    assert "Your role does not allow this." in response.content.decode()
    sign_in_officer(client, analyst)
    assert client.get(revision.get_absolute_url()).status_code == 403
    assert Revision.objects.get().status == RevisionStatus.PENDING


def test_enter_in_a_field_saves_rather_than_moving_the_item(client, published, reviewer_user):
    """The form's default button (the first in the page) is Save, not a workflow button."""
    sign_in_officer(client, reviewer_user)

    page = client.get(reverse("admin:quizzes_lesson_change", args=[published.pk]))

    content = page.content.decode()
    assert content.index('name="_save"') < content.index('name="_workflow"')
    assert content.count("<h1>") == 1


def test_an_answered_choice_cannot_be_removed(client, published, author_user):
    citizen = Client()
    citizen.post(reverse("quizzes:start-quiz", args=[published.slug]))
    run = QuizRun.objects.get()
    rq = run.run_questions.get(position=1)
    chosen = rq.question.choices.get(position=1)
    citizen.post(reverse("quizzes:run-question", args=[run.public_id, 1]), {"choice": chosen.pk})
    sign_in_officer(client, author_user)

    response = edit(client, "question", rq.question_id, **{"choices-0-DELETE": "on"})

    assert response.status_code == 200
    assert "Learners chose an answer you removed" in response.content.decode()
    assert not Revision.objects.exists()


def decide(client, revision, action, language="en", **data):
    url = reverse("admin:quizzes_revision_decide", args=[revision.pk, action])
    headers = {"accept-language": language}
    return client.post(url, data, follow=True, headers=headers).content.decode()


def test_a_revision_written_on_an_item_changed_since_is_merged_before_approval(
    client, published, author_user, reviewer_user
):
    reminder = published.reminders.get()
    sign_in_officer(client, author_user)
    edit(client, "lesson", published.pk, title_en="Courier refund scams")
    edit(client, "reminder", reminder.pk, text_en="Hang up, then call 96110.")
    lesson_revision = Revision.objects.get(kind=Kind.LESSON)
    sign_in_officer(client, reviewer_user)
    decide(client, Revision.objects.get(kind=Kind.REMINDER), "approve")

    refused = decide(client, lesson_revision, "approve", language="zh-hans")
    sign_in_officer(client, author_user)
    form = client.get(reverse("admin:quizzes_lesson_change", args=[published.pk]))
    edit(client, "lesson", published.pk)
    sign_in_officer(client, reviewer_user)
    approved = decide(client, lesson_revision, "approve")

    assert "修订撰写后此条目已更改；请重新打开以合并。" in refused
    assert "merged with the approved change" in form.content.decode()
    assert "Approved: citizens now see this version." in approved
    assert "Courier refund scams" in lesson_page(published)
    assert "Hang up, then call 96110." in reminders_page(published)


def test_a_revision_overlapping_a_change_approved_since_shows_the_approved_text(
    client, published, author_user, reviewer_user
):
    reminder = published.reminders.get()
    sign_in_officer(client, author_user)
    edit(client, "lesson", published.pk, **{"reminders-0-text_en": "Call 110 at once."})
    edit(client, "reminder", reminder.pk, text_en="Hang up, then call 96110.")
    lesson_revision = Revision.objects.get(kind=Kind.LESSON)
    sign_in_officer(client, reviewer_user)
    decide(client, Revision.objects.get(kind=Kind.REMINDER), "approve")

    refused = decide(client, lesson_revision, "approve")
    sign_in_officer(client, author_user)
    form = client.get(reverse("admin:quizzes_lesson_change", args=[published.pk]))

    assert "open it again to merge" in refused
    assert "where both changed the same text it shows the approved text" in form.content.decode()
    assert "Hang up, then call 96110." in form.content.decode()
    assert "Hang up, then call 96110." in reminders_page(published)


def test_an_author_withdraws_their_revision_and_nobody_else_can(
    client, published, author_user, reviewer_user
):
    from django.contrib.auth.models import Group

    from .factories import UserFactory

    other_author = UserFactory(username="officer-other", is_staff=True)
    other_author.groups.add(Group.objects.get(name="Authors"))
    question = published.questions.get(position=1)
    sign_in_officer(client, author_user)
    edit(client, "question", question.pk, body_en="A withdrawn idea.")
    revision = Revision.objects.get()
    page = client.get(revision.get_absolute_url()).content.decode()
    url = reverse("admin:quizzes_revision_decide", args=[revision.pk, "withdraw"])
    assert client.get(url).status_code == 405
    for officer in (other_author, reviewer_user):
        sign_in_officer(client, officer)
        assert (
            "Withdraw this revision"
            not in client.get(revision.get_absolute_url()).content.decode()
        )
        assert "Your role does not allow this." in decide(client, revision, "withdraw")
        assert Revision.objects.get().status == RevisionStatus.PENDING

    sign_in_officer(client, author_user)
    withdrawn = decide(client, revision, "withdraw", language="zh-hans")

    assert "Withdraw this revision" in page
    assert "已撤回：公众仍看到已批准的版本。" in withdrawn
    assert Revision.objects.get().status == RevisionStatus.WITHDRAWN
    step = question.transitions.get()
    assert (step.action, step.user) == (Action.WITHDRAW, author_user)
    assert "A withdrawn idea." not in first_question_page(published)
    edit(client, "question", question.pk, body_en="A second idea.")
    assert Revision.objects.open().get().data["body"]["en"] == "A second idea."


def test_the_revision_page_has_no_view_on_site_link_back_to_itself(
    client, published, author_user, reviewer_user
):
    page = chinese_title_revision_page(client, published, author_user, reviewer_user)

    assert "viewsitelink" not in page


def test_opening_an_item_with_an_open_revision_does_not_name_the_reader_as_its_changer(
    client, published, author_user, reviewer_user
):
    """The form shows the revision, put in for the page in the reader's name: the line
    "last changed by" named whoever only opened the page."""
    Lesson.objects.filter(pk=published.pk).update(updated_by=author_user)
    sign_in_officer(client, author_user)
    edit(client, "lesson", published.pk, title_zh_hans="冒充快递理赔（新）")
    sign_in_officer(client, reviewer_user)

    page = client.get(reverse("admin:quizzes_lesson_change", args=[published.pk])).text

    assert f"last changed by {author_user.username}" in page
    assert f"last changed by {reviewer_user.username}" not in page
