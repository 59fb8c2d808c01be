"""Police workspace pages inside the admin: statistics, CSV exports, bundle export/import.

Reached from the lesson list; each view checks its own permission (Analysts and Reviewers
see statistics and export; Reviewers and superusers import).
"""

import hashlib
import hmac
import json
import secrets

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import spreadsheets, stats, workspace_language
from ..curriculum.bundle import BundleError, export_bundle, import_bundle, read_bundle
from ..curriculum.schema import SLUG
from ..curriculum_messages import translate_finding
from ..models import Answer, Choice, Import, Lesson, Question
from ..redirects import safe_next

BUNDLE_SALT = "quizzes.import-bundle"
MAX_BUNDLE_BYTES = 4 * 1024 * 1024


def need(request, perm):
    if not request.user.has_perm(f"quizzes.{perm}"):
        raise PermissionDenied


class DateRangeForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not stats.FIRST_DAY <= day <= stats.LAST_DAY:
                self.add_error(
                    None,
                    _("Choose a date between %(first)s and %(last)s.")
                    % {"first": stats.FIRST_DAY.isoformat(), "last": stats.LAST_DAY.isoformat()},
                )
                data.pop(name, None)
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date must come before the end date."))
        return data

    def range(self):
        if not self.is_valid():
            return None, None
        return self.cleaned_data.get("start"), self.cleaned_data.get("end")


def bars(items, width=320):
    """Rows for a horizontal SVG bar chart: (label, value 0..1, y, bar width)."""
    return [
        {"label": label, "value": value, "y": i * 22, "width": round((value or 0) * width)}
        for i, (label, value) in enumerate(items)
    ]


@require_GET
def statistics(request):
    need(request, "view_statistics")
    form = DateRangeForm(request.GET or None)
    start, end = form.range()
    # ?refresh=1 skips the cache: bench/stats_dashboard.py times a cold count with it.
    data = stats.dashboard(start, end, fresh="refresh" in request.GET)
    questions, lessons, flags = data["questions"], data["lessons"], data["flags"]
    context = {
        **admin.site.each_context(request),
        "title": _("Statistics"),
        "form": form,
        "questions": questions,
        "lessons": lessons,
        "flags": flags,
        "spots": data.get("spots", []),
        "conversations": data.get("conversations", []),
        "computed_at": data["computed_at"],
        "flagged": [q for q in questions if q.needs_checking],
        "lesson_bars": bars([(item.lesson.title, item.average) for item in lessons]),
        "flag_bars": bars([(f.flag.title, f.rate) for f in flags]),
        "query": request.GET.urlencode(),
    }
    context["lesson_chart_height"] = len(context["lesson_bars"]) * 22
    context["flag_chart_height"] = len(context["flag_bars"]) * 22
    return render(request, "admin/quizzes/statistics.html", context)


def bad_range(form):
    """A CSV export asked for with dates that make no sense: a plain 400."""
    errors = "; ".join(str(e) for field in form.errors.values() for e in field)
    return HttpResponseBadRequest(errors, content_type="text/plain; charset=utf-8")


def percent(value):
    return "" if value is None else f"{value * 100:.1f}"


