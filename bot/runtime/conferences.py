"""Conference use-cases: allocate a chair, set the format, book the meeting, reschedule, cancel.

Every action lands on the conference's timeline (who, when, what). Every outgoing email
passes the distribution guard. Store calls are synchronous and short; Graph calls are not.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.core.allocation import ChairSuggestion, suggest_chairs
from bot.core.conference import (
    Conference,
    ConferenceState,
    MeetingFormat,
    Participant,
    Role,
)
from bot.core.errors import RemoteServiceError
from bot.core.mailbox import OutgoingMail
from bot.core.meeting import Attendee, MeetingOptions, MeetingRequest
from bot.core.playbook.distribution import DistributionItem
from bot.core.playbook.model import ConferenceRules, Playbook
from bot.core.timeline import compile_timeline
from bot.core.timeline.model import ConferenceFacts, Step, StepKind, Timeline, TimelineError
from bot.core.workdays import add_working_days, to_london
from bot.runtime import letters
from bot.runtime.guard import DistributionGuard
from bot.runtime.ports import GraphPort
from bot.runtime.scheduler import Job, JobScheduler
from bot.store.repository import Repository

logger = logging.getLogger(__name__)

SYSTEM = "confbot"
AGENCY_LIKE = frozenset({Role.POLICE, Role.HEALTH, Role.GP, Role.SCHOOL, Role.AGENCY})
# A reminder goes out a day before its deadline, or at once when that is already past.
REMINDER_LEAD = timedelta(hours=24)
# Steps the admin team (so confbot) does when the format is set, rather than at their deadline.
SENT_AT_FORMAT = frozenset(
    {StepKind.SEND_LETTER, StepKind.SEND_INVITES, StepKind.SEND_FORMAL_INVITES}
)
# Steps whose deadlines confbot chases: it reminds the actor, then checks at the deadline.
CHASED = frozenset({StepKind.SHARE_DOCUMENTS, StepKind.PHONE_DISCUSSION, StepKind.PREPARATION})
# Formats with a Teams meeting. At a venue (hybrid, face to face) the meeting is only for
# those who cannot come in person, so the family is not on it: they come to the venue.
ONLINE = frozenset({MeetingFormat.TEAMS, MeetingFormat.HYBRID, MeetingFormat.FACE_TO_FACE})
AT_A_VENUE = frozenset({MeetingFormat.HYBRID, MeetingFormat.FACE_TO_FACE})
FAMILY = frozenset({Role.PARENT, Role.YOUNG_PERSON})
# Formats where the chair phones people: they get a call sheet, not a meeting link.
BY_PHONE = frozenset({MeetingFormat.CONFERENCE_CALL, MeetingFormat.PHONE_SERIES})


_outbox: ContextVar[list[tuple[OutgoingMail, Callable[[], object] | None]] | None] = ContextVar(
    "confbot_outbox", default=None
)


class MailNotSent(RemoteServiceError):
    """Some mails of a batch did not go; the ones that did are on the timeline."""

    def __init__(self, failed: int, total: int) -> None:
        super().__init__(f"{failed} of {total} emails were not sent")


class ActionRefused(Exception):
    """An action that the conference's state or the playbook does not allow; says why."""


@dataclass(frozen=True, slots=True)
class RuntimeConfig:
    """The council's people and mailbox, as the runtime needs them."""

    request_mailbox: str
    chairs: tuple[str, ...]
    minute_takers: tuple[str, ...] = ()


def rule_role(role: Role) -> Role:
    """The playbook role a participant falls under: police, health, GP and school are agencies."""
    return Role.AGENCY if role in AGENCY_LIKE else role


def planned_jobs(conference_id: int, plan: Timeline) -> list[Job]:
    """Every job a compiled timeline implies, at its nominal time."""
    jobs: list[Job] = []
    for step in plan.steps:
        if step.kind in CHASED and step.actor is not Role.ADMIN:
            jobs.append(Job(step.due - REMINDER_LEAD, conference_id, step.id, "remind"))
            jobs.append(Job(step.due, conference_id, step.id, "check"))
        elif step.kind is StepKind.SHARE_DOCUMENTS:
            # The admin team shares packs at the deadline, from the reports received by then.
            jobs.append(Job(step.due, conference_id, step.id, "pack"))
    # The in-meeting prompts come from the run sheet, which holds its own wake-ups; the plan
    # holds only its start, on the first run-sheet step, so a restart still starts it on time.
    first = next((s for s in plan.steps if s.kind is StepKind.PHASE), None)
    if first is not None:
        jobs.append(Job(plan.start, conference_id, first.id, "runsheet_start"))
    return jobs


