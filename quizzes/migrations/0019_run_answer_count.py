"""A run counts its answers and finishes itself, in the database.

A trigger on the answers' table adds one to the run's ``answered`` for each answer
stored, and sets the run's ``finished_at`` (the answer's time) when the count reaches
the run's size. It runs inside the answer's INSERT, so an answer and its run's count are
one atomic write: the run needs no UPDATE of its own after each answer. Answers that
arrive at once for the same run wait for each other on the run's row, and each adds to
the count the one before it left, so the last of them finishes the run (PostgreSQL
re-reads the updated row; SQLite writes one transaction at a time).

The SQL is written out here for each database rather than imported, so that this
migration stays as it ran.
"""

from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION quizzes_count_answer() RETURNS trigger AS $$
    BEGIN
        UPDATE quizzes_quizrun SET
            answered = answered + 1,
            finished_at = CASE WHEN finished_at IS NULL AND size > 0 AND answered + 1 >= size
                THEN NEW.answered_at ELSE finished_at END
        WHERE id = NEW.run_id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER quizzes_count_answer AFTER INSERT ON quizzes_answer
    FOR EACH ROW EXECUTE FUNCTION quizzes_count_answer()
    """,
]
SQLITE = [
    """
    CREATE TRIGGER quizzes_count_answer AFTER INSERT ON quizzes_answer
    BEGIN
        UPDATE quizzes_quizrun SET
            answered = answered + 1,
            finished_at = CASE WHEN finished_at IS NULL AND size > 0 AND answered + 1 >= size
                THEN NEW.answered_at ELSE finished_at END
        WHERE id = NEW.run_id;
    END
    """,
]
DROP = {
    "postgresql": [
        "DROP TRIGGER IF EXISTS quizzes_count_answer ON quizzes_answer",
        "DROP FUNCTION IF EXISTS quizzes_count_answer()",
    ],
    "sqlite": ["DROP TRIGGER IF EXISTS quizzes_count_answer"],
}
# The runs already stored: their count, and the finish of any complete one left open.
COUNT = """
    UPDATE quizzes_quizrun SET answered = (
        SELECT COUNT(*) FROM quizzes_answer a WHERE a.run_id = quizzes_quizrun.id)
"""
FINISH = """
    UPDATE quizzes_quizrun SET finished_at = (
        SELECT MAX(a.answered_at) FROM quizzes_answer a WHERE a.run_id = quizzes_quizrun.id)
    WHERE finished_at IS NULL AND size > 0 AND answered >= size
"""


def statements(vendor):
    if vendor not in DROP:
        raise NotImplementedError(f"No answer-count trigger for {vendor}.")
    return POSTGRESQL if vendor == "postgresql" else SQLITE


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in [COUNT, FINISH, *statements(vendor)]:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for sql in DROP.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0018_review_item_one_subject_key"),
    ]

    operations = [
        migrations.AddField(
            model_name="quizrun",
            name="answered",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create, drop),
    ]
