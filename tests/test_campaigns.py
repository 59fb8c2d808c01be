"""Campaigns: the short link and landing page, joining without an account, the before and
after checks, and the campaign's workflow."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation

from quizzes.learners import SESSION_KEY
from quizzes.models import (
    Action,
    Campaign,
    Learner,
    Lesson,
    OutreachTransition,
    Participant,
    Question,
    QuizRun,
    Status,
    WorkflowError,
)

from .conftest import sign_in_officer
from .factories import LessonFactory, QuestionFactory, UserFactory

pytestmark = pytest.mark.django_db


def officer(role):
    user = UserFactory(username=f"officer-{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def landing(code="riverside"):
    return reverse("quizzes:campaign", args=[code])


def answer_all(client, run):
    """Answer every question of a run, right or wrong as the choice ordering gives."""
    for rq in run.run_questions.select_related("question").order_by("position"):
        choice = rq.question.choices.order_by("position").last()  # the right one
        client.post(
            reverse("quizzes:run-question", args=[run.public_id, rq.position]),
            {"choice": choice.pk},
        )


# --- The landing page -------------------------------------------------------------------


def test_landing_says_who_runs_it_and_what_it_takes(visitor, campaign):
    response = visitor.get(landing())
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "<h1>Don&#x27;t pay the fake courier</h1>" in html
    assert "Riverside police station" in html
    assert "Riverside district" in html
    assert "A short check: 3 questions." in html
    assert campaign.lessons.get().title in html
    assert 'class="wrap campaign"' in html  # the large type
    assert 'name="age_band"' in html and 'name="district"' in html


def test_landing_in_chinese(visitor, campaign):
    with translation.override("zh-hans"):
        url = landing()
    html = visitor.get(url).content.decode()
    assert "别给假快递转账" in html and "江滨派出所" in html
    assert "Don&#x27;t pay" not in html


def test_landing_never_shows_the_answer_key(visitor, campaign):
    html = visitor.get(landing()).content.decode()
    assert "Call the courier" not in html  # the right choice's text
    assert "is_correct" not in html


def test_landing_for_visitors_comes_from_the_cache(visitor, campaign, django_assert_num_queries):
    visitor.get(landing())
    with django_assert_num_queries(0):
        assert visitor.get(landing()).status_code == 200


@pytest.mark.parametrize("lessons", [1, 3])
def test_landing_costs_the_same_whatever_the_lessons(
    visitor, campaign, lessons, django_assert_num_queries
):
    for n in range(lessons - 1):
        campaign.lessons.add(LessonFactory(slug=f"extra-{n}"))
    # The campaign with its lessons and quiz (3), the check questions (1).
    with django_assert_num_queries(4):
        visitor.get(landing())


def test_short_link_redirects_to_the_visitors_language(visitor, campaign):
    response = visitor.get("/c/riverside/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 302
    assert response["Location"] == "/zh-hans/c/riverside/"
    assert campaign.link == "http://127.0.0.1:8000/c/riverside/"


def test_unknown_or_unpublished_campaigns_are_404(visitor, campaign):
    assert visitor.get(landing("nosuch")).status_code == 404
    assert visitor.get(landing("x" * 40)).status_code == 404
    campaign.status = Status.DRAFT
    campaign.save()
    assert visitor.get(landing()).status_code == 404
    assert visitor.post(reverse("quizzes:campaign-join", args=["riverside"])).status_code == 404


def test_staff_preview_a_draft_campaign(client, campaign, superuser):
    campaign.status = Status.DRAFT
    campaign.save()
    sign_in_officer(client, superuser)
    html = client.get(landing()).content.decode()
    assert "Preview, not published." in html


def test_a_campaign_outside_its_dates_is_not_open(visitor, campaign):
    campaign.starts_on = campaign.ends_on = timezone.localdate() - datetime.timedelta(days=3)
    campaign.save()
    html = visitor.get(landing()).content.decode()
    assert "This campaign is not open now." in html
    response = visitor.post(reverse("quizzes:campaign-join", args=["riverside"]))
    assert response.status_code == 404


# --- Joining ----------------------------------------------------------------------------


def test_joining_counts_the_visitor_without_an_account(visitor, campaign):
    response = visitor.post(
        reverse("quizzes:campaign-join", args=["riverside"]),
        {"age_band": "60-74", "district": "  Old   Town "},
    )
    participant = Participant.objects.get()
    assert participant.learner.user is None
    assert (participant.age_band, participant.district) == ("60-74", "old town")
    run = participant.before_run
    assert run.size == 3 and run.lesson is None
    assert response["Location"] == run.get_absolute_url()
    assert visitor.session[SESSION_KEY] == participant.learner_id


def test_joining_may_skip_both_questions(visitor, campaign):
    visitor.post(reverse("quizzes:campaign-join", args=["riverside"]), {})
    participant = Participant.objects.get()
    assert (participant.age_band, participant.district) == ("", "")


@pytest.mark.parametrize(
    "data",
    [
        {"age_band": "ninety"},
        {"district": "x" * 41},
        {"age_band": ["60-74", "<b>"]},
        {"district": "call me 13800138000"},
    ],
)
def test_bad_answers_to_the_optional_questions_are_400(visitor, campaign, data):
    response = visitor.post(reverse("quizzes:campaign-join", args=["riverside"]), data)
    assert response.status_code == 400
    assert "Please check the following" in response.content.decode()
    assert not Participant.objects.exists()


def test_joining_twice_continues_the_same_check(visitor, campaign):
    url = reverse("quizzes:campaign-join", args=["riverside"])
    first = visitor.post(url)["Location"]
    second = visitor.post(url)["Location"]
    assert first == second
    assert Participant.objects.count() == 1
    assert QuizRun.objects.count() == 1


def test_the_landing_shows_a_participant_where_they_are(visitor, campaign):
    visitor.post(reverse("quizzes:campaign-join", args=["riverside"]))
    html = visitor.get(landing()).content.decode()
    assert "Continue the first check" in html
    assert 'name="age_band"' not in html


# --- Before and after -------------------------------------------------------------------


def test_before_and_after_checks_differ_on_the_same_tactics(campaign, lesson):
    other = LessonFactory(slug="fake-police")
    for n in range(1, 5):
        QuestionFactory(lesson=other, slug=f"p{n}", position=n)
    campaign.lessons.add(other)
    before, after = Campaign.objects.with_content().get().check_questions()
    assert len(before) == len(after) == 3
    assert not set(before) & set(after)
    lesson_of = dict(lesson.questions.values_list("id", "lesson_id"))
    lesson_of.update(other.questions.values_list("id", "lesson_id"))
    assert sorted(lesson_of[q] for q in before) == sorted(lesson_of[q] for q in after)
    assert {lesson_of[q] for q in before} == {lesson.pk, other.pk}


def test_the_checks_leave_out_the_campaign_quiz(campaign, lesson):
    quiz = list(lesson.questions.order_by("position")[:2])
    campaign.questions.set(quiz)
    before, after = Campaign.objects.with_content().get().check_questions()
    assert before == [] and after == []  # 4 questions left: two pairs, not three
    campaign.status = Status.DRAFT
    assert "pairs of published questions" in " ".join(map(str, campaign.publication_problems()))


def test_the_whole_journey_before_lessons_after(visitor, campaign):
    start = visitor.post(reverse("quizzes:campaign-join", args=["riverside"]))
    participant = Participant.objects.get()
    # Too early for the after check: it leads back to the first.
    early = visitor.post(reverse("quizzes:campaign-after", args=["riverside"]))
    assert early["Location"] == start["Location"]
    answer_all(visitor, participant.before_run)
    results = visitor.get(reverse("quizzes:run-results", args=[participant.before_run.public_id]))
    assert "Back to the campaign" in results.content.decode()
    assert "Take the final check" in visitor.get(landing()).content.decode()
    visitor.post(reverse("quizzes:campaign-after", args=["riverside"]))
    participant.refresh_from_db()
    before = set(participant.before_run.run_questions.values_list("question_id", flat=True))
    after = set(participant.after_run.run_questions.values_list("question_id", flat=True))
    assert len(after) == 3 and not before & after
    answer_all(visitor, participant.after_run)
    participant.refresh_from_db()
    assert participant.after_done
    html = visitor.get(landing()).content.decode()
    assert "You have finished. Thank you!" in html
    assert "First check: 3 of 3 right. Final check: 3 of 3 right." in html


def test_a_campaigns_runs_say_whose_they_are_and_lead_back_to_it(visitor, campaign):
    """The checks read "Mixed practice", and their results offered "Practise again",
    which left the campaign, right under "Back to the campaign"."""
    visitor.post(reverse("quizzes:campaign-join", args=["riverside"]))
    first = Participant.objects.get().before_run

    question = visitor.get(reverse("quizzes:run-question", args=[first.public_id, 1])).text
    answer_all(visitor, first)
    results = visitor.get(reverse("quizzes:run-results", args=[first.public_id])).text

    assert "Campaign: first check" in question and "Mixed practice" not in question
    assert "Campaign: first check" in results
    assert "Back to the campaign" in results and "Practise again" not in results


def test_the_after_check_needs_to_have_joined(visitor, campaign):
    response = visitor.post(reverse("quizzes:campaign-after", args=["riverside"]))
    assert response.status_code == 404


def test_the_campaign_quiz(visitor, campaign, lesson):
    other = LessonFactory(slug="fake-police")
    quiz = [QuestionFactory(lesson=other, slug=f"p{n}", position=n) for n in range(1, 3)]
    campaign.questions.set(quiz)
    visitor.post(reverse("quizzes:campaign-join", args=["riverside"]))
    response = visitor.post(reverse("quizzes:campaign-quiz", args=["riverside"]))
    run = QuizRun.objects.latest("id")
    assert response["Location"] == run.get_absolute_url()
    assert list(run.run_questions.values_list("question_id", flat=True)) == [q.pk for q in quiz]


def test_logging_in_keeps_the_campaign_entry(client, campaign, citizen_user):
    client.post(reverse("quizzes:campaign-join", args=["riverside"]))
    from .conftest import PASSWORD

    client.post(reverse("quizzes:login"), {"username": "meiling", "password": PASSWORD})
    participant = Participant.objects.get()
    assert participant.learner == Learner.objects.get(user=citizen_user)


# --- Workflow ---------------------------------------------------------------------------


def test_a_campaign_needs_a_second_officer_to_publish(campaign):
    author, reviewer = officer("Authors"), officer("Reviewers")
    campaign.status = Status.DRAFT
    campaign.updated_by = author
    campaign.save()
    campaign.transition(Action.SUBMIT, author)
    campaign.updated_by = reviewer  # a reviewer who edits it may not approve it too
    with pytest.raises(WorkflowError, match="Another reviewer"):
        campaign.transition(Action.APPROVE, reviewer)
    campaign.updated_by = author
    campaign.transition(Action.APPROVE, reviewer)
    assert campaign.status == Status.PUBLISHED
    steps = list(OutreachTransition.objects.order_by("id").values_list("action", "user"))
    assert steps == [(Action.SUBMIT, author.pk), (Action.APPROVE, reviewer.pk)]


def test_a_campaign_without_translations_cannot_go_to_review(campaign):
    campaign.status, campaign.unit_zh_hans = Status.DRAFT, ""
    campaign.save()
    with pytest.raises(WorkflowError, match="Fill in every language"):
        campaign.transition(Action.SUBMIT, officer("Authors"))


def test_an_officer_creates_a_campaign_in_the_admin(client, campaign, lesson):
    author = officer("Authors")
    sign_in_officer(client, author)
    response = client.post(
        reverse("admin:quizzes_campaign_add"),
        {
            "title_en": "Safe money at the bank",
            "title_zh_hans": "银行里的安全钱",
            "code": "bank24",
            "unit_en": "Economic crime unit",
            "unit_zh_hans": "经侦支队",
            "place_en": "Harbour district",
            "place_zh_hans": "港区",
            "audience": "finance",
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-20",
            "lessons": [lesson.pk],
            "status": Status.PUBLISHED,  # ignored: new items start as drafts
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Campaign.objects.get(code="bank24")
    assert created.status == Status.DRAFT and created.updated_by == author
    page = client.get(reverse("admin:quizzes_campaign_change", args=[created.pk]))
    assert "Submit for review" in page.content.decode()
    assert created.link in page.content.decode()


def edit_as_author(client, campaign):
    """Sign an author in; the campaign's page in the workspace."""
    sign_in_officer(client, officer("Authors"))
    return reverse("admin:quizzes_campaign_change", args=[campaign.pk])


