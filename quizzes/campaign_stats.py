"""What police see of one campaign: participants, completions, the before and after
scores with the change and its uncertainty, breakdowns, the group's weakest red flags,
and the city-wide figures beside them.

The change is a paired difference: for each participant who finished both checks, the
share right in the after check minus the share right in the before check; the figure is
their mean, with a 95% confidence interval from Student's t distribution (mean ± t ×
standard deviation / √n, n − 1 degrees of freedom).

No small group can be singled out: every figure carries the number of learners behind
it, and a figure behind fewer than ``MIN_LEARNERS`` learners is never shown, in the page
or in the CSV, only "fewer than 10". ``Figure`` is the one place that rule lives.

Nor can a hidden group be worked out by subtraction. The age bands and the districts
each split the campaign's participants into groups, so the campaign's row minus the
groups shown gives the groups hidden, together: when these come to fewer than
``MIN_LEARNERS`` learners, the smallest groups shown are hidden too (``protect``), as
statistical offices do (complementary suppression). Scam types do not split the
participants: everyone who takes a check answers the questions of each of its scam types.
The city-wide figures beside the campaign's hold its participants too: a city figure is
withheld when the learners it holds beyond the campaign's number 1 to ``MIN_LEARNERS`` −
1 (``beside``), or the city minus the campaign would give their figure away.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from .models import AgeBand, Answer, Lesson, Participant, Phase, RedFlag

MIN_LEARNERS = 10
WEAKEST_FLAGS = 5
CITY_CACHE_SECONDS = 600  # the city-wide figures scan every answer: computed now and then

# Student's t, two-sided 95%, by degrees of freedom; 1.96 beyond the table.
T_95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179]
T_95 += [2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064]
T_95 += [2.060, 2.056, 2.052, 2.048, 2.045, 2.042]  # df 1..30
T_95_LARGE = [(40, 2.021), (60, 2.000), (120, 1.980)]


def fewer():
    """What stands in for a figure behind too few learners."""
    return _("fewer than %(n)s") % {"n": MIN_LEARNERS}


def withheld():
    """What stands in for a figure behind enough learners, hidden so that the total
    minus the groups shown does not give away a smaller group (see ``protect``)."""
    return _("hidden so that small groups cannot be worked out")


def t_95(df):
    if df <= len(T_95):
        return T_95[df - 1]
    return next((t for limit, t in T_95_LARGE if df <= limit), 1.960)


@dataclass(frozen=True)
class Figure:
    """A value and how many learners stand behind it; shown only behind enough, and not
    when ``withheld`` to protect a smaller group beside it (see ``protect``)."""

    value: object
    learners: int
    withheld: bool = False

    @property
    def shown(self):
        return self.learners >= MIN_LEARNERS and self.value is not None and not self.withheld

    @property
    def hidden(self):
        """Hidden, and standing for someone: learners behind it, but not shown."""
        return self.learners > 0 and not self.shown

    def text(self, kind="percent"):
        """The value as the page and the CSV write it, "fewer than 10", or "hidden so
        that small groups cannot be worked out"."""
        if self.learners < MIN_LEARNERS:
            return fewer()
        if self.withheld:
            return withheld()
        if self.value is None:
            return "–"
        if kind == "count":
            return str(self.value)
        if kind == "points":
            return f"{self.value * 100:+.0f}"
        return f"{self.value * 100:.0f}%"


@dataclass(frozen=True)
class Change:
    """The mean paired difference (after − before, as a share) and its 95% interval."""

    mean: float
    low: float | None
    high: float | None

    @classmethod
    def of(cls, differences):
        if not differences:
            return None
        mean = statistics.fmean(differences)
        if len(differences) < 2:
            return cls(mean, None, None)
        margin = t_95(len(differences) - 1) * statistics.stdev(differences)
        margin /= math.sqrt(len(differences))
        return cls(mean, mean - margin, mean + margin)


@dataclass
class Group:
    """One row: all participants, or those of an age band, a district or a scam type."""

    label: str
    learners: int
    before: Figure
    after: Figure
    change: Figure  # its value is a Change
    count: Figure = None  # how many learners: ``learners``, shown only behind enough

    def __post_init__(self):
        if self.count is None:
            self.count = Figure(self.learners, self.learners)

    def count_text(self):
        return self.count.text("count")

    def interval_text(self):
        change = self.change
        if not change.shown:
            return change.text()
        if change.value.low is None:
            return "–"
        return f"{change.value.low * 100:+.0f} … {change.value.high * 100:+.0f}"

    def change_text(self):
        if not self.change.shown:
            return self.change.text()
        return f"{self.change.value.mean * 100:+.0f}"


