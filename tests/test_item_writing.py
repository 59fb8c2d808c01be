"""The item-writing check: a quiz that can be passed by picking the longest answer fails."""

from quizzes.curriculum.quality import (
    curriculum_problems,
    hedge_problems,
    longest_shares,
    question_problems,
    report,
)


def choice(en, zh, correct=False):
    return {
        "text": {"en": en, "zh_hans": zh},
        "correct": correct,
        "feedback": {"en": "Because.", "zh_hans": "因为。"},
    }


def careful_longest(n):
    """The pattern the check exists for: the careful answer is always the longest."""
    return {
        "slug": f"biased-{n}",
        "prompt": {"en": "What do you do?", "zh_hans": "您怎么做？"},
        "explanation": {"en": "Why.", "zh_hans": "原因。"},
        "choices": [
            choice("Pay the fee.", "付这笔钱。"),
            choice("Reply to ask.", "回短信问问。"),
            choice("Hang up, then call 96110.", "挂断后拨打96110咨询。", correct=True),
        ],
    }


def balanced(n, correct_position):
    texts = [
        ("Send the code he asks for.", "把验证码发给他。"),
        ("Call the number in the text.", "拨打短信里的号码。"),
        ("Open the bank app yourself.", "自己打开手机银行查看。"),
    ]
    return {
        "slug": f"balanced-{n}",
        "prompt": {"en": "What do you do?", "zh_hans": "您怎么做？"},
        "explanation": {"en": "Why.", "zh_hans": "原因。"},
        "choices": [
            choice(en, zh, correct=(i == correct_position)) for i, (en, zh) in enumerate(texts)
        ],
    }


def test_a_biased_lesson_fails_the_longest_answer_rule():
    lesson = {"slug": "biased", "questions": [careful_longest(n) for n in range(5)]}

    problems = curriculum_problems([lesson])

    assert (
        "lesson biased: in en the correct choice is the longest in 5 of 5 questions"
        " (100%; at most 35%)"
    ) in problems
    assert any(p.startswith("the curriculum: in zh_hans") for p in problems)


def test_a_balanced_lesson_passes():
    lesson = {"slug": "fair", "questions": [balanced(n, n % 3) for n in range(6)]}

    assert curriculum_problems([lesson]) == []


def test_the_report_states_the_share_of_longest_correct_answers_per_language():
    lesson = {"slug": "biased", "questions": [careful_longest(n) for n in range(4)]}

    lines = report([lesson])

    assert "correct choice is the longest (en): 4 of 4 (100%)" in lines
    assert "correct choice is the longest (zh_hans): 4 of 4 (100%)" in lines
    assert longest_shares(lesson["questions"])["en"].share == 1.0


def test_one_choice_twice_as_long_as_another_is_refused():
    question = balanced(1, 0)
    question["choices"][2]["text"]["en"] = "Open the bank's own app yourself and look there first."

    assert question_problems(question) == [
        "question balanced-1: in en the longest choice is more than 2 times the shortest"
        " (54 and 26 characters)"
    ]


def test_two_choices_are_too_few():
    question = balanced(1, 0)
    del question["choices"][1]

    assert "question balanced-1: needs 3 or 4 choices" in question_problems(question)


def test_chinese_addresses_the_learner_as_nin():
    question = balanced(1, 0)
    question["prompt"]["zh_hans"] = "你怎么做？"
    question["choices"][0]["text"]["zh_hans"] = "回他“你是谁”。"  # quoted speech is fine

    assert question_problems(question) == [
        "question balanced-1/prompt: address the learner as 您, not 你"
    ]


def test_a_hedging_word_only_in_wrong_answers_gives_them_away():
    questions = [balanced(n, 0) for n in range(3)]
    for question in questions:
        question["choices"][1]["text"]["en"] = "Always call the number in the text."

    assert hedge_problems(questions) == ["en: 'always' appears only in wrong choices (3 times)"]


def test_feedback_longer_than_80_words_is_refused():
    question = balanced(1, 0)
    question["explanation"]["en"] = " ".join(["word"] * 81)

    assert question_problems(question) == [
        "question balanced-1/explanation: more than 80 words in English"
    ]


def test_an_outgoing_call_does_not_label_the_other_side_as_the_caller():
    question = balanced(1, 0)
    question.update(
        channel="call",
        direction="outgoing",
        body={"en": "Bank: Hello.", "zh_hans": "来电者：您好。"},
    )

    assert question_problems(question) == [
        "question balanced-1: a outgoing call's speaker is labelled 来电"
    ]
