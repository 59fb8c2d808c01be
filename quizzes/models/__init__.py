"""The models, one file per concern; every model is importable from here.

- ``workflow``: statuses, the publishing workflow and its record;
- ``content``: the shared vocabulary and lessons (what citizens read);
- ``questions``: scenarios and their choices;
- ``runs``: learners, quiz runs and answers.

Files import one way (workflow <- content <- questions <- runs); a foreign key to a
model in a later file is a string.
"""

from .content import Case, Channel, LegalReference, Lesson, LessonStep, RedFlag, Reminder, Source
from .kinds import (
    Conversation,
    Ending,
    Kind,
    MarksConflict,
    Outcome,
    Reply,
    Spot,
    Step,
    StepConflict,
    Turn,
    record_marks,
    record_step,
    spot_score,
)
from .questions import Choice, Question
from .runs import (
    MASTERY_THRESHOLD,
    MAX_RUN_SIZE,
    MIXED_PRACTICE_SIZE,
    Answer,
    AnswerConflict,
    Learner,
    LessonProgress,
    LessonStatus,
    QuestionSlot,
    QuizRun,
    RunQuestion,
    RunSummary,
)
from .workflow import (
    WORKFLOW,
    Action,
    Publishable,
    Status,
    Transition,
    WorkflowError,
    missing_translations,
)

__all__ = [
    "MASTERY_THRESHOLD",
    "MAX_RUN_SIZE",
    "MIXED_PRACTICE_SIZE",
    "WORKFLOW",
    "Action",
    "Answer",
    "AnswerConflict",
    "Case",
    "Channel",
    "Choice",
    "Conversation",
    "Ending",
    "Kind",
    "Learner",
    "LegalReference",
    "Lesson",
    "LessonProgress",
    "LessonStatus",
    "LessonStep",
    "MarksConflict",
    "Outcome",
    "Publishable",
    "Question",
    "QuestionSlot",
    "QuizRun",
    "RedFlag",
    "Reminder",
    "Reply",
    "RunQuestion",
    "RunSummary",
    "Source",
    "Spot",
    "Status",
    "Step",
    "StepConflict",
    "Transition",
    "Turn",
    "WorkflowError",
    "missing_translations",
    "record_marks",
    "record_step",
    "spot_score",
]
