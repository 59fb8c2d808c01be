"""Reliability run: what it prints, and whether it passed."""

from collections import Counter, defaultdict

from .load import percentile
from .reliability_users import DB_KINDS
from .servers import ROOT


def ms(value):
    return "-" if value is None else f"{value * 1000:.1f}"


def latency_line(records):
    lat = sorted(r.seconds for r in records)
    return (
        " ".join(f"p{q} {ms(percentile(lat, q))}" for q in (50, 95, 99))
        + f" (max {ms(lat[-1] if lat else None)}) ms"
    )


def outage_figures(records, restart):
    """What users saw from the restart on.

    Recovery is the first 200 on a page that needs the database to a request sent after
    the outage was seen (the first 5xx answered), or after the restart command returned
    when no 5xx was seen: the database was down in between, so that 200 came from a new
    connection to the restarted server.
    """
    t = restart.started
    after = [r for r in records if r.end >= t]
    errors5 = [r for r in after if r.status is not None and r.status >= 500]
    first_5xx = min((r.end for r in errors5), default=None)
    since = first_5xx if first_5xx is not None else restart.ended
    first_200 = min(
        (r for r in after if r.status == 200 and r.kind in DB_KINDS and r.start >= since),
        key=lambda r: r.end,
        default=None,
    )
    return {
        "first_5xx": first_5xx,
        "last_5xx": max((r.end for r in errors5), default=None),
        "count_503": sum(1 for r in errors5 if r.status == 503),
        "friendly_503": sum(1 for r in errors5 if r.friendly),
        "first_200": first_200.end if first_200 else None,
        "first_200_kind": first_200.kind if first_200 else None,
    }


def timeline(records, start, end, step=0.25):
    """Responses per time slice around the restart: (slice start, ok, 503, other)."""
    rows = []
    t = start
    while t < end:
        group = [r for r in records if t <= r.end < t + step]
        ok = sum(1 for r in group if r.status is not None and r.status < 400)
        n503 = sum(1 for r in group if r.status == 503)
        rows.append((t, ok, n503, len(group) - ok - n503))
        t += step
    return rows


def rel(value, origin):
    return "-" if value is None else f"{value - origin:+.2f} s"


