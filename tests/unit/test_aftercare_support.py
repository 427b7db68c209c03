"""A fake Graph port that captures mail and files, and an Aftercare over a real SQLite store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.core.conference import Conference, ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.mailbox import OutgoingMail
from bot.core.playbook.model import PhaseKind, Playbook
from bot.runtime import deadlines
from bot.runtime.aftercare.service import Aftercare
from bot.runtime.context import Runtime
from bot.runtime.jobs import JobDispatcher
from bot.runtime.scheduler import VirtualScheduler
from bot.store.database import Database
from bot.store.repository import NewParticipant, Repository
from tests.runtime_kit import make_runtime

CHAIR = "chair.one@example.org"
MINUTE_TAKER = "minutes.one@example.org"
MAILBOX = "cp.requests@example.org"


@dataclass
class CapturingGraph:
    """Graph calls the aftercare makes, kept for inspection; nothing leaves the process."""

    mails: list[OutgoingMail] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    async def send_mail(self, sender_mailbox: str, mail: OutgoingMail) -> None:
        self.mails.append(mail)

    async def send_mails(self, sender_mailbox: str, mails: Sequence[OutgoingMail]) -> list[int]:
        self.mails.extend(mails)
        return [202] * len(mails)

    async def upload_file(self, owner: str, folder: str, name: str, content: bytes) -> str:
        path = f"{owner}/{folder}/{name}"
        self.files[path] = content
        return f"https://files.example.org/{path}"


@dataclass
class World:
    """One store, one fake Graph, and the services over them."""

    repo: Repository
    graph: CapturingGraph
    scheduler: VirtualScheduler
    conferences: Runtime
    runner: JobDispatcher
    aftercare: Aftercare

    async def run_jobs(self) -> None:
        for job in self.scheduler.pending():
            await self.runner.run(job)
            self.scheduler._jobs.pop(job.id, None)


def make_database(directory: Path) -> Database:
    database = Database(f"sqlite:///{directory / 'confbot.sqlite3'}")
    database.upgrade()
    return database


def world(database: Database, playbook: Playbook) -> World:
    repo = Repository(database)
    graph = CapturingGraph()
    scheduler = VirtualScheduler()
    conferences = make_runtime(
        repo,
        graph,  # only the calls aftercare makes
        scheduler,
        {"test": playbook},
        mailbox=MAILBOX,
        chairs=(CHAIR,),
        minute_takers=(MINUTE_TAKER,),
    )
    runner = JobDispatcher(conferences)
    deadlines.register(runner)
    aftercare = Aftercare(conferences, runner)
    aftercare.register()
    return World(repo, graph, scheduler, conferences, runner, aftercare)


def held_conference(
    w: World,
    people: Sequence[tuple[Role, str | None]],
    *,
    conference_type: ConferenceType = ConferenceType.ICPC,
    meeting_format: MeetingFormat | None = None,
) -> Conference:
    """A conference booked for yesterday, with these people, ready to conclude."""
    rules = w.conferences.playbooks.current("test").rules(conference_type)
    fmt = meeting_format or rules.formats.default
    confidential = any(p.kind is PhaseKind.CONFIDENTIAL_SECTION for p in rules.phases(fmt))
    created = w.repo.create_conference(
        playbook="test",
        conference_type=conference_type,
        participants=[
            NewParticipant(role, f"Person {i}", f"Organisation {i}", email)
            for i, (role, email) in enumerate(people)
        ],
        chair=CHAIR,
    )
    return w.repo.update_conference(
        created.id,
        state=ConferenceState.SCHEDULED,
        meeting_format=fmt,
        start_at=datetime.now(UTC) - timedelta(days=1),
        length=timedelta(hours=2),
        confidential_length=timedelta(minutes=20) if confidential else None,
    )
