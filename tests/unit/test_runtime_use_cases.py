"""The runtime's use cases over a real SQLite store and a fake Graph port: fast, one rule each."""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.core.conference import ConferenceState, ConferenceType, MeetingFormat, Role
from bot.core.errors import ActionRefused
from bot.core.mailbox import InboundMessage, OutgoingMail, RequestMailbox
from bot.core.meeting import MeetingOptions, MeetingRef, MeetingRequest
from bot.core.playbook.loader import load_playbook_text
from bot.core.workdays import add_working_days, london_to_utc
from bot.runtime import allocation, booking, changes, deadlines, intake, triage
from bot.runtime.context import Runtime
from bot.runtime.guard import DistributionRefused
from bot.runtime.jobs import JobDispatcher
from bot.runtime.outbox import MailNotSent, Outbox
from bot.runtime.playbooks import PlaybookRegistry, PlaybookSource
from bot.runtime.scheduler import Job, VirtualScheduler
from bot.store.database import Database
from bot.store.outbox import OutboxRecords
from bot.store.playbooks import PlaybookVersions
from bot.store.repository import NewParticipant, Repository
from playbooks import DIRECTORY, load_bundled
from tests.integration.runtime_harness import CHAIR, preset_body
from tests.runtime_kit import make_runtime

MAILBOX = "cp.requests@example.org"
PARENT = "parent.one@family.example.net"
SOCIAL_WORKER = "sw.one@example.org"


@dataclass
class FakeGraph:
    """The Graph calls the use cases make, recorded; ``failing`` makes sends fail."""

    meetings: list[MeetingRequest] = field(default_factory=list)
    sent: list[tuple[str, OutgoingMail]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    marked: list[str] = field(default_factory=list)
    batch_statuses: list[int] | None = None

    async def create_meeting(self, request: MeetingRequest) -> MeetingRef:
        self.meetings.append(request)
        return MeetingRef(f"event-{len(self.meetings)}", "https://teams.example/join/1", None, None)

    async def set_meeting_options(self, organiser: str, url: str, options: MeetingOptions) -> None:
        return None

    async def cancel_meeting(self, organiser: str, event_id: str, comment: str = "") -> None:
        self.cancelled.append(event_id)

    async def send_mail(self, sender: str, mail: OutgoingMail) -> None:
        self.sent.append((sender, mail))

    async def send_mails(self, sender: str, mails: Sequence[OutgoingMail]) -> list[int]:
        statuses = self.batch_statuses or [202] * len(mails)
        for mail, status in zip(mails, statuses, strict=True):
            if 200 <= status < 300:
                self.sent.append((sender, mail))
        return statuses

    async def get_schedule(self, *args: Any) -> dict[str, list[Any]]:
        return {}

    async def mark_processed(self, mailbox: str, message_id: str, **_: Any) -> str:
        self.marked.append(message_id)
        return message_id


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'confbot.sqlite3'}")
    db.upgrade()
    return db


def runtime(database: Database, graph: FakeGraph, name: str = "lancashire") -> Runtime:
    return make_runtime(
        Repository(database),
        graph,
        VirtualScheduler(),
        {name: load_bundled(name)},
        mailbox=MAILBOX,
        chairs=(CHAIR,),
        minute_takers=("minutes@example.org",),
    )


def requested(rt: Runtime, kind: ConferenceType = ConferenceType.ICPC) -> int:
    conference = rt.store.create_conference(
        playbook=rt.playbooks.names()[0],
        conference_type=kind,
        mailbox=MAILBOX,
        strategy_discussion=datetime.now(UTC).date(),
        participants=[
            NewParticipant(Role.SOCIAL_WORKER, "Sam Worker", email=SOCIAL_WORKER),
            NewParticipant(Role.PARENT, "Alex Parent", email=PARENT, phone="07700 900111"),
        ],
    )
    return conference.id


def next_week() -> datetime:
    return london_to_utc(add_working_days(datetime.now(UTC).date(), 6), datetime.min.time())


async def test_allocating_a_chair_not_configured_is_refused(database: Database) -> None:
    rt = runtime(database, FakeGraph())
    with pytest.raises(ActionRefused, match="not one of the configured chairs"):
        await allocation.allocate(rt, requested(rt), "stranger@example.org", by="mts")


async def test_allocation_holds_invites_until_the_format_is_decided(database: Database) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph)
    conference = await allocation.allocate(rt, requested(rt), CHAIR, by="mts")
    assert conference.state is ConferenceState.AWAITING_FORMAT
    assert graph.meetings == [] and graph.sent == []


