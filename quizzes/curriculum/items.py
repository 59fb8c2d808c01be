"""One curriculum item at a time, in the bundle's format: what a revision holds.

``export_item`` reads an item as citizens see it; ``apply_item`` writes one with the
loader that imports bundles, matching rows by their natural keys so that questions and
choices keep their primary keys (answers and statistics keep pointing at them);
``import_items`` turns a whole bundle into new items in review and revisions.
"""

import json
from collections import Counter
from functools import reduce
from operator import or_

from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q

from ..models import (
    Action,
    Case,
    Choice,
    Ending,
    Kind,
    LegalReference,
    Lesson,
    LessonStep,
    Question,
    RedFlag,
    Reminder,
    Reply,
    Revision,
    Source,
    Spot,
    Status,
    Turn,
)
from .bundle import _legal, _lesson, _question, _red_flag, _reminder, _source, export_bundle
from .loader import Loader, translated
from .schema import LANGS

VOCABULARY = (Kind.SOURCE, Kind.RED_FLAG, Kind.LEGAL_REFERENCE, Kind.REMINDER)
ORDER = [*VOCABULARY, Kind.LESSON, Kind.QUESTION]


class ItemError(Exception):
    """The item cannot be written as it is (it names something that does not exist)."""


# The model of each kind and the field that keys it; a question is keyed by its lesson's
# slug and its own ("lesson-slug/question-slug").
ROWS = {
    Kind.LESSON: (Lesson, "slug"),
    Kind.RED_FLAG: (RedFlag, "slug"),
    Kind.REMINDER: (Reminder, "slug"),
    Kind.LEGAL_REFERENCE: (LegalReference, "slug"),
    Kind.SOURCE: (Source, "code"),
}


def find(kind, key):
    """The live row of an item, or None."""
    if kind == Kind.QUESTION:
        lesson, _, slug = key.partition("/")
        return Question.objects.filter(lesson__slug=lesson, slug=slug).first()
    model, field = ROWS[kind]
    return model.objects.filter(**{field: key}).first()


def find_many(kind, keys):
    """{key: live row} of the items of one kind that exist, a question with its lesson
    (1 query; none without keys)."""
    keys = set(keys)
    if not keys:
        return {}
    if kind == Kind.QUESTION:
        pairs = (key.partition("/") for key in keys)
        wanted = reduce(or_, (Q(lesson__slug=lesson, slug=slug) for lesson, _, slug in pairs))
        rows = Question.objects.filter(wanted).select_related("lesson")
        return {f"{row.lesson.slug}/{row.slug}": row for row in rows}
    model, field = ROWS[kind]
    return {getattr(row, field): row for row in model.objects.filter(**{f"{field}__in": keys})}


def key_of(obj):
    """(kind, key) of a live row."""
    if isinstance(obj, Question):
        return Kind.QUESTION, f"{obj.lesson.slug}/{obj.slug}"
    if isinstance(obj, Source):
        return Kind.SOURCE, obj.code
    kind = {
        Lesson: Kind.LESSON,
        RedFlag: Kind.RED_FLAG,
        Reminder: Kind.REMINDER,
        LegalReference: Kind.LEGAL_REFERENCE,
    }[type(obj)]
    return kind, obj.slug


def _content(data):
    """An item without its workflow status, which only the workflow changes."""
    return {k: v for k, v in data.items() if k not in ("status", "questions")}


def export_item(kind, key):
    """Everything citizens see of one item, in bundle form; None when it does not exist."""
    obj = find(kind, key)
    if obj is None:
        return None
    if kind == Kind.LESSON:
        return _content(_lesson(obj))
    if kind == Kind.QUESTION:
        return {**_content(_question(obj)), "lesson": obj.lesson.slug}
    if kind == Kind.REMINDER:
        return {**_reminder(obj), "lesson": obj.lesson.slug if obj.lesson_id else None}
    return {Kind.SOURCE: _source, Kind.RED_FLAG: _red_flag, Kind.LEGAL_REFERENCE: _legal}[kind](
        obj
    )


def split(bundle):
    """{(kind, key): item} for every item of a bundle."""
    vocabulary = bundle["vocabulary"]
    items = {(Kind.SOURCE, s["code"]): s for s in vocabulary["sources"]}
    items |= {(Kind.RED_FLAG, f["slug"]): f for f in vocabulary["red_flags"]}
    items |= {(Kind.LEGAL_REFERENCE, r["slug"]): r for r in vocabulary["legal_references"]}
    items |= {(Kind.REMINDER, r["slug"]): {**r, "lesson": None} for r in vocabulary["reminders"]}
    for lesson in bundle["lessons"]:
        items[(Kind.LESSON, lesson["slug"])] = _content(lesson)
        for question in lesson.get("questions") or []:
            key = f"{lesson['slug']}/{question['slug']}"
            items[(Kind.QUESTION, key)] = {**_content(question), "lesson": lesson["slug"]}
    return items


