"""A hall full of phones after a campaign talk: N people open the campaign's short link
and start within a few minutes, on one Wi-Fi (one public address).

Each person arrives at a random moment of the window (uniform), then, as a browser
without JavaScript: GET /c/<code>/ (the printed link, 302), GET the landing page, POST
"Start" (joins the campaign and starts the first check, 302), and answers the first
check's 3 questions (GET the question, POST a choice, GET the feedback, each time).
Latency of each step is measured as the person saw it.

    .venv/bin/python -m bench.campaign                       # 300 people in 5 minutes, SQLite
    .venv/bin/python -m bench.campaign --seconds 60          # the same crowd in 1 minute
    .venv/bin/python -m bench.campaign --target production   # PostgreSQL + Redis

Results go to bench/results/<date>-campaign-<target>.json (git-ignored); the server log
to bench/.data/gunicorn-campaign.log. The production target uses its own PostgreSQL
database, antifraud_bench_campaign, and Redis at BENCH_REDIS_URL (database 15).
"""

import argparse
import datetime
import json
import random
import statistics
import threading
import time
from dataclasses import replace

from .client import CHOICE_RE, HTTPError, Session
from .servers import DATA, HOST, ROOT, TARGETS, Gunicorn, collectstatic, manage, reset_database

CODE = "hall"
# Made with the shell after load_curriculum: a published, running campaign over the first
# three lessons (their questions make the before and after checks).
MAKE_CAMPAIGN = f"""
import datetime
from quizzes.models import Campaign, Lesson, Status
today = datetime.date.today()
c = Campaign.objects.create(code="{CODE}", title_en="Bench hall", title_zh_hans="压测礼堂",
    unit_en="Bench unit", unit_zh_hans="压测单位", place_en="Here", place_zh_hans="此处",
    starts_on=today - datetime.timedelta(days=1), ends_on=today + datetime.timedelta(days=1),
    status=Status.PUBLISHED)
c.lessons.set(Lesson.objects.published().order_by("position")[:3])
c = Campaign.objects.with_content().get(pk=c.pk)
assert c.check_questions()[0], "too few questions for the checks"
"""
STEPS = ["short-link", "landing", "start", "question", "answer"]


def person(port, arrival, start, proxy, rng, out):
    """One phone: wait for its moment, then open the link and take the first check."""
    time.sleep(max(0.0, start + arrival - time.monotonic()))
    browser = Session(HOST, port, proxy=proxy)

    def timed(step, call):
        t0 = time.perf_counter()
        try:
            return call()
        finally:
            out["lat"][step].append(time.perf_counter() - t0)

    try:
        timed("short-link", lambda: browser.get(f"/c/{CODE}/", expect=302))
        timed("landing", lambda: browser.get(f"/en/c/{CODE}/"))
        fields = {"csrfmiddlewaretoken": browser.csrf_token or ""}
        response = timed("start", lambda: browser.post(f"/en/c/{CODE}/start/", fields))
        question = browser.location(response)
        for position in range(1, 4):
            path = question.rsplit("/", 2)[0] + f"/{position}/"
            page = timed("question", lambda path=path: browser.get(path))
            choices = CHOICE_RE.findall(page.text)
            if not choices:
                raise HTTPError(f"no choices on {path}")
            fields = {"csrfmiddlewaretoken": browser.csrf_token, "choice": rng.choice(choices)}

            def answer(path=path, fields=fields):
                browser.post(path, fields)
                return browser.get(path)

            timed("answer", answer)
        out["done"] += 1
    except Exception as exc:  # counted; one person's failure does not stop the others
        out["errors"] += 1
        if len(out["samples"]) < 5:
            out["samples"].append(f"{type(exc).__name__}: {exc}")


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=300, help="the arrival window")
    parser.add_argument("--target", choices=["sqlite", "production"], default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    target = TARGETS[args.target]
    if target.database_url.startswith("postgres"):
        # A database of its own, so that it never clashes with a run of bench.run.
        base = target.database_url.rsplit("/", 1)[0]
        target = replace(target, database_url=f"{base}/antifraud_bench_campaign")
    DATA.mkdir(parents=True, exist_ok=True)
    with open(DATA / "setup-campaign.log", "w") as log:
        collectstatic(target, log)
        reset_database(target, log)
        manage(target, "shell", "-c", MAKE_CAMPAIGN, log=log)
    server = Gunicorn(target, DATA / "gunicorn-campaign.log")
    out = {"lat": {step: [] for step in STEPS}, "done": 0, "errors": 0, "samples": []}
    rng = random.Random(args.seed)
    arrivals = sorted(rng.uniform(0, args.seconds) for _ in range(args.people))
    try:
        server.start(f"/en/c/{CODE}/")
        cpu0, _ = server.cpu_reading()
        start = time.monotonic() + 1
        threads = [
            threading.Thread(
                target=person,
                args=(server.port, arrival, start, target.behind_proxy, random.Random(i), out),
                daemon=True,
            )
            for i, arrival in enumerate(arrivals)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.seconds + 120)
        elapsed = time.monotonic() - start
        cpu1, _ = server.cpu_reading()
    finally:
        server.stop()
    problems = server.log_problems()
    requests = sum(len(v) for k, v in out["lat"].items()) + 2 * len(out["lat"]["answer"])
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "target": args.target,
        "people": args.people,
        "window_seconds": args.seconds,
        "elapsed_seconds": round(elapsed, 1),
        "done": out["done"],
        "errors": out["errors"],
        "error_samples": out["samples"],
        "server_log_problems": len(problems),
        "app_cpu_ms_per_request": round(1000 * (cpu1 - cpu0) / max(requests, 1), 2),
        "steps": {
            step: {
                "count": len(values),
                "p50_ms": round(1000 * statistics.median(values), 1) if values else None,
                "p95_ms": round(1000 * percentile(values, 95), 1) if values else None,
                "max_ms": round(1000 * max(values), 1) if values else None,
            }
            for step, values in out["lat"].items()
        },
    }
    print(f"{args.people} people in {args.seconds:.0f} s on {args.target}: ", end="")
    print(f"{out['done']} started and answered the first check, {out['errors']} errors")
    print(f"app CPU {report['app_cpu_ms_per_request']} ms per request")
    print(f"{'step':<12}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for step, row in report["steps"].items():
        print(f"{step:<12}{row['count']:>7}{row['p50_ms']!s:>9}{row['p95_ms']!s:>9}", end="")
        print(f"{row['max_ms']!s:>9}")
    for sample in out["samples"]:
        print("  error:", sample)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    name = f"{datetime.date.today():%Y-%m-%d}-campaign-{args.target}.json"
    (results / name).write_text(json.dumps(report, indent=2))
    return 1 if out["errors"] or problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
