"""Time the retention statistics over about 1,000,000 answers on PostgreSQL (issue 14).

    .venv/bin/python -m bench.retention_stats [--learners 70000] [--keep] [--rounds 7]

Creates the PostgreSQL database ``antifraud_retention`` (dropped first unless --keep),
migrates it, loads the curriculum, then writes the history in the database itself with
INSERT ... SELECT over generate_series (no rows cross the socket; about a minute):

- per learner, two finished lesson quizzes of five questions (10 answers) with their
  per-lesson summaries (``LessonMemory``, as answers arriving would have left them);
- 30% of those completions with a 7-day re-check and 15% with a 30-day one (three
  answers each, the run recorded on the summary, as the re-check view does), and the
  re-check summaries the answers leave as they arrive (``LessonMemory``'s counts,
  ``RecheckFlag``);
- for half the learners, one daily review session of three answers.

70,000 learners give 994,000 answers. Right answers are drawn from a hash, about 70%.
Then it renders /admin/quizzes/statistics/retention/ as a superuser and prints the
timings: "cold" recomputes every figure (?refresh=1; the first time it also counts the
finished weeks of review activity, which are kept), "warm" is the page as officers see
it (the figures cached for STATISTICS_CACHE_SECONDS), and the three parts alone. Only
127.0.0.1 is contacted.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "antifraud_retention"
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
URL = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB
ENV = {
    **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")},
    "DATABASE_URL": URL,
    "SECRET_KEY": "bench-only-secret-key-not-for-production",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "testserver,127.0.0.1",
}

# Each statement runs once, in order; %(n)s is the number of learners. Ids are offsets
# from the tables' current maxima, so the curriculum's rows are left alone.
GENERATE = [
    # Lessons with at least five published choice questions, numbered from 0, and their
    # first five such questions with one right and one wrong choice each.
    """CREATE TEMP TABLE bl AS
       SELECT row_number() OVER (ORDER BY l.position, l.id) - 1 AS idx, l.id AS lesson_id
       FROM quizzes_lesson l WHERE l.status = 'published' AND (
         SELECT COUNT(*) FROM quizzes_question q WHERE q.lesson_id = l.id
         AND q.status = 'published'
         AND EXISTS (SELECT 1 FROM quizzes_choice c WHERE c.question_id = q.id)) >= 5""",
    """CREATE TEMP TABLE bq AS
       SELECT bl.idx, x.pos, x.question_id, x.right_choice, x.wrong_choice
       FROM bl CROSS JOIN LATERAL (
         SELECT row_number() OVER (ORDER BY q.position) AS pos, q.id AS question_id,
           (SELECT MIN(c.id) FROM quizzes_choice c
            WHERE c.question_id = q.id AND c.is_correct) AS right_choice,
           (SELECT MIN(c.id) FROM quizzes_choice c
            WHERE c.question_id = q.id AND NOT c.is_correct) AS wrong_choice
         FROM quizzes_question q WHERE q.lesson_id = bl.lesson_id AND q.status = 'published'
         AND EXISTS (SELECT 1 FROM quizzes_choice c WHERE c.question_id = q.id)
         ORDER BY q.position LIMIT 5) x""",
    """CREATE TEMP TABLE base AS SELECT
         (SELECT COALESCE(MAX(id), 0) FROM quizzes_learner) AS learner,
         (SELECT COALESCE(MAX(id), 0) FROM quizzes_quizrun) AS run,
         (SELECT COUNT(*) FROM bl) AS lessons,
         now() AS now""",
    # Learners joined over the last 120 days.
    """INSERT INTO quizzes_learner (id, user_id, created_at)
       SELECT base.learner + g, NULL, base.now - make_interval(days => 40 + g %% 120)
       FROM base, generate_series(1, %(n)s) g""",
    # Two lesson quizzes each (run ids learner*2 and learner*2+1 past the base), a few
    # days apart, on two different lessons.
    """INSERT INTO quizzes_quizrun (id, public_id, learner_id, lesson_id, size, started_at,
         finished_at)
       SELECT base.run + g * 2 + v, md5('run' || (g * 2 + v))::uuid, base.learner + g,
         bl.lesson_id, 5, t, t + interval '5 minutes'
       FROM base CROSS JOIN generate_series(1, %(n)s) g CROSS JOIN generate_series(0, 1) v
       CROSS JOIN LATERAL (SELECT base.now - make_interval(days => 40 + g %% 120)
         + make_interval(days => v * 3) AS t) at
       JOIN bl ON bl.idx = (g * 7 + v * 3) %% base.lessons""",
    """CREATE TEMP TABLE lesson_runs AS
       SELECT r.id AS run_id, r.learner_id, r.lesson_id, r.finished_at, bl.idx
       FROM quizzes_quizrun r JOIN bl ON bl.lesson_id = r.lesson_id, base
       WHERE r.id > base.run""",
    """INSERT INTO quizzes_answer (run_id, learner_id, question_id, choice_id, is_correct,
         first_attempt, answered_at)
       SELECT r.run_id, r.learner_id, bq.question_id,
         CASE WHEN ok THEN bq.right_choice ELSE bq.wrong_choice END, ok, true,
         r.finished_at - make_interval(secs => 60 * (6 - bq.pos))
       FROM lesson_runs r JOIN bq ON bq.idx = r.idx
       CROSS JOIN LATERAL (SELECT (hashint4((r.run_id * 8 + bq.pos)::int) & 1023) < 717
         AS ok) h""",
    """INSERT INTO quizzes_lessonmemory (learner_id, lesson_id, run_id, size, answered,
         right_answers, finished_runs, best, latest, completed_at, completion_score,
         updated_at)
       SELECT r.learner_id, r.lesson_id, r.run_id, 5, 5, s.right_answers, 1,
         s.right_answers / 5.0, s.right_answers / 5.0, r.finished_at,
         s.right_answers / 5.0, r.finished_at
       FROM lesson_runs r CROSS JOIN LATERAL (SELECT COUNT(*) FILTER (WHERE a.is_correct)
         AS right_answers FROM quizzes_answer a WHERE a.run_id = r.run_id) s""",
    # Re-checks: 30% of completions on day 7, 15% on day 30 (hash-chosen), three
    # answers each on the lesson's questions 3 to 5.
    """CREATE TEMP TABLE checks AS
       SELECT m.id AS memory_id, m.learner_id, m.lesson_id, d.day,
         m.completed_at + make_interval(days => d.day) AS at,
         bl.idx, row_number() OVER () AS n
       FROM quizzes_lessonmemory m JOIN bl ON bl.lesson_id = m.lesson_id
       CROSS JOIN (VALUES (7, 300), (30, 150)) d(day, per_thousand)
       WHERE (hashint4((m.id * 31 + d.day)::int) & 1023) < d.per_thousand * 1024 / 1000""",
    """INSERT INTO quizzes_quizrun (id, public_id, learner_id, lesson_id, size, started_at,
         finished_at)
       SELECT base.run + 2 * %(n)s + 2 + c.n, md5('check' || c.n)::uuid, c.learner_id, NULL,
         3, c.at, c.at + interval '2 minutes'
       FROM checks c, base""",
    """INSERT INTO quizzes_reviewrun (run_id, kind, lesson_id, day)
       SELECT base.run + 2 * %(n)s + 2 + c.n, 'recheck', c.lesson_id, c.day
       FROM checks c, base""",
    """INSERT INTO quizzes_answer (run_id, learner_id, question_id, choice_id, is_correct,
         first_attempt, answered_at)
       SELECT base.run + 2 * %(n)s + 2 + c.n, c.learner_id, bq.question_id,
         CASE WHEN ok THEN bq.right_choice ELSE bq.wrong_choice END, ok, false,
         c.at + make_interval(secs => 30 * bq.pos)
       FROM checks c CROSS JOIN base JOIN bq ON bq.idx = c.idx AND bq.pos >= 3
       CROSS JOIN LATERAL (SELECT (hashint4((c.n * 8 + bq.pos)::int) & 1023)
         < (CASE WHEN c.day = 7 THEN 620 ELSE 560 END) AS ok) h""",
    """UPDATE quizzes_lessonmemory m SET week_checked_at = c.at,
         week_run_id = base.run + 2 * %(n)s + 2 + c.n
       FROM checks c, base WHERE c.memory_id = m.id AND c.day = 7""",
    """UPDATE quizzes_lessonmemory m SET month_checked_at = c.at,
         month_run_id = base.run + 2 * %(n)s + 2 + c.n
       FROM checks c, base WHERE c.memory_id = m.id AND c.day = 30""",
    # The summaries the answers would have left as they arrived (count_recheck_answer).
    """UPDATE quizzes_lessonmemory m SET
         week_answered = CASE WHEN c.day = 7 THEN s.answered ELSE m.week_answered END,
         week_right = CASE WHEN c.day = 7 THEN s.right_answers ELSE m.week_right END,
         month_answered = CASE WHEN c.day = 30 THEN s.answered ELSE m.month_answered END,
         month_right = CASE WHEN c.day = 30 THEN s.right_answers ELSE m.month_right END
       FROM checks c CROSS JOIN base CROSS JOIN LATERAL (
         SELECT COUNT(*) AS answered, COUNT(*) FILTER (WHERE a.is_correct) AS right_answers
         FROM quizzes_answer a WHERE a.run_id = base.run + 2 * %(n)s + 2 + c.n) s
       WHERE m.id = c.memory_id""",
    """INSERT INTO quizzes_recheckflag (learner_id, red_flag_id, day, answered,
         right_answers)
       SELECT a.learner_id, l.redflag_id, rr.day, COUNT(*),
         COUNT(*) FILTER (WHERE a.is_correct)
       FROM quizzes_reviewrun rr JOIN quizzes_answer a ON a.run_id = rr.run_id
       JOIN quizzes_question_red_flags l ON l.question_id = a.question_id
       WHERE rr.kind = 'recheck' GROUP BY a.learner_id, l.redflag_id, rr.day""",
    # One review session of three answers for every other learner, in the last 12 weeks.
    """CREATE TEMP TABLE reviews AS
       SELECT base.run + 4 * %(n)s + g AS run_id, base.learner + g AS learner_id,
         base.now - make_interval(days => g %% 84, mins => g %% 600) AS at, g
       FROM base, generate_series(1, %(n)s, 2) g""",
    """INSERT INTO quizzes_quizrun (id, public_id, learner_id, lesson_id, size, started_at,
         finished_at)
       SELECT run_id, md5('review' || g)::uuid, learner_id, NULL, 3, at,
         at + interval '2 minutes' FROM reviews""",
    """INSERT INTO quizzes_reviewrun (run_id, kind) SELECT run_id, 'review' FROM reviews""",
    """INSERT INTO quizzes_answer (run_id, learner_id, question_id, choice_id, is_correct,
         first_attempt, answered_at)
       SELECT r.run_id, r.learner_id, bq.question_id, bq.right_choice, true, false,
         r.at + make_interval(secs => 30 * bq.pos)
       FROM reviews r JOIN bq ON bq.idx = r.g %% (SELECT lessons FROM base) AND bq.pos <= 3""",
    """SELECT setval(pg_get_serial_sequence('quizzes_quizrun', 'id'),
         (SELECT MAX(id) FROM quizzes_quizrun))""",
    """SELECT setval(pg_get_serial_sequence('quizzes_learner', 'id'),
         (SELECT MAX(id) FROM quizzes_learner))""",
]


def manage(*args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def generate(learners):
    import psycopg

    with psycopg.connect(URL) as conn:
        for sql in GENERATE:
            started = time.perf_counter()
            conn.execute(sql % {"n": int(learners)})
            seconds = time.perf_counter() - started
            if seconds > 1:
                print(f"  {seconds:5.1f} s  {' '.join(sql.split())[:70]}", flush=True)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")


def time_page(rounds):
    os.environ.clear()
    os.environ.update(ENV)
    os.environ["DJANGO_SETTINGS_MODULE"] = "antifraud.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from quizzes import retention
    from quizzes.models import Answer, Learner

    user, _ = get_user_model().objects.get_or_create(
        username="bench-chief", defaults={"is_staff": True, "is_superuser": True}
    )
    # Police accounts pass a second factor: an enrolled authenticator, a verified session.
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="authenticator", defaults={"confirmed": True}
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    url = reverse("admin:quizzes_retention")
    print(f"answers: {Answer.objects.count():,}, learners: {Learner.objects.count():,}")
    results = {}

    def timed(label, call, times):
        timings = []
        for _ in range(times):
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
        results[label] = timings
        print(
            f"{label}: median {statistics.median(timings):.0f} ms, min {min(timings):.0f} ms, "
            f"max {max(timings):.0f} ms over {len(timings)} "
            f"({', '.join(f'{t:.0f}' for t in timings)})",
            flush=True,
        )

    def page(query=""):
        response = client.get(url + query)
        assert response.status_code == 200, response.status_code
        return response

    # The first cold computation also counts the finished weeks not yet kept.
    timed("page, cold (?refresh=1: every figure recomputed)", lambda: page("?refresh=1"), 4)
    timed("page, warm (as officers see it: cached figures)", page, rounds)
    timed("  per lesson (1 query + lessons)", retention.lesson_retention, 3)
    timed("  per red flag (1 query + red flags)", retention.flag_retention, 3)
    timed("  weekly activity (kept weeks + this week's runs)", retention.weekly_activity, 3)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=70_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="reuse a filled database")
    args = parser.parse_args()
    if args.keep:
        manage("migrate", "--noinput", "-v0")  # a database filled by an older version
    else:
        import psycopg

        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB}")
            conn.execute(f"CREATE DATABASE {DB}")
        manage("migrate", "--noinput", "-v0")
        manage("load_curriculum", "-v0")
        started = time.perf_counter()
        generate(args.learners)
        print(f"generated in {time.perf_counter() - started:.0f} s")
    time_page(args.rounds)


if __name__ == "__main__":
    main()
