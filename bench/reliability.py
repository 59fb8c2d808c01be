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
import contextlib
import random
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from . import servers
from .client import CHOICE_RE, LESSON_LINK_RE, RUN_SIZE_RE, HTTPError, Session, check_loopback
from .client import request as http_request
from .load import percentile
from .servers import DATA, HOST, PG_ADMIN_URL, REDIS_URL, ROOT, Gunicorn, Target

DATABASE = "antifraud_reliability"
DATABASE_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE
FRIENDLY_503 = b"The site is busy for a moment"
RESTART_COMMAND = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
START_COMMAND = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start"]
BACKOFF = (0.1, 0.3)  # seconds a user waits after a 503 or a connection error
# Pages that read the database whatever the cache holds: the first 200 of one of these
# after the restart is when the site is back for learners.
DB_KINDS = {"question", "answer", "answer-htmx", "feedback", "progress", "results", "start"}
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


# Recording every request -------------------------------------------------------------------


@dataclass
class Record:
    start: float  # seconds since the load started
    end: float
    method: str
    kind: str
    path: str
    status: int | None  # None: connection error, time-out or unreadable reply
    friendly: bool = False  # a 503 with the friendly text and Retry-After
    error: str | None = None

    @property
    def seconds(self):
        return self.end - self.start


class Recorder:
    """A transport for client.Session that notes every request and its outcome."""

    def __init__(self, t0, records):
        self.t0, self.records, self.kind = t0, records, "?"

    def __call__(self, host, port, method, path, headers, body=b""):
        start = time.perf_counter() - self.t0
        try:
            response = http_request(host, port, method, path, headers, body)
        except (OSError, HTTPError) as exc:
            end = time.perf_counter() - self.t0
            error = f"{type(exc).__name__}: {exc}"
            self.records.append(Record(start, end, method, self.kind, path, None, error=error))
            raise
        end = time.perf_counter() - self.t0
        friendly = (
            response.status == 503
            and FRIENDLY_503 in response.body
            and response.header("retry-after") is not None
        )
        self.records.append(Record(start, end, method, self.kind, path, response.status, friendly))
        return response


# Virtual users -----------------------------------------------------------------------------


@dataclass
class QuizState:
    public_id: str
    prefix: str  # /en/runs/<uuid>/
    size: int | None = None
    position: int = 1
    pending: tuple | None = None  # (choice, htmx): a POST that got no answer, to send again


@dataclass
class Ack:
    public_id: str
    position: int
    choice: int
    htmx: bool
    at: float  # seconds since the load started
    sent: float  # wall clock (time.time()) when the acknowledged POST was sent
    retry: bool  # the same choice sent again after a 503 or a lost reply


