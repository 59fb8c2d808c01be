"""Revisions: the next version of a published item, written and reviewed while citizens
keep reading the approved one.

A revision holds everything citizens see of one item in the curriculum bundle's own
format (``quizzes.curriculum.items``), so approving it runs the same code as an import.
Whoever writes any part of a revision is one of its authors; no author may approve it.
Imports are recorded as ``Import`` rows, each confirmation usable once.
"""

from collections import Counter

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DataError, IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .workflow import WorkflowError, every_language_problem


class Kind(models.TextChoices):
    LESSON = "lesson", _("lesson")
    QUESTION = "question", _("question")
    RED_FLAG = "red_flag", _("red flag")
    REMINDER = "reminder", _("police reminder")
    LEGAL_REFERENCE = "legal_reference", _("legal reference")
    SOURCE = "source", _("source")


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    SENT_BACK = "sent_back", _("Sent back to the author")
    APPROVED = "approved", _("Approved and published")
    WITHDRAWN = "withdrawn", _("Withdrawn by its author")


OPEN = (RevisionStatus.PENDING, RevisionStatus.SENT_BACK)


class RevisionQuerySet(models.QuerySet):
    def open(self):
        """Revisions not yet approved: waiting for review or sent back."""
        return self.filter(status__in=OPEN)

    def open_for(self, kind, key):
        """The item's open revision, or None (1 query)."""
        return self.open().filter(kind=kind, key=key).first()


