"""Citizen pages. Thin views: rules live on the models, pages in templates/quizzes/."""

import sys
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db import InterfaceError, OperationalError
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from . import caching, ratelimit
from .context_processors import LARGE_TEXT_COOKIE
from .learners import current_learner, learner_id, session_learner
from .models import (
    MASTERY_THRESHOLD,
    Answer,
    AnswerConflict,
    Lesson,
    LessonStatus,
    Question,
    QuizRun,
    Reminder,
    RunQuestion,
)

# A learner's progress page is kept this long after it was rendered, unless it changed.
PROGRESS_CACHE_SECONDS = 300


def own_runs(request):
    """Runs the request may see: its learner's, from the session (no query for visitors;
    see ``learner_id`` for logged-in sessions)."""
    pk = learner_id(request)
    if pk is None:
        return QuizRun.objects.none()
    return QuizRun.objects.filter(learner_id=pk)


def render_cards(lessons, statuses):
    cards = [(lesson, statuses.get(lesson.pk)) for lesson in lessons]
    return render_to_string("quizzes/home.html#cards", {"cards": cards})


@require_GET
def home(request):
    """The lesson cards: for visitors without progress the whole page comes from the
    cache (no query at all), otherwise with the learner's status on each card."""
    learner = session_learner(request)
    if learner is None:
        return caching.page(
            request,
            "home",
            "quizzes/home.html",
            # The cards are shared by every display mode's page.
            lambda: {
                "cards_html": caching.html(
                    "home-cards", lambda: render_cards(caching.home_lessons(), {})
                )
            },
        )
    lessons = caching.home_lessons()
    statuses = {p.lesson.pk: p for p in learner.progress_by_lesson(lessons)}
    return render(request, "quizzes/home.html", {"cards_html": render_cards(lessons, statuses)})


def lesson_page(lesson):
    """What the lesson page shows: its heading fields and the rendered body."""
    return {
        "lesson": {
            "title": lesson.title,
            "summary": lesson.summary,
            "slug": lesson.slug,
            "count": len(lesson.public_questions),
        },
        "body": mark_safe(render_to_string("quizzes/lesson.html#lesson-body", {"lesson": lesson})),
    }


@require_GET
def lesson_detail(request, slug):
    def build():
        lesson = caching.lesson_page(slug)
        return lesson_page(lesson) if lesson is not None else None

    def context():
        # The lesson's parts are shared by every display mode's page.
        parts = caching.cached(f"lesson-page:{get_language()}:{slug}", build)
        if parts is None:
            raise Http404(_("No published lesson has this address."))
        return parts

    return caching.page(request, f"lesson:{slug}", "quizzes/lesson.html", context)


@require_GET
def reminders(request):
    def build():
        parts = {
            "general": Reminder.objects.general().prefetch_related("sources"),
            "lessons": Lesson.objects.published().prefetch_related("reminders"),
        }
        return render_to_string("quizzes/reminders.html#reminders", parts)

    def context():
        # The reminders are shared by every display mode's page.
        return {"reminders_html": caching.html("reminders", build)}

    return caching.page(request, "reminders", "quizzes/reminders.html", context)


@require_POST
def start_lesson_quiz(request, slug):
    lesson = next((lesson for lesson in caching.home_lessons() if lesson.slug == slug), None)
    if lesson is None:
        raise Http404(_("No published lesson has this address."))
    run = current_learner(request, create=True).start_run(lesson)
    if run is None:
        messages.info(request, _("This lesson has no questions yet."))
        return redirect(lesson)
    return redirect(run)


