"""Review scheduling and mastery: what each learner remembers, per question and per red
flag, counted from their answers when a page reads it (``remember``).

Every answered question and every red flag met becomes a ``ReviewItem`` with an FSRS
memory state (the ``fsrs`` package's card, stored as JSON) and its due date. A wrong
answer brings the item back the next day, a right one days to months later. An answer
waits as a ``PendingAnswer`` until then, so that answering costs no scheduling.

Which questions a review, a drill or a re-check then shows is in ``sessions``.

The same rows are the per-learner summary of mastery (``seen``, ``recognised``, a
recency-weighted ``strength``, and whether right answers came from two scam types), so
the progress and mastery pages read a handful of rows however long the history is.
"""

import functools
import math
from datetime import UTC, datetime, time, timedelta

from django.db import connections, models, router, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from fsrs import Card, Rating, Scheduler

REVIEW_SIZE = 10  # questions in one daily review session, at most
SECONDS_PER_QUESTION = 30  # for "about M minutes"
# Answers counted in one transaction when a learner's memory catches up (``remember``).
REMEMBER_BATCH = 500
# In a red flag's strength, each answer counts this much of the one after it.
FADE = 0.6
STRONG = 0.8  # strength from which a red flag counts as spotted

# No same-day learning steps: a quiz is not a flashcard deck, and an answer seen a
# minute ago proves nothing. Wrong comes back tomorrow, right in a few days, then
# further apart. No fuzzing: the same answers give the same schedule.
SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def end_of_today(now=None):
    """The start of tomorrow in the site's time zone: what is due before it is due today."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))


class MasteryLevel(models.TextChoices):
    MASTERED = "mastered", _("You spot it")
    ONE_STORY = "one_story", _("You spot it in one kind of scam")
    LEARNING = "learning", _("Getting there")
    MISSED = "missed", _("You often miss it")


class ReviewItemQuerySet(models.QuerySet):
    def of(self, learner_id):
        return self.filter(learner_id=learner_id)

    def driving(self):
        """Items that make up the daily review: red flags, and questions without any."""
        return self.filter(Q(red_flag__isnull=False) | Q(flagless=True))

    def due(self, now=None):
        return self.driving().filter(due__lt=end_of_today(now))

    def due_count(self, learner_id, now=None):
        """How many questions today's review holds (1 query, on the learner's index)."""
        if learner_id is None:
            return 0
        return min(self.of(learner_id).due(now).count(), REVIEW_SIZE)

    def today(self, learner_id, now=None, first=0):
        """{"count", "minutes"} of today's review, or None when nothing is due (1 query;
        none without a learner). ``first``: questions it starts with (a scam alert's)."""
        count = min(self.due_count(learner_id, now) + first, REVIEW_SIZE)
        return {"count": count, "minutes": minutes_for(count)} if count else None

    def flags(self, learner_id):
        """The learner's red-flag items with their red flags, strongest first (1 query)."""
        return (
            self.of(learner_id)
            .filter(red_flag__isnull=False)
            .select_related("red_flag")
            .order_by("-strength", "red_flag__title")
        )

    def about(self, learner_id, subjects):
        """The learner's items on ``subjects`` (question ids, and red flag ids negated:
        see ``ReviewItem.subject``), in one query on the (learner, subject) unique index.
        What ``remember`` reads before counting a learner's answers."""
        db = connections[self.db]
        sql = (
            f"SELECT {self.columns(db)} FROM {db.ops.quote_name(self.model._meta.db_table)}"
            f" WHERE learner_id = %s AND subject IN ({', '.join(['%s'] * len(subjects))})"
        )
        with db.cursor() as cursor:
            cursor.execute(sql, [learner_id, *subjects])
            return self.from_rows(db, cursor.fetchall())

    def columns(self, db, alias=None):
        """The items' columns, in the order ``from_rows`` reads them; prefixed with the
        table ``alias`` when given."""
        prefix = f"{alias}." if alias else ""
        return ", ".join(
            prefix + db.ops.quote_name(f.column) for f in self.model._meta.concrete_fields
        )

    def from_rows(self, db, rows):
        """Items from rows of ``columns()``, as the ORM would make them (its converters,
        then ``from_db``). Hand-written SQL reads them whenever a learner's answers are
        counted: building the query and the items through the ORM cost more CPU than the
        database spent answering (bench/README.md)."""
        if not rows:
            return []
        names, converters = _converters(db.alias)
        items = []
        for row in rows:
            values = list(row)
            for i, column, functions in converters:
                for convert in functions:
                    values[i] = convert(values[i], column, db)
            items.append(self.model.from_db(db.alias, names, values))
        return items

    def merge(self, into, other):
        """Move ``other`` learner's items to ``into``; where both have one for the same
        question or red flag, the one answered more often stays (2 queries + 1 per clash)."""
        mine = {
            (item.question_id, item.red_flag_id): item
            for item in self.of(into.pk).only("question", "red_flag", "seen")
        }
        for item in self.of(other.pk).only("question", "red_flag", "seen"):
            clash = mine.get((item.question_id, item.red_flag_id))
            if clash is not None:
                (item if clash.seen >= item.seen else clash).delete()
        self.of(other.pk).update(learner=into)


@functools.cache
def _converters(alias):
    """The items' field names, and the ORM's converters of their columns on database
    ``alias`` (for ``from_rows``): worked out once per process."""
    db = connections[alias]
    fields = ReviewItem._meta.concrete_fields
    columns = [field.get_col(ReviewItem._meta.db_table) for field in fields]
    converters = [
        (i, column, functions)
        for i, column in enumerate(columns)
        if (functions := db.ops.get_db_converters(column) + column.get_db_converters(db))
    ]
    return [field.attname for field in fields], converters


class ReviewItem(models.Model):
    """One learner's memory of one question or one red flag."""

    # No index of its own: review_item_unique begins with it.
    learner = models.ForeignKey(
        "quizzes.Learner", on_delete=models.CASCADE, related_name="review_items", db_index=False
    )
    question = models.ForeignKey(
        "quizzes.Question", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    red_flag = models.ForeignKey(
        "quizzes.RedFlag", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A question item for a question without red flags: reviewed itself.
    flagless = models.BooleanField(default=False)
    card = models.JSONField(help_text="The fsrs package's Card.to_dict().")
    due = models.DateTimeField()
    seen = models.PositiveIntegerField(default=0)
    recognised = models.PositiveIntegerField(default=0)
    # Share of right answers, recent ones weighing more (see ``reviewed``), and the sum
    # of the answers' weights it was computed with.
    strength = models.FloatField(default=0)
    weight = models.FloatField(default=0)
    # The first scam type (lesson) in which the red flag was recognised, and whether it
    # has been recognised in another one since: mastery needs two.
    first_lesson = models.ForeignKey(
        "quizzes.Lesson", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    two_lessons = models.BooleanField(default=False)
    answered_at = models.DateTimeField()
    # What the item is about, as one number: the question's id, or minus the red flag's.
    # Its unique index with the learner's is the one conflict target of the upsert that
    # writes an answer's question and red flags in one statement (``_upsert``).
    subject = models.GeneratedField(
        expression=Coalesce(F("question_id"), -F("red_flag_id")),
        output_field=models.BigIntegerField(),
        db_persist=True,
    )

    objects = ReviewItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        constraints = [
            models.CheckConstraint(
                condition=Q(question__isnull=True, red_flag__isnull=False)
                | Q(question__isnull=False, red_flag__isnull=True),
                name="review_item_question_or_flag",
            ),
            # One item per learner and question, and per learner and red flag.
            models.UniqueConstraint(fields=["learner", "subject"], name="review_item_unique"),
        ]
        # No index on (learner, due): every answer moves the due dates of its items, and
        # with ``due`` in an index each of those UPDATEs would write every index of the
        # table; without it PostgreSQL updates the row in place (a HOT update). The due
        # count and a review's picking read the learner's items by review_item_unique:
        # a few hundred rows at most, one learner's share of the questions and red flags.

    def __str__(self):
        what = f"q{self.question_id}" if self.question_id else f"f{self.red_flag_id}"
        return f"learner {self.learner_id}: {what} due {self.due:%Y-%m-%d}"

    @property
    def strength_percent(self):
        return round(self.strength * 100)

    @property
    def level(self):
        if self.strength >= STRONG:
            return MasteryLevel.MASTERED if self.two_lessons else MasteryLevel.ONE_STORY
        return MasteryLevel.LEARNING if self.strength >= 0.5 else MasteryLevel.MISSED

    @property
    def level_label(self):
        return MasteryLevel(self.level).label

    @property
    def is_mastered(self):
        return self.level == MasteryLevel.MASTERED

    def reviewed(self, recognised, lesson_id, now):
        """This item after one more answer: the FSRS step and the mastery summary (no
        query; the caller saves)."""
        card = Card.from_dict(self.card) if self.card else Card(card_id=1, due=now)
        rating = Rating.Good if recognised else Rating.Again
        card, _log = SCHEDULER.review_card(card, rating, now.astimezone(UTC))
        self.card, self.due, self.answered_at = card.to_dict(), card.due, now
        # A weighted mean in which each older answer counts FADE times the next one.
        weighted = self.strength * self.weight * FADE + recognised
        self.weight = self.weight * FADE + 1
        self.strength = weighted / self.weight
        self.seen += 1
        self.recognised += int(recognised)
        if recognised and lesson_id is not None:
            if self.first_lesson_id is None:
                self.first_lesson_id = lesson_id
            elif self.first_lesson_id != lesson_id:
                self.two_lessons = True
        return self


# Columns the upsert writes, in order.
_COLUMNS = (
    "learner_id",
    "question_id",
    "red_flag_id",
    "flagless",
    "card",
    "due",
    "seen",
    "recognised",
    "strength",
    "weight",
    "first_lesson_id",
    "two_lessons",
    "answered_at",
)


class PendingAnswer(models.Model):
    """An answer its learner's memory does not count yet.

    Answering stores the answer and this row in one statement (``Answer.objects.record``)
    and nothing more: the FSRS steps and the mastery summary wait until a page reads
    the learner's memory (``remember``). The answer, the moment of a campaign or a news
    story, then costs no Python scheduling and no upsert; a returning learner's answers
    are counted together, once; and a visitor who never comes back costs nothing."""

    answer = models.OneToOneField(
        "quizzes.Answer", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    learner = models.ForeignKey("quizzes.Learner", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("answer not yet remembered")
        verbose_name_plural = _("answers not yet remembered")

    def __str__(self):
        return f"learner {self.learner_id}: answer {self.answer_id}"


def remember(learner_id):
    """Count the learner's answers not yet in their memory (``PendingAnswer``), oldest
    first: each answer's FSRS step and mastery summary on its question and on each red
    flag it carries, as if counted the moment it was given (its ``answered_at``).

    Every page that reads a learner's memory calls this first. 1 query when nothing
    waits; otherwise 3 more per ``REMEMBER_BATCH`` answers, each batch in one
    transaction (claiming the answers, the items they touch, one upsert). Parallel calls
    count each answer once: the claim's DELETE takes each row once, and waits for a
    parallel claim of the same rows to commit.

    Hand-written SQL, as on the answer's path: a learner back after a quiz costs this
    once, and through the ORM it cost more than the answers it counts had saved.
    """
    if learner_id is None:
        return
    while True:
        waiting = _waiting(learner_id)
        if waiting:
            _count(learner_id, waiting)
        if len(waiting) < REMEMBER_BATCH:
            return


def _waiting(learner_id):
    """The learner's oldest answers not yet counted, at most ``REMEMBER_BATCH``: unsaved
    Answers with what counting them needs (question, right or not, when, marked spots)."""
    from .answers import Answer
    from .runs import listed

    db = connections[router.db_for_write(PendingAnswer)]
    quote = db.ops.quote_name
    sql = (
        "SELECT a.id, a.question_id, a.is_correct, a.answered_at,"
        f" (SELECT {listed(db, 'm.spot_id')} FROM"
        f" {quote(Answer.spots.through._meta.db_table)} m WHERE m.answer_id = a.id)"
        f" FROM {quote(PendingAnswer._meta.db_table)} p"
        f" JOIN {quote(Answer._meta.db_table)} a ON a.id = p.answer_id"
        f" WHERE p.learner_id = %s ORDER BY a.answered_at, a.id LIMIT {REMEMBER_BATCH}"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [learner_id])
        rows = cursor.fetchall()
    if not rows:
        return []
    column = Answer._meta.get_field("answered_at").get_col(Answer._meta.db_table)
    converters = db.ops.get_db_converters(column) + column.get_db_converters(db)
    answers = []
    for pk, question_id, is_correct, answered_at, marked in rows:
        for convert in converters:
            answered_at = convert(answered_at, column, db)
        answer = Answer(
            pk=pk,
            learner_id=learner_id,
            question_id=question_id,
            is_correct=bool(is_correct),
            answered_at=answered_at,
        )
        answer.marked = {int(spot) for spot in marked.split(",")} if marked else set()
        answers.append(answer)
    return answers


def _count(learner_id, waiting):
    """Count the ``waiting`` answers that this call claims (``remember``)."""
    from ..caching import question as cached_question

    db = connections[router.db_for_write(ReviewItem)]
    with transaction.atomic(using=db.alias):
        claimed = set(_claim([answer.pk for answer in waiting]))
        outcomes = [
            (answer, question, answer.flag_outcomes(question))
            for answer in waiting
            if answer.pk in claimed
            and (question := cached_question(answer.question_id)) is not None
        ]
        if not outcomes:
            return
        subjects = {q.pk for _a, q, _o in outcomes} | {-pk for *_, o in outcomes for pk, _ok in o}
        found = {
            (item.question_id, item.red_flag_id): item
            for item in ReviewItem.objects.about(learner_id, sorted(subjects))
        }
        touched = {}
        for answer, question, flags in outcomes:
            for key, recognised in [
                ((question.pk, None), answer.is_correct),
                *(((None, pk), ok) for pk, ok in flags),
            ]:
                item = found.get(key) or ReviewItem(
                    learner_id=learner_id, question_id=key[0], red_flag_id=key[1]
                )
                found[key] = touched[key] = item.reviewed(
                    recognised, question.lesson_id, answer.answered_at
                )
            found[(question.pk, None)].flagless = not flags
        sql, params = _upsert(list(touched.values()))
        with db.cursor() as cursor:
            cursor.execute(sql, params)


def _claim(answer_ids):
    """DELETE the ``PendingAnswer`` rows of ``answer_ids``; the ids this call deleted (a
    parallel call's rows are not). Hand-written: the ORM's delete() does not say which
    rows it took, and RETURNING does, on PostgreSQL and SQLite alike."""
    db = connections[router.db_for_write(PendingAnswer)]
    table = db.ops.quote_name(PendingAnswer._meta.db_table)
    marks = ", ".join(["%s"] * len(answer_ids))
    with db.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE answer_id IN ({marks}) RETURNING answer_id", answer_ids
        )
        return [pk for (pk,) in cursor.fetchall()]


def count_recheck(answer, run, recheck=None):
    """Count a stored ``answer`` for the retention statistics if ``run`` is a lesson's
    re-check (``recheck`` says so when the run question was read with its run's kind;
    when None, any run without a lesson is tried: 1 query that changes nothing for the
    others)."""
    if run.lesson_id is not None or recheck is False:
        return
    from ..caching import question as cached_question
    from .summaries import count_recheck_answer

    question = cached_question(answer.question_id)
    flags = [flag.pk for flag in question.red_flags.all()] if question is not None else []
    count_recheck_answer(run, answer, flags)


@functools.cache
def _upsert_parts(alias):
    """What ``_upsert`` needs on database ``alias``, worked out once per process: the
    statement's head and tail around its rows, one row's placeholders, and for each
    column the field whose ``get_db_prep_save`` a value needs (the JSON card and the
    times), or None (numbers and booleans go as they are).

    On PostgreSQL the rows are one array per column, unnested, so the statement's text
    and its number of parameters are the same whatever the number of items: psycopg
    converts it once per process (it converts a statement with over 50 parameters on
    every run) and PostgreSQL plans it once per connection (a prepared statement)."""
    db = connections[alias]
    quote = db.ops.quote_name
    fields = {f.attname: f for f in ReviewItem._meta.concrete_fields}
    columns = ", ".join(quote(c) for c in _COLUMNS)
    updates = ", ".join(
        f"{quote(c)} = excluded.{quote(c)}"
        for c in _COLUMNS
        if c not in ("learner_id", "question_id", "red_flag_id")
    )
    head = f"INSERT INTO {quote(ReviewItem._meta.db_table)} ({columns}) "
    tail = f" ON CONFLICT (learner_id, subject) DO UPDATE SET {updates}"
    if db.vendor == "postgresql":
        arrays = ", ".join(f"%s::{fields[c].db_type(db)}[]" for c in _COLUMNS)
        row = f"SELECT * FROM unnest({arrays})"
    else:
        row = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    prepared = [
        fields[c] if isinstance(fields[c], models.JSONField | models.DateTimeField) else None
        for c in _COLUMNS
    ]
    return head, row, tail, list(zip(_COLUMNS, prepared, strict=True))


def _upsert(items):
    """The statement that INSERTs the items, or UPDATEs the learner's existing ones:
    (sql, params).

    Hand-written: the ORM's ``bulk_create(update_conflicts=True)`` spent more time
    building the statement than the database running it. The conflict target is the
    unique (learner, subject) index; ``subject`` is generated from the question or the
    red flag, so a question's item and its red flags' items go in one statement.
    """
    db = connections[router.db_for_write(ReviewItem)]
    head, row, tail, columns = _upsert_parts(db.alias)
    values = [
        [
            getattr(item, column)
            if field is None
            else field.get_db_prep_save(getattr(item, column), db)
            for item in items
        ]
        for column, field in columns
    ]
    if db.vendor == "postgresql":
        return head + row + tail, values
    rows = ", ".join([row] * len(items))
    return f"{head}VALUES {rows}{tail}", [
        column[i] for i in range(len(items)) for column in values
    ]


def minutes_for(count):
    """About how long ``count`` questions take, in whole minutes (at least 1)."""
    return max(1, math.ceil(count * SECONDS_PER_QUESTION / 60))
