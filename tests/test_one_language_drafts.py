"""An officer who writes in Chinese saves a draft without inventing English first; the
English still has to be there before the draft goes to review or a revision is approved."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from quizzes.models import Lesson, Question, RedFlag, Revision, Status, WorkflowError

from .conftest import sign_in_officer
from .factories import ReminderFactory
from .test_admin import lesson_form, question_form
from .test_revisions import edit

pytestmark = pytest.mark.django_db


def in_chinese_only(data):
    """The form as an officer fills it who writes no English (and leaves the slug)."""
    return {k: v for k, v in data.items() if not k.endswith("_en") and k != "slug"}


def last_message(response):
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_a_lesson_written_in_chinese_only_is_saved_as_a_draft(client, author_user, red_flag):
    sign_in_officer(client, author_user)

    response = client.post(
        reverse("admin:quizzes_lesson_add"), in_chinese_only(lesson_form(red_flag))
    )

    assert response.status_code == 302, response.context["errors"]
    lesson = Lesson.objects.get(title_zh_hans="假冒彩票中奖电话")
    assert (lesson.status, lesson.slug, lesson.title_en) == (Status.DRAFT, "lesson", None)
    assert lesson.steps.get().text_zh_hans == "来电说你中了奖。"
    assert lesson.reminders.get().authority_zh_hans == "上海市公安局"
    # Named in Chinese where the English workspace has no English to show.
    assert str(lesson) == "假冒彩票中奖电话"
    assert str(lesson.reminders.get()) == "真正的奖品不需要先交钱。"


def test_the_officer_s_lists_and_pages_name_a_chinese_only_draft(client, author_user, red_flag):
    sign_in_officer(client, author_user)
    client.post(reverse("admin:quizzes_lesson_add"), in_chinese_only(lesson_form(red_flag)))
    lesson = Lesson.objects.get()

    listing = client.get(reverse("admin:quizzes_lesson_changelist")).content.decode()
    page = client.get(reverse("admin:quizzes_lesson_change", args=[lesson.pk])).content.decode()

    assert f'<a href="/admin/quizzes/lesson/{lesson.pk}/change/">假冒彩票中奖电话</a>' in listing
    assert "You may save a draft in Chinese or in English only" in page
    assert (
        "Fill in every language: Issuing authority (English), Summary (English), "
        "Text (English), Title (English)." in page
    )


def test_a_question_written_in_chinese_only_is_saved_as_a_draft(client, author_user, lesson):
    sign_in_officer(client, author_user)
    data = in_chinese_only(question_form(lesson, [("Pay the tax", False), ("Hang up", True)]))

    response = client.post(reverse("admin:quizzes_question_add"), data)

    assert response.status_code == 302, response.context["errors"]
    question = Question.objects.get(body_zh_hans="来电者：你中了一辆车，先交税。")
    assert (question.status, question.slug, question.body_en or "") == (
        Status.DRAFT,
        "question",
        "",
    )
    assert [(c.text_en or "", c.text_zh_hans) for c in question.choices.all()] == [
        ("", "选项0"),
        ("", "选项1"),
    ]
    assert str(question) == "Fake courier claims · 来电者：你中了一辆车，先交税。"
    assert "Fill in every language: " in " ".join(map(str, question.publication_problems()))


def test_a_text_empty_in_both_languages_is_refused(client, author_user, red_flag):
    sign_in_officer(client, author_user)
    data = lesson_form(red_flag, title_en="", title_zh_hans="")

    response = client.post(reverse("admin:quizzes_lesson_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "title_en": ["Write this in Chinese or English; it needs both before review."]
    }
    assert not Lesson.objects.exists()


def test_a_chinese_officer_reads_the_refusal_beside_the_chinese_text(client, author_user, lesson):
    sign_in_officer(client, author_user)
    client.cookies["django_language"] = "zh-hans"
    data = question_form(lesson, [("Pay the tax", False), ("Hang up", True)])
    data.update({"choices-1-feedback_en": "", "choices-1-feedback_zh_hans": ""})

    response = client.post(reverse("admin:quizzes_question_add"), data)

    assert response.status_code == 200
    choice = response.context["inline_admin_formsets"][0].formset.forms[1]
    assert choice.errors == {
        "feedback_zh_hans": ["请用中文或英文填写此项；提交审核前两种语言都要填写。"]
    }
    assert not Question.objects.filter(slug="prize-call").exists()


def test_a_chinese_only_draft_goes_to_review_once_its_english_is_written(
    client, author_user, red_flag
):
    sign_in_officer(client, author_user)
    client.post(reverse("admin:quizzes_lesson_add"), in_chinese_only(lesson_form(red_flag)))
    lesson = Lesson.objects.get()
    submit = reverse("admin:quizzes_lesson_workflow", args=[lesson.pk, "submit"])

    refused = client.post(submit)

    assert last_message(refused) == (
        "Fill in every language: Issuing authority (English), Summary (English), "
        "Text (English), Title (English)."
    )
    lesson.refresh_from_db()
    assert lesson.status == Status.DRAFT

    english = {k: v for k, v in lesson_form(red_flag).items() if k.endswith("_en")}
    edit(client, "lesson", lesson.pk, **english)
    submitted = client.post(submit)

    assert last_message(submitted) == "Done: Submit for review."
    lesson.refresh_from_db()
    assert (lesson.status, lesson.title_en) == (Status.REVIEW, "Fake lottery calls")


def test_the_chinese_officer_is_told_which_english_texts_are_missing(author_user, red_flag):
    from django.utils import translation

    lesson = Lesson.objects.create(
        slug="draft", title_zh_hans="草稿", summary_zh_hans="概要", position=40
    )

    with translation.override("zh-hans"), pytest.raises(WorkflowError) as refusal:
        lesson.transition("submit", author_user)

    assert str(refusal.value).startswith("请填写所有语言版本：摘要（英文）, 标题（英文）。")


def test_a_revision_that_empties_the_english_is_not_approved(
    client, lesson, author_user, reviewer_user
):
    """A published lesson's form saves a revision in one language, as it saves a draft;
    citizens keep reading the English until a whole version is approved."""
    sign_in_officer(client, author_user)

    response = edit(client, "lesson", lesson.pk, title_en="", title_zh_hans="冒充快递理赔（新）")

    assert response.status_code == 302
    revision = Revision.objects.get()
    with pytest.raises(WorkflowError, match=r"Fill in every language: Title \(English\)\."):
        revision.approve(reviewer_user)
    lesson.refresh_from_db()
    assert (lesson.title_en, lesson.title_zh_hans) == ("Fake courier claims", "冒充快递理赔")
    revision.refresh_from_db()
    assert revision.is_open


def test_shared_vocabulary_still_needs_both_languages(client, author_user):
    """A new red flag is written at once, with no review before a lesson shows it."""
    sign_in_officer(client, author_user)
    data = {"slug": "fee-first", "title_zh_hans": "先交费", "description_zh_hans": "先要钱。"}

    response = client.post(reverse("admin:quizzes_redflag_add"), data)

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"title_en", "description_en"}
    assert not RedFlag.objects.filter(slug="fee-first").exists()


def test_a_question_cannot_go_to_review_with_a_reminder_in_one_language(lesson, author_user):
    """A question may show another lesson's police reminder, written in Chinese only."""
    question = lesson.questions.get(slug="q1")
    question.status = Status.DRAFT
    question.reminder = ReminderFactory(slug="draft-1", text_en="", authority_en="")
    question.save()

    with pytest.raises(WorkflowError, match=r"Issuing authority \(English\), Text \(English\)"):
        question.transition("submit", author_user)


