"""Benchmark: Graph requests per conference, request email to booked meeting and to follow-ups.

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
Target (issue 5): ``setup.total`` <= 6.

``lifecycle`` (issue 7) counts one conference's whole life on a second confbot, wired with
its aftercare as the aftercare flow tests wire it: the preset request mailed and booked,
the meeting held through the run sheet (the chair answering every prompt), the conference
concluded with its decisions, every follow-up job run by the deadline runner, the minutes
approved and their distribution run. It runs once per bundled playbook (their follow-ups
differ); ``lifecycle.total`` and ``by_endpoint`` are the playbook needing the most
requests, named in ``playbook``, and ``by_playbook`` gives every playbook's total. The
one-off ``POST /subscriptions`` made at start-up is not counted (the log is emptied after
start-up), and ``excluded`` says so. Requests inside a ``$batch`` are counted as above.
Target (issue 7): ``lifecycle.total`` <= 12. Prints one JSON line.
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

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import PhaseKind
from bot.runtime.intake import Handled
from bot.runtime.mailbox import MailboxSweep
from bot.settings import Settings
from bot.store.repository import Repository
from playbooks import load_all_bundled
from tests.integration.aftercare_harness import (
    AftercareRunning,
    drive_meeting,
    running_aftercare,
)
from tests.integration.runtime_harness import (
    CHAIR,
    Running,
    preset_body,
    running,
    self_booking_playbook,
    working_days_ahead,
)

SMALL = os.environ.get("CONFBOT_BENCH_SMALL") == "1"
STEADY_REQUESTS = 3 if SMALL else 10
HANDLED_WITHIN_S = 30.0
# Graph ids in the sandbox are long base64url strings; a user is an id or an address.
_SEGMENT_ID = re.compile(r"^[A-Za-z0-9_\-=]{20,}$")
_QUOTED_ID = re.compile(r"\('[^']*'\)")
# As in the aftercare flow tests: who takes part in the meeting.
JOINING = {Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.PARENT, Role.SCHOOL}
# Each lifecycle starts from an ICPC request: a LAC-only playbook (northmoor-lac) takes none.
PLAYBOOKS = sorted(n for n, p in load_all_bundled().items() if ConferenceType.ICPC in p.conferences)
EXCLUDED = ["POST /v1.0/subscriptions (once at start-up, not per conference)"]


def settings_for(data_dir: Path) -> Settings:
    """Sandbox-mode settings under ``data_dir``; only notifications wake the sweep.

    The set-up count books from the request itself, so it runs Lancashire's process with
    the self-booking rule the other councils have (Lancashire's own chair decides first).
    """
    return Settings.model_validate(
        {
            "data_dir": data_dir,
            "store": {"url": f"sqlite:///{data_dir / 'confbot.sqlite3'}"},
            "web": {"port": 0},
            "conference": {
                "sweep_interval": timedelta(hours=1),
                "playbook": str(self_booking_playbook(data_dir)),
            },
        }
    )


def endpoint(method: str, path: str) -> str:
    """``GET /v1.0/users/{id}/messages/{id}``: the call with its ids taken out."""
    parts = path.split("/")
    for i, part in enumerate(parts):
        if i > 0 and parts[i - 1] == "items":  # a drive item by path: root:/folder/name:
            parts[i:] = ["{path}", parts[-1]] if len(parts) > i + 1 else ["{path}"]
            break
        if (i > 0 and parts[i - 1] in ("users", "drives")) or _SEGMENT_ID.match(part):
            parts[i] = "{id}"
        else:
            parts[i] = _QUOTED_ID.sub("('{id}')", part)
    return f"{method} {'/'.join(parts)}"


class HandledWatch:
    """Wakes the benchmark when the intake has finished with a message."""

    def __init__(self, sweep: MailboxSweep | None) -> None:
        assert sweep is not None
        self.done: asyncio.Queue[Handled] = asyncio.Queue()
        original = sweep.handle

        async def handle(msg: Any, mailbox: Any) -> object:
            handled = await original(msg, mailbox)
            if isinstance(handled, Handled) and handled.outcome != "replay":
                self.done.put_nowait(handled)
            return handled

        sweep.handle = handle

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


async def lifecycle(data_dir: Path, playbook: str) -> list[dict[str, Any]]:
    """One conference's Graph log from its request email to its minutes sent."""
    settings = settings_for(data_dir)
    conference_settings = settings.conference.model_copy(update={"playbook": playbook})
    settings = settings.model_copy(update={"conference": conference_settings})
    async with running_aftercare(settings) as bot:
        watch = HandledWatch(bot.services.sweep)
        await started(bot)
        await graph_log(bot, clear=True)
        handled = await settle(bot, watch, case=1)
        assert handled.conference_id is not None
        repository = bot.services.repository
        if repository.get_conference(handled.conference_id).state is not ConferenceState.SCHEDULED:
            await book(bot, handled.conference_id)
        conference = repository.get_conference(handled.conference_id)
        assert conference.state is ConferenceState.SCHEDULED, conference.state
        await drive_meeting(bot.services, conference, joining=JOINING)
        await conclude(bot, conference.id)
        await bot.run_jobs(conference.id)
        status, body = await bot.api("POST", f"/api/conferences/{conference.id}/minutes/approve")
        assert status == 200, body
        if bot.services.playbooks.for_conference(conference).distribution.peer_check:  # seed 002
            await bot.aftercare.approve_distribution(
                conference.id, user="jody.farrant@example.org", role="admin"
            )
        await bot.run_jobs(conference.id)
        kinds = {e.kind for e in bot.services.repository.timeline(conference.id)}
        assert "followup_sent" in kinds and not kinds & {"failed", "blocked"}, kinds
        return await graph_log(bot)


async def book(bot: AftercareRunning, conference_id: int) -> None:
    """Where the preset did not suit the playbook, the admin sets chair and format as asked.

    As the aftercare flow tests do: Teams where offered, else the playbook's default, with
    a confidential section where the playbook holds one.
    """
    conference = bot.services.repository.get_conference(conference_id)
    rules = bot.services.playbooks.for_conference(conference).rules(conference.conference_type)
    offered = rules.formats.offered
    fmt = MeetingFormat.TEAMS if MeetingFormat.TEAMS in offered else rules.formats.default
    confidential = any(p.kind is PhaseKind.CONFIDENTIAL_SECTION for p in rules.phases(fmt))
    if conference.chair is None:
        status, body = await bot.api(
            "POST", f"/api/conferences/{conference_id}/allocate", {"chair": CHAIR}
        )
        assert status == 200, body
    status, body = await bot.api(
        "POST",
        f"/api/conferences/{conference_id}/format",
        {
            "format": fmt.value,
            "start": working_days_ahead(6).isoformat(),
            "confidential_minutes": 20 if confidential else None,
        },
    )
    assert status == 200, body


async def conclude(bot: AftercareRunning, conference_id: int) -> None:
    """Conclude with a plan, a core group date and a review date, as the admin would."""
    conference = bot.services.repository.get_conference(conference_id)
    assert conference.start_at is not None
    decisions = {
        "plan": True,
        "category": "neglect",
        "plan_type": "interim",
        "core_group": (conference.start_at + timedelta(days=10)).date().isoformat(),
        "review": (conference.start_at + timedelta(days=90)).date().isoformat(),
    }
    status, body = await bot.api(
        "POST", f"/api/conferences/{conference_id}/conclude", {"decisions": decisions}
    )
    assert status == 200, body


async def run() -> dict[str, Any]:
    """One request measured alone, then several in a row; then one whole lifecycle."""
    with tempfile.TemporaryDirectory(prefix="confbot-bench-") as tmp:
        async with running(settings_for(Path(tmp))) as bot:
            watch = HandledWatch(bot.services.sweep)
            # Start-up (subscription, first sweep) is not part of any conference's set-up.
            await started(bot)
            await graph_log(bot, clear=True)
            first = await settle(bot, watch, case=1)
            single = await graph_log(bot, clear=True)
            assert first.conference_id and scheduled(bot.services.repository, first.conference_id)
            for case in range(2, STEADY_REQUESTS + 2):
                await settle(bot, watch, case=case)
            steady = await graph_log(bot)
        lives: dict[str, list[dict[str, Any]]] = {}
        for playbook in PLAYBOOKS:
            (Path(tmp) / playbook).mkdir()
            lives[playbook] = await lifecycle(Path(tmp) / playbook, playbook)
    # The headline is the playbook needing the most requests; each one's total is listed.
    worst = max(PLAYBOOKS, key=lambda name: len(outer(lives[name])))
    life = lives[worst]
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
        "lifecycle": {
            "total": len(outer(life)),
            "by_endpoint": by_endpoint(outer(life)),
            "inside_batch": by_endpoint([e for e in life if e.get("in_batch")]),
            "failed_calls": sum(1 for e in life if e["status"] >= 400),
            "playbook": worst,
            "by_playbook": {name: len(outer(lives[name])) for name in PLAYBOOKS},
            "excluded": EXCLUDED,
            "target_total": 12,
        },
    }


if __name__ == "__main__":
    print(json.dumps(asyncio.run(run())))