@dataclass
class User:
    index: int
    port: int
    lessons: list
    t0: float
    stop_at: float
    max_requests: int
    seed: int
    records: list = field(default_factory=list)
    acks: list = field(default_factory=list)
    runs: dict = field(default_factory=dict)  # public id -> size
    quiz: QuizState | None = None
    retries: int = 0  # answers sent again after a 503 or a connection error
    answered_unacknowledged: int = 0  # question pages showing feedback we got no ack for
    failures: list = field(default_factory=list)  # client-side surprises, for the report

    def __post_init__(self):
        self.rng = random.Random(self.seed * 1000 + self.index)
        self.recorder = Recorder(self.t0, self.records)
        self.session = Session(HOST, self.port, transport=self.recorder)

    # -- helpers

    def done(self):
        return time.perf_counter() >= self.stop_at or len(self.records) >= self.max_requests

    def backoff(self):
        time.sleep(self.rng.uniform(*BACKOFF))

    def note(self, message):
        if len(self.failures) < 20:
            self.failures.append(f"t={time.perf_counter() - self.t0:.2f}s {message}")

    def get(self, kind, path, session=None, headers=()):
        self.recorder.kind = kind
        return (session or self.session).get(path, expect=None, headers=headers)

    def post(self, kind, path, fields, headers=()):
        self.recorder.kind = kind
        return self.session.post(path, fields, expect=None, headers=headers)

    # -- the loop

    def run(self):
        actions = [
            (self.quiz_step, 6),
            (self.browse, 2),
            (self.progress, 1),
            (self.results, 1),
        ]
        steps, weights = zip(*actions, strict=True)
        while not self.done():
            step = self.rng.choices(steps, weights)[0]
            try:
                step()
            except (OSError, HTTPError) as exc:  # recorded by the transport
                self.note(f"{type(exc).__name__}: {exc}")
                self.backoff()

    def browse(self):
        slug = self.rng.choice(self.lessons)
        path = self.rng.choice(["/en/", f"/en/lessons/{slug}/", "/en/reminders/"])
        kind = {"/en/": "home", "/en/reminders/": "reminders"}.get(path, "lesson")
        if self.rng.random() < 0.5:  # a first-time visitor: no cookies
            visitor = Session(HOST, self.port, transport=self.recorder)
            response = self.get(kind, path, session=visitor)
        else:
            response = self.get(kind, path)
        self.after(response)

    def progress(self):
        self.after(self.get("progress", "/en/progress/"))

    def results(self):
        if not self.runs:
            return self.progress()
        public_id = self.rng.choice(list(self.runs))
        self.after(self.get("results", f"/en/runs/{public_id}/results/"))

    def after(self, response):
        """Back off after a 503 (Retry-After is 10 s; learners press reload sooner)."""
        if response.status >= 500:
            self.backoff()
        elif response.status >= 400:
            self.note(f"{response.status} on {self.recorder.kind}")

    def start_quiz(self):
        if self.rng.random() < 0.15:
            page_path = post_path = "/en/practice/"
        else:
            page_path = f"/en/lessons/{self.rng.choice(self.lessons)}/"
            post_path = f"{page_path}quiz/"
        page = self.get("lesson" if post_path != page_path else "practice", page_path)
        if page.status != 200 or self.session.csrf_token is None:
            return self.after(page)
        response = self.post("start", post_path, {"csrfmiddlewaretoken": self.session.csrf_token})
        if response.status != 302:
            return self.after(response)
        target = self.session.location(response)
        prefix, _, position = target.rstrip("/").rpartition("/")
        if position != "1" or "/runs/" not in prefix:
            self.note(f"starting a quiz redirected to {target}")
            return None
        public_id = prefix.rsplit("/", 1)[1]
        self.quiz = QuizState(str(uuid.UUID(public_id)), prefix + "/")
        return None

    def quiz_step(self):
        """One step of the current quiz: open the question (unless an answer is to be sent
        again), post a choice, plain or htmx, and read the feedback."""
        quiz = self.quiz
        if quiz is None:
            return self.start_quiz()
        path = f"{quiz.prefix}{quiz.position}/"
        if quiz.pending is None:
            page = self.get("question", path)
            if page.status != 200:
                return self.after(page)
            if quiz.size is None:
                match = RUN_SIZE_RE.search(page.text)
                if not match:
                    self.note(f"{path}: no progress bar")
                    return None
                quiz.size = int(match.group(1))
                self.runs[quiz.public_id] = quiz.size
            if b'id="feedback"' in page.body:
                # Stored by a request whose reply we did not get (a 503 after the INSERT,
                # or a lost connection): not acknowledged, so not counted.
                self.answered_unacknowledged += 1
                return self.next_question()
            choices = CHOICE_RE.findall(page.text)
            if not choices and (b'name="spot"' in page.body or b'name="reply"' in page.body):
                # Tap the red flags and conversations are answered otherwise: this harness
                # checks chosen answers, so it leaves them (their run stays unfinished).
                return self.next_question()
            if not choices or self.session.csrf_token is None:
                self.note(f"{path}: no answer form")
                self.quiz = None
                return None
            quiz.pending = (int(self.rng.choice(choices)), self.rng.random() < 0.5)
            retry = False
        else:
            self.retries += 1
            retry = True
        choice, htmx = quiz.pending
        sent = time.time()
        fields = {"csrfmiddlewaretoken": self.session.csrf_token, "choice": str(choice)}
        if htmx:
            headers = ["HX-Request: true", f"HX-Current-URL: {self.session.origin}{path}"]
            response = self.post("answer-htmx", path, fields, headers)
            acknowledged = response.status == 200 and b'id="feedback"' in response.body
        else:
            response = self.post("answer", path, fields)
            acknowledged = response.status == 302 and self.session.location(response) == path
        if not acknowledged:
            if response.status < 500:
                # 4xx (or an unexpected 2xx/3xx): not an outage; the checks report it.
                self.note(f"answer {path} -> {response.status}")
                quiz.pending = None
                self.quiz = None
            return self.after(response)
        at = time.perf_counter() - self.t0
        self.acks.append(Ack(quiz.public_id, quiz.position, choice, htmx, at, sent, retry))
        quiz.pending = None
        if not htmx and not self.done():
            feedback = self.get("feedback", path)
            if feedback.status == 200 and b'id="feedback"' not in feedback.body:
                self.note(f"{path}: no feedback after an acknowledged answer")
        return self.next_question()

    def next_question(self):
        quiz = self.quiz
        quiz.position += 1
        if quiz.position > quiz.size:
            self.quiz = None
            # Half the learners look at their results; the others leave (the results page
            # would mark a run finished that its last answer did not).
            if self.rng.random() < 0.5 and not self.done():
                self.after(self.get("results", f"{quiz.prefix}results/"))


