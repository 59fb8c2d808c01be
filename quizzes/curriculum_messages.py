"""The curriculum checker's findings, in the officer's language.

The checker (``curriculum/schema/``, ``curriculum/bundle.py``) also serves the
command line, so it speaks English; the import page translates its findings here.
A finding is "where: what"; a finding this table does not know is shown as it is.
"""

import re

from django.utils.translation import gettext_lazy as _

# Whole findings about the file.
FILE_FINDINGS = [
    (
        r"not a JSON document: the file must be UTF-8 without a byte-order mark",
        _("This is not a JSON file: save it as UTF-8 without a byte-order mark (BOM)."),
    ),
    (r"not a JSON document: the file must be UTF-8 text", _("This file is not UTF-8 text.")),
    (r"not a JSON document(?P<detail>: .*)?", _("This is not a JSON file.")),
    (r"nested deeper than a bundle ever is", _("The file is nested deeper than a bundle.")),
    (r"not a curriculum bundle.*", _("This file is not a curriculum bundle.")),
    (
        r"bundle version (?P<found>.*); this site reads (?P<version>\d+)",
        _("The bundle is version %(found)s; this site reads version %(version)s."),
    ),
    (
        r"a bundle needs a vocabulary and a list of lessons",
        _("A bundle needs a vocabulary and a list of lessons."),
    ),
    (
        r"malformed bundle: missing or wrong entry (?P<entry>.*)",
        _("The bundle is malformed: an entry is missing or wrong (%(entry)s)."),
    ),
    (
        r"The database refused the bundle, nothing was written: (?P<error>.*)",
        _("The database refused the bundle; nothing was written (%(error)s)."),
    ),
]

# What is wrong at a place in the bundle.
PLACE_FINDINGS = [
    (r"needs exactly the keys .*", _("needs an English and a Chinese text")),
    (r"texts must be strings", _("texts must be text")),
    (r"empty in a language", _("is empty in one language")),
    (r"Chinese equals English", _("the Chinese text is the same as the English")),
    (r"zh_hans has no Chinese characters", _("the Chinese text has no Chinese characters")),
    (r"sources must be a non-empty list", _("needs at least one source")),
    (r"unknown source (?P<code>.*)", _("unknown source %(code)s")),
    (
        r"slug missing, malformed or repeated",
        _("the web address name is missing, wrong or repeated"),
    ),
    (r"position repeated", _("the position is repeated")),
    (r"unknown red flag", _("unknown red flag")),
    (r"needs >= 3 red flags from the vocabulary", _("needs at least 3 red flags")),
    (r"unknown status", _("unknown status")),
    (r"unknown legal reference", _("unknown legal reference")),
    (r"needs 3-6 steps", _("needs 3 to 6 steps")),
    (r"needs a police reminder", _("needs a police reminder")),
    (r"needs >= 4 questions", _("needs at least 4 questions")),
    (r"questions need at least two channels", _("its questions need at least two channels")),
    (r"note: no legitimate question", _("note: no genuine (non-scam) question")),
    (r"channel must be one of .*", _("unknown channel")),
    (r"needs sender_number or sender_name", _("needs the sender's number or name")),
    (r"a QR question needs qr_payload", _("a QR-code question needs the content of its code")),
    (r"a web question needs link.*", _("a web-page question needs the address shown")),
    (
        r"surface must be one of .*",
        _("where the QR code is must be a poster, a sticker or a parcel"),
    ),
    (r"surface is for QR questions only", _("only a QR-code question has a surface")),
    (r"is_scam must be true or false", _("“is a scam” must be true or false")),
    (r"a scam question needs its red flags", _("a scam question needs its red flags")),
    (r"more than one correct choice", _("more than one correct choice")),
    (r"needs 2-4 choices", _("needs 2 to 4 choices")),
    (r"needs exactly one correct choice", _("needs exactly one correct choice")),
    (r"must be a list", _("must be a list")),
    (r"must be an object", _("must be an object")),
    (r"must be a text", _("must be a text")),
    (r"(?P<name>\w+) missing", _("%(name)s is missing")),
    (r"must be a whole number.*", _("must be a whole number")),
    (r"must be a date, YYYY-MM-DD", _("must be a date, YYYY-MM-DD")),
]

PLACES = {
    "lesson": _("lesson"),
    "question": _("question"),
    "step": _("step"),
    "reminder": _("police reminder"),
    "case": _("case"),
    "choice": _("choice"),
}


def translate_place(where):
    """ "lesson fake-courier/question q1" -> "课程 fake-courier / 题目 q1"."""
    parts = []
    for part in where.split("/"):
        word, space, rest = part.partition(" ")
        parts.append(f"{PLACES[word]}{space}{rest}" if word in PLACES else part)
    return " / ".join(parts)


def translate_finding(finding):
    """One finding of the checker, in the active language."""
    for pattern, message in FILE_FINDINGS:
        match = re.fullmatch(pattern, finding)
        if match:
            return str(message) % match.groupdict() if match.groupdict() else str(message)
    where, sep, what = finding.rpartition(": ")
    if sep:
        # "lesson x: note: no legitimate question" has its place before the first ": ".
        if where.endswith(": note"):
            where, what = where[: -len(": note")], f"note: {what}"
        for pattern, message in PLACE_FINDINGS:
            match = re.fullmatch(pattern, what)
            if match:
                text = str(message) % match.groupdict() if match.groupdict() else str(message)
                if not where:
                    return text
                return _("%(place)s: %(finding)s") % {
                    "place": translate_place(where),
                    "finding": text,
                }
    return finding