class Applier(Loader):
    """The bundle loader, writing one item over the live rows, stamped with its author."""

    def __init__(self, user):
        super().__init__(bundle=True)
        self.user = user
        self.sources = {s.code: s for s in Source.objects.all()}
        self.flags = {f.slug: f for f in RedFlag.objects.all()}
        self.legal = {r.slug: r for r in LegalReference.objects.all()}
        self.reminders = {r.slug: r for r in Reminder.objects.all()}

    def upsert(self, model, lookup, values, m2m=None, guard=True):
        obj, outcome = super().upsert(model, lookup, values, m2m, guard)
        # Stamped rows name their last author, so ``load_curriculum`` leaves them alone.
        if hasattr(obj, "updated_by_id") and obj.updated_by_id != self.user.pk:
            model.objects.filter(pk=obj.pk).update(updated_by=self.user)
        return obj, outcome


def apply_item(kind, key, data, user, status=None):
    """Write one item as ``data`` says. A lesson or question keeps its workflow status
    (``status`` for a new one). Raises ItemError when ``data`` names a missing item."""
    applier = Applier(user)
    live = find(kind, key)
    if kind in (Kind.LESSON, Kind.QUESTION):
        status = live.status if live else (status or Status.REVIEW)
    try:
        if kind == Kind.LESSON:
            keep = [r.get("slug") for r in data.get("reminders") or []]
            # Reminders are matched by slug alone: another's would be rewritten unseen.
            taken = Reminder.objects.filter(slug__in=keep).exclude(lesson__slug=key)
            for slug in taken.values_list("slug", flat=True)[:1]:
                raise ItemError(
                    f"The reminder {slug} belongs to another lesson or is general: "
                    "give this lesson's reminder a slug of its own."
                )
            applier.lesson({**data, "slug": key, "status": status, "questions": []})
            Reminder.objects.filter(lesson__slug=key).exclude(slug__in=keep).delete()
        elif kind == Kind.QUESTION:
            lesson_slug, _, slug = key.partition("/")
            lesson = Lesson.objects.filter(slug=lesson_slug).first()
            if lesson is None:
                raise KeyError(lesson_slug)
            reminder = data.get("reminder")
            reminder = reminder and applier.reminders[reminder]
            item = {**data, "slug": slug, "status": status}
            applier.question(lesson, data["position"], item, reminder)
        elif kind == Kind.REMINDER:
            lesson = data.get("lesson")
            lesson = lesson and Lesson.objects.get(slug=lesson)
            applier.reminder(key, lesson, data.get("position", 0), data)
        elif kind == Kind.SOURCE:
            values = {**translated(Source, data), "published": data.get("published") or ""}
            applier.upsert(Source, {"code": key}, values)
        else:
            model = {Kind.RED_FLAG: RedFlag, Kind.LEGAL_REFERENCE: LegalReference}[kind]
            applier.upsert(model, {"slug": key}, translated(model, data))
    except (KeyError, Lesson.DoesNotExist) as error:
        raise ItemError(
            f"This version names {error} which does not exist yet: approve that first."
        ) from None
    return find(kind, key)


def _linked(data):
    """{model: keys} of the shared vocabulary an item in bundle form links to."""
    data = data or {}
    found = {
        RedFlag: set(data.get("red_flags") or []),
        LegalReference: set(data.get("legal") or []),
        Source: set(data.get("sources") or []),
        Reminder: {data["reminder"]} if data.get("reminder") else set(),
    }
    for case in data.get("cases") or []:
        found[Source].add(case.get("source"))
    for reminder in data.get("reminders") or []:
        found[Source].update(reminder.get("sources") or [])
    return found


def link_authors(before, after):
    """Who last wrote the vocabulary rows that ``after`` links to and ``before`` does not.
    A new red flag, source or legal reference is written at once because no page shows
    it; the change linking it shows its text to citizens, so its writer is one of that
    change's authors (a query per kind of row newly linked)."""
    old, ids = _linked(before), set()
    for model, keys in _linked(after).items():
        new = keys - old[model]
        if new:
            field = "code" if model is Source else "slug"
            rows = model.objects.filter(**{f"{field}__in": new})
            ids |= set(rows.values_list("updated_by_id", flat=True))
    return ids - {None}


