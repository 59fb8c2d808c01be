"""Load the curriculum files into the database.

Rows are matched by natural keys (slugs, codes, positions), so loading twice changes
nothing. A row that a person changed in the admin (it has ``updated_by``) is left as it is
unless ``force`` is set; lesson steps, cases and reminders follow their lesson, choices
follow their question.
"""

import datetime
from collections import Counter

from django.db import models, transaction
from django.db.models import Max

from ..models import (
    Case,
    Choice,
    Ending,
    LegalReference,
    Lesson,
    LessonStep,
    Question,
    RedFlag,
    Reminder,
    Reply,
    Source,
    Spot,
    Status,
    Turn,
)
from .schema import LANGS, read_lessons, read_vocabulary

TRANSLATED = {
    Source: ("title", "publisher"),
    RedFlag: ("title", "description"),
    LegalReference: ("title", "summary"),
    Lesson: ("title", "summary"),
    LessonStep: ("text",),
    Reminder: ("text", "authority"),
    Case: ("title", "story", "place"),
    Question: ("setup", "sender_name", "subject", "body", "prompt", "explanation"),
    Choice: ("text", "feedback"),
    Spot: ("text", "explanation"),
    Turn: ("says", "note"),
    Reply: ("text",),
    Ending: ("text",),
}


def translated(model, data):
    """{"title": {"en": ..., "zh_hans": ...}} -> {"title_en": ..., "title_zh_hans": ...}"""
    values = {}
    for name in TRANSLATED[model]:
        texts = data.get(name) or {}
        for lang in LANGS:
            values[f"{name}_{lang}"] = (texts.get(lang) or "").strip()
    return values


def same(current, wanted):
    """Equal, counting an empty translation (NULL or "") as one value."""
    return current == wanted or (current in (None, "") and wanted in (None, ""))


def text_of(step):
    """A step is its translated text, or {"position": n, "text": {...}} in a bundle."""
    return step.get("text", step)


