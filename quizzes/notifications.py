"""E-mails from the workflow: reviewers hear when something waits for their review, and
authors when their work is sent back (with the reviewer's comment) or published.

Plain text, in each recipient's workspace language. Sent after the transaction that moved
the item commits (nothing is announced that was rolled back), and a failure to send is
logged, never raised: the workflow step stands whatever the mail server does. Officers turn
them off in their workspace settings (``OfficerSettings.email_notifications``).

One action is one e-mail per officer: the steps taken inside a ``digest()`` block
(approving a lesson with its questions, an import) are gathered, and each officer gets one
e-mail listing every item meant for them.
"""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

REVIEW_PERMISSION = "quizzes.review_content"

SUBMITTED, SENT_BACK, PUBLISHED = "submitted", "sent_back", "published"


def reviewers(exclude=()):
    """Officers who may approve, with an address and e-mails on, authors left out."""
    return (
        get_user_model()
        .objects.with_perm(REVIEW_PERMISSION, backend="django.contrib.auth.backends.ModelBackend")
        .filter(is_staff=True)
        .exclude(email="")
        .exclude(pk__in=[pk for pk in exclude if pk])
        .exclude(officer_settings__email_notifications=False)
        .select_related("officer_settings")
    )


def officers(ids):
    """These officers, if they still work in the workspace (active staff), have an
    address and e-mails on."""
    return (
        get_user_model()
        .objects.filter(pk__in=[pk for pk in ids if pk], is_active=True, is_staff=True)
        .exclude(email="")
        .exclude(officer_settings__email_notifications=False)
        .select_related("officer_settings")
    )


def language_of(user):
    chosen = getattr(getattr(user, "officer_settings", None), "language", "")
    return chosen or settings.LANGUAGE_CODE


def link(path):
    return settings.SITE_URL.rstrip("/") + path


def namer(item):
    """A function naming ``item`` in the language active when it is called."""
    return lambda: _("%(kind)s “%(name)s”") % {"kind": item._meta.verbose_name, "name": item}


@dataclass(frozen=True)
class Notice:
    """One workflow step to announce. ``name_of()`` names the item in the active language;
    ``recipients()`` returns the officers to tell, asked once the step has committed."""

    event: str  # SUBMITTED, SENT_BACK or PUBLISHED
    url: str
    name_of: Callable[[], str]
    actor: object
    recipients: Callable[[], object]
    comment: str = ""


def write_one(notice):
    """Subject and body of an e-mail about one item."""
    item, officer, url = notice.name_of(), notice.actor, link(notice.url)
    if notice.event == SUBMITTED:
        subject = _("Waiting for your review: %(item)s") % {"item": item}
        body = _(
            "%(officer)s submitted %(item)s for review.\n\nOpen it to approve it or send "
            "it back: %(url)s"
        ) % {"officer": officer, "item": item, "url": url}
    elif notice.event == SENT_BACK:
        subject = _("Sent back to you: %(item)s") % {"item": item}
        body = _(
            "%(officer)s sent %(item)s back to you.\n\nWhat needs changing:\n%(comment)s"
            "\n\nOpen it: %(url)s"
        ) % {"officer": officer, "item": item, "comment": notice.comment, "url": url}
    else:
        subject = _("Published: %(item)s") % {"item": item}
        body = _(
            "%(officer)s approved %(item)s. Citizens can read it now.\n\nOpen it: %(url)s"
        ) % {"officer": officer, "item": item, "url": url}
    return subject, body


def digest_subject(notices):
    first, more = notices[0].name_of(), len(notices) - 1
    events = {n.event for n in notices}
    if events == {SUBMITTED}:
        text = _("Waiting for your review: %(item)s and %(count)d more")
    elif events == {SENT_BACK}:
        text = _("Sent back to you: %(item)s and %(count)d more")
    elif events == {PUBLISHED}:
        text = _("Published: %(item)s and %(count)d more")
    else:
        text = _("Workflow: %(item)s and %(count)d more")
    return text % {"item": first, "count": more}


def digest_paragraph(event, officer, notices):
    """What ``officer`` did to these items, then each item with its link."""
    count = len(notices)
    if event == SUBMITTED:
        text = ngettext(
            "%(officer)s submitted %(count)d item for review. Open it to approve it or "
            "send it back:",
            "%(officer)s submitted %(count)d items for review. Open each to approve it or "
            "send it back:",
            count,
        )
    elif event == SENT_BACK:
        text = ngettext(
            "%(officer)s sent %(count)d item back to you:",
            "%(officer)s sent %(count)d items back to you:",
            count,
        )
    else:
        text = ngettext(
            "%(officer)s approved %(count)d item. Citizens can read it now:",
            "%(officer)s approved %(count)d items. Citizens can read them now:",
            count,
        )
    lines = [text % {"officer": officer, "count": count}]
    for notice in notices:
        lines.append(f"\n- {notice.name_of()}\n  {link(notice.url)}")
        if notice.comment:
            comment = "\n    ".join(notice.comment.splitlines())
            lines.append("  " + _("What needs changing: %(comment)s") % {"comment": comment})
    return "\n".join(lines)