@require_http_methods(["GET", "POST"])
def practice(request):
    if request.method == "GET":
        return caching.page(request, "practice", "quizzes/practice.html", dict)
    run = current_learner(request, create=True).start_run()
    if run is None:
        messages.info(request, _("There are no questions to practise yet."))
        return redirect("quizzes:home")
    return redirect(run)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def run_question(request, public_id, position):
    """One question of a run: the scenario and the form, or the feedback once answered.

    Queries: the session and this run question with its answer; on POST also the
    INSERT and the run's finishing check. The question comes from the content cache, the
    page from the page cache (rendered once per question, position and answer).
    """
    slot = RunQuestion.objects.for_page(learner_id(request), public_id, position)
    if slot is None:
        raise Http404(_("This question is not in any of your quizzes."))
    question = caching.question(slot.question_id)
    if question is None or not question.is_public or not question.lesson.is_public:
        raise Http404(_("This question is no longer published."))
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
        # The run's public id is a mark here, put in per request: one rendering serves
        # every run that shows this question at this position.
        shown_run = QuizRun(public_id=caching.marks().run, size=slot.size)
        shown_run.lesson = question.lesson if slot.lesson_id else None
        return {
            "run": shown_run,
            "run_question": RunQuestion(position=position),
            "action": reverse("quizzes:run-question", args=[shown_run.public_id, position]),
            **question_context(question, choices, answer, error, cache=True),
        }

    template = "quizzes/question.html"
    if request.htmx:
        template += "#answer-area"
    return caching.page(
        request,
        f"question:{question.pk}:{position}:{slot.size}:{bool(slot.lesson_id)}:{choice_id}",
        template,
        context,
        status=status,
        fill={caching.marks().run: str(public_id)},
        cache=error is None,
    )


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
            f"scenario:{question.pk}", "includes/scenario.html", {"question": question}
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
    raw = request.POST.get("choice", "")
    if not raw.isdigit() or len(raw) > 18:
        return _("Please choose one of the answers."), 400, None
    choice = next((c for c in choices if c.pk == int(raw)), None)
    if choice is None:
        return _("That answer does not belong to this question."), 400, None
    if ratelimit.exceeded(request, "answer", who=slot.learner_id) or ratelimit.exceeded(
        request, "answer-address"
    ):
        return _("You are answering very fast. Please wait a minute and try again."), 429, None
    run = slot.run()
    try:
        return None, 200, run.record_answer(slot, choice)
    except AnswerConflict:
        stored = Answer.objects.get(run=run, question_id=slot.question_id)
        return _("You have already answered this question."), 409, stored


def feedback_context(question, choices):
    return {
        "correct_choice": next((c for c in choices if c.is_correct), None),
        "red_flags": question.red_flags.all(),
        "reminder": question.reminder,
    }


def can_preview(user):
    return user.is_active and user.is_staff and user.has_perm("quizzes.view_question")


@require_GET
def preview_lesson(request, pk):
    """A lesson in any status, as citizens would see it, for staff only."""
    if not can_preview(request.user):
        raise Http404
    lesson = get_object_or_404(Lesson.objects.with_page_content(), pk=pk)
    return render(request, "quizzes/lesson.html", {**lesson_page(lesson), "preview": lesson})


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def preview_question(request, pk):
    """A question in any status, for staff; answering shows the feedback, stores nothing."""
    if not can_preview(request.user):
        raise Http404
    question = get_object_or_404(
        Question.objects.select_related("lesson", "reminder").prefetch_related("choices"), pk=pk
    )
    choices = list(question.choices.all())
    answer, error, status = None, None, 200
    if request.method == "POST":
        raw = request.POST.get("choice", "")
        choice = next((c for c in choices if raw.isdigit() and c.pk == int(raw)), None)
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


@require_GET
def run_results(request, public_id):
    run = get_object_or_404(own_runs(request).select_related("lesson"), public_id=public_id)
    run.finish_if_complete()  # heals a run whose last answer was stored but not counted
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
    return render(
        request,
        "quizzes/results.html",
        {
            "run": run,
            "results": results,
            "score": score,
            "missed": [(rq, a) for rq, a in results if a is not None and not a.is_correct],
            "first_open": first_open,
            "next_lesson": next_lesson,
            "mastered": run.size and score / run.size >= MASTERY_THRESHOLD,
        },
    )