def group_of(label, rows):
    """A Group from participant score rows (see ``participant_rows``)."""
    before = [r["before"] for r in rows if r["before"] is not None]
    after = [r["after"] for r in rows if r["after"] is not None]
    paired = [r["after"] - r["before"] for r in rows if None not in (r["before"], r["after"])]
    return Group(
        label=label,
        learners=len(rows),
        before=Figure(statistics.fmean(before) if before else None, len(before)),
        after=Figure(statistics.fmean(after) if after else None, len(after)),
        change=Figure(Change.of(paired), len(paired)),
    )


def participant_rows(participants):
    """One dict per participant: age band, district, and the share right in each
    finished check (None when not finished). One query."""
    rows = participants.values(
        "age_band",
        "district",
        "before_run__size",
        "before_run__finished_at",
        "after_run__size",
        "after_run__finished_at",
    ).annotate(
        before_right=Count(
            "before_run__answers", filter=Q(before_run__answers__is_correct=True), distinct=True
        ),
        after_right=Count(
            "after_run__answers", filter=Q(after_run__answers__is_correct=True), distinct=True
        ),
    )

    def share(row, phase):
        size = row[f"{phase}_run__size"]
        if row[f"{phase}_run__finished_at"] is None or not size:
            return None
        return row[f"{phase}_right"] / size

    return [
        {
            "age_band": row["age_band"],
            "district": row["district"],
            "before": share(row, "before"),
            "after": share(row, "after"),
        }
        for row in rows
    ]


def breakdown(rows, key, labels=None):
    """One Group per value of ``key``. With ``labels`` (a fixed list of choices) every
    group keeps its name; without (what people typed, such as a district), the names of
    groups under MIN_LEARNERS are not shown either, since a rare name can itself point at
    someone: those groups are pooled into one row."""
    groups = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    not_given = _("Not given")
    result, pooled = [], []
    for value, members in sorted(groups.items(), key=lambda item: (not item[0], item[0])):
        if labels is None and value and len(members) < MIN_LEARNERS:
            pooled += members
            continue
        label = (labels or {}).get(value, value) if value else not_given
        result.append(group_of(label, members))
    if pooled:
        label = _("Others, fewer than %(n)s learners each") % {"n": MIN_LEARNERS}
        result.append(group_of(label, pooled))
    return result


MEASURES = ("count", "before", "after", "change")


def protect(groups):
    """Hide the smallest figures shown of ``groups`` (which split the campaign's
    participants, each participant in one group) wherever the ones already hidden stand
    for 1 to MIN_LEARNERS − 1 learners in all: the campaign's figure and those shown would
    give theirs away. One measure at a time (learners, before, after, change), since each
    has its own learners: hidden until the hidden learners number MIN_LEARNERS or more, or
    nothing is shown. Changes ``groups`` in place and returns them."""
    for measure in MEASURES:
        hidden = sum(getattr(g, measure).learners for g in groups if getattr(g, measure).hidden)
        shown = [g for g in groups if getattr(g, measure).shown]
        shown.sort(key=lambda g: getattr(g, measure).learners)  # stable: ties keep order
        for group in shown:
            if not 0 < hidden < MIN_LEARNERS:
                break
            figure = getattr(group, measure)
            setattr(group, measure, replace(figure, withheld=True))
            hidden += figure.learners
    return groups


def outside(city, campaign):
    """Whether ``city`` (a Figure over every campaign, or every learner) minus the
    campaign's ``campaign`` Figure would give away the figure of the learners outside the
    campaign, too few to be shown: 1 to MIN_LEARNERS − 1 of them."""
    return campaign.shown and 0 < city.learners - campaign.learners < MIN_LEARNERS


def beside(city, campaign):
    """The city-wide row as it stands beside the campaign's row: each measure whose
    learners beyond the campaign's are too few to be shown is withheld (``outside``).
    Changes ``city`` in place and returns it."""
    for measure in MEASURES:
        figure = getattr(city, measure)
        if figure.shown and outside(figure, getattr(campaign, measure)):
            setattr(city, measure, replace(figure, withheld=True))
    return city


