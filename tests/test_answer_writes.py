"""What one answer writes, and how few statements it takes.

An answer's INSERT counts it on its run and finishes the run with the last answer (a
trigger, migration 0019); the learner's memory of the question and its red flags was
read with the run question, so recording it reads nothing more. On PostgreSQL the
answer and everything it changes are one statement.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from quizzes.models import (
    Answer,
    LessonMemory,
    PendingAnswer,
    QuizRun,
    RecheckFlag,
    ReviewItem,
    remember,
)

from .factories import (
    AnswerFactory,
    LearnerFactory,
    QuestionFactory,
    QuizRunFactory,
    RunQuestionFactory,
)
from .test_quiz import choice, question_url, start

pytestmark = pytest.mark.django_db

POSTGRESQL = connection.vendor == "postgresql"


def answer_all(client, run, correct=True):
    for rq in run.run_questions.all():
        data = {"choice": choice(run, rq.position, correct).pk}
        client.post(question_url(run, rq.position), data)


def test_a_run_counts_its_answers_and_finishes_with_the_last(visitor, lesson):
    run = start(visitor, lesson)

    for position in (1, 2):
        visitor.post(question_url(run, position), {"choice": choice(run, position).pk})
        run.refresh_from_db()
        assert (run.answered, run.finished_at) == (position, None)
    visitor.post(question_url(run, 3), {"choice": choice(run, 3, correct=False).pk})

    run.refresh_from_db()
    last = Answer.objects.get(run=run, question=choice(run, 3).question)
    assert (run.answered, run.finished_at) == (3, last.answered_at)


def test_a_replayed_answer_is_counted_once_on_the_run_and_in_memory(visitor, lesson):
    run = start(visitor, lesson)
    data = {"choice": choice(run, 1).pk}
    visitor.post(question_url(run, 1), data)

    response = visitor.post(question_url(run, 1), data)

    assert response.status_code == 302
    run.refresh_from_db()
    assert run.answered == 1
    question = choice(run, 1).question
    remember(run.learner_id)  # as the next page that reads the learner's memory does
    assert ReviewItem.objects.get(learner=run.learner, question=question).seen == 1
    assert LessonMemory.objects.get(learner=run.learner).answered == 1


def test_a_refused_answer_changes_nothing_it_would_have_changed(visitor, lesson):
    run = start(visitor, lesson)
    visitor.post(question_url(run, 1), {"choice": choice(run, 1).pk})
    remember(run.learner_id)
    items = list(ReviewItem.objects.values_list("subject", "seen", "due"))
    assert items

    response = visitor.post(question_url(run, 1), {"choice": choice(run, 1, correct=False).pk})

    assert response.status_code == 409
    assert not PendingAnswer.objects.exists()  # nothing left for the memory to count
    remember(run.learner_id)
    assert list(ReviewItem.objects.values_list("subject", "seen", "due")) == items
    run.refresh_from_db()
    assert run.answered == 1
    assert LessonMemory.objects.get(learner=run.learner).right_answers == 1


@pytest.mark.django_db(transaction=True)
def test_a_practice_answer_writes_no_lesson_summary(client, lesson, django_assert_num_queries):
    client.post(reverse("quizzes:practice"))
    run = QuizRun.objects.get()
    client.get(question_url(run, 1))  # fills the content cache
    data = {"choice": choice(run, 1).pk}

    # session, run question, INSERT answer (with its row for the learner's memory to
    # count on PostgreSQL), [that row]
    with django_assert_num_queries(3 if POSTGRESQL else 4):
        client.post(question_url(run, 1), data)

    assert not LessonMemory.objects.exists()
    assert PendingAnswer.objects.get().answer.run == run
    remember(run.learner_id)
    assert ReviewItem.objects.filter(question__isnull=False).count() == 1
    assert not PendingAnswer.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_recheck_answer_is_counted_for_the_retention_figures(
    client, lesson, django_assert_num_queries
):
    client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    answer_all(client, QuizRun.objects.get())
    memory = LessonMemory.objects.get()
    memory.completed_at = timezone.now() - timedelta(days=8)
    memory.save(update_fields=["completed_at"])
    client.post(reverse("quizzes:recheck", args=[lesson.slug, 7]))
    recheck = QuizRun.objects.latest("started_at")
    client.get(question_url(recheck, 1))  # fills the content cache
    data = {"choice": choice(recheck, 1).pk}
    flags = choice(recheck, 1).question.red_flags.count()

    # session, run question with what the learner remembers and the run's kind, INSERT
    # answer ([the memory upsert]), the re-check's count on the lesson summary and on
    # the question's red flags
    with django_assert_num_queries((4 if POSTGRESQL else 5) + bool(flags)):
        client.post(question_url(recheck, 1), data)

    memory.refresh_from_db()
    assert (memory.week_answered, memory.week_right) == (1, 1)
    assert RecheckFlag.objects.filter(day=7).count() == flags


@pytest.mark.django_db(transaction=True)
def test_runs_answered_before_they_counted_themselves_are_counted_and_finished():
    """Migration 0019 counts the answers already stored and finishes complete runs."""
    executor = MigrationExecutor(connection)
    complete, open_run = QuizRunFactory(size=2), QuizRunFactory(size=2)
    for run, answers in ((complete, 2), (open_run, 1)):
        for position in range(1, answers + 1):
            question = QuestionFactory()
            RunQuestionFactory(run=run, question=question, position=position)
            AnswerFactory(run=run, question=question)
    QuizRun.objects.update(answered=0, finished_at=None)

    executor.migrate([("quizzes", "0018_review_item_one_subject_key")])
    executor.loader.build_graph()
    executor.migrate([("quizzes", "0019_run_answer_count")])

    complete.refresh_from_db()
    open_run.refresh_from_db()
    assert (complete.answered, open_run.answered) == (2, 1)
    assert complete.finished_at == complete.answers.latest("answered_at").answered_at
    assert open_run.finished_at is None
    # And the trigger is back: the open run's last answer finishes it.
    question = QuestionFactory()
    RunQuestionFactory(run=open_run, question=question, position=2)
    AnswerFactory(run=open_run, question=question)
    open_run.refresh_from_db()
    assert (open_run.answered, open_run.finished_at is not None) == (2, True)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def single_column_indexes(table, column):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["index"] and not info["unique"] and info["columns"] == [column]
    ]


@pytest.mark.django_db(transaction=True)
def test_an_answer_writes_no_index_that_another_index_already_covers():
    """Migration 0021 drops the foreign keys' own indexes where another index begins
    with the same column, and the review items' due index, by name: on SQLite, altering
    the fields would remake the answers' table and lose its trigger."""
    executor = MigrationExecutor(connection)
    covered = [
        ("quizzes_answer", "run_id"),
        ("quizzes_answer", "learner_id"),
        ("quizzes_answer", "question_id"),
        ("quizzes_runquestion", "run_id"),
        ("quizzes_quizrun", "learner_id"),
        ("quizzes_reviewitem", "learner_id"),
        ("quizzes_lessonmemory", "learner_id"),
        ("quizzes_recheckflag", "learner_id"),
    ]
    assert not [pair for pair in covered if single_column_indexes(*pair)]

    executor.migrate([("quizzes", "0020_model_plural_names")])
    assert all(single_column_indexes(*pair) for pair in covered)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert not [pair for pair in covered if single_column_indexes(*pair)]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "quizzes_reviewitem")
    assert "review_item_due_idx" not in constraints
    # The answers' trigger is still there: a run still counts its answers.
    run = QuizRunFactory(size=2)
    question = QuestionFactory()
    RunQuestionFactory(run=run, question=question, position=1)
    AnswerFactory(run=run, question=question)
    run.refresh_from_db()
    assert run.answered == 1


