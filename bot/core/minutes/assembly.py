"""Minutes assembly: a pure function from a conference's records and playbook to minutes.

The runtime fills a ``MinutesInput`` from its records; ``assemble_minutes`` checks it
against the playbook and returns a ``Minutes`` document model, which
``bot.runtime.aftercare.word`` renders. No I/O.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.conference import Role
from bot.core.minutes.children import children_section, header_row
from bot.core.minutes.decisions import decisions_sections
from bot.core.minutes.model import (
    AbuseCategory,
    AgencyContribution,
    AttendanceLine,
    Block,
    ConfidentialSection,
    Decisions,
    Minutes,
    MinutesChild,
    MinutesError,
    MinutesInput,
    MinutesParticipant,
    Paragraph,
    ParentJoin,
    ParentPart,
    PlanType,
    PlanView,
    Section,
    StepNote,
    Table,
    YoungPersonPart,
)
from bot.core.minutes.sections import (
    agencies_section,
    confidential_section,
    consent_section,
    follow_ups_section,
    parents_section,
    young_people_section,
)
from bot.core.minutes.text import (
    APOLOGIES,
    ATTENDED,
    CONFERENCE_TITLES,
    DID_NOT_ATTEND,
    EVIDENCE_ORDER,
    EVIDENCE_WORDS,
    FORMAT_WORDS,
    OUTCOME_WORDS,
    clock,
    long_date,
    role_name,
)
from bot.core.playbook.model import ConferenceRules, Playbook, render_minutes_statement
from bot.core.playbook.terms import AttendanceEvidence, AttendanceOutcome
from bot.core.workdays import WorkingCalendar, to_london

__all__ = [
    "AbuseCategory",
    "AgencyContribution",
    "AttendanceLine",
    "Block",
    "ConfidentialSection",
    "Decisions",
    "Minutes",
    "MinutesChild",
    "MinutesError",
    "MinutesInput",
    "MinutesParticipant",
    "Paragraph",
    "ParentJoin",
    "ParentPart",
    "PlanType",
    "PlanView",
    "Section",
    "StepNote",
    "Table",
    "YoungPersonPart",
    "assemble_minutes",
    "attendance_lines",
]


def assemble_minutes(playbook: Playbook, data: MinutesInput) -> Minutes:
    """The minutes of one conference, under its council's playbook."""
    try:
        rules = playbook.rules(data.conference_type)
    except KeyError as err:
        raise MinutesError(str(err.args[0])) from None
    if data.meeting_format not in rules.formats.offered:
        offered = ", ".join(f.value for f in rules.formats.offered)
        raise MinutesError(
            f"this playbook does not hold a {data.conference_type} as "
            f"{data.meeting_format.value} (it offers: {offered})"
        )
    local_start = to_london(data.start)
    end = data.end or data.start + rules.default_length.as_timedelta()
    # Seed 000: the minutes record that the conference was held this way "due to COVID-19"
    # with "special measures"; each playbook words its statement, and confbot always adds it.
    statement = render_minutes_statement(
        playbook, data.conference_type, data.meeting_format, long_date(local_start.date())
    )
    missing: list[str] = []
    attendance = attendance_lines(rules, data)
    calendar = WorkingCalendar(
        playbook.calendar.end_of_working_day, playbook.calendar.roll_back_off_working_days
    )
    sections = (
        Section("how_held", "How the conference was held", (Paragraph(statement),)),
        children_section(data, missing),
        _attendance_section(rules, data, attendance),
        consent_section(data),
        confidential_section(rules, data),
        parents_section(data, missing),
        young_people_section(data, missing),
        agencies_section(rules, data, missing),
        *decisions_sections(rules, data, calendar, end, missing),
        follow_ups_section(rules, data, calendar, end),
    )
    title = f"{CONFERENCE_TITLES[data.conference_type]}: minutes"
    return Minutes(
        title=title,
        header=_header(playbook, data, end - data.start),
        statement=statement,
        sections=sections,
        attendance=attendance,
        recorded=data.recorded,
        missing=tuple(missing),
    )


