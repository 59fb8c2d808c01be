"""The parts of the question kinds beyond choosing an answer.

- ``Spot``: a candidate part of a tap-the-red-flag question's message, a warning sign
  (``red_flag`` set) or harmless; a learner's answer is the set of spots they marked.
- ``Turn``, ``Reply``, ``Ending``: a branching conversation; ``Step`` is a learner's reply
  at one turn in one run, and the answer is stored when an ending is reached.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..languages import in_any_language


class QuestionKind(models.TextChoices):
    CHOICE = "choice", _("Choose an answer")
    SPOT = "spot", _("Tap the red flags")
    CONVERSATION = "conversation", _("Branching conversation")


class Spot(models.Model):
    """A part of the message the learner may mark: its words, copied exactly from the
    body in each language, and why it is (or is not) a warning sign."""

    question = models.ForeignKey(
        "quizzes.Question", on_delete=models.CASCADE, related_name="spots"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("words in the message"), max_length=300)
    red_flag = models.ForeignKey(
        "quizzes.RedFlag",
        verbose_name=_("warning sign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for a harmless part."),
    )
    explanation = models.TextField(_("why"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("part to spot")
        verbose_name_plural = _("parts to spot")
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="spot_position_unique"),
        ]

    def __str__(self):
        return in_any_language(self, "text")

    @property
    def is_flag(self):
        return self.red_flag_id is not None


class Outcome(models.TextChoices):
    SAFE = "safe", _("Safe")
    LOST = "lost", _("Money lost")
    EXPOSED = "exposed", _("Partly exposed")


class Turn(models.Model):
    """What the scammer says at one point of a conversation, and its pressure tactic."""

    question = models.ForeignKey(
        "quizzes.Question", on_delete=models.CASCADE, related_name="turns"
    )
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"))  # the first turn opens it
    says = models.TextField(_("what the scammer says"))
    tactic = models.ForeignKey(
        "quizzes.RedFlag",
        verbose_name=_("pressure tactic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("what this turn was doing"), blank=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("conversation turn")
        verbose_name_plural = _("conversation turns")
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="turn_key_unique"),
            models.UniqueConstraint(fields=["question", "position"], name="turn_position_unique"),
        ]

    def __str__(self):
        return self.key


class Ending(models.Model):
    """Where a conversation can end: safe, money lost, or partly exposed."""

    question = models.ForeignKey(
        "quizzes.Question", on_delete=models.CASCADE, related_name="endings"
    )
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    loss = models.PositiveIntegerField(_("loss in yuan"), null=True, blank=True)
    text = models.TextField(_("what happened next"))

    class Meta:
        ordering = ["position"]
        verbose_name = _("conversation ending")
        verbose_name_plural = _("conversation endings")
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="ending_key_unique"),
        ]

    def __str__(self):
        return self.key

    @property
    def is_safe(self):
        return self.outcome == Outcome.SAFE


class Reply(models.Model):
    """A reply the learner may pick at a turn, and where it leads."""

    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="replies")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("text"), max_length=300)
    next_turn = models.ForeignKey(
        Turn, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    next_ending = models.ForeignKey(
        Ending, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.UniqueConstraint(fields=["turn", "position"], name="reply_position_unique"),
            models.CheckConstraint(
                condition=models.Q(next_turn__isnull=True, next_ending__isnull=False)
                | models.Q(next_turn__isnull=False, next_ending__isnull=True),
                name="reply_leads_to_one_place",
            ),
        ]

    def __str__(self):
        return in_any_language(self, "text")


class Step(models.Model):
    """A learner's reply at one turn of a conversation in one run."""

    run = models.ForeignKey("quizzes.QuizRun", on_delete=models.CASCADE, related_name="steps")
    question = models.ForeignKey("quizzes.Question", on_delete=models.CASCADE, related_name="+")
    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="steps")
    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="steps")
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conversation step")
        verbose_name_plural = _("conversation steps")
        constraints = [
            # A turn is answered once per run: a replayed POST cannot add a second step.
            models.UniqueConstraint(fields=["run", "turn"], name="one_step_per_turn"),
        ]
        indexes = [
            # The path a learner took in a run's conversation: every turn page.
            models.Index(fields=["run", "question"], name="step_run_question_idx"),
        ]

    def __str__(self):
        return f"{self.run_id}: {self.turn_id} -> {self.reply_id}"