def campaign_form(campaign, **changes):
    """The campaign's admin form as its page posts it, with ``changes``."""
    return {
        "title_en": campaign.title_en,
        "title_zh_hans": campaign.title_zh_hans,
        "code": campaign.code,
        "unit_en": campaign.unit_en,
        "unit_zh_hans": campaign.unit_zh_hans,
        "place_en": campaign.place_en,
        "place_zh_hans": campaign.place_zh_hans,
        "audience": campaign.audience,
        "starts_on": campaign.starts_on.isoformat(),
        "ends_on": campaign.ends_on.isoformat(),
        "lessons": [lesson.pk for lesson in campaign.lessons.all()],
        **changes,
    }


def test_the_quiz_questions_are_picked_under_their_lessons_by_kind_and_message(
    client, campaign, lesson
):
    police = LessonFactory(slug="fake-police", title_en="Fake police", title_zh_hans="冒充公检法")
    QuestionFactory(
        lesson=police, position=1, body_en="This is the police. Your account is frozen."
    )
    QuestionFactory(lesson=police, position=2, body_en="Draft: not for citizens", status="draft")
    hidden = LessonFactory(slug="unreviewed", title_en="Unreviewed lesson", status="review")
    QuestionFactory(lesson=hidden, position=1, body_en="A question of an unreviewed lesson")
    url = edit_as_author(client, campaign)

    page = client.get(url).text

    # A group per lesson, in lesson order, named by its legend.
    courier = page.index("<fieldset><legend>Fake courier claims</legend>")
    assert courier < page.index("<fieldset><legend>Fake police</legend>")
    assert courier < page.index("Choose an answer · Scenario number 1: add our claims account.")
    assert "Choose an answer · This is the police. Your account is frozen.</label>" in page
    # Only what citizens may be given.
    assert "Draft: not for citizens" not in page
    assert "<legend>Unreviewed lesson</legend>" not in page
    assert "A question of an unreviewed lesson" not in page

    client.post(reverse("admin:quizzes_workspace_language"), {"language": "zh-hans"})
    page = client.get(url).text
    assert "<fieldset><legend>冒充公检法</legend>" in page
    assert "选择答案 · 您的包裹丢失。添加理赔账号即可获赔300元。</label>" in page


