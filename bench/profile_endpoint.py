"""Profile one endpoint in-process with cProfile (standard library, nothing to install).

    .venv/bin/python -m bench.profile_endpoint progress            # 200 ops on SQLite
    .venv/bin/python -m bench.profile_endpoint answer --ops 300 --target postgres
    .venv/bin/python -m bench.profile_endpoint lesson --sort tottime --limit 60
    .venv/bin/python -m bench.profile_endpoint answer --target production --cpu

The same virtual user as the load test drives Django's WSGI handler directly (no socket,
no gunicorn, no test client and its signal hooks), with the environment of the chosen
target: DEBUG off, the bench database, the bench rate limits. It uses the database
`make bench` left behind and creates it when missing (SQLite) or when --setup is given.
Prints the top functions and saves the profile to bench/.data/profile-<endpoint>.prof
(open it with `python -m pstats` or snakeviz). cProfile slows Python code down about
twofold, so read the shares, not the absolute times.
"""

import argparse
import cProfile
import functools
import io
import os
import pstats
import sys
import time
from collections import Counter

from . import servers
from .client import Response
from .load import ENDPOINTS, VirtualUser
from .servers import DATA, HOST, ROOT, SQLITE_PATH, TARGETS


def make_transport(handler):
    """A stand-in for client.request that calls the WSGI application in-process."""

    def transport(host, port, method, path, headers=(), body=b"", timeout=None):
        path_info, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path_info,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": f"{host}:{port}",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if body or method == "POST":
            environ["CONTENT_LENGTH"] = str(len(body))
        for line in headers:
            name, _, value = line.partition(":")
            key = name.strip().upper().replace("-", "_")
            if key != "CONTENT_TYPE":
                key = f"HTTP_{key}"
            environ[key] = value.strip()
        started = time.perf_counter()
        status = {}

        def start_response(line, response_headers, exc_info=None):
            status["code"] = int(line.split(" ", 1)[0])
            status["headers"] = [(k.lower(), v) for k, v in response_headers]

        result = handler(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return Response(status["code"], status["headers"], content, time.perf_counter() - started)

    return transport


def count_redis_commands():
    """Count the Redis round trips the app makes, by command (a pipeline is one)."""
    from redis.client import Pipeline, Redis

    counts = Counter()
    execute_command, execute_pipeline = Redis.execute_command, Pipeline.execute

    def command(self, *args, **options):
        if not isinstance(self, Pipeline):
            counts[str(args[0]).upper()] += 1
        return execute_command(self, *args, **options)

    def pipeline(self, *args, **kwargs):
        counts["PIPELINE"] += 1
        return execute_pipeline(self, *args, **kwargs)

    Redis.execute_command, Pipeline.execute = command, pipeline
    return counts


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.profile_endpoint")
    parser.add_argument("endpoint", choices=servers.APP_ENDPOINTS)
    parser.add_argument("--ops", type=int, default=200, help="operations to profile")
    parser.add_argument(
        "--target", default="sqlite", choices=[n for n, t in TARGETS.items() if t.is_app]
    )
    parser.add_argument("--lesson", default="", help="lesson slug (default: the first)")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key")
    parser.add_argument("--limit", type=int, default=40, help="rows to print")
    parser.add_argument("--setup", action="store_true", help="recreate the database first")
    parser.add_argument(
        "--no-page-cache",
        action="store_true",
        help="render every page as on a page-cache miss (the first view after a change)",
    )
    parser.add_argument(
        "--time-only",
        action="store_true",
        help="no profiler: print the in-process wall time per op (one thread, close to CPU)",
    )
    parser.add_argument(
        "--queries", type=int, default=0, metavar="N", help="list the N most frequent queries"
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time the profile by this process's CPU clock: waits for PostgreSQL and Redis"
        " then cost nothing, as in the bench's CPU figures",
    )
    args = parser.parse_args(argv)

    target = TARGETS[args.target]
    DATA.mkdir(parents=True, exist_ok=True)
    with open(DATA / "setup.log", "a") as log:
        if not (ROOT / "staticfiles" / "staticfiles.json").exists():
            servers.collectstatic(target, log)
        if args.setup or (args.target == "sqlite" and not SQLITE_PATH.exists()):
            print(f"Setting up the {args.target} bench database ...", flush=True)
            servers.reset_database(target, log)
    env = target.env()
    os.environ.clear()
    os.environ.update(env)
    import django
    from django.core.handlers.wsgi import WSGIHandler

    django.setup()
    if args.no_page_cache:
        from quizzes import caching

        cached_page = caching.page

        @functools.wraps(cached_page)
        def page(*args, **kwargs):
            return cached_page(*args, **{**kwargs, "cache": False})

        caching.page = page
    transport = make_transport(WSGIHandler())
    lesson = args.lesson
    if not lesson:
        from quizzes.models import Lesson

        lesson = Lesson.objects.published().order_by("position").first().slug
    user = VirtualUser(HOST, 8000, 0, lesson, transport=transport, proxy=target.behind_proxy)
    operation, needs_learner, description = ENDPOINTS[args.endpoint]
    if needs_learner:
        user.ensure_learner()
    for _ in range(20):  # warm caches, templates and connections
        operation(user)

    from django.db import connection

    queries = Counter()

    def count_query(execute, sql, params, many, context):
        queries[" ".join(sql.split())[:120]] += 1
        return execute(sql, params, many, context)

    redis_commands = count_redis_commands() if target.redis_url else None

    if args.time_only:
        requests = user.requests
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.ops):
            operation(user)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        requests = user.requests - requests
        if args.ops and requests:
            print(
                f"{args.endpoint} on {args.target}: {requests / args.ops:.2f} requests/op, "
                f"{elapsed / args.ops * 1000:.3f} ms/op, "
                f"{elapsed / requests * 1000:.3f} ms/request, CPU {cpu / requests * 1000:.3f} "
                f"ms/request (client included; {args.ops} ops, no profiler)"
            )
        return 0

    profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
    requests = user.requests
    started = time.perf_counter()
    with connection.execute_wrapper(count_query):
        profiler.enable()
        for _ in range(args.ops):
            operation(user)
        profiler.disable()
    elapsed = time.perf_counter() - started
    requests = user.requests - requests

    out = DATA / f"profile-{args.endpoint}.prof"
    profiler.dump_stats(out)
    stats = pstats.Stats(profiler)
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.limit)
    if args.queries:
        print("Most frequent SQL statements (first 120 characters), per op:")
        for sql, count in queries.most_common(args.queries):
            print(f"  {count / args.ops:6.2f}  {sql}")
        print()
    print(f"{args.endpoint} ({description}) on {args.target}, lesson {lesson}")
    print(f"{sum(queries.values()) / args.ops:.1f} SQL queries per op")
    if redis_commands is not None:
        commands = ", ".join(
            f"{name} {count / args.ops:.2f}" for name, count in redis_commands.most_common()
        )
        total = sum(redis_commands.values()) / args.ops
        print(f"{total:.1f} Redis round trips per op ({commands or 'none'})")
    print(
        f"{args.ops} ops, {requests} requests in {elapsed:.2f} s under cProfile: "
        f"{elapsed / args.ops * 1000:.2f} ms/op. Saved {out.relative_to(ROOT)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
