"""The production path: round trips to Redis per request, pinned as query counts are,
and the database connection's health check.

With REDIS_URL (production) the cache and the sessions are in Redis, and each call an app
makes on the cache is one round trip (quizzes/rediscache.py). These tests run the
production session engine on a counting memory cache, so a page that starts reading
Redis once more fails here, as an N+1 fails the query budgets. Steady state: the
published content is in the cache, as it is all day in production.
"""

import os
import select
import warnings

import psycopg
import pytest
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import close_old_connections, connection
from django.urls import reverse

from quizzes.learners import SESSION_KEY as LEARNER_KEY
from quizzes.models import Answer, Learner, QuizRun, ReviewKind
from quizzes.models.sessions import start_session
from quizzes.models.slots import facts_from_database, facts_key

# Transactions commit as in production: an answer adds itself to its run's facts once
# committed (quizzes/models/slots.py).
pytestmark = pytest.mark.django_db(transaction=True)

CACHE_CALLS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "get_or_set",
    "clear",
    "count_uses",
    "get_many_and_fields",
    "add_fields",
)


class CountingCache(LocMemCache):
    """The memory cache, noting each call made on it (not the calls it makes on itself:
    its get_many calls get)."""

    def __init__(self, name, params):
        super().__init__(name, params)
        self.calls, self.keys = [], []  # what was called, and on which key
        self._inside = False

    def count_uses(self, windows):
        """As Redis's (one call, one round trip), here made of the memory cache's calls."""
        from quizzes.ratelimit import count_uses

        return count_uses(self, windows)

    def get_many_and_fields(self, keys, hash_key, count=None):
        """As Redis's (one call, one round trip); a hash is a dict under its key here."""
        from quizzes.ratelimit import count_uses
        from quizzes.rediscache import OWNER

        found, fields = self.get_many(keys), dict(self.get(hash_key) or {})
        if count is None:
            return found, fields
        if "run" not in fields:
            return found, fields, None
        owner = int(fields["run"].split(" ")[1])
        (owner_key, owner_window), (other_key, other_window) = count
        windows = {owner_key.replace(OWNER, str(owner)): owner_window, other_key: other_window}
        return found, fields, (owner, count_uses(self, windows))

    def add_fields(self, key, fields, timeout, replace=False):
        self.set(key, {**({} if replace else self.get(key) or {}), **fields}, timeout)


def _counting(name):
    method = getattr(CountingCache, name)

    def call(self, *args, **kwargs):
        if self._inside:
            return method(self, *args, **kwargs)
        self.calls.append(name)
        self.keys.append(args[0] if args else None)
        self._inside = True
        try:
            return method(self, *args, **kwargs)
        finally:
            self._inside = False

    return call


for _name in CACHE_CALLS:
    setattr(CountingCache, _name, _counting(_name))


@pytest.fixture
def production_cache(settings):
    """The production engines (cached sessions, the content cache) on a counting cache."""
    settings.CACHES = {
        "default": {"BACKEND": "tests.test_production_path.CountingCache", "LOCATION": "counted"}
    }
    settings.SESSION_ENGINE = "quizzes.sessions.cached_db"
    settings.CONTENT_GENERATION_FILE = ""  # with Redis, the generation lives there too
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


class CacheCalls:
    """The calls made on ``cache`` inside a ``with`` block: ``made`` (in order) and the
    ``keys`` they were made on."""

    def __init__(self, cache):
        self.cache = cache

    def __enter__(self):
        self.start = len(self.cache.calls)
        return self

    def __exit__(self, *exc):
        self.made = self.cache.calls[self.start :]
        self.keys = self.cache.keys[self.start :]
        return False


@pytest.fixture
def cache_calls(production_cache):
    """``with cache_calls() as calls:``, then ``calls.made`` lists the calls in order."""
    return lambda: CacheCalls(production_cache)


def start(client, lesson):
    response = client.post(reverse("quizzes:start-quiz", args=[lesson.slug]))
    assert response.status_code == 302
    return QuizRun.objects.latest("started_at")


def question_url(run, position=1):
    return reverse("quizzes:run-question", args=[run.public_id, position])


def right_choice(run, position):
    question = run.run_questions.get(position=position).question
    return question.choices.get(is_correct=True)


def start_and_warm(client, lesson, answered):
    run = start(client, lesson)
    for position in range(1, answered + 1):
        client.post(question_url(run, position), {"choice": right_choice(run, position).pk})
    client.get(question_url(run, answered + 1))  # fills the content and page caches
    return run