# The restart -------------------------------------------------------------------------------


@dataclass
class Restart:
    at: float  # when to start, seconds into the load
    started: float | None = None
    ended: float | None = None
    returncode: int | None = None
    output: str = ""
    ready_after: float | None = None  # pg_isready answered, seconds after ``started``


def restart_postgres(restart, t0, stop_event):
    delay = t0 + restart.at - time.perf_counter()
    if delay > 0 and stop_event.wait(delay):
        return
    restart.started = time.perf_counter() - t0
    try:
        result = subprocess.run(
            RESTART_COMMAND, capture_output=True, text=True, timeout=120, check=False
        )
        restart.returncode = result.returncode
        restart.output = (result.stdout + result.stderr).strip()
    except (OSError, subprocess.SubprocessError) as exc:
        restart.returncode = -1
        restart.output = str(exc)
    restart.ended = time.perf_counter() - t0
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        if postgres_ready():
            restart.ready_after = time.perf_counter() - t0 - restart.started
            return
        time.sleep(0.1)


def postgres_ready():
    result = subprocess.run(
        ["pg_isready", "-q", "-h", HOST], capture_output=True, timeout=10, check=False
    )
    return result.returncode == 0


def ensure_postgres_running():
    """PostgreSQL must be left running, whatever happened."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        if postgres_ready():
            return True
        print("PostgreSQL is not accepting connections; starting it", flush=True)
        subprocess.run(START_COMMAND, timeout=120, check=False)
        for _ in range(100):
            if postgres_ready():
                return True
            time.sleep(0.2)
    return False


# The database checks -----------------------------------------------------------------------


def database_checks(acks):
    """Compare what the server acknowledged with what the database holds."""
    import psycopg

    with psycopg.connect(DATABASE_URL, connect_timeout=10) as conn:
        rows = conn.execute(
            """
            SELECT r.public_id::text, rq.position, a.choice_id,
                   extract(epoch FROM a.answered_at)::float8
            FROM quizzes_answer a
            JOIN quizzes_quizrun r ON r.id = a.run_id
            JOIN quizzes_runquestion rq
              ON rq.run_id = a.run_id AND rq.question_id = a.question_id
            """
        ).fetchall()
        stored = {(public_id, position): choice for public_id, position, choice, _ in rows}
        answered_at = {(public_id, position): at for public_id, position, _, at in rows}
        answers = conn.execute("SELECT count(*) FROM quizzes_answer").fetchone()[0]
        duplicates = conn.execute(
            """
            SELECT count(*) FROM (
                SELECT run_id, question_id FROM quizzes_answer
                GROUP BY run_id, question_id HAVING count(*) > 1
            ) d
            """
        ).fetchone()[0]
        outside = conn.execute(
            """
            SELECT count(*) FROM quizzes_answer a
            WHERE NOT EXISTS (
                SELECT 1 FROM quizzes_runquestion rq
                WHERE rq.run_id = a.run_id AND rq.question_id = a.question_id
            )
            """
        ).fetchone()[0]
        wrong_learner = conn.execute(
            """
            SELECT count(*) FROM quizzes_answer a
            JOIN quizzes_quizrun r ON r.id = a.run_id
            WHERE a.learner_id <> r.learner_id
            """
        ).fetchone()[0]
        runs = {
            public_id: (size, finished, answered)
            for public_id, size, finished, answered in conn.execute(
                """
                SELECT r.public_id::text, r.size, r.finished_at IS NOT NULL,
                       (SELECT count(*) FROM quizzes_answer a WHERE a.run_id = r.id)
                FROM quizzes_quizrun r
                """
            )
        }
    acked = {}
    conflicting = 0
    for ack in acks:
        key = (ack.public_id, ack.position)
        if key in acked and acked[key] != ack.choice:
            conflicting += 1
        acked[key] = ack.choice
    missing = [key for key in acked if key not in stored]
    different = [key for key, choice in acked.items() if key in stored and stored[key] != choice]
    # Answers sent again after a 503 that the first, failed request had already stored:
    # the INSERT committed, then something later in that request failed.
    stored_by_failed = sum(
        1
        for ack in acks
        if ack.retry and answered_at.get((ack.public_id, ack.position), ack.sent) < ack.sent
    )
    positions = defaultdict(set)
    for public_id, position in acked:
        positions[public_id].add(position)
    complete = [p for p, seen in positions.items() if p in runs and len(seen) >= runs[p][0]]
    unfinished = [p for p in complete if not runs[p][1]]
    # Not a check: runs whose answers are all stored but are not marked finished, although
    # some answer was not acknowledged (its reply was a 503 or was lost).
    stored_unfinished = [
        p for p, (size, finished, answered) in runs.items() if answered >= size and not finished
    ]
    return {
        "answers_stored": answers,
        "runs_stored": len(runs),
        "acknowledged": len(acked),
        "conflicting_acks": conflicting,
        "missing": missing,
        "different": different,
        "duplicates": duplicates,
        "outside_run": outside,
        "wrong_learner": wrong_learner,
        "complete_runs": len(complete),
        "unfinished": unfinished,
        "stored_unfinished": [p for p in stored_unfinished if p not in complete],
        "stored_by_failed": stored_by_failed,
    }


# Reporting ---------------------------------------------------------------------------------


def ms(value):
    return "-" if value is None else f"{value * 1000:.1f}"


def latency_line(records):
    lat = sorted(r.seconds for r in records)
    return (
        " ".join(f"p{q} {ms(percentile(lat, q))}" for q in (50, 95, 99))
        + f" (max {ms(lat[-1] if lat else None)}) ms"
    )


def outage_figures(records, restart):
    """What users saw from the restart on.

    Recovery is the first 200 on a page that needs the database to a request sent after
    the outage was seen (the first 5xx answered), or after the restart command returned
    when no 5xx was seen: the database was down in between, so that 200 came from a new
    connection to the restarted server.
    """
    t = restart.started
    after = [r for r in records if r.end >= t]
    errors5 = [r for r in after if r.status is not None and r.status >= 500]
    first_5xx = min((r.end for r in errors5), default=None)
    since = first_5xx if first_5xx is not None else restart.ended
    first_200 = min(
        (r for r in after if r.status == 200 and r.kind in DB_KINDS and r.start >= since),
        key=lambda r: r.end,
        default=None,
    )
    return {
        "first_5xx": first_5xx,
        "last_5xx": max((r.end for r in errors5), default=None),
        "count_503": sum(1 for r in errors5 if r.status == 503),
        "friendly_503": sum(1 for r in errors5 if r.friendly),
        "first_200": first_200.end if first_200 else None,
        "first_200_kind": first_200.kind if first_200 else None,
    }


def timeline(records, start, end, step=0.25):
    """Responses per time slice around the restart: (slice start, ok, 503, other)."""
    rows = []
    t = start
    while t < end:
        group = [r for r in records if t <= r.end < t + step]
        ok = sum(1 for r in group if r.status is not None and r.status < 400)
        n503 = sum(1 for r in group if r.status == 503)
        rows.append((t, ok, n503, len(group) - ok - n503))
        t += step
    return rows


def rel(value, origin):
    return "-" if value is None else f"{value - origin:+.2f} s"


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


def report(args, records, acks, users, db, restart, wall, problems, log_path):
    statuses = Counter(r.status for r in records)
    errors = [r for r in records if r.status is None]
    print()
    print(f"Requests: {len(records)} in {wall:.1f} s ({len(records) / wall:.1f}/s)")
    print(
        "Statuses: "
        + ", ".join(
            f"{'conn error' if s is None else s}: {n}"
            for s, n in sorted(statuses.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        )
    )
    print(f"Latency, all requests: {latency_line(records)}")
    print(f"{'kind':<12}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    by_kind = defaultdict(list)
    for r in records:
        by_kind[r.kind].append(r)
    for kind in sorted(by_kind):
        group = by_kind[kind]
        lat = sorted(r.seconds for r in group)
        counts = Counter(r.status for r in group)
        print(
            f"{kind:<12}{len(group):>9}{ms(percentile(lat, 50)):>9}{ms(percentile(lat, 95)):>9}"
            f"{ms(percentile(lat, 99)):>9}  "
            + " ".join(f"{s}x{n}" for s, n in sorted(counts.items(), key=lambda kv: kv[0] or 0))
        )
    htmx = sum(1 for a in acks if a.htmx)
    print(
        f"Acknowledged answers: {len(acks)} ({len(acks) - htmx} plain, {htmx} htmx) in "
        f"{len({a.public_id for a in acks})} runs, {db['complete_runs']} of them answered in full"
    )
    print(
        f"Answers sent again after a 503: {sum(u.retries for u in users)} "
        f"({db['stored_by_failed']} already stored by the request that got the 503)"
    )
    print(
        "Questions found answered without an acknowledgement: "
        f"{sum(u.answered_unacknowledged for u in users)}"
    )
    print(f"Database: {db['runs_stored']} runs, {db['answers_stored']} answers stored")

    checks = []
    if restart is None:
        bad = sum(n for s, n in statuses.items() if s is not None and s >= 500)
        checks.append((bad == 0, f"no 5xx responses ({bad})"))
        unexpected = sum(n for s, n in statuses.items() if s is not None and s >= 400)
        checks.append((unexpected == 0, f"no 4xx responses ({unexpected})"))
    elif restart.started is None or restart.ended is None:
        checks.append((False, "PostgreSQL was restarted during the load (it was not)"))
    else:
        print()
        out = outage_figures(records, restart)
        t = restart.started
        print(
            f"PostgreSQL restart: started at {t:.2f} s into the load, command returned after "
            f"{restart.ended - t:.2f} s (exit {restart.returncode}), pg_isready after "
            f"{'-' if restart.ready_after is None else f'{restart.ready_after:.2f} s'}"
        )
        if restart.returncode:
            print(f"  restart output: {restart.output}")
        window = (
            f"{rel(out['first_5xx'], t)} to {rel(out['last_5xx'], t)}"
            if out["first_5xx"] is not None
            else "none (no 5xx seen)"
        )
        print(f"Outage window (first to last 5xx, from the restart): {window}")
        print(
            f"503 responses: {out['count_503']} ({out['friendly_503']} with the friendly "
            "page and Retry-After)"
        )
        print(
            "Recovery, from the restart start: first 200 on a database page sent after the "
            f"outage began {rel(out['first_200'], t)} ({out['first_200_kind'] or '-'}); "
            f"5xx stopped {rel(out['last_5xx'], t) if out['last_5xx'] is not None else '-'}"
        )
        last = max(out["last_5xx"] or 0, out["first_200"] or 0, restart.ended)
        print("Responses by quarter second (from the restart start): ok/503/other")
        slices = timeline(records, t - 0.5, last + 0.5)
        for i in range(0, len(slices), 6):
            print(
                "  "
                + "  ".join(
                    f"{start - t:+5.2f} {ok}/{n503}/{other}"
                    for start, ok, n503, other in slices[i : i + 6]
                )
            )
        before = [r for r in records if r.end < t]
        during = [r for r in records if r.end >= t]
        bad_before = [r for r in before if r.status is not None and r.status >= 400]
        checks.append((restart.returncode == 0, "PostgreSQL restart command succeeded"))
        checks.append((not bad_before, f"no 4xx/5xx before the restart ({len(bad_before)})"))
        n500 = sum(
            1 for r in records if r.status is not None and r.status >= 500 and r.status != 503
        )
        checks.append((n500 == 0, f"no 500 (or other 5xx than 503) responses ({n500})"))
        unfriendly = [
            r for r in during if r.status is not None and r.status >= 400 and not r.friendly
        ]
        checks.append(
            (
                not unfriendly,
                "every 4xx/5xx from the restart on is the friendly 503 page with Retry-After "
                f"({len(unfriendly)} not)",
            )
        )
        recovered = out["first_200"] is not None and (
            out["last_5xx"] is None or out["last_5xx"] <= restart.ended + args.recovery_limit
        )
        checks.append(
            (
                recovered,
                f"recovered by itself: a database page answered 200 and 5xx stopped within "
                f"{args.recovery_limit:g} s of the restart",
            )
        )
        if unfriendly:
            for r in unfriendly[:5]:
                where = f"{r.method} {r.path} ({r.kind})"
                print(f"  not friendly: {where} -> {r.status} at {r.end:.2f} s")
    checks.append((not errors, f"no connection errors or time-outs ({len(errors)})"))
    checks.append(
        (
            not db["missing"] and not db["different"] and not db["conflicting_acks"],
            f"every acknowledged answer stored with its choice ({db['acknowledged']} "
            f"acknowledged, {len(db['missing'])} missing, {len(db['different'])} with "
            f"another choice, {db['conflicting_acks']} acknowledged twice differently)",
        )
    )
    checks.append(
        (
            db["duplicates"] == 0 and db["outside_run"] == 0,
            f"one answer per run and question ({db['duplicates']} duplicates, "
            f"{db['outside_run']} answers to a question outside their run)",
        )
    )
    checks.append(
        (
            not db["unfinished"],
            f"runs with every answer acknowledged are finished ({db['complete_runs']} runs, "
            f"{len(db['unfinished'])} not finished)",
        )
    )
    checks.append(
        (
            db["wrong_learner"] == 0,
            f"every answer's learner is its run's learner ({db['wrong_learner']} not)",
        )
    )
    for key in ("missing", "different", "unfinished"):
        for item in db[key][:5]:
            print(f"  {key}: {item}")
    if db["stored_unfinished"]:
        print(
            f"Note: {len(db['stored_unfinished'])} runs have every answer stored but are not "
            "finished, and some answer of theirs was never acknowledged (first: "
            f"{db['stored_unfinished'][0]})"
        )
    samples = [m for u in users for m in u.failures][:8]
    for message in samples:
        print(f"  client note: {message}")
    if problems:
        print(f"{len(problems)} error lines in {log_path.relative_to(ROOT)}; first: {problems[0]}")
    print()
    for ok, text in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    failed = sum(1 for ok, _ in checks if not ok)
    print(f"\n{'PASS' if not failed else f'FAIL ({failed} checks)'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