async def test_setting_the_format_without_a_chair_is_refused(database: Database) -> None:
    rt = runtime(database, FakeGraph())
    decision = booking.FormatDecision(MeetingFormat.TEAMS, next_week())
    with pytest.raises(ActionRefused, match="chair must be allocated first"):
        await booking.set_format(rt, requested(rt), decision, by="chair")


async def test_the_meeting_is_booked_without_the_held_back_parent_and_letters_leave_by_the_outbox(
    database: Database,
) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph)
    cid = requested(rt)
    await allocation.allocate(rt, cid, CHAIR, by="mts")
    decision = booking.FormatDecision(MeetingFormat.TEAMS, next_week(), venue=None)
    conference = await booking.set_format(rt, cid, decision, by=CHAIR)
    assert conference.state is ConferenceState.SCHEDULED
    [meeting] = graph.meetings
    assert PARENT not in {a.email for a in meeting.attendees}
    # The parent's letter went from the conference's own mailbox, and the outbox kept it.
    assert any(PARENT in mail.to and sender == MAILBOX for sender, mail in graph.sent)
    records = OutboxRecords(database).messages(cid)
    assert any(r.state == "sent" and PARENT in r.recipients for r in records)
    assert rt.scheduler.pending(cid), "the deadlines were not scheduled"


async def test_a_late_reason_needs_who_agreed_it(database: Database) -> None:
    rt = runtime(database, FakeGraph())
    cid = requested(rt)
    await allocation.allocate(rt, cid, CHAIR, by="mts")
    decision = booking.FormatDecision(MeetingFormat.TEAMS, next_week(), late_reason="Illness")
    with pytest.raises(ActionRefused, match="who agreed"):
        await booking.set_format(rt, cid, decision, by=CHAIR)


async def test_lancashire_review_format_needs_the_agreement_and_risk_assessment_it_names(
    database: Database,
) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph)
    cid = requested(rt, ConferenceType.RCPC)
    await allocation.allocate(rt, cid, CHAIR, by="mts")
    with pytest.raises(ActionRefused, match=r"risk assessment|agreed"):
        await booking.set_format(
            rt, cid, booking.FormatDecision(MeetingFormat.TEAMS, next_week()), by=CHAIR
        )
    agreed = booking.FormatDecision(
        MeetingFormat.TEAMS,
        next_week(),
        format_agreed_by=("social_worker", "team_manager", "chair"),
        risk_assessed=True,
    )
    conference = await booking.set_format(rt, cid, agreed, by=CHAIR)
    assert conference.facts["format_agreed_by"] == ["social_worker", "team_manager", "chair"]


async def test_cancelling_needs_the_named_posts_approval_and_cancels_the_meeting(
    database: Database,
) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph)
    cid = requested(rt)
    await allocation.allocate(rt, cid, CHAIR, by="mts")
    await booking.set_format(
        rt, cid, booking.FormatDecision(MeetingFormat.TEAMS, next_week()), by=CHAIR
    )
    with pytest.raises(ActionRefused, match="approval"):
        await changes.cancel(rt, cid, by="mts", rationale="Family moved", approved_by=None)
    cancelled = await changes.cancel(
        rt, cid, by="mts", rationale="Family moved", approved_by="A Manager"
    )
    assert cancelled.state is ConferenceState.CANCELLED
    assert graph.cancelled == ["event-1"] and rt.scheduler.pending(cid) == []


async def test_the_outbox_records_a_guard_refusal_and_sends_nothing(database: Database) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph)
    conference = rt.store.get_conference(requested(rt))
    mail = OutgoingMail(to=("nobody@example.org",), subject="s", html_body="b", purpose="test")
    with pytest.raises(DistributionRefused):
        await rt.outbox.send(conference, mail, {}, may_carry_link=False)
    assert graph.sent == []
    [record] = OutboxRecords(database).messages(conference.id)
    assert record.state == "refused"


async def test_a_batch_that_partly_fails_records_each_mail_and_runs_only_the_sent_ones_after(
    database: Database,
) -> None:
    graph = FakeGraph(batch_statuses=[202, 500])
    rt = runtime(database, graph)
    conference = rt.store.get_conference(requested(rt))
    done: list[str] = []
    with pytest.raises(MailNotSent):
        async with rt.outbox.collecting():
            for address in (SOCIAL_WORKER, PARENT):
                mail = OutgoingMail(to=(address,), subject="s", html_body="b", purpose=address)
                role = Role.SOCIAL_WORKER if address == SOCIAL_WORKER else Role.PARENT
                await rt.outbox.send(
                    conference,
                    mail,
                    {address: role},
                    may_carry_link=False,
                    after=lambda a=address: done.append(a),
                )
    assert done == [SOCIAL_WORKER]
    states = {r.purpose: r.state for r in OutboxRecords(database).messages(conference.id)}
    assert states == {SOCIAL_WORKER: "sent", PARENT: "failed"}