def test_a_campaign_written_in_chinese_only_is_saved_as_a_draft(client, author_user, campaign):
    from quizzes.models import Campaign

    from .test_campaigns import campaign_form

    sign_in_officer(client, author_user)

    response = client.post(
        reverse("admin:quizzes_campaign_add"),
        in_chinese_only(campaign_form(campaign, code="xinqiao")),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Campaign.objects.get(code="xinqiao")
    assert (created.status, created.title_en, created.place_zh_hans) == (
        Status.DRAFT,
        None,
        "江滨区",
    )
    assert str(created) == "别给假快递转账"
    listing = client.get(reverse("admin:quizzes_campaign_changelist")).content.decode()
    assert f'<a href="/admin/quizzes/campaign/{created.pk}/change/">别给假快递转账</a>' in listing
    assert (
        "Fill in every language: Place (district) (English), Police unit running it "
        "(English), Title (English)." in " ".join(map(str, created.publication_problems()))
    )


def test_an_alert_written_in_chinese_only_waits_for_its_english_before_review(
    client, author_user, lesson
):
    from quizzes.models import Alert

    from .factories import AlertFactory
    from .test_alert_review import alert_form

    sign_in_officer(client, author_user)
    shape = AlertFactory.build()
    data = in_chinese_only(alert_form(shape, []))

    response = client.post(reverse("admin:quizzes_alert_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    alert = Alert.objects.get()
    assert (alert.status, alert.text_en or "", str(alert)) == (
        Status.DRAFT,
        "",
        "新情况：假冒退税短信",
    )
    refused = client.post(reverse("admin:quizzes_alert_workflow", args=[alert.pk, "submit"]))
    assert last_message(refused) == "Fill in every language: Text (English), Title (English)."
    alert.refresh_from_db()
    assert alert.status == Status.DRAFT


def test_a_campaign_title_empty_in_both_languages_is_refused(client, author_user, campaign):
    from quizzes.models import Campaign

    from .test_campaigns import campaign_form

    sign_in_officer(client, author_user)
    data = campaign_form(campaign, code="xinqiao", title_en="", title_zh_hans="")

    response = client.post(reverse("admin:quizzes_campaign_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "title_en": ["Write this in Chinese or English; it needs both before review."]
    }
    assert not Campaign.objects.filter(code="xinqiao").exists()
