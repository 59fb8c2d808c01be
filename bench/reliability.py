"""Reliability under load: no 5xx, no lost or duplicated answers, and recovery from a
PostgreSQL restart.

    .venv/bin/python -m bench.reliability                 # what `make reliability` runs
    .venv/bin/python -m bench.reliability --restart-db    # restart PostgreSQL half-way

A fresh database ``antifraud_reliability`` (migrated, curriculum loaded), collectstatic,
then gunicorn (2 sync workers, DEBUG off, REDIS_URL on Redis db 15) on 127.0.0.1. Virtual
users browse, take quizzes (plain form posts and htmx posts, with session and CSRF token)
and look at their progress and results for a fixed time. Every answer the server
acknowledged (302 to the feedback, or 200 with the feedback fragment for htmx) is noted,
and afterwards the database is checked: every acknowledged answer stored with its choice,
one answer per run and question, runs whose every answer was acknowledged finished, each
answer's learner its run's learner, and no 5xx. With --restart-db, PostgreSQL is restarted
in the middle: what users saw meanwhile must be the friendly 503 page, never a 500, and
the site must recover by itself. See README.md, "Reliability checks".
"""

import argparse
import sys
import threading
import time
import uuid

from . import servers
from .client import LESSON_LINK_RE, Session, check_loopback
from .reliability_database import (
    DATABASE,
    DATABASE_URL,
    Restart,
    database_checks,
    ensure_postgres_running,
    restart_postgres,
)
from .reliability_report import report
from .reliability_users import User
from .servers import DATA, HOST, REDIS_URL, Gunicorn, Target

LIMITS = {"duration": 600, "users": 64}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.reliability", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (60)")
    parser.add_argument("--users", type=int, default=16, help="virtual users (16)")
    parser.add_argument(
        "--restart-db",
        action="store_true",
        help="restart PostgreSQL (pg_ctlcluster 15 main) in the middle of the load",
    )
    parser.add_argument(
        "--restart-at",
        type=float,
        default=None,
        help="seconds into the load to restart PostgreSQL (default: half the duration)",
    )
    parser.add_argument(
        "--recovery-limit",
        type=float,
        default=10.0,
        help="most seconds after the restart command returns until 5xx stop (10)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="most requests in all (200000)"
    )
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help="no REDIS_URL: per-worker memory cache and database sessions",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-setup", action="store_true", help="reuse the database as it is")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= LIMITS["duration"]:
        parser.error(f"--duration must be in (0, {LIMITS['duration']}]")
    if not 1 <= args.users <= LIMITS["users"]:
        parser.error(f"--users must be in [1, {LIMITS['users']}]")
    if args.workers < 2:
        parser.error("--workers must be 2 or more")
    if args.max_requests < args.users:
        parser.error("--max-requests must be at least --users")
    if args.restart_at is None:
        args.restart_at = args.duration / 2
    if args.restart_db and not 0 < args.restart_at < args.duration:
        parser.error("--restart-at must fall inside the load")
    return args


def main(argv=None):
    args = parse_args(argv)
    check_loopback(HOST)
    DATA.mkdir(parents=True, exist_ok=True)
    target = Target(
        "reliability",
        "antifraud.wsgi",
        [],
        database_url=DATABASE_URL,
        redis_url=None if args.no_redis else REDIS_URL,
        description="the app on PostgreSQL for the reliability run",
        extra_env={
            "RATE_LIMIT_SIGNUPS_PER_HOUR": "1000000000",
            # A release of its own: nothing cached by an earlier run (or another app on
            # this Redis) is read back.
            "RELEASE": f"reliability-{uuid.uuid4().hex[:12]}",
        },
    )
    mode = "with a PostgreSQL restart" if args.restart_db else "no restart"
    print(
        f"Reliability run ({mode}): {args.duration:g} s, {args.users} users, gunicorn "
        f"{args.workers} sync workers, database {DATABASE}, "
        f"{'no Redis' if args.no_redis else 'Redis ' + REDIS_URL}",
        flush=True,
    )
    servers.check_postgres()
    log_path = DATA / "reliability-setup.log"
    with open(log_path, "w") as log:
        if not args.no_setup:
            print("fresh database, migrate, load_curriculum, collectstatic ...", flush=True)
            servers.reset_database(target, log)
            servers.collectstatic(target, log)
    server = Gunicorn(target, DATA / "gunicorn-reliability.log", workers=args.workers)
    stop_event = threading.Event()
    restart = Restart(args.restart_at) if args.restart_db else None
    users = []
    try:
        server.start("/en/")
        print(
            f"gunicorn on {HOST}:{server.port}: master {server.process.pid}, workers "
            f"{', '.join(map(str, server.worker_pids()))}",
            flush=True,
        )
        home = Session(HOST, server.port).get("/en/")
        lessons = sorted(set(LESSON_LINK_RE.findall(home.text)))
        if not lessons:
            raise RuntimeError("no lesson on the home page: is the curriculum loaded?")
        t0 = time.perf_counter()
        per_user = args.max_requests // args.users
        users = [
            User(i, server.port, lessons, t0, t0 + args.duration, per_user, args.seed)
            for i in range(args.users)
        ]
        threads = [threading.Thread(target=u.run, name=f"user{u.index}") for u in users]
        if restart:
            threads.append(
                threading.Thread(
                    target=restart_postgres, args=(restart, t0, stop_event), name="restart"
                )
            )
        for thread in threads:
            thread.daemon = True
            thread.start()
        for thread in threads:
            # Every request ends within the client's time-out, the restart within 150 s.
            thread.join(args.duration + 180)
        stop_event.set()
        wall = time.perf_counter() - t0
    finally:
        stop_event.set()
        server.stop()
        if args.restart_db:
            ensure_postgres_running()
    problems = server.log_problems()
    records = [r for u in users for r in u.records]
    acks = [a for u in users for a in u.acks]
    db = database_checks(acks)
    return report(args, records, acks, users, db, restart, wall, problems, server.log_path)


if __name__ == "__main__":
    sys.exit(main())
