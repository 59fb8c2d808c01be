"""The publishing workflow: statuses, who changed what, and the steps an item takes
from draft to published. Content models inherit ``Publishable``; citizens only ever reach
rows that ``published()`` returns."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Stamped(models.Model):
    """Who changed an authored row last and when. The curriculum loader leaves rows with
    an ``updated_by`` alone: a person edited them in the admin."""

    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """What citizens may see: published and not past its "valid until" date."""
        today = timezone.localdate()
        return self.filter(status=Status.PUBLISHED).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=today)
        )


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submit for review")
    APPROVE = "approve", _("Approve and publish")
    SEND_BACK = "send_back", _("Send back to the author")
    UNPUBLISH = "unpublish", _("Unpublish")
    REOPEN = "reopen", _("Reopen as a draft")
    EDITED = "edited", _("Edited")
    IMPORTED = "imported", _("Imported")
    WITHDRAW = "withdraw", _("Revision withdrawn")


# action: (from status, to status, permission needed)
WORKFLOW = {
    Action.SUBMIT: (Status.DRAFT, Status.REVIEW, "quizzes.submit_content"),
    Action.APPROVE: (Status.REVIEW, Status.PUBLISHED, "quizzes.review_content"),
    Action.SEND_BACK: (Status.REVIEW, Status.DRAFT, "quizzes.review_content"),
    Action.UNPUBLISH: (Status.PUBLISHED, Status.ARCHIVED, "quizzes.review_content"),
    Action.REOPEN: (Status.ARCHIVED, Status.DRAFT, "quizzes.submit_content"),
}


class WorkflowError(Exception):
    """A transition that the workflow does not allow; the message says why."""


def missing_translations(obj, fields):
    """Names of translated fields left empty in a language."""
    from django.conf import settings as conf

    from ..languages import language_label

    return [
        str(language_label(obj._meta.get_field(name).verbose_name, code))
        for name in fields
        for code in conf.MODELTRANSLATION_LANGUAGES
        if not (getattr(obj, f"{name}_{code.replace('-', '_')}") or "").strip()
    ]


def every_language_problem(missing):
    """The problem that stops an item with texts missing in a language (``missing``, as
    ``missing_translations`` names them) from going to review or being published."""
    return _("Fill in every language: %(fields)s.") % {
        "fields": ", ".join(sorted(set(map(str, missing))))
    }


class Publishable(Stamped):
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("After this date the item leaves the public site until it is reviewed."),
    )
    # When a revision last changed what citizens read: their results show what they read
    # before it (``quizzes.models.revisions.restore_published_texts``).
    revised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_public(self):
        return self.status == Status.PUBLISHED and not self.is_expired

    @property
    def is_expired(self):
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    def available_actions(self, user):
        """Workflow actions this user may take now."""
        return [
            action
            for action, (source, _target, perm) in WORKFLOW.items()
            if self.status == source and user.has_perm(perm)
        ]

    def transition(self, action, user, comment=""):
        """Move along the workflow and record who did it, when and why.

        Raises ValueError for an action that is not a workflow step, PermissionDenied
        without the role's permission and WorkflowError when the
        workflow refuses: wrong status, approving one's own edit (two-person rule),
        sending back without a comment, or content not ready for review.
        """
        if action not in WORKFLOW:  # "edited" and "imported" are records, not steps
            raise ValueError(action)
        source, target, perm = WORKFLOW[action]
        if not user.has_perm(perm):
            raise PermissionDenied
        if self.status != source:
            raise WorkflowError(
                _("This item is %(status)s; it cannot be changed that way.")
                % {"status": self.get_status_display().lower()}
            )
        if action == Action.APPROVE and user.pk in self.author_ids():
            raise WorkflowError(_("You changed this item. Another reviewer must approve it."))
        if action == Action.SEND_BACK and not comment.strip():
            raise WorkflowError(_("Say what needs changing when you send an item back."))
        if action in (Action.SUBMIT, Action.APPROVE):
            problems = self.publication_problems()
            if problems:
                raise WorkflowError(" ".join(str(p) for p in problems))
        self._move(action, target, user, comment)

    def note_edit(self, user, action=Action.EDITED):
        """Record that ``user`` changed this unpublished item (by form or import): every
        author since the last approval is kept, and none of them may approve it."""
        Transition.objects.create(
            **{self._meta.model_name: self},
            action=action,
            from_status=self.status,
            to_status=self.status,
            user=user,
        )

    def author_ids(self):
        """Everyone who changed this item since it was last approved, and whoever wrote
        the vocabulary it links to that no public page shows yet (a dozen queries)."""
        from ..curriculum.items import export_item, key_of, unseen_link_authors

        steps = self.transitions.filter(action__in=[Action.EDITED, Action.IMPORTED])
        approved = self.transitions.filter(action=Action.APPROVE).values("at")[:1]
        if approved:
            steps = steps.filter(at__gt=approved[0]["at"])
        try:
            key = key_of(self)
        except KeyError:  # campaigns and alerts link no vocabulary
            key = None
        linked = unseen_link_authors(export_item(*key)) if key else ()
        return {self.updated_by_id, *steps.values_list("user_id", flat=True), *linked} - {None}

    @transaction.atomic
    def _move(self, action, target, user, comment):
        Transition.objects.create(
            **{self._meta.model_name: self},
            action=action,
            from_status=self.status,
            to_status=target,
            user=user,
            comment=comment.strip(),
        )
        self.status = target
        self.save(update_fields=["status"])


class Transition(models.Model):
    """One step of a lesson's or a question's workflow: who, when, from what to what."""

    lesson = models.ForeignKey(
        "quizzes.Lesson",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    question = models.ForeignKey(
        "quizzes.Question",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=10, choices=Status.choices)
    to_status = models.CharField(_("to"), max_length=10, choices=Status.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        constraints = [
            models.CheckConstraint(
                condition=Q(lesson__isnull=False, question__isnull=True)
                | Q(lesson__isnull=True, question__isnull=False),
                name="transition_has_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"
