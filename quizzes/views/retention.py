"""The police workspace's retention page: scores at completion against the 7- and
30-day re-checks, per lesson and red flag, and the learners' review activity."""

from django.contrib import admin
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import retention
from .workspace import bars, need

CHART_WIDTH = 320


@require_GET
def retention_page(request):
    need(request, "view_statistics")
    data = retention.dashboard(fresh="refresh" in request.GET)
    weeks = data["weeks"]
    most = max((learners for _, learners, _ in weeks), default=0) or 1
    activity = bars(
        [(week.isoformat(), learners / most) for week, learners, _ in weeks],
        width=CHART_WIDTH,
    )
    for bar, (_week, learners, reviews) in zip(activity, weeks, strict=True):
        bar["learners"], bar["reviews"] = learners, reviews
    context = {
        **admin.site.each_context(request),
        "title": _("Retention"),
        **data,
        "activity": activity,
        "activity_height": len(activity) * 22,
        "lesson_bars": bars(
            [
                (f"{item.lesson.title} · {label}", value)
                for item in data["lessons"]
                for label, value in (
                    (_("completion"), item.at_completion),
                    (_("day 7"), item.week),
                    (_("day 30"), item.month),
                )
            ],
            width=CHART_WIDTH,
        ),
    }
    context["lesson_chart_height"] = len(context["lesson_bars"]) * 22
    return render(request, "admin/quizzes/retention.html", context)