async def test_a_mail_sent_after_its_batch_has_gone_goes_alone_and_is_never_dropped(
    database: Database,
) -> None:
    # A callback or task made inside a batch copies the batch's context and may run after
    # the batch was sent (the scheduler's wake-ups did): its mail must still go.
    graph = FakeGraph()
    rt = runtime(database, graph)
    conference = rt.store.get_conference(requested(rt))

    def mail(purpose: str) -> OutgoingMail:
        return OutgoingMail(to=(SOCIAL_WORKER,), subject=purpose, html_body="b", purpose=purpose)

    async with rt.outbox.collecting():
        inside = contextvars.copy_context()
        await rt.outbox.send(
            conference, mail("ack"), {SOCIAL_WORKER: Role.SOCIAL_WORKER}, may_carry_link=False
        )
    late = rt.outbox.send(
        conference, mail("reminder"), {SOCIAL_WORKER: Role.SOCIAL_WORKER}, may_carry_link=False
    )
    await asyncio.get_running_loop().create_task(late, context=inside)
    assert [m.purpose for _, m in graph.sent] == ["ack", "reminder"]


async def test_the_dispatcher_refuses_two_handlers_for_one_action(database: Database) -> None:
    dispatcher = JobDispatcher(runtime(database, FakeGraph()))
    deadlines.register(dispatcher)
    with pytest.raises(ValueError, match="already registered"):
        deadlines.register(dispatcher)


async def test_a_job_with_no_handler_is_recorded_as_failed_not_dropped(database: Database) -> None:
    rt = runtime(database, FakeGraph())
    cid = requested(rt)
    await JobDispatcher(rt).run(Job(datetime.now(UTC), cid, "step", "mystery"))
    assert [e.kind for e in rt.store.timeline(cid)] == ["failed"]


async def test_a_job_runs_once_however_often_it_fires(database: Database) -> None:
    rt = runtime(database, FakeGraph())
    cid = requested(rt)
    dispatcher = JobDispatcher(rt)
    ran: list[int] = []

    async def handler(conference: Any, job: Job) -> None:
        ran.append(conference.id)

    dispatcher.register("once", handler)
    job = Job(datetime.now(UTC), cid, "step", "once")
    await dispatcher.run(job)
    await dispatcher.run(job)
    assert ran == [cid]


def message(body: str, message_id: str = "m1") -> InboundMessage:
    return InboundMessage(
        id=message_id,
        internet_message_id=f"<{message_id}@example.org>",
        received_at=datetime.now(UTC),
        sender=SOCIAL_WORKER,
        subject="Conference request",
        body=body,
        body_type="text",
    )


def preset_request() -> str:
    # A complete request in the council form's labels, naming chair, format and start.
    return preset_body(next_week() + timedelta(hours=10))


async def test_where_the_chair_decides_a_request_naming_chair_and_format_is_not_booked(
    database: Database,
) -> None:
    graph = FakeGraph()
    rt = runtime(database, graph, "lancashire")
    handled = await intake.handle_message(
        rt, message(preset_request()), RequestMailbox(MAILBOX, "lancashire")
    )
    assert handled.outcome == "conference" and handled.conference_id is not None
    conference = rt.store.get_conference(handled.conference_id)
    assert conference.state is ConferenceState.REQUESTED and graph.meetings == []
    assert "preset_held" in [e.kind for e in rt.store.timeline(conference.id)]


async def test_a_request_records_its_playbook_version_and_mailbox(database: Database) -> None:
    rt = runtime(database, FakeGraph(), "portsmouth")
    handled = await intake.handle_message(
        rt, message(preset_request()), RequestMailbox(MAILBOX, "portsmouth")
    )
    assert handled.conference_id is not None
    conference = rt.store.get_conference(handled.conference_id)
    assert conference.playbook == "portsmouth" and conference.mailbox == MAILBOX
    assert conference.playbook_version == rt.playbooks.version("portsmouth")
    assert [c.initials for c in conference.children] == ["T.Q."]  # as MTS write them