def test_a_visitors_home_and_lesson_pages_read_only_the_content_generation(
    visitor, lesson, cache_calls, django_assert_num_queries
):
    visitor.get(reverse("quizzes:home"))
    visitor.get(lesson.get_absolute_url())

    with cache_calls() as home, django_assert_num_queries(0):
        visitor.get(reverse("quizzes:home"))
    with cache_calls() as lesson_page, django_assert_num_queries(0):
        visitor.get(lesson.get_absolute_url())

    assert home.made == ["get"]
    assert lesson_page.made == ["get"]


@pytest.mark.parametrize("answered", [0, 2])
def test_a_question_page_reads_redis_once(
    visitor, lesson, cache_calls, django_assert_num_queries, answered
):
    """The session, the content generation and the run's facts come in one round trip;
    the page, the question and the rendered parts from the process's own copies: no
    query."""
    run = start_and_warm(visitor, lesson, answered)

    with cache_calls() as calls, django_assert_num_queries(0):
        response = visitor.get(question_url(run, answered + 1))

    assert response.status_code == 200
    assert calls.made == ["get_many_and_fields"]


def test_a_citizens_question_page_reads_redis_once(
    citizen, lesson, cache_calls, django_assert_num_queries
):
    run = start_and_warm(citizen, lesson, 1)

    with cache_calls() as calls, django_assert_num_queries(1):  # the user
        citizen.get(question_url(run, 2))

    assert calls.made == ["get_many_and_fields"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("answered", [0, 1, 2])
def test_an_answer_reads_redis_once_counting_its_limits_there_and_adds_itself_once_stored(
    client, lesson, cache_calls, answered
):
    """The session with the generation and the run's facts, with both rate limits (the
    learner, the address) counted in that round trip; once stored, the answer is added to
    the run's facts. The redirect to the feedback is not a page."""
    run = start_and_warm(client, lesson, answered)

    with cache_calls() as calls:
        response = client.post(
            question_url(run, answered + 1), {"choice": right_choice(run, answered + 1).pk}
        )

    assert response.status_code == 302
    assert calls.made == ["get_many_and_fields", "add_fields"]


def answer(client, run, position):
    return client.post(question_url(run, position), {"choice": right_choice(run, position).pk})


def test_answers_counted_with_the_facts_are_limited_per_learner(
    visitor, lesson, production_cache, settings
):
    settings.RATE_LIMIT_ANSWERS_PER_MINUTE = 2
    run = start(visitor, lesson)
    assert [answer(visitor, run, 1).status_code, answer(visitor, run, 2).status_code] == [302] * 2

    response = answer(visitor, run, 3)

    assert response.status_code == 429
    assert "Please wait a minute" in response.content.decode()
    assert Answer.objects.filter(run=run).count() == 2


def test_answers_counted_with_the_facts_are_limited_per_address(
    visitor, lesson, production_cache, settings, client_factory
):
    settings.RATE_LIMIT_ANSWERS_PER_ADDRESS_PER_MINUTE = 1
    answer(visitor, start(visitor, lesson), 1)
    classmate = client_factory()
    other_run = start(classmate, lesson)

    response = answer(classmate, other_run, 1)

    assert response.status_code == 429
    assert Answer.objects.filter(run=other_run).count() == 0


def test_posting_to_another_learners_run_does_not_use_up_their_limit_or_the_address(
    visitor, lesson, production_cache, settings, client_factory
):
    """The count made with the facts names the run's owner before the run is known to be
    the poster's: it is given back when it is not."""
    settings.RATE_LIMIT_ANSWERS_PER_MINUTE = 2
    settings.RATE_LIMIT_ANSWERS_PER_ADDRESS_PER_MINUTE = 3
    run = start(visitor, lesson)
    stranger = client_factory()
    start(stranger, lesson)
    for _ in range(5):
        assert answer(stranger, run, 1).status_code == 404

    answers = [answer(visitor, run, position).status_code for position in (1, 2)]

    assert answers == [302, 302]
    assert answer(visitor, run, 3).status_code == 429  # the learner's own limit still holds


def test_an_answer_whose_facts_are_gone_counts_its_limits_on_its_own(
    visitor, lesson, production_cache, cache_calls, settings
):
    """Facts that expired name no learner to count: the answer reads them from the
    database and counts both limits in a round trip of their own, on the same counters."""
    settings.RATE_LIMIT_ANSWERS_PER_MINUTE = 2
    run = start(visitor, lesson)
    answer(visitor, run, 1)
    visitor.get(question_url(run, 2))  # the question in the content cache
    production_cache.delete(facts_key(run.public_id))

    with cache_calls() as calls:
        answer(visitor, run, 2)
    visitor.get(question_url(run, 3))
    production_cache.delete(facts_key(run.public_id))
    third = answer(visitor, run, 3)

    assert calls.made == ["get_many_and_fields", "add_fields", "count_uses", "add_fields"]
    assert third.status_code == 429
    assert Answer.objects.filter(run=run).count() == 2


def test_the_feedback_page_reads_redis_once_and_needs_no_query(
    visitor, lesson, cache_calls, django_assert_num_queries
):
    run = start_and_warm(visitor, lesson, 0)
    visitor.post(question_url(run, 1), {"choice": right_choice(run, 1).pk})
    visitor.get(question_url(run, 1))

    with cache_calls() as calls, django_assert_num_queries(0):
        response = visitor.get(question_url(run, 1))

    assert 'id="feedback"' in response.content.decode()
    assert calls.made == ["get_many_and_fields"]


# --- A run's facts in the cache (quizzes/models/slots.py) -----------------------------


def facts_of(cache, run):
    return cache.get(facts_key(run.public_id))


def test_a_re_checks_facts_name_its_kind_as_the_database_does(visitor, lesson, production_cache):
    """A re-check's answers count in the retention statistics: its facts say what it is,
    as they do when read from the database."""
    run = start_and_warm(visitor, lesson, 0)
    questions = list(run.run_questions.values_list("question_id", flat=True))
    check = start_session(run.learner_id, questions, ReviewKind.RECHECK, lesson=lesson, day=7)

    stored = facts_of(production_cache, check)

    assert stored.pop("content")  # the content generation they hold under
    assert stored == facts_from_database("default", check.public_id)
    assert stored["run"].endswith(" recheck")


def test_deleting_a_choice_learners_picked_makes_their_runs_read_their_facts_again(
    visitor, lesson, production_cache
):
    """The answers that picked it go with it (a cascade): the facts, written under the
    content as it was, are read again and replaced, and the question is open again."""
    run = start_and_warm(visitor, lesson, 0)
    picked = right_choice(run, 1)
    visitor.post(question_url(run, 1), {"choice": picked.pk})
    assert "a1" in facts_of(production_cache, run)

    picked.delete()  # as a data fix in the shell would; the workspace refuses it
    page = visitor.get(question_url(run, 1)).content.decode()

    assert 'id="answer-area"' in page and 'id="feedback"' not in page
    assert "a1" not in facts_of(production_cache, run)


def test_a_conversation_goes_on_from_its_facts_and_a_reply_they_missed_is_a_replay(
    visitor, conversation_lesson, production_cache, django_assert_num_queries
):
    """Each reply adds itself to the run's facts, so the next turn's page needs no query.
    A reply whose fact was lost (the process stopped after its commit) is offered again;
    sending it again is a replay, not a conflict, and the facts are read again."""
    from quizzes.models import Reply

    run = start(visitor, conversation_lesson)
    url = question_url(run, 1)
    visitor.get(url)
    what_case = Reply.objects.get(text_en="What case?")
    visitor.post(url, {"turn": what_case.turn_id, "reply": what_case.pk})
    with django_assert_num_queries(0):
        assert "Move your savings" in visitor.get(url).content.decode()

    facts = facts_of(production_cache, run)
    del facts[f"t1:{what_case.turn_id}"]
    production_cache.set(facts_key(run.public_id), facts)
    again = visitor.post(url, {"turn": what_case.turn_id, "reply": what_case.pk})

    assert again.status_code == 302
    assert "Move your savings" in visitor.get(url).content.decode()
    assert f"t1:{what_case.turn_id}" in facts_of(production_cache, run)


def test_an_answer_is_stored_when_redis_fails_to_take_its_fact(
    visitor, lesson, production_cache, monkeypatch
):
    run = start_and_warm(visitor, lesson, 0)

    def unreachable(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(production_cache, "add_fields", unreachable)
    response = visitor.post(question_url(run, 1), {"choice": right_choice(run, 1).pk})

    assert response.status_code == 302
    assert run.answers.count() == 1


def test_an_answer_stored_while_its_runs_facts_were_read_from_the_database_still_reaches_them(
    visitor, lesson, production_cache
):
    """The first page of the run read its facts before the answer was committed, and
    stores them after the answer added itself: the answer stays."""
    run = start(visitor, lesson)
    read_before = facts_from_database("default", run.public_id)
    assert "a1" not in read_before

    visitor.post(question_url(run, 1), {"choice": right_choice(run, 1).pk})
    production_cache.add_fields(facts_key(run.public_id), read_before, 60)

    assert "a1" in facts_of(production_cache, run)
    assert 'id="feedback"' in visitor.get(question_url(run, 1)).content.decode()


def test_another_learners_run_is_not_shown_from_its_facts(
    visitor, lesson, production_cache, client_factory
):
    run = start_and_warm(visitor, lesson, 0)
    assert facts_of(production_cache, run)["run"]
    stranger = client_factory()
    start(stranger, lesson)  # a learner of their own

    assert stranger.get(question_url(run, 1)).status_code == 404


def test_a_run_moved_to_another_learner_is_read_again(visitor, lesson, production_cache):
    """Learners merge when a visitor signs in (Learner.absorb): the facts name the old
    owner, so the page reads the run from the database, and stores the new one."""
    run = start_and_warm(visitor, lesson, 0)
    new_owner = Learner.objects.create()
    QuizRun.objects.filter(pk=run.pk).update(learner=new_owner)
    session = visitor.session
    session[LEARNER_KEY] = new_owner.pk
    session.save()

    assert visitor.get(question_url(run, 1)).status_code == 200
    assert f" {new_owner.pk} " in facts_of(production_cache, run)["run"]


def test_facts_that_miss_a_stored_answer_are_dropped_at_the_conflict(
    visitor, lesson, production_cache
):
    """A process stopped between an answer's commit and adding it to the facts: the page
    offers the question again, the learner's other choice is refused, and the facts are
    read again, with the stored answer."""
    run = start_and_warm(visitor, lesson, 0)
    right = right_choice(run, 1)
    visitor.post(question_url(run, 1), {"choice": right.pk})
    facts = facts_of(production_cache, run)
    del facts["a1"]
    production_cache.set(facts_key(run.public_id), facts)
    assert 'id="feedback"' not in visitor.get(question_url(run, 1)).content.decode()

    wrong = run.run_questions.get(position=1).question.choices.exclude(pk=right.pk).first()
    refused = visitor.post(question_url(run, 1), {"choice": wrong.pk})

    assert refused.status_code == 409
    assert facts_of(production_cache, run) is None
    assert 'id="feedback"' in visitor.get(question_url(run, 1)).content.decode()
    assert "a1" in facts_of(production_cache, run)


def test_starting_another_quiz_reads_the_lessons_and_the_session(visitor, lesson, cache_calls):
    start(visitor, lesson)

    with cache_calls() as calls:
        start(visitor, lesson)

    # The session, read before the view (it brings the content generation of the published
    # lessons with it, in one MGET), then the per-address and per-learner limits on quiz
    # starts, counted together: the session knows the learner. Nothing else is written.
    assert calls.made == ["get_many", "count_uses"]


def test_a_first_quiz_writes_the_new_session_once(
    visitor, lesson, cache_calls, django_assert_num_queries
):
    visitor.get(reverse("quizzes:home"))
    visitor.get(lesson.get_absolute_url())

    # The lessons' generation, then the new session, written once. Its key is not looked
    # up first, in Redis nor in the database: the INSERT's unique key refuses a taken one.
    # Queries: the learner; the run and its questions (one statement on PostgreSQL,
    # QuizRun.objects.start; elsewhere in a transaction, a savepoint here); the session
    # (in a transaction, a savepoint here).
    expected = 5 if connection.vendor == "postgresql" else 8
    with cache_calls() as calls, django_assert_num_queries(expected):
        response = visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))

    assert response.status_code == 302
    # The two limits on quiz starts (per address, then per learner) open their windows,
    # each in the one round trip that counts it; the new run's facts are stored, so that
    # its first page needs no query.
    assert calls.made == ["get", "count_uses", "count_uses", "add_fields", "set"]


