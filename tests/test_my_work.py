"""The workspace's home is the officer's "my work": what waits for them, what was sent
back to them, their drafts, what expires soon, and notices from the workflow."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Action, Kind, Notice, Question, Revision, Status, WorkflowError

from .conftest import sign_in_officer
from .factories import (
    AlertFactory,
    CampaignFactory,
    LessonFactory,
    QuestionFactory,
    UserFactory,
)
from .test_revisions import edit
from .test_workflow import ready_question

pytestmark = pytest.mark.django_db


def home(client):
    return client.get(reverse("admin:index")).content.decode()


def section(page, heading_id):
    """The HTML of one section of the page, by its heading's id."""
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def draft_question(lesson, red_flag, author, slug="ready"):
    """A complete draft question by ``author``, ready to submit (item-writing rules met)."""
    question = ready_question(lesson, red_flag, slug)
    question.status = Status.DRAFT
    question.updated_by = author
    question.save()
    return question


@pytest.fixture
def submitted(author_user, red_flag):
    """A question the author wrote and submitted for review."""
    lesson = LessonFactory(title_en="Fake customs")
    question = draft_question(lesson, red_flag, author_user)
    Question.objects.filter(pk=question.pk).update(
        body_en="Pay the customs fee by gift card.", updated_by=author_user
    )
    question.refresh_from_db()
    question.transition(Action.SUBMIT, author_user)
    return question


def test_a_reviewer_sees_what_waits_for_them(client, reviewer_user, submitted):
    sign_in_officer(client, reviewer_user)

    page = home(client)

    waiting = section(page, "waiting-heading")
    assert "Waiting for my review (1)" in waiting
    assert "Fake customs · Pay the customs fee by gift card." in waiting
    assert "1 to review" in page


def test_an_item_in_review_that_nobody_changed_in_the_workspace_waits_in_the_list_and_the_count(
    client, reviewer_user, submitted
):
    """Content loaded from the curriculum has no "last changed by": the list and the
    number in the navigation follow one rule, so they agree on it."""
    Question.objects.filter(pk=submitted.pk).update(updated_by=None)
    submitted.transitions.all().delete()
    sign_in_officer(client, reviewer_user)

    page = home(client)

    assert "Waiting for my review (1)" in section(page, "waiting-heading")
    assert "1 to review" in page


def test_an_author_is_not_asked_to_review_their_own_work(client, author_user, submitted):
    sign_in_officer(client, author_user)

    page = home(client)

    assert 'id="waiting-heading"' not in page
    assert "to review" not in page


def test_a_reviewer_who_edited_the_work_is_not_asked_to_approve_it(
    client, author_user, reviewer_user, red_flag
):
    question = draft_question(LessonFactory(title_en="Fake bank"), red_flag, author_user)
    question.note_edit(reviewer_user)  # the reviewer helped with the draft
    question.note_edit(author_user)  # and the author changed it last
    question.transition(Action.SUBMIT, author_user)
    second = UserFactory(username="officer-second", is_staff=True)
    second.groups.add(Group.objects.get(name="Reviewers"))
    sign_in_officer(client, reviewer_user)

    page = home(client)

    assert "Waiting for my review (0)" in section(page, "waiting-heading")
    assert "to review" not in page
    with pytest.raises(WorkflowError, match="Another reviewer"):
        question.transition(Action.APPROVE, reviewer_user)
    sign_in_officer(client, second)
    page = home(client)
    assert "Fake bank" in section(page, "waiting-heading")
    assert "1 to review" in page


def test_sent_back_work_reaches_its_author_with_the_comment(
    client, author_user, reviewer_user, submitted
):
    submitted.transition(Action.SEND_BACK, reviewer_user, "Say which customs office.")
    sign_in_officer(client, author_user)

    page = home(client)

    sent_back = section(page, "sent-back-heading")
    assert "Sent back to me (1)" in sent_back
    assert "Fake customs · Pay the customs fee by gift card." in sent_back
    assert "Say which customs office." in sent_back
    assert "officer-reviewer sent back:" in section(page, "notices-heading")
    assert "1 new notice" in page
    assert "My drafts (0)" in page


