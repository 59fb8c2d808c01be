"""The curriculum rules for tap-the-red-flag and conversation questions (no database)."""

import copy

import pytest

from quizzes.curriculum.schema import problems, read_lessons, read_vocabulary


@pytest.fixture(scope="module")
def curriculum():
    return read_vocabulary(), read_lessons()


def first(lessons, kind):
    return next(q for lesson in lessons for q in lesson["questions"] if q.get("kind") == kind)


def check(curriculum, kind, change):
    vocabulary, lessons = curriculum
    lessons = copy.deepcopy(lessons)
    change(first(lessons, kind))
    return problems(vocabulary, lessons)


def test_the_shipped_spots_and_conversations_keep_the_rules(curriculum):
    assert problems(*curriculum) == []


def test_a_spot_must_appear_once_in_the_body(curriculum):
    def change(q):
        q["spots"][0]["text"]["en"] = "words nowhere in the message"

    assert any("must appear exactly once" in p for p in check(curriculum, "spot", change))


def test_spots_need_a_harmless_part(curriculum):
    def change(q):
        for spot in q["spots"]:
            spot["red_flag"] = q["red_flags"][0]

    assert any(">= 1 harmless" in p for p in check(curriculum, "spot", change))


def test_every_turn_must_be_reachable(curriculum):
    def change(q):
        q["turns"].append(
            {
                "key": "orphan",
                "says": {"en": "Hello?", "zh_hans": "喂？"},
                "replies": [
                    {"text": {"en": "Yes", "zh_hans": "是"}, "next": q["endings"][0]["key"]},
                    {"text": {"en": "No", "zh_hans": "不"}, "next": q["endings"][0]["key"]},
                ],
            }
        )

    assert any(
        "not reachable" in p and "orphan" in p for p in check(curriculum, "conversation", change)
    )


def test_a_conversation_may_not_loop(curriculum):
    def change(q):
        q["turns"][-1]["replies"][0]["next"] = q["turns"][0]["key"]

    found = check(curriculum, "conversation", change)
    assert any("loop" in p for p in found)


def test_a_reply_must_lead_somewhere(curriculum):
    def change(q):
        q["turns"][0]["replies"][0]["next"] = "nowhere"

    assert any("next must be" in p for p in check(curriculum, "conversation", change))


def test_an_ending_needs_an_outcome(curriculum):
    def change(q):
        q["endings"][0]["outcome"] = "maybe"

    assert any("outcome must be" in p for p in check(curriculum, "conversation", change))


def test_a_qr_code_is_on_a_poster_a_sticker_or_a_parcel(curriculum):
    vocabulary, lessons = curriculum
    lessons = copy.deepcopy(lessons)
    questions = [q for lesson in lessons for q in lesson["questions"]]
    shipped = {q.get("surface", "poster") for q in questions if q["channel"] == "qr"}
    next(q for q in questions if q["channel"] == "qr")["surface"] = "billboard"
    next(q for q in questions if q["channel"] == "call")["surface"] = "parcel"

    found = problems(vocabulary, lessons)

    assert shipped == {"poster", "sticker", "parcel"}
    assert any("surface must be one of" in p for p in found)
    assert any("surface is for QR questions only" in p for p in found)


HINT = (
    "Mark each part of the message that you think is a warning sign: tap or click its "
    "words to tick its box. Then check your answer."
)


def test_every_spot_prompt_uses_the_verb_of_the_hint_below_it(curriculum):
    """The prompt and the hint under it say the same thing in both languages, with and
    without JavaScript (the parts are checkboxes either way): mark, 标出."""
    from django.utils import translation

    _vocabulary, lessons = curriculum
    spots = [q for lesson in lessons for q in lesson["questions"] if q.get("kind") == "spot"]
    with translation.override("zh-hans"):
        hint_zh = translation.gettext(HINT)

    assert len(spots) == len(lessons)
    for q in spots:
        assert q["prompt"]["en"].startswith("Mark every part"), q["slug"]
        assert "标出" in q["prompt"]["zh_hans"], q["slug"]
    assert hint_zh.startswith("标出")
