"""Check the curriculum files without a database.

Run ``python -m quizzes.curriculum.schema`` to list every problem; the loader and the
content tests call :func:`problems` too, so the rules live in one place.
"""

import datetime
import math
import re
import sys
from pathlib import Path

import yaml

CURRICULUM_DIR = Path(__file__).resolve().parent
LANGS = ("en", "zh_hans")
CHANNELS = ("sms", "call", "chat", "web", "qr", "screen_share", "app_install", "email")
DIRECTIONS = ("incoming", "outgoing")
SURFACES = ("poster", "sticker", "parcel")  # where a QR code is printed
KINDS = ("choice", "spot", "conversation")
CLOCK_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def read_vocabulary(directory=CURRICULUM_DIR):
    return yaml.safe_load((directory / "vocabulary.yaml").read_text(encoding="utf-8"))


def read_lessons(directory=CURRICULUM_DIR):
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((directory / "lessons").glob("*.yaml"))
    ]


class _Checker:
    def __init__(self, strict):
        self.strict = strict
        self.found = []

    def text(self, where, value, required=True):
        """A translated text: both languages filled and not identical (when strict)."""
        if value is None and not (required and self.strict):
            return
        if not isinstance(value, dict) or set(value) != set(LANGS):
            self.found.append(f"{where}: needs exactly the keys {LANGS}")
            return
        if not all(isinstance(value[lang], str | None) for lang in LANGS):
            self.found.append(f"{where}: texts must be strings")
            return
        if not self.strict:
            return
        en, zh = (str(value[lang] or "").strip() for lang in LANGS)
        if not en or not zh:
            self.found.append(f"{where}: empty in a language")
        elif en == zh:
            self.found.append(f"{where}: Chinese equals English")
        elif not re.search(r"[\u4e00-\u9fff]", zh):
            self.found.append(f"{where}: zh_hans has no Chinese characters")

    def sources(self, where, codes, known, required=True):
        if not isinstance(codes, list) or (required and self.strict and not codes):
            self.found.append(f"{where}: sources must be a non-empty list")
            return
        for code in codes:
            if code not in known:
                self.found.append(f"{where}: unknown source {code!r}")


STATUSES = ("draft", "review", "published", "archived")


