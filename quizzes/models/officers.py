"""What the workspace remembers about each police officer: the language they work in."""

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
    def choose_language(cls, user, language):
        cls.objects.update_or_create(user=user, defaults={"language": language})
