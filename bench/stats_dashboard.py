"""Time the statistics dashboard over 1,000,000 answers from 100,000 learners.

    .venv/bin/python bench/stats_dashboard.py [--learners 100000] [--keep]

Creates the PostgreSQL database ``antifraud_stats`` (dropped first unless --keep finds it
filled), migrates it, loads the curriculum, writes learners, runs and answers with COPY
(bulk inserts), then renders /admin/quizzes/lesson/statistics/ as a superuser and
prints the timings: "cold" recomputes every figure from the answers (?refresh=1), "warm"
serves the cached snapshot, as officers normally see it (refresh_statistics renews it
from cron). Only 127.0.0.1 is contacted.

Each learner takes two lesson quizzes of five questions; their chance of a right answer
follows their ability and the question's difficulty, so facility and discrimination have
realistic spreads. Run questions (RunQuestion rows) are not generated: the dashboard
does not read them.
"""

import argparse
import datetime
import io
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "antifraud_stats"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
ENV = {
    **os.environ,
    "DATABASE_URL": URL,
    "SECRET_KEY": "bench-only-secret-key",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "testserver,127.0.0.1",
}


def psql(sql, database="postgres"):
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-qc", sql],
        check=True,
        env=ENV,
    )


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def generate(learners, seed=2026):
    import psycopg

    rng = random.Random(seed)
    with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={DB}") as conn:
        cur = conn.cursor()
        cur.execute(
            "SELECT q.id, q.lesson_id, c.id, c.is_correct FROM quizzes_question q "
            "JOIN quizzes_choice c ON c.question_id = q.id WHERE q.status = 'published' "
            "ORDER BY q.lesson_id, q.position, c.position"
        )
        lessons = {}
        for question, lesson, choice, correct in cur.fetchall():
            questions = lessons.setdefault(lesson, {})
            entry = questions.setdefault(question, {"right": None, "wrong": []})
            if correct:
                entry["right"] = choice
            else:
                entry["wrong"].append(choice)
        difficulty = {q: rng.uniform(-0.25, 0.2) for qs in lessons.values() for q in qs}
        lesson_ids = sorted(lessons)
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM quizzes_learner")
        first_learner = cur.fetchone()[0] + 1
        now = datetime.datetime.now(datetime.UTC)

        learner_rows, run_rows, answer_rows = io.StringIO(), io.StringIO(), io.StringIO()
        run_id = answer_id = 0
        for n in range(learners):
            learner = first_learner + n
            started = now - datetime.timedelta(days=rng.uniform(0, 365))
            learner_rows.write(f"{learner}\t\\N\t{started.isoformat()}\n")
            ability = rng.uniform(0.35, 0.95)
            seen = set()
            for visit in range(2):
                lesson = rng.choice(lesson_ids)
                questions = list(lessons[lesson].items())[:5]
                run_id += 1
                at = started + datetime.timedelta(hours=visit * rng.uniform(1, 500))
                finished = at + datetime.timedelta(minutes=5)
                run_rows.write(
                    f"{run_id}\t{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{learner}\t"
                    f"{lesson}\t{len(questions)}\t{at.isoformat()}\t{finished.isoformat()}\n"
                )
                for question, choices in questions:
                    answer_id += 1
                    right = rng.random() < ability + difficulty[question]
                    choice = choices["right"] if right else rng.choice(choices["wrong"])
                    first = question not in seen
                    seen.add(question)
                    answered = at + datetime.timedelta(seconds=30 * len(seen))
                    answer_rows.write(
                        f"{answer_id}\t{run_id}\t{learner}\t{question}\t{choice}\t"
                        f"{'t' if right else 'f'}\t{'t' if first else 'f'}\t"
                        f"{answered.isoformat()}\n"
                    )
        for table, columns, data in [
            ("quizzes_learner", "id, user_id, created_at", learner_rows),
            (
                "quizzes_quizrun",
                "id, public_id, learner_id, lesson_id, size, started_at, finished_at",
                run_rows,
            ),
            (
                "quizzes_answer",
                "id, run_id, learner_id, question_id, choice_id, is_correct, first_attempt, "
                "answered_at",
                answer_rows,
            ),
        ]:
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(data.getvalue())
        for table in ("quizzes_learner", "quizzes_quizrun", "quizzes_answer"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT MAX(id) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")
    return answer_id


def time_dashboard(rounds):
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "antifraud.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from quizzes.models import Answer, Learner

    user, _ = get_user_model().objects.get_or_create(
        username="bench-chief", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client()
    client.force_login(user)
    print(f"answers: {Answer.objects.count():,}, learners: {Learner.objects.count():,}")
    results = {}
    since = datetime.date.today() - datetime.timedelta(days=90)
    for label, query in [
        ("all time, cold (recomputed)", "?refresh=1"),
        ("all time, warm (snapshot)", ""),
        ("last 90 days, cold (recomputed)", f"?start={since}&refresh=1"),
        ("last 90 days, warm (snapshot)", f"?start={since}"),
    ]:
        timings = []
        for _ in range(rounds if "warm" in label else 3):
            started = time.perf_counter()
            response = client.get("/admin/quizzes/lesson/statistics/" + query)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        results[label] = timings
        print(
            f"dashboard, {label}: median {statistics.median(timings):.0f} ms, "
            f"min {min(timings):.0f} ms, max {max(timings):.0f} ms over {len(timings)} renders"
        )
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse a filled database")
    args = parser.parse_args()
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {DB}")
        psql(f"CREATE DATABASE {DB}")
        manage("migrate", "--noinput", "-v0")
        manage("load_curriculum", "-v0")
        started = time.perf_counter()
        answers = generate(args.learners)
        print(f"wrote {answers:,} answers in {time.perf_counter() - started:.0f} s")
    time_dashboard(args.rounds)


if __name__ == "__main__":
    main()