def unseen_link_authors(data):
    """Who last wrote the vocabulary rows that ``data`` (an item in bundle form) links to
    and no public page shows yet: publishing the item shows them to citizens first, so
    their writers are among its authors (a query per kind of row linked)."""
    lessons = Lesson.objects.published().order_by().values("pk")
    questions = Question.objects.published().order_by()
    shown = {
        RedFlag: Q(lessons__in=lessons) | Q(questions__in=questions.values("pk")),
        LegalReference: Q(lessons__in=lessons),
        Source: Q(lessons__in=lessons)
        | Q(cases__lesson__in=lessons)
        | Q(reminders__lesson__in=lessons)
        | Q(reminders__isnull=False, reminders__lesson__isnull=True),
        Reminder: Q(lesson__in=lessons)
        | Q(lesson__isnull=True)
        | Q(pk__in=questions.values("reminder")),
    }
    ids = set()
    for model, keys in _linked(data).items():
        if keys:
            field = "code" if model is Source else "slug"
            rows = model.objects.filter(**{f"{field}__in": keys})
            rows = rows.exclude(pk__in=model.objects.filter(shown[model]).values("pk"))
            ids |= set(rows.values_list("updated_by_id", flat=True))
    return ids - {None}


def linked_texts(before, after):
    """Rows as ``differences`` gives them for every vocabulary row that ``after`` links to
    and ``before`` does not, so the reviewer reads what the new link shows citizens (a
    few queries per row newly linked)."""
    old, rows = _linked(before), []
    kinds = {RedFlag: Kind.RED_FLAG, LegalReference: Kind.LEGAL_REFERENCE}
    kinds |= {Source: Kind.SOURCE, Reminder: Kind.REMINDER}
    for model, keys in _linked(after).items():
        for key in sorted(keys - old[model]):
            name = f"{model._meta.verbose_name} {key}"
            for field, language, was, now in differences(None, export_item(kinds[model], key)):
                rows.append((f"{name} › {field}", language, was, now))
    return rows


def needs_review(kind, obj):
    """Whether a change to this live row reaches citizens before a second officer sees
    it: published lessons and questions, and the shared vocabulary (always). A lesson or
    question that citizens have answered counts as published even after it is taken
    off the site: their results and data download show its text. A lesson's reminders
    also show with other lessons' questions, so a lesson whose reminder a public or
    answered question shows counts as published too (1 query)."""
    if kind == Kind.LESSON:
        public = Question.objects.published().order_by().values("pk")
        answered = Question.objects.filter(Q(lesson=obj) | Q(reminder__lesson=obj)).filter(
            Q(answers__isnull=False) | Q(pk__in=public)
        )
    elif kind == Kind.QUESTION:
        answered = obj.answers.all()
    else:
        return True
    return obj.status == Status.PUBLISHED or answered.exists()


def import_items(data, user):
    """Turn a checked bundle into changes under review; call inside a transaction.

    The bundle is loaded inside a savepoint only to read back each item in bundle form,
    then rolled back. New lessons and questions are then written in review, new sources,
    red flags and legal references as they are (no page shows them before a reviewed
    lesson links them), and every change to what citizens can read becomes a revision.
    Returns counts {(kind, outcome): n}.
    """
    before = split(export_bundle())
    savepoint = transaction.savepoint_create()
    loader = Loader(bundle=True)
    loader.load(data["vocabulary"], data["lessons"])
    slugs = [lesson["slug"] for lesson in data["lessons"]]
    after = split(export_bundle(Lesson.objects.filter(slug__in=slugs)))
    # A question of a kind the loader cannot store yet ("deferred") is not read back.
    wanted = set(split(data)) & set(after)
    transaction.savepoint_rollback(savepoint)
    counts = Counter({k: n for k, n in loader.counts.items() if k[1] == "deferred"})
    for kind, key in sorted(wanted, key=lambda item: (ORDER.index(item[0]), item[1])):
        new, old = after[(kind, key)], before.get((kind, key))
        live = find(kind, key) if old is not None else None
        if old == new:
            outcome = "unchanged"
        elif old is None and kind in (Kind.LESSON, Kind.QUESTION):
            try:
                with transaction.atomic():
                    item = apply_item(kind, key, new, user, status=Status.REVIEW)
                    item.note_edit(user, Action.IMPORTED)
                outcome = "created"
            except ItemError:
                # It names something that is itself waiting for review (a reminder in
                # its lesson's revision): it becomes a revision, approved after that.
                Revision.record(kind, key, new, user, imported=True)
                outcome = "for review"
        elif old is None and kind != Kind.REMINDER:
            apply_item(kind, key, new, user)
            outcome = "created"
        elif old is None or needs_review(kind, live):
            Revision.record(kind, key, new, user, imported=True)
            outcome = "for review"
        else:
            apply_item(kind, key, new, user).note_edit(user, Action.IMPORTED)
            outcome = "changed"
        counts[(Kind(kind).label, outcome)] += 1
    return counts


