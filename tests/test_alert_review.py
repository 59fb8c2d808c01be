"""A scam alert trains as well as warns: officers choose the questions that train for it,
and while it is live a learner's review starts with those they have not yet answered
correctly since it began, then the usual due items."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Alert, Answer, ReviewKind, ReviewRun, Status
from quizzes.models.alerts import training_due
from quizzes.models.review import REVIEW_SIZE
from quizzes.models.sessions import review_questions

from .conftest import sign_in_officer
from .factories import (
    AlertFactory,
    LearnerFactory,
    LessonFactory,
    QuestionFactory,
    RedFlagFactory,
    UserFactory,
)
from .test_review import answer, answer_through_pages, make_due, start_quiz_as

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
REASON = "A scam is going round: New: fake tax refund texts."


@pytest.fixture
def police(db):
    """A second scam type, whose two questions the learner gets wrong and so has due."""
    code = RedFlagFactory(slug="asks-for-code", title_en="Asks for a verification code")
    lesson = LessonFactory(slug="fake-police", title_en="Fake police")
    for n, channel in enumerate(("chat", "call"), 1):
        QuestionFactory(lesson=lesson, position=n, channel=channel, red_flags=[code])
    return lesson


@pytest.fixture
def alert(lesson):
    """Live for an hour more, trained by the courier lesson's second question."""
    now = timezone.now()
    alert = AlertFactory(starts_at=now - HOUR, ends_at=now + HOUR)
    alert.questions.set([lesson.questions.get(position=2)])
    return alert


def review_started_by(client):
    """The questions of the review session ``client`` starts now, in order."""
    client.post(reverse("quizzes:review"))
    run = ReviewRun.objects.filter(kind=ReviewKind.REVIEW).latest("run__started_at").run
    return list(run.run_questions.order_by("position").values_list("question_id", flat=True))


def test_an_alerts_questions_lead_the_review_only_while_it_is_live(
    visitor, lesson, police, alert, monkeypatch
):
    run = start_quiz_as(visitor, police)
    answer_through_pages(visitor, run, right=False)
    make_due(run.learner)
    trained = lesson.questions.get(position=2).pk
    now = timezone.now()

    monkeypatch.setattr(timezone, "now", lambda: now - 2 * HOUR)  # before it starts
    assert REASON not in visitor.get(reverse("quizzes:review")).text
    assert trained not in review_started_by(visitor)

    monkeypatch.setattr(timezone, "now", lambda: now)  # live
    for page in (reverse("quizzes:home"), reverse("quizzes:review")):
        assert REASON in visitor.get(page).text
    assert "Your review today: 2 questions" in visitor.get(reverse("quizzes:home")).text
    questions = review_started_by(visitor)
    assert questions[0] == trained
    assert set(questions[1:]) <= set(police.questions.values_list("pk", flat=True))

    monkeypatch.setattr(timezone, "now", lambda: now + 2 * HOUR)  # after it ended
    assert REASON not in visitor.get(reverse("quizzes:home")).text
    assert trained not in review_started_by(visitor)


def test_a_learner_with_nothing_due_still_gets_the_alerts_questions(visitor, lesson, alert):
    run = start_quiz_as(visitor, lesson)
    answer_through_pages(visitor, run, right=True)  # nothing due for days
    trained = lesson.questions.get(position=2).pk
    Answer.objects.filter(question_id=trained).update(answered_at=alert.starts_at - HOUR)

    assert (
        "Your review today: 1 question, about 1 minute"
        in visitor.get(reverse("quizzes:home")).text
    )
    assert review_started_by(visitor) == [trained]


def test_answering_right_since_the_alert_began_takes_its_question_out(lesson, alert):
    learner = LearnerFactory()
    question = lesson.questions.get(position=2)
    wrong = answer(learner, question, right=False)
    assert training_due(learner.pk, [alert]) == [(alert, [question.pk])]

    right = answer(learner, question, right=True)
    assert training_due(learner.pk, [alert]) == []

    # A right answer from before the alert began does not count.
    Answer.objects.filter(pk=right.pk).update(answered_at=alert.starts_at - HOUR)
    assert wrong.answered_at >= alert.starts_at
    assert training_due(learner.pk, [alert]) == [(alert, [question.pk])]


def test_an_alert_without_chosen_questions_trains_with_its_lessons(lesson):
    alert = AlertFactory(lesson=lesson)
    learner = LearnerFactory()
    [(found, ids)] = training_due(learner.pk, [alert])
    assert found == alert
    assert ids == list(lesson.questions.order_by("position").values_list("pk", flat=True))
    assert training_due(learner.pk, [AlertFactory()]) == []  # neither: nothing to train


def test_the_alerts_questions_and_the_due_ones_make_at_most_a_review(lesson, police):
    learner = LearnerFactory()
    for question in police.questions.all():
        answer(learner, question, right=False)
    make_due(learner)
    first = list(lesson.questions.values_list("pk", flat=True))

    picked = review_questions(learner.pk, first=first, size=4)
    assert picked[:3] == first and len(picked) == 4
    assert review_questions(learner.pk, first=first, size=2) == first[:2]
    assert len(review_questions(learner.pk, first=first)) <= REVIEW_SIZE


