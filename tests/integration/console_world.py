"""A run-sheet world for tests: a SQLite store, the virtual scheduler and the real services.

Fictional people only. The clock is virtual: tests move it and advance the scheduler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.runsheet.model import Prompt
from bot.runtime.context import Runtime
from bot.runtime.jobs import JobDispatcher
from bot.runtime.planning import planned_jobs
from bot.runtime.runsheets import RunSheetService
from bot.runtime.scheduler import VirtualScheduler
from bot.store.database import Database
from bot.store.repository import NewParticipant, Repository
from tests.runtime_kit import make_runtime

CHAIR = "chair.one@council.example"
OTHER_CHAIR = "chair.two@council.example"
PARENT_EMAIL = "sam@example.invalid"
PARENT_PHONE = "07700 900123"
OTHER_NUMBER = "0113 496 0999"
# Friday 15 January 2027, 10:00 in London (UTC in winter).
START = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)


class VirtualClock:
    """Time as the tests set it."""

    def __init__(self, now: datetime = START - timedelta(minutes=5)) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeChannel:
    """A PromptChannel that remembers what it was told, as a Teams chat would show it."""

    shown: dict[tuple[int, str], Prompt] = field(default_factory=dict)
    sent: list[str] = field(default_factory=list)

    async def send_prompt(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        self.sent.append(prompt.id)
        self.shown.setdefault((conference_id, prompt.id), prompt)

    async def mark_answered(self, conference_id: int, chair: str, prompt: Prompt) -> None:
        self.shown[(conference_id, prompt.id)] = prompt

    def open_ids(self, conference_id: int) -> set[str]:
        return {p.id for (c, _), p in self.shown.items() if c == conference_id and p.is_open}


@dataclass
class World:
    """The store, the scheduler, the services and the clock, as bot/app.py wires them."""

    database: Database
    repository: Repository
    scheduler: VirtualScheduler
    conferences: Runtime
    runner: JobDispatcher
    runsheets: RunSheetService
    clock: VirtualClock

    def restart(self) -> World:
        """New services over the same store and job store: what a restart keeps."""
        return build_world(self.database, self.clock, self.scheduler)

    async def at(self, moment: datetime) -> None:
        """Move the clock to ``moment`` and run every job due by then."""
        self.clock.now = moment
        await self.scheduler.advance(moment)

    def add_conference(
        self, *, chair: str = CHAIR, confidential: timedelta | None = timedelta(minutes=3)
    ) -> int:
        """A booked Lancashire ICPC with a held-back parent, scheduled as set_format would."""
        people = [
            NewParticipant(Role.SOCIAL_WORKER, "Robin Testworker", "Children's Services",
                           email="robin.testworker@council.example"),
            NewParticipant(Role.PARENT, "Sam Testparent", email=PARENT_EMAIL,
                           phone=PARENT_PHONE, held_back=True),
            NewParticipant(Role.POLICE, "PC Test", "Northshire Police",
                           email="pppu@police.example.net"),
        ]  # fmt: skip
        conference = self.repository.create_conference(
            playbook="lancashire",
            conference_type=ConferenceType.ICPC,
            participants=people,
            state=ConferenceState.SCHEDULED,
            chair=chair,
            facts={"other_numbers": {PARENT_EMAIL: [OTHER_NUMBER]}},
        )
        conference = self.repository.update_conference(
            conference.id,
            meeting_format=MeetingFormat.TEAMS,
            start_at=START,
            length=timedelta(minutes=90),
            confidential_length=confidential,
        )
        for job in planned_jobs(conference.id, self.conferences.timeline(conference)):
            if job.action == "runsheet_start":
                self.scheduler.add(job)
        return conference.id

    def add_phone_review(self, *, chair: str = CHAIR) -> int:
        """A booked Portsmouth RCPC held as a series of phone calls (seed 001)."""
        people = [
            NewParticipant(Role.SOCIAL_WORKER, "Robin Testworker", "Children's Services",
                           email="robin.testworker@council.example"),
            NewParticipant(Role.PARENT, "Sam Testparent", email=PARENT_EMAIL, phone=PARENT_PHONE),
            NewParticipant(Role.POLICE, "PC Test", "Northshire Police",
                           email="pppu@police.example.net"),
        ]  # fmt: skip
        conference = self.repository.create_conference(
            playbook="portsmouth",
            conference_type=ConferenceType.RCPC,
            participants=people,
            state=ConferenceState.SCHEDULED,
            chair=chair,
        )
        conference = self.repository.update_conference(
            conference.id,
            meeting_format=MeetingFormat.PHONE_SERIES,
            start_at=START,
            length=timedelta(minutes=90),
        )
        return conference.id

    def parent_id(self, conference_id: int) -> str:
        conference = self.repository.get_conference(conference_id)
        return next(f"parent-{p.id}" for p in conference.participants if p.role is Role.PARENT)

    def kinds(self, conference_id: int) -> list[str]:
        return [e.kind for e in self.repository.timeline(conference_id)]


def open_database(path: Path) -> Database:
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    return database


def build_world(
    database: Database, clock: VirtualClock, scheduler: VirtualScheduler | None = None
) -> World:
    """Wire the services the way bot/app.py does, over ``database``."""
    from playbooks import load_bundled

    repository = Repository(database, clock=clock)
    scheduler = scheduler or VirtualScheduler()
    conferences = make_runtime(
        repository,
        object(),  # the run sheet never calls Graph
        scheduler,
        {name: load_bundled(name) for name in ("lancashire", "portsmouth")},
        mailbox="cp.requests@council.example",
        chairs=(CHAIR, OTHER_CHAIR),
        clock=clock,
    )
    runner = JobDispatcher(conferences)
    runsheets = RunSheetService(conferences)
    runsheets.register(runner)
    scheduler.runner = runner.run
    return World(database, repository, scheduler, conferences, runner, runsheets, clock)
