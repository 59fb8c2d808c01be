"""Load benchmark: bare Django, the app on SQLite and the app on PostgreSQL, on 127.0.0.1.

    .venv/bin/python -m bench.run            # what `make bench` runs
    .venv/bin/python -m bench.run --quick    # smoke run, about a minute

Each target gets a fresh database, its own gunicorn (2 sync workers, DEBUG off) and the
same load: for every round, every endpoint in turn for a fixed time with a fixed number
of virtual users. The table shows the median of the rounds and each figure's ratio to the
bare view's. Results are saved as JSON in bench/results/. See bench/README.md.
"""

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import time

from . import servers
from .client import LESSON_LINK_RE, Session, check_loopback
from .facts import code_fingerprint, git_info, machine_info, save
from .load import ENDPOINTS, VirtualUser, run_phase
from .readings import Readings, add_ratios, phase_record, summarise
from .servers import DATA, HOST, PG_DATABASE, ROOT, TARGETS, Gunicorn
from .tables import log_line, print_tables, print_weight
from .weight import page_weight

NOISE_WARNING = 0.10  # share of all cores used by other processes that makes a run noisy


def env_default(name, default, kind=str):
    value = os.environ.get(name)
    return default if value in (None, "") else kind(value)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__.split("\n\n")[0],
        epilog="Every option can also be set in the environment: BENCH_ROUNDS, "
        "BENCH_DURATION, BENCH_USERS, BENCH_WARMUP, BENCH_TARGETS, BENCH_ENDPOINTS, "
        "BENCH_MAX_OPS, BENCH_LESSON, BENCH_MAX_MINUTES. Flags win.",
    )
    parser.add_argument("--rounds", type=int, default=env_default("BENCH_ROUNDS", 3, int))
    parser.add_argument(
        "--duration",
        type=float,
        default=env_default("BENCH_DURATION", 10.0, float),
        help="seconds per endpoint per round (default 10)",
    )
    parser.add_argument(
        "--users",
        type=int,
        default=env_default("BENCH_USERS", 8, int),
        help="virtual users, each one thread in a closed loop (default 8)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=env_default("BENCH_WARMUP", 2.0, float),
        help="seconds of unmeasured load per endpoint before the rounds (default 2)",
    )
    parser.add_argument(
        "--targets",
        default=env_default("BENCH_TARGETS", ",".join(servers.DEFAULT_TARGETS)),
        help=f"comma-separated, from {', '.join(TARGETS)} (default: %(default)s)",
    )
    parser.add_argument(
        "--endpoints",
        default=env_default("BENCH_ENDPOINTS", ",".join(servers.APP_ENDPOINTS)),
        help="app endpoints, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--max-ops",
        type=int,
        default=env_default("BENCH_MAX_OPS", 100_000, int),
        help="most operations in one phase, whatever the duration (default 100000)",
    )
    parser.add_argument(
        "--lesson",
        default=env_default("BENCH_LESSON", ""),
        help="lesson slug to use (default: the first on the home page)",
    )
    parser.add_argument(
        "--max-minutes",
        type=float,
        default=env_default("BENCH_MAX_MINUTES", 14.0, float),
        help="stop starting new phases after this long (default 14)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 round of 3 s, 0.5 s warm-up (other flags still apply)",
    )
    parser.add_argument("--no-setup", action="store_true", help="reuse the databases as they are")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args(argv)
    if args.quick:
        args.rounds, args.duration, args.warmup = 1, 3.0, 0.5
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    args.endpoints = [e.strip() for e in args.endpoints.split(",") if e.strip()]
    unknown = [t for t in args.targets if t not in TARGETS]
    unknown += [e for e in args.endpoints if e not in servers.APP_ENDPOINTS]
    if unknown:
        parser.error(f"unknown target or endpoint: {', '.join(unknown)}")
    if args.rounds < 1 or args.users < 1 or args.duration <= 0 or args.max_ops < 1:
        parser.error("rounds, users, duration and max-ops must be positive")
    return args