@require_GET
def progress(request):
    """Queries: the session and the learner's activity; when that changed since the page
    was last rendered, also the runs with their scores and the red flags."""
    learner = session_learner(request)
    threshold = round(MASTERY_THRESHOLD * 100)
    if learner is None:
        context = {"learner": None, "threshold": threshold}
        return caching.page(request, "progress", "quizzes/progress.html", lambda: context)

    def context():
        published = caching.home_lessons()
        runs = learner.runs_with_scores(published)
        lessons = learner.progress_by_lesson(published, runs)
        flags = list(learner.red_flag_recognition())
        return {
            "learner": learner,
            "threshold": threshold,
            "lessons": lessons,
            "done": sum(
                1 for p in lessons if p.status in (LessonStatus.COMPLETED, LessonStatus.MASTERED)
            ),
            "missed_flags": [f for f in flags if f.recognised < f.seen],
            "flags": flags,
            "recent_runs": runs[::-1][:5],
        }

    # One learner's page: cached briefly, and not among the process's own copies.
    name = f"progress:{learner.pk}:{learner.activity()}"
    template = "quizzes/progress.html"
    return caching.page(
        request, name, template, context, timeout=PROGRESS_CACHE_SECONDS, local=False
    )


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("quizzes:progress")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST":
        if ratelimit.exceeded(request, "signup"):
            form.add_error(None, _("Too many new accounts from here. Please try again later."))
        elif form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("quizzes:progress")
    return render(request, "registration/signup.html", {"form": form})


def back(request, fallback):
    """Where the visitor came from on this site (the Referer), else ``fallback``."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(target)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return fallback


# No CSRF token: the header that holds this form is the same on every page and cached,
# and a forged request could do no more than change someone's text size.
@csrf_exempt
@require_POST
def display(request):
    """Switch the large-text mode on or off; works as a plain form."""
    response = HttpResponseRedirect(back(request, reverse("quizzes:home")))
    if request.POST.get("large_text") == "1":
        response.set_cookie(
            LARGE_TEXT_COOKIE, "1", max_age=60 * 60 * 24 * 365, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response


@require_GET
def switch_language(request, language):
    """The page the visitor was on, in another language; a plain link, no form."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    target = translate_url(back(request, "/"), language)
    if not target.startswith(f"/{language}/"):
        target = f"/{language}/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=60 * 60 * 24 * 365, samesite="Lax"
    )
    return response


@login_required
@require_GET
def account(request):
    return render(request, "registration/account.html")


@require_GET
def my_data(request):
    """Everything stored about this learner, as JSON to download."""
    learner = current_learner(request)
    data = learner.export_data() if learner else {"runs": []}
    if request.user.is_authenticated:
        user = request.user
        data["account"] = {
            "username": user.get_username(),
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
        }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = 'attachment; filename="my-anti-fraud-progress.json"'
    return response


class DeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password, to confirm"), widget=forms.PasswordInput
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.is_authenticated:
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


@require_http_methods(["GET", "POST"])
def delete_my_data(request):
    """Delete the account (if any) and every answer, after confirmation."""
    form = DeleteForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        learner = current_learner(request)
        if request.user.is_authenticated:
            request.user.delete()  # the learner, runs and answers go with it
        elif learner is not None:
            learner.delete()
        logout(request)
        messages.success(request, _("Your progress and account have been deleted."))
        return redirect("quizzes:home")
    return render(request, "registration/delete.html", {"form": form})


def server_error(request):
    """The 500 page, or the friendly 503 while the database cannot be reached.

    Django calls this for any uncaught exception, in a view or in middleware (a session
    saved after the view, say), so one place covers a database outage everywhere. It
    renders without the request's context processors, which may need the database too.
    Django's connection health checks reconnect by themselves once the database is back.
    """
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(render_to_string("500.html"))


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