def problems(vocabulary, lessons, strict=True):
    """Every rule the curriculum must keep, as readable sentences.

    ``strict`` adds the rules for the shipped curriculum (complete in both languages,
    enough steps, questions and red flags); without it only the structure is checked,
    as for an imported bundle that may hold unfinished drafts.
    """
    c = _Checker(strict)
    sources = {s["code"] for s in vocabulary["sources"]}
    flags = {f["slug"] for f in vocabulary["red_flags"]}
    legal = {ref["slug"] for ref in vocabulary["legal_references"]}
    for kind in ("sources", "red_flags", "legal_references", "reminders"):
        for entry in vocabulary[kind]:
            key = entry.get("code") or entry.get("slug")
            for field, value in entry.items():
                if isinstance(value, dict):
                    c.text(f"{kind}/{key}/{field}", value)
    for reminder in vocabulary["reminders"]:
        c.sources(f"reminders/{reminder['slug']}", reminder["sources"], sources, required=False)

    slugs, positions = set(), set()
    for lesson in lessons:
        name = lesson.get("slug", "?")
        where = f"lesson {name}"
        if not SLUG.match(name) or name in slugs:
            c.found.append(f"{where}: slug missing, malformed or repeated")
        slugs.add(name)
        if lesson.get("position") in positions:
            c.found.append(f"{where}: position repeated")
        positions.add(lesson.get("position"))
        for field in ("title", "summary"):
            c.text(f"{where}/{field}", lesson.get(field))
        c.sources(where, lesson.get("sources"), sources)
        lesson_flags = lesson.get("red_flags") or []
        if not set(lesson_flags) <= flags:
            c.found.append(f"{where}: unknown red flag")
        if strict and len(lesson_flags) < 3:
            c.found.append(f"{where}: needs >= 3 red flags from the vocabulary")
        if lesson.get("status", "published") not in STATUSES:
            c.found.append(f"{where}: unknown status")
        if not set(lesson.get("legal") or []) <= legal:
            c.found.append(f"{where}: unknown legal reference")
        steps = lesson.get("steps") or []
        if strict and not 3 <= len(steps) <= 6:
            c.found.append(f"{where}: needs 3-6 steps")
        for i, step in enumerate(steps, 1):
            c.text(f"{where}/step {i}", step.get("text", step) if isinstance(step, dict) else step)
        if strict and not lesson.get("reminders"):
            c.found.append(f"{where}: needs a police reminder")
        for i, reminder in enumerate(lesson.get("reminders") or [], 1):
            c.text(f"{where}/reminder {i}/authority", reminder.get("authority"))
            c.text(f"{where}/reminder {i}/text", reminder.get("text"))
            c.sources(f"{where}/reminder {i}", reminder.get("sources"), sources)
        for i, case in enumerate(lesson.get("cases") or [], 1):
            for field in ("title", "story", "place"):
                c.text(f"{where}/case {i}/{field}", case.get(field))
            c.sources(f"{where}/case {i}", [case.get("source")], sources)
        questions = lesson.get("questions") or []
        if strict and len(questions) < 4:
            c.found.append(f"{where}: needs >= 4 questions")
        if strict and len({q.get("channel") for q in questions}) < 2:
            c.found.append(f"{where}: questions need at least two channels")
        if strict and not any(q.get("is_scam") is False for q in questions):
            c.found.append(f"{where}: note: no legitimate question")
        question_slugs = set()
        for q in questions:
            qwhere = f"{where}/question {q.get('slug', '?')}"
            if not SLUG.match(q.get("slug", "")) or q["slug"] in question_slugs:
                c.found.append(f"{qwhere}: slug missing, malformed or repeated")
            question_slugs.add(q.get("slug"))
            if q.get("channel") not in CHANNELS:
                c.found.append(f"{qwhere}: channel must be one of {CHANNELS}")
            for field in ("body", "prompt", "explanation"):
                c.text(f"{qwhere}/{field}", q.get(field))
            for field in ("setup", "sender_name", "subject"):
                c.text(f"{qwhere}/{field}", q.get(field), required=False)
            if q.get("direction", "incoming") not in DIRECTIONS:
                c.found.append(f"{qwhere}: direction must be one of {DIRECTIONS}")
            if q.get("surface", "poster") not in SURFACES:
                c.found.append(f"{qwhere}: surface must be one of {SURFACES}")
            if q.get("surface", "poster") != "poster" and q.get("channel") != "qr":
                c.found.append(f"{qwhere}: surface is for QR questions only")
            if q.get("time") not in (None, "") and not CLOCK_TIME.match(str(q["time"])):
                c.found.append(f"{qwhere}: time must be a clock time such as 10:42")
            if strict and not q.get("sender_number") and not q.get("sender_name"):
                c.found.append(f"{qwhere}: needs sender_number or sender_name")
            if strict and q.get("channel") == "qr" and not q.get("qr_payload"):
                c.found.append(f"{qwhere}: a QR question needs qr_payload")
            if strict and q.get("channel") == "web" and not q.get("link"):
                c.found.append(f"{qwhere}: a web question needs link (the address bar)")
            if q.get("status", "published") not in STATUSES:
                c.found.append(f"{qwhere}: unknown status")
            if not isinstance(q.get("is_scam"), bool):
                c.found.append(f"{qwhere}: is_scam must be true or false")
            question_flags = q.get("red_flags") or []
            if not set(question_flags) <= flags:
                c.found.append(f"{qwhere}: unknown red flag")
            if strict and q.get("is_scam") and not question_flags:
                c.found.append(f"{qwhere}: a scam question needs its red flags")
            kind = q.get("kind", "choice")
            if kind not in KINDS:
                c.found.append(f"{qwhere}: kind must be one of {KINDS}")
            if kind == "spot":
                _spot_problems(c, qwhere, q, flags)
            if kind == "conversation":
                _conversation_problems(c, qwhere, q, flags)
            if kind != "choice":
                continue
            choices = q.get("choices") or []
            correct = sum(1 for ch in choices if ch.get("correct") is True)
            if correct > 1:
                c.found.append(f"{qwhere}: more than one correct choice")
            ready = strict or q.get("status", "published") in ("review", "published")
            if ready and not 2 <= len(choices) <= 4:
                c.found.append(f"{qwhere}: needs 2-4 choices")
            if ready and correct != 1:
                c.found.append(f"{qwhere}: needs exactly one correct choice")
            for i, choice in enumerate(choices, 1):
                c.text(f"{qwhere}/choice {i}/text", choice.get("text"))
                c.text(f"{qwhere}/choice {i}/feedback", choice.get("feedback"))
    return c.found


def _spot_problems(c, where, q, flags):
    """Tap the red flags: 3-8 spots, each found once in the body of each language, not
    overlapping, at least two warning signs and one harmless part."""
    spots = q.get("spots") or []
    if not isinstance(spots, list) or not all(isinstance(s, dict) for s in spots):
        c.found.append(f"{where}: spots must be a list of objects")
        return
    if c.strict and not 3 <= len(spots) <= 8:
        c.found.append(f"{where}: needs 3-8 spots")
    if len(spots) > 8:
        c.found.append(f"{where}: at most 8 spots")
    signs = [s for s in spots if s.get("red_flag")]
    if c.strict and (len(signs) < 2 or len(signs) == len(spots)):
        c.found.append(f"{where}: needs >= 2 warning-sign spots and >= 1 harmless one")
    for i, spot in enumerate(spots, 1):
        # Words copied from the message: an address or a number is the same in both.
        words = spot.get("text")
        if not isinstance(words, dict) or set(words) != set(LANGS):
            c.found.append(f"{where}/spot {i}/text: needs exactly the keys {LANGS}")
        elif not all(isinstance(words[lang], str) and words[lang].strip() for lang in LANGS):
            c.found.append(f"{where}/spot {i}/text: empty in a language")
        c.text(f"{where}/spot {i}/explanation", spot.get("explanation"))
        if spot.get("red_flag") and spot["red_flag"] not in flags:
            c.found.append(f"{where}/spot {i}: unknown red flag")
        if spot.get("red_flag") and spot["red_flag"] not in (q.get("red_flags") or []):
            c.found.append(f"{where}/spot {i}: its red flag is not among the question's")
    for lang in LANGS:
        body = str((q.get("body") or {}).get(lang) or "")
        taken = []
        for i, spot in enumerate(spots, 1):
            words = str((spot.get("text") or {}).get(lang) or "")
            if not words:
                continue
            if body.count(words) != 1:
                c.found.append(
                    f"{where}/spot {i}: {lang} text must appear exactly once in the body"
                )
                continue
            start = body.index(words)
            if any(start < end and begin < start + len(words) for begin, end in taken):
                c.found.append(f"{where}/spot {i}: overlaps another spot in {lang}")
            taken.append((start, start + len(words)))