def csv_response(rows, name):
    """A CSV that Excel and WPS open cleanly in Chinese: UTF-8 with a byte-order mark,
    streamed row by row; no typed text in it runs as a formula (``spreadsheets``)."""
    writer = spreadsheets.Writer(Echo())

    def lines():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def local_time(moment):
    """A time as officers read it: in the site's time zone, to the second."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def one_line(text):
    return " ".join((text or "").split())


@require_GET
def statistics_csv(request):
    """One row per question, named by its lesson and text, with one column per choice."""
    need(request, "export_content")
    form = DateRangeForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return bad_range(form)
    start, end = form.range()
    questions = stats.dashboard(start, end)["questions"]
    most = max((len(item.choices) for item in questions), default=0)
    header = [
        _("Lesson"),
        _("Question"),
        _("Short name"),
        _("Channel"),
        _("Scam or genuine"),
        _("Attempts"),
        _("Learners"),
        _("First attempts"),
        _("Facility (%)"),
        _("Discrimination"),
        _("Needs checking"),
    ]
    for n in range(1, most + 1):
        header += [
            _("Choice %(n)s") % {"n": n},
            _("Choice %(n)s: share of first attempts (%%)") % {"n": n},
        ]
    right = _("(right)")

    def rows():
        yield header
        for item in questions:
            q, d = item.question, item.discrimination
            row = [
                q.lesson.title,
                one_line(q.body),
                q.slug,
                q.get_channel_display(),
                _("Scam") if q.is_scam else _("Genuine"),
                item.attempts,
                item.learners,
                item.first_attempts,
                percent(item.facility),
                "" if d is None else f"{d:.3f}",
                "; ".join(str(p) for p in item.problems),
            ]
            for c in item.choices:
                text = one_line(c.choice.text)
                row += [
                    f"{text} {right}" if c.choice.is_correct else text,
                    percent(c.share_of(item.first_attempts)),
                ]
            yield row + [""] * (len(header) - len(row))

    return csv_response(rows(), "question-statistics.csv")


def pseudonym(learner_id):
    """A stable pseudonym: the same learner gets the same code, which reveals no account."""
    key = hashlib.sha256(f"{settings.SECRET_KEY}:learner-pseudonym".encode()).digest()
    return hmac.new(key, str(learner_id).encode(), hashlib.sha256).hexdigest()[:16]


class Echo:
    def write(self, value):
        return value


@require_GET
def answers_csv(request):
    """Every answer in the date range, one row each, with pseudonymous learners (streamed);
    questions and choices by their text, times local."""
    need(request, "export_content")
    form = DateRangeForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return bad_range(form)
    low, high = stats.date_range(*form.range())
    questions = {
        q.pk: (q.lesson.title, q.slug, one_line(q.body))
        for q in Question.objects.select_related("lesson")
    }
    choices = {c.pk: c.text for c in Choice.objects.all()}
    answers = (
        Answer.objects.filter(answered_at__gte=low, answered_at__lt=high)
        .order_by("id")
        .values_list(
            "id",
            "learner_id",
            "run__public_id",
            "question_id",
            "choice_id",
            "is_correct",
            "first_attempt",
            "answered_at",
        )
    )
    header = [
        _("Answer"),
        _("Learner (pseudonym)"),
        _("Quiz (pseudonym)"),
        _("Lesson"),
        _("Question short name"),
        _("Question"),
        _("Choice"),
        _("Right"),
        _("First attempt"),
        _("Answered at (%(zone)s)") % {"zone": timezone.get_current_timezone_name()},
    ]

    def rows():
        yield header
        for answer, learner, run, question, choice, right, first, at in answers.iterator(
            chunk_size=5000
        ):
            run_code = hashlib.sha256(f"{settings.SECRET_KEY}:{run}".encode()).hexdigest()[:16]
            lesson, slug, text = questions.get(question, ("", "", ""))
            yield [
                answer,
                pseudonym(learner),
                run_code,
                lesson,
                slug,
                text,
                one_line(choices.get(choice, "")),
                int(right),
                int(first),
                local_time(at),
            ]

    return csv_response(rows(), "answers-anonymised.csv")


def bundle_response(lessons, name):
    body = json.dumps(export_bundle(lessons), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.json"'
    return response


@require_GET
def export_curriculum(request):
    need(request, "export_content")
    slug = request.GET.get("lesson")
    if slug:
        lessons = Lesson.objects.filter(slug=slug)
        if not SLUG.match(slug) or not lessons.exists():
            messages.error(request, _("There is no lesson with that slug."))
            return redirect("admin:quizzes_lesson_changelist")
        return bundle_response(lessons, f"lesson-{slug}")
    return bundle_response(None, "curriculum")


class ImportForm(forms.Form):
    bundle = forms.FileField(label=gettext_lazy("Bundle (JSON)"))

    def clean_bundle(self):
        upload = self.cleaned_data["bundle"]
        if upload.size > MAX_BUNDLE_BYTES:
            raise forms.ValidationError(_("The file is larger than 4 MB."))
        return upload.read()


def confirm_import(request):
    """Import the bundle that this officer's dry run showed, once. Returns the summary,
    or None when the confirmation is forged, expired, another officer's or used."""
    try:
        token = signing.loads(request.POST["signed"], salt=BUNDLE_SALT, max_age=3600)
        if not isinstance(token, dict) or token.get("user") != request.user.pk:
            return None
        with transaction.atomic():
            record = Import.objects.create(nonce=str(token["nonce"]), user=request.user)
            summary, _counts = import_bundle(read_bundle(token["bundle"]), request.user)
            record.summary = summary
            record.save(update_fields=["summary"])
    except (signing.BadSignature, BundleError, IntegrityError, KeyError):
        return None
    return summary


@require_http_methods(["GET", "POST"])
def import_curriculum(request):
    """Upload, see the dry run, confirm. The confirmed bundle travels signed and bound to
    the officer who saw the dry run, so what is written is exactly what was shown, and
    a confirmation works once. Nothing is published: changes wait for review."""
    need(request, "import_content")
    context = {**admin.site.each_context(request), "title": _("Import the curriculum")}
    form = ImportForm()
    if request.method == "POST" and "signed" in request.POST:
        summary = confirm_import(request)
        if summary is None:
            messages.error(request, _("The import could not be confirmed; upload it again."))
        else:
            messages.success(
                request,
                _(
                    "Imported for review: %(created)s created, %(changed)s changed, "
                    "%(unchanged)s unchanged. Nothing is published until another officer "
                    "approves it."
                )
                % summary,
            )
            return redirect("admin:quizzes_revision_changelist")
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            raw = form.cleaned_data["bundle"]
            try:
                summary, counts = import_bundle(read_bundle(raw), request.user, dry_run=True)
            except BundleError as error:
                context["problems"] = [translate_finding(p) for p in error.problems]
            else:
                token = {
                    "user": request.user.pk,
                    "nonce": secrets.token_hex(16),
                    "bundle": raw.decode("utf-8"),
                }
                context.update(
                    summary=summary,
                    counts=sorted(
                        (str(kind), outcome, n) for (kind, outcome), n in counts.items()
                    ),
                    signed=signing.dumps(token, salt=BUNDLE_SALT, compress=True),
                )
    context["form"] = form
    status = 400 if context.get("problems") else 200
    return render(request, "admin/quizzes/import.html", context, status=status)


@require_POST
def choose_language(request):
    """The language switch in the workspace header: remembered for this officer."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."), content_type="text/plain")
    workspace_language.choose(request, language)
    return redirect(safe_next(request, reverse("admin:index")))


def urls(admin_site):
    from django.urls import path

    from .retention import retention_page  # issue 14: retention re-checks

    def view(func):
        return admin_site.admin_view(func)

    return [
        path("statistics/", view(statistics), name="quizzes_statistics"),
        path("statistics/retention/", view(retention_page), name="quizzes_retention"),
        path("statistics/questions.csv", view(statistics_csv), name="quizzes_statistics_csv"),
        path("statistics/answers.csv", view(answers_csv), name="quizzes_answers_csv"),
        path("export/", view(export_curriculum), name="quizzes_export"),
        path("import/", view(import_curriculum), name="quizzes_import"),
        path("language/", view(choose_language), name="quizzes_workspace_language"),
    ]
