"""Campaigns: the training taken to a place (a community centre, a school, a company),
with a short link, a before-and-after check and figures for that group alone.

A campaign passes review like lessons and questions; its workflow steps are kept in
``OutreachTransition`` (shared with scam alerts, ``alerts.py``), so the content workflow's
table is left alone. A citizen who arrives through the link becomes a ``Participant``: a
row tying their (usually anonymous) learner to the campaign, with the optional age band
and district they chose to give, and their two check runs.
"""

import secrets
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..languages import in_any_language
from .answers import Answer
from .content import Lesson
from .questions import Question
from .runs import QuizRun
from .sessions import ReviewKind, start_session
from .workflow import Action, Publishable, PublishableQuerySet, Status, missing_translations

CHECK_SIZE = 3  # questions in the before check, and as many in the after check
# Letters and digits that cannot be mistaken for one another when typed from a poster.
CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
CODE_LENGTH = 6


def new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class Audience(models.TextChoices):
    OLDER = "older", _("Older residents")
    STUDENTS = "students", _("Students")
    FINANCE = "finance", _("Finance staff")
    PUBLIC = "public", _("General public")
    OTHER = "other", _("Other (describe below)")


class AgeBand(models.TextChoices):
    UNDER_18 = "under18", _("Under 18")
    FROM_18 = "18-39", _("18 to 39")
    FROM_40 = "40-59", _("40 to 59")
    FROM_60 = "60-74", _("60 to 74")
    FROM_75 = "75plus", _("75 or older")


class Phase(models.TextChoices):
    BEFORE = "before", _("Before")
    AFTER = "after", _("After")


class OutreachWorkflow(Publishable):
    """The content workflow, with its steps recorded in ``OutreachTransition``."""

    class Meta:
        abstract = True

    def note_edit(self, user, action=Action.EDITED):
        """Record that ``user`` changed this item: none of its authors may approve it."""
        OutreachTransition.objects.create(
            **{self._meta.model_name: self},
            action=action,
            from_status=self.status,
            to_status=self.status,
            user=user,
        )

    def record_edit(self, user):
        """Note an edit; one to a published item also sends it back to review, so
        citizens never read unreviewed text (campaigns and alerts have no revisions).
        Returns True when it went back to review."""
        if self.status != Status.PUBLISHED:
            self.note_edit(user)
            return False
        self._move(Action.EDITED, Status.REVIEW, user, "")
        return True

    @transaction.atomic
    def _move(self, action, target, user, comment):
        OutreachTransition.objects.create(
            **{self._meta.model_name: self},
            action=action,
            from_status=self.status,
            to_status=target,
            user=user,
            comment=comment.strip(),
        )
        self.status = target
        self.save(update_fields=["status"])


class CampaignQuerySet(PublishableQuerySet):
    def for_page(self):
        """Published campaigns with what their pages show: the published lessons and
        the published questions of the campaign quiz (3 queries for one)."""
        return self.published().with_content(published=True)

    def with_content(self, published=False):
        return self.prefetch_related(*content_lookups(published))


def content_lookups(published=False):
    """The prefetches of a campaign's lessons and of its quiz's questions with their
    lessons (what ``tactics`` and the checks read)."""
    lessons, questions = Lesson.objects, Question.objects
    if published:
        lessons, questions = lessons.published(), questions.published()
    return [
        models.Prefetch("lessons", queryset=lessons.order_by("position")),
        models.Prefetch("questions", queryset=questions.select_related("lesson").order_by("id")),
    ]


