"""The shape of an imported bundle (JSON).

Types and ranges of every field the loader reads, checked before
:func:`~.document.problems`, so that a bundle with a position "first" or 1e400, a loss
"lots" or a missing list is refused with a sentence instead of failing half-way through
the import.
"""

import datetime
import math

from .values import LARGE, SMALL, STATUSES

MAX_DEPTH = 32  # a real bundle nests 7 levels deep


def _int(value, high=SMALL):
    return type(value) is int and 0 <= value <= high


def _strings(value):
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _date(value):
    if value is None:
        return True
    if not isinstance(value, str) or len(value) > 10:
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


class _Shape:
    def __init__(self):
        self.found = []

    def need(self, where, ok, what):
        if not ok:
            self.found.append(f"{where}: {what}")
        return ok

    def entries(self, where, value, required=True):
        """A list of objects; returns the objects (an empty list when it is not one)."""
        if value is None and not required:
            return []
        if not self.need(where, isinstance(value, list), "must be a list"):
            return []
        for i, item in enumerate(value, 1):
            self.need(f"{where} {i}", isinstance(item, dict), "must be an object")
        return [item for item in value if isinstance(item, dict)]

    def field(self, where, entry, name, test, what, required=False):
        if name not in entry or entry[name] is None:
            self.need(where, not required, f"{name} missing")
            return
        self.need(f"{where}/{name}", test(entry[name]), what)

    def publication(self, where, entry):
        self.field(where, entry, "position", _int, "must be a whole number from 0 to 32767")
        self.field(where, entry, "status", lambda v: v in STATUSES, f"must be one of {STATUSES}")
        self.field(where, entry, "valid_until", _date, "must be a date, YYYY-MM-DD")


def _walk_problems(data):
    """Strings the database cannot store, and nesting no bundle needs (iterative)."""
    found, stack = [], [(data, 0)]
    while stack and len(found) < 10:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return ["nested deeper than a bundle ever is"]
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
            stack.extend((key, depth + 1) for key in value)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            if "\x00" in value:
                found.append(f"a text holds a NUL character: {value[:40]!r}")
            else:
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    found.append(f"a text holds an invalid character: {value[:40]!r}")
        elif isinstance(value, float) and not math.isfinite(value):
            found.append("a number is too large")
    return found


def shape_problems(vocabulary, lessons):
    """Every type or range problem in a bundle's vocabulary and lessons, as sentences."""
    found = _walk_problems([vocabulary, lessons])
    if found:
        return found
    c = _Shape()
    if not c.need("vocabulary", isinstance(vocabulary, dict), "must be an object"):
        return c.found
    if not c.need("lessons", isinstance(lessons, list), "must be a list"):
        return c.found
    for entry in c.entries("sources", vocabulary.get("sources")):
        c.field(
            "sources",
            entry,
            "code",
            lambda v: isinstance(v, str) and 0 < len(v) <= 20,
            "must be a text of 1 to 20 characters",
            required=True,
        )
        c.field(
            "sources",
            entry,
            "published",
            lambda v: isinstance(v, str) and len(v) <= 10,
            "must be a text such as 2024-05",
        )
    for kind in ("red_flags", "legal_references"):
        for entry in c.entries(kind, vocabulary.get(kind)):
            c.field(
                kind, entry, "slug", lambda v: isinstance(v, str), "must be a text", required=True
            )
    for entry in c.entries("reminders", vocabulary.get("reminders")):
        _reminder_shape(c, f"reminders/{entry.get('slug')}", entry, slug_required=True)
    for i, lesson in enumerate(c.entries("lessons", lessons), 1):
        where = f"lesson {i}"
        c.field(
            where, lesson, "slug", lambda v: isinstance(v, str), "must be a text", required=True
        )
        c.publication(where, lesson)
        c.need(where, "position" in lesson, "position missing")
        c.field(where, lesson, "sources", _strings, "must be a list of codes", required=True)
        c.field(where, lesson, "red_flags", _strings, "must be a list of slugs", required=True)
        c.field(where, lesson, "legal", _strings, "must be a list of slugs")
        if c.need(f"{where}/steps", isinstance(lesson.get("steps"), list), "must be a list"):
            for j, step in enumerate(lesson["steps"], 1):
                if c.need(f"{where}/step {j}", isinstance(step, dict), "must be an object"):
                    c.field(
                        f"{where}/step {j}",
                        step,
                        "position",
                        _int,
                        "must be a whole number from 0 to 32767",
                    )
        for reminder in c.entries(f"{where}/reminders", lesson.get("reminders"), False):
            _reminder_shape(c, f"{where}/reminder", reminder, slug_required=False)
        for j, case in enumerate(c.entries(f"{where}/cases", lesson.get("cases"), False), 1):
            w = f"{where}/case {j}"
            c.field(w, case, "position", _int, "must be a whole number from 0 to 32767")
            c.field(w, case, "loss", lambda v: _int(v, LARGE), "must be a whole number of yuan")
            c.field(
                w,
                case,
                "occurred",
                lambda v: isinstance(v, str | int) and len(str(v)) <= 10,
                "must be a text such as 2024-05",
            )
            c.field(
                w,
                case,
                "source",
                lambda v: isinstance(v, str),
                "must be a source code",
                required=True,
            )
        for j, q in enumerate(c.entries(f"{where}/questions", lesson.get("questions"), False), 1):
            _question_shape(c, f"{where}/question {j}", q)
    return c.found


