"""Reliability run: restarting PostgreSQL half-way, and checking the database afterwards."""

import contextlib
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass

from .servers import HOST, PG_ADMIN_URL

DATABASE = "antifraud_reliability"
DATABASE_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE
RESTART_COMMAND = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
START_COMMAND = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "start"]


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
