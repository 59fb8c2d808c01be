"""What a benchmark run prints: a line per phase, then the tables of medians."""

import os

from . import servers
from .readings import BARE_REFERENCE


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
        "op = one GET, except answer = POST choice + GET feedback, which carries the next\n"
        "question's form (plus a POST to start a run and a GET of its first question after\n"
        "the last one; req/op counts them), conversation = a conversation played to its\n"
        "ending, and bare-answer = GET form + POST + GET feedback on bare Django; answer\n"
        "latency is the POST + feedback GET. client = this load client's\n"
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
    bare = results.get("bare", {}).get("summary", {})
    header = (
        f"{'endpoint':<12}{'production':>11}{'sqlite':>8}{'x sqlite':>10}{'x bare':>8}"
        f"{'PG server':>11}{'whole':>8}{'x bare':>8}{'Redis commands per op':>24}"
    )
    print(header)
    print("-" * len(header))
    for endpoint, s in production.items():
        lite = sqlite.get(endpoint, {}).get("total_cpu_ms_per_op")
        total = s["total_cpu_ms_per_op"]
        whole = s.get("total_server_cpu_ms_per_op")
        reference = bare.get(BARE_REFERENCE.get(endpoint, "bare"), {}).get("total_cpu_ms_per_op")
        commands = ", ".join(
            f"{name} {count:g}" for name, count in s.get("redis_commands_by_name", {}).items()
        )
        print(
            f"{endpoint:<12}{cell(total, 11)}{cell(lite, 8)}"
            f"{ratio(total / lite if total and lite else None, 10)}"
            f"{ratio(s['ratio_to_bare']['total_cpu_ms_per_op'], 8)}"
            f"{cell(s.get('pg_server_cpu_ms_per_op'), 11)}{cell(whole, 8)}"
            f"{ratio(whole / reference if whole and reference else None, 8)}  {commands or '-'}"
        )
    print(
        "DB = the bench database's backends; PG server = the whole PostgreSQL server over\n"
        "the phase (its backends, autovacuum, the WAL writer, backends closed meanwhile);\n"
        "whole = app + PG server + Redis."
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
