"""The item-writing rules: a quiz must not be passable by test-taking tricks.

The rules (written out in ``README.md``, "Item-writing rules") are checked on questions
in the curriculum's own shape (a lesson file's question, a bundle's question, a revision),
so the same code judges the shipped files, an import and an officer's edit. Run
``python -m quizzes.curriculum.quality`` for the report on the shipped curriculum.

Lengths are counted in characters of the stripped text, in each language on its own.
"""

import re
import sys
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from .schema import LANGS

# The correct choice may be the longest of its question in at most this share of a
# lesson's choice questions, and of the whole curriculum's, in each language.
MAX_LONGEST_SHARE = 0.35
# No choice longer than this many times the shortest choice of its question.
MAX_LENGTH_RATIO = 2.0
MIN_CHOICES, MAX_CHOICES = 3, 4
# Feedback and explanations stay short; detail belongs to the lesson.
MAX_FEEDBACK_WORDS_EN = 80
MAX_FEEDBACK_CHARS_ZH = 160
# A hedging word found in at least this many choices must appear in right and in wrong
# choices alike, or it gives the answer away.
HEDGE_MIN_USES = 3
HEDGES = {
    "en": (
        "always",
        "never",
        "at once",
        "immediately",
        "right away",
        "must",
        "only",
        "definitely",
        "all",
        "every",
    ),
    "zh_hans": ("一定", "绝不", "绝对", "永远", "马上", "立即", "立刻", "必须", "千万", "从不"),
}
# The learner is addressed as 您 in what the site says to them.
INFORMAL_YOU = "你"
QUOTED = re.compile(r"“[^”]*”|「[^」]*」|\"[^\"]*\"")


# Messages are translated, so that an officer who submits a question reads them in their
# language; in English they read as the curriculum report always has.
WORDS = {
    "en": pgettext_lazy("language code in an item-writing message", "en"),
    "zh_hans": pgettext_lazy("language code in an item-writing message", "zh_hans"),
    "setup": gettext_lazy("setup"),
    "prompt": gettext_lazy("prompt"),
    "explanation": gettext_lazy("explanation"),
    "text": gettext_lazy("text"),
    "feedback": gettext_lazy("feedback"),
    "incoming": gettext_lazy("incoming"),
    "outgoing": gettext_lazy("outgoing"),
}


def text(value, lang):
    return str((value or {}).get(lang) or "").strip()


def en_words(value):
    return len(re.findall(r"[\w'’-]+", value))


@dataclass
class Longest:
    """How often the correct choice is the longest, in one language."""

    longest: int = 0
    questions: int = 0

    @property
    def share(self):
        return self.longest / self.questions if self.questions else 0.0


def is_choice_question(question):
    return question.get("kind", "choice") == "choice"


def correct_is_longest(question, lang):
    """True when the correct choice is at least as long as every other choice."""
    choices = question.get("choices") or []
    correct = [text(c.get("text"), lang) for c in choices if c.get("correct")]
    others = [text(c.get("text"), lang) for c in choices if not c.get("correct")]
    if len(correct) != 1 or not others:
        return False
    return len(correct[0]) >= max(len(o) for o in others)


def longest_shares(questions):
    """{lang: Longest} over the choice questions given."""
    shares = {lang: Longest() for lang in LANGS}
    for question in questions:
        if not is_choice_question(question):
            continue
        for lang in LANGS:
            shares[lang].questions += 1
            shares[lang].longest += correct_is_longest(question, lang)
    return shares


def feedback_problems(where, value):
    found = []
    if en_words(text(value, "en")) > MAX_FEEDBACK_WORDS_EN:
        found.append(
            _("%(where)s: more than %(n)s words in English")
            % {"where": where, "n": MAX_FEEDBACK_WORDS_EN}
        )
    if len(text(value, "zh_hans")) > MAX_FEEDBACK_CHARS_ZH:
        found.append(
            _("%(where)s: more than %(n)s characters in Chinese")
            % {"where": where, "n": MAX_FEEDBACK_CHARS_ZH}
        )
    return found


def informal(value):
    """True when the Chinese text says 你 outside quoted speech."""
    return INFORMAL_YOU in QUOTED.sub("", text(value, "zh_hans"))


