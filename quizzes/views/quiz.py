"""Taking a quiz: starting a run, a question and its answer, the results; and the staff
preview of a lesson or question as citizens would see it."""

from django.conf import settings
from django.contrib import messages
from django.http import (
    Http404,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from .. import caching, ratelimit
from ..learners import current_learner, learner_id
from ..models import (
    MASTERY_THRESHOLD,
    Answer,
    AnswerConflict,
    Conversation,
    Lesson,
    Question,
    QuizRun,
    ReviewKind,
    RunQuestion,
)
from ..models.slots import facts_kept, facts_key
from ..numbers import whole_number
from ..sessions.middleware import reads_session_itself
from .pages import lesson_page


def framed_by_the_workspace(view):
    """Previews show beside the workspace's forms, in a frame of this site only."""
    csp = {**settings.SECURE_CSP, "frame-ancestors": [CSP.SELF]}
    return xframe_options_sameorigin(csp_override(csp)(view))


def own_runs(request):
    """Runs the request may see: its learner's, from the session (no query for visitors;
    see ``learner_id`` for logged-in sessions)."""
    pk = learner_id(request)
    if pk is None:
        return QuizRun.objects.none()
    return QuizRun.objects.filter(learner_id=pk)


def starting_learner(request, lesson=None):
    """The learner starting a quiz (of ``lesson``, if given: see ``current_learner``), or
    None once this address (checked before a learner is created, so a flood stores
    nothing) or this learner started too many. A learner the session knows has both
    limits counted in one round trip."""
    known = learner_id(request)
    if known is not None:
        if ratelimit.exceeded_any(request, ("run-address", None), ("run", known)):
            return None
        learner = current_learner(request, create=True, lesson=lesson)
        if learner.pk == known or not ratelimit.exceeded(request, "run", who=learner.pk):
            return learner
        return None
    if ratelimit.exceeded(request, "run-address"):
        return None
    learner = current_learner(request, create=True)
    if ratelimit.exceeded(request, "run", who=learner.pk):
        return None
    return learner


@require_POST
def start_lesson_quiz(request, slug):
    lesson = next((lesson for lesson in caching.home_lessons() if lesson.slug == slug), None)
    if lesson is None:
        raise Http404(_("No published lesson has this address."))
    learner = starting_learner(request, lesson)
    if learner is None:
        return render(request, "429.html", status=429)
    run = learner.start_run(lesson)
    if run is None:
        messages.info(request, _("This lesson has no questions yet."))
        return redirect(lesson)
    return redirect(run)


@require_http_methods(["GET", "HEAD", "POST"])
def practice(request):
    if request.method != "POST":
        # A live scam alert comes first in a learner's review (no query, as on the home page).
        alerts = caching.live_alerts()
        name = f"practice:{caching.alerts_mark(alerts)}"
        return caching.page(request, name, "quizzes/practice.html", lambda: {"alerts": alerts})
    learner = starting_learner(request)
    if learner is None:
        return render(request, "429.html", status=429)
    run = learner.start_run()
    if run is None:
        messages.info(request, _("There are no questions to practise yet."))
        return redirect("quizzes:home")
    return redirect(run)


@reads_session_itself
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
def run_question(request, public_id, position):
    """One question of a run: the scenario and the form, or the feedback once answered.

    Queries: the session and this run question with its answer (with Redis, the run's
    facts come with the session and there is no query); on POST also the INSERT, which
    finishes the run with its last answer and leaves the answer for the learner's memory
    to count when a page reads it (``Answer.objects.record``). The question comes from
    the content cache, the page from the page cache (rendered once per question,
    position and answer).
    """
    slot = slot_of(request, public_id, position)
    if slot is None:
        raise Http404(_("This question is not in any of your quizzes."))
    question = caching.question(slot.question_id)
    if question is None or not question.is_public or not question.lesson.is_public:
        raise Http404(_("This question is no longer published."))
    if question.kind != "choice":
        from . import kinds  # imports this module

        return kinds.run_question(request, slot, question)
    if request.method == "POST":
        choices = list(question.choices.all())
        error, status, answer = submit_answer(request, slot, choices)
        if error is None and not request.htmx:
            return HttpResponseRedirect(request.path + "#feedback")
        choice_id = answer.choice_id if answer else None
    else:
        error, status, choice_id = None, 200, slot.answer_choice

    def context():
        choices = list(question.choices.all())
        answer = None
        if choice_id is not None:
            choice = next(c for c in choices if c.pk == choice_id)
            answer = Answer(question=question, choice=choice, is_correct=choice.is_correct)
        return {
            **frame(slot, question),
            **question_context(question, choices, answer, error, cache=True),
        }

    return cached_page(request, slot, question, choice_id, context, status, error)


def slot_of(request, public_id, position):
    """The learner's run question (``RunQuestion.objects.for_page``). With Redis the run's
    facts are read with the session, in its one round trip (``read_along``), and a POST
    (an answer or a reply) has its rate limits counted there too, given back when the run
    is not the learner's."""
    session = request.session
    along = getattr(session, "read_along", None) if facts_kept() else None
    wanted = False
    if along is not None:
        count = ratelimit.answer_counters(request) if request.method == "POST" else None
        wanted = along(facts_key(public_id), count=count)
    learner = learner_id(request)  # reads the session
    if wanted:
        ratelimit.give_back_if_not_theirs(request, learner)
    facts = session.along if wanted else None
    return RunQuestion.objects.for_page(learner, public_id, position, facts=facts)


def frame(slot, question):
    """What a run's question page shows around the question. The run's public id is a
    mark here, put in per request: one rendering serves every run that shows this
    question at this position."""
    shown_run = QuizRun(public_id=caching.marks().run, size=slot.size)
    shown_run.lesson = question.lesson if slot.lesson_id else None
    return {
        "run": shown_run,
        "review_kind": ReviewKind(slot.review_kind).label if slot.review_kind else None,
        "run_question": RunQuestion(position=slot.position),
        "action": reverse("quizzes:run-question", args=[shown_run.public_id, slot.position]),
    }


def cached_page(request, slot, question, state, context, status, error):
    """The question page from the page cache, one rendering per question, position and
    answer ``state`` (a choice, the marks, the path taken). Once answered, the page
    also carries the run's next question (``next_section``), cached on its own and put
    in per request: in a review or mixed practice, whose questions come in any order,
    one rendering per answer and next question would seldom be seen twice."""
    template = "quizzes/question.html"
    if request.htmx:
        template += "#answer-area"
    carried = ""
    if slot.next_started is False and not request.htmx:
        carried = next_section(slot)
    parts = {caching.marks().next: carried} if carried else {}

    def full_context():
        shown = context()
        if carried:
            shown["next"] = {"position": slot.position + 1}
            shown["next_html"] = mark_safe(caching.marks().next)
        return shown

    return caching.page(
        request,
        f"question:{question.pk}:{slot.position}:{slot.size}:{bool(slot.lesson_id)}"
        f":{slot.review_kind}:{state}:{bool(carried)}",
        template,
        full_context,
        status=status,
        parts=parts,
        fill={caching.marks().run: str(slot.public_id)},
        cache=error is None,
    )


def next_section(slot):
    """The run's next question as the feedback page carries it (the ``next-question``
    part of the page), rendered once per question, position and run size in each
    language; "" when it cannot be shown."""

    def render():
        shown = next_question(slot)
        if shown is None:
            return ""
        m = caching.marks()
        return render_to_string(
            "quizzes/question.html#next-question",
            {"next": shown, "run": {"size": slot.size}, "csrf_token": m.csrf},
        )

    return caching.html(f"next:{slot.next_question_id}:{slot.position + 1}:{slot.size}", render)


def next_question(slot):
    """The run's next question as its own page would show it before answering, for the
    feedback page to carry below the feedback: the learner answers it from there, so an
    answer costs a POST and the GET it redirects to. Nothing of its answer key: the
    same cached parts as its page (no query). None when it cannot be shown (no longer
    published, or a conversation without turns): the feedback then links to its page."""
    question = caching.question(slot.next_question_id)
    if question is None or not question.is_public or not question.lesson.is_public:
        return None
    position = slot.position + 1
    shown = {
        "position": position,
        "action": reverse("quizzes:run-question", args=[caching.marks().run, position]),
    }
    if question.kind == "spot":
        from .kinds import spot_context  # imports this module

        return {**shown, **spot_context(question, list(question.spots.all()), None, None)}
    if question.kind == "conversation":
        conversation = Conversation(question)
        if conversation.first is None:
            return None
        # The first turn in the chat or call, drawn as on the conversation's own page.
        thread = conversation.thread([], conversation.first)
        scenario = caching.html(
            f"scenario:{question.pk}:first-turn",
            lambda: render_to_string(
                "includes/scenario.html", question.scene_context(thread=thread)
            ),
        )
        return {
            **shown,
            "question": question,
            "scenario_html": scenario,
            "current": conversation.first,
        }
    choices = list(question.choices.all())
    return {**shown, **question_context(question, choices, None, None, cache=True)}


def question_context(question, choices, answer, error, cache):
    """The question page's parts: the scenario, then the choices or the feedback, each
    rendered once per question, choice and language when ``cache`` (not for previews)."""

    def html(name, template, context):
        def render():
            return render_to_string(template, context)

        return caching.html(name, render) if cache else mark_safe(render())

    context = {
        "question": question,
        "choices": choices,
        "answer": answer,
        "error": error,
        "scenario_html": html(
            f"scenario:{question.pk}", "includes/scenario.html", question.scene_context()
        ),
    }
    if answer is None:
        context["choices_html"] = html(
            f"choices:{question.pk}:{bool(error)}",
            "quizzes/question.html#choice-fields",
            {"choices": choices, "error": error},
        )
    else:
        answer.choice = next(c for c in choices if c.pk == answer.choice_id)
        context["feedback_html"] = html(
            f"feedback:{question.pk}:{answer.choice_id}:{answer.is_correct}",
            "quizzes/question.html#feedback-body",
            {"question": question, "answer": answer, **feedback_context(question, choices)},
        )
    return context


def submit_answer(request, slot, choices):
    """Record a POSTed choice. Returns (error message, status, answer or None)."""
    picked = whole_number(request.POST.get("choice", ""))
    if picked is None:
        return _("Please choose one of the answers."), 400, None
    choice = next((c for c in choices if c.pk == picked), None)
    if choice is None:
        return _("That answer does not belong to this question."), 400, None
    if ratelimit.answering_too_fast(request, slot.learner_id):
        return _("You are answering very fast. Please wait a minute and try again."), 429, None
    run = slot.run()
    try:
        answer = run.record_answer(slot, choice, recheck=slot.recheck)
    except AnswerConflict:
        slot.forget()
        stored = Answer.objects.get(run=run, question_id=slot.question_id)
        return _("You have already answered this question."), 409, stored
    slot.remember(answer)
    return None, 200, answer


def feedback_context(question, choices):
    return {
        "correct_choice": next((c for c in choices if c.is_correct), None),
        "red_flags": question.red_flags.all(),
        "reminder": question.reminder,
    }


@framed_by_the_workspace
def preview_needs(request, missing=(), problems=()):
    """The preview's page for what is not there yet: the fields to fill in (``missing``,
    their labels) and what else stands in the way (``problems``, sentences)."""
    context = {"missing": list(missing), "problems": list(problems), "title": _("Preview")}
    return render(request, "quizzes/preview_incomplete.html", context)


def can_preview(user):
    return user.is_active and user.is_staff and user.has_perm("quizzes.view_question")


@require_safe
@framed_by_the_workspace
def preview_lesson(request, pk):
    """A lesson in any status, as citizens would see it, for staff only."""
    if not can_preview(request.user):
        raise Http404
    lesson = get_object_or_404(Lesson.objects.with_page_content(), pk=pk)
    return render(request, "quizzes/lesson.html", {**lesson_page(lesson), "preview": lesson})


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "HEAD", "POST"])
@framed_by_the_workspace
def preview_question(request, pk):
    """A question in any status, for staff; answering shows the feedback, stores nothing."""
    if not can_preview(request.user):
        raise Http404
    question = get_object_or_404(
        Question.objects.select_related("lesson", "reminder").prefetch_related("choices"), pk=pk
    )
    if question.kind != "choice":
        from . import kinds  # imports this module

        return kinds.preview(request, caching.question(pk))
    choices = list(question.choices.all())
    answer, error, status = None, None, 200
    if request.method == "POST":
        picked = whole_number(request.POST.get("choice", ""))
        choice = next((c for c in choices if c.pk == picked), None)
        if choice is None:
            error, status = _("Please choose one of the answers."), 400
        else:
            answer = Answer(question=question, choice=choice, is_correct=choice.is_correct)
    context = {
        **question_context(question, choices, answer, error, cache=False),
        "preview": True,
        "action": request.path,
    }
    template = "quizzes/question.html"
    if request.htmx:
        template += "#answer-area"
    return render(request, template, context, status=status)


