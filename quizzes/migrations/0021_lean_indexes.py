"""Fewer indexes on the tables every answer writes.

A foreign key gets an index of its own, but where another index of the table begins with
the same column that index serves every lookup by it (cascading deletes included), and
the extra one only costs a write on every INSERT: three on each answer, one on each run
question. ``review_item_due_idx`` goes too: with ``due`` in an index, every answer's
UPDATE of its review items wrote every index of the table; without it PostgreSQL
updates them in place (HOT).

The indexes are dropped by name, found by their one column: on SQLite, Django alters a
field by remaking its table, which would drop the answers' trigger (migration 0019).
"""

import django.db.models.deletion
from django.db import migrations, models

# (model, field, what it refers to, its related name): the foreign keys that lose their
# own index.
COVERED = [
    ("answer", "learner", "quizzes.learner", "answers"),
    ("answer", "question", "quizzes.question", "answers"),
    ("answer", "run", "quizzes.quizrun", "answers"),
    ("lessonmemory", "learner", "quizzes.learner", "lesson_memories"),
    ("quizrun", "learner", "quizzes.learner", "runs"),
    ("recheckflag", "learner", "quizzes.learner", "+"),
    ("reviewitem", "learner", "quizzes.learner", "review_items"),
    ("runquestion", "run", "quizzes.quizrun", "run_questions"),
]


def single_column_indexes(schema_editor, table, column):
    """Names of the plain (not unique) indexes on ``table`` over ``column`` alone."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [
        name
        for name, info in constraints.items()
        if info["index"]
        and not info["unique"]
        and not info["primary_key"]
        and info["columns"] == [column]
    ]


def drop_covered(apps, schema_editor):
    quote = schema_editor.quote_name
    for model_name, field_name, *_ in COVERED:
        model = apps.get_model("quizzes", model_name)
        column = model._meta.get_field(field_name).column
        for name in single_column_indexes(schema_editor, model._meta.db_table, column):
            schema_editor.execute(f"DROP INDEX {quote(name)}")


def restore_covered(apps, schema_editor):
    # ``apps`` is the state before this migration, where the fields are indexed.
    for model_name, field_name, *_ in COVERED:
        model = apps.get_model("quizzes", model_name)
        field = model._meta.get_field(field_name)
        if not single_column_indexes(schema_editor, model._meta.db_table, field.column):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))


def unindexed(model_name, field_name, to, related_name):
    return migrations.AlterField(
        model_name=model_name,
        name=field_name,
        field=models.ForeignKey(
            db_index=False,
            on_delete=django.db.models.deletion.CASCADE,
            related_name=related_name,
            to=to,
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0020_model_plural_names"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="reviewitem", name="review_item_due_idx"),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_covered, restore_covered)],
            state_operations=[unindexed(*key) for key in COVERED],
        ),
    ]
