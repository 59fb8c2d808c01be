"""Export and import the curriculum as a versioned bundle.

A bundle is the curriculum's own data format (the shape of ``vocabulary.yaml`` and the
lesson files) in one JSON document, plus what the workflow adds: statuses, "valid until"
dates, positions and reminder slugs. Who changed an item last is not carried: accounts
differ between installations. Importing never publishes: the importing officer becomes
the author of what the bundle changes, and another officer approves it.
"""

import datetime
import json

from django.db import DataError, IntegrityError, transaction
from django.db.models import Prefetch

from .. import notifications
from ..models import Choice, LegalReference, Lesson, Question, RedFlag, Reminder, Source
from .loader import TRANSLATED
from .schema import LANGS, problems, shape_problems

FORMAT = "antifraud-curriculum"
VERSION = 1


class BundleError(Exception):
    """The bundle cannot be imported; ``problems`` lists why."""

    def __init__(self, problems):
        super().__init__("; ".join(problems))
        self.problems = problems


def texts(obj, *names):
    return {
        name: {lang: getattr(obj, f"{name}_{lang}") or "" for lang in LANGS}
        for name in names
        if name in TRANSLATED[type(obj)]
    }


def export_bundle(lessons=None):
    """The whole curriculum, or only the given lessons, as a JSON-ready dict."""
    lessons = Lesson.objects.all() if lessons is None else lessons
    lessons = lessons.order_by("position").prefetch_related(
        "steps",
        "red_flags",
        "legal_references",
        "sources",
        Prefetch("reminders", queryset=Reminder.objects.prefetch_related("sources")),
        "cases__source",
        Prefetch(
            "questions",
            queryset=Question.objects.order_by("position")
            .prefetch_related(
                "red_flags",
                Prefetch("choices", queryset=Choice.objects.order_by("position")),
                "spots__red_flag",
                "turns__tactic",
                "turns__replies__next_turn",
                "turns__replies__next_ending",
                "endings",
            )
            .select_related("reminder"),
        ),
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "vocabulary": {
            "sources": [_source(s) for s in Source.objects.order_by("code")],
            "red_flags": [_red_flag(f) for f in RedFlag.objects.order_by("slug")],
            "legal_references": [_legal(ref) for ref in LegalReference.objects.order_by("slug")],
            "reminders": [
                _reminder(r)
                for r in Reminder.objects.general()
                .order_by("position", "slug")
                .prefetch_related("sources")
            ],
        },
        "lessons": [_lesson(lesson) for lesson in lessons],
    }


def _source(source):
    return {
        "code": source.code,
        **texts(source, "title", "publisher"),
        "published": source.published,
    }


def _red_flag(flag):
    return {"slug": flag.slug, **texts(flag, "title", "description")}


def _legal(reference):
    return {"slug": reference.slug, **texts(reference, "title", "summary")}


def _codes(manager):
    return sorted(s.code for s in manager.all())


def _slugs(manager):
    return sorted(item.slug for item in manager.all())


def _publication(item):
    return {
        "status": item.status,
        "valid_until": item.valid_until.isoformat() if item.valid_until else None,
    }


def _reminder(reminder):
    return {
        "slug": reminder.slug,
        "position": reminder.position,
        **texts(reminder, "authority", "text"),
        "sources": _codes(reminder.sources),
    }


def _lesson(lesson):
    return {
        "slug": lesson.slug,
        "position": lesson.position,
        **_publication(lesson),
        **texts(lesson, "title", "summary"),
        "sources": _codes(lesson.sources),
        "red_flags": _slugs(lesson.red_flags),
        "legal": _slugs(lesson.legal_references),
        "steps": [
            {"position": step.position, **texts(step, "text")} for step in lesson.steps.all()
        ],
        "reminders": [_reminder(r) for r in lesson.reminders.all()],
        "cases": [
            {
                "position": case.position,
                **texts(case, "title", "story", "place"),
                "loss": case.loss,
                "occurred": case.occurred,
                "source": case.source.code,
            }
            for case in lesson.cases.all()
        ],
        "questions": [_question(q) for q in lesson.questions.all()],
    }


