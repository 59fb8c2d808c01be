"""The shipped curriculum loads, loads again without change, and respects admin edits."""

import pytest
from django.core.management import call_command

from quizzes.curriculum.loader import Loader
from quizzes.curriculum.schema import read_lessons
from quizzes.models import Choice, Lesson, Question, Reminder, Reply, Status

pytestmark = pytest.mark.django_db


def load(*args):
    from io import StringIO

    out = StringIO()
    call_command("load_curriculum", *args, stdout=out)
    return out.getvalue()


def test_first_load_creates_the_whole_curriculum_published():
    output = load()

    assert Lesson.objects.published().count() >= 22
    assert Question.objects.published().count() >= 72
    assert Reminder.objects.general().count() >= 7
    assert "created" in output
    assert ", 0 updated, 0 unchanged, 0 skipped" in output


def test_second_load_changes_nothing():
    load()
    before = list(Question.objects.values_list("id", "updated_at"))

    output = load()

    assert "Curriculum loaded: 0 created, 0 updated, " in output
    assert ", 0 skipped" in output
    assert list(Question.objects.values_list("id", "updated_at")) == before


def test_load_leaves_admin_edits_alone_unless_forced(superuser):
    load()
    lesson = Lesson.objects.get(slug="fake-shop-customer-service")
    lesson.title_en = "Edited by an officer"
    lesson.updated_by = superuser
    lesson.save()

    output = load()

    lesson.refresh_from_db()
    assert lesson.title_en == "Edited by an officer"
    assert "lessons: 1 skipped" in output
    assert "1 skipped" in output.splitlines()[-1]

    output = load("--force")

    lesson.refresh_from_db()
    assert lesson.title_en != "Edited by an officer"
    assert lesson.updated_by is None
    assert "lessons: 1 updated" in output


def test_load_restores_changed_content_that_nobody_stamped():
    load()
    question = Question.objects.get(slug=Question.objects.first().slug, lesson__position=1)
    question.body_en = "Changed outside the admin"
    question.save()

    output = load()

    question.refresh_from_db()
    assert question.body_en != "Changed outside the admin"
    assert "questions: 1 updated" in output


def test_load_can_move_the_correct_choice():
    from quizzes.curriculum.schema import read_lessons, read_vocabulary

    vocabulary, lessons = read_vocabulary(), read_lessons()
    Loader().load(vocabulary, lessons)
    choices = lessons[0]["questions"][0]["choices"]
    for choice in choices:
        choice["correct"] = not choice.get("correct") and choice is choices[-1]
    if choices[-1]["correct"] is False:  # the last one was already right: pick the first
        choices[0]["correct"] = True

    Loader().load(vocabulary, lessons)

    question = Question.objects.get(slug=lessons[0]["questions"][0]["slug"])
    assert question.choices.filter(is_correct=True).count() == 1


def test_loaded_questions_are_published_and_keep_one_correct_choice():
    load()

    for question in Question.objects.prefetch_related("choices", "red_flags"):
        assert question.status == Status.PUBLISHED
        assert question.publication_problems() == [], question
    choice_questions = Question.objects.filter(kind="choice").count()
    assert Choice.objects.filter(is_correct=True).count() == choice_questions


def test_spot_and_conversation_questions_load_whole():
    files = [q for lesson in read_lessons() for q in lesson["questions"]]

    load()

    for kind in ("spot", "conversation"):
        slugs = {q["slug"] for q in files if q.get("kind") == kind}
        assert set(Question.objects.filter(kind=kind).values_list("slug", flat=True)) == slugs
    for data in (q for q in files if q.get("kind") == "spot"):
        question = Question.objects.get(slug=data["slug"])
        assert question.spots.count() == len(data["spots"])
        assert question.choices.count() == 0
    for data in (q for q in files if q.get("kind") == "conversation"):
        question = Question.objects.get(slug=data["slug"])
        assert [t.key for t in question.turns.all()] == [t["key"] for t in data["turns"]]
        assert question.endings.count() == len(data["endings"])
        replies = Reply.objects.filter(turn__question=question)
        assert replies.count() == sum(len(t["replies"]) for t in data["turns"])
        # Every reply leads to a turn or an ending of its own question.
        for reply in replies.select_related("next_turn", "next_ending"):
            target = reply.next_turn or reply.next_ending
            assert target.question_id == question.pk


def test_a_new_curriculum_version_moves_questions_and_retires_dropped_ones():
    """Loading the next version over the last: questions change places, and a question the
    files no longer have leaves the site (archived if learners answered it)."""
    from quizzes.curriculum.schema import read_lessons, read_vocabulary

    from .factories import AnswerFactory

    vocabulary, lessons = read_vocabulary(), read_lessons()
    Loader().load(vocabulary, lessons)
    questions = [q for q in lessons[0]["questions"] if q.get("kind", "choice") == "choice"]
    answered, unanswered = (Question.objects.get(slug=q["slug"]) for q in questions[:2])
    AnswerFactory(question=answered, choice=answered.choices.first())
    kept = questions[2:]
    for position, item in enumerate(reversed(kept), 1):  # the kept ones change places
        item["position"] = position
    lessons[0]["questions"] = list(reversed(kept))

    Loader().load(vocabulary, lessons)

    answered.refresh_from_db()
    assert answered.status == Status.ARCHIVED
    assert not Question.objects.filter(pk=unanswered.pk).exists()
    lesson = Lesson.objects.get(slug=lessons[0]["slug"])
    assert [q.slug for q in lesson.questions.published()] == [q["slug"] for q in reversed(kept)]
