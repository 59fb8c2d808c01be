"""The run a lesson's summary is counting is compared, never followed: its foreign key
loses its constraint and its index.

Every answer in a lesson's quiz updates the learner's summary row; the first answer of a
new run changes ``run``. With the column indexed, that update could not stay in place
(HOT): a new index entry each time, dead ones piling up between vacuums, and every later
upsert of the row walking them (the load test's answer grew by about half a millisecond
of PostgreSQL's CPU every ten seconds). With the constraint, each answer also checked
that the run exists. A deleted run's id is never reused, so a stale one matches no
later answer.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0022_answer_learner_distinct"),
    ]

    operations = [
        migrations.AlterField(
            model_name="lessonmemory",
            name="run",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="quizzes.quizrun",
            ),
        ),
    ]
