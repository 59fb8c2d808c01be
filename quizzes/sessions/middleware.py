"""Django's session middleware, which also reads the session before the view.

Most pages read the session and then the content generation (quizzes/caching.py); read
first, the session brings the generation in its own round trip (``cached_db``). A view
that reads the session itself, asking for more in that same round trip (``read_along``:
the run question page and its run's facts), is marked with ``reads_session_itself``.
"""

from django.contrib.sessions import middleware


def reads_session_itself(view):
    view.reads_session_itself = True
    return view


class SessionMiddleware(middleware.SessionMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "reads_session_itself", False):
            session = request.session
            accessed = session.accessed
            session.get("")  # reads it, if it is not read yet
            # Only what the view reads makes its response vary with the session cookie.
            session.accessed = accessed
        return None