def test_the_home_page_reads_the_alerts_answers_with_one_query_more(
    visitor, lesson, police, django_assert_num_queries
):
    run = start_quiz_as(visitor, police)
    answer_through_pages(visitor, run, right=False)
    make_due(run.learner)
    visitor.get(reverse("quizzes:home"))  # fills the content cache
    # session, lesson summaries, answers not yet remembered, review due
    with django_assert_num_queries(4):
        assert REASON not in visitor.get(reverse("quizzes:home")).text

    now = timezone.now()
    AlertFactory(starts_at=now - HOUR, ends_at=now + HOUR).questions.set(
        [lesson.questions.get(position=1)]
    )
    visitor.get(reverse("quizzes:home"))  # the new content, cached
    with django_assert_num_queries(5):  # and the learner's right answers to its questions
        assert REASON in visitor.get(reverse("quizzes:home")).text


def test_the_progress_page_counts_the_alerts_questions_as_the_review_page_does(
    visitor, lesson, police, alert, monkeypatch, django_assert_num_queries
):
    run = start_quiz_as(visitor, police)
    answer_through_pages(visitor, run, right=False)
    make_due(run.learner)
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    visitor.get(reverse("quizzes:home"))  # fills the content cache

    review = visitor.get(reverse("quizzes:review")).text
    # session, activity, lesson summaries, answers not yet remembered, the learner's
    # right answers to the alert's questions, red flags, review due, five latest runs:
    # one more only while it is live
    with django_assert_num_queries(8):
        progress = visitor.get(reverse("quizzes:progress")).text

    assert "2 questions are due" in review
    assert "Your review today: 2 questions, about 1 minute" in progress
    assert REASON in review
    assert REASON in progress
    with django_assert_num_queries(2):  # session, activity: nothing new since
        assert REASON in visitor.get(reverse("quizzes:progress")).text

    # Once it has ended the learner did nothing new, yet the box no longer counts it.
    monkeypatch.setattr(timezone, "now", lambda: now + 2 * HOUR)
    progress = visitor.get(reverse("quizzes:progress")).text
    assert REASON not in progress
    assert "Your review today: 1 question, about 1 minute" in progress
    assert "1 question is due" in visitor.get(reverse("quizzes:review")).text


# --- The workspace ------------------------------------------------------------------------


def officer(username, group):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def alert_form(alert, questions):
    return {
        "title_en": alert.title_en,
        "title_zh_hans": alert.title_zh_hans,
        "text_en": alert.text_en,
        "text_zh_hans": alert.text_zh_hans,
        "lesson": "",
        "questions": [q.pk for q in questions],
        "starts_at_0": alert.starts_at.date().isoformat(),
        "starts_at_1": "08:00:00",
        "ends_at_0": (alert.starts_at + datetime.timedelta(days=3)).date().isoformat(),
        "ends_at_1": "08:00:00",
    }


def test_the_alert_form_offers_published_questions_by_lesson_and_message(client, lesson):
    QuestionFactory(lesson=lesson, position=9, status=Status.DRAFT, body_en="Draft text here")
    alert = AlertFactory(status=Status.DRAFT)
    sign_in_officer(client, officer("officer-author", "Authors"))
    url = reverse("admin:quizzes_alert_change", args=[alert.pk])

    page = client.get(url).text
    # Under the lesson's title, each named by the start of its message.
    heading = page.index("<fieldset><legend>Fake courier claims</legend>")
    assert heading < page.index("Scenario number 1: add our claims account.")
    assert "Draft text here" not in page

    client.post(reverse("admin:quizzes_workspace_language"), {"language": "zh-hans"})
    page = client.get(url).text
    assert "<fieldset><legend>冒充快递理赔</legend>" in page
    assert "您的包裹丢失。添加理赔账号即可获赔300元。" in page


def test_an_unpublished_question_cannot_train_for_an_alert(client, lesson):
    draft = QuestionFactory(lesson=lesson, position=9, status=Status.DRAFT)
    alert = AlertFactory(status=Status.DRAFT)
    sign_in_officer(client, officer("officer-author", "Authors"))

    url = reverse("admin:quizzes_alert_change", args=[alert.pk])
    response = client.post(url, alert_form(alert, [draft]))
    assert response.status_code == 200 and "Select a valid choice" in response.text
    assert not alert.questions.exists()

    # A question chosen while published and archived since stops the approval.
    published = lesson.questions.get(position=1)
    alert.questions.set([published])
    assert alert.publication_problems() == []
    published.status = Status.ARCHIVED
    published.save()
    assert alert.publication_problems() == ["Every question that trains for it must be published."]


def test_changing_a_live_alerts_questions_sends_it_back_to_review(client, lesson, alert):
    sign_in_officer(client, officer("officer-editor", "Reviewers"))
    url = reverse("admin:quizzes_alert_change", args=[alert.pk])

    assert client.post(url, alert_form(alert, lesson.questions.all())).status_code == 302

    alert.refresh_from_db()
    assert alert.status == Status.REVIEW
    assert set(alert.questions.all()) == set(lesson.questions.all())
    assert not Alert.objects.live().exists()  # off the site until a second officer approves
