"""The run sheet's consent ledger: asking each person about recording, and what a refusal does."""

from __future__ import annotations

from datetime import datetime

from bot.core.conference import Role
from bot.core.consent import ConsentStatus
from bot.core.runsheet.base import CHAIR, CONFBOT, SheetBase
from bot.core.runsheet.model import Answer, Prompt, PromptKind
from bot.core.runsheet.text import CONSENT_ANSWERS, STOP_ANSWERS, consent_text, stop_text


class ConsentSteps(SheetBase):
    """Who has been asked about recording, who agreed, and stopping it on a refusal."""

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

    def _consent_answered(
        self, prompt: Prompt, party_id: str, answer: Answer, now: datetime
    ) -> list[Prompt]:
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

    def _consenting_present(self) -> set[str]:
        return {p for p in self.present if self.parties[p].role is not Role.CHAIR}
