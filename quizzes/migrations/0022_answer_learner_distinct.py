"""Tell PostgreSQL's planner how many learners the answers come from, whatever its
sample says.

Every answer's INSERT looks for an earlier answer of the learner to the question
(``Answer.objects.insert_first``), by the (learner, question) index. PostgreSQL plans a
statement that a connection runs often once, for any values (a generic plan), from the
table's statistics. Where few learners have answered much (a kiosk at a community
event, a load test: 8 learners, 20,000 answers), it expected hundreds of earlier
answers and chose to scan the whole table, meaning to stop at the first; for a question
the learner had never answered it read every row (1 ms at 20,000 answers, and growing
with the table). Declaring about 40 answers per learner, as a city's learners give (the
scaling estimate in README.md), keeps the estimate at a few rows and the index in the
plan. The setting is PostgreSQL's own (``n_distinct``, read by ANALYZE); SQLite plans
each statement anew and needs nothing.
"""

from django.db import migrations

# Negative: a share of the rows, so it holds as the table grows (40 answers a learner).
ANSWERS_PER_LEARNER = 40


def set_learners(apps, schema_editor, setting):
    """ALTER the answers' learner column's ``setting`` and ANALYZE, on PostgreSQL."""
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("quizzes", "Answer")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN learner_id {setting}")
    schema_editor.execute(f"ANALYZE {table}")


def declare(apps, schema_editor):
    set_learners(apps, schema_editor, f"SET (n_distinct = {-1 / ANSWERS_PER_LEARNER})")


def forget(apps, schema_editor):
    set_learners(apps, schema_editor, "RESET (n_distinct)")


class Migration(migrations.Migration):
    dependencies = [("quizzes", "0021_lean_indexes")]

    operations = [migrations.RunPython(declare, forget)]
