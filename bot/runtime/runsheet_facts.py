"""What a stored conference tells its run sheet: parties, numbers, start and confidential section.

Party ids are built from the role and the participant id (``parent-12``), so they are stable
across restarts and carry no personal data; the name is only the label the chair sees.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.conference import Conference, Participant
from bot.core.runsheet.model import Party, RunSheetError, RunSheetFacts


def party_id(participant: Participant) -> str:
    """The run-sheet id of a participant: their role and their stored id."""
    return f"{participant.role.value}-{participant.id}"


def numbers_of(participant: Participant, other_numbers: Mapping[str, Any]) -> tuple[str, ...]:
    """The numbers to call a participant on, first choice first, without repeats."""
    numbers: list[str] = []
    if participant.phone:
        numbers.append(participant.phone)
    # The request form keys a parent's other numbers by their email, or their name without one.
    extra = other_numbers.get(participant.email or "") or other_numbers.get(participant.name) or []
    for number in extra if isinstance(extra, list) else []:
        if isinstance(number, str) and number.strip() and number not in numbers:
            numbers.append(number.strip())
    return tuple(numbers)


def run_sheet_facts(conference: Conference) -> RunSheetFacts:
    """The run sheet's facts for a conference whose format and start are set."""
    if conference.meeting_format is None or conference.start_at is None:
        raise RunSheetError(f"conference {conference.id} has no format or start time yet")
    other = conference.facts.get("other_numbers") or {}
    if not isinstance(other, Mapping):
        other = {}
    parties = tuple(
        Party(party_id(p), p.role, p.name, numbers_of(p, other)) for p in conference.participants
    )
    return RunSheetFacts(
        conference_type=conference.conference_type,
        meeting_format=conference.meeting_format,
        start=conference.start_at,
        parties=parties,
        confidential=conference.confidential_length,
    )