def test_a_new_runs_first_page_needs_no_query(
    visitor, lesson, cache_calls, client_factory, django_assert_num_queries
):
    start_and_warm(visitor, lesson, 0)
    other = client_factory()
    run = start(other, lesson)

    with cache_calls() as calls, django_assert_num_queries(0):
        response = other.get(question_url(run, 1))

    assert 'id="answer-area"' in response.content.decode()
    assert calls.made == ["get_many_and_fields"]


def test_a_progress_page_seen_again_reads_redis_twice(visitor, lesson, cache_calls):
    """The session with the generation, then the learner's page, which only this
    learner sees and so is not among the process's own copies."""
    start_and_warm(visitor, lesson, 2)
    visitor.get(reverse("quizzes:progress"))

    with cache_calls() as calls:
        visitor.get(reverse("quizzes:progress"))

    assert calls.made == ["get_many", "get"]


# --- The Redis backend itself ---------------------------------------------------------


# A real Redis for the tests of the backend itself (CI sets it, .ci/run); the rest of the
# suite counts calls on a memory cache. Not REDIS_URL, which would put the whole suite's
# cache in one Redis for both test processes.
REAL_REDIS = os.environ.get("TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REAL_REDIS, reason="needs a Redis: set TEST_REDIS_URL")


def redis_cache(url):
    from quizzes.rediscache import RedisCache

    return RedisCache(url, {"KEY_PREFIX": "test-round-trips"})


def test_the_redis_cache_keeps_one_client_per_server():
    """Django's makes a new client, with its table of response callbacks, for every call."""
    cache = redis_cache("redis://127.0.0.1:6379/0")

    first = cache._cache.get_client(write=False)

    assert cache._cache.get_client(write=True) is first
    assert cache._cache.get_client("some-key") is first


def test_the_redis_cache_takes_keys_memcached_would_refuse_without_checking_them():
    """Django's check, meant for memcached, ran on every key of every call."""
    cache = redis_cache("redis://127.0.0.1:6379/0")
    long_key_with_spaces = "a run's facts " * 30

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        made = cache.make_and_validate_key(long_key_with_spaces)

    assert made.endswith(long_key_with_spaces)


def test_a_forked_process_makes_its_own_client():
    """A client holds one connection of its own; a child process must not share it."""
    cache = redis_cache("redis://127.0.0.1:6379/0")
    parents = cache._cache.get_client()

    cache._cache._pid = -1  # as in a child forked after the parent made its client

    assert cache._cache.get_client() is not parents
    assert cache._cache.get_client() is cache._cache.get_client()


@needs_redis
def test_a_client_whose_connection_redis_closed_connects_again():
    """Redis restarted, or closed an idle connection: the next call reconnects."""
    cache = redis_cache(REAL_REDIS)
    cache.set("still-here", 1)
    client = cache._cache.get_client()
    client.client_kill_filter(_id=client.client_id())

    assert cache.get("still-here") == 1


@needs_redis
def test_each_cache_call_is_one_redis_command():
    from redis.client import Redis

    cache = redis_cache(REAL_REDIS)
    commands = []
    execute = Redis.execute_command

    def count(client, *args, **options):
        commands.append(str(args[0]).upper())
        return execute(client, *args, **options)

    cache.delete_many(["counter", "missing", "a", "b", "window-1", "window-2"])
    # Redis learns each script on its first use (SCRIPT LOAD).
    with pytest.raises(ValueError):
        cache.incr("missing")
    cache.count_uses({"missing": 60})
    cache.delete("missing")
    Redis.execute_command = count
    try:
        cache.add("counter", 1, 60)
        assert cache.incr("counter") == 2
        with pytest.raises(ValueError):
            cache.incr("missing")
        cache.set("a", {"x": 1})
        assert cache.get_many(["a", "b"]) == {"a": {"x": 1}}
        assert cache.count_uses({"window-1": 60, "window-2": 3600}) == [1, 1]
        assert cache.count_uses({"window-1": 60, "window-2": 3600}) == [2, 2]
    finally:
        Redis.execute_command = execute

    assert commands == ["SET", "EVALSHA", "EVALSHA", "SET", "MGET", "EVALSHA", "EVALSHA"]
    assert cache.get("missing") is None
    # The counters are plain integers the cache reads back, with their windows.
    assert cache.get("window-2") == 2
    client = cache._cache.get_client()
    assert 0 < client.ttl(cache.make_key("window-1")) <= 60
    assert 60 < client.ttl(cache.make_key("window-2")) <= 3600
    cache.delete_many(["counter", "a", "window-1", "window-2"])


@needs_redis
def test_a_runs_facts_are_read_with_the_session_and_added_to_in_one_command_each():
    from redis.client import Redis

    cache = redis_cache(REAL_REDIS)
    cache.delete_many(["session", "facts"])
    cache.add_fields("facts", {"q1": "7"}, 60)  # Redis learns the scripts
    cache.get_many_and_fields(["session"], "facts")
    cache.delete("facts")
    commands = []
    execute = Redis.execute_command

    def count(client, *args, **options):
        commands.append(str(args[0]).upper())
        return execute(client, *args, **options)

    cache.set("session", {"learner_id": 3})
    Redis.execute_command = count
    try:
        assert cache.get_many_and_fields(["session", "absent"], "facts") == (
            {"session": {"learner_id": 3}},
            {},
        )
        cache.add_fields("facts", {"run": "1 3 - 5 -", "q1": "7"}, 60)
        cache.add_fields("facts", {"a1": "9 11 -"}, 3600)
        _session, facts = cache.get_many_and_fields(["session"], "facts")
    finally:
        Redis.execute_command = execute

    assert commands == ["EVALSHA"] * 4
    assert facts == {"run": "1 3 - 5 -", "q1": "7", "a1": "9 11 -"}
    # Each addition gives the hash its time-out again.
    assert 60 < cache._cache.get_client().ttl(cache.make_key("facts")) <= 3600
    # Outdated facts are replaced whole.
    cache.add_fields("facts", {"run": "1 4 - 5 -", "q1": "7"}, 60, replace=True)
    assert cache.get_many_and_fields(["session"], "facts")[1] == {"run": "1 4 - 5 -", "q1": "7"}
    cache.delete_many(["session", "facts"])


@needs_redis
def test_an_answers_limits_are_counted_in_the_round_trip_that_reads_its_facts():
    """The learner's counter is named after the run's owner, which the facts give; without
    facts nothing is counted (the answer then counts on its own)."""
    from redis.client import Redis

    cache = redis_cache(REAL_REDIS)
    cache.delete_many(["session", "facts", "learner-3", "address"])
    count = (("learner-{owner}", 60), ("address", 3600))
    assert cache.get_many_and_fields(["session"], "facts", count=count) == ({}, {}, None)
    assert cache.get_many(["learner-3", "address"]) == {}
    cache.add_fields("facts", {"run": "1 3 - 5 -", "q1": "7"}, 60)
    commands = []
    execute = Redis.execute_command

    def note(client, *args, **options):
        commands.append(str(args[0]).upper())
        return execute(client, *args, **options)

    Redis.execute_command = note
    try:
        first = cache.get_many_and_fields(["session"], "facts", count=count)
        second = cache.get_many_and_fields(["session"], "facts", count=count)
    finally:
        Redis.execute_command = execute

    assert commands == ["EVALSHA", "EVALSHA"]
    assert first == ({}, {"run": "1 3 - 5 -", "q1": "7"}, (3, [1, 1]))
    assert second[2] == (3, [2, 2])
    # The same counters ratelimit.count_uses counts, with their windows.
    assert cache.get_many(["learner-3", "address"]) == {"learner-3": 2, "address": 2}
    client = cache._cache.get_client()
    assert 0 < client.ttl(cache.make_key("learner-3")) <= 60
    assert 60 < client.ttl(cache.make_key("address")) <= 3600
    cache.delete_many(["session", "facts", "learner-3", "address"])


# --- The database connection's health check (PostgreSQL) ------------------------------

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's connection handling"
)


