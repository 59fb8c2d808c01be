"""Curriculum v2 (issue 13): the shipped questions test judgment, not test-taking."""

from collections import Counter

from quizzes.curriculum.quality import curriculum_problems, longest_shares, report
from quizzes.curriculum.schema import read_lessons

LESSONS = read_lessons()
QUESTIONS = [q for lesson in LESSONS for q in lesson["questions"]]
CHOICE_QUESTIONS = [q for q in QUESTIONS if q.get("kind", "choice") == "choice"]


def test_the_shipped_curriculum_follows_every_item_writing_rule():
    assert curriculum_problems(LESSONS) == []


def test_a_learner_who_picks_the_longest_answer_does_no_better_than_chance():
    for lang, share in longest_shares(QUESTIONS).items():
        assert share.share <= 0.35, (lang, share)
    print("\n".join(report(LESSONS)))  # the figures, with pytest -s


def test_the_curriculum_is_big_enough_and_varied():
    assert len(LESSONS) >= 22
    assert len(QUESTIONS) >= 110
    assert all(len(lesson["questions"]) >= 5 for lesson in LESSONS)
    sizes = Counter(len(q["choices"]) for q in CHOICE_QUESTIONS)
    assert set(sizes) <= {3, 4}
    assert sizes[4] * 4 >= len(QUESTIONS)  # at least a quarter of the questions have four


def test_every_lesson_has_a_spot_question_and_six_have_a_conversation():
    kinds = [{q.get("kind", "choice") for q in lesson["questions"]} for lesson in LESSONS]
    assert all("spot" in found for found in kinds)
    assert sum("conversation" in found for found in kinds) >= 6
