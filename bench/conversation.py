"""The ``conversation`` endpoint: a learner plays a branching scam conversation turn by
turn to its ending, as a browser without JavaScript does.

One operation is one whole conversation. Set-up, not timed: a new learner (a fresh
session: starting a lesson again would continue the run whose conversation is over)
opens the lesson, starts a run and opens the conversation's page. Timed: at each turn,
the ``POST`` of a random reply (``302``) and the ``GET`` of the next turn or the ending,
until the ending; the latency is their sum, what the learner waits for over the whole
conversation. Requests per operation count the set-up too.

The lesson is ``BENCH_CONVERSATION_LESSON`` (default: the fake police and the "safe
account", a call); each user finds the conversation's position in the run once.
"""

import os

from .client import TURN_RE, HTTPError, Session, answer_fields

LESSON = os.environ.get("BENCH_CONVERSATION_LESSON", "fake-police-safe-account")
MAX_TURNS = 12  # the curriculum's longest path (quizzes/curriculum/schema/kinds.py)
MAX_POSITION = 40  # where the conversation is looked for in the run


def open_conversation(user):
    """A new learner at the conversation of a new run: (session, path, its first page)."""
    session = Session(user.host, user.port, transport=user.transport, proxy=user.proxy)
    lesson_path = f"/en/lessons/{LESSON}/"
    session.get(lesson_path)
    if session.csrf_token is None:
        raise HTTPError(f"no CSRF token on {lesson_path}")
    started = session.post(f"{lesson_path}quiz/", {"csrfmiddlewaretoken": session.csrf_token})
    prefix = session.location(started).rstrip("/").rpartition("/")[0] + "/"
    known = getattr(user, "conversation_position", None)
    for position in [known] if known else range(1, MAX_POSITION + 1):
        path = f"{prefix}{position}/"
        page = session.get(path, expect=None)
        if page.status == 404:
            break  # past the run's last question
        if page.status == 200 and TURN_RE.search(page.text):
            user.conversation_position = position
            return session, path, page
    raise HTTPError(f"no conversation in a run of {lesson_path}")


def op_conversation(user):
    session, path, page = open_conversation(user)
    seconds = 0.0
    try:
        for _turn in range(MAX_TURNS):
            fields = answer_fields(user.rng, page.text)
            if fields is None or "turn" not in fields:
                raise HTTPError(f"{path}: no reply form")
            posted = session.post(path, {"csrfmiddlewaretoken": session.csrf_token, **fields})
            if session.location(posted) != path:
                raise HTTPError(f"reply redirected to {posted.header('location')}")
            page = session.get(path)
            seconds += posted.seconds + page.seconds
            if b'id="feedback"' in page.body:
                return seconds
        raise HTTPError(f"{path}: no ending after {MAX_TURNS} turns")
    finally:
        user.visitor_requests += session.requests