class Revision(models.Model):
    """The next version of one item, in bundle form, with who wrote and who approved it."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Natural key of the item: a slug or code; "lesson-slug/question-slug" for a question.
    key = models.CharField(_("item"), max_length=200)
    data = models.JSONField(_("new version"))
    # The live item this version was written on: approving refuses if it changed since.
    base = models.JSONField(_("written on"), null=True, blank=True)
    # What citizens saw before approval, kept for the record (empty until approved).
    before = models.JSONField(_("previous version"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PENDING
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("authors"), related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported = models.BooleanField(_("from an import"), default=False)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("reviewer's comment"), blank=True)
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    decided_at = models.DateTimeField(_("approved"), null=True, blank=True)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=Q(status__in=OPEN),
                name="one_open_revision_per_item",
            ),
        ]
        indexes = [
            # The reviewers' list of open revisions, newest first.
            models.Index(fields=["status", "updated_at"], name="revision_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key}"

    def get_absolute_url(self):
        return reverse("admin:quizzes_revision_change", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN

    @classmethod
    @transaction.atomic
    def record(cls, kind, key, data, user, imported=False):
        """Start or continue the item's open revision with ``data`` written by ``user``.
        Returns the revision, or None when ``data`` is what citizens already see and no
        revision was open."""
        from ..curriculum.items import export_item, plain

        revision = cls.objects.select_for_update().open_for(kind, key)
        live = export_item(kind, key)
        # A new revision, or one sent back and now changed, waits for a reviewer.
        announce = revision is None or revision.status == RevisionStatus.SENT_BACK
        if revision is None:
            if live == data:
                return None
            try:
                with transaction.atomic():
                    revision = cls.objects.create(
                        kind=kind, key=key, data=data, changed_by=user, imported=imported
                    )
            except IntegrityError:
                # Another officer opened the item's revision at the same moment: continue it.
                revision = cls.objects.select_for_update().open_for(kind, key)
        revision.data = data
        # Whoever saves a revision saves it over the live item (``rebased()``).
        revision.base = plain(live)
        revision.status = RevisionStatus.PENDING
        revision.changed_by = user
        revision.imported = revision.imported or imported
        revision.save()
        revision.authors.add(user)
        if announce:
            from .. import notifications

            notifications.on_revision(revision, "submitted", user)
        return revision

    def live(self):
        """The item as citizens see it now, in bundle form; None for a new item."""
        from ..curriculum.items import export_item

        return export_item(self.kind, self.key)

    def is_stale(self):
        """Whether the live item changed since this version was written on it (by
        another revision approved since, say)."""
        from ..curriculum.items import plain

        return self.base is not None and plain(self.live()) != self.base

    def rebased(self):
        """This version merged onto the live item, and whether some field changed on
        both sides (the live text is kept there)."""
        from ..curriculum.items import merge

        if self.base is None:
            return self.data, False
        merged, conflicts = merge(self.base, self.data, self.live())
        return merged, bool(conflicts)

    def changes(self):
        """Field-by-field differences between the live item and this revision, then the
        texts of the vocabulary it links to for the first time (citizens read those too)."""
        from ..curriculum.items import differences, linked_texts

        before = self.before if self.status == RevisionStatus.APPROVED else self.live()
        return differences(before, self.data) + linked_texts(before, self.data)

    def author_ids(self):
        """Everyone who wrote part of what approving this shows citizens: its authors and
        the writers of vocabulary it links to for the first time (a few queries)."""
        from ..curriculum.items import link_authors

        authors = set(self.authors.values_list("pk", flat=True))
        return authors | link_authors(self.live(), self.data)

    def check_reviewer(self, user):
        if not user.has_perm("quizzes.review_content"):
            raise PermissionDenied
        if not self.is_open:
            raise WorkflowError(_("This revision has already been approved."))

    @transaction.atomic
    def approve(self, user, comment=""):
        """Apply the revision to the live item in one transaction and record who approved
        it. Refused to anyone who wrote any part of it (two-person rule), and while it
        leaves a lesson's or question's text empty in a language that citizens read now
        (its form saves a revision written in one language, as it saves a draft)."""
        from ..curriculum.items import ItemError, apply_item, find

        self.check_reviewer(user)
        if user.pk in self.author_ids():
            raise WorkflowError(
                _("You wrote part of this revision. Another reviewer must approve it.")
            )
        if self.status != RevisionStatus.PENDING:
            raise WorkflowError(_("The author has not changed it since it was sent back."))
        if self.is_stale():
            raise WorkflowError(
                _("This item changed since the revision was written; open it again to merge.")
            )
        self.before = self.live()
        missing = _missing_languages(find(self.kind, self.key))
        try:
            with transaction.atomic():
                item = apply_item(self.kind, self.key, self.data, self.changed_by or user)
                # Gaps the live item already had (it was loaded so) are not this version's.
                added = Counter(_missing_languages(item)) - Counter(missing)
                if added:
                    raise WorkflowError(every_language_problem(added.elements()))
        except ItemError as error:
            raise WorkflowError(str(error)) from None
        except (IntegrityError, DataError) as error:
            raise WorkflowError(
                _("The database refused this version (%(error)s); nothing was changed.")
                % {"error": error}
            ) from None
        self.status = RevisionStatus.APPROVED
        self.reviewer = user
        self.comment = comment.strip()
        self.decided_at = timezone.now()
        self.save()
        if self.kind in (Kind.LESSON, Kind.QUESTION):
            type(item).objects.filter(pk=item.pk).update(revised_at=self.decided_at)
        from .. import notifications

        notifications.on_revision(self, "approved", user)

    @transaction.atomic
    def withdraw(self, user, comment=""):
        """Close the revision unapplied, at one of its authors' request; citizens keep
        the live item. Recorded on the revision (and as a workflow step of a lesson or
        question). Refused to anyone who wrote no part of it."""
        from ..curriculum.items import find
        from .workflow import Action, Transition

        if not self.authors.filter(pk=user.pk).exists():
            raise PermissionDenied
        if not self.is_open:
            raise WorkflowError(_("Only a revision not yet approved can be withdrawn."))
        self.status = RevisionStatus.WITHDRAWN
        self.changed_by = user
        self.decided_at = timezone.now()
        self.save(update_fields=["status", "changed_by", "decided_at", "updated_at"])
        item = find(self.kind, self.key) if self.kind in (Kind.LESSON, Kind.QUESTION) else None
        if item is not None:
            Transition.objects.create(
                **{item._meta.model_name: item},
                action=Action.WITHDRAW,
                from_status=item.status,
                to_status=item.status,
                user=user,
            )

    def send_back(self, user, comment):
        """Keep the revision for its authors, saying what needs changing."""
        self.check_reviewer(user)
        if not comment.strip():
            raise WorkflowError(_("Say what needs changing when you send an item back."))
        self.status = RevisionStatus.SENT_BACK
        self.reviewer = user
        self.comment = comment.strip()
        self.save(update_fields=["status", "reviewer", "comment", "updated_at"])
        from .. import notifications

        notifications.on_revision(self, "sent_back", user)


def _missing_languages(item):
    """What a lesson or question leaves empty in a language, as the workflow names it."""
    return [str(m) for m in item.missing_languages()] if hasattr(item, "missing_languages") else []


def restore_published_texts(answers, lessons=()):
    """Put back, in memory, the texts citizens read when they answered: the question's
    texts, the chosen choice's text and the lesson's title, where a revision approved
    since changed them.

    ``answers`` are (answer, question) pairs with the answer's choice and the question's
    lesson loaded; ``lessons`` are (time, lesson) pairs. No query unless a revision was
    approved after one of those times (``revised_at``); then 1.
    """
    wanted = []  # (kind, key, time, (put back, onto))
    lessons = list(lessons)
    for answer, question in answers:
        lesson = question.lesson
        if question.revised_at and question.revised_at > answer.answered_at:
            key = f"{lesson.slug}/{question.slug}"
            wanted.append(
                (Kind.QUESTION, key, answer.answered_at, (_question, (question, answer)))
            )
        lessons.append((answer.answered_at, lesson))
    for at, lesson in lessons:
        if lesson.revised_at and lesson.revised_at > at:
            wanted.append((Kind.LESSON, lesson.slug, at, (_title, lesson)))
    if not wanted:
        return
    revisions = list(
        Revision.objects.filter(
            status=RevisionStatus.APPROVED,
            key__in={key for _kind, key, _at, _put in wanted},
            decided_at__gt=min(at for _kind, _key, at, _put in wanted),
        )
        .order_by("decided_at")
        .values_list("kind", "key", "decided_at", "before")
    )
    for kind, key, at, (put, obj) in wanted:
        before = next(
            (b for k, kk, d, b in revisions if (k, kk) == (kind, key) and d > at and b), None
        )
        if before is not None:
            put(obj, before)


def _question(pair, data):
    from ..curriculum.loader import TRANSLATED

    question, answer = pair
    for name in TRANSLATED[type(question)]:
        for lang, text in (data.get(name) or {}).items():
            setattr(question, f"{name}_{lang}", text)
    choice = answer.choice
    if choice is None:
        return
    for item in data.get("choices") or []:
        if item.get("position") == choice.position:
            for lang, text in (item.get("text") or {}).items():
                setattr(choice, f"text_{lang}", text)


def _title(lesson, data):
    for lang, text in (data.get("title") or {}).items():
        setattr(lesson, f"title_{lang}", text)


class Import(models.Model):
    """A confirmed import: who, when, what it did. The nonce makes a confirmation work
    once."""

    nonce = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    summary = models.JSONField(_("summary"), default=dict)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.user} {self.at:%Y-%m-%d %H:%M}"
