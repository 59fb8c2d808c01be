"""The models, one file per concern; every model is importable from here.

- ``workflow``: statuses, the publishing workflow and its record;
- ``content``: the shared vocabulary and lessons (what citizens read);
- ``questions``: scenarios and their choices;
- ``revisions``: the next version of a published item, under review;
- ``runs``: quiz runs and the questions fixed in each;
- ``answers``: answers, each stored with all it changes in one statement;
- ``learners``: learners and their progress;
- ``officers``: what the workspace remembers about each officer;
- ``review``: review scheduling (FSRS) and mastery per red flag;
- ``sessions``: today's review, drills and re-checks, and the questions they hold;
- ``summaries``: per-learner summaries of each lesson, kept as answers arrive;
- ``campaigns``: police campaigns, their participants and the outreach workflow record;
- ``alerts``: alerts about a scam that breaks today.

Files import one way (workflow <- content <- questions <- runs <- answers <- learners <-
review <- sessions, summaries, campaigns <- alerts); a foreign key to a model in a later
file is a string.
"""

from .alerts import Alert
from .answers import Answer
from .campaigns import (
    CHECK_SIZE,
    AgeBand,
    Audience,
    Campaign,
    OutreachTransition,
    Participant,
    Phase,
)
from .content import Case, Channel, LegalReference, Lesson, LessonStep, RedFlag, Reminder, Source
from .kinds import (
    Conversation,
    Ending,
    MarksConflict,
    Outcome,
    QuestionKind,
    Reply,
    Spot,
    Step,
    StepConflict,
    Turn,
    record_marks,
    record_step,
    spot_score,
)
from .learners import Learner, LessonProgress, LessonStatus, RunSummary
from .officers import Notice, OfficerSettings
from .questions import Choice, Question
from .review import REVIEW_SIZE, MasteryLevel, PendingAnswer, ReviewItem, remember
from .revisions import Import, Kind, Revision, RevisionStatus
from .runs import (
    MASTERY_THRESHOLD,
    MAX_RUN_SIZE,
    MIXED_PRACTICE_SIZE,
    AnswerConflict,
    QuizRun,
    RunQuestion,
)
from .sessions import DRILL_SIZE, ReviewKind, ReviewRun
from .slots import QuestionSlot
from .summaries import ActivityWeek, LessonMemory, RecheckFlag
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
    "CHECK_SIZE",
    "DRILL_SIZE",
    "MASTERY_THRESHOLD",
    "MAX_RUN_SIZE",
    "MIXED_PRACTICE_SIZE",
    "REVIEW_SIZE",
    "WORKFLOW",
    "Action",
    "ActivityWeek",
    "AgeBand",
    "Alert",
    "Answer",
    "AnswerConflict",
    "Audience",
    "Campaign",
    "Case",
    "Channel",
    "Choice",
    "Conversation",
    "Ending",
    "Import",
    "Kind",
    "Learner",
    "LegalReference",
    "Lesson",
    "LessonMemory",
    "LessonProgress",
    "LessonStatus",
    "LessonStep",
    "MarksConflict",
    "MasteryLevel",
    "Notice",
    "OfficerSettings",
    "Outcome",
    "OutreachTransition",
    "Participant",
    "PendingAnswer",
    "Phase",
    "Publishable",
    "Question",
    "QuestionKind",
    "QuestionSlot",
    "QuizRun",
    "RecheckFlag",
    "RedFlag",
    "Reminder",
    "Reply",
    "ReviewItem",
    "ReviewKind",
    "ReviewRun",
    "Revision",
    "RevisionStatus",
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
    "remember",
    "spot_score",
]
