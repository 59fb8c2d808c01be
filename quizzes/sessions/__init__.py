"""Session engines: Django's, with the work a learner's page does not need taken out.

- ``quizzes.sessions.db`` (without REDIS_URL): database sessions read with one plain
  SELECT.
- ``quizzes.sessions.cached_db`` (with REDIS_URL): sessions in the database, read from
  Redis; the read also brings the content generation, so a learner's page makes one
  round trip to Redis for both.

Both make new session keys without first asking whether the key is taken: the INSERT's
unique key refuses a duplicate, and Django then tries another key.
"""