OUTCOMES = ("safe", "lost", "exposed")
MAX_TURNS_ON_A_PATH = 12


def _conversation_problems(c, where, q, flags):
    """A branching conversation: every turn reachable from the first, every path ends,
    no path longer than 12 turns, every ending with an outcome."""
    turns, endings = q.get("turns") or [], q.get("endings") or []
    if not isinstance(turns, list) or not isinstance(endings, list):
        c.found.append(f"{where}: turns and endings must be lists")
        return
    if not all(isinstance(t, dict) for t in turns + endings):
        c.found.append(f"{where}: turns and endings must be lists of objects")
        return
    if not turns or not endings:
        c.found.append(f"{where}: needs turns and endings")
        return
    keys = [str(item.get("key", "")) for item in turns + endings]
    if len(set(keys)) != len(keys) or not all(SLUG.match(k) for k in keys):
        c.found.append(f"{where}: turn and ending keys must be unique slugs")
        return
    turn_keys = {t["key"] for t in turns}
    graph = {}
    for turn in turns:
        twhere = f"{where}/turn {turn['key']}"
        c.text(f"{twhere}/says", turn.get("says"))
        c.text(f"{twhere}/note", turn.get("note"), required=False)
        if turn.get("tactic") and turn["tactic"] not in flags:
            c.found.append(f"{twhere}: unknown tactic")
        replies = turn.get("replies") or []
        if not isinstance(replies, list) or not all(isinstance(r, dict) for r in replies):
            c.found.append(f"{twhere}: replies must be a list of objects")
            return
        if not 2 <= len(replies) <= 3:
            c.found.append(f"{twhere}: needs 2-3 replies")
        for i, reply in enumerate(replies, 1):
            c.text(f"{twhere}/reply {i}", reply.get("text"))
            if reply.get("next") not in keys:
                c.found.append(f"{twhere}/reply {i}: next must be a turn's or an ending's key")
                return
        graph[turn["key"]] = [r["next"] for r in replies]
    for ending in endings:
        ewhere = f"{where}/ending {ending['key']}"
        c.text(f"{ewhere}/text", ending.get("text"))
        if ending.get("outcome") not in OUTCOMES:
            c.found.append(f"{ewhere}: outcome must be one of {OUTCOMES}")
        loss = ending.get("loss")
        if loss is not None and not (type(loss) is int and 0 <= loss <= LARGE):
            c.found.append(f"{ewhere}: loss must be a whole number of yuan")
    # Walk every path from the first turn: a turn met again on the same path is a loop.
    reached, longest, stack = set(), 0, [(turns[0]["key"], (turns[0]["key"],))]
    while stack:
        key, path = stack.pop()
        reached.add(key)
        if key not in turn_keys:
            continue
        longest = max(longest, len(path))
        if len(path) > MAX_TURNS_ON_A_PATH:
            c.found.append(f"{where}: a path is longer than {MAX_TURNS_ON_A_PATH} turns")
            return
        for target in graph[key]:
            if target in path:
                c.found.append(f"{where}: a path goes round in a loop at {target}")
                return
            stack.append((target, (*path, target)))
    unreached = [k for k in keys if k not in reached]
    if unreached:
        c.found.append(f"{where}: not reachable from the first turn: {', '.join(unreached)}")


# --- The shape of an imported bundle (JSON) ----------------------------------------------
# Types and ranges of every field the loader reads, checked before :func:`problems`, so
# that a bundle with a position "first" or 1e400, a loss "lots" or a missing list is
# refused with a sentence instead of failing half-way through the import.

MAX_DEPTH = 32  # a real bundle nests 7 levels deep
SMALL = 32767  # PositiveSmallIntegerField
LARGE = 2147483647  # PositiveIntegerField


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


def main():
    vocabulary, lessons = read_vocabulary(), read_lessons()
    found = problems(vocabulary, lessons)
    questions = [q for lesson in lessons for q in lesson.get("questions", [])]
    print(
        f"{len(lessons)} lessons, {len(questions)} questions, "
        f"{sum(1 for q in questions if q.get('is_scam') is False)} legitimate"
    )
    print("\n".join(found) or "no problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