def question_problems(question, where=None):
    """What breaks the rules in one question (curriculum shape), as readable sentences,
    each naming the place: ``where`` (by default "question <its slug>")."""
    where = where or _("question %(slug)s") % {"slug": question.get("slug", "?")}
    nin = _("address the learner as 您, not 你")
    found = []
    found += feedback_problems(f"{where}/{WORDS['explanation']}", question.get("explanation"))
    for field in ("setup", "prompt", "explanation"):
        if informal(question.get(field)):
            found.append(f"{where}/{WORDS[field]}: {nin}")
    direction = question.get("direction", "incoming")
    if question.get("channel") == "call":
        wrong = "来电" if direction == "outgoing" else "去电"
        labels = [
            line.partition("：")[0]
            for line in text(question.get("body"), "zh_hans").splitlines()
            if "：" in line
        ]
        if any(wrong in label for label in labels):
            found.append(
                _("%(where)s: a %(direction)s call's speaker is labelled %(label)s")
                % {"where": where, "direction": WORDS.get(direction, direction), "label": wrong}
            )
    if not is_choice_question(question):
        return found
    choices = question.get("choices") or []
    if not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
        found.append(
            _("%(where)s: needs %(min)s or %(max)s choices")
            % {"where": where, "min": MIN_CHOICES, "max": MAX_CHOICES}
        )
    for i, choice in enumerate(choices, 1):
        place = _("%(where)s/choice %(n)s") % {"where": where, "n": i}
        found += feedback_problems(f"{place}/{WORDS['feedback']}", choice.get("feedback"))
        for field in ("text", "feedback"):
            if informal(choice.get(field)):
                found.append(f"{place}/{WORDS[field]}: {nin}")
    for lang in LANGS:
        lengths = [len(text(c.get("text"), lang)) for c in choices]
        if lengths and min(lengths) and max(lengths) > MAX_LENGTH_RATIO * min(lengths):
            found.append(
                _(
                    "%(where)s: in %(lang)s the longest choice is more than %(ratio)s"
                    " times the shortest (%(longest)s and %(shortest)s characters)"
                )
                % {
                    "where": where,
                    "lang": WORDS[lang],
                    "ratio": f"{MAX_LENGTH_RATIO:g}",
                    "longest": max(lengths),
                    "shortest": min(lengths),
                }
            )
    return found


def set_problems(name, questions):
    """The share rule over a set of questions (a lesson's, or the whole curriculum's)."""
    found = []
    for lang, share in longest_shares(questions).items():
        if share.share > MAX_LONGEST_SHARE:
            found.append(
                _(
                    "%(name)s: in %(lang)s the correct choice is the longest in %(longest)s"
                    " of %(questions)s questions (%(share)s; at most %(most)s)"
                )
                % {
                    "name": name,
                    "lang": WORDS[lang],
                    "longest": share.longest,
                    "questions": share.questions,
                    "share": f"{share.share:.0%}",
                    "most": f"{MAX_LONGEST_SHARE:.0%}",
                }
            )
    return found


def hedge_problems(questions):
    """Hedging words that appear only in right, or only in wrong, choices."""
    found = []
    for lang in LANGS:
        uses = Counter()
        for question in questions:
            if not is_choice_question(question):
                continue
            for choice in question.get("choices") or []:
                words = text(choice.get("text"), lang).lower()
                for hedge in HEDGES[lang]:
                    pattern = rf"\b{re.escape(hedge)}\b" if lang == "en" else re.escape(hedge)
                    if re.search(pattern, words):
                        uses[(hedge, bool(choice.get("correct")))] += 1
        for hedge in HEDGES[lang]:
            right, wrong = uses[(hedge, True)], uses[(hedge, False)]
            if right + wrong >= HEDGE_MIN_USES and not (right and wrong):
                side = "right" if right else "wrong"
                found.append(
                    f"{lang}: {hedge!r} appears only in {side} choices ({right + wrong} times)"
                )
    return found


def curriculum_problems(lessons):
    """Every rule over the lessons (curriculum shape): per question, per lesson, overall."""
    found = []
    everything = []
    for lesson in lessons:
        questions = lesson.get("questions") or []
        everything += questions
        for question in questions:
            found += [f"lesson {lesson.get('slug')}/{p}" for p in question_problems(question)]
        found += set_problems(f"lesson {lesson.get('slug')}", questions)
    found += set_problems("the curriculum", everything)
    found += hedge_problems(everything)
    return found


def report(lessons):
    """The figures the rules are about, as lines of text."""
    questions = [q for lesson in lessons for q in lesson.get("questions") or []]
    shares = longest_shares(questions)
    kinds = Counter(q.get("kind", "choice") for q in questions)
    sizes = Counter(len(q.get("choices") or []) for q in questions if is_choice_question(q))
    lines = [f"{len(lessons)} lessons, {len(questions)} questions: {dict(sorted(kinds.items()))}"]
    for lang, share in shares.items():
        lines.append(
            f"correct choice is the longest ({lang}): {share.longest} of {share.questions}"
            f" ({share.share:.0%})"
        )
    lines.append(
        "choice questions by number of choices: "
        + ", ".join(f"{n}: {count}" for n, count in sorted(sizes.items()))
    )
    return lines


def main():
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antifraud.settings")
    os.environ.setdefault("DEBUG", "1")
    django.setup()
    from .schema import read_lessons

    lessons = read_lessons()
    print("\n".join(report(lessons)))
    found = curriculum_problems(lessons)
    print("\n".join(found) or "no problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