def discover_lesson(port, proxy=False):
    home = Session(HOST, port, proxy=proxy).get("/en/")
    match = LESSON_LINK_RE.search(home.text)
    if not match:
        raise RuntimeError("no lesson link on the home page: is the curriculum loaded?")
    return match.group(1)


class TargetRun:
    """One target through the run: its database and server, its virtual users, and the
    figures of each of its phases. Every target is started before the first round and
    stopped after the last, and each round measures every target in turn, so that a
    machine whose speed drifts (a shared host) weighs on every target alike."""

    def __init__(self, target, args, log):
        self.target, self.args = target, args
        self.endpoints = target.endpoints if target.reference else args.endpoints
        self.out = {
            "description": target.description,
            "rounds": [],
            "summary": {},
            "complete": True,
        }
        if target.is_app and not args.no_setup:
            t0 = time.monotonic()
            print(f"[{target.name}] fresh database, migrate, load_curriculum ...", flush=True)
            servers.reset_database(target, log)
            self.out["setup_seconds"] = round(time.monotonic() - t0, 1)
        self.out["code"] = code_fingerprint()
        self.server = Gunicorn(target, DATA / f"gunicorn-{target.name}.log")
        is_pg = (target.database_url or "").startswith("postgres")
        self.database = PG_DATABASE if is_pg else None
        self.users = []

    def start(self):
        target, args, server = self.target, self.args, self.server
        print(f"[{target.name}] gunicorn {target.wsgi} on {HOST}:{server.port}", flush=True)
        server.start("/bare/" if target.name == "bare" else "/en/")
        pids = ", ".join(map(str, server.worker_pids()))
        print(f"[{target.name}] master {server.process.pid}, workers {pids}", flush=True)
        lesson = None
        if target.is_app:
            lesson = args.lesson or discover_lesson(server.port, target.behind_proxy)
            self.out["lesson"] = lesson
        self.lesson = lesson
        self.users = [
            VirtualUser(HOST, server.port, i, lesson, seed=args.seed, proxy=target.behind_proxy)
            for i in range(args.users)
        ]
        if args.warmup > 0:
            for endpoint in self.endpoints:
                run_phase(self.users, endpoint, args.warmup, args.max_ops)

    def run_round(self, round_number, deadline):
        for endpoint in self.endpoints:
            if time.monotonic() > deadline:
                self.out["complete"] = False
                print(f"[{self.target.name}] time budget spent; stopping", flush=True)
                return
            servers.analyze(self.target)  # before the phase: not counted
            readings = Readings(self.server, self.database, self.target.redis_url)
            history = statistics.fmean(u.answers for u in self.users)
            result = run_phase(
                self.users,
                endpoint,
                self.args.duration,
                self.args.max_ops,
                readings.start,
                readings.stop,
            )
            record = phase_record(result, readings, round_number)
            record["learner_answers"] = round(history, 1)
            self.out["rounds"].append(record)
            log_line(self.target.name, round_number, record)

    def weigh(self):
        self.out["page_weight"] = page_weight(
            HOST, self.server.port, self.lesson, self.target.behind_proxy
        )

    def stop(self):
        server, out = self.server, self.out
        server.stop()
        problems = server.log_problems()
        out["server_log"] = str(server.log_path.relative_to(ROOT))
        out["server_log_problems"] = len(problems)
        if problems:
            print(
                f"[{self.target.name}] {len(problems)} error lines in {server.log_path}, "
                f"first: {problems[0]}",
                flush=True,
            )
        for endpoint in self.endpoints:
            records = [r for r in out["rounds"] if r["endpoint"] == endpoint]
            if records:
                out["summary"][endpoint] = summarise(records)
        return out


def bench_targets(names, args, deadline, log):
    """Set up and start every target, run the rounds (each round every target in turn),
    weigh the first app target's page, stop them all: {name: figures}."""
    runs = {name: TargetRun(TARGETS[name], args, log) for name in names}
    started = []
    try:
        for run in runs.values():
            run.start()
            started.append(run)
        for round_number in range(1, args.rounds + 1):
            for run in runs.values():
                run.run_round(round_number, deadline)
        weigh = next(
            (r for r in runs.values() if r.target.is_app and not r.target.reference), None
        )
        if weigh is not None and time.monotonic() < deadline:
            weigh.weigh()
    finally:
        for run in started:
            run.stop()
    for run in runs.values():
        if run not in started:
            run.out["complete"] = False
    return {name: run.out for name, run in runs.items()}


