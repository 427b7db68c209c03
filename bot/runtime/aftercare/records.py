"""The minutes' input, read from what the store holds about a conference.

Pure over its arguments (a conference, its timeline entries and its compiled plan): the
``Aftercare`` service fetches them, this module reads them. It reads the run sheet's
events (``runsheet.*``), report-pack replies and reports (attendance evidence), phone
contacts, and the decisions recorded at conclusion.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from bot.core.conference import Conference, Participant, Role, TimelineEntry
from bot.core.consent import ConsentStatus
from bot.core.decisions import combined
from bot.core.minutes.children import initials_of
from bot.core.minutes.model import (
    AbuseCategory,
    AgencyContribution,
    ConfidentialSection,
    Decisions,
    MinutesInput,
    MinutesParticipant,
    ParentJoin,
    ParentPart,
    PlanType,
    PlanView,
    YoungPersonPart,
)
from bot.core.playbook.terms import AttendanceEvidence
from bot.core.timeline.model import StepKind, Timeline
from bot.runtime.aftercare.answers import RecordedAnswers, display_name
from bot.runtime.aftercare.attendance import MEETING_ATTENDED, REPORT_READ
from bot.runtime.aftercare.children import minutes_children
from bot.runtime.aftercare.decisions import child_decisions
from bot.runtime.runsheet_facts import party_id

CHAIR_KEY = "chair"
DECISIONS_RECORDED = "decisions_recorded"  # written by Aftercare when the conference concludes
PHONE_CONTACT = "phone_contact"  # the chair spoke to someone by phone (a series of calls)


def participant_key(person: Participant) -> str:
    """The minutes' key for a stored participant: stable and free of personal data."""
    return f"participant-{person.id}"


def party_index(conference: Conference) -> dict[str, str]:
    """Every run-sheet party id this conference's participants may go by, to minutes keys.

    The run-sheet service names parties ``<role>-<participant id>`` (``parent-12``); the
    minutes' own keys and a bare participant id are accepted too.
    """
    index: dict[str, str] = {CHAIR_KEY: CHAIR_KEY}
    for person in conference.participants:
        key = participant_key(person)
        for alias in (party_id(person), key, str(person.id)):
            index.setdefault(alias, key)
    return index


@dataclass
class _Reading:
    evidence: dict[str, set[AttendanceEvidence]]
    consent: dict[str, ConsentStatus]
    joined_at: dict[str, datetime]
    declined: set[str]
    no_answer: set[str]
    views: dict[str, PlanView]
    rationale: set[str]
    plan: bool | None = None
    started: datetime | None = None
    ended: datetime | None = None
    confidential_end: datetime | None = None
    decisions: dict[str, object] | None = None
    finished: datetime | None = None  # the run sheet's last step was done
    # From Graph's attendance report: each person's time in the Teams meeting, and the
    # meeting's own start and end.
    in_teams: dict[str, tuple[datetime, datetime | None]] = field(default_factory=dict)
    report_start: datetime | None = None
    report_end: datetime | None = None


def _party(entry: TimelineEntry, index: dict[str, str]) -> str | None:
    party = entry.detail.get("party")
    return index.get(str(party)) if party is not None else None


def _actor_key(entry: TimelineEntry, index: dict[str, str]) -> str | None:
    # Intake records a participant's email as "participant:<id>".
    if entry.actor.startswith("participant:"):
        return index.get(entry.actor.removeprefix("participant:"))
    return None


