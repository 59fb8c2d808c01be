"""What a run question's page reads: the run's facts, and the slot they make.

A run's facts are the few things its pages need that never change once true: whose run
it is and of what (lesson, size, kind of review), the question at each position, each
answer (its id, and its choice or its marks) and each reply given in a conversation.
``slot`` turns them into a ``QuestionSlot`` for one position.

They come from one query (``facts_sql``) or, with Redis, from a hash read in the same
round trip as the session (``quizzes/sessions/cached_db.py``), so that a question page
and an answer's feedback page need no query at all. The query fills the hash when it is
missing; every answer and reply adds itself once stored (``QuestionSlot.remember``).
Facts are only ever added, and each writer adds its own after its commit, so a hash
filled from a query that ran before an answer was committed still gets that answer.

Facts hold while the content does: deleting a choice, a reply or an ending deletes the
answers and replies that chose it, so a hash written under an older content generation
(``quizzes/caching.py``) is read again from the database and replaced. So is a run that
moved to another learner (learners merge). A conflict on an answer or a reply, which
the facts did not foresee, drops the hash. Without Redis every page reads the facts it
needs, at its position and the next, from the database.
"""

import functools
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connections, transaction

from .. import caching
from .runs import MAX_RUN_SIZE, QuizRun, RunQuestion, listed

logger = logging.getLogger(__name__)

FACTS_TIMEOUT = 2 * 60 * 60  # after the last answer; a run's facts take about 300 bytes


def facts_key(public_id):
    return f"run-facts:{public_id}"


def facts_kept():
    """Whether the cache keeps runs' facts: with Redis, whose session engine reads them
    (settings.SESSION_ENGINE); not in a process's own memory cache."""
    return settings.SESSION_ENGINE == "quizzes.sessions.cached_db" and hasattr(cache, "add_fields")


@dataclass(frozen=True, slots=True)
class QuestionSlot:
    """A learner's run question as its page needs it: made by ``slot`` from the run's
    facts, plain values rather than model instances."""

    run_id: int
    public_id: uuid.UUID
    learner_id: int
    lesson_id: int | None
    size: int
    question_id: int
    position: int
    answer_choice: int | None  # the stored answer's choice, None before answering
    answer_id: int | None = None  # the stored answer, None before answering
    # The question at the next position, None at the last one. Once this one is answered,
    # whether the learner has begun the next one (answered it, or replied in its
    # conversation); None before answering, when the feedback page does not need it.
    next_question_id: int | None = None
    next_started: bool | None = None
    # A tap-the-red-flag answer's marked spots (ids), once answered.
    marks: frozenset = frozenset()
    # A conversation's replies so far, {turn id: reply id}.
    taken: dict | None = None
    # A review's, drill's or re-check's kind (ReviewKind), None for other runs.
    review_kind: str | None = None

    @property
    def recheck(self):
        """Whether the run is a lesson's re-check (whose answers the retention statistics
        count)."""
        from .sessions import ReviewKind

        return self.review_kind == ReviewKind.RECHECK

    def run(self):
        """The run as an unsaved handle, to record answers with (no query)."""
        return QuizRun(
            pk=self.run_id,
            public_id=self.public_id,
            learner_id=self.learner_id,
            lesson_id=self.lesson_id,
            size=self.size,
        )

    def remember(self, answer=None, step=None):
        """Add what was just stored at this position to the run's facts in the cache:
        ``answer`` (with ``marked``, a spot answer's marks) and ``step`` (turn id, reply
        id). One round trip once the transaction commits; nothing without Redis."""
        fields = {}
        if answer is not None and answer.pk is not None:  # None: stored by a parallel request
            fields[f"a{self.position}"] = answer_fact(
                answer.pk, answer.choice_id, getattr(answer, "marked", None) or ()
            )
        if step is not None:
            fields[f"t{self.position}:{step[0]}"] = str(step[1])
        if fields and facts_kept():
            add_after_commit(self.public_id, fields)

    def forget(self):
        """Drop the run's facts from the cache, when a conflict shows they miss something
        the database has (a write whose process stopped before adding it): the next page
        reads them again."""
        if facts_kept():
            cache.delete(facts_key(self.public_id))


def remember_new_run(run, question_ids, review_kind=None):
    """Store the facts of a run that starts (it has no answers yet), so that its first
    page needs no query either: one round trip once the transaction commits; nothing
    without Redis."""
    if facts_kept():
        facts = {
            "run": run_fact(run.pk, run.learner_id, run.lesson_id, run.size, review_kind),
            "content": str(caching.generation()),
        }
        facts.update((f"q{position}", str(pk)) for position, pk in enumerate(question_ids, 1))
        add_after_commit(run.public_id, facts)


def add_after_commit(public_id, fields):
    """Add ``fields`` to the run's facts in the cache once the transaction commits (at
    once outside one). Robust: what was stored stays stored whatever Redis says; a fact
    missing from the cache is read again at the next conflict."""
    key = facts_key(public_id)
    transaction.on_commit(lambda: cache.add_fields(key, fields, FACTS_TIMEOUT), robust=True)


def run_fact(run_id, learner_id, lesson_id, size, review_kind):
    return f"{run_id} {learner_id} {lesson_id or '-'} {size} {review_kind or '-'}"


def answer_fact(answer_id, choice_id, marks):
    return f"{answer_id} {choice_id or '-'} {','.join(map(str, sorted(marks))) or '-'}"


