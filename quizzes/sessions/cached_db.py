"""Django's cached database sessions, read together with the content generation.

A learner's page reads the session and then, for the published content it shows, the
content generation (quizzes/caching.py): two round trips to Redis. Here the session read
fetches both with one MGET. As in Django, the database is read when the cache does not
hold the session (or cannot be reached), and writes go to both, once.

A page may ask for one more thing in that round trip before the session is read
(``read_along``): the run question pages ask for their run's facts
(quizzes/models/slots.py), so that they need no query, and an answer has its rate limits
counted there too (quizzes/ratelimit.py).
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

    along_key, along, along_count, counted = None, None, None, None

    def read_along(self, key, count=None):
        """Ask for the fields of the Redis hash at ``key`` to be read with the session, in
        its round trip; ``along`` holds them once it is read ({} when there are none,
        None when they could not be read). False when the session was read already.

        ``count``: counters to count one more use of in that round trip, as
        ``RedisCache.get_many_and_fields`` counts them; ``counted`` then holds what it
        returns (None when nothing was counted)."""
        if hasattr(self, "_session_cache"):
            return False
        self.along_key, self.along_count = key, count
        return True

    def load(self):
        key = self.cache_key
        try:
            if self.along_key is None:
                values = self._cache.get_many([key, caching.GENERATION_KEY])
            elif self.along_count is None:
                values, self.along = self._cache.get_many_and_fields(
                    [key, caching.GENERATION_KEY], self.along_key
                )
            else:
                values, self.along, self.counted = self._cache.get_many_and_fields(
                    [key, caching.GENERATION_KEY], self.along_key, count=self.along_count
                )
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