def test_the_author_is_told_when_their_work_is_published(
    client, author_user, reviewer_user, submitted
):
    submitted.transition(Action.APPROVE, reviewer_user)
    sign_in_officer(client, author_user)

    page = home(client)

    assert "officer-reviewer published:" in section(page, "notices-heading")
    assert [n.user for n in Notice.objects.all()] == [author_user]


def test_no_notice_for_one_s_own_action(reviewer_user, red_flag):
    question = draft_question(LessonFactory(), red_flag, reviewer_user)
    question.transition(Action.SUBMIT, reviewer_user)

    assert not Notice.objects.exists()


def test_marking_notices_read(client, author_user, reviewer_user, submitted):
    submitted.transition(Action.SEND_BACK, reviewer_user, "Again.")
    sign_in_officer(client, author_user)

    response = client.post(reverse("admin:notices-read"))

    assert response.status_code == 302
    assert Notice.objects.unread().count() == 0
    assert "new notice" not in home(client)


# --- Edits of published content (revisions) -----------------------------------------


def reword_live_question(client, author, lesson, body):
    """The author rewords the first published question of ``lesson`` in the workspace:
    citizens keep the approved text, and the change waits for review as a revision."""
    sign_in_officer(client, author)
    edit(client, "question", lesson.questions.get(position=1).pk, body_en=body)
    return Revision.objects.get()


def test_an_edit_of_a_live_question_waits_for_the_reviewer_under_its_name(
    client, lesson, author_user, reviewer_user
):
    revision = reword_live_question(client, author_user, lesson, "Scenario one, reworded.")
    sign_in_officer(client, reviewer_user)

    page = home(client)

    waiting = section(page, "waiting-heading")
    assert "Waiting for my review (1)" in waiting
    assert "Fake courier claims · Scenario number 1: add our claims account." in waiting
    assert "question · edit of published content · Waiting for review" in waiting
    assert "changed by officer-author" in waiting
    assert f'href="{revision.get_absolute_url()}"' in waiting
    assert "fake-courier/q1" not in page
    assert "1 to review" in page


def test_the_reviewer_who_found_it_missing_sees_it_in_chinese(
    client, lesson, author_user, reviewer_user
):
    """An edit of a live question was in review while the Chinese workspace said
    “等我审核 (0)”: the only signal was an e-mail."""
    reword_live_question(client, author_user, lesson, "Scenario one, reworded.")
    sign_in_officer(client, reviewer_user)
    client.cookies["django_language"] = "zh-hans"

    page = home(client)

    waiting = section(page, "waiting-heading")
    assert "等我审核 (1)" in waiting
    assert "冒充快递理赔 · 您的包裹丢失。添加理赔账号即可获赔300元。" in waiting
    assert "1 项待审核" in page


def test_no_author_of_an_edit_is_asked_to_approve_it(
    client, lesson, author_user, reviewer_user, superuser
):
    reword_live_question(client, author_user, lesson, "Scenario one, reworded.")
    reword_live_question(client, reviewer_user, lesson, "Reworded by the reviewer too.")
    assert set(Revision.objects.get().authors.all()) == {author_user, reviewer_user}

    page = home(client)  # the reviewer's, who wrote part of it

    assert "Waiting for my review (0)" in section(page, "waiting-heading")
    assert "to review" not in page
    sign_in_officer(client, author_user)
    assert 'id="waiting-heading"' not in home(client)
    sign_in_officer(client, superuser)
    page = home(client)
    assert "Fake courier claims · Scenario number 1" in section(page, "waiting-heading")
    assert "1 to review" in page


