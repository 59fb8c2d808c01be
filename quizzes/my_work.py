"""An officer's "my work": what waits for them across lessons, questions, campaigns and
revisions (the edits of published content), the notices the workflow leaves them, and a
line of today's citizen activity.

The rules span lessons, questions, campaigns, revisions, the workflow's record and the
statistics, so they live here rather than on one model.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import stats
from .curriculum.items import find_many
from .models import (
    Action,
    Alert,
    Answer,
    Campaign,
    Lesson,
    Notice,
    Question,
    QuizRun,
    Revision,
    RevisionStatus,
    Status,
)

# Published items whose "valid until" date falls within this many days are listed.
EXPIRY_WARNING_DAYS = 14


@dataclass
class MyWork:
    waiting: list = field(default_factory=list)
    sent_back: list = field(default_factory=list)
    drafts: list = field(default_factory=list)
    expiring: list = field(default_factory=list)
    needs_checking: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    activity: dict = field(default_factory=dict)


# The items with a workflow of their own (``Publishable``), in the order they are listed.
WORKFLOW_MODELS = (Lesson, Question, Campaign, Alert)


def _steps(model):
    """The workflow's record of ``model``: ``Transition``, or ``OutreachTransition`` for
    campaigns."""
    return model._meta.get_field("transitions").related_model.objects


def _may_approve(user, model):
    """Whether ``user`` may approve items of ``model``: the workflow's permission, and
    the workspace page where its buttons are."""
    name = model._meta.model_name
    return user.has_perm("quizzes.review_content") and (
        user.has_perm(f"quizzes.view_{name}") or user.has_perm(f"quizzes.change_{name}")
    )


def _with_last_step(queryset):
    """Annotates the latest workflow step (action, comment) and who last sent it to
    review: who submitted it, or who edited a published campaign (back to review)."""
    subject = queryset.model._meta.model_name
    steps = _steps(queryset.model).filter(**{subject: OuterRef("pk")}).order_by("-at", "-id")
    to_review = steps.filter(to_status=Status.REVIEW).exclude(from_status=Status.REVIEW)
    return queryset.annotate(
        last_action=Subquery(steps.values("action")[:1]),
        last_comment=Subquery(steps.values("comment")[:1]),
        submitted_by=Subquery(to_review.values("user")[:1]),
    )


def _edited_by(model, user):
    """Whether ``user`` edited or imported the row since it was last approved: the
    workflow lets none of them approve it (``Publishable.author_ids``)."""
    subject = model._meta.model_name
    steps = _steps(model)
    approved_since = steps.filter(
        **{subject: OuterRef(subject)}, action=Action.APPROVE, at__gte=OuterRef("at")
    )
    return Exists(
        steps.filter(
            ~Exists(approved_since),
            **{subject: OuterRef("pk")},
            user=user,
            action__in=[Action.EDITED, Action.IMPORTED],
        )
    )


def _waits_for(model, user):
    """The one rule for an item of ``model`` waiting for this officer's review: in
    review, and neither last changed nor edited since its last approval by them (used
    by the lists and by the count in the navigation alike)."""
    return Q(status=Status.REVIEW) & ~Q(updated_by=user) & ~_edited_by(model, user)


def _wrote_part_of(user):
    """Whether ``user`` is among a revision's authors, everyone who wrote part of it
    (``Revision.approve``): a pending revision waits for every other reviewer."""
    return Exists(Revision.objects.filter(pk=OuterRef("pk"), authors=user))


def _waiting(user):
    """What waits for this officer's review, one queryset per kind of item."""
    waiting = [
        model.objects.filter(_waits_for(model, user))
        for model in WORKFLOW_MODELS
        if _may_approve(user, model)
    ]
    if user.has_perm("quizzes.review_content"):  # the revisions' page opens to reviewers
        waiting.append(
            Revision.objects.filter(status=RevisionStatus.PENDING).filter(~_wrote_part_of(user))
        )
    return waiting


def _candidates(queryset, user, soon):
    """Rows that may belong in one of the lists: one query per model."""
    mine = Q(updated_by=user) | Q(submitted_by=user.pk)
    return (
        _with_last_step(queryset)
        .filter(
            Q(status=Status.REVIEW)
            | (Q(status=Status.DRAFT) & mine)
            | Q(status=Status.PUBLISHED, valid_until__lte=soon)
        )
        .annotate(waits=ExpressionWrapper(_waits_for(queryset.model, user), BooleanField()))
    )