def _reminder_shape(c, where, entry, slug_required):
    c.field(
        where,
        entry,
        "slug",
        lambda v: isinstance(v, str),
        "must be a text",
        required=slug_required,
    )
    c.field(where, entry, "position", _int, "must be a whole number from 0 to 32767")
    c.field(where, entry, "sources", _strings, "must be a list of codes", required=True)


def _question_shape(c, where, q):
    c.field(where, q, "slug", lambda v: isinstance(v, str), "must be a text", required=True)
    c.publication(where, q)
    c.field(where, q, "channel", lambda v: isinstance(v, str), "must be a text", required=True)
    c.field(
        where, q, "is_scam", lambda v: isinstance(v, bool), "must be true or false", required=True
    )
    c.field(
        where,
        q,
        "sender_number",
        lambda v: isinstance(v, str | int) and len(str(v)) <= 120,
        "must be a text of at most 120 characters",
    )
    for name in ("link", "qr_payload", "surface", "reminder", "kind", "direction", "time"):
        c.field(where, q, name, lambda v: isinstance(v, str), "must be a text")
    c.field(where, q, "red_flags", _strings, "must be a list of slugs")
    if q.get("kind") == "spot":
        for k, spot in enumerate(c.entries(f"{where}/spots", q.get("spots")), 1):
            c.field(
                f"{where}/spot {k}",
                spot,
                "position",
                _int,
                "must be a whole number from 0 to 32767",
            )
            c.field(
                f"{where}/spot {k}",
                spot,
                "red_flag",
                lambda v: isinstance(v, str),
                "must be a text",
            )
    if q.get("kind") == "conversation":
        _conversation_shape(c, where, q)
    if q.get("kind", "choice") != "choice":
        return
    for k, choice in enumerate(c.entries(f"{where}/choices", q.get("choices")), 1):
        c.field(
            f"{where}/choice {k}",
            choice,
            "position",
            _int,
            "must be a whole number from 0 to 32767",
        )
        c.field(
            f"{where}/choice {k}",
            choice,
            "correct",
            lambda v: isinstance(v, bool),
            "must be true or false",
        )


def _conversation_shape(c, where, q):
    text = lambda v: isinstance(v, str)  # noqa: E731
    position = "must be a whole number from 0 to 32767"
    for k, turn in enumerate(c.entries(f"{where}/turns", q.get("turns")), 1):
        w = f"{where}/turn {k}"
        c.field(w, turn, "key", text, "must be a text", required=True)
        c.field(w, turn, "position", _int, position)
        c.field(w, turn, "tactic", text, "must be a text")
        for m, reply in enumerate(c.entries(f"{w}/replies", turn.get("replies")), 1):
            c.field(f"{w}/reply {m}", reply, "position", _int, position)
            c.field(f"{w}/reply {m}", reply, "next", text, "must be a key", required=True)
    for k, ending in enumerate(c.entries(f"{where}/endings", q.get("endings")), 1):
        w = f"{where}/ending {k}"
        c.field(w, ending, "key", text, "must be a text", required=True)
        c.field(w, ending, "position", _int, position)
        c.field(w, ending, "outcome", text, "must be a text", required=True)
        c.field(w, ending, "loss", lambda v: _int(v, LARGE), "must be a whole number of yuan")