class Conversation:
    """A conversation question's graph, from its prefetched turns, replies and endings
    (no query), and the path a learner took through it."""

    def __init__(self, question):
        self.question = question
        self.turns = list(question.turns.all())
        self.endings = {ending.pk: ending for ending in question.endings.all()}
        self.by_pk = {turn.pk: turn for turn in self.turns}
        self.first = self.turns[0] if self.turns else None

    def walk(self, replies):
        """Follow ``replies`` (reply ids in order) from the first turn. Returns (the path
        as [(turn, reply)], the current turn or None, the ending or None), or None when
        the replies are not a path through this conversation."""
        path, turn = [], self.first
        for reply_id in replies:
            if turn is None:
                return None
            reply = next((r for r in turn.replies.all() if r.pk == reply_id), None)
            if reply is None:
                return None
            path.append((turn, reply))
            if reply.next_ending_id is not None:
                return path, None, self.endings.get(reply.next_ending_id)
            turn = self.by_pk.get(reply.next_turn_id)
        return path, turn, None

    def replies_taken(self, taken):
        """The reply ids of ``taken`` ({turn id: reply id}, a learner's steps) in the
        order of the path from the first turn; none when they are not one path (the
        conversation changed since), so that the learner starts again."""
        replies, turn = [], self.first
        while turn is not None and turn.pk in taken and len(replies) < len(taken):
            reply = next((r for r in turn.replies.all() if r.pk == taken[turn.pk]), None)
            if reply is None:
                return []
            replies.append(reply.pk)
            turn = self.by_pk.get(reply.next_turn_id)
        return replies if len(replies) == len(taken) else []

    def thread(self, path, current):
        """The turns and replies so far as the screen's lines (scenes.Line), continuing
        the body's thread: the scammer's turns theirs, the learner's replies mine, the
        turn to answer now last. No query."""
        from django.utils.translation import gettext

        from .. import scenes

        them = self.question.counterpart
        lines = []
        for turn, reply in path:
            lines += scenes.said(turn.says, them)
            lines += scenes.said(reply.text, gettext("You"), mine=True)
        if current is not None:
            now = scenes.said(current.says, them, turn="now")
            if now:
                now[0].anchor = True
            lines += now
        return lines

    def could_stop(self, turn):
        """True when a reply at ``turn`` leads straight to a safe ending."""
        return any(
            r.next_ending_id and self.endings[r.next_ending_id].is_safe for r in turn.replies.all()
        )


def spot_score(spots, marked):
    """(found, missed, false alarms) as lists of spots, for the ``marked`` spot ids."""
    found = [s for s in spots if s.is_flag and s.pk in marked]
    missed = [s for s in spots if s.is_flag and s.pk not in marked]
    false_alarms = [s for s in spots if not s.is_flag and s.pk in marked]
    return found, missed, false_alarms


def spot_problems(question, spots):
    """What stops a tap-the-red-flag question from going to review."""
    problems = []
    if sum(1 for s in spots if s.is_flag) < 2:
        problems.append(_("Mark at least two parts of the message as warning signs."))
    if all(s.is_flag for s in spots):
        problems.append(_("Add at least one harmless part, so that marking everything fails."))
    for lang in ("en", "zh_hans"):
        body = getattr(question, f"body_{lang}") or ""
        for spot in spots:
            words = getattr(spot, f"text_{lang}") or ""
            if words and body.count(words) != 1:
                problems.append(
                    _("“%(words)s” must appear exactly once in the message.") % {"words": words}
                )
    return problems


class MarksConflict(Exception):
    """The question was already answered in this run with other marks."""


