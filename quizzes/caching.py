"""Published content, cached until an officer changes something.

Every key carries a generation number; saving or deleting any content row (or changing
its red flags or sources) starts a new generation, so stale entries are never read again
and simply expire. Keys also carry the date, because "valid until" ends at midnight.
With REDIS_URL the generation and the entries are shared by every app server.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

GENERATION_KEY = "content:generation"
TIMEOUT = 60 * 60


def generation():
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        value = cache.get(GENERATION_KEY)
    return value


def cached(name, build):
    """The value stored under ``name`` for the current content, built when missing."""
    key = f"content:{generation()}:{timezone.localdate()}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        if value is not None:  # unknown slugs and ids are not worth a cache entry
            cache.set(key, value, TIMEOUT)
    return value


def html(name, render):
    """Rendered HTML for the current content in the active language, cached like
    content; ``render`` runs only on a miss."""
    return mark_safe(cached(f"html:{get_language()}:{name}", render))


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
            .prefetch_related("choices", "red_flags")
            .filter(pk=pk)
            .first()
        ),
    )


def new_generation():
    cache.set(GENERATION_KEY, time.time_ns(), None)


def content_changed(**kwargs):
    # Now, so this request never reads stale content; and again at commit, so that a
    # parallel request cannot cache what it read before the commit as the new content.
    new_generation()
    transaction.on_commit(new_generation)


def connect():
    from . import models

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
    ):
        m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"cc-{through}")