def _revisions(user, reviewer):
    """Open revisions for the lists, each named by the item it edits: those waiting for
    this reviewer (one they wrote no part of), and those sent back to their authors
    (1 query, and 1 per kind of item they edit)."""
    wanted = Q(status=RevisionStatus.SENT_BACK, mine=True)
    if reviewer:
        wanted |= Q(status=RevisionStatus.PENDING, mine=False)
    revisions = list(
        Revision.objects.select_related("changed_by")
        .annotate(mine=_wrote_part_of(user))
        .filter(wanted)
    )
    by_kind = defaultdict(list)
    for revision in revisions:
        by_kind[revision.kind].append(revision)
    for kind, group in by_kind.items():
        live = find_many(kind, [revision.key for revision in group])
        for revision in group:
            item = live.get(revision.key)
            new = item is None
            revision.listed_as = _new_item_name(revision) if new else str(item)
            revision.label = _("new item") if new else _("edit of published content")
            revision.kind_label = revision.get_kind_display()
            revision.admin_url = revision.get_absolute_url()
            # As the lists show lessons and questions: who changed it last, and the
            # reviewer's comment on one sent back.
            revision.updated_by = revision.changed_by
            revision.last_comment = revision.comment
    return revisions


def _new_item_name(revision):
    """A name for an item that is not on the site yet (a new general reminder): the
    start of its title or text in the officer's language, from the revision."""
    language = translation.get_language().replace("-", "_")
    for name in ("title", "text", "body"):
        texts = revision.data.get(name) or {}
        text = texts.get(language) or next((t for t in texts.values() if t), "")
        if text.strip():
            return Truncator(" ".join(text.split())).chars(48)
    return revision.get_kind_display()


def my_work(user):
    """Everything the "my work" page lists for this officer (8 queries, 1 more per kind
    of item that open revisions edit, plus the statistics snapshot)."""
    today = timezone.localdate()
    soon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    reviewer = user.has_perm("quizzes.review_content")
    work = MyWork()
    for queryset in (
        Lesson.objects.select_related("updated_by"),
        Question.objects.select_related("lesson", "updated_by"),
        Campaign.objects.select_related("updated_by"),
        Alert.objects.select_related("updated_by"),
    ):
        may_approve = _may_approve(user, queryset.model)
        for item in _candidates(queryset, user, soon):
            name = item._meta.model_name
            item.admin_url = reverse(f"admin:quizzes_{name}_change", args=[item.pk])
            item.kind_label = item._meta.verbose_name
            item.listed_as = str(item)
            if item.status == Status.REVIEW:
                if may_approve and item.waits:
                    work.waiting.append(item)
            elif item.status == Status.DRAFT:
                sent_back = item.last_action == Action.SEND_BACK
                if sent_back and item.submitted_by in (user.pk, None):
                    work.sent_back.append(item)
                elif item.updated_by_id == user.pk:
                    work.drafts.append(item)
            else:
                work.expiring.append(item)
    for revision in _revisions(user, reviewer):
        if revision.status == RevisionStatus.PENDING:
            work.waiting.append(revision)
        else:
            work.sent_back.append(revision)
    work.expiring.sort(key=lambda item: item.valid_until)
    if user.has_perm("quizzes.view_statistics"):
        work.needs_checking = [q for q in stats.dashboard()["questions"] if q.needs_checking]
    work.notices = list(
        Notice.objects.filter(user=user)
        .select_related("transition__lesson", "transition__question__lesson", "transition__user")
        .order_by("read_at", "-created_at")[:10]
    )
    work.activity = today_activity()
    return work


def today_activity():
    """Citizens' answers, learners and finished quizzes since local midnight (2 queries)."""
    start = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    answers = Answer.objects.filter(answered_at__gte=start).aggregate(
        answers=Count("id"), learners=Count("learner", distinct=True)
    )
    finished = QuizRun.objects.filter(finished_at__gte=start).count()
    return {**answers, "finished": finished}


def counts(user):
    """The numbers beside "my work" in the navigation: items waiting for this reviewer
    and unread notices (2 queries; 1 for an officer who reviews nothing)."""
    rows = [queryset.order_by().values("pk") for queryset in _waiting(user)]
    waiting = rows[0].union(*rows[1:], all=True).count() if rows else 0
    return {"waiting": waiting, "notices": Notice.objects.filter(user=user).unread().count()}


def notify_author(sender, instance, created, raw=False, **kwargs):
    """``post_save`` of a workflow step: when an item is sent back or published, leave a
    notice for whoever submitted it (or last changed it), unless they did it themselves."""
    if not created or raw or instance.action not in (Action.SEND_BACK, Action.APPROVE):
        return
    subject = instance.lesson or instance.question
    submitted = (
        subject.transitions.filter(action=Action.SUBMIT)
        .exclude(pk=instance.pk)
        .values_list("user", flat=True)
        .first()
    )
    author = submitted or subject.updated_by_id
    if author and author != instance.user_id:
        Notice.objects.create(user_id=author, transition=instance)


def mark_read(user):
    Notice.objects.filter(user=user).unread().update(read_at=timezone.now())
