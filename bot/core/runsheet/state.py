"""The run sheet's phase transitions; ``bot.core.runsheet.sheet`` is its public face.

The rest of its workings sit beside it: the fields and primitives in ``base``, the
consent ledger in ``consent``, and the hold on parents (callbacks) in ``callbacks``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.core.conference import MeetingFormat, Role
from bot.core.playbook.model import Decision, Phase
from bot.core.playbook.terms import AGENCY_ROLES, FAMILY_ROLES, PhaseKind
from bot.core.runsheet.base import (
    CHAIR,
    CONFBOT,
    CONFIDENTIAL_END_JOB,
    START_JOB,
    allowed_answers,
    as_utc,
    number_at,
)
from bot.core.runsheet.callbacks import CallbackSteps
from bot.core.runsheet.consent import ConsentSteps
from bot.core.runsheet.model import Answer, AnswerOption, Party, Prompt, PromptKind
from bot.core.runsheet.text import (
    DONE_ANSWERS,
    END_NOW_ANSWERS,
    FAMILY_VIEWS_ANSWERS,
    FEEDBACK_ANSWERS,
    PHONE_CALL_ANSWERS,
    PLAN_ANSWERS,
    SUMMARY_ANSWERS,
    agency_summary_text,
    agency_view_text,
    confidential_text,
    feedback_text,
    phone_call_text,
)
from bot.core.timeline.text import PHASE_PROMPTS

__all__ = [
    "CHAIR",
    "CONFBOT",
    "CONFIDENTIAL_END_JOB",
    "START_JOB",
    "RunSheetState",
    "allowed_answers",
    "as_utc",
]

# Professionals asked for a view in the decision round: "each agency" and the social worker.
_VIEW_ROLES = AGENCY_ROLES | {Role.SOCIAL_WORKER}
# In a series of phone calls, who the chair phones at each step.
_CALLED: dict[PhaseKind, frozenset[Role]] = {
    PhaseKind.AGENCY_SUMMARIES: _VIEW_ROLES,
    PhaseKind.FAMILY_VIEWS: FAMILY_ROLES,
}


class RunSheetState(ConsentSteps, CallbackSteps):
    """The state of one conference's run sheet, and the steps that change it."""

    def start(self, now: datetime) -> list[Prompt]:
        """The meeting has started: everyone not held back is present, and the run sheet runs."""
        with self._journal.call("start", now):
            return self._start(as_utc(now))

    def _start(self, now: datetime) -> list[Prompt]:
        if self.started_at is not None:
            return []
        self._jobs.pop(START_JOB, None)
        self.started_at = now
        self._record(now, CONFBOT, "meeting_started")
        for party in self.parties.values():
            if party.id not in self.held_parents:
                self.present.add(party.id)
                self._joins[party.id] = 1
        if not self.confidential_over and self.facts.confidential is not None:
            # The section's length runs from the start of the meeting, as the plan says.
            self.confidential_ends = now + self.facts.confidential
            self._jobs[CONFIDENTIAL_END_JOB] = (self.confidential_ends, None)
        out = self._enter(0, now)
        if self._call_phase is None and self.confidential_over:
            # A hold with no call-in step of its own ends with the (absent) confidential section.
            out += self._call_parents(now, after_confidential=False)
        return out

    def join(
        self, party_id: str, now: datetime, *, role: Role = Role.AGENCY, label: str = ""
    ) -> list[Prompt]:
        """Someone joined. A party not on the list is added with ``role`` and ``label``."""
        with self._journal.call("join", now, party=party_id, role=role.value, label=label):
            return self._join(party_id, as_utc(now), role, label)

    def _join(self, party_id: str, now: datetime, role: Role, label: str) -> list[Prompt]:
        out = self.start(now)
        if party_id not in self.parties:
            self.parties[party_id] = Party(party_id, role, label or "A new participant")
        if party_id in self.present:
            return out  # Teams repeats join events; a party already here is not asked twice
        party = self.parties[party_id]
        self.present.add(party_id)
        self._joins[party_id] = self._joins.get(party_id, 0) + 1
        early = party_id in self.held_parents and not self.confidential_over
        self._record(
            now,
            CONFBOT,
            "party_joined",
            None,
            party=party_id,
            role=party.role.value,
            before_confidential_end=early,
        )
        self._stop_calling(party_id, now)
        out += self._ask_consent(party_id, now, again=True)
        return out + self._maybe_move_on(now)

    # -- moving through the phases ----------------------------------------------------------

    def _enter(self, index: int, now: datetime) -> list[Prompt]:
        out: list[Prompt] = []
        while True:
            self._current = index
            if index >= len(self.phases):
                self._record(now, CONFBOT, "run_sheet_finished")
                return out
            phase = self.phases[index]
            self._record(now, CONFBOT, "phase_started", phase.id, phase_kind=phase.kind.value)
            out += self._phase_prompts(phase, now)
            if self._waiting_on(phase.id):
                return out
            index += 1

    def _phase_prompts(self, phase: Phase, now: datetime) -> list[Prompt]:
        kind = phase.kind
        if kind is PhaseKind.RECORDING_CONSENT:
            out: list[Prompt] = []
            for party_id in sorted(self.present, key=list(self.parties).index):
                out += self._ask_consent(party_id, now, again=False)
            return out
        if kind is PhaseKind.CONFIDENTIAL_SECTION:
            if self.confidential_over or self.confidential_ends is None:
                return []
            text = confidential_text(self.confidential_ends)
            return [
                self._emit(
                    f"phase.{phase.id}",
                    PromptKind.CONFIDENTIAL_SECTION,
                    text,
                    END_NOW_ANSWERS,
                    now,
                    phase.id,
                )
            ]
        if kind is PhaseKind.CALL_PARENT_IN:
            if not self.confidential_over:
                return self._end_confidential(now, early=False)
            return self._call_parents(now, after_confidential=False)
        if kind is PhaseKind.DECISION_ROUND:
            views = [p for p in self.parties.values() if p.role in _VIEW_ROLES]
            if views:
                return [self._agency_view(phase, party, now) for party in views]
        if kind is PhaseKind.FEEDBACK_CALL:
            parents = [p for p in self.parties.values() if p.role is Role.PARENT]
            if parents:
                return [self._feedback_call(phase, p, now) for p in parents]
        phoned = self.facts.meeting_format is MeetingFormat.PHONE_SERIES
        if kind is PhaseKind.AGENCY_SUMMARIES and not phoned:
            # One summary per agency, with who gave it; or the report they sent instead.
            giving = [p for p in self.parties.values() if p.role in _VIEW_ROLES]
            if giving:
                return [self._agency_summary(phase, party, now) for party in giving]
        if self.facts.meeting_format is MeetingFormat.PHONE_SERIES and kind in _CALLED:
            # Seed 001: one call per person, each its own record, and that person's attendance.
            called = [p for p in self.parties.values() if p.role in _CALLED[kind]]
            if called:
                return [self._phone_call(phase, party, now) for party in called]
        text = phase.prompt or PHASE_PROMPTS[kind]
        deciding = Decision.CP_PLAN in phase.decisions
        answers: tuple[AnswerOption, ...] = PLAN_ANSWERS if deciding else DONE_ANSWERS
        if kind is PhaseKind.FAMILY_VIEWS and not deciding:
            answers = FAMILY_VIEWS_ANSWERS  # how they took part is itself for the minutes
        # What was said at a step goes in the minutes: the chair types it in as they go.
        # The decision itself is its own record (the conclusion), not a note here.
        return [
            self._emit(
                f"phase.{phase.id}",
                PromptKind.PHASE,
                text,
                answers,
                now,
                phase.id,
                takes_note=not deciding,
            )
        ]

    def _agency_summary(self, phase: Phase, party: Party, now: datetime) -> Prompt:
        return self._emit(
            f"summary.{phase.id}.{party.id}",
            PromptKind.AGENCY_SUMMARY,
            agency_summary_text(party.label),
            SUMMARY_ANSWERS,
            now,
            phase.id,
            party.id,
            takes_note=True,
        )

    def _agency_view(self, phase: Phase, party: Party, now: datetime) -> Prompt:
        prompt = self._emit(
            f"view.{phase.id}.{party.id}",
            PromptKind.AGENCY_VIEW,
            agency_view_text(party.label, phase.rationale_required),
            PLAN_ANSWERS,
            now,
            phase.id,
            party.id,
            takes_note=True,
        )
        if phase.rationale_required:
            prompt = replace(prompt, rationale_required=True)
            self._prompts[prompt.id] = prompt
        return prompt

    def _phone_call(self, phase: Phase, party: Party, now: datetime) -> Prompt:
        return self._emit(
            f"call.{phase.id}.{party.id}",
            PromptKind.PHONE_CALL,
            phone_call_text(party.label, number_at(party, 0)),
            PHONE_CALL_ANSWERS,
            now,
            phase.id,
            party.id,
            number_at(party, 0),
            takes_note=True,
        )

    def _feedback_call(self, phase: Phase, parent: Party, now: datetime) -> Prompt:
        return self._emit(
            f"feedback.{parent.id}",
            PromptKind.FEEDBACK_CALL,
            feedback_text(parent.label, number_at(parent, 0)),
            FEEDBACK_ANSWERS,
            now,
            phase.id,
            parent.id,
            number_at(parent, 0),
            takes_note=True,
        )

    def _after_answer(self, prompt: Prompt, answer: Answer, now: datetime) -> list[Prompt]:
        party_id = prompt.party_id
        if prompt.kind is PromptKind.CONSENT and party_id is not None:
            return self._consent_answered(prompt, party_id, answer, now)
        if prompt.kind is PromptKind.CONFIDENTIAL_SECTION:
            return self._end_confidential(now, early=True)
        if prompt.kind is PromptKind.CALLBACK and party_id is not None:
            if answer is Answer.PARENT_JOINED:
                return self.join(party_id, now)
            return self._after_callback(prompt, party_id, answer, now)
        return []

    def _maybe_move_on(self, now: datetime) -> list[Prompt]:
        phase = self.current_phase
        if phase is None or self._waiting_on(phase.id):
            return []
        if phase.kind is PhaseKind.CONFIDENTIAL_SECTION and not self.confidential_over:
            return []
        return self._enter(self._current + 1, now)

    def _waiting_on(self, phase_id: str) -> bool:
        if any(p.phase_id == phase_id for p in self.open_prompts()):
            return True
        return any(tag == phase_id for _, tag in self._jobs.values())
