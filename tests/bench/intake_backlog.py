"""Benchmark: 1,000 request emails already waiting in the mailbox when confbot starts, drained.

Run it on its own with ``.venv/bin/python tests/bench/intake_backlog.py`` from the
repository root (``make bench`` runs it with the others). ``CONFBOT_BENCH_SMALL=1`` runs
50 requests instead of 1,000.

The sandbox runs first, on its own thread and event loop, and the requests are mailed to
it (one in twenty unreadable, so it must end in triage). Then an in-process confbot
starts against it (``graph.base_url``), and the clock runs from its start until every
request is a conference or a triage item.

Concurrency per mailbox: the sandbox's request log holds each call's start time, not its
end, so it cannot show overlap by itself. The benchmark therefore counts the calls the
sandbox is serving for each mailbox when a new one arrives (the counter its Exchange-like
429 limit uses), and reports the peak (``max_concurrent_per_mailbox``), with the 429s that
limit gave. ``log_lower_bound`` is what the log alone proves: the log is written in the
order calls finish, so a call ended no earlier than the latest start logged before it.
Targets (issue 5): ``drain_s`` <= 60 and ``max_concurrent_per_mailbox`` <= 4.
Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sqlite3
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.settings import Settings
from graph.sandbox.server import SandboxHandle, start_sandbox
from tests.integration.runtime_harness import MAILBOX, SOCIAL_WORKER, request_body, running

SMALL = os.environ.get("CONFBOT_BENCH_SMALL") == "1"
REQUESTS = 50 if SMALL else 1000
UNREADABLE_EVERY = 20
DRAINED_WITHIN_S = 600.0
POSTING_CONCURRENCY = 8


class InFlightPeaks(dict[str, int]):
    """The sandbox's per-mailbox in-flight counter, remembering the most seen at once.

    The sandbox's concurrency middleware calls ``get`` once as each call arrives, before
    it admits or throttles it, so ``get() + 1`` is how many calls the client had open.
    """

    def __init__(self) -> None:
        super().__init__()
        self.peaks: dict[str, int] = {}

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        value = super().get(key, default)
        self.peaks[key] = max(self.peaks.get(key, 0), int(value or 0) + 1)
        return value


class SandboxThread:
    """The sandbox on its own thread and event loop, so it does not share confbot's loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.peaks = InFlightPeaks()
        self.handle: SandboxHandle | None = None

    def start(self) -> SandboxHandle:
        """Start serving and return the handle."""
        self.thread.start()
        self.handle = asyncio.run_coroutine_threadsafe(start_sandbox(), self.loop).result(30)
        self.handle.sandbox.in_flight = self.peaks
        return self.handle

    def request_log(self) -> list[dict[str, Any]]:
        """A copy of the request log, taken on the sandbox's own loop."""
        assert self.handle is not None
        requests = self.handle.sandbox.requests

        async def copy() -> list[dict[str, Any]]:
            return list(requests)

        return asyncio.run_coroutine_threadsafe(copy(), self.loop).result(30)

    def stop(self) -> None:
        """Stop serving, then the loop and the thread."""
        if self.handle is not None:
            asyncio.run_coroutine_threadsafe(self.handle.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)
        self.loop.close()


def request(case: int) -> str:
    """A fictional request; every ``UNREADABLE_EVERY``th one cannot be read."""
    body = request_body().replace("NS-100234", f"NS-{200000 + case}")
    if case % UNREADABLE_EVERY == 0:
        return body.replace("Conference type: ICPC", "Conference type: ???")
    return body


async def post_requests(sandbox_url: str, count: int) -> None:
    """Mail ``count`` requests to the request mailbox before confbot starts."""
    gate = asyncio.Semaphore(POSTING_CONCURRENCY)
    async with aiohttp.ClientSession() as http:

        async def post(case: int) -> None:
            async with (
                gate,
                http.post(
                    f"{sandbox_url}/_sandbox/mail",
                    json={
                        "to": MAILBOX,
                        "from": SOCIAL_WORKER,
                        "subject": f"Request {case}",
                        "body": request(case),
                        "contentType": "text",
                    },
                ) as response,
            ):
                assert response.status == 201, await response.text()

        await asyncio.gather(*(post(case) for case in range(1, count + 1)))