def _read(entries: Iterable[TimelineEntry], index: dict[str, str]) -> _Reading:
    r = _Reading({}, {}, {}, set(), set(), {}, set())

    def add(key: str | None, evidence: AttendanceEvidence) -> None:
        if key is not None:
            r.evidence.setdefault(key, set()).add(evidence)

    for e in entries:
        kind = e.kind.removeprefix("runsheet.")
        party = _party(e, index)
        if e.kind == "reply":
            add(_actor_key(e, index), AttendanceEvidence.REPLIED_TO_PACK_EMAIL)
        elif e.kind == "report_received":
            add(_actor_key(e, index), AttendanceEvidence.REPORT_ONLY)
        elif e.kind == PHONE_CONTACT:
            add(party, AttendanceEvidence.PHONE_CONVERSATION)
        elif e.kind == DECISIONS_RECORDED:
            r.decisions = dict(e.detail)
        elif e.kind == MEETING_ATTENDED and party is not None:
            add(party, AttendanceEvidence.JOINED_MEETING)
            joined = _moment(e.detail.get("joined"))
            if joined is not None:
                r.in_teams[party] = (joined, _moment(e.detail.get("left")))
        elif e.kind == REPORT_READ:
            r.report_start = _moment(e.detail.get("start"))
            r.report_end = _moment(e.detail.get("end"))
        elif not e.kind.startswith("runsheet."):
            continue
        elif kind == "meeting_started":
            r.started = r.started or e.at
        elif kind == "meeting_ended":
            r.ended = e.at
        elif kind == "run_sheet_finished":
            r.finished = e.at
        elif kind == "confidential_section_ended":
            r.confidential_end = e.at
        elif kind == "party_joined" and party is not None:
            add(party, AttendanceEvidence.JOINED_MEETING)
            r.joined_at.setdefault(party, e.at)
        elif kind in ("consent_given", "consent_refused") and party is not None:
            # Asked about recording in the meeting: they were there.
            add(party, AttendanceEvidence.JOINED_MEETING)
            refused = kind == "consent_refused" or r.consent.get(party) is ConsentStatus.OBJECTED
            r.consent[party] = ConsentStatus.OBJECTED if refused else ConsentStatus.CONSENTED
        elif kind == "parent_declined" and party is not None:
            r.declined.add(party)
        elif kind == "answered":
            _answered(e, party, r)
    return r


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def _answered(e: TimelineEntry, party: str | None, r: _Reading) -> None:
    answer = str(e.detail.get("answer"))
    prompt_kind = e.detail.get("prompt_kind")
    if prompt_kind == "agency_view" and party is not None and answer in ("plan", "no_plan"):
        r.views[party] = PlanView(answer)
        if e.detail.get("rationale_given"):
            r.rationale.add(party)
    elif prompt_kind == "phase" and answer in ("plan", "no_plan"):
        r.plan = answer == "plan"
    elif prompt_kind == "callback" and party is not None and answer == "no_answer":
        r.no_answer.add(party)
    elif prompt_kind == "agency_summary" and party is not None and answer == "done":
        r.evidence.setdefault(party, set()).add(AttendanceEvidence.JOINED_MEETING)  # they spoke
    elif prompt_kind == "agency_summary" and party is not None and answer == "report_only":
        r.evidence.setdefault(party, set()).add(AttendanceEvidence.REPORT_ONLY)
    elif prompt_kind == "phone_call" and party is not None and answer == "done":
        # Seed 001: in a series of phone calls, the call is the person's attendance.
        r.evidence.setdefault(party, set()).add(AttendanceEvidence.PHONE_CONVERSATION)


DECISION_FIELDS = ("plan", "category", "plan_type", "core_group", "review", "notes")


def checked_decisions(raw: dict[str, object]) -> dict[str, object]:
    """Decisions fit to record, or a ValueError naming the field: a bad one would stay put."""
    unknown = sorted(set(raw) - set(DECISION_FIELDS))
    if unknown:
        raise ValueError(f"unknown decision fields: {', '.join(unknown)}")
    out = {k: v for k, v in raw.items() if v is not None}
    if "plan" in out and not isinstance(out["plan"], bool):
        raise ValueError("'plan' must be true or false")
    for name, allowed in (("category", AbuseCategory), ("plan_type", PlanType)):
        if name in out and str(out[name]) not in {m.value for m in allowed}:
            words = ", ".join(m.value for m in allowed)
            raise ValueError(f"'{name}' must be one of {words}")
    for name in ("core_group", "review"):
        if name in out:
            try:
                date.fromisoformat(str(out[name]))
            except ValueError:
                raise ValueError(f"'{name}' must be a date such as 2027-03-15") from None
    if "notes" in out:
        out["notes"] = str(out["notes"])
    return out


def _day(value: object) -> date | None:
    return date.fromisoformat(str(value)) if value else None


def _decisions(r: _Reading) -> Decisions:
    d = r.decisions or {}
    plan = d.get("plan", r.plan)
    category, plan_type = d.get("category"), d.get("plan_type")
    return Decisions(
        plan=bool(plan) if plan is not None else None,
        category=AbuseCategory(str(category)) if category else None,
        plan_type=PlanType(str(plan_type)) if plan_type else None,
        core_group=_day(d.get("core_group")),
        review=_day(d.get("review")),
        notes=str(d.get("notes") or ""),
    )


def _parent_part(key: str, r: _Reading) -> ParentPart:
    if key in r.joined_at:
        return ParentPart(key, ParentJoin.JOINED, at=r.joined_at[key])
    if AttendanceEvidence.JOINED_MEETING in r.evidence.get(key, set()):
        return ParentPart(key, ParentJoin.NOT_HELD_BACK)
    if AttendanceEvidence.PHONE_CONVERSATION in r.evidence.get(key, set()):
        return ParentPart(key, ParentJoin.PHONE_CALL)
    if key in r.declined:
        return ParentPart(key, ParentJoin.DECLINED, reason="They chose not to join.")
    if key in r.no_answer:
        return ParentPart(key, ParentJoin.NO_ANSWER, reason="The chair rang and nobody answered.")
    return ParentPart(
        key, ParentJoin.DID_NOT_TAKE_PART, reason="No contact with them was recorded."
    )


