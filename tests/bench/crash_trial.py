"""Benchmark: 200 conferences booked while `confbot serve` is killed by SIGKILL 50 times.

Run it on its own with ``.venv/bin/python tests/bench/crash_trial.py`` from the repository
root (``make bench`` runs it with the others). ``CONFBOT_BENCH_SMALL=1`` runs 10
conferences and 3 kills instead. ``CONFBOT_BENCH_CONFERENCES`` and ``CONFBOT_BENCH_KILLS``
set other sizes.

It drives the crash trial's harness (``tests/integration/crash_harness.py``): one
sandbox tenant as its own process, and the conferences' requests mailed in K + 1 batches.
Each of the first K batches is followed by a `confbot serve` killed at a random point, at
start-up or after a random number of Graph calls, so the kills are spread over the run;
the last batch is served by a run that is left to finish everything.

The emails are then counted from the sandbox, in every mailbox's Sent Items and Drafts,
by subject and recipient. ``emails_expected`` is each booked conference's emails (the
copies whose subject names its reference, as sent at least once) plus, for a requested
conference that was never booked or whose parent letter never went, that letter;
``missing`` counts the latter. ``duplicates`` is copies beyond the first. ``restart_s``
is from spawning `serve` to its "confbot is running" line, over the runs that got that far.
Exits 1 if any email repeated or is missing. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.integration.crash_harness import (
    CONFBOT,
    Ledger,
    Process,
    Sandbox,
    Trial,
    finished,
    kill_at_random,
    mail_requests,
    sandbox_process,
    sent_copies,
    serve_env,
    store_rows,
)
from tests.integration.runtime_harness import PARENT_EMAIL

SMALL = os.environ.get("CONFBOT_BENCH_SMALL") == "1"
CONFERENCES = int(os.environ.get("CONFBOT_BENCH_CONFERENCES", "10" if SMALL else "200"))
KILLS = int(os.environ.get("CONFBOT_BENCH_KILLS", "3" if SMALL else "50"))
SEED = 19  # issue 19
FINISH_S_PER_CONFERENCE = 1.0  # the last run's deadline, at least a minute


def batches(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` sizes that differ by at most one."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def letter(reference: str) -> str:
    return f"Your child protection conference: {reference}"


def run(work: Path, sandbox: Sandbox) -> tuple[dict[str, object], list[float]]:
    """Mail, kill and restart; return the counts and the restart times."""
    rng = random.Random(SEED)
    env = serve_env(work, sandbox)
    database = work / "var" / "confbot.sqlite3"
    ledger = Ledger()
    sizes = batches(CONFERENCES, KILLS + 1)
    mailed = 0
    for size in sizes[:-1]:
        trial = Trial(mode=rng.choice(("start-up", "mid-intake")), mailed=0)
        trial.mailed = mail_requests(
            sandbox, rng, ledger, first_case=mailed + 1, count=size, unreadable=0.0
        )
        mailed += trial.mailed
        sandbox.call("DELETE", "/_sandbox/requests")  # count this trial's Graph calls only
        serve = Process([CONFBOT, "serve"], env=env, cwd=work)
        try:
            kill_at_random(serve, sandbox, rng, trial)
        finally:
            serve.kill()
        ledger.trials.append(trial)

    mailed += mail_requests(
        sandbox, rng, ledger, first_case=mailed + 1, count=sizes[-1], unreadable=0.0
    )
    restarts = [t.started_s for t in ledger.trials if t.started_s is not None]
    began = time.monotonic()
    last = Process([CONFBOT, "serve"], env=env, cwd=work)
    try:
        if last.expect(r"confbot is running", 60) is None:
            raise SystemExit("serve did not start after the kills:\n" + "".join(last.output))
        restarts.append(time.monotonic() - began)
        deadline = time.monotonic() + max(60.0, FINISH_S_PER_CONFERENCE * CONFERENCES)
        while not finished(database, mailed) and time.monotonic() < deadline:
            last.expect(r"(?!)", 0.25)  # poll the store, draining the process's output
    finally:
        last.stop()

    sent = sent_copies(sandbox.call("GET", "/_sandbox/state"))
    booked = {r for (r,) in store_rows(database, "SELECT reference FROM conference")}
    scheduled = {
        r
        for (r,) in store_rows(
            database, "SELECT reference FROM conference WHERE state = 'scheduled'"
        )
    }
    # Conferences get references of their own; the mailed case references name children.
    cases = store_rows(
        database,
        "SELECT r.reference FROM child_case_reference r",
    )
    unbooked = len(ledger.preset - {c for (c,) in cases}) + len(booked - scheduled)
    expected = {key for key in sent if any(ref in key[0] for ref in booked)}
    unlettered = [r for r in scheduled if (letter(r), PARENT_EMAIL) not in sent]
    missing = unbooked + len(unlettered)
    result: dict[str, object] = {
        "emails_expected": len(expected) + missing,
        "emails_sent": sum(sent[key] for key in expected),
        "duplicates": sum(n - 1 for n in sent.values() if n > 1),
        "missing": missing,
    }
    return result, restarts


def main() -> None:
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="confbot-crash-bench-") as folder:
        work = Path(folder)
        with sandbox_process(work) as sandbox:
            counts, restarts = run(work, sandbox)
    print(
        json.dumps(
            {
                "bench": "crash_trial",
                "conferences": CONFERENCES,
                "kills": KILLS,
                **counts,
                "restart_s_p50": round(statistics.median(restarts), 3),
                "restart_s_max": round(max(restarts), 3),
                "wall_s": round(time.monotonic() - began, 1),
            }
        )
    )
    if counts["duplicates"] or counts["missing"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
