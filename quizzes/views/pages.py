"""Citizen pages that read content: home, lessons, reminders, progress, and the
language and text-size switches."""

from django.conf import settings
from django.http import (
    Http404,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse, translate_url
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from .. import caching
from ..context_processors import LARGE_TEXT_COOKIE
from ..learners import session_learner
from ..models import (
    MASTERY_THRESHOLD,
    Lesson,
    LessonMemory,
    LessonStatus,
    Reminder,
    ReviewItem,
)
from ..models.alerts import TodaysReview
from ..models.summaries import recent_runs, rechecks_due
from ..redirects import safe_next

# A learner's progress page is kept this long after it was rendered, unless it changed.
PROGRESS_CACHE_SECONDS = 300


def render_cards(lessons, statuses):
    cards = [(lesson, statuses.get(lesson.pk)) for lesson in lessons]
    return render_to_string("quizzes/home.html#cards", {"cards": cards})


@require_safe
def home(request):
    """The lesson cards: for visitors without progress the whole page comes from the
    cache (no query at all), otherwise with the learner's status on each card."""
    learner = session_learner(request)
    # Live scam alerts come from the content cache, chosen by the clock: no query.
    alerts = caching.live_alerts()
    if learner is None:
        return caching.page(
            request,
            f"home:{caching.alerts_mark(alerts)}",
            "quizzes/home.html",
            # The cards are shared by every display mode's page.
            lambda: {
                "alerts": alerts,
                "cards_html": caching.html(
                    "home-cards", lambda: render_cards(caching.home_lessons(), {})
                ),
            },
        )
    lessons = caching.home_lessons()
    memories = list(LessonMemory.objects.of(learner.pk))
    progress = LessonMemory.objects.progress(learner.pk, lessons, memories)
    statuses = {p.lesson.pk: p for p in progress}
    # One more query while an alert with questions is live: what the review starts with.
    today = TodaysReview(learner.pk, alerts)
    return render(
        request,
        "quizzes/home.html",
        {
            "cards_html": render_cards(lessons, statuses),
            "due": today.due,
            "alert_review": today.alerts,
            "recheck": next(iter(rechecks_due(memories, lessons)), None),
            "alerts": alerts,
        },
    )


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


@require_safe
def lesson_detail(request, slug):
    def build():
        lesson = caching.lesson_page(slug)
        return lesson_page(lesson) if lesson is not None else None

    def context():
        # The lesson's parts are shared by every display mode's page.
        parts = caching.cached(f"lesson-page:{get_language()}:{slug}", build)
        if parts is None:
            raise Http404(_("No published lesson has this address."))
        return {**parts, "alerts": alerts}

    alerts = caching.live_alerts()
    name = f"lesson:{slug}:{caching.alerts_mark(alerts)}"
    return caching.page(request, name, "quizzes/lesson.html", context)


@require_safe
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


@require_safe
def progress(request):
    """Queries: the session and the learner's activity; when that changed since the page
    was last rendered (or a scam alert started or ended), also the summaries kept as
    answers arrive (lessons, red flags, today's review) and the five latest runs: the
    same at 10 and 500 quizzes. While an alert with questions is live, today's review
    counts them as the review page does: one query more, on the learner's answers."""
    learner = session_learner(request)
    threshold = round(MASTERY_THRESHOLD * 100)
    if learner is None:
        context = {"learner": None, "threshold": threshold}
        return caching.page(request, "progress", "quizzes/progress.html", lambda: context)

    def context():
        published = caching.home_lessons()
        lessons = LessonMemory.objects.progress(learner.pk, published)
        today = TodaysReview(learner.pk, alerts)  # first counts answers not yet remembered
        flags = list(ReviewItem.objects.flags(learner.pk))
        return {
            "learner": learner,
            "due": today.due,
            "alert_review": today.alerts,
            "threshold": threshold,
            "lessons": lessons,
            "done": sum(
                1 for p in lessons if p.status in (LessonStatus.COMPLETED, LessonStatus.MASTERED)
            ),
            "flags": flags,
            "mastered": sum(1 for item in flags if item.is_mastered),
            "strongest": [item for item in flags if item.strength >= 0.5][:3],
            "weakest": [item for item in reversed(flags) if item.strength < 0.5][:3],
            "recent_runs": recent_runs(learner.pk, published),
        }

    # Live scam alerts come from the content cache, chosen by the clock: no query.
    alerts = caching.live_alerts()
    # One learner's page: cached briefly, and not among the process's own copies.
    name = f"progress:{learner.pk}:{learner.activity()}:{caching.alerts_mark(alerts)}"
    template = "quizzes/progress.html"
    return caching.page(
        request, name, template, context, timeout=PROGRESS_CACHE_SECONDS, local=False
    )


# No CSRF token: the header that holds this form is the same on every page and cached,
# and a forged request could do no more than change someone's text size.
@csrf_exempt
@require_POST
def display(request):
    """Switch the large-text mode on or off; works as a plain form."""
    response = HttpResponseRedirect(safe_next(request, reverse("quizzes:home")))
    if request.POST.get("large_text") == "1":
        response.set_cookie(
            LARGE_TEXT_COOKIE, "1", max_age=60 * 60 * 24 * 365, samesite="Lax", httponly=True
        )
    else:
        response.delete_cookie(LARGE_TEXT_COOKIE, samesite="Lax")
    return response


@require_safe
def qr_training(request, pk):
    """Where every scenario's QR code leads: what a real code like it would have opened,
    and how to check a code before scanning it. Published QR questions only."""
    question = caching.question(pk)
    if question is None or not question.is_public or not question.lesson.is_public:
        raise Http404(_("This training code is no longer in use."))
    return caching.page(
        request, f"qr-training:{pk}", "quizzes/qr_training.html", lambda: {"question": question}
    )


@require_safe
def genuine(request):
    """How to check that this site is the real one, and who runs it."""
    return caching.page(request, "genuine", "quizzes/genuine.html", dict)


@require_safe
def police_login(request):
    """The admin's log-in page: police log in where citizens do (throttling and the
    second factor live there), then come back."""
    target = safe_next(request, reverse("admin:index"), value=request.GET.get("next") or "")
    return HttpResponseRedirect(f"{reverse('quizzes:login')}?{urlencode({'next': target})}")


@require_safe
def switch_language(request, language):
    """The page the visitor was on, in another language; a plain link, no form."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    target = translate_url(safe_next(request, "/"), language)
    if not target.startswith(f"/{language}/"):
        target = f"/{language}/"
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=60 * 60 * 24 * 365, samesite="Lax"
    )
    return response