def _question(question):
    return {
        "slug": question.slug,
        "position": question.position,
        **_publication(question),
        "kind": question.kind,
        "channel": question.channel,
        "direction": question.direction,
        "time": question.time,
        **texts(question, "setup", "sender_name", "subject", "body", "prompt", "explanation"),
        "sender_number": question.sender_number,
        "link": question.link,
        "qr_payload": question.qr_payload,
        "surface": question.surface,
        "is_scam": question.is_scam,
        "red_flags": _slugs(question.red_flags),
        "reminder": question.reminder.slug if question.reminder else None,
        "choices": [
            {
                "position": choice.position,
                **texts(choice, "text", "feedback"),
                "correct": choice.is_correct,
            }
            for choice in question.choices.all()
        ],
        "spots": [
            {
                "position": spot.position,
                **texts(spot, "text", "explanation"),
                "red_flag": spot.red_flag.slug if spot.red_flag else None,
            }
            for spot in question.spots.all()
        ],
        "turns": [
            {
                "key": turn.key,
                "position": turn.position,
                **texts(turn, "says", "note"),
                "tactic": turn.tactic.slug if turn.tactic else None,
                "replies": [
                    {
                        "position": reply.position,
                        **texts(reply, "text"),
                        "next": (reply.next_turn or reply.next_ending).key,
                    }
                    for reply in turn.replies.all()
                ],
            }
            for turn in question.turns.all()
        ],
        "endings": [
            {
                "key": ending.key,
                "position": ending.position,
                "outcome": ending.outcome,
                "loss": ending.loss,
                **texts(ending, "text"),
            }
            for ending in question.endings.all()
        ],
    }


def _no_constant(name):
    raise ValueError(f"{name} is not a number a bundle can hold")


def read_bundle(raw):
    """Parse and check a bundle (bytes or text); raises BundleError listing every problem,
    whatever the input: it never raises anything else."""
    if isinstance(raw, bytes | bytearray):
        if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
            raise BundleError(
                ["not a JSON document: the file must be UTF-8 without a byte-order mark"]
            )
        try:
            raw = bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise BundleError(["not a JSON document: the file must be UTF-8 text"]) from None
    if not isinstance(raw, str):
        raise BundleError(["not a JSON document"])
    try:
        data = json.loads(raw, parse_constant=_no_constant)
    except RecursionError:
        raise BundleError(["nested deeper than a bundle ever is"]) from None
    except ValueError as error:
        raise BundleError([f"not a JSON document: {str(error)[:200]}"]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BundleError([f"not a curriculum bundle (format must be {FORMAT!r})"])
    if type(data.get("version")) is not int or data["version"] != VERSION:
        raise BundleError(
            [f"bundle version {data.get('version')!r:.40}; this site reads {VERSION}"]
        )
    vocabulary, lessons = data.get("vocabulary"), data.get("lessons")
    if not isinstance(vocabulary, dict) or not isinstance(lessons, list):
        raise BundleError(["a bundle needs a vocabulary and a list of lessons"])
    found = shape_problems(vocabulary, lessons)
    if not found:
        try:
            found = problems(vocabulary, lessons, strict=False)
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            found = [f"malformed bundle: missing or wrong entry {str(error)[:100]}"]
    if found:
        raise BundleError(found)
    return data


class DryRun(Exception):
    """Raised inside the import transaction to roll it back."""


def import_bundle(data, user, dry_run=False):
    """Import a checked bundle in one transaction, for review: returns (summary, counts).

    Nothing is published: new lessons and questions arrive in review, and a change to
    anything citizens can read becomes a revision that another officer approves, with
    ``user`` as its author (``quizzes.curriculum.items``). Statuses in the bundle are
    ignored. With ``dry_run`` everything is written and then rolled back, so the counts
    are exactly what a real import would do. Any database error rolls back everything.
    """
    from .items import ItemError, import_items, language_problems

    found = language_problems(data)
    if found:
        raise BundleError(found)
    counts = None
    try:
        # Reviewers get one e-mail listing every revision the import opens.
        with notifications.digest(), transaction.atomic():
            counts = import_items(data, user)
            if dry_run:
                raise DryRun
    except DryRun:
        pass
    except (IntegrityError, DataError) as error:
        raise BundleError(
            [f"The database refused the bundle, nothing was written: {error}"]
        ) from error
    except ItemError as error:
        raise BundleError([str(error)]) from error
    summary = {"created": 0, "changed": 0, "unchanged": 0, "for review": 0, "deferred": 0}
    for (_kind, outcome), number in counts.items():
        summary[outcome] = summary.get(outcome, 0) + number
    summary["changed"] += summary["for review"]
    return summary, counts
