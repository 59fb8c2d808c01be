"""Alerts about a scam that breaks today: a banner on the home and lesson pages while it
is live, written by one officer and approved by another like any content."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .campaigns import OutreachWorkflow
from .content import Lesson
from .workflow import PublishableQuerySet, missing_translations


class AlertQuerySet(PublishableQuerySet):
    def not_ended(self, now=None):
        """Published alerts that are live or will be: what the pages keep in the content
        cache, choosing the live ones by the clock at each request (no query then)."""
        now = now or timezone.now()
        return self.published().filter(ends_at__gt=now).select_related("lesson")

    def live(self, now=None):
        now = now or timezone.now()
        return self.not_ended(now).filter(starts_at__lte=now)


class Alert(OutreachWorkflow):
    """A warning about a scam going round now, with the lesson that trains for it."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), help_text=_("Two or three sentences."))
    lesson = models.ForeignKey(
        Lesson,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        verbose_name=_("lesson that trains for it"),
    )
    starts_at = models.DateTimeField(_("shown from"))
    ends_at = models.DateTimeField(_("shown until"))

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "id"]
        verbose_name = _("scam alert")
        verbose_name_plural = _("scam alerts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="alert_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("An alert must end after it starts.")})

    def is_live(self, now=None):
        now = now or timezone.now()
        return self.is_public and self.starts_at <= now < self.ends_at

    def publication_problems(self):
        problems = []
        missing = missing_translations(self, ("title", "text"))
        if missing:
            problems.append(
                _("Fill in every language: %(fields)s.")
                % {"fields": ", ".join(sorted(set(map(str, missing))))}
            )
        if self.lesson is not None and not self.lesson.is_public:
            problems.append(_("The lesson that trains for it must be published."))
        return problems
