"""Facts about a benchmark run: the machine, the code measured, where results are saved."""

import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import subprocess

from . import servers
from .servers import ROOT

RESULTS = ROOT / "bench" / "results"


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


def save(report):
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.fromisoformat(report["date"]).strftime("%Y%m%d-%H%M%S")
    commit = (report["git"]["commit"] or "nogit")[:10]
    path = RESULTS / f"{stamp}-{commit}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path