class Loader:
    """Writes curriculum data (the shipped files or an imported bundle) to the database.

    With ``bundle`` the data also sets statuses, "valid until" dates, positions and
    reminder slugs, and overwrites admin edits: importing is an explicit decision.
    Without it, new content is published and admin edits are kept unless ``force``.
    """

    def __init__(self, force=False, bundle=False):
        self.force = force or bundle
        self.bundle = bundle
        self.counts = Counter()

    def upsert(self, model, lookup, values, m2m=None, guard=True):
        """Create or update one row; returns (object, what happened)."""
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            outcome = "created"
        elif guard and getattr(obj, "updated_by_id", None) and not self.force:
            outcome = "skipped"
        else:
            changed = [
                name for name, value in values.items() if not same(getattr(obj, name), value)
            ]
            if self.force and getattr(obj, "updated_by_id", None):
                obj.updated_by = None
                changed.append("updated_by")
            if changed:
                for name in changed:
                    if name != "updated_by":
                        setattr(obj, name, values[name])
                obj.save()
            outcome = "updated" if changed else "unchanged"
        if outcome != "skipped":
            for name, related in (m2m or {}).items():
                manager = getattr(obj, name)
                if {o.pk for o in manager.all()} != {o.pk for o in related}:
                    manager.set(related)
                    if outcome == "unchanged":
                        outcome = "updated"
        self.counts[(model._meta.verbose_name_plural, outcome)] += 1
        return obj, outcome

    @transaction.atomic
    def load(self, vocabulary=None, lessons=None):
        vocabulary = read_vocabulary() if vocabulary is None else vocabulary
        lessons = read_lessons() if lessons is None else lessons
        self.sources = {}
        for data in vocabulary["sources"]:
            self.sources[data["code"]], _ = self.upsert(
                Source,
                {"code": data["code"]},
                {**translated(Source, data), "published": data.get("published") or ""},
            )
        self.flags = {}
        for data in vocabulary["red_flags"]:
            self.flags[data["slug"]], _ = self.upsert(
                RedFlag, {"slug": data["slug"]}, translated(RedFlag, data)
            )
        self.legal = {}
        for data in vocabulary["legal_references"]:
            self.legal[data["slug"]], _ = self.upsert(
                LegalReference, {"slug": data["slug"]}, translated(LegalReference, data)
            )
        self.reminders = {}
        for position, data in enumerate(vocabulary["reminders"], 1):
            self.reminders[data["slug"]] = self.reminder(
                data["slug"], None, data.get("position", position), data
            )
        for data in lessons:
            self.lesson(data)
        return self.counts

    def reminder(self, slug, lesson, position, data):
        return self.upsert(
            Reminder,
            {"slug": slug},
            {**translated(Reminder, data), "lesson": lesson, "position": position},
            m2m={"sources": [self.sources[c] for c in data.get("sources") or []]},
        )[0]

    def publication(self, data):
        """Status fields a bundle carries; the shipped files leave them to the workflow."""
        if not self.bundle:
            return {}
        valid_until = data.get("valid_until") or None
        return {
            "status": data.get("status", Status.PUBLISHED),
            "valid_until": valid_until and datetime.date.fromisoformat(str(valid_until)),
        }

    def lesson(self, data):
        lesson, outcome = self.upsert(
            Lesson,
            {"slug": data["slug"]},
            {
                **translated(Lesson, data),
                "position": data["position"],
                **self.publication(data),
            },
            m2m={
                "red_flags": [self.flags[s] for s in data["red_flags"]],
                "legal_references": [self.legal[s] for s in data.get("legal") or []],
                "sources": [self.sources[c] for c in data["sources"]],
            },
        )
        if outcome == "created" and not self.bundle:
            lesson.status = Status.PUBLISHED
            lesson.save(update_fields=["status"])
        reminders = []
        if outcome != "skipped":
            steps = [(s.get("position", i), text_of(s)) for i, s in enumerate(data["steps"], 1)]
            for position, text in steps:
                self.upsert(
                    LessonStep,
                    {"lesson": lesson, "position": position},
                    translated(LessonStep, {"text": text}),
                    guard=False,
                )
            lesson.steps.exclude(position__in=[p for p, _ in steps]).delete()
            for position, item in enumerate(data.get("reminders") or [], 1):
                position = item.get("position", position)
                slug = item.get("slug") or f"{lesson.slug}-{position}"
                reminders.append(self.reminder(slug, lesson, position, item))
                self.reminders[slug] = reminders[-1]
            cases = [(c.get("position", i), c) for i, c in enumerate(data.get("cases") or [], 1)]
            lesson.cases.exclude(position__in=[p for p, _ in cases]).delete()
            for position, item in cases:
                self.upsert(
                    Case,
                    {"lesson": lesson, "position": position},
                    {
                        **translated(Case, item),
                        "loss": item.get("loss"),
                        "occurred": str(item.get("occurred") or ""),
                        "source": self.sources[item["source"]],
                    },
                    guard=False,
                )
        else:
            reminders = list(lesson.reminders.all())
        for position, item in enumerate(data.get("questions") or [], 1):
            reminder = reminders[0] if reminders else None
            if self.bundle:
                reminder = self.reminders.get(item.get("reminder"))
            self.question(lesson, item.get("position", position), item, reminder)
        if not self.bundle and outcome != "skipped":
            self.retire_dropped_questions(lesson, data.get("questions") or [])

    def retire_dropped_questions(self, lesson, items):
        """A question the shipped files no longer have leaves the site: archived if learners
        answered it (their answers and the statistics keep it), deleted otherwise. An
        officer's question (``updated_by``) stays unless ``force``."""
        dropped = lesson.questions.exclude(slug__in=[item["slug"] for item in items]).exclude(
            status=Status.ARCHIVED
        )
        if not self.force:
            dropped = dropped.filter(updated_by__isnull=True)
        for question in dropped:
            if question.answers.exists():
                question.status = Status.ARCHIVED
                question.save(update_fields=["status"])
                self.counts[(Question._meta.verbose_name_plural, "archived")] += 1
            else:
                question.delete()
                self.counts[(Question._meta.verbose_name_plural, "deleted")] += 1

    def make_room(self, lesson, position, slug):
        """Questions change places between curriculum versions: a question of another slug
        holding ``position`` moves to the end, so (lesson, position) stays unique."""
        holder = lesson.questions.filter(position=position).exclude(slug=slug).first()
        if holder is not None:
            last = lesson.questions.aggregate(last=Max("position"))["last"]
            holder.position = last + 1
            holder.save(update_fields=["position"])

    def question(self, lesson, position, data, reminder):
        kind = data.get("kind", "choice")
        self.make_room(lesson, position, data["slug"])
        question, outcome = self.upsert(
            Question,
            {"lesson": lesson, "slug": data["slug"]},
            {
                **translated(Question, data),
                "position": position,
                "kind": kind,
                "channel": data["channel"],
                "direction": data.get("direction") or "incoming",
                "time": str(data.get("time") or ""),
                "sender_number": str(data.get("sender_number") or ""),
                "link": data.get("link") or "",
                "qr_payload": data.get("qr_payload") or "",
                "surface": data.get("surface") or "poster",
                "is_scam": data["is_scam"],
                "reminder": reminder,
                **self.publication(data),
            },
            m2m={"red_flags": [self.flags[s] for s in data.get("red_flags") or []]},
        )
        if outcome == "skipped":
            return
        if outcome == "created" and not self.bundle:
            question.status = Status.PUBLISHED
            question.save(update_fields=["status"])
        if kind == "spot":
            self.spots(question, data.get("spots") or [])
            return
        if kind == "conversation":
            self.conversation(question, data.get("turns") or [], data.get("endings") or [])
            return
        choices = [(c.get("position", i), c) for i, c in enumerate(data["choices"], 1)]
        # Clear the correct flag first so the one-correct-choice constraint holds while
        # the key moves from one choice to another.
        wanted = {position for position, c in choices if c.get("correct")}
        question.choices.filter(is_correct=True).exclude(position__in=wanted).update(
            is_correct=False
        )
        # A choice dropped from the data goes, unless learners chose it: their answers
        # and the statistics need it.
        question.choices.exclude(position__in=[p for p, _ in choices]).filter(
            answers__isnull=True
        ).delete()
        for position, item in choices:
            self.upsert(
                Choice,
                {"question": question, "position": position},
                {**translated(Choice, item), "is_correct": bool(item.get("correct"))},
                guard=False,
            )

    def spots(self, question, spots):
        spots = [(s.get("position", i), s) for i, s in enumerate(spots, 1)]
        # A spot dropped from the data goes, unless learners marked it.
        question.spots.exclude(position__in=[p for p, _ in spots]).filter(
            answers__isnull=True
        ).delete()
        for position, item in spots:
            flag = item.get("red_flag")
            self.upsert(
                Spot,
                {"question": question, "position": position},
                {**translated(Spot, item), "red_flag": self.flags[flag] if flag else None},
                guard=False,
            )

    def conversation(self, question, turns, endings):
        """Turns and endings by key, then the replies, which point at them."""
        keys = [t["key"] for t in turns]
        ending_keys = [e["key"] for e in endings]
        # What the data dropped goes, unless learners went through it.
        question.turns.exclude(key__in=keys).filter(steps__isnull=True).delete()
        question.endings.exclude(key__in=ending_keys).filter(answers__isnull=True).delete()
        wanted = {t["key"]: t.get("position", i) for i, t in enumerate(turns, 1)}
        current = dict(question.turns.values_list("key", "position"))
        if any(current.get(key, position) != position for key, position in wanted.items()):
            # Positions move between turns: out of the way first, for the unique constraint.
            top = max([*current.values(), *wanted.values(), 0])
            question.turns.update(position=models.F("position") + top + 1)
        places = {}
        for position, item in enumerate(turns, 1):
            flag = item.get("tactic")
            places[item["key"]], _ = self.upsert(
                Turn,
                {"question": question, "key": item["key"]},
                {
                    **translated(Turn, item),
                    "position": item.get("position", position),
                    "tactic": self.flags[flag] if flag else None,
                },
                guard=False,
            )
        for position, item in enumerate(endings, 1):
            places[item["key"]], _ = self.upsert(
                Ending,
                {"question": question, "key": item["key"]},
                {
                    **translated(Ending, item),
                    "position": item.get("position", position),
                    "outcome": item["outcome"],
                    "loss": item.get("loss"),
                },
                guard=False,
            )
        for item in turns:
            turn = places[item["key"]]
            replies = [(r.get("position", i), r) for i, r in enumerate(item["replies"], 1)]
            turn.replies.exclude(position__in=[p for p, _ in replies]).filter(
                steps__isnull=True
            ).delete()
            for position, reply in replies:
                target = places[reply["next"]]
                self.upsert(
                    Reply,
                    {"turn": turn, "position": position},
                    {
                        **translated(Reply, reply),
                        "next_turn": target if isinstance(target, Turn) else None,
                        "next_ending": target if isinstance(target, Ending) else None,
                    },
                    guard=False,
                )
