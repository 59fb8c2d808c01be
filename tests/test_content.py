"""The shipped curriculum is complete, in both languages, and traceable to its sources.

These tests fail the build when content is missing, untranslated or unsourced.
"""

import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from quizzes.curriculum.loader import TRANSLATED
from quizzes.models import Case, Channel, Lesson, Question, Reminder, Spot

pytestmark = pytest.mark.django_db

LESSON_SLUGS = {
    "qr-code-trojans",
    "sms-phishing-links",
    "fake-police-safe-account",
    "fake-relative-chat",
    "fake-boss",
    "flight-refund",
    "fake-shop-customer-service",
    "fake-investment",
    "guess-who-i-am",
    "click-farming-jobs",
    "prize-fees",
    "fake-bank-loans",
    "fake-bank-upgrade",
    "fund-recovery",
    "courier-insurance-claims",
    "shopping-festival-sms",
    "screen-sharing",
    "fake-regulator-calls",
    "fake-sellers-online-shopping",
    "romance-investment-pig-butchering",
    "ai-face-and-voice",
    "genuine-anti-fraud-channels",
}


@pytest.fixture
def curriculum():
    call_command("load_curriculum", stdout=StringIO())


def test_every_scam_type_has_a_published_lesson(curriculum):
    assert set(Lesson.objects.published().values_list("slug", flat=True)) >= LESSON_SLUGS


def test_each_lesson_has_every_part(curriculum):
    for lesson in Lesson.objects.for_page():
        assert 3 <= len(lesson.steps.all()) <= 6, lesson
        assert len(lesson.red_flags.all()) >= 3, lesson
        assert lesson.reminders.all(), lesson
        assert all(r.authority for r in lesson.reminders.all()), lesson
        assert lesson.legal_references.all(), lesson
        assert lesson.sources.all(), lesson
        questions = Question.objects.published().filter(lesson=lesson)
        assert questions.count() >= 4, lesson
        assert questions.values("channel").distinct().count() >= 2, lesson
        assert questions.filter(is_scam=False).exists(), lesson


def test_curriculum_counts(curriculum):
    questions = Question.objects.published()
    assert questions.filter(is_scam=False).count() >= 15
    # App installation prompts are drawn but no shipped question uses one yet.
    channels = set(questions.values_list("channel", flat=True))
    assert channels >= set(Channel.values) - {Channel.APP_INSTALL}


def test_cases_from_the_seeds_are_present(curriculum):
    zhang = Case.objects.get(lesson__slug="fake-shop-customer-service", loss=19240)
    assert zhang.source.code == "003"
    assert "360" in zhang.story_en
    assert Case.objects.filter(lesson__slug="fund-recovery", source__code="001").count() >= 2
    for case in Case.objects.select_related("source"):
        assert case.source is not None and case.place_en, case


def test_every_question_has_exactly_one_correct_choice(curriculum):
    questions = Question.objects.published().filter(kind="choice")
    for question in questions.prefetch_related("choices", "red_flags"):
        choices = list(question.choices.all())
        assert len(choices) >= 2, question
        assert sum(c.is_correct for c in choices) == 1, question
        if question.is_scam:
            assert question.red_flags.all(), question


def test_correct_answers_are_not_always_in_the_same_place(curriculum):
    positions = {
        next(i for i, c in enumerate(q.choices.all()) if c.is_correct)
        for q in Question.objects.published().filter(kind="choice").prefetch_related("choices")
    }
    assert len(positions) >= 3


def test_general_reminders_cover_the_essentials(curriculum):
    text = " ".join(Reminder.objects.general().values_list("text_en", flat=True))
    for fact in ["don't listen", "110", "safe account", "96110", "the way you paid"]:
        assert fact in text, fact
    assert "number" in text and "passwords" in text


def translated_rows():
    for model, fields in TRANSLATED.items():
        for obj in model.objects.all():
            for field in fields:
                # A spot's words are copied from the message: an address is the same in both.
                if not (model is Spot and field == "text"):
                    yield model, obj, field


def test_every_filled_field_is_filled_in_both_languages_and_differs(curriculum):
    problems = []
    for model, obj, field in translated_rows():
        en, zh = getattr(obj, f"{field}_en"), getattr(obj, f"{field}_zh_hans")
        if not en and not zh:
            continue  # optional field left empty in both
        if not en or not zh:
            problems.append(f"{model.__name__} {obj.pk} {field}: empty in one language")
        elif en == zh:
            problems.append(f"{model.__name__} {obj.pk} {field}: Chinese equals English")
        elif not re.search(r"[\u4e00-\u9fff]", zh):
            problems.append(f"{model.__name__} {obj.pk} {field}: no Chinese characters")
    assert problems == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_published_question_renders(curriculum, language, settings):
    """Answer every question in a lesson quiz and render its page and its feedback."""
    settings.RATE_LIMIT_ANSWERS_PER_MINUTE = 1000
    client = Client()
    for lesson in Lesson.objects.published():
        response = client.post(f"/{language}/lessons/{lesson.slug}/quiz/")
        run_url = response["Location"]
        for rq in lesson.runs.latest("started_at").run_questions.select_related("question"):
            url = run_url.replace("/1/", f"/{rq.position}/")
            page = client.get(url)
            assert page.status_code == 200
            question = rq.question
            expected = answer_somehow(client, url, question)
            feedback = html.unescape(client.get(url).content.decode())
            with translation.override(language):
                assert question.prompt in html.unescape(page.content.decode())
                assert expected() in feedback
                assert rq.question.explanation in feedback


def answer_somehow(client, url, question):
    """Answer any kind of question: the first choice, every spot, or the first reply at
    every turn. Returns a callable giving a text the feedback shows (in the language
    active when it is called)."""
    if question.kind == "spot":
        spots = list(question.spots.all())
        assert client.post(url, {"spot": [s.pk for s in spots]}).status_code == 302
        return lambda: spots[0].explanation
    if question.kind == "conversation":
        turn = question.turns.first()
        for _ in range(13):
            reply = turn.replies.first()
            assert client.post(url, {"turn": turn.pk, "reply": reply.pk}).status_code == 302
            if reply.next_ending_id:
                ending = reply.next_ending
                return lambda: ending.text
            turn = reply.next_turn
        raise AssertionError(f"{question}: no ending after 12 turns")
    choice = question.choices.first()
    assert client.post(url, {"choice": choice.pk}).status_code == 302
    return lambda: choice.feedback