def test_an_edit_sent_back_reaches_its_author_with_the_comment(
    client, lesson, author_user, reviewer_user
):
    revision = reword_live_question(client, author_user, lesson, "Scenario one, reworded.")
    revision.send_back(reviewer_user, "Say which courier company.")
    sign_in_officer(client, author_user)

    page = home(client)

    sent_back = section(page, "sent-back-heading")
    assert "Sent back to me (1)" in sent_back
    assert "Fake courier claims · Scenario number 1" in sent_back
    assert "edit of published content · Sent back to the author" in sent_back
    assert "Say which courier company." in sent_back
    assert f'href="{revision.get_absolute_url()}"' in sent_back
    sign_in_officer(client, reviewer_user)
    assert "Waiting for my review (0)" in section(home(client), "waiting-heading")


def test_a_new_general_reminder_waits_under_its_text(client, author_user, reviewer_user):
    """A reminder shown with every lesson is not on the site before it is approved: the
    list names it by the start of its text, in the officer's language."""
    revision = Revision.objects.create(
        kind=Kind.REMINDER,
        key="call-96110",
        data={
            "slug": "call-96110",
            "authority": {"en": "Anti-fraud centre", "zh_hans": "反诈中心"},
            "text": {"en": "Hang up, then call 96110.", "zh_hans": "先挂断，再拨打96110。"},
        },
        changed_by=author_user,
    )
    revision.authors.add(author_user)
    sign_in_officer(client, reviewer_user)

    waiting = section(home(client), "waiting-heading")

    assert "Hang up, then call 96110." in waiting
    assert "police reminder · new item · Waiting for review" in waiting
    client.cookies["django_language"] = "zh-hans"
    assert "先挂断，再拨打96110。" in section(home(client), "waiting-heading")


# --- Campaigns ---------------------------------------------------------------------


def submitted_campaign(campaign, author):
    """The author's campaign, written as a draft and submitted for review."""
    campaign.status, campaign.updated_by = Status.DRAFT, author
    campaign.save()
    campaign.transition(Action.SUBMIT, author)
    return campaign


def test_a_campaign_in_review_waits_for_a_reviewer(client, campaign, author_user, reviewer_user):
    submitted_campaign(campaign, author_user)
    sign_in_officer(client, reviewer_user)

    page = home(client)

    waiting = section(page, "waiting-heading")
    assert "Waiting for my review (1)" in waiting
    assert "Don&#x27;t pay the fake courier" in waiting
    assert "campaign · In review" in waiting
    url = reverse("admin:quizzes_campaign_change", args=[campaign.pk])
    assert f'href="{url}"' in waiting
    assert "1 to review" in page


def test_a_scam_alert_in_review_waits_for_a_reviewer(client, author_user, reviewer_user):
    alert = AlertFactory(status=Status.DRAFT, updated_by=author_user)
    alert.transition(Action.SUBMIT, author_user)
    sign_in_officer(client, reviewer_user)

    waiting = section(home(client), "waiting-heading")

    assert "Waiting for my review (1)" in waiting
    assert "New: fake tax refund texts" in waiting
    assert f'href="{reverse("admin:quizzes_alert_change", args=[alert.pk])}"' in waiting


def test_the_officer_whose_edit_sent_a_campaign_back_to_review_may_not_approve_it(
    client, campaign, reviewer_user, superuser
):
    campaign.updated_by = reviewer_user
    campaign.save()
    campaign.record_edit(reviewer_user)  # published, so back to review
    campaign.updated_by = superuser  # and someone else changed it last
    campaign.save()
    sign_in_officer(client, reviewer_user)

    page = home(client)

    assert "Waiting for my review (0)" in section(page, "waiting-heading")
    assert "to review" not in page
    with pytest.raises(WorkflowError, match="Another reviewer"):
        campaign.transition(Action.APPROVE, reviewer_user)


def test_an_officer_who_may_not_approve_campaigns_is_not_asked_to(client, campaign, author_user):
    submitted_campaign(campaign, author_user)
    lessons_only = UserFactory(username="officer-lessons", is_staff=True)
    lessons_only.user_permissions.add(
        *Permission.objects.filter(codename__in=["review_content", "view_lesson"])
    )
    sign_in_officer(client, lessons_only)

    page = home(client)

    assert "Waiting for my review (0)" in section(page, "waiting-heading")
    assert "to review" not in page


