"""The police workspace, built on the Django admin, by concern:

- ``site``: the admin site itself, whose home page is the officer's "my work";
- ``workflow``: the base of every authoring page (revisions, workflow buttons);
- ``content``: lessons and the vocabulary they link;
- ``questions`` and ``kinds``: questions, their choices, spots and conversations;
- ``revisions``: the reviewers' pages for revisions, and the record of imports;
- ``outreach``: campaigns and scam alerts;
- ``forms``: the forms' shared behaviour (both languages side by side, help texts).

Importing the package registers every page (the admin's autodiscovery imports it).
"""

from . import content, outreach, questions, revisions  # noqa: F401
