"""What the workspace remembers about each police officer: the language they work in,
whether they want e-mails from the workflow, and the notices the workflow leaves them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OfficerSettings(models.Model):
    """One row per officer who changed a setting; no row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="officer_settings",
    )
    language = models.CharField(
        _("workspace language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    email_notifications = models.BooleanField(
        _("e-mail me about my work"),
        default=True,
        help_text=_(
            "When something waits for my review, and when my work is sent back or published."
        ),
    )

    class Meta:
        verbose_name = _("officer settings")
        verbose_name_plural = _("officer settings")

    def __str__(self):
        return str(self.user)

    @classmethod
    def language_of(cls, user):
        """The language this officer chose for the workspace, or "" (one query)."""
        return cls.objects.filter(user=user).values_list("language", flat=True).first() or ""

    @classmethod
    def of(cls, user):
        """This officer's settings, unsaved defaults if they never changed one (1 query)."""
        return cls.objects.filter(user=user).first() or cls(user=user)

    @classmethod
    def choose_language(cls, user, language):
        cls.objects.update_or_create(user=user, defaults={"language": language})


class NoticeQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """A note in an officer's "my work" page: their lesson or question was sent back or
    published. Made from the workflow's record (see ``quizzes/my_work.py``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    transition = models.ForeignKey(
        "quizzes.Transition",
        verbose_name=_("workflow step"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            # The unread count in the workspace navigation, on every workspace page.
            models.Index(fields=["user", "read_at"], name="notice_user_unread"),
        ]

    def __str__(self):
        return str(self.transition)
