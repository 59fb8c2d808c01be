"""Instructions per operation, counted by valgrind: a figure that does not move with the
machine's load, for comparing two versions of the code.

    .venv/bin/python -m bench.instructions                     # every endpoint
    .venv/bin/python -m bench.instructions question answer --ops 500
    .venv/bin/python -m bench.instructions --target production   # PostgreSQL + Redis

Runs ``bench.profile_endpoint <endpoint> --time-only`` under ``valgrind --tool=callgrind``
twice, with no operation and with ``--ops`` of them, and divides the difference: Django's
start-up and the warm-up cancel out. The figure includes the in-process load client
(bench/profile_endpoint.py), the same for every version, and only this process: what
PostgreSQL and Redis spend answering is not in it. Needs valgrind
(``apt-get install valgrind``); about half a minute per endpoint.
"""

import argparse
import re
import shutil
import subprocess
import sys

from .servers import APP_ENDPOINTS, ROOT, TARGETS

COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(endpoint, ops, extra):
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "bench.profile_endpoint",
        endpoint,
        "--time-only",
        "--ops",
        str(ops),
        *extra,
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    match = COLLECTED.search(result.stderr)
    if result.returncode or not match:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.instructions")
    parser.add_argument("endpoints", nargs="*", default=list(APP_ENDPOINTS))
    parser.add_argument("--ops", type=int, default=300)
    parser.add_argument(
        "--target", default="sqlite", choices=[n for n, t in TARGETS.items() if t.is_app]
    )
    parser.add_argument("--no-page-cache", action="store_true", help="as on a page-cache miss")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        parser.error("valgrind is not installed (apt-get install valgrind)")
    extra = ["--target", args.target]
    if args.no_page_cache:
        extra.append("--no-page-cache")
    for endpoint in args.endpoints:
        if endpoint not in APP_ENDPOINTS:
            parser.error(f"unknown endpoint {endpoint!r}; choose from {', '.join(APP_ENDPOINTS)}")
        base = instructions(endpoint, 0, extra)
        total = instructions(endpoint, args.ops, extra)
        per_op = (total - base) / args.ops / 1e6
        print(f"{endpoint:10} {per_op:7.2f} M instructions per op", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
