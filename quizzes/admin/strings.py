"""Django's own messages that its Simplified Chinese catalogue (6.1) leaves in English.

Listing them here puts them in our catalogue (``make messages``), which Django reads
before its own, so the workspace shows them in Chinese too. Nothing imports this module.
"""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = [
    gettext_noop("- Select an option -"),
]
