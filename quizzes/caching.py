"""Published content, cached until an officer changes something.

Every key carries a generation number; saving or deleting any content row (or changing
its red flags or sources) starts a new generation, so stale entries are never read again
and simply expire. Keys also carry the date, because "valid until" ends at midnight.
With REDIS_URL the generation and the entries are shared by every app server. Without
it, each process caches on its own, and the generation is a file's modification time
(``CONTENT_GENERATION_FILE``), shared by every process of the machine: a change saved
in one worker, or by a management command, is seen by the others at their next request.

An entry never changes under its key, so each process also keeps the entries it used
last, already unpickled: a request then reads only the generation from the shared
cache, once (a request sees one generation from start to end; with REDIS_URL the session
read brings it, quizzes/sessions/cached_db.py). Cached objects are shared by the requests
of a process and must not be changed.
"""

import contextlib
import functools
import os
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .context_processors import display

GENERATION_KEY = "content:generation"
TIMEOUT = 60 * 60
LOCAL_ENTRIES = 1000  # per process; a rendered page is about 8 KB

_local = OrderedDict()  # key -> value, least recently used first
# The generation this thread's request has read; kept only while a request is served.
_request = threading.local()


def generation():
    """The current content generation: read once per request (from the cache, or the
    generation file without REDIS_URL)."""
    value = getattr(_request, "generation", None)
    if value is None:
        path = settings.CONTENT_GENERATION_FILE
        if path:
            value = file_generation(path)
        else:
            value = cache.get(GENERATION_KEY)
            if value is None:
                cache.add(GENERATION_KEY, time.time_ns(), None)
                value = cache.get(GENERATION_KEY)
        keep_generation(value)
    return value


def file_generation(path, new=None):
    """The generation kept in the file at ``path``: its modification time in nanoseconds
    (one stat, no read), set to ``new`` when given. A missing file is created."""
    try:
        if new is not None:
            os.utime(path, ns=(new, new))
        return os.stat(path).st_mtime_ns
    except FileNotFoundError:
        with open(path, "a"):
            pass
        return file_generation(path, new if new is not None else time.time_ns())


def keep_generation(value, replace=False):
    """Use ``value`` as the generation for the rest of this request (outside a request,
    every call reads it again). The first value read stays unless ``replace``."""
    if (
        value is not None
        and getattr(_request, "serving", False)
        and (replace or getattr(_request, "generation", None) is None)
    ):
        _request.generation = value


def request_begins(**kwargs):
    _request.serving, _request.generation, _request.day = True, None, None


def request_ends(**kwargs):
    _request.serving, _request.generation, _request.day = False, None, None


def today():
    """The local date, read once per request (a page reads the content cache three or
    four times, and each reading of the clock converts it to the local time zone)."""
    day = getattr(_request, "day", None)
    if day is None:
        day = timezone.localdate()
        if getattr(_request, "serving", False):
            _request.day = day
    return day


@contextlib.contextmanager
def muted():
    """For a preview of unsaved content, written in a savepoint that is rolled back:
    inside, saving content starts no new generation (citizens' pages stay cached), and
    nothing is read from or written to the content cache (the draft never reaches it)."""
    _request.muted = True
    try:
        yield
    finally:
        _request.muted = False


def cached(name, build, timeout=TIMEOUT, local=True):
    """The value stored under ``name`` for the current content, built when missing.
    ``local=False`` keeps it out of the process's own copies (one learner's pages)."""
    if getattr(_request, "muted", False):
        return build()
    key = f"content:{generation()}:{today()}:{name}"
    value = _local.get(key)
    if value is not None:
        # Another thread (threaded servers) may have dropped it meanwhile.
        with contextlib.suppress(KeyError):
            _local.move_to_end(key)
        return value
    value = cache.get(key)
    if value is None:
        value = build()
        if value is None:  # unknown slugs and ids are not worth a cache entry
            return None
        cache.set(key, value, timeout)
    if local:
        _local[key] = value
        if len(_local) > LOCAL_ENTRIES:
            with contextlib.suppress(KeyError):
                _local.popitem(last=False)
    return value


def html(name, render):
    """Rendered HTML for the current content in the active language, cached like
    content; ``render`` runs only on a miss."""
    return mark_safe(cached(f"html:{get_language()}:{name}", render))


class Marks:
    """Stand-ins for what differs per request in a page rendered once for many people.

    Derived from SECRET_KEY, so no text an author types can hold one. ``run`` is a UUID
    because the run's public id goes through the URL resolver.
    """

    def __init__(self):
        def digest(name):
            return salted_hmac("quizzes.caching.Marks", name, algorithm="sha256").hexdigest()

        self.csrf = f"csrf{digest('csrf')[:24]}"
        self.nonce = f"nonce{digest('nonce')[:24]}"
        self.next = f"next{digest('next')[:24]}"
        self.run = uuid.UUID(digest("run")[:32])


@functools.cache
def marks():
    return Marks()


