"""Measuring one phase of a benchmark: CPU of the app servers, PostgreSQL's backends and
redis-server around it, Redis commands served; each phase's record, and the medians of
the rounds with their ratios to the bare target."""

import statistics
import time

from . import servers
from .load import percentile


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
        db = servers.postgres_backend_ticks(self.database) if self.database else None
        return {
            "server": cpu,
            "pids": pids,
            "client": time.process_time(),
            "machine": servers.machine_ticks(),
            "db": db,
            "pg": servers.postgres_server_ticks(db) if db else None,
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
        # The whole PostgreSQL server (autovacuum, the WAL writer, closed backends too).
        pg_s = None
        if after.get("pg") is not None and before.get("pg") is not None:
            pg_s = (after["pg"] - before["pg"]) / servers.CLK_TCK
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
            "pg_server_cpu_ms_per_op": per(pg_s, ops) if pg_s is not None else None,
            # The same total with the whole PostgreSQL server in place of the backends.
            "total_server_cpu_ms_per_op": (
                per(server_s + pg_s + redis_s, ops) if pg_s is not None else None
            ),
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
                max(0.0, busy_s - server_s - client_s - max(db_s, pg_s or 0.0) - redis_s) / total_s
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
    "pg_server_cpu_ms_per_op",
    "redis_cpu_ms_per_op",
    "total_cpu_ms_per_op",
    "total_server_cpu_ms_per_op",
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
