"""The workspace speaks the language each officer chose there, on every device they sign
in from, whatever language the citizen pages were last read in.

The choice is stored in ``OfficerSettings``; signing in copies it into the session, so
applying it costs no query per request.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils import translation

SESSION_KEY = "workspace_language"


def remember_on_login(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: bring an officer's workspace language into the session,
    or choose the one they sign in with when they have none yet."""
    if request is None or not user.is_staff or not hasattr(request, "session"):
        return
    from .models import OfficerSettings

    language = OfficerSettings.language_of(user)
    if language:
        request.session[SESSION_KEY] = language
    elif getattr(request, "LANGUAGE_CODE", None) in dict(settings.LANGUAGES):
        # No choice yet: the language the officer signs in with becomes it, so that the
        # e-mails sent while they are away are in it too (notifications.language_of).
        OfficerSettings.choose_language(user, request.LANGUAGE_CODE)


def choose(request, language):
    """Store an officer's choice and apply it from the next request on."""
    from .models import OfficerSettings

    OfficerSettings.choose_language(request.user, language)
    request.session[SESSION_KEY] = language


@functools.cache
def workspace_path():
    """The path the workspace (the admin site) lives under, as ``request.path_info`` sees
    it. Reversed once: reversing on every request cost more than the rest of this
    middleware put together (bench/README.md, "instructions")."""
    return reverse("admin:index")[len(get_script_prefix()) - 1 :]


class WorkspaceLanguageMiddleware:
    """Activates the officer's workspace language on the workspace's pages (after
    LocaleMiddleware, which picked the citizen pages' language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path first: citizens' pages read the session later, before their view
        # (quizzes/sessions/middleware.py).
        if request.path_info.startswith(workspace_path()) and hasattr(request, "session"):
            language = request.session.get(SESSION_KEY)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