def scam_type_groups(campaign):
    """One Group per scam type (lesson) of the check questions: share right before and
    after over the answers to its questions (2 queries). The change here is the
    difference of the two shares, without an interval: not every learner answered both."""
    per_phase = {}
    for phase in Phase.values:
        per_phase[phase] = {
            row["question__lesson"]: row
            for row in Answer.objects.filter(**{f"run__{phase}_of__campaign": campaign})
            .values("question__lesson")
            .annotate(
                learners=Count("learner", distinct=True),
                answers=Count("id"),
                right=Count("id", filter=Q(is_correct=True)),
            )
        }
    lessons = Lesson.objects.filter(
        pk__in=set(per_phase[Phase.BEFORE]) | set(per_phase[Phase.AFTER])
    ).order_by("position")
    groups = []
    for lesson in lessons:
        before = per_phase[Phase.BEFORE].get(lesson.pk)
        after = per_phase[Phase.AFTER].get(lesson.pk)
        b = Figure(before["right"] / before["answers"], before["learners"]) if before else None
        a = Figure(after["right"] / after["answers"], after["learners"]) if after else None
        b = b or Figure(None, 0)
        a = a or Figure(None, 0)
        both = min(b.learners, a.learners)
        change = Change(a.value - b.value, None, None) if b.shown and a.shown else None
        groups.append(Group(lesson.title, max(b.learners, a.learners), b, a, Figure(change, both)))
    return groups


@dataclass
class FlagFigure:
    flag: RedFlag
    group: Figure
    city: Figure


def red_flag_rates(answers):
    """{red flag id: (learners, answers, recognised)} over ``answers`` (1 query)."""
    rows = (
        answers.filter(question__red_flags__isnull=False)
        .values("question__red_flags")
        .annotate(
            learners=Count("learner", distinct=True),
            seen=Count("id"),
            recognised=Count("id", filter=Q(is_correct=True)),
        )
    )
    return {
        row["question__red_flags"]: (row["learners"], row["seen"], row["recognised"])
        for row in rows
    }


def city_flag_rates():
    """Red-flag recognition over every learner's first attempts, kept a few minutes."""
    rates = cache.get("campaign-stats:city-flags")
    if rates is None:
        rates = red_flag_rates(Answer.objects.filter(first_attempt=True))
        cache.set("campaign-stats:city-flags", rates, CITY_CACHE_SECONDS)
    return rates


def weakest_flags(campaign):
    """The red flags this group recognises least, among those met by enough of its
    learners, with the city-wide share beside each (2 queries, 3 when the city-wide
    figures are renewed)."""
    group = red_flag_rates(
        Answer.objects.filter(learner__campaign_entries__campaign=campaign, first_attempt=True)
    )
    shown = {pk: v for pk, v in group.items() if v[0] >= MIN_LEARNERS}
    city = city_flag_rates()
    flags = RedFlag.objects.in_bulk(list(shown))
    figures = []
    for pk, (learners, seen, recognised) in shown.items():
        c_learners, c_seen, c_recognised = city.get(pk, (0, 0, 0))
        group = Figure(recognised / seen, learners)
        city_figure = Figure(c_recognised / c_seen if c_seen else None, c_learners)
        if outside(city_figure, group):
            city_figure = replace(city_figure, withheld=True)
        figures.append(FlagFigure(flags[pk], group, city_figure))
    figures.sort(key=lambda f: (f.group.value, f.flag.title))
    return figures[:WEAKEST_FLAGS]


@dataclass
class CampaignFigures:
    participants: int
    completions: int
    overall: Group
    city: Group
    age_bands: list = field(default_factory=list)
    districts: list = field(default_factory=list)
    scam_types: list = field(default_factory=list)
    flags: list = field(default_factory=list)

    def breakdowns(self):
        return [
            (_("By age band"), self.age_bands),
            (_("By district"), self.districts),
            (_("By scam type"), self.scam_types),
        ]


def campaign_figures(campaign):
    """Every figure of one campaign (8 queries, 9 when the city-wide ones are renewed)."""
    rows = participant_rows(Participant.objects.filter(campaign=campaign))
    city_rows = participant_rows(Participant.objects.all())
    overall = group_of(_("This campaign"), rows)
    return CampaignFigures(
        participants=len(rows),
        completions=sum(1 for row in rows if row["after"] is not None),
        overall=overall,
        city=beside(group_of(_("All campaigns in the city"), city_rows), overall),
        age_bands=protect(breakdown(rows, "age_band", dict(AgeBand.choices))),
        districts=protect(breakdown(rows, "district")),
        scam_types=scam_type_groups(campaign),
        flags=weakest_flags(campaign),
    )