def backend_query(pid):
    """What PostgreSQL says backend ``pid`` ran last, asked on another connection."""
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        return other.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()[0]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_healthy_connection_is_checked_without_a_query():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]

    assert connection.is_usable()
    assert backend_query(pid) == "SELECT pg_backend_pid()"


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_ended_is_replaced_before_the_next_request(visitor, lesson):
    visitor.get(lesson.get_absolute_url())
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    select.select([connection.connection.fileno()], [], [], 5)  # the server's farewell
    close_old_connections()  # as Django does when a request starts (the test client not)

    response = visitor.post(reverse("quizzes:start-quiz", args=[lesson.slug]))

    assert response.status_code == 302
    assert connection.connection.info.backend_pid != pid
    assert QuizRun.objects.count() == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_question_page_seen_often_runs_a_prepared_statement(visitor, lesson):
    """PostgreSQL plans the run question's query once per connection, not on every view:
    Django turns psycopg's automatic preparation off unless the settings ask for it, and
    planning that query cost PostgreSQL four times what running it did (README, scaling)."""
    run = start_and_warm(visitor, lesson, 0)
    for _ in range(6):
        visitor.get(question_url(run, 1))

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans + custom_plans FROM pg_prepared_statements"
        )
        prepared = cursor.fetchall()

    assert any("quizzes_runquestion" in sql and runs >= 1 for sql, runs in prepared)