def test_a_long_message_is_cut_before_a_word_in_either_language():
    english = QuestionFactory.build(
        kind="spot",
        body_en="Dear customer, your parcel is held at the depot. Pay the customs fee today.",
    )
    assert (
        english.short_label(width=40)
        == "Tap the red flags · Dear customer, your parcel is held at…"
    )
    with translation.override("zh-hans"):
        chinese = QuestionFactory.build(
            body_zh_hans="尊敬的客户，您的包裹被扣留在仓库，请今天缴纳关税。"
        )
        assert chinese.short_label(width=20) == "选择答案 · 尊敬的客户，您的包裹…"


def test_an_officer_ticks_the_quiz_questions_and_a_draft_is_refused(client, campaign, lesson):
    url = edit_as_author(client, campaign)
    first, second = lesson.questions.order_by("position")[:2]
    draft = QuestionFactory(lesson=lesson, position=9, status="draft")

    response = client.post(url, campaign_form(campaign, questions=[first.pk, draft.pk]))
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not campaign.questions.exists()

    response = client.post(url, campaign_form(campaign, questions=[first.pk, second.pk]))
    assert response.status_code == 302
    assert set(campaign.questions.all()) == {first, second}


def test_a_question_that_left_the_site_stays_ticked_until_the_officer_unticks_it(
    client, campaign, lesson
):
    first, second = lesson.questions.order_by("position")[:2]
    campaign.questions.set([first, second])
    Question.objects.filter(pk=second.pk).update(status="archived")
    url = edit_as_author(client, campaign)

    page = client.get(url).text
    response = client.post(url, campaign_form(campaign, questions=[first.pk, second.pk]))

    assert f'value="{second.pk}"' in page and "(no longer on the site)" in page
    assert response.status_code == 302
    assert set(campaign.questions.all()) == {first, second}


