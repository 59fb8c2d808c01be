"""The models, one file per concern; every model is importable from here.

- ``workflow``: statuses, the publishing workflow and its record;
- ``content``: the shared vocabulary and lessons (what citizens read);
- ``questions``: scenarios and their choices;
- ``revisions``: the next version of a published item, under review;
- ``runs``: learners, quiz runs and answers;
- ``campaigns``: police campaigns, their participants and the outreach workflow record;
- ``alerts``: alerts about a scam that breaks today.

Files import one way (workflow <- content <- questions <- runs <- campaigns <- alerts); a
foreign key to a model in a later file is a string.
"""

from .alerts import Alert
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
from .questions import Choice, Question
from .revisions import Import, Kind, Revision, RevisionStatus
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
    "CHECK_SIZE",
    "MASTERY_THRESHOLD",
    "MAX_RUN_SIZE",
    "MIXED_PRACTICE_SIZE",
    "WORKFLOW",
    "Action",
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
    "LessonProgress",
    "LessonStatus",
    "LessonStep",
    "MarksConflict",
    "Outcome",
    "OutreachTransition",
    "Participant",
    "Phase",
    "Publishable",
    "Question",
    "QuestionKind",
    "QuestionSlot",
    "QuizRun",
    "RedFlag",
    "Reminder",
    "Reply",
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
    "spot_score",
]
