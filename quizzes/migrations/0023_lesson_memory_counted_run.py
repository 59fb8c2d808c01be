"""The run a lesson's summary is counting is compared, never followed: its foreign key
loses its constraint and its index.

Every answer in a lesson's quiz updates the learner's summary row; the first answer of a
new run changes ``run``. With the column indexed, that update could not stay in place
(HOT) and wrote a new entry in every index of the table (in a bench run, 1,563 of 9,239
updates of the table); with the constraint, each answer also checked that the run
exists. Now every update of the row is HOT. A deleted run's id is never reused, so a
stale one matches no later answer.
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
