"""The children of a conference as its minutes show them, with how the young person took part.

Pure over a stored conference and the attendance evidence ``records`` has read from its
timeline. Participants are not linked to a child in the store, so the young person and an
advocate are read as a child's only when exactly one child has been born: with two, nobody
is credited to the wrong child.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Set

from bot.core.conference import Conference, MeetingFormat, Participant, Role
from bot.core.minutes.model import MinutesChild
from bot.core.minutes.text import EVIDENCE_ORDER, EVIDENCE_WORDS
from bot.core.playbook.model import ConferenceRules
from bot.core.playbook.terms import AttendanceEvidence, Decision

NOT_TAKEN_PART = "They were invited but did not take part"


Evidence = Mapping[str, Set[AttendanceEvidence]]


def chair_participation_words(
    rules: ConferenceRules, meeting_format: MeetingFormat, journal_text: str | None
) -> str:
    """The chair's note at the run sheet's young-person participation step, or "".

    Seed 003: the chair tells everyone how the young person is taking part, "and this goes
    in the record". The note is kept in the run sheet's journal, not on the timeline.
    """
    phases = {
        f"phase.{p.id}"
        for p in rules.phases(meeting_format)
        if Decision.YOUNG_PERSON_PARTICIPATION in p.decisions
    }
    if not phases or not journal_text:
        return ""
    try:
        entries = json.loads(journal_text)
    except ValueError:
        return ""  # an unreadable journal is the run sheet's problem; the minutes go on
    notes = [
        str(e.get("note") or "").strip()
        for e in entries
        if isinstance(e, dict) and e.get("call") == "answer" and e.get("prompt") in phases
    ]
    return next((n for n in reversed(notes) if n), "")


def minutes_children(
    conference: Conference,
    evidence: Evidence,
    key: Callable[[Participant], str],
    chair_words: str = "",
) -> tuple[MinutesChild, ...]:
    """Each child of the conference for its minutes, in the order they were recorded.

    ``evidence`` is keyed by the minutes' participant keys, which ``key`` gives;
    ``chair_words`` are the chair's own words on how the young person took part.
    """
    born = [c for c in conference.children if not c.unborn]
    sole = born[0] if len(born) == 1 else None
    out = []
    for child in conference.children:
        if child is sole:
            young = [p for p in conference.participants if p.role is Role.YOUNG_PERSON]
            advocates = [p for p in conference.participants if p.role is Role.ADVOCATE]
            out.append(
                MinutesChild.of(
                    child,
                    participation=chair_words or _participation(young, evidence, key),
                    advocate=_advocate(advocates),
                )
            )
        else:
            out.append(MinutesChild.of(child))
    return tuple(out)


def _participation(
    young: list[Participant], evidence: Evidence, key: Callable[[Participant], str]
) -> str:
    if len(young) != 1:
        return ""
    found = evidence.get(key(young[0]), set())
    words = [EVIDENCE_WORDS[e] for e in EVIDENCE_ORDER if e in found and e in _TOOK_PART_EVIDENCE]
    if not words:
        return NOT_TAKEN_PART
    return "They " + " and ".join(words)


# What counts as the young person taking part: a report alone is someone else's.
_TOOK_PART_EVIDENCE = frozenset(
    {
        AttendanceEvidence.JOINED_MEETING,
        AttendanceEvidence.PHONE_CONVERSATION,
        AttendanceEvidence.REPLIED_TO_PACK_EMAIL,
    }
)


def _advocate(advocates: list[Participant]) -> str:
    if len(advocates) != 1:
        return ""
    person = advocates[0]
    where = person.organisation or person.relationship
    return f"{person.name} ({where})" if where else person.name
