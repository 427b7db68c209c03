"""The chair's format decision, and what follows it: the meeting, the letters, the deadlines.

Invites are held until this decision. The Teams meeting is created in the chair's calendar
without anyone the playbook holds back (the parents, until the confidential section ends).
Every letter goes through the outbox; every job is keyed by conference and step.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.core.actions import SET_FORMAT
from bot.core.conference import Conference, ConferenceState, MeetingFormat, Participant, Role
from bot.core.errors import ActionRefused
from bot.core.mailbox import OutgoingMail
from bot.core.meeting import Attendee, MeetingOptions, MeetingRequest
from bot.core.playbook.model import ConferenceRules
from bot.core.timeline import compile_timeline, format_agreement_problems, sent_at_format
from bot.core.timeline.model import Step, StepKind, Timeline, TimelineError
from bot.runtime import letters
from bot.runtime.context import SYSTEM, Runtime, rule_role
from bot.runtime.planning import planned_jobs

# Formats with a Teams meeting. At a venue (hybrid, face to face) the meeting is only for
# those who cannot come in person, so the family is not on it: they come to the venue.
ONLINE = frozenset({MeetingFormat.TEAMS, MeetingFormat.HYBRID, MeetingFormat.FACE_TO_FACE})
AT_A_VENUE = frozenset({MeetingFormat.HYBRID, MeetingFormat.FACE_TO_FACE})
FAMILY = frozenset({Role.PARENT, Role.YOUNG_PERSON})
# Formats where the chair phones people: they get a call sheet, not a meeting link.
BY_PHONE = frozenset({MeetingFormat.CONFERENCE_CALL, MeetingFormat.PHONE_SERIES})


@dataclass(frozen=True, slots=True)
class FormatDecision:
    """The chair's decision on how and when the conference is held, and who agreed it."""

    meeting_format: MeetingFormat
    start: datetime
    length: timedelta | None = None
    confidential: timedelta | None = None
    venue: str | None = None
    late_reason: str | None = None
    late_agreed_by: str | None = None
    format_agreed_by: tuple[str, ...] = ()
    risk_assessed: bool = False


def transaction_id(conference: Conference, start: datetime) -> str:
    """A Graph transactionId derived from the conference and its start: retries never duplicate."""
    return str(
        uuid.uuid5(uuid.NAMESPACE_URL, f"confbot:{conference.reference}:{start.isoformat()}")
    )


def _check_decision(conference: Conference, rules: ConferenceRules, d: FormatDecision) -> None:
    # Whether the conference may be booked at all (a chair, its state) is rt.require's: these
    # are the checks on what the person chose.
    if d.meeting_format not in rules.formats.offered:
        offered = ", ".join(f.value.replace("_", " ") for f in rules.formats.offered)
        raise ActionRefused(
            f"this playbook does not offer {d.meeting_format.value.replace('_', ' ')} "
            f"for this conference (it offers: {offered})"
        )
    if d.meeting_format in AT_A_VENUE and not (d.venue or conference.facts.get("venue")):
        raise ActionRefused(f"a {d.meeting_format.value.replace('_', ' ')} meeting needs a venue")
    if d.late_reason and not (d.late_agreed_by or "").strip():
        raise ActionRefused("say who agreed the reason for the short notice or delay")
    agreed: list[Role] = []
    for name in d.format_agreed_by:
        try:
            agreed.append(Role(name))
        except ValueError:
            raise ActionRefused(f"'{name}' is not a role that can agree the format") from None
    problems = format_agreement_problems(rules.formats, agreed, d.risk_assessed)
    if problems:
        raise ActionRefused(" ".join(problems))


async def set_format(
    rt: Runtime, conference_id: int, decision: FormatDecision, *, by: str
) -> Conference:
    """Record the format decision, book the meeting, send letters, schedule deadlines."""
    conference = rt.store.get_conference(conference_id)
    rt.require(conference, SET_FORMAT)
    rules = rt.rules(conference)
    _check_decision(conference, rules, decision)
    facts = dict(conference.facts)
    if decision.late_reason:
        facts["late_reason"] = decision.late_reason.strip()
        facts["late_agreed_by"] = (decision.late_agreed_by or "").strip()
    if decision.venue:
        facts["venue"] = decision.venue
    if decision.format_agreed_by or decision.risk_assessed:
        facts["format_agreed_by"] = list(decision.format_agreed_by)
        facts["risk_assessed"] = decision.risk_assessed
    before = conference
    conference = rt.store.update_conference(
        conference_id,
        meeting_format=decision.meeting_format,
        start_at=decision.start.astimezone(UTC),
        length=decision.length or rules.default_length.as_timedelta(),
        confidential_length=decision.confidential,
        facts=facts,
    )
    try:
        plan = compile_timeline(rt.playbook(conference), rt.facts(conference, check_now=True))
    except TimelineError as err:
        # Put the conference back as it was: nothing has been booked or sent.
        rt.store.update_conference(
            conference_id, meeting_format=None, start_at=None, facts=dict(before.facts)
        )
        raise ActionRefused(str(err)) from err
    rt.record(
        conference_id,
        by,
        "format_set",
        format=decision.meeting_format.value,
        start=conference.start_at.isoformat() if conference.start_at else None,
        confidential_minutes=(
            int(decision.confidential.total_seconds() // 60) if decision.confidential else 0
        ),
        late_reason=facts.get("late_reason"),
        late_agreed_by=facts.get("late_agreed_by"),
        format_agreed_by=facts.get("format_agreed_by"),
    )
    _hold_back(rt, conference, plan)
    conference = rt.store.get_conference(conference_id)
    if decision.meeting_format in ONLINE:
        conference = await _book_meeting(rt, conference, plan, by)
    async with rt.outbox.collecting():
        await _send_letters(rt, conference, plan)
        if decision.meeting_format in BY_PHONE:
            await _send_call_sheet(rt, conference)
    schedule(rt, conference, plan)
    return rt.store.update_conference(conference_id, state=ConferenceState.SCHEDULED)


def _hold_back(rt: Runtime, conference: Conference, plan: Timeline) -> None:
    held = [p.id for p in conference.participants if rule_role(p.role) in plan.held_back]
    free = [p.id for p in conference.participants if rule_role(p.role) not in plan.held_back]
    rt.store.set_held_back(held, True)
    rt.store.set_held_back(free, False)


def invitees(rt: Runtime, conference: Conference, rules: ConferenceRules) -> tuple[Attendee, ...]:
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
            for address in rt.people.minute_takers
        ]
    return tuple(attendees)


