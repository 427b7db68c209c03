"""The in-meeting run sheet as a pure state machine, driven by time and the chair's answers.

Compiled from a playbook's run sheet and one conference's facts. It does no I/O: callers
feed it the time (``advance``), meeting events (``start``, ``join``, ``end``) and answers
(``answer``, ``command``), and it returns the new prompts, records timeline events, and
lists the timed jobs a durable scheduler must hold (``pending_jobs``). The same inputs
always give the same prompt ids, so the ids can key cards, jobs and timeline steps.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.conference import Role
from bot.core.playbook.model import Playbook
from bot.core.playbook.terms import PhaseKind
from bot.core.runsheet.base import clean_note
from bot.core.runsheet.journal import Entry
from bot.core.runsheet.model import (
    Answer,
    AnswerNotAllowed,
    AnswerOption,
    CommandResult,
    Event,
    Job,
    Party,
    Prompt,
    PromptKind,
    RationaleMissing,
    RunSheetError,
    RunSheetFacts,
    StepNotCurrent,
    SummaryMissing,
    UnknownPrompt,
)
from bot.core.runsheet.state import (
    CHAIR,
    CONFBOT,
    CONFIDENTIAL_END_JOB,
    START_JOB,
    RunSheetState,
    allowed_answers,
    as_utc,
)
from bot.core.runsheet.text import HELP_TEXT, PHASE_TITLES, PROMPT_TITLES, clock

__all__ = [
    "Answer",
    "AnswerNotAllowed",
    "AnswerOption",
    "CommandResult",
    "Event",
    "Job",
    "Party",
    "Prompt",
    "PromptKind",
    "RationaleMissing",
    "RunSheet",
    "RunSheetError",
    "RunSheetFacts",
    "StepNotCurrent",
    "SummaryMissing",
    "UnknownPrompt",
    "compile_run_sheet",
    "restore_run_sheet",
]

__all__ += ["CONFIDENTIAL_END_JOB", "START_JOB"]


def compile_run_sheet(playbook: Playbook, facts: RunSheetFacts) -> RunSheet:
    """The run sheet for one conference, ready for its meeting."""
    return RunSheet(playbook, facts)


def restore_run_sheet(playbook: Playbook, facts: RunSheetFacts, journal: list[Entry]) -> RunSheet:
    """The run sheet as it stood after ``journal``; its events are treated as already recorded."""
    sheet = RunSheet(playbook, facts)
    for entry in journal:
        sheet.replay(entry)
    sheet.take_events()
    return sheet


class RunSheet(RunSheetState):
    """One conference's in-meeting run sheet: phases, prompts, consent and timed jobs."""

    # -- what callers read ------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        """True once every phase is done."""
        return self._current >= len(self.phases)

    @property
    def recording_allowed(self) -> bool:
        """Only when nobody objected and everyone present (bar the chair) has agreed."""
        return self.ledger.recording_allowed(self._consenting_present())

    @property
    def events(self) -> tuple[Event, ...]:
        """Every timeline event so far, oldest first."""
        return tuple(self._events)

    def take_events(self) -> list[Event]:
        """The events recorded since the last call: what the caller must append to the timeline."""
        new = self._events[self._taken :]
        self._taken = len(self._events)
        return new

    def prompt(self, prompt_id: str) -> Prompt:
        """The prompt with this id, answered or not."""
        try:
            return self._prompts[prompt_id]
        except KeyError:
            raise UnknownPrompt(prompt_id) from None

    @property
    def prompts(self) -> tuple[Prompt, ...]:
        """Every prompt so far, in the order they were made."""
        return tuple(self._prompts.values())

    def journal(self) -> list[Entry]:
        """Every outside call so far, JSON-ready: store it, and ``restore_run_sheet`` rebuilds."""
        return [dict(entry) for entry in self._journal.entries]

    def pending_jobs(self) -> list[Job]:
        """The (id, due) wake-ups the durable scheduler must hold, soonest first."""
        return sorted(Job(due, job_id) for job_id, (due, _) in self._jobs.items())

    # -- time and meeting events ------------------------------------------------------------

    def advance(self, now: datetime) -> list[Prompt]:
        """Fire every job due by ``now``, soonest first; return the prompts they made."""
        with self._journal.call("advance", now):
            out: list[Prompt] = []
            now = as_utc(now)
            while True:
                due = [job for job in self.pending_jobs() if job.due <= now]
                if not due:
                    return out
                out += self.fire(due[0].id, due[0].due)

    def fire(self, job_id: str, now: datetime) -> list[Prompt]:
        """Fire one job; a job already fired or cancelled does nothing (so replays are safe)."""
        with self._journal.call("fire", now, job=job_id):
            return self._fire(job_id, as_utc(now))

    def _fire(self, job_id: str, now: datetime) -> list[Prompt]:
        if job_id not in self._jobs:
            return []
        del self._jobs[job_id]
        if job_id == START_JOB:
            return self.start(now)
        if job_id == CONFIDENTIAL_END_JOB:
            # As when the chair ends it early: with no parent to call back in (or the section's
            # time ran out before its step began), the run sheet must not wait on it.
            return self._end_confidential(now, early=False) + self._maybe_move_on(now)
        if job_id.startswith("callback."):
            party_id, attempt = job_id.removeprefix("callback.").rsplit(".", 1)
            return self._callback(party_id, int(attempt), now)
        raise RunSheetError(f"unknown job {job_id!r}")

    def leave(self, party_id: str, now: datetime) -> None:
        """Someone left the meeting; if they come back they are asked about recording again."""
        with self._journal.call("leave", now, party=party_id):
            if party_id in self.present:
                self.present.discard(party_id)
                self._record(as_utc(now), CONFBOT, "party_left", None, party=party_id)

    def end(self, now: datetime) -> list[Prompt]:
        """The meeting has ended: skip what is left, bar the closing feedback call."""
        with self._journal.call("end", now):
            return self._end(as_utc(now))

    def _end(self, now: datetime) -> list[Prompt]:
        if self.ended_at is not None:
            return []
        self.ended_at = now
        self._record(now, CONFBOT, "meeting_ended")
        self._cancel_jobs("")
        self.confidential_over = True
        feedback = next(
            (i for i, p in enumerate(self.phases) if p.kind is PhaseKind.FEEDBACK_CALL), None
        )
        for prompt in self.open_prompts():
            if prompt.kind is not PromptKind.FEEDBACK_CALL:
                self._close(prompt, Answer.SKIPPED, now, CONFBOT)
        if feedback is not None and self._current < feedback:
            return self._enter(feedback, now)
        if feedback is None:
            self._current = len(self.phases)
        return []

    # -- the chair ----------------------------------------------------------------------------

    def answer(
        self,
        prompt_id: str,
        answer: Answer | str,
        now: datetime,
        note: str | None = None,
        by: str | None = None,
    ) -> list[Prompt]:
        """The answer to a prompt, given by the chair or by ``by`` (an admin's account).

        The same answer again does nothing (a retried click). A different one corrects a
        step that takes notes; for any other step that is over, it is refused by name.
        """
        note = clean_note(note)
        values = {"prompt": prompt_id, "answer": str(answer), "note": note, "by": by}
        with self._journal.call("answer", now, **values):
            return self._answer(prompt_id, answer, as_utc(now), note, by or CHAIR)

    def _answer(
        self, prompt_id: str, answer: Answer | str, now: datetime, note: str | None, by: str
    ) -> list[Prompt]:
        prompt = self.prompt(prompt_id)
        try:
            chosen = Answer(answer)
        except ValueError:
            raise AnswerNotAllowed(prompt_id, str(answer), allowed_answers(prompt)) from None
        if not prompt.allows(chosen):
            raise AnswerNotAllowed(prompt_id, chosen.value, allowed_answers(prompt))
        if prompt.needs_note(chosen) and not note:
            if prompt.kind is PromptKind.AGENCY_SUMMARY:
                raise SummaryMissing(prompt_id)
            raise RationaleMissing(prompt_id)
        if not prompt.is_open:
            if prompt.answered is chosen and prompt.note == note:
                return []
            if not prompt.corrects:
                raise StepNotCurrent(prompt_id, self.step_name(prompt))
            self._close(prompt, chosen, now, by, note)  # a correction: nothing follows from it
            return []
        self._close(prompt, chosen, now, by, note)
        out = self._after_answer(prompt, chosen, now)
        return out + self._maybe_move_on(now)

    def step_name(self, prompt: Prompt) -> str:
        """The name of the step a prompt belongs to, as the chair sees it."""
        phase = next((p for p in self.phases if p.id == prompt.phase_id), None)
        return PHASE_TITLES[phase.kind] if phase is not None else PROMPT_TITLES[prompt.kind]

    def next(self, now: datetime) -> list[Prompt]:
        """The chair typed "next": finish this step (or end the confidential section now)."""
        with self._journal.call("next", now):
            return self._next(as_utc(now))

    def _next(self, now: datetime) -> list[Prompt]:
        if self.started_at is None:
            return self.start(now)
        phase = self.current_phase
        if phase is None:
            return []
        if phase.kind is PhaseKind.CONFIDENTIAL_SECTION and not self.confidential_over:
            return self._end_confidential(now, early=True) + self._maybe_move_on(now)
        for prompt in self.open_prompts():
            if prompt.phase_id == phase.id:
                self._close(prompt, Answer.SKIPPED, now, CHAIR)
        return self._enter(self._current + 1, now)

    def command(self, text: str, now: datetime) -> CommandResult:
        """A typed chair command: next, status or help."""
        word = text.strip().lower().strip(".!")
        if word == "next":
            prompts = self.next(now)
            reply = "Moved on." if prompts or self.finished else "Nothing to move on to yet."
            return CommandResult(reply, tuple(prompts))
        if word == "status":
            return CommandResult(self.status(now))
        if word == "help":
            return CommandResult(HELP_TEXT)
        return CommandResult("Sorry, I did not understand that.\n" + HELP_TEXT)

    def status(self, now: datetime) -> str:
        """Where the meeting is, in a few lines for the chair."""
        lines = [f"Time: {clock(now)}"]
        if self.started_at is None:
            lines.append(f"The meeting has not started. It is due at {clock(self.facts.start)}.")
        elif self.finished:
            lines.append("The run sheet is finished.")
        elif (phase := self.current_phase) is not None:
            lines.append(f"Step: {PHASE_TITLES[phase.kind]}")
        if self.confidential_ends is not None:
            verb = "ended" if self.confidential_over else "is planned to end"
            lines.append(f"Confidential section {verb} at {clock(self.confidential_ends)}.")
        lines.append("Recording: " + ("allowed" if self.recording_allowed else "not allowed"))
        for party_id in sorted(self.present):
            if self.parties[party_id].role is not Role.CHAIR:
                status = self.ledger.status(party_id).value.replace("_", " ")
                lines.append(f"- {self.parties[party_id].label}: {status}")
        waiting = self.open_prompts()
        lines.append(f"Waiting for you: {len(waiting)} prompt(s).")
        return "\n".join(lines)

    def replay(self, entry: Entry) -> None:
        """Make one journalled call again."""
        call, at = entry["call"], datetime.fromisoformat(str(entry["at"]))
        if call == "advance":
            self.advance(at)
        elif call == "fire":
            self.fire(str(entry["job"]), at)
        elif call in ("start", "end", "next"):
            getattr(self, call)(at)
        elif call == "join":
            role = Role(str(entry["role"]))
            self.join(str(entry["party"]), at, role=role, label=str(entry["label"] or ""))
        elif call == "leave":
            self.leave(str(entry["party"]), at)
        elif call == "answer":
            by = entry.get("by")
            self.answer(str(entry["prompt"]), str(entry["answer"]), at, entry.get("note"), by)
        else:
            raise RunSheetError(f"cannot replay {call!r}")