def page(
    request, name, template, context, status=200, fill=None, parts=None, cache=True, **options
):
    """The response for a page that is the same for everyone who sees ``name`` in the
    same language and display mode (text size, logged in or not, htmx or not).

    It is rendered once with marks for this request's CSRF token and CSP nonce, which
    are put in on the way out with the ``fill`` values ({mark: value}), then served from
    the content cache until the content changes. ``parts`` ({mark: html}) are cached
    parts of the page rendered apart, put in first (they may hold the marks above).
    ``context`` is a callable that returns the template context; it runs only on a
    miss. Pages carrying a flash message, and ``cache=False``, are rendered every time
    the same way. ``options`` go to ``cached``.
    """

    def build():
        m = marks()
        return render_to_string(
            template, {**context(), "csrf_token": m.csrf, "csp_nonce": m.nonce}, request
        )

    if cache and not get_messages(request):
        mode = display(request)
        variant = f"{int(mode['large_text'])}{int(mode['signed_in'])}{int(bool(request.htmx))}"
        html = cached(f"page:{get_language()}:{variant}:{name}", build, **options)
    else:
        html = build()
    for mark, part in (parts or {}).items():
        html = html.replace(mark, part)
    m = marks()
    if m.csrf in html:
        html = html.replace(m.csrf, get_token(request))
    if m.nonce in html:
        nonce = get_nonce(request)
        html = html.replace(m.nonce, "" if nonce is None else str(nonce))
    for mark, value in (fill or {}).items():
        html = html.replace(str(mark), value)
    return HttpResponse(html, status=status)


def home_lessons():
    from .models import Lesson

    return cached("home", lambda: list(Lesson.objects.for_home()))


def lesson_page(slug):
    from .models import Lesson

    return cached(f"lesson:{slug}", lambda: Lesson.objects.for_page().filter(slug=slug).first())


def question(pk):
    """A question in any status with everything its page and feedback show."""
    from .models import Question

    return cached(
        f"question:{pk}",
        lambda: (
            Question.objects.select_related("lesson", "reminder")
            .prefetch_related(
                "choices",
                "red_flags",
                "spots__red_flag",
                "turns__tactic",
                "turns__replies",
                "endings",
            )
            .filter(pk=pk)
            .first()
        ),
    )


def campaign(code):
    """A published campaign with its lessons, quiz and check questions (``checks``,
    (before ids, after ids)), or None."""
    from .models import Campaign

    def build():
        found = Campaign.objects.for_page().filter(code=code).first()
        if found is not None:
            found.checks = found.check_questions()
        return found

    return cached(f"campaign:{code}", build)


def upcoming_alerts():
    """Published alerts that have not ended; each page picks the live ones by the clock
    (``live_alerts``). Read again each minute, so the list stays short."""
    from .models import Alert

    minute = timezone.now().replace(second=0, microsecond=0)
    return cached(f"alerts:{minute:%H%M}", lambda: list(Alert.objects.not_ended(minute)), 120)


def live_alerts(now=None):
    """The alerts to show now (no query once this minute's list is cached)."""
    now = now or timezone.now()
    return [alert for alert in upcoming_alerts() if alert.starts_at <= now < alert.ends_at]


def alerts_mark(alerts):
    """A short name for a set of live alerts, for the keys of the pages that show them."""
    return "-".join(str(alert.pk) for alert in alerts) or "none"


def new_generation():
    value = time.time_ns()
    if settings.CONTENT_GENERATION_FILE:
        value = file_generation(settings.CONTENT_GENERATION_FILE, value)
    else:
        cache.set(GENERATION_KEY, value, None)
    keep_generation(value, replace=True)  # this request reads what it just changed


def content_changed(**kwargs):
    if getattr(_request, "muted", False):
        return
    # Now, so this request never reads stale content; and again at commit, so that a
    # parallel request cannot cache what it read before the commit as the new content.
    new_generation()
    transaction.on_commit(new_generation)


def connect():
    from . import models

    request_started.connect(request_begins, dispatch_uid="content-cache-request-begins")
    request_finished.connect(request_ends, dispatch_uid="content-cache-request-ends")

    for model in (
        models.Source,
        models.RedFlag,
        models.LegalReference,
        models.Lesson,
        models.LessonStep,
        models.Reminder,
        models.Case,
        models.Question,
        models.Choice,
        models.Campaign,
        models.Alert,
        models.Spot,
        models.Turn,
        models.Reply,
        models.Ending,
    ):
        uid = f"content-cache-{model.__name__}"
        post_save.connect(content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"{uid}-delete")
    for through in (
        models.Lesson.red_flags.through,
        models.Lesson.sources.through,
        models.Lesson.legal_references.through,
        models.Question.red_flags.through,
        models.Reminder.sources.through,
        models.Campaign.lessons.through,
        models.Campaign.questions.through,
        models.Alert.questions.through,
    ):
        m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"cc-{through}")
