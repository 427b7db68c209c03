"""Benchmark: the status pages over 10,000 conferences in SQLite, timed from a second process.

Starts `confbot serve` as a subprocess against a pre-filled store, signs in with the printed
link, then times the overview, the conferences list and a conference's detail page over
loopback. Prints one JSON line. CONFBOT_BENCH_SMALL=1 runs a small, quick version for CI.
Targets (issue 8): p95 <= 150 ms for each page, serve <= 250 MB RSS.
"""

from __future__ import annotations

import json
import os
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.reference import format_reference
from bot.store.database import Database
from bot.store.models import ConferenceRow, ParticipantRow, TimelineEntryRow

SMALL = os.environ.get("CONFBOT_BENCH_SMALL") == "1"
CONFERENCES = 500 if SMALL else 10_000
REQUESTS = 15 if SMALL else 100
PLAYBOOK = "lancashire"  # serve runs one council's playbook (the settings' default)
CHAIRS = [f"chair{n:02d}@council.example" for n in range(25)]
CONFBOT = str(Path(sys.executable).parent / "confbot")


def fill(url: str, count: int) -> None:
    """Insert ``count`` fictional conferences with participants and timeline lines."""
    database = Database(url)
    database.upgrade()
    rng = random.Random(8)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    past_states = (ConferenceState.CONCLUDED, ConferenceState.CANCELLED)
    future_states = (
        ConferenceState.REQUESTED,
        ConferenceState.ALLOCATED,
        ConferenceState.AWAITING_FORMAT,
        ConferenceState.SCHEDULED,
    )
    conferences, people, entries = [], [], []
    for i in range(1, count + 1):
        # A big council's history: two years of conferences, and six weeks booked ahead.
        start = now + timedelta(hours=rng.randint(-24 * 730, 24 * 42))
        start = start.replace(hour=rng.choice((10, 11, 13, 14)))
        kind = rng.choice((ConferenceType.ICPC, ConferenceType.RCPC, ConferenceType.TI))
        # Like a real council's store: the past is concluded, the future still being set up.
        state = rng.choice(past_states if start < now else future_states)
        chair = None if state is ConferenceState.REQUESTED else rng.choice(CHAIRS)
        fmt = MeetingFormat.TEAMS if state.value in ("scheduled", "concluded") else None
        conferences.append(
            {
                "id": i,
                "reference": format_reference(2026, i),
                "playbook": PLAYBOOK,
                "conference_type": kind.value,
                "state": state.value,
                "chair": chair,
                "meeting_format": fmt.value if fmt else None,
                "start_at": start,
                "strategy_discussion": (start - timedelta(days=rng.randint(5, 30))).date()
                if kind is ConferenceType.ICPC
                else None,
                "facts": {},
                "created_at": now,
                "updated_at": now,
            }
        )
        for role, name in ((Role.SOCIAL_WORKER, "Bench Worker"), (Role.PARENT, "Bench Parent")):
            people.append(
                {
                    "conference_id": i,
                    "role": role.value,
                    "name": f"{name} {i}",
                    "organisation": "",
                    "email": f"person{i}@example.invalid",
                    "phone": None,
                    "held_back": role is Role.PARENT,
                }
            )
        for n in range(3):
            entries.append(
                {
                    "conference_id": i,
                    "at": now - timedelta(hours=n),
                    "actor": "runtime",
                    "kind": "failed" if rng.random() < 0.01 else "note",
                    "step_id": f"step.{n}",
                    "detail": {},
                }
            )
    with database.session() as session:
        session.execute(insert(ConferenceRow), conferences)
        session.execute(insert(ParticipantRow), people)
        session.execute(insert(TimelineEntryRow), entries)
    database.dispose()


def p95(samples: list[float]) -> float:
    """The 95th percentile, in milliseconds."""
    return round(statistics.quantiles(samples, n=20, method="inclusive")[18] * 1000, 1)


