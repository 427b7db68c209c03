"""Benchmark: in-meeting prompt jobs on the durable scheduler, and their way to the console.

Run it on its own with ``.venv/bin/python tests/bench/prompt_punctuality.py`` from the
repository root. ``CONFBOT_BENCH_SMALL=1`` runs 100 jobs across 10 conferences instead of
10,000 across 1,000. ``CONFBOT_BENCH_WINDOW_S`` sets the span the due times are spread
over (default 300 s; 20 s in small mode).

What runs is the real path: APScheduler's AsyncIOScheduler with its SQLAlchemy job store on
a SQLite file, the JobDispatcher (once-only check, failure recording), the RunSheetService
(journal restore, timeline, journal save) and the chair console's hub. Each conference has
ten held-back parents and carers (fictional), and each of them has a "no answer - try
again" callback waiting, so each conference holds ten pending prompt jobs, and each job
fires one real callback prompt. The run sheets are driven there on a virtual scheduler;
then their jobs are moved into the durable store with due times spread evenly over the
window (the run sheet fires a job by its id, whatever the time), so every job is pending
in SQLite together before the first falls due.

Measured: lateness = when the runner was handed the job - its stored due time; console
delivery = when an open console's queue received the prompt - when the job was handed to
the runner. Targets (issue 6): lateness p99 <= 1 s; console delivery p95 <= 200 ms.
Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.runsheet.model import Answer, PromptKind
from bot.runtime.durable import DurableScheduler
from bot.runtime.jobs import JobDispatcher
from bot.runtime.runsheets import RUNSHEET_ACTION, RunSheetService
from bot.runtime.scheduler import Job, VirtualScheduler
from bot.store.database import Database
from bot.store.repository import NewParticipant, Repository
from bot.web.console_events import ConsoleHub, ConsoleMessage
from tests.runtime_kit import make_runtime

SMALL = os.environ.get("CONFBOT_BENCH_SMALL") == "1"
CONFERENCES = 10 if SMALL else 1_000
PARENTS = 10  # pending prompt jobs per conference
WINDOW = timedelta(
    seconds=float(os.environ.get("CONFBOT_BENCH_WINDOW_S", "20" if SMALL else "300"))
)
# From storing the jobs to the first falling due: storing 10,000 jobs one transaction at a
# time takes seconds, and a job due before the scheduler runs would count as late.
LEAD = timedelta(seconds=3) + timedelta(milliseconds=1) * CONFERENCES * PARENTS
CHAIR = "chair.one@council.example"


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by the nearest-rank method."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def people() -> list[NewParticipant]:
    """Fictional participants: a social worker, the police and ten parents and carers."""
    out = [
        NewParticipant(Role.SOCIAL_WORKER, "Robin Testworker", "Children's Services"),
        NewParticipant(Role.POLICE, "PC Test", "Northshire Police"),
    ]
    for n in range(PARENTS):
        out.append(
            NewParticipant(Role.PARENT, f"Carer {n}", phone=f"07700 900{n:03d}", held_back=True)
        )
    return out


async def prepare(service: RunSheetService, repository: Repository, start: datetime) -> None:
    """Book the conferences, start their meetings, and leave ten callback retries in each."""
    for _ in range(CONFERENCES):
        conference = repository.create_conference(
            playbook="lancashire",
            conference_type=ConferenceType.ICPC,
            participants=people(),
            state=ConferenceState.SCHEDULED,
            chair=CHAIR,
        )
        repository.update_conference(
            conference.id,
            meeting_format=MeetingFormat.TEAMS,
            start_at=start,
            length=timedelta(minutes=90),
            confidential_length=timedelta(minutes=20),
        )
        await service.meeting_started(conference.id, start)
        for _step in range(4):  # past consent, through the confidential section
            prompts = await service.open_prompts(conference.id)
            if any(p.kind is PromptKind.CALLBACK for p in prompts):
                break
            await service.next(conference.id, start + timedelta(minutes=1))
        for prompt in await service.open_prompts(conference.id):
            if prompt.kind is PromptKind.CALLBACK:
                await service.answer(
                    conference.id, prompt.id, Answer.NO_ANSWER, start + timedelta(minutes=2)
                )


async def measure(data_dir: Path) -> dict[str, Any]:
    from playbooks import load_bundled

    database = Database(f"sqlite:///{data_dir / 'bench.sqlite3'}")
    database.upgrade()
    repository = Repository(database)
    staging = VirtualScheduler()
    conferences = make_runtime(
        repository,
        object(),  # the run sheet never calls Graph
        staging,
        {"lancashire": load_bundled("lancashire")},
        mailbox="cp.requests@council.example",
        chairs=(CHAIR,),
    )
    runner = JobDispatcher(conferences)
    service = RunSheetService(conferences)
    service.register(runner)
    hub = ConsoleHub()
    service.add_channel(hub)

    setup_began = time.monotonic()
    await prepare(service, repository, datetime.now(UTC) - timedelta(minutes=30))
    # Only the callback retries: the confidential section's own wake-up was cancelled when
    # it ended early (a cancelled wake-up that still fires does nothing).
    staged = [
        j
        for j in staging.pending()
        if j.action == RUNSHEET_ACTION and j.step_id.startswith("callback.")
    ]
    setup_s = time.monotonic() - setup_began

    durable = DurableScheduler(database.engine, timedelta(hours=1))
    # The same runtime, now holding its jobs in the durable store.
    durable_runtime = dataclasses.replace(conferences, scheduler=durable)
    service.rt = runner.rt = durable_runtime
    handed: dict[tuple[int, str], float] = {}
    lateness: list[float] = []
    delivery: list[float] = []
    done = asyncio.Event()

    async def run(job: Job) -> None:
        handed[(job.conference_id, job.step_id)] = time.monotonic()
        lateness.append((datetime.now(UTC) - job.run_at).total_seconds())
        await runner.run(job)

    async def console(conference_id: int, queue: asyncio.Queue[ConsoleMessage | None]) -> None:
        while (message := await queue.get()) is not None:
            if message.kind == "prompt":
                fired = handed.get((conference_id, message.prompt_id))
                if fired is not None:
                    delivery.append(time.monotonic() - fired)
                    if len(delivery) == len(staged):
                        done.set()

    durable.start(run, paused=True)
    first = datetime.now(UTC) + LEAD
    step = WINDOW / max(1, len(staged) - 1)
    for index, job in enumerate(sorted(staged, key=lambda j: (j.step_id, j.conference_id))):
        durable.add(Job(first + step * index, job.conference_id, job.step_id, job.action))
    pending = len(durable.pending())
    stored_s = (datetime.now(UTC) - first + LEAD).total_seconds()
    if datetime.now(UTC) >= first:
        raise RuntimeError(f"storing the jobs took {stored_s:.1f} s, past the first due time")
    async with contextlib.AsyncExitStack() as stack:
        watchers = []
        for conference_id in {j.conference_id for j in staged}:
            queue = stack.enter_context(hub.subscribe(conference_id))
            watchers.append(asyncio.create_task(console(conference_id, queue)))
        durable.resume()
        timeout = (LEAD + WINDOW).total_seconds() + 120
        try:
            await asyncio.wait_for(done.wait(), timeout)
        finally:
            durable.shutdown()
            hub.close()
            await asyncio.gather(*watchers, return_exceptions=True)
    failed = sum(
        1
        for c in {j.conference_id for j in staged}
        for e in repository.timeline(c)
        if e.kind in ("failed", "missed")
    )
    database.dispose()
    return {
        "lateness_p50_s": round(statistics.median(lateness), 4),
        "lateness_p99_s": round(percentile(lateness, 0.99), 4),
        "lateness_max_s": round(max(lateness), 4),
        "console_delivery_p50_ms": round(statistics.median(delivery) * 1000, 2),
        "console_delivery_p95_ms": round(percentile(delivery, 0.95) * 1000, 2),
        "pending_jobs": pending,
        "fired": len(lateness),
        "delivered": len(delivery),
        "failed": failed,
        "conferences": CONFERENCES,
        "window_s": WINDOW.total_seconds(),
        "setup_s": round(setup_s, 1),
        "store_fill_s": round(stored_s, 1),
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="confbot-bench-") as tmp:
        result = asyncio.run(measure(Path(tmp)))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
