"""The targets: their databases, the gunicorn serving them, and CPU readings from /proc.

Every server binds 127.0.0.1 on a free port and is stopped by its process id.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .client import request

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
HOST = "127.0.0.1"
WORKERS = 2
SECRET_KEY = "bench-only-secret-key-not-for-production-7c1f0e9a4b2d"
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = "antifraud_bench"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Settings the app reads from the environment (README.md): a developer's shell must not
# leak any of them into the benchmark, so they are dropped and the few we need are set.
APP_SETTINGS = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "CONN_MAX_AGE",
    "REDIS_URL",
    "HTTPS",
    "NUM_PROXIES",
    "TIME_ZONE",
    "SESSION_COOKIE_AGE",
    "DEFAULT_FROM_EMAIL",
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "LOG_LEVEL",
    "RELEASE",
    "DJANGO_SETTINGS_MODULE",
}
APP_SETTING_PREFIXES = ("SECURE_", "EMAIL_", "AXES_", "RATE_LIMIT_")


@dataclass
class Target:
    name: str
    wsgi: str
    endpoints: list
    database_url: str | None = None
    redis_url: str | None = None
    description: str = ""
    extra_env: dict = field(default_factory=dict)
    settings: str = "antifraud.settings"
    # Reference targets serve their own endpoints whatever --endpoints says.
    reference: bool = False
    # Behind a TLS proxy, as README's "Running in production" has it: HTTPS=1 and
    # NUM_PROXIES=1, and the client sends what the proxy would (X-Forwarded-For/-Proto).
    behind_proxy: bool = False

    @property
    def is_app(self):
        return self.database_url is not None

    def env(self):
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in APP_SETTINGS and not k.startswith(APP_SETTING_PREFIXES)
        }
        env.update(
            SECRET_KEY=SECRET_KEY,
            ALLOWED_HOSTS=HOST,
            PYTHONUNBUFFERED="1",
            # The benchmark measures the app, not the limiters on answers and quiz starts
            # (per learner, and per address: every virtual user comes from 127.0.0.1; the
            # conversation flow starts a run for a new learner at every operation). They
            # still count every use, as in production.
            RATE_LIMIT_ANSWERS_PER_MINUTE="1000000000",
            RATE_LIMIT_ANSWERS_PER_ADDRESS_PER_MINUTE="1000000000",
            RATE_LIMIT_RUNS_PER_LEARNER_PER_HOUR="1000000000",
            RATE_LIMIT_RUNS_PER_ADDRESS_PER_MINUTE="1000000000",
        )
        if self.is_app:
            env.update(DJANGO_SETTINGS_MODULE=self.settings, DATABASE_URL=self.database_url)
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        if self.behind_proxy:
            env.update(HTTPS="1", NUM_PROXIES="1")
        env.update(self.extra_env)
        return env


APP_ENDPOINTS = ["home", "lesson", "question", "answer", "conversation", "progress", "review"]
SQLITE_PATH = DATA / "bench.sqlite3"
PG_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + PG_DATABASE

TARGETS = {
    "bare": Target(
        "bare",
        "bench.bare.wsgi",
        ["bare", "bare-answer"],
        description="bare Django: a 1 KB view, and an answer flow with a signed-cookie "
        "session and a CSRF token",
        reference=True,
    ),
    # The app's settings (middleware, session, CSRF) around a view that does nothing.
    "floor": Target(
        "floor",
        "bench.floor.wsgi",
        ["floor"],
        database_url=f"sqlite:///{SQLITE_PATH}",
        description="the app's stack with a session and a CSRF token, no work (SQLite)",
        settings="bench.floor.settings",
        reference=True,
    ),
    "sqlite": Target(
        "sqlite",
        "antifraud.wsgi",
        APP_ENDPOINTS,
        database_url=f"sqlite:///{SQLITE_PATH}",
        description="the app on SQLite (WAL), locmem cache",
    ),
    "postgres": Target(
        "postgres",
        "antifraud.wsgi",
        APP_ENDPOINTS,
        database_url=PG_URL,
        description=f"the app on PostgreSQL ({PG_DATABASE}), locmem cache",
    ),
    # The production path, set up as README's "Running in production" says: PostgreSQL,
    # Redis for the cache, the sessions and the rate limits, HTTPS=1 behind one proxy.
    "production": Target(
        "production",
        "antifraud.wsgi",
        APP_ENDPOINTS,
        database_url=PG_URL,
        redis_url=REDIS_URL,
        description=f"the app on PostgreSQL ({PG_DATABASE}) and Redis, HTTPS=1 behind a proxy",
        behind_proxy=True,
    ),
}
DEFAULT_TARGETS = ["bare", "floor", "sqlite", "production"]


def manage(target, *args, log):
    """Run manage.py with the target's environment; output goes to the log."""
    command = [sys.executable, "manage.py", *args]
    log.write(f"$ {' '.join(command)}\n")
    log.flush()
    result = subprocess.run(
        command,
        cwd=ROOT,
        env=target.env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        timeout=600,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed; see {log.name}")


def collectstatic(target, log):
    manage(target, "collectstatic", "--noinput", "--verbosity", "0", log=log)


def check_postgres():
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except psycopg.Error as exc:
        raise RuntimeError(
            f"PostgreSQL is not reachable at {PG_ADMIN_URL} ({exc}).\n"
            "Start it, set BENCH_POSTGRES_URL, or leave it out: --targets bare,sqlite"
        ) from None


@contextlib.contextmanager
def autovacuum_on():
    """PostgreSQL with autovacuum for the run, as every production server has it (it is
    on by default). A server started with it off (a test machine) gets it turned on
    (ALTER SYSTEM, reload) and back off at the end; without it the rows every answer
    updates pile up dead versions that a production database never keeps, and an
    answer costs the database more the longer the run lasts. Yields what was done."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, connect_timeout=5, autocommit=True) as conn:
        if conn.execute("SHOW autovacuum").fetchone()[0] == "on":
            yield "on"
            return
        conn.execute("ALTER SYSTEM SET autovacuum = on")
        conn.execute("SELECT pg_reload_conf()")
    try:
        yield "on (turned on for this run: the server had it off)"
    finally:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=5, autocommit=True) as conn:
            conn.execute("ALTER SYSTEM RESET autovacuum")
            conn.execute("SELECT pg_reload_conf()")


def reset_database(target, log):
    """A fresh database with the schema and the curriculum, nothing else."""
    if target.database_url.startswith("sqlite:"):
        DATA.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    else:
        recreate_postgres_database(database_name(target.database_url))
    manage(target, "migrate", "--noinput", "--verbosity", "0", log=log)
    manage(target, "load_curriculum", log=log)


def analyze(target):
    """Bring PostgreSQL's statistics of ``target``'s database up to date (ANALYZE), as
    autovacuum keeps a production database's. A bench database fills from empty within
    seconds, faster than autovacuum's one-minute round; planned for the empty tables of
    its start, a statement could scan every answer for the whole run, costing more with
    every round. Nothing for SQLite, which plans each statement anew."""
    if not (target.database_url or "").startswith("postgres"):
        return
    import psycopg

    with psycopg.connect(target.database_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute("ANALYZE")


def database_name(url):
    """The database a postgres:// URL names."""
    return url.rsplit("/", 1)[1].split("?", 1)[0]


def recreate_postgres_database(name):
    """Drop ``name`` (closing its connections) and create it empty."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def proc_stat(pid):
    """(ppid, utime+stime, cutime+cstime) in clock ticks, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rindex(b")") + 2 :].split()
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def all_pids():
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def machine_ticks():
    """(busy, total) jiffies over all cores, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user
    return total - idle, total


def postgres_server_ticks(backends):
    """CPU ticks of the whole PostgreSQL server whose ``backends`` (pid -> ticks, from
    ``postgres_backend_ticks``) serve the bench database: the postmaster, every live
    child (backends of any database, autovacuum workers, the WAL writer, the
    checkpointer) and the children it has reaped (backends closed and autovacuum workers
    finished between two readings, which the backends' own ticks miss). None without a
    backend to find it by."""
    parents = {stat[0] for stat in map(proc_stat, backends) if stat}
    if len(parents) != 1:
        return None
    postmaster = parents.pop()
    own = proc_stat(postmaster)
    if own is None:
        return None
    total = own[1] + own[2]
    for pid in all_pids():
        stat = proc_stat(pid)
        if stat and stat[0] == postmaster:
            total += stat[1]
    return total


def postgres_backend_ticks(database):
    """CPU ticks of the PostgreSQL backends connected to ``database``, by pid."""
    marker = f" {database} ".encode()
    ticks = {}
    for pid in all_pids():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        # A client's backend shows "<user> <database> <address> <state>"; an autovacuum
        # worker, whose CPU an answer's updates cause too, ends with the database's name.
        title = cmdline.rstrip(b"\0 ")
        if cmdline.startswith(b"postgres: ") and (
            marker in cmdline or title.endswith(marker.rstrip())
        ):
            stat = proc_stat(pid)
            if stat:
                ticks[pid] = stat[1]
    return ticks


def redis_server_pid(url):
    """The pid of the redis-server listening on ``url``'s port on this machine, or None."""
    port = f":{urlsplit(url).port or 6379}".encode()
    for pid in all_pids():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if cmdline.startswith(b"redis-server") and port in cmdline:
            return pid
    return None


def redis_commands(url):
    """Calls per Redis command since the server started ({name: calls}), from INFO
    commandstats. The server is shared by every database on it, so are these counts."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        stats = client.info("commandstats")
    finally:
        client.close()
    return {name.removeprefix("cmdstat_"): s["calls"] for name, s in stats.items()}


class Gunicorn:
    """gunicorn with WORKERS sync workers, DEBUG off, on 127.0.0.1 and a free port
    (or the ``port`` given)."""

    def __init__(self, target, log_path, port=None, workers=WORKERS):
        self.target = target
        self.log_path = log_path
        self.port = port or free_port()
        self.workers = workers
        self.process = None

    def start(self, ready_path):
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            self.target.wsgi,
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--bind",
            f"{HOST}:{self.port}",
            "--chdir",
            str(ROOT),
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--no-control-socket",
        ]
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.target.env(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up; see {self.log_path}")
            if len(self.worker_pids()) == self.workers:
                try:
                    if request(HOST, self.port, "GET", ready_path, timeout=5).status < 400:
                        return self
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer {ready_path} in 60 s; see {self.log_path}")

    def worker_pids(self):
        master = self.process.pid
        pids = []
        for pid in all_pids():
            stat = proc_stat(pid)
            if stat and stat[0] == master:
                pids.append(pid)
        return sorted(pids)

    def cpu_reading(self):
        """Worker CPU so far, in seconds: live workers' user+system time plus what the
        master collected from workers that exited (cutime+cstime)."""
        master = proc_stat(self.process.pid)
        ticks = master[2] if master else 0
        pids = self.worker_pids()
        for pid in pids:
            stat = proc_stat(pid)
            if stat:
                ticks += stat[1]
        return ticks / CLK_TCK, pids

    def stop(self):
        if self.process is None:
            return
        master = self.process.pid
        workers = self.worker_pids() if self.process.poll() is None else []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        for pid in workers:  # only if the master could not take them down
            stat = proc_stat(pid)
            if stat and stat[0] in (master, 1):
                os.kill(pid, signal.SIGKILL)
        self.process = None
        self.log.close()

    def log_problems(self):
        """Lines of the server log that look like errors."""
        text = Path(self.log_path).read_text(errors="replace")
        return [
            line
            for line in text.splitlines()
            if "Traceback" in line or "[ERROR]" in line or "[CRITICAL]" in line
        ]


def tool_versions():
    from importlib.metadata import PackageNotFoundError, version

    versions = {"python": sys.version.split()[0]}
    for dist in ("Django", "gunicorn", "whitenoise", "psycopg", "django-htmx", "brotli"):
        try:
            versions[dist.lower()] = version(dist)
        except PackageNotFoundError:
            versions[dist.lower()] = None
    import sqlite3

    versions["sqlite"] = sqlite3.sqlite_version
    return versions


def disk_free_gb():
    return round(shutil.disk_usage(ROOT).free / 1e9, 1)