def attendance_lines(rules: ConferenceRules, data: MinutesInput) -> tuple[AttendanceLine, ...]:
    """Each participant's attendance, counted with the playbook's attendance rules."""
    lines = []
    for person in data.participants:
        if person.role in _RUN_IT:
            # The chair holds the conference in every format, the phone calls included,
            # and the minute taker is there to write these minutes.
            outcome = AttendanceOutcome.ATTENDED
        else:
            # Seed 002: a reply to the pack email counts as attending, a report alone does
            # not, and a phone conversation does; each playbook states its own rules.
            outcome = rules.attendance_outcome(_evidence(person, data))
        if outcome is AttendanceOutcome.ATTENDED:
            label = ATTENDED
        else:
            label = APOLOGIES if person.apologies else DID_NOT_ATTEND
        lines.append(AttendanceLine(person.key, outcome, person.apologies, label))
    return tuple(lines)


def _header(playbook: Playbook, data: MinutesInput, length: timedelta) -> Table:
    start = to_london(data.start)
    finish = to_london(data.start + length)
    children = header_row(data.children)
    rows = (
        ("Council", playbook.council),
        ("Reference", data.reference),
        ("Conference", CONFERENCE_TITLES[data.conference_type]),
        *((children,) if children else ()),
        ("Date", long_date(start.date())),
        ("Time", f"{clock(start)} to {clock(finish)}"),
        ("Chair", data.chair),
        ("Format", FORMAT_WORDS[data.meeting_format]),
    )
    return Table("About this conference", ("Item", "Details"), rows, row_headers=True)


def _attendance_section(
    rules: ConferenceRules, data: MinutesInput, lines: tuple[AttendanceLine, ...]
) -> Section:
    rows = []
    for person, line in zip(data.participants, lines, strict=True):
        rows.append(
            (
                person.name,
                role_name(person.role),
                person.organisation,
                line.label,
                _how(person, data),
            )
        )
    table = Table(
        "Attendance and apologies",
        ("Name", "Role", "Organisation or relationship", "Attendance", "How they took part"),
        tuple(rows),
        row_headers=True,
    )
    blocks: list[Block] = [table]
    # Every kind of evidence with its outcome under this playbook, the defaults included,
    # so a reader can see why someone who only sent a report is "did not attend".
    rule_words = [
        f"{EVIDENCE_WORDS[e].capitalize()} {OUTCOME_WORDS[rules.attendance_outcome([e])]}."
        for e in EVIDENCE_ORDER
        if e is not AttendanceEvidence.NO_CONTACT
    ]
    if rule_words:
        blocks.append(Paragraph("How attendance is counted: " + " ".join(rule_words)))
    return Section("attendance", "Attendance and apologies", tuple(blocks))


def _evidence(person: MinutesParticipant, data: MinutesInput) -> frozenset[AttendanceEvidence]:
    # A parent's join, recorded by the run sheet, is evidence too: no need to enter it twice.
    joined = {p.join for p in data.parents if p.participant == person.key}
    extra = {_JOIN_EVIDENCE[j] for j in joined if j in _JOIN_EVIDENCE}
    return person.evidence | extra


# Who runs the conference rather than being invited to it, and what they did.
_RUN_IT: dict[Role, str] = {Role.CHAIR: "Chaired", Role.MINUTE_TAKER: "Took the minutes"}

_JOIN_EVIDENCE: dict[ParentJoin, AttendanceEvidence] = {
    ParentJoin.JOINED: AttendanceEvidence.JOINED_MEETING,
    ParentJoin.NOT_HELD_BACK: AttendanceEvidence.JOINED_MEETING,
    ParentJoin.PHONE_CALL: AttendanceEvidence.PHONE_CONVERSATION,
}


def _words(evidence: AttendanceEvidence, person: MinutesParticipant) -> str:
    # The line names the evidence it rests on: Graph's report gives the times in the meeting.
    if evidence is AttendanceEvidence.JOINED_MEETING and person.in_teams is not None:
        joined, left = person.in_teams
        until = f" to {clock(left)}" if left else ""
        return f"in the Teams meeting from {clock(joined)}{until} (Teams attendance report)"
    return EVIDENCE_WORDS[evidence]


def _how(person: MinutesParticipant, data: MinutesInput) -> str:
    evidence = _evidence(person, data)
    found = [_words(e, person) for e in EVIDENCE_ORDER if e in evidence]
    if person.apologies:
        found.append("sent apologies")
    if not found:
        return _RUN_IT.get(person.role, "No contact recorded")
    text = ", ".join(found)
    return text[:1].upper() + text[1:]