def language_problems(bundle):
    """Texts given in one language but not another: an import needs both, as a form does
    before review."""
    found = []

    def walk(value, where):
        if isinstance(value, dict):
            if value and set(value) <= set(LANGS) and any(value.values()):
                missing = [lang for lang in LANGS if not str(value.get(lang) or "").strip()]
                if missing:
                    found.append(f"{where}: no text in {', '.join(missing)}")
                return
            for name, item in value.items():
                walk(item, f"{where}.{name}" if where else name)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                label = item.get("slug") or item.get("code") if isinstance(item, dict) else None
                walk(item, f"{where}[{label or i}]")

    walk({"vocabulary": bundle["vocabulary"], "lessons": bundle["lessons"]}, "")
    return found


def _flatten(data, path=()):
    rows = {}
    if isinstance(data, dict) and data and set(data) <= set(LANGS):
        rows[path] = data
    elif isinstance(data, dict):
        for name, value in data.items():
            rows |= _flatten(value, (*path, name))
    elif isinstance(data, list) and all(isinstance(v, dict) for v in data) and data:
        for i, value in enumerate(data, 1):
            label = value.get("slug") or value.get("code") or value.get("position") or i
            rows |= _flatten(value, (*path, str(label)))
    elif isinstance(data, list):
        rows[path] = ", ".join(map(str, data))
    else:
        rows[path] = "" if data is None else str(data)
    return rows


def label(name):
    """A bundle key in the officer's language: its model field's name where it has one."""
    related = {
        "steps": LessonStep,
        "reminders": Reminder,
        "cases": Case,
        "choices": Choice,
        "red_flags": RedFlag,
        "sources": Source,
        "source": Source,
        "lesson": Lesson,
    }
    related.update(spots=Spot, turns=Turn, endings=Ending, replies=Reply)
    if name in related:
        return str(related[name]._meta.verbose_name)
    field = {"legal": "legal_references", "correct": "is_correct"}.get(name, name)
    models = (LessonStep, Question, Lesson, Choice, Case, Reminder, Source, RedFlag)
    for model in (*models, Spot, Turn, Reply, Ending):
        try:
            found = model._meta.get_field(field)
        except FieldDoesNotExist:
            continue
        if found.is_relation and not hasattr(found, "verbose_name"):  # a reverse relation
            return str(found.related_model._meta.verbose_name)
        return str(found.verbose_name)
    return name


def differences(before, after):
    """Rows (field, language, before, after) for every changed field, each translated
    field shown in every language; ``before`` None (a new item) shows every field."""
    from ..languages import LANGUAGE_NAMES

    old, new = _flatten(before or {}), _flatten(after or {})
    rows = []
    for path in [*new, *(p for p in old if p not in new)]:
        was, now = old.get(path, ""), new.get(path, "")
        if was == now:
            continue
        field = " › ".join(map(label, path))
        if isinstance(was, dict) or isinstance(now, dict):
            was, now = was or {}, now or {}
            for lang in LANGS:
                language = str(LANGUAGE_NAMES.get(lang.replace("_", "-"), lang))
                rows.append((field, language, was.get(lang) or "", now.get(lang) or ""))
        else:
            rows.append((field, "", was, now))
    return rows


_GONE = object()


def plain(data):
    """``data`` as stored in a JSON field and read back (lists, strings)."""
    return None if data is None else json.loads(DjangoJSONEncoder().encode(data))


def merge(base, mine, theirs):
    """Three-way merge of an item in bundle form: ``mine`` (a revision) written on
    ``base``, ``theirs`` (the live item) approved since. Returns (merged, conflicts):
    where both changed the same text, the merged item keeps the live one and the field's
    path is in ``conflicts``. A translated text is one field, both languages together."""
    conflicts = []
    merged = _merge(plain(base), plain(mine), plain(theirs), conflicts, ())
    return merged, conflicts


def _labels(items):
    if not isinstance(items, list) or not all(isinstance(v, dict) for v in items):
        return None
    labels = [v.get("slug") or v.get("code") or v.get("position") for v in items]
    if None in labels or len(set(labels)) != len(labels):
        return None
    return dict(zip(labels, items, strict=True))


def _merge(base, mine, theirs, conflicts, path):
    if mine == theirs or theirs == base:
        return mine
    if mine == base:
        return theirs
    texts = [isinstance(v, dict) and v and set(v) <= set(LANGS) for v in (mine, theirs)]
    if all(isinstance(v, dict) for v in (base, mine, theirs)) and not any(texts):
        merged = {}
        for key in [*mine, *(k for k in theirs if k not in mine)]:
            value = _merge(
                base.get(key, _GONE),
                mine.get(key, _GONE),
                theirs.get(key, _GONE),
                conflicts,
                (*path, key),
            )
            if value is not _GONE:
                merged[key] = value
        return merged
    lists = [_labels(v) if v is not _GONE else None for v in (base, mine, theirs)]
    if None not in lists:
        merged = _merge(*lists, conflicts, path)
        return list(merged.values())
    conflicts.append(path)
    return theirs
