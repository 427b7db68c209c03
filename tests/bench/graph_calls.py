"""Benchmark: Graph requests per conference, from the request email to the booked meeting.

Run it on its own with ``.venv/bin/python tests/bench/graph_calls.py`` from the repository
root (``make bench`` runs it with the others). ``CONFBOT_BENCH_SMALL=1`` runs fewer requests.

An in-process confbot on its embedded sandbox. After start-up the sandbox's request log is
emptied; then one request, with chair, format and start preset, is mailed and handled, and
every Graph call the sandbox logged for it is counted by endpoint (ids become ``{id}``).
``total`` counts HTTP requests from confbot; a ``$batch`` is one, and the requests it
carries (which Graph still throttles one by one) are listed under ``inside_batch``.
``steady_state`` repeats that for several requests in a row and gives the mean per
request: it also counts the re-read of the previous message, which the delta query hands
back once more because confbot tagged it with a category.
Target (issue 5): ``setup.total`` <= 6. Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
import tempfile
from collections import Counter
from datetime import time, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.runtime.requests import Handled, RequestIntake
from bot.settings import Settings
from bot.store.repository import Repository
from tests.integration.runtime_harness import Running, preset_body, running, working_days_ahead

SMALL = os.environ.get("CONFBOT_BENCH_SMALL") == "1"
STEADY_REQUESTS = 3 if SMALL else 10
HANDLED_WITHIN_S = 30.0
# Graph ids in the sandbox are long base64url strings; a user is an id or an address.
_SEGMENT_ID = re.compile(r"^[A-Za-z0-9_\-=]{20,}$")
_QUOTED_ID = re.compile(r"\('[^']*'\)")


def settings_for(data_dir: Path) -> Settings:
    """Sandbox-mode settings under ``data_dir``; only notifications wake the sweep."""
    return Settings.model_validate(
        {
            "data_dir": data_dir,
            "store": {"url": f"sqlite:///{data_dir / 'confbot.sqlite3'}"},
            "web": {"port": 0},
            "conference": {"sweep_interval": timedelta(hours=1)},
        }
    )


def endpoint(method: str, path: str) -> str:
    """``GET /v1.0/users/{id}/messages/{id}``: the call with its ids taken out."""
    parts = path.split("/")
    for i, part in enumerate(parts):
        if (i > 0 and parts[i - 1] == "users") or _SEGMENT_ID.match(part):
            parts[i] = "{id}"
        else:
            parts[i] = _QUOTED_ID.sub("('{id}')", part)
    return f"{method} {'/'.join(parts)}"


class HandledWatch:
    """Wakes the benchmark when the intake has finished with a message."""

    def __init__(self, intake: RequestIntake) -> None:
        self.done: asyncio.Queue[Handled] = asyncio.Queue()
        original = intake.handle

        async def handle(msg: Any) -> Handled:
            handled = await original(msg)
            if handled.outcome != "replay":
                self.done.put_nowait(handled)
            return handled

        intake.handle = handle  # type: ignore[method-assign]

    async def next(self) -> Handled:
        """The next message handled for the first time."""
        return await asyncio.wait_for(self.done.get(), HANDLED_WITHIN_S)


async def graph_log(bot: Running, *, clear: bool = False) -> list[dict[str, Any]]:
    """The sandbox's Graph request log; ``clear`` empties it afterwards."""
    async with bot.http.get(f"{bot.sandbox}/_sandbox/requests") as response:
        entries = list((await response.json())["requests"])
    if clear:
        async with bot.http.delete(f"{bot.sandbox}/_sandbox/requests"):
            pass
    return entries


def outer(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The HTTP requests confbot made: not those carried inside a ``$batch``."""
    return [e for e in entries if not e.get("in_batch")]


def by_endpoint(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Calls per endpoint, most frequent first."""
    counts = Counter(endpoint(e["method"], e["path"]) for e in entries)
    return dict(counts.most_common())


async def settle(bot: Running, watch: HandledWatch, case: int) -> Handled:
    """Mail one preset request and wait until the intake has booked it."""
    start = working_days_ahead(5 + case % 5, time(9 + case % 6, 0))
    await bot.mail(preset_body(start, case=case))
    handled = await watch.next()
    assert handled.conference_id is not None, handled
    return handled


async def started(bot: Running) -> None:
    """Wait, bounded, until the first sweep ran and the mail subscription exists."""
    sweep, settings = bot.services.sweep, bot.services.settings
    assert sweep is not None
    key = f"subscription:{settings.graph.request_mailbox}"
    for _ in range(200):
        if sweep.last_sweep is not None and bot.services.repository.get_state(key):
            return
        await asyncio.sleep(0.025)
    raise TimeoutError("confbot did not finish starting within 5 s")


def scheduled(repository: Repository, conference_id: int) -> bool:
    """Whether the conference reached a booked meeting."""
    kinds = {entry.kind for entry in repository.timeline(conference_id)}
    return "meeting_created" in kinds


async def run() -> dict[str, Any]:
    """One request measured alone, then several in a row."""
    with tempfile.TemporaryDirectory(prefix="confbot-bench-") as tmp:
        async with running(settings_for(Path(tmp))) as bot:
            assert bot.services.intake is not None
            watch = HandledWatch(bot.services.intake)
            # Start-up (subscription, first sweep) is not part of any conference's set-up.
            await started(bot)
            await graph_log(bot, clear=True)
            first = await settle(bot, watch, case=1)
            single = await graph_log(bot, clear=True)
            assert first.conference_id and scheduled(bot.services.repository, first.conference_id)
            for case in range(2, STEADY_REQUESTS + 2):
                await settle(bot, watch, case=case)
            steady = await graph_log(bot)
    steady_http = outer(steady)
    mean = {
        name: round(count / STEADY_REQUESTS, 2) for name, count in by_endpoint(steady_http).items()
    }
    return {
        "benchmark": "graph_calls",
        "setup": {
            "total": len(outer(single)),
            "by_endpoint": by_endpoint(outer(single)),
            "inside_batch": by_endpoint([e for e in single if e.get("in_batch")]),
        },
        "steady_state": {
            "n": STEADY_REQUESTS,
            "total_mean": round(len(steady_http) / STEADY_REQUESTS, 2),
            "by_endpoint_mean": mean,
        },
        "failed_calls": sum(1 for e in single + steady if e["status"] >= 400),
        "target_total": 6,
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run())))
