"""Answering the question kinds beyond choosing: tap the red flags, and the branching
conversation. Same URL as a choice question; ``quiz.run_question`` hands over."""

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .. import caching, ratelimit
from ..models import (
    Answer,
    Conversation,
    MarksConflict,
    Step,
    StepConflict,
    record_marks,
    record_step,
    spot_score,
)
from ..models.kinds import finish_conversation
from ..numbers import whole_number
from .quiz import cached_page, feedback_context, frame, preview_needs

MAX_MARKS = 8  # a question has at most 8 spots; more values are tampering


def run_question(request, slot, question):
    if question.kind == "spot":
        return spot_question(request, slot, question)
    if question.kind == "conversation":
        return conversation_question(request, slot, question)
    raise Http404(_("This question is no longer published."))


# --- Tap the red flags -------------------------------------------------------------------


def spot_question(request, slot, question):
    """The message with a checkbox on each candidate part, or the feedback: every part
    revealed in place with its explanation. Queries: as a choice question (the run
    question's query reads the stored marks too), plus the marks' INSERT on POST."""
    spots = list(question.spots.all())
    marked = None
    error, status = None, 200
    if request.method == "POST":
        error, status, answer = submit_marks(request, slot, question, spots)
        if error is None and not request.htmx:
            return HttpResponseRedirect(request.path + "#feedback")
        marked = answer.marked if answer is not None else None
    elif slot.answer_id is not None:
        marked = set(slot.marks)
    state = None if marked is None else "spots:" + ",".join(map(str, sorted(marked)))

    def context():
        return {**frame(slot, question), **spot_context(question, spots, marked, error)}

    return cached_page(request, slot, question, state, context, status, error)


def submit_marks(request, slot, question, spots):
    """Record the POSTed marks. Returns (error message, status, answer or None). Every
    value must be one of this question's spots: anything else stores nothing."""
    values = request.POST.getlist("spot")
    if not values:
        return _("Mark at least one part of the message."), 400, None
    marked = {whole_number(v) for v in values[:MAX_MARKS]}
    if len(values) > MAX_MARKS or None in marked:
        return _("That is not a part of this message."), 400, None
    ids = {spot.pk for spot in spots}
    if not marked <= ids:
        return _("That is not a part of this message."), 400, None
    if ratelimit.answering_too_fast(request, slot.learner_id):
        return _("You are answering very fast. Please wait a minute and try again."), 429, None
    try:
        run = slot.run()
        answer = record_marks(run, slot.question_id, spots, marked, slot.recheck)
    except MarksConflict:
        slot.forget()
        stored = Answer.objects.get(run_id=slot.run_id, question_id=slot.question_id)
        stored.marked = set(stored.spots.values_list("pk", flat=True))
        return _("You have already answered this question."), 409, stored
    slot.remember(answer)
    return None, 200, answer


def spot_context(question, spots, marked, error, cache=True):
    """The spot question page's parts, each rendered once per question, marks and
    language when ``cache``. Before answering the page holds the spots' words only:
    which are warning signs, and why, comes with the feedback."""

    def html(name, template, context):
        def render():
            return render_to_string(template, context)

        return caching.html(name, render) if cache else mark_safe(render())

    context = {"question": question, "error": error, "spot_form": marked is None}
    if marked is None:
        context["scenario_html"] = html(
            f"scenario:{question.pk}:marking",
            "includes/scenario.html",
            question.scene_context(spots=spots),
        )
        return context
    found, missed, false_alarms = spot_score(spots, marked)
    answer = Answer(question=question, is_correct=not missed and not false_alarms)
    answer.marked = marked
    context["answer"] = answer
    rows = []
    for spot in spots:
        ticked = spot.pk in marked
        if spot.is_flag:
            outcome = "found" if ticked else "missed"
        else:
            outcome = "false" if ticked else "left"
        rows.append((spot, outcome, ticked))
    context["spot_score"] = {
        "found": len(found),
        "flags": len(found) + len(missed),
        "false_alarms": len(false_alarms),
    }
    key = ",".join(map(str, sorted(marked)))
    context["feedback_html"] = html(
        f"spot-feedback:{question.pk}:{key}",
        "quizzes/question.html#spot-feedback",
        {
            "question": question,
            "rows": rows,
            # After a mistake the list opens: what each part was, and what the learner did.
            "mistaken": bool(missed or false_alarms),
            "revealed_html": render_to_string(
                "includes/scenario.html",
                question.scene_context(spots=spots, reveal=True, marked=marked),
            ),
            **feedback_context(question, []),
        },
    )
    return context


# --- A branching conversation ---------------------------------------------------------