@functools.cache
def facts_sql(alias, near=False):
    """The SQL of a run's facts on database ``alias``, one row per position (``near``:
    only at two positions, given after the run's public id): built once per process."""
    db = connections[alias]
    quote = db.ops.quote_name
    from .answers import Answer
    from .kinds import Step
    from .sessions import ReviewRun

    def table(model):
        return quote(model._meta.db_table)

    steps, marks = table(Step), table(Answer.spots.through)
    # A review, drill or re-check is a run with a ReviewRun (its primary key is the run's).
    return (
        "SELECT r.id, r.learner_id, r.lesson_id, r.size, rr.kind, rq.position,"
        " rq.question_id, a.id, a.choice_id,"
        f" (SELECT {listed(db, 'm.spot_id')} FROM {marks} m WHERE m.answer_id = a.id),"
        f" (SELECT {listed(db, "s.turn_id || ':' || s.reply_id")} FROM {steps} s"
        " WHERE s.run_id = r.id AND s.question_id = rq.question_id)"
        f" FROM {table(QuizRun)} r JOIN {table(RunQuestion)} rq ON rq.run_id = r.id"
        f" LEFT JOIN {table(Answer)} a"
        " ON a.run_id = r.id AND a.question_id = rq.question_id"
        f" LEFT JOIN {table(ReviewRun)} rr ON rr.run_id = r.id"
        " WHERE r.public_id = %s" + (" AND rq.position IN (%s, %s)" if near else "")
    )


def facts_from_database(alias, public_id, near=None):
    """The run's facts, {field: text} as the cache keeps them ({} for no such run); only
    those at position ``near`` and the next one when given (what a page without the
    cache needs).

    Hand-written SQL: every question page without Redis, and each run's first page with
    it, runs it; the ORM spent about 1 ms building such a query where the database needs
    20 µs to answer (bench/README.md).
    """
    db = connections[alias]
    params = [QuizRun._meta.get_field("public_id").get_db_prep_value(public_id, db)]
    if near is not None:
        params += [near, near + 1]
    with db.cursor() as cursor:
        cursor.execute(facts_sql(alias, near is not None), params)
        rows = cursor.fetchall()
    facts = {}
    for (
        run_id,
        learner,
        lesson,
        size,
        kind,
        position,
        question,
        answer,
        choice,
        marks,
        taken,
    ) in rows:
        facts["run"] = run_fact(run_id, learner, lesson, size, kind)
        facts[f"q{position}"] = str(question)
        if answer is not None:
            facts[f"a{position}"] = answer_fact(answer, choice, marks.split(",") if marks else ())
        for pair in taken.split(",") if taken else ():
            turn, _, reply = pair.partition(":")
            facts[f"t{position}:{turn}"] = reply
    return facts


def owner(facts):
    return int(facts["run"].split(" ", 2)[1]) if "run" in facts else None


def slot(alias, learner_id, public_id, position, facts=None):
    """The learner's ``QuestionSlot`` at ``position`` of run ``public_id``, or None (no
    such run question, or another learner's). From ``facts`` (the cache's, brought with
    the session) when they are there and the run is this learner's; else from the
    database, which then refills the cache."""
    if learner_id is None or not 0 < position <= MAX_RUN_SIZE:
        return None
    if not facts_kept():
        facts = facts_from_database(alias, public_id, near=position)
    else:
        content = str(caching.generation())
        if not facts or owner(facts) != learner_id or facts.get("content") != content:
            facts = refill(alias, public_id, facts, content)
    if owner(facts) != learner_id or f"q{position}" not in facts:
        return None
    return slot_from_facts(facts, learner_id, public_id, position)


def refill(alias, public_id, cached, content):
    """The run's facts from the database, stored in the cache: added to what a hash
    without its ``run`` holds (answers that added themselves meanwhile), in place of an
    outdated hash (another owner, older content). Facts in hand whatever Redis says."""
    facts = facts_from_database(alias, public_id)
    if facts:
        facts["content"] = content
        outdated = "run" in (cached or {})
        try:
            cache.add_fields(facts_key(public_id), facts, FACTS_TIMEOUT, replace=outdated)
        except Exception:
            logger.warning("Could not store run %s's facts in the cache", public_id, exc_info=True)
    return facts


def slot_from_facts(facts, learner_id, public_id, position):
    run_id, _learner, lesson, size, kind = facts["run"].split(" ")
    answer = facts.get(f"a{position}")
    answer_id = choice = None
    marks = frozenset()
    if answer is not None:
        answer_id, choice, marked = answer.split(" ")
        answer_id, choice = int(answer_id), None if choice == "-" else int(choice)
        marks = frozenset() if marked == "-" else frozenset(map(int, marked.split(",")))
    following = facts.get(f"q{position + 1}")
    turns, next_turns = f"t{position}:", f"t{position + 1}:"
    taken = {int(k[len(turns) :]): int(v) for k, v in facts.items() if k.startswith(turns)}
    started = None
    if answer is not None:
        started = f"a{position + 1}" in facts or any(k.startswith(next_turns) for k in facts)
    return QuestionSlot(
        run_id=int(run_id),
        public_id=public_id,
        learner_id=learner_id,
        lesson_id=None if lesson == "-" else int(lesson),
        size=int(size),
        question_id=int(facts[f"q{position}"]),
        position=position,
        answer_choice=choice,
        answer_id=answer_id,
        next_question_id=None if following is None else int(following),
        next_started=started,
        marks=marks,
        taken=taken,
        review_kind=None if kind == "-" else kind,
    )
