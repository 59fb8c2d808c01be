"""The rules every curriculum document keeps, whatever its questions' kinds.

The vocabulary's texts and sources; each lesson's slug, position, texts, sources, red
flags, steps, police reminders and cases; and each question's slug, channel, texts,
direction, QR surface and payload, link, time, sender, status, answer and red flags.
Each kind's own rules are in :mod:`.kinds`.
"""

import re

from .kinds import _choice_problems, _conversation_problems, _spot_problems
from .values import CHANNELS, CLOCK_TIME, DIRECTIONS, KINDS, LANGS, SLUG, STATUSES, SURFACES


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
            if kind == "choice":
                _choice_problems(c, qwhere, q)
    return c.found