def test_a_campaign_offers_only_lessons_on_the_site_and_keeps_one_that_left(
    client, campaign, lesson
):
    """A draft lesson cannot be taken to a community; a lesson the campaign holds that
    has left the site since stays listed, named so, until the officer drops it."""
    draft = LessonFactory(slug="draft-lesson", title_en="Not ready yet", status="draft")
    archived = LessonFactory(slug="old-lesson", title_en="An old lesson")
    campaign.lessons.set([lesson, archived])
    Lesson.objects.filter(pk=archived.pk).update(status="archived")
    url = edit_as_author(client, campaign)

    page = client.get(url).text
    refused = client.post(url, campaign_form(campaign, lessons=[lesson.pk, draft.pk]))
    kept = client.post(url, campaign_form(campaign, lessons=[lesson.pk, archived.pk]))

    assert "Not ready yet" not in page
    assert "An old lesson (no longer on the site)" in page
    assert refused.status_code == 200 and "Select a valid choice" in refused.text
    assert kept.status_code == 302
    assert set(campaign.lessons.all()) == {lesson, archived}


@pytest.mark.parametrize("lessons", [1, 3])
def test_the_campaign_form_costs_the_same_whatever_the_questions(
    client, campaign, lessons, django_assert_num_queries
):
    for n in range(lessons - 1):
        extra = LessonFactory(slug=f"extra-{n}")
        for position in (1, 2, 3):
            QuestionFactory(lesson=extra, position=position)
    campaign.questions.set(Question.objects.filter(position=2))
    url = edit_as_author(client, campaign)
    client.get(url)

    # The tick boxes are one query, and the workflow panel reads the lessons of the
    # quiz's questions with them.
    with django_assert_num_queries(20):
        page = client.get(url).text
    assert page.count('type="checkbox" name="questions"') == 6 + 3 * (lessons - 1)
    assert page.count('name="questions" value') == 6 + 3 * (lessons - 1)