class Campaign(OutreachWorkflow):
    """A police campaign in one place for one audience, for a few days or weeks."""

    code = models.CharField(
        _("short code"),
        max_length=12,
        unique=True,
        default=new_code,
        validators=[RegexValidator(r"^[a-z0-9]{3,12}$", _("3 to 12 small letters or digits."))],
        help_text=_("The link is /c/<code>/. Letters and digits only."),
    )
    title = models.CharField(_("title"), max_length=200)
    unit = models.CharField(_("police unit running it"), max_length=200)
    place = models.CharField(_("place (district)"), max_length=200)
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC
    )
    audience_other = models.CharField(_("audience, in your words"), max_length=200, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    lessons = models.ManyToManyField(
        Lesson,
        blank=True,
        related_name="campaigns",
        verbose_name=_("lessons to take"),
    )
    questions = models.ManyToManyField(
        Question,
        blank=True,
        related_name="campaigns",
        verbose_name=_("questions of a campaign quiz"),
        help_text=_("Instead of lessons, or as well: a short quiz of chosen questions."),
    )

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "id"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_dates_in_order"
            ),
        ]

    def __str__(self):
        # A draft may have its title in Chinese only.
        return in_any_language(self, "title")

    def get_absolute_url(self):
        return reverse("quizzes:campaign", args=[self.code])

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first.")})

    def load_content(self):
        """Fetch its lessons and its quiz's questions, as ``with_content`` does for a
        queryset, into this campaign (2 queries)."""
        models.prefetch_related_objects([self], *content_lookups())
        return self

    @property
    def link(self):
        """The full address of the campaign's page, as printed on the poster: at the
        site's official address (SITE_ADDRESS), else where the site is reached (SITE_URL,
        whose default only works on the machine that runs it; the poster page warns)."""
        base = settings.SITE_ADDRESS or settings.SITE_URL
        if "://" not in base:
            base = f"https://{base}"
        return base.rstrip("/") + reverse("campaign-short", args=[self.code])

    @property
    def audience_label(self):
        if self.audience == Audience.OTHER and self.audience_other:
            return self.audience_other
        return self.get_audience_display()

    def is_running(self, today=None):
        today = today or timezone.localdate()
        return self.starts_on <= today <= self.ends_on

    def tactics(self):
        """The lessons (scam types) the campaign trains for, in lesson order: its own
        lessons, or those of its quiz's questions (uses the prefetched relations)."""
        found = {lesson.pk: lesson for lesson in self.lessons.all()}
        for question in self.questions.all():
            found.setdefault(question.lesson_id, question.lesson)
        return sorted(found.values(), key=lambda lesson: lesson.position)

    def check_questions(self):
        """(before ids, after ids): CHECK_SIZE questions each, on the same tactics and
        all different. Each tactic gives pairs of its published questions (outside the
        campaign quiz) in order; pairs are taken from the tactics in turn, the first of
        each pair before and the second after. Empty lists when there are too few
        questions (1 query)."""
        tactics = self.tactics()
        quiz = {question.pk for question in self.questions.all()}
        pool = defaultdict(list)
        rows = (
            Question.objects.published()
            .filter(lesson__in=[lesson.pk for lesson in tactics])
            .values_list("lesson_id", "id")
        )
        for lesson_id, question_id in rows:
            if question_id not in quiz:
                pool[lesson_id].append(question_id)
        pairs_by_tactic = [
            list(zip(pool[t.pk][0::2], pool[t.pk][1::2], strict=False)) for t in tactics
        ]
        pairs = []
        for turn in range(CHECK_SIZE):
            pairs += [p[turn] for p in pairs_by_tactic if len(p) > turn]
        pairs = pairs[:CHECK_SIZE]
        if len(pairs) < CHECK_SIZE:
            return [], []
        return [before for before, _ in pairs], [after for _, after in pairs]

    def publication_problems(self):
        """What stops this campaign from going to review or being published."""
        problems = []
        missing = missing_translations(self, ("title", "unit", "place"))
        if self.audience == Audience.OTHER:
            missing += missing_translations(self, ("audience_other",))
        if missing:
            problems.append(
                _("Fill in every language: %(fields)s.")
                % {"fields": ", ".join(sorted(set(map(str, missing))))}
            )
        if not self.pk:
            return problems
        if not self.lessons.exists() and not self.questions.exists():
            problems.append(_("Choose the lessons to take, or the questions of a quiz."))
        elif not self.check_questions()[0]:
            problems.append(
                _(
                    "The before and after checks need %(n)s pairs of published questions on "
                    "the campaign's scam types, outside the campaign quiz."
                )
                % {"n": CHECK_SIZE}
            )
        unpublished = self.lessons.exclude(status=Status.PUBLISHED).count()
        unpublished += self.questions.exclude(status=Status.PUBLISHED).count()
        if unpublished:
            problems.append(_("Every chosen lesson and question must be published."))
        return problems