def report(args, records, acks, users, db, restart, wall, problems, log_path):
    statuses = Counter(r.status for r in records)
    errors = [r for r in records if r.status is None]
    print()
    print(f"Requests: {len(records)} in {wall:.1f} s ({len(records) / wall:.1f}/s)")
    print(
        "Statuses: "
        + ", ".join(
            f"{'conn error' if s is None else s}: {n}"
            for s, n in sorted(statuses.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        )
    )
    print(f"Latency, all requests: {latency_line(records)}")
    print(f"{'kind':<12}{'requests':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    by_kind = defaultdict(list)
    for r in records:
        by_kind[r.kind].append(r)
    for kind in sorted(by_kind):
        group = by_kind[kind]
        lat = sorted(r.seconds for r in group)
        counts = Counter(r.status for r in group)
        print(
            f"{kind:<12}{len(group):>9}{ms(percentile(lat, 50)):>9}{ms(percentile(lat, 95)):>9}"
            f"{ms(percentile(lat, 99)):>9}  "
            + " ".join(f"{s}x{n}" for s, n in sorted(counts.items(), key=lambda kv: kv[0] or 0))
        )
    htmx = sum(1 for a in acks if a.htmx)
    print(
        f"Acknowledged answers: {len(acks)} ({len(acks) - htmx} plain, {htmx} htmx) in "
        f"{len({a.public_id for a in acks})} runs, {db['complete_runs']} of them answered in full"
    )
    print(
        f"Answers sent again after a 503: {sum(u.retries for u in users)} "
        f"({db['stored_by_failed']} already stored by the request that got the 503)"
    )
    print(
        "Questions found answered without an acknowledgement: "
        f"{sum(u.answered_unacknowledged for u in users)}"
    )
    print(f"Database: {db['runs_stored']} runs, {db['answers_stored']} answers stored")

    checks = []
    if restart is None:
        bad = sum(n for s, n in statuses.items() if s is not None and s >= 500)
        checks.append((bad == 0, f"no 5xx responses ({bad})"))
        unexpected = sum(n for s, n in statuses.items() if s is not None and s >= 400)
        checks.append((unexpected == 0, f"no 4xx responses ({unexpected})"))
    elif restart.started is None or restart.ended is None:
        checks.append((False, "PostgreSQL was restarted during the load (it was not)"))
    else:
        print()
        out = outage_figures(records, restart)
        t = restart.started
        print(
            f"PostgreSQL restart: started at {t:.2f} s into the load, command returned after "
            f"{restart.ended - t:.2f} s (exit {restart.returncode}), pg_isready after "
            f"{'-' if restart.ready_after is None else f'{restart.ready_after:.2f} s'}"
        )
        if restart.returncode:
            print(f"  restart output: {restart.output}")
        window = (
            f"{rel(out['first_5xx'], t)} to {rel(out['last_5xx'], t)}"
            if out["first_5xx"] is not None
            else "none (no 5xx seen)"
        )
        print(f"Outage window (first to last 5xx, from the restart): {window}")
        print(
            f"503 responses: {out['count_503']} ({out['friendly_503']} with the friendly "
            "page and Retry-After)"
        )
        print(
            "Recovery, from the restart start: first 200 on a database page sent after the "
            f"outage began {rel(out['first_200'], t)} ({out['first_200_kind'] or '-'}); "
            f"5xx stopped {rel(out['last_5xx'], t) if out['last_5xx'] is not None else '-'}"
        )
        last = max(out["last_5xx"] or 0, out["first_200"] or 0, restart.ended)
        print("Responses by quarter second (from the restart start): ok/503/other")
        slices = timeline(records, t - 0.5, last + 0.5)
        for i in range(0, len(slices), 6):
            print(
                "  "
                + "  ".join(
                    f"{start - t:+5.2f} {ok}/{n503}/{other}"
                    for start, ok, n503, other in slices[i : i + 6]
                )
            )
        before = [r for r in records if r.end < t]
        during = [r for r in records if r.end >= t]
        bad_before = [r for r in before if r.status is not None and r.status >= 400]
        checks.append((restart.returncode == 0, "PostgreSQL restart command succeeded"))
        checks.append((not bad_before, f"no 4xx/5xx before the restart ({len(bad_before)})"))
        n500 = sum(
            1 for r in records if r.status is not None and r.status >= 500 and r.status != 503
        )
        checks.append((n500 == 0, f"no 500 (or other 5xx than 503) responses ({n500})"))
        unfriendly = [
            r for r in during if r.status is not None and r.status >= 400 and not r.friendly
        ]
        checks.append(
            (
                not unfriendly,
                "every 4xx/5xx from the restart on is the friendly 503 page with Retry-After "
                f"({len(unfriendly)} not)",
            )
        )
        recovered = out["first_200"] is not None and (
            out["last_5xx"] is None or out["last_5xx"] <= restart.ended + args.recovery_limit
        )
        checks.append(
            (
                recovered,
                f"recovered by itself: a database page answered 200 and 5xx stopped within "
                f"{args.recovery_limit:g} s of the restart",
            )
        )
        if unfriendly:
            for r in unfriendly[:5]:
                where = f"{r.method} {r.path} ({r.kind})"
                print(f"  not friendly: {where} -> {r.status} at {r.end:.2f} s")
    checks.append((not errors, f"no connection errors or time-outs ({len(errors)})"))
    checks.append(
        (
            not db["missing"] and not db["different"] and not db["conflicting_acks"],
            f"every acknowledged answer stored with its choice ({db['acknowledged']} "
            f"acknowledged, {len(db['missing'])} missing, {len(db['different'])} with "
            f"another choice, {db['conflicting_acks']} acknowledged twice differently)",
        )
    )
    checks.append(
        (
            db["duplicates"] == 0 and db["outside_run"] == 0,
            f"one answer per run and question ({db['duplicates']} duplicates, "
            f"{db['outside_run']} answers to a question outside their run)",
        )
    )
    checks.append(
        (
            not db["unfinished"],
            f"runs with every answer acknowledged are finished ({db['complete_runs']} runs, "
            f"{len(db['unfinished'])} not finished)",
        )
    )
    checks.append(
        (
            db["wrong_learner"] == 0,
            f"every answer's learner is its run's learner ({db['wrong_learner']} not)",
        )
    )
    for key in ("missing", "different", "unfinished"):
        for item in db[key][:5]:
            print(f"  {key}: {item}")
    if db["stored_unfinished"]:
        print(
            f"Note: {len(db['stored_unfinished'])} runs have every answer stored but are not "
            "finished, and some answer of theirs was never acknowledged (first: "
            f"{db['stored_unfinished'][0]})"
        )
    samples = [m for u in users for m in u.failures][:8]
    for message in samples:
        print(f"  client note: {message}")
    if problems:
        print(f"{len(problems)} error lines in {log_path.relative_to(ROOT)}; first: {problems[0]}")
    print()
    for ok, text in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {text}")
    failed = sum(1 for ok, _ in checks if not ok)
    print(f"\n{'PASS' if not failed else f'FAIL ({failed} checks)'}")
    return 1 if failed else 0