def minutes_input(
    conference: Conference,
    entries: Sequence[TimelineEntry],
    plan: Timeline,
    *,
    young_people: tuple[YoungPersonPart, ...] = (),
    participation: str = "",
    answers: RecordedAnswers | None = None,
    minute_takers: tuple[str, ...] = (),
) -> MinutesInput:
    """What the minutes need, read from a concluded conference's records.

    ``participation`` is the chair's note on how the young person took part, from the run
    sheet's journal (``chair_participation_words``); ``answers`` are the words the chair
    typed at each step, from the same journal; ``minute_takers`` the addresses invited to
    take the minutes.
    """
    assert conference.meeting_format is not None and conference.start_at is not None
    r = _read(entries, party_index(conference))
    start = r.started or r.report_start or conference.start_at
    parents = tuple(
        _parent_part(participant_key(p), r)
        for p in conference.participants
        if p.role is Role.PARENT
    )
    answers = answers or RecordedAnswers()
    typed = {c.participant: c for c in answers.contributions}
    contributions = tuple(
        typed.get(key) or AgencyContribution(key, view=view)
        for key, view in sorted({**r.views, **{k: None for k in typed}}.items())
    )
    decisions, per_child = _decisions(r), child_decisions(conference, entries)
    if per_child:
        # The chair decided child by child: the emails that speak of all of them use these.
        decisions = replace(combined([c.decisions for c in per_child]), notes=decisions.notes)
    return MinutesInput(
        reference=conference.reference,
        conference_type=conference.conference_type,
        meeting_format=conference.meeting_format,
        start=start,
        chair=chair_name(conference),
        participants=_people(conference, r, minute_takers),
        children=minutes_children(conference, r.evidence, participant_key, participation),
        # The actual end: the meeting's end event, the run sheet's last step, or the report's.
        end=next(
            (t for t in (r.ended, r.finished, r.report_end) if t is not None and t >= start), None
        ),
        consent=dict(r.consent),
        recorded=False,
        confidential=_confidential(conference, r, plan, start),
        parents=parents,
        young_people=young_people,
        contributions=contributions,
        step_notes=answers.notes,
        decisions=decisions,
        child_decisions=per_child,
        follow_up_due={
            s.id.rsplit(".", 1)[-1]: s.due for s in plan.steps if s.kind is StepKind.FOLLOW_UP
        },
    )


def chair_name(conference: Conference) -> str:
    """The chair as the minutes name them: a name, never an email address."""
    address = (conference.chair or "").lower()
    listed = next(
        (
            p.name
            for p in conference.participants
            if p.role is Role.CHAIR and p.name and (p.email or "").lower() == address
        ),
        None,
    )
    return listed or display_name(conference.chair or "")


def _people(
    conference: Conference, r: _Reading, minute_takers: tuple[str, ...] = ()
) -> tuple[MinutesParticipant, ...]:
    chair = chair_name(conference)
    people = [MinutesParticipant(CHAIR_KEY, Role.CHAIR, chair, "Chair", frozenset())]
    if not any(p.role is Role.MINUTE_TAKER for p in conference.participants):
        # Invited from the council's list rather than as a participant (booking.invitees).
        people += [
            MinutesParticipant(f"minute_taker-{i}", Role.MINUTE_TAKER, display_name(a), "")
            for i, a in enumerate(minute_takers, 1)
        ]
    for person in conference.participants:
        key = participant_key(person)
        # The young person is a child: the minutes go to every agency, so by initials only.
        name = initials_of(person.name) if person.role is Role.YOUNG_PERSON else person.name
        people.append(
            MinutesParticipant(
                key,
                person.role,
                name,
                person.relationship or person.organisation,
                frozenset(r.evidence.get(key, set())),
                in_teams=r.in_teams.get(key),
            )
        )
    return tuple(people)


def _confidential(
    conference: Conference, r: _Reading, plan: Timeline, start: datetime
) -> ConfidentialSection:
    if conference.confidential_length is None or r.started is None:
        return ConfidentialSection(held=False)
    end = r.confidential_end or r.started + (conference.confidential_length or plan.end - start)
    present = tuple(
        participant_key(p)
        for p in conference.participants
        if not p.held_back
        and AttendanceEvidence.JOINED_MEETING in r.evidence.get(participant_key(p), set())
    )
    return ConfidentialSection(True, r.started, max(end, r.started), present)