def record_marks(run, question_id, spots, marked, recheck=None):
    """Store the spots a learner marked for one tap-the-red-flag question of ``run``,
    once: an Answer (right when every warning sign is found and nothing harmless is
    marked) with one row per marked spot, in the answer's statement on PostgreSQL
    (``Answer.objects.record``; ``recheck``: whether the run is a lesson's re-check).

    The same marks again (replay) return the stored answer; other marks raise
    MarksConflict. No transaction, as for a chosen answer (``QuizRun.record_answer``):
    the answer's INSERT (with all it changes) stands alone and the unique constraint
    refuses a second one; a learner always marks at least one part, so an answer stored
    without its marks (elsewhere than on PostgreSQL, the marks' INSERT failed) gets them
    on the retry.
    """
    from django.db import IntegrityError

    from .answers import Answer

    _found, missed, false_alarms = spot_score(spots, marked)
    answer = Answer(
        run=run,
        learner_id=run.learner_id,
        question_id=question_id,
        choice=None,
        is_correct=not missed and not false_alarms,
    )
    answer.marked = set(marked)
    try:
        return Answer.objects.record(answer, run, recheck)
    except IntegrityError:
        answer = Answer.objects.get(run=run, question_id=question_id)
    stored = set(answer.spots.values_list("pk", flat=True))
    if stored and stored != set(marked):
        raise MarksConflict from None
    if not stored:
        Answer.spots.through.objects.bulk_create(
            Answer.spots.through(answer_id=answer.pk, spot_id=pk) for pk in sorted(marked)
        )
    answer.marked = set(marked)
    run.finish_if_complete()  # as a chosen answer's replay
    return answer


class StepConflict(Exception):
    """The learner already replied at this turn in this run, otherwise."""


def record_step(run, question_id, turn, reply, ending, recheck=None):
    """Store the learner's ``reply`` at ``turn`` (the current turn: the caller walked the
    path), and when it leads to ``ending`` the question's answer: right when the ending
    is safe (``finish_conversation``). 1 query, more when the conversation ends. A
    parallel duplicate is refused by the unique constraint: StepConflict."""
    from contextlib import nullcontext

    from django.db import IntegrityError, connection, transaction

    insert = transaction.atomic if connection.in_atomic_block else nullcontext
    try:
        with insert():
            Step.objects.create(run=run, question_id=question_id, turn=turn, reply=reply)
    except IntegrityError:
        raise StepConflict from None
    if ending is None:
        return None
    return finish_conversation(run, question_id, ending, recheck)


def finish_conversation(run, question_id, ending, recheck=None):
    """Store the answer of a conversation that reached ``ending``, once, with all it
    changes (``Answer.objects.record``; ``recheck``: whether the run is a lesson's
    re-check, None when not known)."""
    from django.db import IntegrityError

    from .answers import Answer

    answer = Answer(
        run=run,
        learner_id=run.learner_id,
        question_id=question_id,
        ending=ending,
        is_correct=ending.is_safe,
    )
    try:
        Answer.objects.record(answer, run, recheck)
    except IntegrityError:
        run.finish_if_complete()  # stored by a parallel request; as a chosen answer's replay
    return answer


MAX_TURNS_ON_A_PATH = 12  # as the curriculum schema (quizzes/curriculum/schema/kinds.py)


def conversation_problems(turns, endings):
    """What stops a conversation question from going to review: the curriculum schema's
    checks, as sentences for the officer. ``turns`` with their replies prefetched."""
    if not turns or not endings:
        return [_("A conversation needs its turns and endings.")]
    problems = []
    for turn in turns:
        if not 2 <= len(turn.replies.all()) <= 3:
            problems.append(_("Turn “%(key)s” needs two or three replies.") % {"key": turn.key})
    for ending in endings:
        if ending.outcome not in Outcome.values:
            problems.append(_("Ending “%(key)s” needs an outcome.") % {"key": ending.key})
    graph = {t.pk: [r.next_turn_id for r in t.replies.all() if r.next_turn_id] for t in turns}
    reached, longest, loop = set(), 0, False
    stack = [(turns[0].pk, (turns[0].pk,))]
    while stack and not loop:
        pk, path = stack.pop()
        reached.add(pk)
        longest = max(longest, len(path))
        if len(path) > MAX_TURNS_ON_A_PATH:
            break
        for target in graph.get(pk, []):
            if target in path:
                loop = True
                break
            stack.append((target, (*path, target)))
    if loop:
        problems.append(_("A path goes round in a loop: every path must reach an ending."))
    if longest > MAX_TURNS_ON_A_PATH:
        problems.append(_("A path is longer than %(n)s turns.") % {"n": MAX_TURNS_ON_A_PATH})
    endings_reached = {r.next_ending_id for t in turns if t.pk in reached for r in t.replies.all()}
    unreached = [t.key for t in turns if t.pk not in reached]
    unreached += [e.key for e in endings if e.pk not in endings_reached]
    if unreached and not loop and longest <= MAX_TURNS_ON_A_PATH:
        problems.append(
            _("Not reachable from the first turn: %(keys)s.") % {"keys": ", ".join(unreached)}
        )
    return problems
