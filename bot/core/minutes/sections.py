"""The sections of the minutes, one builder each; ``assembly`` puts them in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.conference import Role
from bot.core.consent import ConsentStatus
from bot.core.minutes.children import initials_of
from bot.core.minutes.decisions import default_review
from bot.core.minutes.model import (
    AgencyContribution,
    Block,
    MinutesError,
    MinutesInput,
    MinutesParticipant,
    Paragraph,
    ParentJoin,
    Section,
    Table,
)
from bot.core.minutes.text import (
    CONFIDENTIAL_SUMMARY,
    CONSENT_WORDS,
    JOIN_WORDS,
    NOT_RECORDED,
    VIEW_WORDS,
    clock,
    day_and_time,
    long_date,
    role_name,
    roles_phrase,
    sentence,
)
from bot.core.minutes.wording import wording
from bot.core.playbook.model import ConferenceRules, FollowUpKind, PhaseKind, TaskKind
from bot.core.workdays import WorkingCalendar

# A parent who did not take part in any of these ways gets the update call (seed 003).
_TOOK_PART = frozenset({ParentJoin.JOINED, ParentJoin.NOT_HELD_BACK, ParentJoin.PHONE_CALL})


def consent_section(data: MinutesInput) -> Section:
    """Who was asked to agree to recording, their answers, and whether it was recorded."""
    answers = set(data.consent.values())
    if ConsentStatus.OBJECTED in answers:
        # Seed 000: "If anyone disagrees the meeting will not be recorded."
        outcome = "Not everyone agreed to the meeting being recorded, so it was not recorded."
    elif data.recorded:
        outcome = "Everyone present agreed, so the meeting was recorded to help the minute taker."
    else:
        outcome = "The meeting was not recorded."
    blocks: list[Block] = [Paragraph(outcome)]
    rows = tuple(
        (p.name, role_name(p.role), CONSENT_WORDS[data.consent[p.key]])
        for p in data.participants
        if p.key in data.consent
    )
    if rows:
        blocks.append(Table("Recording consent", ("Name", "Role", "Answer"), rows, True))
    return Section("consent", "Recording consent", tuple(blocks))


def confidential_section(rules: ConferenceRules, data: MinutesInput) -> Section:
    """When the confidential section was held and who was present; never what was said."""
    section = data.confidential
    has_phase = any(
        p.kind is PhaseKind.CONFIDENTIAL_SECTION for p in rules.phases(data.meeting_format)
    )
    blocks: list[Block] = []
    if section.held and not has_phase:
        raise MinutesError(
            "confidential: this playbook holds no confidential section in a "
            f"{data.meeting_format.value} {data.conference_type}"
        )
    if section.held and section.start is not None and section.end is not None:
        before = (
            ", before the parents joined"
            if Role.PARENT in rules.held_back(data.meeting_format)
            else ""
        )
        blocks.append(
            Paragraph(
                f"A confidential section was held from {clock(section.start)} "
                f"to {clock(section.end)}{before}."
            )
        )
        rows = tuple(
            (data.participant(key).name, role_name(data.participant(key).role))
            for key in section.present
        )
        blocks.append(Table("Present for the confidential section", ("Name", "Role"), rows, True))
        # Seeds 000 and 001: confidential information reaches only the right people, so
        # what was said stays in its own record and never in minutes sent to the family.
        blocks.append(
            Paragraph(
                "What was shared in the confidential section is kept in a separate "
                "confidential record. It is not part of these minutes."
            )
        )
    elif has_phase:
        blocks.append(Paragraph("No confidential section was held."))
    else:
        blocks.append(Paragraph("This conference had no confidential section."))
        if any(t.kind is TaskKind.CONFIDENTIAL_INFORMATION for t in rules.preparation):
            # Seed 001: confidential information goes to the chair beforehand instead.
            blocks.append(
                Paragraph(
                    "Any confidential information was sent to the chair before the conference."
                )
            )
    return Section("confidential", "Confidential section", tuple(blocks))


def parents_section(data: MinutesInput, missing: list[str]) -> Section:
    """When each parent joined, or why they did not, and their views."""
    parts = {p.participant: p for p in data.parents}
    parents = [p for p in data.participants if p.role is Role.PARENT]
    rows: list[tuple[str, ...]] = []
    views: list[Block] = []
    for parent in parents:
        part = parts.get(parent.key)
        if part is None:
            missing.append(f"How {parent.name} took part was not recorded.")
            rows.append((parent.name, NOT_RECORDED, ""))
            continue
        if part.join is ParentJoin.JOINED and part.at is not None:
            detail = f"Joined at {clock(part.at)}"
        else:
            detail = sentence(part.reason)
        if part.join not in _TOOK_PART and not part.reason:
            missing.append(f"Why {parent.name} did not take part was not recorded.")
        rows.append((parent.name, JOIN_WORDS[part.join], detail))
        if part.views:
            views.append(Paragraph(f"{parent.name}'s views: {sentence(part.views)}"))
        elif part.views_not_available:
            views.append(
                Paragraph(
                    f"{parent.name}'s views are not available. "
                    f"Reason: {sentence(part.views_not_available)}"
                )
            )
        elif not _notes(data, "parents"):
            # Seed 003: the clerk captures why the parents' views were not available.
            missing.append(f"{parent.name}'s views, or why they are not available.")
    # What the chair typed at the family's steps (their views, the feedback call).
    views += _notes(data, "parents")
    if not parents:
        blocks = (Paragraph("No parent or carer was invited."), *views)
        return Section("parents", "Parents and carers", blocks)
    table = Table(
        "How the parents took part", ("Name", "Took part", "When, or why not"), tuple(rows), True
    )
    return Section("parents", "Parents and carers", (table, *views))


NO_YOUNG_PERSON = (
    "No young person was invited to this conference; the family's views are recorded "
    "with the parents' part above."
)


def young_people_section(data: MinutesInput, missing: list[str]) -> Section:
    """The young person's views, or the recorded reason they are absent."""
    blocks: list[Block] = []
    for part in data.young_people:
        # The young person is a child: by initials, as everywhere else confbot writes.
        young = replace(part, name=initials_of(part.name))
        if young.participation:
            # Seed 003: the chair shares how the young person takes part; it goes in the record.
            blocks.append(
                Paragraph(f"How {young.name} is taking part: {sentence(young.participation)}")
            )
        if young.views:
            by = f", shared by {young.shared_by}" if young.shared_by else ""
            blocks.append(Paragraph(f"{young.name}'s views{by}: {sentence(young.views)}"))
        elif young.absent_reason:
            blocks.append(
                Paragraph(
                    f"{young.name}'s views are not available. "
                    f"Reason: {sentence(young.absent_reason)}"
                )
            )
        else:
            blocks.append(Paragraph(f"{young.name}'s views: {NOT_RECORDED}."))
            missing.append(f"{young.name}'s views, or why they are not available.")
    if not blocks and not any(p.role is Role.YOUNG_PERSON for p in data.participants):
        # Nobody to ask: not a gap for the minute taker to fill.
        blocks.append(Paragraph(NO_YOUNG_PERSON))
    elif not blocks:
        blocks.append(Paragraph(f"The young person's views: {NOT_RECORDED}."))
        missing.append("The young person's views, or why they are not available.")
    return Section("young_person", "The young person", tuple(blocks))


