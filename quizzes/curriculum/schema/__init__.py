"""Check the curriculum files without a database.

Run ``python -m quizzes.curriculum.schema`` to list every problem; the loader and the
content tests call :func:`problems` too, so the rules live in one place.

The rules live in this package's rooms, and every name is importable from here:

- ``values``: the languages, channels, statuses, slugs and limits every check shares;
- ``files``: where the curriculum files are and how they are read;
- ``document``: :func:`problems`, the rules every vocabulary, lesson and question keeps;
- ``kinds``: the rules of each question kind (choice, spot, conversation);
- ``shape``: :func:`shape_problems`, the types and ranges of an imported bundle.
"""

from .document import problems
from .files import CURRICULUM_DIR, read_lessons, read_vocabulary
from .kinds import MAX_TURNS_ON_A_PATH, OUTCOMES
from .shape import MAX_DEPTH, shape_problems
from .values import (
    CHANNELS,
    CLOCK_TIME,
    DIRECTIONS,
    KINDS,
    LANGS,
    LARGE,
    SLUG,
    SMALL,
    STATUSES,
    SURFACES,
)

__all__ = [
    "CHANNELS",
    "CLOCK_TIME",
    "CURRICULUM_DIR",
    "DIRECTIONS",
    "KINDS",
    "LANGS",
    "LARGE",
    "MAX_DEPTH",
    "MAX_TURNS_ON_A_PATH",
    "OUTCOMES",
    "SLUG",
    "SMALL",
    "STATUSES",
    "SURFACES",
    "main",
    "problems",
    "read_lessons",
    "read_vocabulary",
    "shape_problems",
]


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
