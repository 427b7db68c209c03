"""The run sheet's fields, and the primitives every step uses: prompt, close, record."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.core.conference import Role
from bot.core.consent import ConsentLedger
from bot.core.playbook.model import Phase, Playbook
from bot.core.playbook.terms import PhaseKind
from bot.core.runsheet.journal import Journal
from bot.core.runsheet.model import (
    Answer,
    AnswerOption,
    Event,
    Party,
    Prompt,
    PromptKind,
    RunSheetError,
    RunSheetFacts,
)

START_JOB = "start"
CONFIDENTIAL_END_JOB = "confidential_end"
CHAIR, CONFBOT = "chair", "confbot"


class SheetBase:
    """What one conference's run sheet holds, and the small steps that change it."""

    def __init__(self, playbook: Playbook, facts: RunSheetFacts) -> None:
        rules = playbook.rules(facts.conference_type)
        fmt = facts.meeting_format
        self.facts = facts
        self.phases: tuple[Phase, ...] = tuple(
            p
            for p in rules.phases(fmt)
            if not (p.kind is PhaseKind.CONFIDENTIAL_SECTION and facts.confidential is None)
        )
        # Portsmouth-style playbooks hold nobody back: the family is on the call throughout.
        self.holds_parents_back = Role.PARENT in rules.held_back(fmt)
        self._consent_phase = next(
            (p for p in self.phases if p.kind is PhaseKind.RECORDING_CONSENT), None
        )
        self._call_phase = next(
            (p for p in self.phases if p.kind is PhaseKind.CALL_PARENT_IN), None
        )
        self.parties: dict[str, Party] = {p.id: p for p in facts.parties}
        self.held_parents: tuple[str, ...] = tuple(
            p.id for p in facts.parties if p.role is Role.PARENT and self.holds_parents_back
        )
        self.ledger = ConsentLedger()
        self.present: set[str] = set()
        self.started_at: datetime | None = None
        self.ended_at: datetime | None = None
        self.confidential_over = not any(
            p.kind is PhaseKind.CONFIDENTIAL_SECTION for p in self.phases
        )
        self.confidential_ends: datetime | None = None
        self._current = -1
        self._prompts: dict[str, Prompt] = {}
        self._jobs: dict[str, tuple[datetime, str | None]] = {
            START_JOB: (as_utc(facts.start), None)
        }
        self._events: list[Event] = []
        self._taken = 0
        self._joins: dict[str, int] = {}
        self._callbacks: dict[str, tuple[int, int]] = {}  # parent -> (attempt, number index)
        self._resolved: set[str] = set()
        self._stops = 0
        self._journal = Journal()

    @property
    def current_phase(self) -> Phase | None:
        """The phase the meeting is in, or None before the start and after the last one."""
        return self.phases[self._current] if 0 <= self._current < len(self.phases) else None

    def open_prompts(self) -> list[Prompt]:
        """Prompts still waiting for the chair."""
        return [p for p in self._prompts.values() if p.is_open]

    def _emit(
        self,
        prompt_id: str,
        kind: PromptKind,
        text: str,
        answers: tuple[AnswerOption, ...],
        now: datetime,
        phase_id: str | None = None,
        party_id: str | None = None,
        phone: str | None = None,
        *,
        takes_note: bool = False,
    ) -> Prompt:
        prompt = Prompt(
            prompt_id, kind, text, answers, now, phase_id, party_id, phone, takes_note=takes_note
        )
        self._prompts[prompt_id] = prompt
        self._record(now, CONFBOT, "prompted", prompt_id, prompt_kind=kind.value, party=party_id)
        return prompt

    def _close(
        self, prompt: Prompt, answer: Answer, now: datetime, actor: str, note: str | None = None
    ) -> None:
        by = actor if actor != CONFBOT else None
        self._prompts[prompt.id] = replace(
            prompt, answered=answer, answered_at=now, note=note, answered_by=by
        )
        corrected = prompt.corrects
        self._record(
            now,
            actor,
            "answer_corrected" if corrected else "answered",
            prompt.id,
            answer=answer.value,
            prompt_kind=prompt.kind.value,
            party=prompt.party_id,
            rationale_given=bool(note and note.strip()),
            note_given=bool(note and note.strip()),
        )

    def _cancel_jobs(self, prefix: str) -> None:
        for job_id in [j for j in self._jobs if j.startswith(prefix)]:
            del self._jobs[job_id]

    def _record(
        self,
        at: datetime,
        actor: str,
        kind: str,
        step_id: str | None = None,
        **detail: str | int | bool | None,
    ) -> None:
        self._events.append(Event(at, actor, f"runsheet.{kind}", step_id, dict(detail)))


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a time without a zone is refused."""
    if moment.tzinfo is None:
        raise RunSheetError("times given to the run sheet must carry a time zone")
    return moment.astimezone(UTC)


def number_at(party: Party, index: int) -> str | None:
    """The party's ``index``-th phone number, wrapping round; None when they have none."""
    return party.numbers[index % len(party.numbers)] if party.numbers else None


def clean_note(note: str | None) -> str | None:
    """The chair's typed words as inert text: no control characters bar line breaks and tabs.

    Length is kept (a long summary is the chair's to give); pages escape it when shown.
    """
    if note is None:
        return None
    kept = "".join(c for c in note if c in "\n\t" or (ord(c) >= 32 and ord(c) != 127))
    return kept.strip() or None


def allowed_answers(prompt: Prompt) -> tuple[str, ...]:
    """The answers a prompt offers, as their values."""
    return tuple(option.answer.value for option in prompt.answers)