def transaction_id(conference: Conference, start: datetime) -> str:
    """A Graph transactionId derived from the conference and its start: retries never duplicate."""
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"confbot:{conference.reference}:{start.isoformat()}")
    )


class ConferenceService:
    """The MTS team's daily job, from a request to a booked meeting and its deadlines."""

    def __init__(
        self,
        repository: Repository,
        graph: GraphPort,
        scheduler: JobScheduler,
        playbook: Playbook,
        config: RuntimeConfig,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.repo = repository
        self.graph = graph
        self.scheduler = scheduler
        self.playbook = playbook
        self.config = config
        self.clock = clock
        self.guard = DistributionGuard(playbook)

    # -- helpers --------------------------------------------------------------------------

    def rules(self, conference: Conference) -> ConferenceRules:
        """The playbook's rules for this conference's type."""
        try:
            return self.playbook.rules(conference.conference_type)
        except KeyError as err:
            raise ActionRefused(str(err.args[0])) from err

    def facts(self, conference: Conference, *, check_now: bool = False) -> ConferenceFacts:
        """What the compiler needs to know about a conference."""
        if conference.meeting_format is None or conference.start_at is None:
            raise ActionRefused("the format and start time have not been set")
        return ConferenceFacts(
            conference_type=conference.conference_type,
            meeting_format=conference.meeting_format,
            start=conference.start_at,
            length=conference.length,
            confidential=conference.confidential_length,
            strategy_discussion=conference.strategy_discussion,
            late_reason=conference.facts.get("late_reason"),
            now=self.clock() if check_now else None,
        )

    def timeline(self, conference: Conference) -> Timeline:
        """The compiled plan for a scheduled conference."""
        return compile_timeline(self.playbook, self.facts(conference))

    def _record(self, conference_id: int, by: str, kind: str, **detail: object) -> None:
        step_id = detail.pop("step_id", None)
        self.repo.append_timeline(
            conference_id,
            actor=by,
            kind=kind,
            step_id=str(step_id) if step_id is not None else None,
            detail=dict(detail),
        )

    # -- allocation -----------------------------------------------------------------------

    async def suggest(self, conference_id: int) -> list[ChairSuggestion]:
        """Chairs ranked by their earliest free slot inside the statutory window, then workload."""
        conference = self.repo.get_conference(conference_id)
        rules = self.rules(conference)
        today = to_london(self.clock()).date()
        first = add_working_days(today, 1)
        last = add_working_days(today, 20)
        if conference.strategy_discussion is not None:
            try:
                probe = compile_timeline(
                    self.playbook,
                    ConferenceFacts(
                        conference_type=conference.conference_type,
                        meeting_format=rules.formats.default,
                        start=self.clock(),
                        strategy_discussion=conference.strategy_discussion,
                    ),
                )
                if probe.deadlines:
                    last = min(d.last_day for d in probe.deadlines)
            except TimelineError:
                pass
        chairs = list(self.config.chairs)
        busy = await self.graph.get_schedule(
            self.config.request_mailbox,
            chairs,
            datetime.combine(first, datetime.min.time(), UTC),
            datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC),
        )
        workload = {
            chair: sum(
                1
                for c in self.repo.list_conferences(chair=chair, limit=1000)
                if c.state not in (ConferenceState.CONCLUDED, ConferenceState.CANCELLED)
            )
            for chair in chairs
        }
        return suggest_chairs(busy, workload, first, last, rules.default_length.as_timedelta())

    async def allocate(self, conference_id: int, chair: str, by: str) -> Conference:
        """Give the conference a chair. Invites stay held until the chair decides the format."""
        conference = self.repo.get_conference(conference_id)
        if conference.state in (ConferenceState.CANCELLED, ConferenceState.CONCLUDED):
            raise ActionRefused(f"{conference.reference} is {conference.state.value}")
        if self.config.chairs and chair not in self.config.chairs:
            raise ActionRefused(f"{chair} is not one of the configured chairs")
        updated = self.repo.update_conference(
            conference_id,
            chair=chair,
            state=(
                ConferenceState.AWAITING_FORMAT
                if conference.state in (ConferenceState.REQUESTED, ConferenceState.TRIAGE)
                else conference.state
            ),
        )
        self._record(conference_id, by, "chair_allocated", chair=chair)
        return updated

    # -- the format decision, and the meeting -------------------------------------------

    async def set_format(
        self,
        conference_id: int,
        *,
        meeting_format: MeetingFormat,
        start: datetime,
        by: str,
        length: timedelta | None = None,
        confidential: timedelta | None = None,
        late_reason: str | None = None,
        venue: str | None = None,
    ) -> Conference:
        """Record the format decision, book the meeting, send letters, schedule deadlines."""
        conference = self.repo.get_conference(conference_id)
        if conference.chair is None:
            raise ActionRefused("allocate a chair before setting the format")
        if conference.state not in (ConferenceState.AWAITING_FORMAT, ConferenceState.ALLOCATED):
            raise ActionRefused(
                f"{conference.reference} is {conference.state.value.replace('_', ' ')}; "
                "use reschedule to move a booked conference"
            )
        rules = self.rules(conference)
        if meeting_format not in rules.formats.offered:
            offered = ", ".join(f.value for f in rules.formats.offered)
            raise ActionRefused(f"this playbook does not offer {meeting_format.value} ({offered})")
        if meeting_format in AT_A_VENUE and not (venue or conference.facts.get("venue")):
            raise ActionRefused(f"a {meeting_format.value.replace('_', ' ')} meeting needs a venue")
        facts = dict(conference.facts)
        if late_reason:
            facts["late_reason"] = late_reason
        if venue:
            facts["venue"] = venue
        conference = self.repo.update_conference(
            conference_id,
            meeting_format=meeting_format,
            start_at=start.astimezone(UTC),
            length=length or rules.default_length.as_timedelta(),
            confidential_length=confidential,
            facts=facts,
        )
        try:
            plan = compile_timeline(self.playbook, self.facts(conference, check_now=True))
        except TimelineError as err:
            # Put the conference back as it was: nothing has been booked or sent.
            self.repo.update_conference(conference_id, meeting_format=None, start_at=None)
            raise ActionRefused(str(err)) from err
        self._record(
            conference_id,
            by,
            "format_set",
            format=meeting_format.value,
            start=conference.start_at.isoformat() if conference.start_at else None,
            confidential_minutes=int(confidential.total_seconds() // 60) if confidential else 0,
        )
        self._hold_back(conference, plan)
        conference = self.repo.get_conference(conference_id)
        if meeting_format in ONLINE:
            conference = await self._book_meeting(conference, plan, by)
        async with self.collecting():
            await self._send_letters(conference, plan)
            if meeting_format in BY_PHONE:
                await self._send_call_sheet(conference)
        self._schedule(conference, plan)
        return self.repo.update_conference(conference_id, state=ConferenceState.SCHEDULED)

    def _hold_back(self, conference: Conference, plan: Timeline) -> None:
        held = [p.id for p in conference.participants if rule_role(p.role) in plan.held_back]
        free = [p.id for p in conference.participants if rule_role(p.role) not in plan.held_back]
        self.repo.set_held_back(held, True)
        self.repo.set_held_back(free, False)

    def invitees(self, conference: Conference, rules: ConferenceRules) -> tuple[Attendee, ...]:
        """Who is on the Teams invite now: never anyone held back, and the minute taker."""
        assert conference.meeting_format is not None
        attendees: list[Attendee] = []
        for person in conference.participants:
            rule = rules.participant(rule_role(person.role), conference.meeting_format)
            if person.held_back or rule is None or not person.email:
                continue
            if conference.meeting_format in AT_A_VENUE and person.role in FAMILY:
                continue
            if not (rule.invited and rule.on_meeting_invite):
                continue
            attendees.append(Attendee(person.email, person.name, person.role))
        minute_rule = rules.participant(Role.MINUTE_TAKER, conference.meeting_format)
        if minute_rule is None or minute_rule.invited:
            attendees += [
                Attendee(address, "Minute taker", Role.MINUTE_TAKER)
                for address in self.config.minute_takers
            ]
        return tuple(attendees)

    async def _book_meeting(self, conference: Conference, plan: Timeline, by: str) -> Conference:
        assert conference.chair is not None and conference.start_at is not None
        rules = self.rules(conference)
        attendees = self.invitees(conference, rules)
        # The guard's rule, checked again at the boundary: no held-back person on the invite.
        held = {p.email for p in conference.participants if p.held_back and p.email}
        if held & {a.email for a in attendees}:
            raise ActionRefused("a held-back participant would be on the invite")
        ref = await self.graph.create_meeting(
            MeetingRequest(
                organiser=conference.chair,
                subject=f"Child protection conference {conference.reference}",
                start=plan.start,
                end=plan.end,
                attendees=attendees,
                html_body=letters.meeting_body(conference),
                transaction_id=transaction_id(conference, plan.start),
                location=conference.facts.get("venue", ""),
            )
        )
        await self.graph.set_meeting_options(
            conference.chair,
            ref.join_url,
            # The chair brings held-back parents in themselves; everyone else waits in the lobby
            # unless they are in the council's organisation.
            MeetingOptions(lobby_bypass="organization", dial_in_bypass_lobby=False),
        )
        self._record(
            conference.id,
            by,
            "meeting_created",
            event_id=ref.event_id,
            attendees=len(attendees),
            held_back=len(held),
        )
        return self.repo.update_conference(
            conference.id, event_id=ref.event_id, join_url=ref.join_url
        )

    async def _send_letters(self, conference: Conference, plan: Timeline) -> None:
        for step in plan.steps:
            if step.kind is not StepKind.SEND_LETTER:
                continue
            for person in conference.participants:
                if rule_role(person.role) not in step.audience:
                    continue
                await self._send_letter(conference, step, person)

    async def _send_letter(self, conference: Conference, step: Step, person: Participant) -> None:
        key = f"{step.id}:{person.id}"
        if self.repo.has_step(conference.id, key, "letter_sent"):
            return  # idempotent: a retried format decision never sends a letter twice
        if not person.email:
            self._record(conference.id, SYSTEM, "letter_needs_post", step_id=key, role=person.role)
            return
        subject, body = letters.parent_letter(conference, step.text, held_back=person.held_back)
        mail = OutgoingMail(to=(person.email,), subject=subject, html_body=body, purpose=key)
        await self.send(
            conference,
            mail,
            {person.email: person.role},
            may_carry_link=False,
            after=lambda: self._record(
                conference.id, SYSTEM, "letter_sent", step_id=key, role=person.role
            ),
        )

    async def send_letters_due(self, conference_id: int) -> None:
        """Send any letter or call sheet of a booked conference that has not gone yet."""
        conference = self.repo.get_conference(conference_id)
        plan = self.timeline(conference)
        async with self.collecting():
            await self._send_letters(conference, plan)
            if conference.meeting_format in BY_PHONE:
                await self._send_call_sheet(conference)

    async def _send_call_sheet(self, conference: Conference) -> None:
        """Give the chair the numbers to ring, in order: the call sheet replaces a link."""
        if conference.chair is None or self.repo.has_step(conference.id, "call_sheet", "sent"):
            return
        subject, body = letters.call_sheet(conference)
        chair = conference.chair
        await self.send(
            conference,
            OutgoingMail(to=(chair,), subject=subject, html_body=body, purpose="call_sheet"),
            {chair: Role.CHAIR},
            may_carry_link=False,
            after=lambda: self._record(conference.id, SYSTEM, "sent", step_id="call_sheet"),
        )

    async def send(
        self,
        conference: Conference,
        mail: OutgoingMail,
        roles: dict[str, Role],
        *,
        may_carry_link: bool,
        items: Sequence[DistributionItem] | None = None,
        after: Callable[[], object] | None = None,
    ) -> None:
        """Send one email through the distribution guard, from the request mailbox.

        Inside ``collecting()`` the mail waits to travel in one ``$batch`` with the others;
        ``after`` runs once it has really gone, so the timeline never claims an unsent mail.
        """
        self.guard.check(conference, mail, roles, may_carry_link=may_carry_link, items=items)
        batch = _outbox.get()
        if batch is not None:
            batch.append((mail, after))
            return
        await self.graph.send_mail(self.config.request_mailbox, mail)
        if after is not None:
            after()

    @contextlib.asynccontextmanager
    async def collecting(self) -> AsyncIterator[None]:
        """Send every mail of the block together, in as few Graph requests as possible."""
        if _outbox.get() is not None:  # already collecting: the outer block sends
            yield
            return
        batch: list[tuple[OutgoingMail, Callable[[], object] | None]] = []
        token = _outbox.set(batch)
        try:
            yield
        finally:
            _outbox.reset(token)
        if not batch:
            return
        if len(batch) == 1:
            mail, after = batch[0]
            await self.graph.send_mail(self.config.request_mailbox, mail)
            if after is not None:
                after()
            return
        statuses = await self.graph.send_mails(
            self.config.request_mailbox, [mail for mail, _ in batch]
        )
        failed = 0
        for (_mail, after), status in zip(batch, statuses, strict=True):
            if 200 <= status < 300:
                if after is not None:
                    after()
            else:
                failed += 1
        if failed:
            raise MailNotSent(failed, len(batch))

    # -- deadlines ------------------------------------------------------------------------

    def _schedule(self, conference: Conference, plan: Timeline) -> None:
        now = self.clock()
        for job in planned_jobs(conference.id, plan):
            # A deadline already close is chased at once rather than never.
            self.scheduler.add(replace(job, run_at=max(now, job.run_at)))
        self._record(
            conference.id,
            SYSTEM,
            "deadlines_scheduled",
            jobs=len(self.scheduler.pending(conference.id)),
        )

    async def reschedule(
        self, conference_id: int, *, start: datetime, by: str, length: timedelta | None = None
    ) -> Conference:
        """Move a booked conference: a new meeting at the new time, and every job moved with it."""
        conference = self.repo.get_conference(conference_id)
        if conference.state is not ConferenceState.SCHEDULED:
            raise ActionRefused(f"{conference.reference} is not scheduled")
        assert conference.meeting_format is not None
        old_event, chair = conference.event_id, conference.chair
        self.scheduler.remove_conference(conference_id)
        self.repo.update_conference(conference_id, state=ConferenceState.AWAITING_FORMAT)
        if old_event and chair:
            await self.graph.cancel_meeting(chair, old_event, "This conference has been moved.")
        self._record(conference_id, by, "rescheduled", start=start.astimezone(UTC).isoformat())
        return await self.set_format(
            conference_id,
            meeting_format=conference.meeting_format,
            start=start,
            by=by,
            length=length or conference.length,
            confidential=conference.confidential_length,
        )

    async def cancel(
        self, conference_id: int, *, by: str, rationale: str, approved_by: str | None
    ) -> Conference:
        """Cancel, following the playbook's rule: a named post's approval and a rationale."""
        conference = self.repo.get_conference(conference_id)
        rule = self.playbook.cancellation
        if conference.state in (ConferenceState.CANCELLED, ConferenceState.CONCLUDED):
            raise ActionRefused(f"{conference.reference} is already {conference.state.value}")
        if rule.rationale_required and not rationale.strip():
            raise ActionRefused("a cancellation needs a written rationale")
        if not approved_by:
            raise ActionRefused(f"a cancellation needs the approval of the {rule.approver}")
        self.scheduler.remove_conference(conference_id)
        if conference.event_id and conference.chair:
            await self.graph.cancel_meeting(
                conference.chair, conference.event_id, "This conference has been cancelled."
            )
        self._record(
            conference_id,
            by,
            "cancelled",
            rationale=rationale,
            approved_by=approved_by,
            approver_post=rule.approver,
            recorded_on=rule.recorded_on,
        )
        return self.repo.update_conference(conference_id, state=ConferenceState.CANCELLED)
