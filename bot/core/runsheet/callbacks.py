"""The run sheet's hold on parents: the confidential section's end, and calling parents in."""

from __future__ import annotations

from datetime import datetime

from bot.core.runsheet.base import CHAIR, CONFBOT, CONFIDENTIAL_END_JOB, SheetBase, number_at
from bot.core.runsheet.model import Answer, Prompt, PromptKind
from bot.core.runsheet.text import callback_answers, callback_text, span_words


class CallbackSteps(SheetBase):
    """Ending the confidential section, then phoning each held-back parent until they join."""

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
        number = number_at(party, number_index)
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

    def _after_callback(
        self, prompt: Prompt, party_id: str, answer: Answer, now: datetime
    ) -> list[Prompt]:
        """The chair's answer to a call that did not bring the parent in."""
        attempt, number = self._callbacks[party_id]
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

    def _stop_calling(self, party_id: str, now: datetime) -> None:
        """A held-back parent is here: close their open calls and cancel the retries."""
        if party_id in self.held_parents and party_id not in self._resolved:
            self._resolved.add(party_id)
            for prompt in self.open_prompts():
                if prompt.kind is PromptKind.CALLBACK and prompt.party_id == party_id:
                    self._close(prompt, Answer.PARENT_JOINED, now, CONFBOT)
            self._cancel_jobs(f"callback.{party_id}.")
