"""Django's database sessions, read with one plain SELECT.

Every learner's page reads the session, and building the ORM query for it cost about ten
times what the database took to answer it (about 200 µs against 20 µs on SQLite; see
bench/README.md). Writing, expiry and clearing stay Django's own.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.db import connections, router
from django.utils import timezone

from ..randomness import random_string


def new_session_key():
    """A random key, not looked up first: with 32 characters a collision is all but
    impossible, and the INSERT's unique key refuses one (Django then tries again). Drawn
    with one system call (quizzes/randomness.py)."""
    return random_string(32, VALID_KEY_CHARS)


class SessionStore(db.SessionStore):
    def _get_new_session_key(self):
        return new_session_key()

    def load(self):
        model = self.model
        connection = connections[router.db_for_read(model)]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            # Unknown or expired: a new key is made if anything is stored (as Django does).
            self._session_key = None
            return {}
        return self.decode(row[0])
