"""Django's cached database sessions, read together with the content generation.

A learner's page reads the session and then, for the published content it shows, the
content generation (quizzes/caching.py): two round trips to Redis. Here the session read
fetches both with one MGET. As in Django, the database is read when the cache does not
hold the session (or cannot be reached), and writes go to both, once.
"""

from django.contrib.sessions.backends import cached_db

from .. import caching
from .db import new_session_key


class SessionStore(cached_db.SessionStore):
    def _get_new_session_key(self):
        return new_session_key()

    def save(self, must_create=False):
        # A new session: create() saves it, to the cache too; Django's cached_db would
        # then write it to the cache a second time.
        if self.session_key is None:
            return self.create()
        return super().save(must_create)

    def load(self):
        key = self.cache_key
        try:
            values = self._cache.get_many([key, caching.GENERATION_KEY])
        except Exception:  # as Django: an unreadable entry is read from the database
            values = {}
        caching.keep_generation(values.get(caching.GENERATION_KEY))
        data = values.get(key)
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        self._cache.set(key, data, self.get_expiry_age(expiry=stored.expire_date))
        return data
