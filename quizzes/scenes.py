"""What a scenario's screen shows, parsed from its body (no database).

The body markup is documented in quizzes/curriculum/README.md: one line is one thing on
the screen; ``Speaker: words`` is a turn in a call or a chat; a line starting with a
keyword in square brackets (``[transfer] ...``) is drawn as the element it names; a link
written in the text is drawn once, as a link that looks tappable and goes nowhere.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ELEMENTS = {
    "transfer": "transfer",
    "red packet": "red-packet",
    "file": "file",
    "payment qr": "payment-qr",
    "attachment": "attachment",
    "field": "field",
    "button": "button",
}
ELEMENT_LINE = re.compile(r"^\[(" + "|".join(ELEMENTS) + r")\]\s*(.*)$", re.IGNORECASE)
# Addresses are ASCII; what follows them in Chinese text (，。) is not part of them.
LINK = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#\[\]@!$&'*+;=%]+")
LINK_TRAILER = ".,;:!?'"
# Where a long address may wrap: after these, so that it never breaks inside a word.
BREAK_AFTER = re.compile(r"([/.\-?&=_#])")
# The learner's own lines in a call or a chat.
LEARNER = {"you", "me", "你", "我", "您"}
SPEAKER_CHANNELS = {"call", "chat"}
# Two-level public suffixes common in the scenarios; the registrable domain is one more label.
TWO_LEVEL_SUFFIXES = {
    "com.cn",
    "net.cn",
    "org.cn",
    "gov.cn",
    "edu.cn",
    "ac.cn",
    "com.hk",
    "co.uk",
    "org.uk",
    "com.tw",
}


@dataclass
class Piece:
    """A run of text on the screen: plain, a link, or (tap-the-red-flag) a candidate part."""

    text: str
    link: bool = False
    spot: object = None  # the Spot this text is, for spot questions
    pieces: list = field(default_factory=list)  # a spot's own text, links marked

    @property
    def link_parts(self):
        """The link split where it may wrap: [(text, may break after it)]."""
        parts = [p for p in BREAK_AFTER.split(self.text) if p]
        return [(part, bool(BREAK_AFTER.fullmatch(part))) for part in parts]


@dataclass
class Line:
    element: str  # "text" or one of ELEMENTS' values
    pieces: list
    speaker: str = ""
    mine: bool = False  # said or sent by the learner
    new_bubble: bool = False  # a blank line came before it (text messages)
    turn: str = ""  # a conversation's turn or reply after the opening: "past" or "now"
    anchor: bool = False  # the first line of the turn to answer now (the page's #now)

    @property
    def text(self):
        return "".join(piece.text for piece in self.pieces)

    @property
    def has_spot(self):
        """Whether a candidate part (tap-the-red-flag) is in this line."""
        return any(piece.spot for piece in self.pieces)


def linkify(text):
    """[Piece] with every address in ``text`` marked as a link."""
    pieces, start = [], 0
    for match in LINK.finditer(text):
        address = match.group().rstrip(LINK_TRAILER)
        end = match.start() + len(address)
        if match.start() > start:
            pieces.append(Piece(text[start : match.start()]))
        pieces.append(Piece(address, link=True))
        start = end
    if start < len(text):
        pieces.append(Piece(text[start:]))
    return pieces


def split_spots(text, spots):
    """[Piece] for ``text`` with each spot's text (found once, not overlapping) a piece of
    its own. ``spots`` are (text, spot) pairs; a text not found is left out."""
    found = []
    for words, spot in spots:
        at = text.find(words) if words else -1
        if at >= 0:
            found.append((at, at + len(words), spot))
    found.sort(key=lambda item: item[0])
    pieces, start = [], 0
    for begin, end, spot in found:
        if begin < start:
            continue  # overlapping: the schema refuses it, the page ignores it
        pieces += linkify(text[start:begin])
        pieces.append(Piece(text[begin:end], spot=spot, pieces=linkify(text[begin:end])))
        start = end
    return pieces + linkify(text[start:])


def speaker_of(line):
    """(speaker, words) of a ``Speaker: words`` line, or ("", line)."""
    for sep in ("：", ":"):
        speaker, found, words = line.partition(sep)
        if (
            found
            and 0 < len(speaker.strip()) <= 20
            and "http" not in speaker
            and "www" not in speaker
        ):
            return speaker.strip(), words.strip()
    return "", line


def parse(body, channel, spots=()):
    """The screen's lines for a body of ``channel``; ``spots`` as for ``split_spots``."""
    lines, blank, previous = [], False, ""
    for raw in body.splitlines():
        raw = raw.strip()
        if not raw:
            blank = True
            continue
        element, speaker, words = "text", "", raw
        match = ELEMENT_LINE.match(raw)
        if match:
            element, words = ELEMENTS[match.group(1).lower()], match.group(2).strip()
        elif channel in SPEAKER_CHANNELS:
            speaker, words = speaker_of(raw)
        if channel in SPEAKER_CHANNELS:
            # A card or a line without a name is sent by whoever spoke last.
            speaker = speaker or previous
            previous = speaker
        lines.append(
            Line(
                element=element,
                pieces=split_spots(words, spots),
                speaker=speaker,
                mine=speaker.lower() in LEARNER,
                new_bubble=blank and bool(lines),
            )
        )
        blank = False
    return lines


def said(text, speaker, mine=False, turn="past"):
    """The lines of a conversation's turn or reply, continuing the screen's thread: each
    line said by ``speaker`` (no ``Speaker:`` parsing: a turn has one speaker), cards
    drawn as in the body."""
    lines = []
    for raw in text.splitlines():
        raw = raw.strip()
        if not raw:
            continue
        element, words = "text", raw
        match = ELEMENT_LINE.match(raw)
        if match:
            element, words = ELEMENTS[match.group(1).lower()], match.group(2).strip()
        lines.append(
            Line(element=element, pieces=linkify(words), speaker=speaker, mine=mine, turn=turn)
        )
    return lines


def bubbles(lines):
    """Text-message lines grouped into bubbles: a blank line starts a new one."""
    groups = []
    for line in lines:
        if not groups or line.new_bubble or line.element != "text":
            groups.append([])
        groups[-1].append(line)
    return groups


def address_parts(address):
    """(before, registrable domain, after) of a web address, so the domain can be
    stressed: ``https://www.icbc-verify.top/login`` -> ("https://www.", "icbc-verify.top",
    "/login"). An address that does not parse is all "before"."""
    if not address:
        return ("", "", "")
    parsed = urlsplit(address if "://" in address else f"http://{address}")
    host = parsed.hostname or ""
    if not host or host.replace(".", "").isdigit():
        return (address, "", "")
    labels = host.split(".")
    size = 3 if ".".join(labels[-2:]) in TWO_LEVEL_SUFFIXES else 2
    registrable = ".".join(labels[-size:])
    at = address.lower().find(registrable, address.lower().find(host))
    if at < 0:
        return (address, "", "")
    return (address[:at], address[at : at + len(registrable)], address[at + len(registrable) :])