def handled(database: Path) -> tuple[int, int, int]:
    """(requests recorded, conferences, triage items) in the store, read from another connection."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
        try:
            recorded = db.execute(
                "SELECT COUNT(*) FROM conference_request WHERE outcome != 'pending'"
            ).fetchone()[0]
            conferences = db.execute("SELECT COUNT(*) FROM conference").fetchone()[0]
            triage = db.execute("SELECT COUNT(*) FROM triage_item").fetchone()[0]
        except sqlite3.OperationalError:  # not migrated yet
            return 0, 0, 0
    return int(recorded), int(conferences), int(triage)


def by_endpoint(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Calls per ``METHOD path``, with the user and any long id as ``{id}``."""
    counts: dict[str, int] = defaultdict(int)
    for entry in entries:
        parts = entry["path"].split("/")
        for i, part in enumerate(parts):
            if (i > 0 and parts[i - 1] == "users") or (len(part) >= 20 and "(" not in part):
                parts[i] = "{id}"
            else:
                parts[i] = re.sub(r"\('[^']*'\)", "('{id}')", part)
        counts[f"{entry['method']} {'/'.join(parts)}"] += 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def log_lower_bound(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Per mailbox, the overlap the log alone proves (it is in order of completion)."""
    intervals: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    latest_start: datetime | None = None
    for entry in entries:
        began = datetime.fromisoformat(entry["timestamp"])
        latest_start = began if latest_start is None else max(latest_start, began)
        if entry.get("mailbox") and latest_start > began:
            intervals[entry["mailbox"]].append((began, latest_start))
    peaks: dict[str, int] = {}
    for mailbox, spans in intervals.items():
        # Ends sort before starts at the same instant: touching is not overlapping.
        points = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
        open_now = peak = 0
        for _, step in points:
            open_now += step
            peak = max(peak, open_now)
        peaks[mailbox] = peak
    return peaks


async def run() -> dict[str, Any]:
    """Fill the mailbox, start confbot, and time the drain."""
    sandbox = SandboxThread()
    handle = sandbox.start()
    try:
        with tempfile.TemporaryDirectory(prefix="confbot-bench-") as tmp:
            data_dir = Path(tmp)
            database = data_dir / "confbot.sqlite3"
            settings = Settings.model_validate(
                {
                    "data_dir": data_dir,
                    "store": {"url": f"sqlite:///{database}"},
                    "web": {"port": 0},
                    "graph": {"base_url": handle.graph_url},
                    "conference": {"sweep_interval": timedelta(seconds=60)},
                }
            )
            await post_requests(handle.url, REQUESTS)
            waiting = sandbox.request_log()
            began = time.perf_counter()
            async with running(settings):
                started_s = time.perf_counter() - began
                deadline = began + DRAINED_WITHIN_S
                first_s = None
                while (counts := await asyncio.to_thread(handled, database))[0] < REQUESTS:
                    if first_s is None and counts[0] > 0:
                        first_s = time.perf_counter() - began
                    if time.perf_counter() > deadline:
                        raise TimeoutError(f"only {counts[0]} of {REQUESTS} handled")
                    await asyncio.sleep(0.05)
                drain_s = time.perf_counter() - began
            log = sandbox.request_log()[len(waiting) :]
    finally:
        sandbox.stop()
    _, conferences, triage = counts
    throttled = sum(
        1
        for e in log
        if e["status"] == 429 and e.get("mailbox")  # the concurrency limit's answer
    )
    return {
        "benchmark": "intake_backlog",
        "n": REQUESTS,
        "drain_s": round(drain_s, 2),
        "startup_s": round(started_s, 2),
        "first_handled_s": None if first_s is None else round(first_s, 2),
        "conferences": conferences,
        "triage": triage,
        "max_concurrent_per_mailbox": max(sandbox.peaks.peaks.values(), default=0),
        "concurrent_by_mailbox": dict(sorted(sandbox.peaks.peaks.items())),
        "throttled_429": throttled,
        "log_lower_bound": max(log_lower_bound(log).values(), default=0),
        "graph_calls": len(log),
        "graph_calls_by_endpoint": by_endpoint(log),
        "target_drain_s": 60,
        "target_concurrent": 4,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run())))