def test_a_campaign_sent_back_reaches_the_officer_who_sent_it_to_review(
    client, campaign, author_user, reviewer_user
):
    """A published campaign that an officer edits goes back to review; sent back, it
    reaches that officer, not whoever first submitted it."""
    submitted_campaign(campaign, author_user)
    campaign.transition(Action.APPROVE, reviewer_user)
    editor = UserFactory(username="officer-editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Authors"))
    campaign.updated_by = editor
    campaign.save()
    campaign.record_edit(editor)

    campaign.transition(Action.SEND_BACK, reviewer_user, "Give the date of the talk.")

    sign_in_officer(client, editor)
    page = home(client)
    sent_back = section(page, "sent-back-heading")
    assert "Sent back to me (1)" in sent_back
    assert "Don&#x27;t pay the fake courier" in sent_back
    assert "Give the date of the talk." in sent_back
    assert "My drafts (0)" in page
    sign_in_officer(client, author_user)
    assert "Sent back to me (0)" in home(client)


def test_an_author_s_draft_campaign_is_among_their_drafts(client, campaign, author_user):
    campaign.status, campaign.updated_by = Status.DRAFT, author_user
    campaign.save()
    sign_in_officer(client, author_user)

    drafts = section(home(client), "drafts-heading")

    assert "My drafts (1)" in drafts
    assert "Don&#x27;t pay the fake courier" in drafts
    assert "campaign · Draft" in drafts


def test_drafts_and_items_about_to_expire(client, author_user):
    draft = LessonFactory(title_en="My unfinished lesson", status=Status.DRAFT)
    draft.updated_by = author_user
    draft.save()
    today = timezone.localdate()
    LessonFactory(title_en="Expires soon", valid_until=today + datetime.timedelta(days=10))
    LessonFactory(title_en="Expires later", valid_until=today + datetime.timedelta(days=20))
    sign_in_officer(client, author_user)

    page = home(client)

    assert "My unfinished lesson" in section(page, "drafts-heading")
    expiring = section(page, "expiring-heading")
    assert "Expires soon" in expiring
    assert "Expires later" not in expiring


def test_today_s_citizen_activity(client, reviewer_user, lesson):
    from .factories import AnswerFactory

    AnswerFactory(question=lesson.questions.first())
    sign_in_officer(client, reviewer_user)

    page = home(client)

    assert "citizens answered 1 questions (1 learners) and finished 0 quizzes" in page


def test_a_citizen_cannot_open_the_workspace(citizen):
    response = citizen.get(reverse("admin:index"))

    assert response.status_code == 302


@pytest.mark.parametrize("items", [1, 3])
def test_my_work_query_count_does_not_grow_with_items(
    client, reviewer_user, author_user, red_flag, django_assert_num_queries, items
):
    for n in range(items):
        question = draft_question(LessonFactory(), red_flag, author_user, f"q{n}")
        question.transition(Action.SUBMIT, author_user)
        draft = LessonFactory(status=Status.DRAFT)
        draft.updated_by = reviewer_user
        draft.save()
        live = QuestionFactory(lesson=LessonFactory(slug=f"live-{n}"), slug="q")
        for kind, key in ((Kind.LESSON, f"live-{n}"), (Kind.QUESTION, f"live-{n}/q")):
            revision = Revision.objects.create(
                kind=kind, key=key, data={"title": {"en": "Reworded"}}, changed_by=author_user
            )
            revision.authors.add(author_user)
        CampaignFactory(status=Status.REVIEW, updated_by=author_user)
        AlertFactory(status=Status.REVIEW, updated_by=author_user)
    sign_in_officer(client, reviewer_user)
    home(client)  # warms the statistics snapshot and the session

    # Revisions add 3 whatever their number: theirs, and their lessons' and questions'
    # names (1 per kind of item they edit); campaigns 1, alerts 1.
    with django_assert_num_queries(19):
        page = home(client)

    assert section(page, "waiting-heading").count(str(live)) == 1
    assert f"Waiting for my review ({5 * items})" in page
    assert f"{5 * items} to review" in page
