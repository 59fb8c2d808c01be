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
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from . import servers
from .client import LESSON_LINK_RE, Session, check_loopback
from .load import ENDPOINTS, VirtualUser, percentile, run_phase
from .servers import DATA, HOST, PG_DATABASE, ROOT, TARGETS, Gunicorn
from .weight import page_weight

RESULTS = ROOT / "bench" / "results"
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


# Facts about the run ---------------------------------------------------------------------


def git(*args):
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        ).stdout.rstrip()
    except (OSError, subprocess.SubprocessError):
        return None


def machine_info():
    info = {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "cores": os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        with open("/proc/cpuinfo") as f:
            info["cpu"] = next(
                (line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                None,
            )
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            info["memory_gb"] = round(kb / 1024 / 1024, 1)
    except OSError:
        pass
    info["disk_free_gb"] = servers.disk_free_gb()
    return info


def code_fingerprint():
    """What code a target runs: HEAD plus the uncommitted changes outside bench/. Other
    people's edits during a run make targets measure different code; this shows it."""
    head = git("rev-parse", "HEAD") or ""
    diff = git("diff", "HEAD", "--", ".", ":(exclude)bench") or ""
    untracked = git("ls-files", "--others", "--exclude-standard", "--", ".", ":(exclude)bench")
    digest = hashlib.sha256()
    for part in (head, diff):
        digest.update(part.encode())
    for name in (untracked or "").splitlines():
        digest.update(name.encode())
        with contextlib.suppress(OSError):
            digest.update((ROOT / name).read_bytes())
    return f"{head[:10]}+{digest.hexdigest()[:12]}" if diff or untracked else head[:10]


def git_info():
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": git("rev-parse", "HEAD"),
        "describe": git("describe", "--always", "--dirty"),
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "dirty_files": dirty.splitlines() if dirty else [],
    }


# Measuring ---------------------------------------------------------------------------------


class Readings:
    """CPU readings around one phase: gunicorn workers, PostgreSQL backends, redis-server,
    this client, the whole machine; and the commands Redis served."""

    def __init__(self, server, database, redis_url):
        self.server, self.database, self.redis_url = server, database, redis_url
        self.redis_pid = servers.redis_server_pid(redis_url) if redis_url else None
        self.before = self.after = None

    def take(self):
        cpu, pids = self.server.cpu_reading()
        redis_stat = servers.proc_stat(self.redis_pid) if self.redis_pid else None
        return {
            "server": cpu,
            "pids": pids,
            "client": time.process_time(),
            "machine": servers.machine_ticks(),
            "db": servers.postgres_backend_ticks(self.database) if self.database else None,
            "redis": redis_stat[1] if redis_stat else None,
            "redis_commands": servers.redis_commands(self.redis_url) if self.redis_url else None,
        }

    def start(self):
        self.before = self.take()

    def stop(self):
        self.after = self.take()

    def figures(self, requests, ops):
        before, after = self.before, self.after
        server_s = after["server"] - before["server"]
        client_s = after["client"] - before["client"]
        db_s = 0.0
        if after["db"] is not None:
            ticks = sum(t - before["db"].get(pid, 0) for pid, t in after["db"].items())
            db_s = ticks / servers.CLK_TCK
        redis_s, commands = 0.0, None
        if after["redis"] is not None and before["redis"] is not None:
            redis_s = (after["redis"] - before["redis"]) / servers.CLK_TCK
        if after["redis_commands"] is not None:
            # Less the INFO commands these readings sent.
            commands = {
                name: calls - before["redis_commands"].get(name, 0)
                for name, calls in after["redis_commands"].items()
                if name != "info" and calls != before["redis_commands"].get(name, 0)
            }
        busy_s = (after["machine"][0] - before["machine"][0]) / servers.CLK_TCK
        total_s = (after["machine"][1] - before["machine"][1]) / servers.CLK_TCK

        def per(seconds, count):
            return seconds * 1000 / count if count else None

        return {
            "server_cpu_ms": round(server_s * 1000, 1),
            "cpu_ms_per_req": per(server_s, requests),
            "cpu_ms_per_op": per(server_s, ops),
            "db_cpu_ms_per_op": per(db_s, ops) if after["db"] is not None else None,
            "redis_cpu_ms_per_op": per(redis_s, ops) if self.redis_pid else None,
            # Everything the site's servers spent on one operation.
            "total_cpu_ms_per_op": per(server_s + db_s + redis_s, ops),
            "redis_commands_per_op": (
                sum(commands.values()) / ops if commands is not None and ops else None
            ),
            "redis_commands": commands,
            "client_cpu_ms_per_req": per(client_s, requests),
            # Shares of all cores over the phase: everything busy, and what was neither the
            # workers, nor the database backends, nor Redis, nor this client.
            "machine_busy": busy_s / total_s if total_s else None,
            "others_busy": (
                max(0.0, busy_s - server_s - client_s - db_s - redis_s) / total_s
                if total_s
                else None
            ),
            "workers_changed": before["pids"] != after["pids"],
        }


def phase_record(result, readings, round_number):
    lat = sorted(result.latencies)
    ms = [None if v is None else v * 1000 for v in (percentile(lat, q) for q in (50, 95, 99))]
    record = {
        "round": round_number,
        "endpoint": result.endpoint,
        "seconds": round(result.seconds, 3),
        "ops": result.ops,
        "requests": result.requests,
        "errors": result.errors,
        "setup_errors": result.setup_errors,
        "error_samples": result.error_samples,
        "ops_per_s": result.ops / result.seconds,
        "req_per_s": result.requests / result.seconds,
        "req_per_op": result.requests / result.ops if result.ops else None,
        "p50_ms": ms[0],
        "p95_ms": ms[1],
        "p99_ms": ms[2],
        "mean_ms": statistics.fmean(lat) * 1000 if lat else None,
    }
    record.update(readings.figures(result.requests, result.ops))
    return record


MEDIAN_KEYS = [
    "ops_per_s",
    "req_per_s",
    "req_per_op",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "mean_ms",
    "cpu_ms_per_req",
    "cpu_ms_per_op",
    "db_cpu_ms_per_op",
    "redis_cpu_ms_per_op",
    "total_cpu_ms_per_op",
    "redis_commands_per_op",
    "client_cpu_ms_per_req",
    "machine_busy",
    "others_busy",
    "learner_answers",
]
RATIO_KEYS = [
    "ops_per_s",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "cpu_ms_per_req",
    "cpu_ms_per_op",
    "total_cpu_ms_per_op",
]
# Each endpoint's own ceiling on the bare target: the answer flow has one.
BARE_REFERENCE = {"answer": "bare-answer", "bare-answer": "bare-answer"}


def summarise(records):
    summary = {"rounds": len(records)}
    for key in MEDIAN_KEYS:
        values = [r[key] for r in records if r[key] is not None]
        summary[key] = statistics.median(values) if values else None
    summary["errors"] = sum(r["errors"] + r["setup_errors"] for r in records)
    summary["ops"] = sum(r["ops"] for r in records)
    summary["requests"] = sum(r["requests"] for r in records)
    counted = [r for r in records if r.get("redis_commands") is not None]
    if counted:
        calls = {}
        for record in counted:
            for name, count in record["redis_commands"].items():
                calls[name] = calls.get(name, 0) + count
        ops = sum(r["ops"] for r in counted)
        summary["redis_commands_by_name"] = {
            name: round(count / ops, 2) for name, count in sorted(calls.items()) if ops
        }
    return summary


def add_ratios(results):
    references = results.get("bare", {}).get("summary", {})
    for target in results.values():
        for endpoint, summary in target["summary"].items():
            bare = references.get(BARE_REFERENCE.get(endpoint, "bare"))
            summary["ratio_to_bare"] = {
                key: (
                    summary[key] / bare[key]
                    if bare and summary.get(key) is not None and bare.get(key)
                    else None
                )
                for key in RATIO_KEYS
            }


def log_line(target, round_number, record):
    def fmt(value, spec):
        return "-" if value is None else format(value, spec)

    print(
        f"  {target:<8} r{round_number} {record['endpoint']:<9}"
        f" {fmt(record['ops_per_s'], '8.1f')} ops/s"
        f"  p50 {fmt(record['p50_ms'], '7.2f')}  p99 {fmt(record['p99_ms'], '7.2f')} ms"
        f"  err {record['errors'] + record['setup_errors']:>3}"
        f"  CPU {fmt(record['cpu_ms_per_req'], '6.2f')} ms/req"
        f"  others {fmt(record['others_busy'], '4.0%')}",
        flush=True,
    )
    if record["endpoint"] == "progress":
        print(f"      (each learner had {record['learner_answers']:.0f} answers)", flush=True)
    for sample in record["error_samples"]:
        print(f"      error: {sample}", flush=True)


def discover_lesson(port, proxy=False):
    home = Session(HOST, port, proxy=proxy).get("/en/")
    match = LESSON_LINK_RE.search(home.text)
    if not match:
        raise RuntimeError("no lesson link on the home page: is the curriculum loaded?")
    return match.group(1)


def bench_target(target, args, deadline, log, want_weight):
    endpoints = target.endpoints if target.reference else args.endpoints
    out = {"description": target.description, "rounds": [], "summary": {}, "complete": True}
    if target.is_app and not args.no_setup:
        t0 = time.monotonic()
        print(f"[{target.name}] fresh database, migrate, load_curriculum ...", flush=True)
        servers.reset_database(target, log)
        out["setup_seconds"] = round(time.monotonic() - t0, 1)
    out["code"] = code_fingerprint()
    server = Gunicorn(target, DATA / f"gunicorn-{target.name}.log")
    print(f"[{target.name}] gunicorn {target.wsgi} on {HOST}:{server.port}", flush=True)
    try:
        server.start("/bare/" if target.name == "bare" else "/en/")
        pids = ", ".join(map(str, server.worker_pids()))
        print(f"[{target.name}] master {server.process.pid}, workers {pids}", flush=True)
        lesson = None
        if target.is_app:
            lesson = args.lesson or discover_lesson(server.port, target.behind_proxy)
            out["lesson"] = lesson
        users = [
            VirtualUser(HOST, server.port, i, lesson, seed=args.seed, proxy=target.behind_proxy)
            for i in range(args.users)
        ]
        if args.warmup > 0:
            for endpoint in endpoints:
                run_phase(users, endpoint, args.warmup, args.max_ops)
        is_pg = (target.database_url or "").startswith("postgres")
        database = PG_DATABASE if is_pg else None
        for round_number in range(1, args.rounds + 1):
            for endpoint in endpoints:
                if time.monotonic() > deadline:
                    out["complete"] = False
                    print(f"[{target.name}] time budget spent; stopping", flush=True)
                    break
                readings = Readings(server, database, target.redis_url)
                history = statistics.fmean(u.answers for u in users)
                result = run_phase(
                    users, endpoint, args.duration, args.max_ops, readings.start, readings.stop
                )
                record = phase_record(result, readings, round_number)
                record["learner_answers"] = round(history, 1)
                out["rounds"].append(record)
                log_line(target.name, round_number, record)
        if want_weight and time.monotonic() < deadline:
            out["page_weight"] = page_weight(HOST, server.port, lesson, target.behind_proxy)
    finally:
        server.stop()
        problems = server.log_problems()
        out["server_log"] = str(server.log_path.relative_to(ROOT))
        out["server_log_problems"] = len(problems)
        if problems:
            print(
                f"[{target.name}] {len(problems)} error lines in {server.log_path}, "
                f"first: {problems[0]}",
                flush=True,
            )
    for endpoint in endpoints:
        records = [r for r in out["rounds"] if r["endpoint"] == endpoint]
        if records:
            out["summary"][endpoint] = summarise(records)
    return out


# Reporting ---------------------------------------------------------------------------------


def cell(value, width, spec=".2f", scale=1):
    text = "-" if value is None else format(value * scale, spec)
    return text.rjust(width)


def ratio(value, width):
    if value is None:
        text = "-"
    elif value >= 100:
        text = f"{value:.0f}x"
    elif value >= 10:
        text = f"{value:.1f}x"
    elif value >= 0.1:
        text = f"{value:.2f}x"
    else:
        text = f"{value:.2g}x"
    return text.rjust(width)


def print_tables(results, args):
    print()
    print(
        f"Medians of {args.rounds} round(s) x {args.duration:g} s x {args.users} virtual users "
        f"(gunicorn {servers.WORKERS} sync workers, {os.cpu_count()} cores shared with the client)"
    )
    header = (
        f"{'target':<11}{'endpoint':<12}{'ops/s':>8}{'req/op':>7}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'errors':>7}{'app/req':>8}{'app/op':>8}{'DB/op':>7}{'Redis/op':>9}{'total/op':>9}"
        f"{'Redis cmd/op':>13}{'client/req':>11}{'others':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, target in results.items():
        for endpoint, s in target["summary"].items():
            print(
                f"{name:<11}{endpoint:<12}{cell(s['ops_per_s'], 8, '.1f')}"
                f"{cell(s['req_per_op'], 7)}{cell(s['p50_ms'], 8)}{cell(s['p99_ms'], 8)}"
                f"{s['errors']:>7}{cell(s['cpu_ms_per_req'], 8)}{cell(s['cpu_ms_per_op'], 8)}"
                f"{cell(s['db_cpu_ms_per_op'], 7)}{cell(s['redis_cpu_ms_per_op'], 9)}"
                f"{cell(s['total_cpu_ms_per_op'], 9)}{cell(s['redis_commands_per_op'], 13, '.1f')}"
                f"{cell(s['client_cpu_ms_per_req'], 11)}{cell(s['others_busy'], 6, '.0f', 100)}%"
            )
    print(
        "CPU milliseconds: app = gunicorn workers (per request and per op); DB = PostgreSQL\n"
        "backends of the bench database; Redis = the redis-server process; total = app + DB +\n"
        "Redis, per op. Redis cmd/op = commands Redis served (INFO commandstats).\n"
        "op = one GET, except answer = GET question + POST choice + GET feedback (plus a POST\n"
        "to start a run after the last question) and bare-answer = the same three requests on\n"
        "bare Django; their latency is the POST + feedback GET. client = this load client's\n"
        "CPU; others = share of all cores used by other processes during the rounds (noise:\n"
        "when it is high, ops/s and latency are not comparable, CPU per request mostly is)."
    )
    print()
    print(
        "Ratio to bare Django (the bare view; for answer, the bare answer flow). ops/s: higher\n"
        "is better; latency and CPU: lower is better"
    )
    header = (
        f"{'target':<11}{'endpoint':<12}{'ops/s':>8}{'p50':>8}{'p99':>8}"
        f"{'app/req':>9}{'app/op':>9}{'total/op':>10}"
    )
    print(header)
    print("-" * len(header))
    for name, target in results.items():
        for endpoint, s in target["summary"].items():
            r = s["ratio_to_bare"]
            print(
                f"{name:<11}{endpoint:<12}{ratio(r['ops_per_s'], 8)}{ratio(r['p50_ms'], 8)}"
                f"{ratio(r['p99_ms'], 8)}{ratio(r['cpu_ms_per_req'], 9)}"
                f"{ratio(r['cpu_ms_per_op'], 9)}{ratio(r['total_cpu_ms_per_op'], 10)}"
            )
    print_production(results)
    histories = [
        f"{name} {s['learner_answers']:.0f}"
        for name, target in results.items()
        for endpoint, s in target["summary"].items()
        if endpoint == "progress" and s["learner_answers"] is not None
    ]
    if histories:
        print()
        print(
            "progress: its cost grows with the learner's history; answers per learner "
            f"(median of rounds): {', '.join(histories)}."
        )


def print_production(results):
    """The production path against SQLite and bare Django, in total CPU per op."""
    production = results.get("production", {}).get("summary", {})
    if not production:
        return
    sqlite = results.get("sqlite", {}).get("summary", {})
    print()
    print("Production path (PostgreSQL + Redis): total CPU per op, app + DB + Redis, ms")
    header = (
        f"{'endpoint':<12}{'production':>11}{'sqlite':>8}{'x sqlite':>10}{'x bare':>8}"
        f"{'Redis commands per op':>24}"
    )
    print(header)
    print("-" * len(header))
    for endpoint, s in production.items():
        lite = sqlite.get(endpoint, {}).get("total_cpu_ms_per_op")
        total = s["total_cpu_ms_per_op"]
        commands = ", ".join(
            f"{name} {count:g}" for name, count in s.get("redis_commands_by_name", {}).items()
        )
        print(
            f"{endpoint:<12}{cell(total, 11)}{cell(lite, 8)}"
            f"{ratio(total / lite if total and lite else None, 10)}"
            f"{ratio(s['ratio_to_bare']['total_cpu_ms_per_op'], 8)}  {commands or '-'}"
        )


def print_weight(weight):
    if not weight:
        return
    first = weight["first_load"]
    print()
    print(f"Page weight: first load of {weight['question_page']}, bytes")
    print(f"{'':<52}{'raw':>9}{'gzip':>9}{'br':>9}")

    def row(label, raw, gz, br):
        print(f"{label:<52}{cell(raw, 9, 'd')}{cell(gz, 9, 'd')}{cell(br, 9, 'd')}")

    level = weight["gzip_level"]
    row(f"HTML (raw to this client; gzip -{level} here)", *[
        first["html_bytes"], first["html_gzip"], first["html_br"]
    ])  # fmt: skip
    for asset in first["assets"]:
        row(asset["path"][-52:], asset["identity"], asset["gzip"], asset["br"])
    row("total first load", first["total_bytes"], first["total_gzip"], first["total_br"])
    fragment = weight["answer_fragment"]
    row(f"answer fragment (htmx POST; gzip -{level} here)", *[
        fragment["bytes"], fragment["gzip"], fragment["br"]
    ])  # fmt: skip
    if all(a["served"]["br"] == "unavailable" for a in first["assets"]):
        print("br: - = whitenoise has no .br files and the brotli module is not installed.")


def save(report):
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.fromisoformat(report["date"]).strftime("%Y%m%d-%H%M%S")
    commit = (report["git"]["commit"] or "nogit")[:10]
    path = RESULTS / f"{stamp}-{commit}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


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
    if any(TARGETS[name].database_url and "postgres" in TARGETS[name].database_url
           for name in args.targets):  # fmt: skip
        report["versions"]["postgresql"] = servers.check_postgres()
    with open(DATA / "setup.log", "w") as log:
        if not args.no_setup and any(TARGETS[name].is_app for name in args.targets):
            print("collectstatic ...", flush=True)
            servers.collectstatic(TARGETS[next(n for n in args.targets if TARGETS[n].is_app)], log)
        weight_done = False
        for name in args.targets:
            target = TARGETS[name]
            want_weight = target.is_app and not target.reference and not weight_done
            report["targets"][name] = bench_target(target, args, deadline, log, want_weight)
            weight_done = weight_done or "page_weight" in report["targets"][name]
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
