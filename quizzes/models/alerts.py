"""Alerts about a scam that breaks today: a banner on the home and lesson pages while it
is live, and the first questions of a learner's review; written by one officer and
approved by another like any content."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from ..languages import in_any_language
from .campaigns import OutreachWorkflow
from .content import Lesson
from .questions import Question
from .workflow import PublishableQuerySet, missing_translations


class AlertQuerySet(PublishableQuerySet):
    def not_ended(self, now=None):
        """Published alerts that are live or will be: what the pages keep in the content
        cache, choosing the live ones by the clock at each request (no query then)."""
        now = now or timezone.now()
        return (
            self.published()
            .filter(ends_at__gt=now)
            .select_related("lesson")
            .prefetch_related(
                models.Prefetch(
                    "questions", queryset=Question.objects.published().only("id", "lesson_id")
                )
            )
        )

    def live(self, now=None):
        now = now or timezone.now()
        return self.not_ended(now).filter(starts_at__lte=now)


class Alert(OutreachWorkflow):
    """A warning about a scam going round now, with the lesson or the questions that
    train for it."""

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
    questions = models.ManyToManyField(
        Question,
        blank=True,
        related_name="alerts",
        verbose_name=_("questions that train for it"),
        help_text=_(
            "Published questions only. While the alert is live, a learner's review starts "
            "with those they have not answered correctly since it began (the lesson's "
            "questions when none are chosen)."
        ),
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
        # A draft may have its title in Chinese only.
        return in_any_language(self, "title")

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
        if self.pk and self.questions.exclude(pk__in=Question.objects.published()).exists():
            problems.append(_("Every question that trains for it must be published."))
        return problems

    def training_ids(self, pool):
        """The ids of the published questions that train for this alert: the chosen
        ones, else its lesson's, in the order of ``pool`` (the review's question pool,
        published questions only; no query with ``questions`` prefetched)."""
        chosen = {question.pk for question in self.questions.all()}
        if chosen:
            return [q.id for q in pool if q.id in chosen]
        if self.lesson_id is None:
            return []
        return [q.id for q in pool if q.lesson_id == self.lesson_id]


def training_due(learner_id, alerts, pool=None):
    """[(alert, question ids)] for the live ``alerts`` whose training questions the
    learner has not all answered correctly since the alert began: what their review
    starts with. 1 query on the learner's answers when an alert has questions, none
    otherwise; ``pool`` defaults to the review's cached question pool."""
    from .answers import Answer
    from .sessions import question_pool

    pool = question_pool() if pool is None else pool
    wanted = [(alert, ids) for alert in alerts if (ids := alert.training_ids(pool))]
    if not wanted:
        return []
    right = set()
    if learner_id is not None:
        since = Q()
        for alert, ids in wanted:
            since |= Q(question_id__in=ids, answered_at__gte=alert.starts_at)
        right = set(
            Answer.objects.filter(since, learner_id=learner_id, is_correct=True).values_list(
                "question_id", flat=True
            )
        )
    due = [(alert, [pk for pk in ids if pk not in right]) for alert, ids in wanted]
    return [(alert, ids) for alert, ids in due if ids]


def first_ids(due):
    """The question ids of ``training_due``'s answer, each once, in order."""
    return list(dict.fromkeys(pk for _, ids in due for pk in ids))


class TodaysReview:
    """What today's review holds for a learner, as the home, review and progress pages
    show it: the live ``alerts``' questions not yet answered right, then the due items.

    Building it first counts the learner's answers their memory does not count yet
    (``review.remember``: 1 query when there are none), then reads the learner's answers
    while an alert with questions is live (1 query; none otherwise, nor without a
    learner); ``due`` counts the due items (1 query more, none without a learner)."""

    def __init__(self, learner_id, alerts):
        from .review import remember

        remember(learner_id)
        self.learner_id = learner_id
        # No alert live: not even the question pool is read.
        due = training_due(learner_id, alerts) if learner_id is not None and alerts else []
        self.alerts = [alert for alert, _ids in due]  # the alerts it starts with
        self.first = first_ids(due)  # their questions' ids, in order

    @cached_property
    def due(self):
        """{"count", "minutes"}, the alerts' questions counted; None when nothing is due."""
        from .review import ReviewItem

        return ReviewItem.objects.today(self.learner_id, first=len(self.first))