def write_digest(notices):
    """Subject and body of one e-mail about several items, grouped by what was done and
    by whom, in the order the steps were taken."""
    groups = {}
    for notice in notices:
        groups.setdefault((notice.event, notice.actor), []).append(notice)
    body = "\n\n".join(
        digest_paragraph(event, officer, group) for (event, officer), group in groups.items()
    )
    return digest_subject(notices), body


def send(user, notices):
    """One e-mail to ``user`` about ``notices``, in their language."""
    try:
        with translation.override(language_of(user)):
            if len(notices) == 1:
                subject, body = write_one(notices[0])
            else:
                subject, body = write_digest(notices)
            # A title typed with a line break would make the subject an invalid
            # header (the mail would be refused): one line, always.
            subject = " ".join(subject.split())
            body += "\n\n-- \n" + _(
                "You can turn these e-mails off in your workspace settings: %(url)s"
            ) % {"url": link(reverse("admin:quizzes_officer_settings"))}
            send_mail(subject, body, None, [user.email])
    except Exception:  # a mail server's failure must not undo the workflow step
        logger.exception("Could not e-mail %s about the workflow", user.pk)


def deliver(notices):
    """One e-mail per officer, listing every notice meant for them (once each)."""
    mail = {}  # officer's pk: (officer, {(event, url): notice})
    for notice in notices:
        for user in notice.recipients():
            theirs = mail.setdefault(user.pk, (user, {}))[1]
            theirs.setdefault((notice.event, notice.url), notice)
    for user, theirs in mail.values():
        send(user, list(theirs.values()))


def after_commit(func, *args):
    """Run ``func(*args)`` once the current transaction commits; log what it raises."""

    def run():
        try:
            func(*args)
        except Exception:
            logger.exception("Workflow e-mails failed")

    transaction.on_commit(run)


_gathering = ContextVar("workflow_notices", default=None)


@contextmanager
def digest():
    """Gather the notices of every workflow step taken inside the block into one e-mail
    per officer, sent once the transaction commits. A block inside another joins it."""
    if _gathering.get() is not None:
        yield
        return
    notices = []
    token = _gathering.set(notices)
    try:
        yield
    finally:
        _gathering.reset(token)
    # Commit hooks run in the order they were registered, so this one runs after every
    # step's own; a step rolled back with its savepoint took its hook with it.
    after_commit(deliver, notices)


def announce(notice):
    """Tell the officers concerned about ``notice`` after the commit, in the e-mail of
    the ``digest()`` block around it (or in one of its own)."""
    notices = _gathering.get()
    if notices is None:
        with digest():
            announce(notice)
        return
    transaction.on_commit(partial(notices.append, notice))


def workflow_authors(subject, step):
    """Who wrote the lesson or question since it was last approved (before ``step``):
    whoever submitted, edited or imported it, and whoever changed it last."""
    from .models import Action

    steps = subject.transitions.exclude(pk=step.pk)
    approved = steps.filter(action=Action.APPROVE).values("at")[:1]
    if approved:
        steps = steps.filter(at__gt=approved[0]["at"])
    writers = steps.filter(action__in=[Action.SUBMIT, Action.EDITED, Action.IMPORTED])
    return {subject.updated_by_id, *writers.values_list("user_id", flat=True)} - {None}


def on_workflow_step(sender, instance, created, raw=False, **kwargs):
    """``post_save`` of a lesson's or question's workflow step."""
    from .models import Action

    if not created or raw or instance.user is None:
        return
    events = {Action.SUBMIT: SUBMITTED, Action.SEND_BACK: SENT_BACK, Action.APPROVE: PUBLISHED}
    if instance.action not in events:
        return
    subject, actor = instance.lesson or instance.question, instance.user
    url = reverse(f"admin:quizzes_{subject._meta.model_name}_change", args=[subject.pk])

    def recipients():
        if instance.action == Action.SUBMIT:
            return reviewers(exclude={actor.pk, *subject.author_ids()})
        return officers(workflow_authors(subject, instance) - {actor.pk})

    event = events[instance.action]
    comment = instance.comment if event == SENT_BACK else ""
    announce(Notice(event, url, namer(subject), actor, recipients, comment))


def on_revision(revision, event, user):
    """A revision was submitted (saved for review), sent back or approved."""
    from .curriculum.items import find

    event = {"submitted": SUBMITTED, "sent_back": SENT_BACK, "approved": PUBLISHED}[event]

    @cache
    def item():
        return find(revision.kind, revision.key) or revision

    def name():
        return _("revision of %(item)s") % {"item": namer(item())()}

    def recipients():
        if event == SUBMITTED:
            return reviewers(exclude={user.pk, *revision.author_ids()})
        return officers(set(revision.authors.values_list("pk", flat=True)) - {user.pk})

    comment = revision.comment if event == SENT_BACK else ""
    announce(Notice(event, revision.get_absolute_url(), name, user, recipients, comment))
