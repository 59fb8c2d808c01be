"""E-mails from the workflow: reviewers hear when something waits for their review, and
authors when their work is sent back (with the reviewer's comment) or published.

Plain text, in each recipient's workspace language. Sent after the transaction that moved
the item commits (nothing is announced that was rolled back), and a failure to send is
logged, never raised: the workflow step stands whatever the mail server does. Officers turn
them off in their workspace settings (``OfficerSettings.email_notifications``).
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

REVIEW_PERMISSION = "quizzes.review_content"


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


def _send(recipients, write):
    """One e-mail per recipient, written by ``write()`` in their language."""
    for user in recipients:
        try:
            with translation.override(language_of(user)):
                subject, body = write()
                # A title typed with a line break would make the subject an invalid
                # header (the mail would be refused): one line, always.
                subject = " ".join(subject.split())
                body += "\n\n-- \n" + _(
                    "You can turn these e-mails off in your workspace settings: %(url)s"
                ) % {"url": link(reverse("admin:quizzes_officer_settings"))}
                send_mail(subject, body, None, [user.email])
        except Exception:  # a mail server's failure must not undo the workflow step
            logger.exception("Could not e-mail %s about the workflow", user.pk)


def after_commit(func, *args):
    """Run ``func(*args)`` once the current transaction commits; log what it raises."""

    def run():
        try:
            func(*args)
        except Exception:
            logger.exception("Workflow e-mails failed")

    transaction.on_commit(run)


def namer(item):
    """A function naming ``item`` in the language active when it is called."""
    return lambda: _("%(kind)s “%(name)s”") % {"kind": item._meta.verbose_name, "name": item}


def submitted(url, name_of, actor, authors):
    """Something waits for review: e-mail every reviewer who wrote no part of it.
    ``name_of()`` names the item in the active language."""

    def write():
        subject = _("Waiting for your review: %(item)s") % {"item": name_of()}
        body = _(
            "%(officer)s submitted %(item)s for review.\n\nOpen it to approve it or send "
            "it back: %(url)s"
        ) % {"officer": actor, "item": name_of(), "url": link(url)}
        return subject, body

    _send(reviewers(exclude={actor.pk, *authors}), write)


def sent_back(url, name_of, actor, authors, comment):
    def write():
        subject = _("Sent back to you: %(item)s") % {"item": name_of()}
        body = _(
            "%(officer)s sent %(item)s back to you.\n\nWhat needs changing:\n%(comment)s"
            "\n\nOpen it: %(url)s"
        ) % {"officer": actor, "item": name_of(), "comment": comment, "url": link(url)}
        return subject, body

    _send(officers(set(authors) - {actor.pk}), write)


def published(url, name_of, actor, authors):
    def write():
        subject = _("Published: %(item)s") % {"item": name_of()}
        body = _(
            "%(officer)s approved %(item)s. Citizens can read it now.\n\nOpen it: %(url)s"
        ) % {"officer": actor, "item": name_of(), "url": link(url)}
        return subject, body

    _send(officers(set(authors) - {actor.pk}), write)


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
    if instance.action not in (Action.SUBMIT, Action.SEND_BACK, Action.APPROVE):
        return
    subject = instance.lesson or instance.question
    url = reverse(f"admin:quizzes_{subject._meta.model_name}_change", args=[subject.pk])

    def send():
        if instance.action == Action.SUBMIT:
            submitted(url, namer(subject), instance.user, subject.author_ids())
        elif instance.action == Action.SEND_BACK:
            authors = workflow_authors(subject, instance)
            sent_back(url, namer(subject), instance.user, authors, instance.comment)
        else:
            published(url, namer(subject), instance.user, workflow_authors(subject, instance))

    after_commit(send)


def on_revision(revision, event, user):
    """A revision was submitted (saved for review), sent back or approved."""

    def send():
        url = revision.get_absolute_url()
        authors = set(revision.authors.values_list("pk", flat=True))
        from .curriculum.items import find

        item = find(revision.kind, revision.key) or revision

        def name():
            return _("revision of %(item)s") % {"item": namer(item)()}

        if event == "submitted":
            submitted(url, name, user, revision.author_ids())
        elif event == "sent_back":
            sent_back(url, name, user, authors, revision.comment)
        else:
            published(url, name, user, authors)

    after_commit(send)
