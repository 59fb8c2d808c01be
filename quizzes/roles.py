"""The police roles: which permissions each group holds.

Migration 0002 creates the groups from this table; ``create_police_user`` puts accounts
in them. Superusers hold every permission.
"""

CONTENT_MODELS = ("lesson", "lessonstep", "reminder", "case", "question", "choice")
VOCABULARY_MODELS = ("redflag", "source", "legalreference")


def _crud(models, actions):
    return [f"{action}_{model}" for model in models for action in actions]


ROLES = {
    "author": (
        "Authors",
        _crud(CONTENT_MODELS, ("view", "add", "change"))
        + _crud(("lessonstep", "reminder", "case", "choice"), ("delete",))
        + _crud(VOCABULARY_MODELS, ("view", "add", "change"))
        + ["view_transition", "submit_content"],
    ),
    "reviewer": (
        "Reviewers",
        _crud(CONTENT_MODELS, ("view", "add", "change", "delete"))
        + _crud(VOCABULARY_MODELS, ("view", "add", "change"))
        + [
            "view_transition",
            "submit_content",
            "review_content",
            "view_statistics",
            "export_content",
            "import_content",
        ],
    ),
    "analyst": (
        "Analysts",
        [
            *_crud(CONTENT_MODELS + VOCABULARY_MODELS, ("view",)),
            "view_transition",
            "view_statistics",
            "export_content",
        ],
    ),
}

# Campaigns and scam alerts came later (migration 0009 gives these to the groups).
OUTREACH_MODELS = ("campaign", "alert")
OUTREACH_ROLES = {
    "Authors": [*_crud(OUTREACH_MODELS, ("view", "add", "change")), "view_participant"],
    "Reviewers": [
        *_crud(OUTREACH_MODELS, ("view", "add", "change", "delete")),
        "view_participant",
    ],
    "Analysts": [*_crud(OUTREACH_MODELS, ("view",)), "view_participant"],
}

# The parts of spot and conversation questions (issue 12), granted by migration 0008
# (0002 ran before these models existed): edited as inlines on the question.
KIND_MODELS = ("spot", "turn", "reply", "ending")
KIND_PERMISSIONS = {
    "Authors": _crud(KIND_MODELS, ("view", "add", "change", "delete")),
    "Reviewers": _crud(KIND_MODELS, ("view", "add", "change", "delete")),
    "Analysts": _crud(KIND_MODELS, ("view",)),
}