def timed(
    url: str, cookie: str, count: int, before: Callable[[], None] | None = None
) -> list[float]:
    """Seconds taken by ``count`` sequential GETs, after one warm-up."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    samples = []
    for n in range(count + 1):
        if before is not None:
            before()
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            assert response.status == 200, url
        if n:
            samples.append(time.perf_counter() - started)
    return samples


def touch(path: Path, conference: bool = False) -> Callable[[], None]:
    """Something changes before each request: a timeline line, or a conference itself."""

    def write() -> None:
        now = datetime.now(UTC).isoformat()
        with sqlite3.connect(path) as connection:
            if conference:
                connection.execute("UPDATE conference SET updated_at = ? WHERE id = 1", (now,))
            else:
                connection.execute(
                    "INSERT INTO timeline_entry (conference_id, at, actor, kind, step_id, detail)"
                    " VALUES (1, ?, 'bench', 'note', NULL, '{}')",
                    (now,),
                )

    return write


def wait_idle(pid: int, limit: float = 120.0) -> None:
    """Wait until serve has finished its start-up work (planning every scheduled conference)."""
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu() -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = cpu()
        time.sleep(0.5)
        if cpu() - before < 0.05:
            return


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def main() -> None:
    """Fill, serve, sign in, measure, print one JSON line."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        url = f"sqlite:///{root / 'bench.sqlite3'}"
        fill(url, CONFERENCES)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
        env.update(
            CONFBOT_DATA_DIR=str(root / "var"),
            CONFBOT_STORE__URL=url,
            CONFBOT_WEB__PORT="0",
            CONFBOT_LOG_LEVEL="WARNING",
        )
        serve = subprocess.Popen(
            [CONFBOT, "serve"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        drained: list[str] = []
        try:
            assert serve.stdout is not None
            signin = base = ""
            deadline = time.monotonic() + 300  # serve plans every scheduled conference first
            while time.monotonic() < deadline and not signin:
                line = serve.stdout.readline()
                if not line:
                    raise SystemExit("serve stopped before it was ready")
                if match := re.search(r"Status page: (\S+)/$", line.strip()):
                    base = match.group(1)
                if match := re.search(r"Sign in: (\S+)", line):
                    signin = match.group(1)

            # Keep reading serve's output so a full pipe never stalls it.
            threading.Thread(target=lambda: drained.extend(serve.stdout), daemon=True).start()

            class Keep(urllib.request.HTTPRedirectHandler):
                def redirect_request(self, *args: object, **kwargs: object) -> None:
                    return None

            opener = urllib.request.build_opener(Keep)
            settled = time.monotonic()
            wait_idle(serve.pid)
            settled = time.monotonic() - settled
            try:
                opener.open(signin, timeout=30)
            except urllib.error.HTTPError as err:
                cookie = err.headers["Set-Cookie"].split(";", 1)[0]
            detail_id = CONFERENCES // 2
            overview = timed(base + "/", cookie, REQUESTS)
            changing = timed(base + "/", cookie, REQUESTS, touch(root / "bench.sqlite3"))
            cold = timed(base + "/", cookie, REQUESTS, touch(root / "bench.sqlite3", True))
            listing = timed(base + "/conferences?page=3", cookie, REQUESTS)
            filtered = timed(base + "/conferences?state=scheduled&type=ICPC", cookie, REQUESTS)
            detail = timed(base + f"/conferences/{detail_id}", cookie, REQUESTS)
            result = {
                "overview_p95_ms": p95(overview + changing + cold),
                "overview_unchanged_p95_ms": p95(overview),
                "overview_changing_p95_ms": p95(changing),
                "overview_cold_p95_ms": p95(cold),
                "list_p95_ms": p95(listing + filtered),
                "detail_p95_ms": p95(detail),
                "rss_mb": rss_mb(serve.pid),
                "conferences": CONFERENCES,
                "startup_busy_s": round(settled, 1),
                "requests_per_page": REQUESTS,
            }
        finally:
            serve.terminate()
            try:
                serve.wait(timeout=10)
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait()
        if os.environ.get("CONFBOT_BENCH_VERBOSE"):
            print("".join(drained[-20:]), file=sys.stderr)
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