def conversation_question(request, slot, question):
    """The conversation so far and the replies to the current turn, or the ending with
    the walk back through the turns. The next turn is never in the page: it is chosen
    when the learner's reply is posted. Queries: as a choice question (the run question's
    query reads the path taken too); a reply adds its INSERT, and the answer and the
    learner's memory when it ends the conversation."""
    conversation = Conversation(question)
    if conversation.first is None:
        raise Http404(_("This question is no longer published."))
    taken = slot.taken
    walked = conversation.walk(conversation.replies_taken(taken))
    error, status = None, 200
    if request.method == "POST":
        error, status, walked = submit_reply(request, slot, conversation, taken, walked)
        if error is None and not request.htmx:
            # The turn to answer now, or the ending, at the top of the screen.
            return HttpResponseRedirect(request.path + ("#feedback" if walked[2] else "#now"))
    elif walked[2] is not None and slot.answer_id is None:
        # The ending's answer was not stored (the request failed after the step): now.
        slot.remember(finish_conversation(slot.run(), question.pk, walked[2]))
    path, _current, _ending = walked
    state = "path:" + ",".join(str(reply.pk) for _, reply in path)

    def context():
        return {
            **frame(slot, question),
            **conversation_context(question, conversation, walked, error),
        }

    return cached_page(request, slot, question, state, context, status, error)


def submit_reply(request, slot, conversation, taken, walked):
    """Record the POSTed reply at the current turn. Returns (error message, status, the
    walk after it). A reply at an earlier turn is a replay: the same reply changes
    nothing, another one is refused (409); a turn not reached yet, or a reply of another
    turn, is refused (400). Nothing is stored unless the reply is new and valid."""
    path, current, _ending = walked
    turn_id = whole_number(request.POST.get("turn", ""))
    reply_id = whole_number(request.POST.get("reply", ""))
    if turn_id is None or reply_id is None:
        return _("Please choose one of the replies."), 400, walked
    turn = conversation.by_pk.get(turn_id)
    reply = next((r for r in turn.replies.all() if r.pk == reply_id), None) if turn else None
    if reply is None:
        return _("That reply is not part of this conversation."), 400, walked
    if taken.get(turn.pk) == reply.pk:
        return None, 200, walked  # a replay: already stored
    if turn.pk in taken:
        return _("You have already replied at this point of the conversation."), 409, walked
    if turn != current:
        return _("That is not where this conversation is now."), 400, walked
    if ratelimit.answering_too_fast(request, slot.learner_id):
        return _("You are answering very fast. Please wait a minute and try again."), 429, walked
    after = conversation.walk([r.pk for _, r in path] + [reply.pk])
    try:
        answer = record_step(slot.run(), slot.question_id, turn, reply, after[2], slot.recheck)
    except StepConflict:
        # The run's facts missed a reply the database has (quizzes/models/slots.py):
        # read them again next time. The same reply is a replay, as above.
        slot.forget()
        if Step.objects.filter(run_id=slot.run_id, turn=turn, reply=reply).exists():
            return None, 200, after
        return _("You have already replied at this point of the conversation."), 409, walked
    slot.remember(answer, step=(turn.pk, reply.pk))
    return None, 200, after


def conversation_context(question, conversation, walked, error):
    """The conversation page's parts: the turns so far, then the replies or the ending
    with the walk back (its pressure tactic and whether the learner could have stopped
    there, at each turn). The page cache keeps one rendering per path."""
    path, current, ending = walked
    answer = None
    if ending is not None:
        answer = Answer(question=question, ending=ending, is_correct=ending.is_safe)

    # The page cache keeps the page once per path, so the thread is not cached apart.
    scenario = render_to_string(
        "includes/scenario.html",
        question.scene_context(thread=conversation.thread(path, current)),
    )

    return {
        "question": question,
        "error": error,
        "answer": answer,
        "conversation": True,
        "path": path,
        "current": current,
        "ending": ending,
        "walk_back": [
            (turn, reply, conversation.could_stop(turn) and not is_safe(conversation, reply))
            for turn, reply in path
        ],
        "scenario_html": scenario,
        **feedback_context(question, []),
    }


def is_safe(conversation, reply):
    ending = conversation.endings.get(reply.next_ending_id)
    return ending is not None and ending.is_safe


# --- Staff preview: answering shows the feedback and stores nothing --------------------


def preview(request, question):
    """A spot or conversation question in any status, for staff. The conversation's path
    so far travels in the form (staff only: nothing is stored, nothing is secret)."""
    error, status = None, 200
    if question.kind == "spot":
        spots = list(question.spots.all())
        marked = None
        if request.method == "POST":
            values = request.POST.getlist("spot")
            ids = {spot.pk for spot in spots}
            marked = {n for v in values if (n := whole_number(v)) is not None}
            if not values or not marked or not marked <= ids:
                marked, error, status = None, _("Mark at least one part of the message."), 400
        context = spot_context(question, spots, marked, error, cache=False)
    else:
        conversation = Conversation(question)
        if conversation.first is None:  # a new conversation, saved before its turns
            problem = _("Add the conversation's first turn, with its replies, to see it here.")
            return preview_needs(request, problems=[problem])
        replies = []
        if request.method == "POST":
            raw = [*request.POST.get("path", "").split(","), request.POST.get("reply", "")]
            replies = [n for v in raw if (n := whole_number(v)) is not None]
        walked = conversation.walk(replies)
        if walked is None:
            walked, error, status = (
                conversation.walk([]),
                _("Please choose one of the replies."),
                400,
            )
        context = conversation_context(question, conversation, walked, error)
        context["path_ids"] = ",".join(str(reply.pk) for _, reply in walked[0])
    context.update(preview=True, action=request.path)
    template = "quizzes/question.html"
    if request.htmx:
        template += "#answer-area"
    return render(request, template, context, status=status)
