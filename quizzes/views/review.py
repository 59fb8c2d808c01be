"""Learning that lasts: today's review, what the learner spots and misses, a drill on one
warning sign, and the web app manifest that lets the site sit on a phone's home screen.

Review sessions and drills are ordinary quiz runs (quiz.py answers them); the rules live
in quizzes/models/review.py (what each learner remembers) and sessions.py (the questions
a session holds).
"""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import caching
from ..learners import current_learner, learner_id
from ..models import RedFlag, ReviewItem, ReviewKind, remember
from ..models.alerts import TodaysReview
from ..models.sessions import (
    drill_questions,
    recheck_questions,
    review_questions,
    start_session,
)
from ..models.summaries import RECHECK_DAYS, RECHECK_SIZE, LessonMemory
from .quiz import starting_learner


@require_http_methods(["GET", "HEAD", "POST"])
def review(request):
    """Today's review: how much is due and a button to start; POST starts it."""
    pk = learner_id(request)
    # A live scam alert's questions come first, until the learner answers them right
    # (alerts from the content cache; one query on the answers while one is live).
    today = TodaysReview(pk, caching.live_alerts())
    if request.method == "POST":
        learner = current_learner(request) if pk is not None else None
        questions = review_questions(learner.pk, first=today.first) if learner is not None else []
        if not questions:
            messages.info(request, _("Nothing to review today. Come back tomorrow."))
            return redirect("quizzes:review")
        run = start_session(learner.pk, questions, ReviewKind.REVIEW)
        return redirect(run)
    return render(
        request,
        "quizzes/review/review.html",
        {"due": today.due, "alert_review": today.alerts},
    )


@require_safe
def mastery(request):
    """What you spot, what you miss: the learner's red flags, strongest first (the
    answers waiting for the learner's memory counted first, 1 query when none; then 1
    query for the learner's red flags, whatever their history)."""
    pk = learner_id(request)
    remember(pk)
    flags = list(ReviewItem.objects.flags(pk)) if pk is not None else []
    strong = [item for item in flags if item.strength >= 0.5]
    weak = [item for item in reversed(flags) if item.strength < 0.5]
    return render(
        request,
        "quizzes/review/mastery.html",
        {"strong": strong, "weak": weak, "has_history": bool(flags)},
    )


@require_POST
def drill(request, slug):
    """A short drill on one red flag: questions that carry it, new ones first."""
    flag = RedFlag.objects.filter(slug=slug).only("id").first()
    if flag is None:
        raise Http404(_("There is no such warning sign."))
    learner = starting_learner(request)
    if learner is None:
        return render(request, "429.html", status=429)
    remember(learner.pk)  # the drill prefers questions the learner has not seen
    run = start_session(
        learner.pk, drill_questions(learner.pk, flag.pk), ReviewKind.DRILL, red_flag=flag
    )
    if run is None:
        messages.info(request, _("There are no questions on this warning sign yet."))
        return redirect("quizzes:mastery")
    return redirect(run)


@require_POST
def recheck(request, slug, day):
    """Start or skip (``action=skip``) a lesson's 7- or 30-day re-check, when it is due
    for this learner; either way it is not offered again."""
    lesson = next((lesson for lesson in caching.home_lessons() if lesson.slug == slug), None)
    pk = learner_id(request)
    memory = None
    if lesson is not None and pk is not None and day in RECHECK_DAYS:
        memory = LessonMemory.objects.filter(learner_id=pk, lesson=lesson).first()
    if memory is None or memory.recheck_due() != day:
        raise Http404(_("There is no re-check due for this lesson."))
    if request.POST.get("action") == "skip":
        memory.mark_checked(day)
        messages.info(request, _("Re-check skipped."))
        return redirect("quizzes:home")
    learner = current_learner(request)
    run = start_session(
        learner.pk,
        recheck_questions(pk, lesson.pk, RECHECK_SIZE),
        ReviewKind.RECHECK,
        lesson=lesson,
        day=day,
    )
    memory.mark_checked(day, run)
    return redirect(run) if run is not None else redirect("quizzes:home")


@require_safe
def manifest(request):
    """The web app manifest in the page's language, so the site can be installed on a
    phone's home screen (no service worker, no push, nothing from another site)."""
    data = {
        "name": _("Spot the scam"),
        "short_name": _("Spot the scam"),
        "description": _("Learn to spot phone and online scams, a few minutes a day."),
        "lang": get_language(),
        "start_url": reverse("quizzes:home"),
        "scope": reverse("quizzes:home"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b4f8a",
        "icons": [
            {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("icons/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=86400"
    return response