class ParticipantQuerySet(models.QuerySet):
    def of(self, campaign_id, learner_id):
        """The learner's entry in a campaign, with its check runs (1 query), or None."""
        if learner_id is None:
            return None
        return (
            self.select_related("before_run", "after_run")
            .filter(campaign_id=campaign_id, learner_id=learner_id)
            .first()
        )


class Participant(models.Model):
    """A learner who came through a campaign's link. No name, no phone number: only
    what they chose to tell (an age band and a district), both optional."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participants")
    learner = models.ForeignKey(
        "quizzes.Learner", on_delete=models.CASCADE, related_name="campaign_entries"
    )
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True)
    district = models.CharField(_("district"), max_length=40, blank=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    before_run = models.OneToOneField(
        QuizRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="before_of"
    )
    after_run = models.OneToOneField(
        QuizRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="after_of"
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign participant")
        verbose_name_plural = _("campaign participants")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "learner"], name="one_entry_per_campaign_and_learner"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}: learner {self.learner_id}"

    @property
    def before_done(self):
        return self.before_run is not None and self.before_run.finished_at is not None

    @property
    def after_done(self):
        return self.after_run is not None and self.after_run.finished_at is not None

    def check_scores(self):
        """{"before": right answers, "after": right answers} of the two checks once
        both are finished, else None (1 query)."""
        if not (self.before_done and self.after_done):
            return None
        rows = (
            Answer.objects.filter(run__in=[self.before_run_id, self.after_run_id], is_correct=True)
            .values("run")
            .annotate(right=models.Count("id"))
        )
        right = {row["run"]: row["right"] for row in rows}
        return {
            "before": right.get(self.before_run_id, 0),
            "after": right.get(self.after_run_id, 0),
            "size": self.after_run.size,
        }

    def start_check(self, phase, question_ids):
        """The run of this participant's before or after check: the one already started,
        or a new one over ``question_ids`` (5 queries when new)."""
        field = f"{phase}_run"
        run = getattr(self, field)
        if run is not None:
            return run
        kind = ReviewKind.FIRST_CHECK if phase == Phase.BEFORE else ReviewKind.FINAL_CHECK
        with transaction.atomic():
            run = self.start_quiz(question_ids, kind)
            setattr(self, field, run)
            self.save(update_fields=[field])
        return run

    def start_quiz(self, question_ids, kind=ReviewKind.CAMPAIGN):
        """A new run of this participant's learner over ``question_ids``, marked as the
        campaign's (``kind``), so that its pages say so (2 queries on PostgreSQL, 3
        elsewhere; the callers make sure there are questions)."""
        return start_session(self.learner_id, question_ids, kind)


class OutreachTransition(models.Model):
    """One workflow step of a campaign or an alert: who, when, from what to what."""

    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="transitions"
    )
    alert = models.ForeignKey(
        "quizzes.Alert",
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
        verbose_name = _("campaign or alert workflow step")
        verbose_name_plural = _("campaign and alert workflow steps")
        constraints = [
            models.CheckConstraint(
                condition=Q(campaign__isnull=False, alert__isnull=True)
                | Q(campaign__isnull=True, alert__isnull=False),
                name="outreach_transition_has_one_subject",
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"