@require_safe
def run_results(request, public_id):
    """The score, what was missed, and one next step. Queries: the run, its answers, its
    questions and their red flags."""
    run = get_object_or_404(
        own_runs(request).select_related("lesson", "review"), public_id=public_id
    )
    # Answers finish their run as they are stored (QuizRun.answered); a run that has them
    # all and is still open predates that, and is finished now. No write otherwise.
    if run.finished_at is None and run.answered >= run.size:
        run.finish_if_complete()
    results = run.results()
    answered = [a for _, a in results if a is not None]
    score = sum(1 for a in answered if a.is_correct)
    next_lesson = None
    if run.lesson is not None:
        later = (
            lesson for lesson in caching.home_lessons() if lesson.position > run.lesson.position
        )
        next_lesson = next(later, None)
    first_open = next((rq for rq, a in results if a is None), None)
    # A visitor who came through a campaign's link is led back to it (no query).
    code = request.session.get("campaign")
    return render(
        request,
        "quizzes/results.html",
        {
            "run": run,
            "results": results,
            "score": score,
            "percent": round(100 * score / run.size) if run.size else 0,
            "missed": [(rq, a) for rq, a in results if a is not None and not a.is_correct],
            "missed_flags": run.missed_red_flags(results),
            "first_open": first_open,
            "next_lesson": next_lesson,
            "mastered": run.size and score / run.size >= MASTERY_THRESHOLD,
            "campaign_url": reverse("quizzes:campaign", args=[code]) if code else None,
        },
    )