def test_a_lesson_summary_compares_the_run_it_counts_without_a_key_or_an_index(visitor, lesson):
    # Migration 0023: every answer's update of the summary stays in place (HOT).
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "quizzes_lessonmemory")
    assert not [name for name, info in constraints.items() if info["columns"] == ["run_id"]]
    run = start(visitor, lesson)
    visitor.post(question_url(run, 1), {"choice": choice(run, 1, True).pk})

    # A deleted run leaves the count it made; the next run's answers start their own.
    QuizRun.objects.filter(pk=run.pk).delete()
    memory = LessonMemory.objects.get(learner=run.learner)
    assert (memory.run_id, memory.answered) == (run.pk, 1)
    again = start(visitor, lesson)
    visitor.post(question_url(again, 1), {"choice": choice(again, 1, False).pk})
    memory.refresh_from_db()
    assert (memory.run_id, memory.answered, memory.right_answers) == (again.pk, 1, 0)


def earlier_answer_plan():
    """How PostgreSQL reads an answer's look for an earlier answer of the learner to the
    question in the plan it keeps for any values (generic), as for a statement a
    connection runs often."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE quizzes_answer")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(
            "PREPARE earlier(bigint, bigint) AS SELECT NOT EXISTS (SELECT 1 FROM"
            " quizzes_answer WHERE learner_id = $1 AND question_id = $2)"
        )
        cursor.execute("EXPLAIN EXECUTE earlier(1, 1)")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE earlier")
    return plan


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's planner")
def test_the_look_for_an_earlier_answer_reads_the_index_when_few_learners_answer_much():
    # Four learners answer six questions in 250 quizzes each (a kiosk, a load test):
    # by its sample, an answer's learner and question would match a hundred rows.
    questions = [QuestionFactory() for _ in range(6)]
    learners = [LearnerFactory() for _ in range(4)]
    runs = QuizRun.objects.bulk_create(
        QuizRun(learner=learner, size=6) for learner in learners for _ in range(250)
    )
    Answer.objects.bulk_create(
        Answer(run=run, learner_id=run.learner_id, question=question, is_correct=True)
        for run in runs
        for question in questions
    )

    # Migration 0022 declares 40 answers per learner: the index, a few rows.
    assert "answer_learner_question_idx" in earlier_answer_plan()
    # Without it the planner would read the whole table, meaning to stop at the first
    # match: every row, for a question the learner has never answered.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the rows' deferred key checks
        cursor.execute("ALTER TABLE quizzes_answer ALTER COLUMN learner_id RESET (n_distinct)")
    assert "Seq Scan on quizzes_answer" in earlier_answer_plan()


def test_the_results_of_a_finished_run_are_read_without_a_write(
    visitor, lesson, django_assert_num_queries
):
    run = start(visitor, lesson)
    answer_all(visitor, run)
    url = reverse("quizzes:run-results", args=[run.public_id])

    with django_assert_num_queries(7) as queries:
        assert visitor.get(url).status_code == 200

    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
