"""What the chair recorded at each run-sheet step, read for the minutes.

The run sheet's journal holds every answer with the words typed with it (a summary, the
family's views, an agency's reasons); the timeline holds only that an answer was given.
Restoring the run sheet from its journal gives each step's last answer, corrections
included, so the minutes show what the chair settled on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace

from bot.core.conference import Conference
from bot.core.minutes.model import AgencyContribution, PlanView, StepNote
from bot.core.playbook.model import Playbook
from bot.core.playbook.terms import FAMILY_ROLES, Decision, PhaseKind
from bot.core.runsheet.sheet import (
    Answer,
    Prompt,
    PromptKind,
    RunSheet,
    RunSheetError,
    restore_run_sheet,
)
from bot.core.runsheet.text import PHASE_TITLES, TOOK_PART_WORDS, clock
from bot.runtime.runsheet_facts import run_sheet_facts

logger = logging.getLogger(__name__)

# Where the words typed at a step go in the minutes.
_SECTIONS: dict[PhaseKind, str] = {
    PhaseKind.AGENCY_SUMMARIES: "agencies",
    PhaseKind.FAMILY_VIEWS: "parents",
    PhaseKind.OTHER: "agencies",
}


@dataclass(frozen=True, slots=True)
class RecordedAnswers:
    """The agencies' views with their reasons, and the notes typed at the other steps."""

    contributions: tuple[AgencyContribution, ...] = ()
    notes: tuple[StepNote, ...] = ()


def restored_sheet(
    playbook: Playbook, conference: Conference, journal_text: str | None
) -> RunSheet | None:
    """The conference's run sheet as its journal left it; None without a usable journal."""
    if not journal_text:
        return None
    try:
        return restore_run_sheet(playbook, run_sheet_facts(conference), json.loads(journal_text))
    except (ValueError, RunSheetError):
        # The minutes still go on from the timeline; the status page shows the failure.
        logger.warning("run sheet journal unreadable", extra={"conference_id": conference.id})
        return None


def recorded_answers(sheet: RunSheet | None, keys: Mapping[str, str]) -> RecordedAnswers:
    """Each answered step's words; ``keys`` maps run-sheet party ids to minutes keys."""
    if sheet is None:
        return RecordedAnswers()
    phases = {p.id: p for p in sheet.phases}
    views: dict[str, AgencyContribution] = {}
    notes: list[StepNote] = []
    for prompt in sheet.prompts:
        key = keys.get(prompt.party_id or "")
        answered = prompt.answered not in (None, Answer.SKIPPED)
        if prompt.kind is PromptKind.AGENCY_VIEW and key is not None and answered:
            view = PlanView(prompt.answered) if prompt.answered in _VIEWS else None
            had = views.get(key, AgencyContribution(key))
            views[key] = replace(had, view=view, rationale=prompt.note or "")
            continue
        if prompt.kind is PromptKind.AGENCY_SUMMARY and key is not None and answered:
            said = prompt.note or ""
            if prompt.answered is Answer.REPORT_ONLY:
                said = f"Sent a report and did not attend. {said}".strip()
            views[key] = replace(views.get(key, AgencyContribution(key)), summary=said)
            continue
        if prompt.kind is PromptKind.PHONE_CALL and key is not None and answered:
            note = _call_note(sheet, prompt)
            if sheet.parties[prompt.party_id or ""].role in FAMILY_ROLES:
                notes.append(StepNote("parents", note[0], note[1]))
            else:
                had = views.get(key, AgencyContribution(key))
                views[key] = replace(had, summary=f"{note[0]}. {note[1]}".strip())
            continue
        phase = phases.get(prompt.phase_id or "")
        family = phase is not None and phase.kind is PhaseKind.FAMILY_VIEWS
        if prompt.kind is PromptKind.PHASE and family and prompt.answered in TOOK_PART_WORDS:
            assert prompt.answered is not None
            how = TOOK_PART_WORDS[prompt.answered]
            title = f"{PHASE_TITLES[PhaseKind.FAMILY_VIEWS]} (how they took part: {how})"
            notes.append(StepNote("parents", title, prompt.note or "No views were noted"))
            continue
        if not prompt.note:
            continue
        if prompt.kind is PromptKind.FEEDBACK_CALL and prompt.party_id in sheet.parties:
            label = sheet.parties[prompt.party_id].label
            notes.append(StepNote("parents", f"Feedback call with {label}", prompt.note))
        elif prompt.kind is PromptKind.PHASE and prompt.phase_id in phases:
            phase = phases[prompt.phase_id]
            if Decision.YOUNG_PERSON_PARTICIPATION in phase.decisions:
                continue  # the child's own section shows it (chair_participation_words)
            section = _SECTIONS.get(phase.kind, "agencies")
            notes.append(StepNote(section, PHASE_TITLES[phase.kind], prompt.note))
    return RecordedAnswers(tuple(views[k] for k in sorted(views)), tuple(notes))


_VIEWS = frozenset({Answer.PLAN, Answer.NO_PLAN})


def _call_note(sheet: RunSheet, prompt: Prompt) -> tuple[str, str]:
    """One call of a series: who, when, reached or not; and what they said."""
    label = sheet.parties[prompt.party_id or ""].label
    when = f" at {clock(prompt.answered_at)}" if prompt.answered_at else ""
    reached = "spoke to the chair" if prompt.answered is Answer.DONE else "not reached"
    return f"Phone call with {label}{when}, {reached}", prompt.note or ""


def display_name(address: str) -> str:
    """A person's name for the minutes from their work address: "jo.bloggs@..." is Jo Bloggs.

    Used until the directory's display name is looked up; never shows an email address.
    """
    local = address.partition("@")[0] if "@" in address else address
    words = [w for w in local.replace("_", ".").replace("-", ".").split(".") if w]
    if not words:
        return "The chair"
    return " ".join(w[:1].upper() + w[1:] for w in words if not w.isdigit()) or "The chair"