async def _book_meeting(rt: Runtime, conference: Conference, plan: Timeline, by: str) -> Conference:
    assert conference.chair is not None and conference.start_at is not None
    attendees = invitees(rt, conference, rt.rules(conference))
    # The guard's rule, checked again at the boundary: no held-back person on the invite.
    held = {p.email for p in conference.participants if p.held_back and p.email}
    if held & {a.email for a in attendees}:
        raise ActionRefused("a held-back participant would be on the invite")
    ref = await rt.graph.create_meeting(
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
    await rt.graph.set_meeting_options(
        conference.chair,
        ref.join_url,
        # The chair brings held-back parents in themselves; everyone else waits in the lobby
        # unless they are in the council's organisation.
        MeetingOptions(lobby_bypass="organization", dial_in_bypass_lobby=False),
    )
    rt.record(
        conference.id,
        by,
        "meeting_created",
        event_id=ref.event_id,
        attendees=len(attendees),
        held_back=len(held),
    )
    return rt.store.update_conference(conference.id, event_id=ref.event_id, join_url=ref.join_url)


async def _send_letters(rt: Runtime, conference: Conference, plan: Timeline) -> None:
    # The playbook says which steps go as soon as the format is decided (process.sent_at_format).
    for step in sent_at_format(plan):
        if step.kind is not StepKind.SEND_LETTER:
            continue
        for person in conference.participants:
            if rule_role(person.role) in step.audience:
                await _send_letter(rt, conference, step, person)


async def _send_letter(
    rt: Runtime, conference: Conference, step: Step, person: Participant
) -> None:
    key = f"{step.id}:{person.id}"
    if rt.store.has_step(conference.id, key, "letter_sent"):
        return  # idempotent: a retried format decision never sends a letter twice
    if not person.email:
        # Whether an address is on record, never the address: the timeline is shown widely.
        rt.record(
            conference.id,
            SYSTEM,
            "letter_needs_post",
            step_id=key,
            role=person.role,
            has_postal_address=bool(person.postal_address.strip()),
        )
        return
    subject, body = letters.parent_letter(conference, step.text, held_back=person.held_back)
    mail = OutgoingMail(to=(person.email,), subject=subject, html_body=body, purpose=key)
    await rt.outbox.send(
        conference,
        mail,
        {person.email: person.role},
        may_carry_link=False,
        after=lambda: rt.record(
            conference.id, SYSTEM, "letter_sent", step_id=key, role=person.role
        ),
    )


async def send_letters_due(rt: Runtime, conference_id: int) -> None:
    """Send any letter or call sheet of a booked conference that has not gone yet."""
    conference = rt.store.get_conference(conference_id)
    plan = rt.timeline(conference)
    async with rt.outbox.collecting():
        await _send_letters(rt, conference, plan)
        if conference.meeting_format in BY_PHONE:
            await _send_call_sheet(rt, conference)


async def _send_call_sheet(rt: Runtime, conference: Conference) -> None:
    """Give the chair the numbers to ring, in order: the call sheet replaces a link."""
    if conference.chair is None or rt.store.has_step(conference.id, "call_sheet", "sent"):
        return
    subject, body = letters.call_sheet(conference)
    chair = conference.chair
    await rt.outbox.send(
        conference,
        OutgoingMail(to=(chair,), subject=subject, html_body=body, purpose="call_sheet"),
        {chair: Role.CHAIR},
        may_carry_link=False,
        after=lambda: rt.record(conference.id, SYSTEM, "sent", step_id="call_sheet"),
    )


def schedule(rt: Runtime, conference: Conference, plan: Timeline) -> None:
    """Hold every job the plan implies; a deadline already close is chased at once."""
    now = rt.clock()
    for job in planned_jobs(conference.id, plan):
        rt.scheduler.add(replace(job, run_at=max(now, job.run_at)))
    rt.record(
        conference.id,
        SYSTEM,
        "deadlines_scheduled",
        jobs=len(rt.scheduler.pending(conference.id)),
    )