def agencies_section(rules: ConferenceRules, data: MinutesInput, missing: list[str]) -> Section:
    """Each agency's summary, and its view on a plan with its reasons."""
    phases = rules.phases(data.meeting_format)
    needs_reasons = any(p.kind is PhaseKind.DECISION_ROUND and p.rationale_required for p in phases)
    blocks: list[Block] = list(_notes(data, "agencies"))
    rows: list[tuple[str, ...]] = []
    for item in data.contributions:
        person = data.participant(item.participant)
        label = _label(person)
        if item.confidential:
            blocks.append(Paragraph(f"{label}: {CONFIDENTIAL_SUMMARY}"))
        elif item.summary:
            blocks.append(Paragraph(f"{label}: {sentence(item.summary)}"))
        if item.view is not None or item.rationale:
            rows.append(_view_row(person, item))
            # Seed 001: each professional gives the reasons for their view, for the record.
            if needs_reasons and not item.rationale and not item.confidential:
                missing.append(f"The reasons for {person.name}'s view.")
    if rows:
        blocks.append(
            Table(
                "Each agency's view on a plan",
                ("Name", "Organisation", "View", "Reasons"),
                tuple(rows),
                True,
            )
        )
    if not blocks:
        blocks.append(Paragraph("No agency summaries or views were recorded."))
    return Section("agencies", "Agencies' summaries and views", tuple(blocks))


def _notes(data: MinutesInput, section: str) -> list[Block]:
    return [
        Paragraph(f"{note.title}: {sentence(note.text)}")
        for note in data.step_notes
        if note.section == section and note.text.strip()
    ]


def _label(person: MinutesParticipant) -> str:
    where = person.organisation or role_name(person.role)
    # An agency known only by its organisation ("Larkfield Primary") is named once.
    return person.name if person.name == where else f"{person.name} ({where})"


def _view_row(person: MinutesParticipant, item: AgencyContribution) -> tuple[str, ...]:
    view = VIEW_WORDS[item.view] if item.view is not None else "No view given"
    if item.confidential:
        reasons = "Given in the confidential section"
    else:
        reasons = sentence(item.rationale) or NOT_RECORDED
    return (person.name, person.organisation or role_name(person.role), view, reasons)


def follow_ups_section(
    rules: ConferenceRules, data: MinutesInput, calendar: WorkingCalendar, end: datetime
) -> Section:
    """What the playbook says happens next, who does it, for whom, and by when."""
    no_plan = data.decisions.plan is False
    everyone_took_part = all(p.join in _TOOK_PART for p in data.parents) and bool(data.parents)
    rows: list[tuple[str, ...]] = []
    words = wording(data.conference_type).follow_ups
    for follow in rules.follow_ups:
        if not follow.applies_to(data.meeting_format):
            continue
        if no_plan and follow.kind in (
            FollowUpKind.PLAN,
            FollowUpKind.OUTLINE_PLAN,
            FollowUpKind.REVIEW_DATE,
        ):
            continue
        if follow.kind is FollowUpKind.UPDATE_FAMILY and everyone_took_part:
            # Seed 003: the update call is for parents unable or unwilling to attend.
            continue
        if follow.kind is FollowUpKind.REVIEW_DATE:
            day = data.decisions.review or default_review(rules, data, calendar, end)
            due = long_date(day) if day else NOT_RECORDED
        else:
            moment = data.follow_up_due.get(follow.id) or calendar.due_after(end, follow.within)
            due = day_and_time(moment)
        to = roles_phrase(follow.to)
        rows.append((words[follow.kind], role_name(follow.by), to[:1].upper() + to[1:], due))
    if not rows:
        return Section("follow_ups", "What happens next", (Paragraph("Nothing further is due."),))
    table = Table("What happens next", ("What", "Who", "For", "By"), tuple(rows), True)
    return Section("follow_ups", "What happens next", (table,))
