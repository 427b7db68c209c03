"""The run sheet's state and workings; ``bot.core.runsheet.sheet`` is its public face."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.core.conference import Role
from bot.core.consent import ConsentLedger, ConsentStatus
from bot.core.playbook.model import Decision, Phase, Playbook
from bot.core.playbook.terms import AGENCY_ROLES, PhaseKind
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
from bot.core.runsheet.text import (
    CONSENT_ANSWERS,
    DONE_ANSWERS,
    END_NOW_ANSWERS,
    FEEDBACK_ANSWERS,
    PLAN_ANSWERS,
    STOP_ANSWERS,
    agency_view_text,
    callback_answers,
    callback_text,
    confidential_text,
    consent_text,
    feedback_text,
    span_words,
    stop_text,
)
from bot.core.timeline.text import PHASE_PROMPTS

START_JOB = "start"
CONFIDENTIAL_END_JOB = "confidential_end"
# Professionals asked for a view in the decision round: "each agency" and the social worker.
_VIEW_ROLES = AGENCY_ROLES | {Role.SOCIAL_WORKER}
CHAIR, CONFBOT = "chair", "confbot"


class RunSheetState:
    """The state of one conference's run sheet, and the steps that change it."""

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
        if party_id in self.held_parents and party_id not in self._resolved:
            self._resolved.add(party_id)
            for prompt in self.open_prompts():
                if prompt.kind is PromptKind.CALLBACK and prompt.party_id == party_id:
                    self._close(prompt, Answer.PARENT_JOINED, now, CONFBOT)
            self._cancel_jobs(f"callback.{party_id}.")
        out += self._ask_consent(party_id, now, again=True)
        return out + self._maybe_move_on(now)

    # -- the workings -------------------------------------------------------------------------

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
                return [
                    self._emit(
                        f"feedback.{p.id}",
                        PromptKind.FEEDBACK_CALL,
                        feedback_text(p.label, _number(p, 0)),
                        FEEDBACK_ANSWERS,
                        now,
                        phase.id,
                        p.id,
                        _number(p, 0),
                    )
                    for p in parents
                ]
        text = phase.prompt or PHASE_PROMPTS[kind]
        answers = PLAN_ANSWERS if Decision.CP_PLAN in phase.decisions else DONE_ANSWERS
        return [self._emit(f"phase.{phase.id}", PromptKind.PHASE, text, answers, now, phase.id)]

    def _agency_view(self, phase: Phase, party: Party, now: datetime) -> Prompt:
        prompt = self._emit(
            f"view.{phase.id}.{party.id}",
            PromptKind.AGENCY_VIEW,
            agency_view_text(party.label, phase.rationale_required),
            PLAN_ANSWERS,
            now,
            phase.id,
            party.id,
        )
        if phase.rationale_required:
            prompt = replace(prompt, rationale_required=True)
            self._prompts[prompt.id] = prompt
        return prompt

    def _ask_consent(self, party_id: str, now: datetime, *, again: bool) -> list[Prompt]:
        party = self.parties[party_id]
        consent = self._consent_phase
        if consent is None or party.role is Role.CHAIR:
            return []
        consent_index = self.phases.index(consent)
        if self._current < consent_index:
            return []  # the consent step itself will ask them
        asked_before = self.ledger.status(party_id) is not ConsentStatus.NOT_ASKED
        if again and asked_before and not consent.ask_again_on_join:
            return []
        prompt_id = f"consent.{party_id}.{self._joins.get(party_id, 1)}"
        if prompt_id in self._prompts:
            return []
        self.ledger.ask_again(party_id, now, prompt_id)
        during = consent.id if self._current == consent_index and not again else None
        return [
            self._emit(
                prompt_id,
                PromptKind.CONSENT,
                consent_text(party.label, again),
                CONSENT_ANSWERS,
                now,
                during,
                party_id,
            )
        ]

    def _after_answer(self, prompt: Prompt, answer: Answer, now: datetime) -> list[Prompt]:
        party_id = prompt.party_id
        if prompt.kind is PromptKind.CONSENT and party_id is not None:
            if answer is Answer.CONSENTED:
                self.ledger.consent(party_id, now, prompt.id)
                self._record(now, CHAIR, "consent_given", prompt.id, party=party_id)
                return []
            self.ledger.object(party_id, now, prompt.id)
            self._record(now, CHAIR, "consent_refused", prompt.id, party=party_id)
            self._record(now, CONFBOT, "recording_blocked", prompt.id, party=party_id)
            self._stops += 1
            text = stop_text(self.parties[party_id].label)
            return [
                self._emit(
                    f"stop_recording.{self._stops}",
                    PromptKind.STOP_RECORDING,
                    text,
                    STOP_ANSWERS,
                    now,
                    None,
                    party_id,
                )
            ]
        if prompt.kind is PromptKind.CONFIDENTIAL_SECTION:
            return self._end_confidential(now, early=True)
        if prompt.kind is PromptKind.CALLBACK and party_id is not None:
            return self._after_callback(prompt, party_id, answer, now)
        return []

    def _after_callback(
        self, prompt: Prompt, party_id: str, answer: Answer, now: datetime
    ) -> list[Prompt]:
        attempt, number = self._callbacks[party_id]
        if answer is Answer.PARENT_JOINED:
            return self.join(party_id, now)
        if answer is Answer.DECLINED:
            self._resolved.add(party_id)
            self._record(now, CHAIR, "parent_declined", prompt.id, party=party_id)
            return []
        if answer is Answer.OTHER_NUMBER:
            count = len(self.parties[party_id].numbers)
            self._callbacks[party_id] = (attempt, (number + 1) % max(count, 1))
            return self._callback(party_id, attempt + 1, now, other_number=True)
        # No answer: exactly one new prompt, after the wait the playbook's facts allow.
        job_id = f"callback.{party_id}.{attempt + 1}"
        due = now + self.facts.callback_retry
        self._jobs[job_id] = (due, prompt.phase_id)
        self._record(
            now, CONFBOT, "callback_retry_scheduled", job_id, party=party_id, due=due.isoformat()
        )
        return []

    def _end_confidential(self, now: datetime, *, early: bool) -> list[Prompt]:
        if self.confidential_over:
            return []
        self.confidential_over = True
        self._jobs.pop(CONFIDENTIAL_END_JOB, None)
        had_section = self.confidential_ends is not None
        if had_section:
            self.confidential_ends = now
            self._record(now, CONFBOT, "confidential_section_ended", None, early=early)
        for prompt in self.open_prompts():
            if prompt.kind is PromptKind.CONFIDENTIAL_SECTION:
                self._close(prompt, Answer.END_NOW if early else Answer.SKIPPED, now, CONFBOT)
        return self._call_parents(now, after_confidential=had_section)

    def _call_parents(self, now: datetime, *, after_confidential: bool) -> list[Prompt]:
        out: list[Prompt] = []
        for party_id in self.held_parents:
            if party_id not in self._resolved and party_id not in self._callbacks:
                self._callbacks[party_id] = (0, 0)
                out += self._callback(party_id, 1, now, after_confidential=after_confidential)
        return out

    def _callback(
        self,
        party_id: str,
        attempt: int,
        now: datetime,
        *,
        after_confidential: bool = False,
        other_number: bool = False,
    ) -> list[Prompt]:
        if party_id in self._resolved or self.ended_at is not None:
            return []
        _, number_index = self._callbacks[party_id]
        self._callbacks[party_id] = (attempt, number_index)
        party = self.parties[party_id]
        number = _number(party, number_index)
        retry = span_words(self.facts.callback_retry)
        text = callback_text(
            party.label,
            number,
            after_confidential=after_confidential,
            retry=attempt > 1,
            other_number=other_number,
        )
        phase_id = self._call_phase.id if self._call_phase is not None else None
        return [
            self._emit(
                f"callback.{party_id}.{attempt}",
                PromptKind.CALLBACK,
                text,
                callback_answers(retry, len(party.numbers) > 1),
                now,
                phase_id,
                party_id,
                number,
            )
        ]

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
    ) -> Prompt:
        prompt = Prompt(prompt_id, kind, text, answers, now, phase_id, party_id, phone)
        self._prompts[prompt_id] = prompt
        self._record(now, CONFBOT, "prompted", prompt_id, prompt_kind=kind.value, party=party_id)
        return prompt

    def _close(
        self, prompt: Prompt, answer: Answer, now: datetime, actor: str, note: str | None = None
    ) -> None:
        self._prompts[prompt.id] = replace(prompt, answered=answer, answered_at=now, note=note)
        self._record(
            now,
            actor,
            "answered",
            prompt.id,
            answer=answer.value,
            prompt_kind=prompt.kind.value,
            party=prompt.party_id,
            rationale_given=bool(note and note.strip()),
        )

    def _cancel_jobs(self, prefix: str) -> None:
        for job_id in [j for j in self._jobs if j.startswith(prefix)]:
            del self._jobs[job_id]

    def _consenting_present(self) -> set[str]:
        return {p for p in self.present if self.parties[p].role is not Role.CHAIR}

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
    if moment.tzinfo is None:
        raise RunSheetError("times given to the run sheet must carry a time zone")
    return moment.astimezone(UTC)


def _number(party: Party, index: int) -> str | None:
    return party.numbers[index % len(party.numbers)] if party.numbers else None


def allowed_answers(prompt: Prompt) -> tuple[str, ...]:
    """The answers a prompt offers, as their values."""
    return tuple(option.answer.value for option in prompt.answers)
