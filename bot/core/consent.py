"""The recording consent ledger: who has agreed to the meeting being recorded, per party."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ConsentStatus(StrEnum):
    """Where one party stands on recording."""

    NOT_ASKED = "not_asked"
    CONSENTED = "consented"
    OBJECTED = "objected"


@dataclass(frozen=True, slots=True)
class ConsentEntry:
    """One change in a party's consent: asked again on a join, agreed, or objected."""

    at: datetime
    party_id: str
    status: ConsentStatus
    prompt_id: str | None = None


class ConsentLedger:
    """Per-party consent, with its history; recording needs everyone present to agree."""

    def __init__(self) -> None:
        self._status: dict[str, ConsentStatus] = {}
        self._history: list[ConsentEntry] = []
        self._objected = False

    def ask_again(self, party_id: str, at: datetime, prompt_id: str | None = None) -> None:
        """A party has joined: their earlier answer no longer counts until they answer again."""
        self._set(party_id, ConsentStatus.NOT_ASKED, at, prompt_id)

    def consent(self, party_id: str, at: datetime, prompt_id: str | None = None) -> None:
        """The party agrees to the meeting being recorded."""
        self._set(party_id, ConsentStatus.CONSENTED, at, prompt_id)

    def object(self, party_id: str, at: datetime, prompt_id: str | None = None) -> None:
        """The party does not agree: the meeting is not recorded from now on."""
        # Seeds: "If anyone disagrees the meeting will not be recorded" - for the whole
        # meeting, even if the party later leaves.
        self._objected = True
        self._set(party_id, ConsentStatus.OBJECTED, at, prompt_id)

    def status(self, party_id: str) -> ConsentStatus:
        """The party's current answer; not asked if they have never been asked."""
        return self._status.get(party_id, ConsentStatus.NOT_ASKED)

    @property
    def any_objection(self) -> bool:
        """True once anyone has objected in this meeting."""
        return self._objected

    @property
    def history(self) -> tuple[ConsentEntry, ...]:
        """Every change, oldest first."""
        return tuple(self._history)

    def as_dict(self) -> dict[str, ConsentStatus]:
        """Each party's current answer."""
        return dict(self._status)

    def recording_allowed(self, present: set[str] | frozenset[str]) -> bool:
        """Only when nobody has objected and everyone present has agreed since they joined."""
        if self._objected or not present:
            return False
        return all(self.status(p) is ConsentStatus.CONSENTED for p in present)

    def _set(
        self, party_id: str, status: ConsentStatus, at: datetime, prompt_id: str | None
    ) -> None:
        self._status[party_id] = status
        self._history.append(ConsentEntry(at, party_id, status, prompt_id))
