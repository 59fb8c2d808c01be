"""Does a long history make a learner's pages slower? The progress page and the mastery
page for a learner with 10 finished quizzes and for one with 500, side by side (issue 14).

    .venv/bin/python -m bench.history                      # part of `make bench`
    .venv/bin/python -m bench.history --requests 300 --histories 10,100,500

Builds its own SQLite database (bench/.data/history.sqlite3): schema, curriculum, and one
learner per history size who finished that many lesson quizzes, every answer stored
through ``QuizRun.record_answer`` (the path real answers take, which keeps the
per-learner summaries up to date), right or wrong at random. Then it requests
/en/progress/ and /en/what-you-spot/ with each learner's session, in-process through
Django's WSGI handler (no socket, no test client), the four pages in turn. Every page is
rendered afresh: the progress page's per-learner page cache is bypassed (in use, every
new answer makes the next view a miss); the mastery page is never cached. Content caches
stay warm, as in a running server.

Prints the median CPU time per request (``time.process_time`` of this single-threaded
process, client included) and the SQL queries per request; exits with 1 when a longer
history costs more than 20% more CPU than the shortest.
"""

import argparse
import dataclasses
import functools
import io
import os
import random
import statistics
import sys
import time

from . import servers
from .servers import DATA, HOST, ROOT, TARGETS

HISTORY_DB = DATA / "history.sqlite3"
PAGES = {"progress": "/en/progress/", "mastery": "/en/what-you-spot/"}
TOLERANCE = 0.20  # a longer history may cost this much more CPU per request


def target():
    return dataclasses.replace(
        TARGETS["sqlite"], name="history", database_url=f"sqlite:///{HISTORY_DB}"
    )


def build_database(log):
    for suffix in ("", "-wal", "-shm"):
        DATA.joinpath(f"{HISTORY_DB.name}{suffix}").unlink(missing_ok=True)
    servers.manage(target(), "migrate", "--noinput", "--verbosity", "0", log=log)
    servers.manage(target(), "load_curriculum", log=log)


def answer(run, rq, rng):
    """Answer one question of ``run`` as a learner would, through the model's recording
    path for its kind: a choice, the parts marked, or a walk through a conversation."""
    from quizzes.models.kinds import record_marks, record_step

    question = rq.question
    choices = list(question.choices.all())
    if choices:
        right = [c for c in choices if c.is_correct]
        wrong = [c for c in choices if not c.is_correct] or right
        return run.record_answer(rq, rng.choice(right if rng.random() < 0.7 else wrong))
    spots = list(question.spots.all())
    if spots:
        marked = rng.sample([s.pk for s in spots], rng.randint(1, len(spots)))
        return record_marks(run, question.pk, spots, marked)
    turns = {turn.pk: turn for turn in question.turns.prefetch_related("replies")}
    turn = min(turns.values(), key=lambda t: t.position)
    while True:
        reply = rng.choice(list(turn.replies.all()))
        ending = reply.next_ending
        record_step(run, question.pk, turn, reply, ending)
        if ending is not None:
            return None
        turn = turns[reply.next_turn_id]


def learner_with(quizzes, rng):
    """A learner who finished ``quizzes`` lesson quizzes, the lessons taken in turn."""
    from django.db import transaction

    from quizzes.models import Learner, Lesson

    lessons = list(Lesson.objects.for_home())
    learner = Learner.objects.create()
    with transaction.atomic():
        for n in range(quizzes):
            run = learner.start_run(lessons[n % len(lessons)])
            for rq in run.run_questions.select_related("question").order_by("position"):
                answer(run, rq, rng)
            run.refresh_from_db(fields=["finished_at"])
            if run.finished_at is None:
                raise RuntimeError(f"quiz {n + 1} did not finish")
    return learner


def session_cookie(learner):
    from importlib import import_module

    from django.conf import settings

    from quizzes.learners import SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = learner.pk
    store.save()
    return f"Cookie: {settings.SESSION_COOKIE_NAME}={store.session_key}"


def bypass_progress_cache():
    """Render the progress page on every request, as after each new answer."""
    from quizzes import caching

    cached_page = caching.page

    @functools.wraps(cached_page)
    def page(request, name, *args, **kwargs):
        if name.startswith("progress:"):
            kwargs["cache"] = False
        return cached_page(request, name, *args, **kwargs)

    caching.page = page


def measure(histories, requests, seed=1):
    """{(page, history): (median CPU ms, queries per request)}."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from .profile_endpoint import make_transport

    rng = random.Random(seed)
    cookies = {}
    for size in histories:
        started = time.monotonic()
        cookies[size] = session_cookie(learner_with(size, rng))
        print(f"  learner with {size} finished quizzes: {time.monotonic() - started:.1f} s")
    bypass_progress_cache()
    transport = make_transport(WSGIHandler())
    cases = [(page, size) for page in PAGES for size in histories]
    samples = {case: [] for case in cases}
    queries = dict.fromkeys(cases, 0)
    counting = [None]

    def count(execute, sql, params, many, context):
        queries[counting[0]] += 1
        return execute(sql, params, many, context)

    def get(case):
        page, size = case
        response = transport(HOST, 8000, "GET", PAGES[page], headers=[cookies[size]])
        if response.status != 200 or b"<h1" not in response.body:
            raise RuntimeError(f"{PAGES[page]} answered {response.status}")

    for _ in range(20):  # warm the content caches, templates and the connection
        for case in cases:
            get(case)
    with connection.execute_wrapper(count):
        for _ in range(requests):
            for case in cases:
                counting[0] = case
                cpu = time.process_time()
                get(case)
                samples[case].append(time.process_time() - cpu)
    return {
        case: (statistics.median(samples[case]) * 1000, queries[case] / requests) for case in cases
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=__doc__)
    parser.add_argument("--histories", default="10,500", help="finished quizzes per learner")
    parser.add_argument("--requests", type=int, default=200, help="requests per page and learner")
    args = parser.parse_args(argv)
    histories = sorted({int(n) for n in args.histories.split(",")})

    DATA.mkdir(parents=True, exist_ok=True)
    print(f"History bench: progress and mastery pages at {args.histories} finished quizzes")
    with open(DATA / "history-setup.log", "w") as log:
        if not (ROOT / "staticfiles" / "staticfiles.json").exists():
            servers.collectstatic(target(), log)
        build_database(log)
    os.environ.clear()
    os.environ.update(target().env())
    import django

    django.setup()
    results = measure(histories, args.requests)

    out = io.StringIO()
    shortest = histories[0]
    out.write(f"\n{'page':<10}" + "".join(f"{f'{n} quizzes':>22}" for n in histories) + "\n")
    failed = []
    for page in PAGES:
        base = results[(page, shortest)][0]
        row = f"{page:<10}"
        for size in histories:
            cpu, per_request = results[(page, size)]
            row += f"{f'{cpu:.2f} ms {cpu / base:.2f}x {per_request:.0f} q':>22}"
            if cpu > base * (1 + TOLERANCE):
                failed.append(f"{page} at {size}")
        out.write(row + "\n")
    out.write(
        f"\nMedian CPU per request over {args.requests} requests each (client included), "
        "its ratio to the shortest history, SQL queries per request.\n"
    )
    print(out.getvalue(), end="")
    if failed:
        print(f"More than {TOLERANCE:.0%} slower with a longer history: {', '.join(failed)}")
        return 1
    print(f"Within {TOLERANCE:.0%} at every history size.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