def main(argv=None):
    args = parse_args(argv)
    args.seed = 1
    check_loopback(HOST)
    per_target = {
        name: len(TARGETS[name].endpoints if TARGETS[name].reference else args.endpoints)
        for name in args.targets
    }
    estimate = sum(n * (args.rounds * args.duration + args.warmup) for n in per_target.values())
    estimate += 25 * sum(1 for name in args.targets if TARGETS[name].is_app)
    print(
        f"Targets {', '.join(args.targets)}; {args.rounds} round(s) x {args.duration:g} s x "
        f"{args.users} users; about {estimate / 60:.1f} min",
        flush=True,
    )
    started = time.monotonic()
    deadline = started + args.max_minutes * 60
    DATA.mkdir(parents=True, exist_ok=True)
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_info(),
        "machine": machine_info(),
        "versions": servers.tool_versions(),
        "config": {
            "rounds": args.rounds,
            "duration_s": args.duration,
            "users": args.users,
            "warmup_s": args.warmup,
            "max_ops": args.max_ops,
            "targets": args.targets,
            "endpoints": args.endpoints,
            "gunicorn_workers": servers.WORKERS,
            "quick": args.quick,
            "setup": not args.no_setup,
        },
        "endpoints": {name: ENDPOINTS[name][2] for name in ENDPOINTS},
        "targets": {},
    }
    uses_postgres = any(
        TARGETS[name].database_url and "postgres" in TARGETS[name].database_url
        for name in args.targets
    )
    autovacuum = contextlib.nullcontext(None)
    if uses_postgres:
        report["versions"]["postgresql"] = servers.check_postgres()
        autovacuum = servers.autovacuum_on()
    with open(DATA / "setup.log", "w") as log, autovacuum as vacuuming:
        if vacuuming is not None:
            report["versions"]["postgresql_autovacuum"] = vacuuming
            print(f"PostgreSQL autovacuum: {vacuuming}", flush=True)
        if not args.no_setup and any(TARGETS[name].is_app for name in args.targets):
            print("collectstatic ...", flush=True)
            servers.collectstatic(TARGETS[next(n for n in args.targets if TARGETS[n].is_app)], log)
        report["targets"] = bench_targets(args.targets, args, deadline, log)
    add_ratios(report["targets"])
    report["page_weight"] = next(
        (t.pop("page_weight") for t in report["targets"].values() if "page_weight" in t), None
    )
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    print_tables(report["targets"], args)
    print_weight(report["page_weight"])
    noisy = [
        f"{name} {s['others_busy']:.0%}"
        for name, t in report["targets"].items()
        for s in t["summary"].values()
        if (s["others_busy"] or 0) > NOISE_WARNING
    ]
    if noisy:
        print()
        print(
            "Warning: other processes used a large share of the cores during some rounds "
            f"({', '.join(noisy[:6])}{', ...' if len(noisy) > 6 else ''}); "
            "compare CPU per request, and rerun ops/s and latency on a quiet machine."
        )
    codes = {t["code"] for n, t in report["targets"].items() if n != "bare"}
    if len(codes) > 1:
        print()
        print(
            "Warning: the app's code changed during the run (uncommitted edits): the targets "
            f"measured different code ({', '.join(sorted(codes))}). Rerun to compare them."
        )
    errors = sum(s["errors"] for t in report["targets"].values() for s in t["summary"].values())
    print()
    if not args.no_save:
        print(f"Saved {save(report).relative_to(ROOT)}")
    print(f"Took {report['wall_seconds'] / 60:.1f} min; {errors} errors.")
    incomplete = [n for n, t in report["targets"].items() if not t["complete"]]
    if incomplete:
        print(f"Incomplete (time budget): {', '.join(incomplete)}")
    return 1 if errors or incomplete else 0


if __name__ == "__main__":
    sys.exit(main())