def test_citizens_cannot_open_the_campaign_admin(citizen):
    response = citizen.get(reverse("admin:quizzes_campaign_changelist"))
    assert response.status_code == 302


def test_a_hall_on_one_wifi_may_join_beyond_the_quiz_limit(campaign, client_factory, settings):
    settings.RATE_LIMIT_RUNS_PER_ADDRESS_PER_MINUTE = 1
    settings.RATE_LIMIT_CAMPAIGN_JOINS_PER_ADDRESS_PER_MINUTE = 3
    url = reverse("quizzes:campaign-join", args=["riverside"])
    statuses = [client_factory().post(url).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert Participant.objects.count() == Learner.objects.count() == 3


@pytest.mark.parametrize("lessons", [1, 3])
def test_a_participants_page_costs_two_queries(
    visitor, campaign, lessons, django_assert_num_queries
):
    for n in range(lessons - 1):
        campaign.lessons.add(LessonFactory(slug=f"extra-{n}"))
    visitor.post(reverse("quizzes:campaign-join", args=["riverside"]))
    visitor.get(landing())
    with django_assert_num_queries(2):  # the session, the participant with its runs
        assert "Continue the first check" in visitor.get(landing()).content.decode()


def test_my_data_holds_what_a_participant_told(visitor, campaign):
    visitor.post(
        reverse("quizzes:campaign-join", args=["riverside"]),
        {"age_band": "40-59", "district": "Hill"},
    )
    data = visitor.get(reverse("quizzes:my-data")).json()
    [entry] = data["campaigns"]
    assert (entry["campaign"], entry["age_band"], entry["district"]) == (
        "riverside",
        "40-59",
        "hill",
    )
    visitor.post(reverse("quizzes:delete-my-data"))
    assert not Participant.objects.exists()


def test_editing_a_published_campaign_sends_it_back_to_review(client, campaign, client_factory):
    editor = officer("Reviewers")
    reviewer = UserFactory(username="officer-second", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    sign_in_officer(client, editor)
    url = reverse("admin:quizzes_campaign_change", args=[campaign.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Workflow" in page.content.decode()
    form = campaign_form(campaign, title_en="Don't pay the fake courier, ever")
    assert client.post(url, form).status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Status.REVIEW
    assert client_factory().get(landing()).status_code == 404  # off the site until approved
    with pytest.raises(WorkflowError, match="Another reviewer"):
        campaign.transition(Action.APPROVE, editor)
    campaign.transition(Action.APPROVE, reviewer)
    assert campaign.status == Status.PUBLISHED