def test_a_booked_conference_keeps_its_playbook_version_after_the_file_changes(
    database: Database,
) -> None:
    text = (DIRECTORY / "portsmouth.yaml").read_text(encoding="utf-8")
    versions = PlaybookVersions(database)
    before = PlaybookRegistry(
        {"portsmouth": PlaybookSource("portsmouth", text, "p.yaml")}, versions
    )
    repo = Repository(database)
    booked = repo.create_conference(
        playbook="portsmouth",
        playbook_version=before.version("portsmouth"),
        conference_type=ConferenceType.ICPC,
    )
    edited = text.replace("council: Portsmouth", "council: Portsmouth (edited)")
    assert edited != text
    after = PlaybookRegistry(
        {"portsmouth": PlaybookSource("portsmouth", edited, "p.yaml")}, versions
    )
    assert after.for_conference(booked).council == load_playbook_text(text, "x").council
    assert after.current("portsmouth").council.endswith("(edited)")


def test_a_playbook_the_service_does_not_run_is_refused_naming_those_it_does() -> None:
    registry = PlaybookRegistry.of({"leeds": load_bundled("leeds")})
    with pytest.raises(ActionRefused, match="it runs: leeds"):
        registry.current("lancashire")


async def test_triage_creates_conferences_only_in_the_councils_own_playbooks(
    database: Database,
) -> None:
    rt = runtime(database, FakeGraph(), "leeds")
    stored, _ = rt.store.record_request(
        message_id="m9",
        mailbox=MAILBOX,
        received_at=datetime.now(UTC),
        sender=SOCIAL_WORKER,
        subject="?",
        body="?",
        body_type="text",
        internet_message_id="<m9@example.org>",
    )
    item = rt.store.open_triage(stored.id, ["unreadable"])
    with pytest.raises(ActionRefused, match="council's playbooks"):
        triage.create_conference(
            rt, item.id, conference_type=ConferenceType.ICPC, playbook="lancashire",
            social_worker="", by="mts",
        )  # fmt: skip
    conference = triage.create_conference(
        rt, item.id, conference_type=ConferenceType.ICPC, playbook="leeds",
        social_worker="Sam Worker", by="mts",
    )  # fmt: skip
    assert conference.mailbox == MAILBOX and conference.playbook == "leeds"


async def test_a_new_message_channel_is_registered_by_name_and_guarded_and_recorded_like_email(
    database: Database,
) -> None:
    texts: list[tuple[str, OutgoingMail]] = []

    class TextMessages:
        async def send_message(self, sender: str, mail: OutgoingMail) -> None:
            texts.append((sender, mail))

    base = runtime(database, FakeGraph())
    outbox = Outbox(
        base.graph,
        OutboxRecords(database),
        base.playbooks.for_conference,
        MAILBOX,
        channels={"sms": TextMessages()},
    )
    rt = dataclasses.replace(base, outbox=outbox)
    conference = rt.store.get_conference(requested(rt))
    note = OutgoingMail(to=(PARENT,), subject="", html_body="Your conference", purpose="sms:1")
    await rt.outbox.send(
        conference, note, {PARENT: Role.PARENT}, may_carry_link=False, channel="sms"
    )
    with pytest.raises(DistributionRefused):  # the same guard: an unknown recipient never gets it
        await rt.outbox.send(conference, note, {}, may_carry_link=False, channel="sms")
    assert [mail.purpose for _sender, mail in texts] == ["sms:1"]
    records = OutboxRecords(database).messages(conference.id)
    assert [(r.channel, r.state) for r in records] == [("sms", "sent"), ("sms", "refused")]


async def test_a_message_another_channel_fails_to_send_is_on_the_timeline_in_words(
    database: Database,
) -> None:
    class BrokenTexts:
        async def send_message(self, sender: str, mail: OutgoingMail) -> None:
            raise TimeoutError

    base = runtime(database, FakeGraph())
    lines: list[tuple[int, str, str, dict[str, object]]] = []
    outbox = Outbox(
        base.graph,
        OutboxRecords(database),
        base.playbooks.for_conference,
        MAILBOX,
        channels={"sms": BrokenTexts()},
        note=lambda cid, kind, step, detail: lines.append((cid, kind, step, detail)),
    )
    rt = dataclasses.replace(base, outbox=outbox)
    conference = rt.store.get_conference(requested(rt))
    note = OutgoingMail(to=(PARENT,), subject="", html_body="Your conference", purpose="sms:1")
    with pytest.raises(TimeoutError):
        await rt.outbox.send(
            conference, note, {PARENT: Role.PARENT}, may_carry_link=False, channel="sms"
        )
    [(cid, kind, step, detail)] = lines
    assert (cid, kind, step) == (conference.id, "failed", "sms:sms:1")
    assert detail["reason"] == "SMS message to Parent not sent: TimeoutError"
    assert PARENT not in str(detail)
