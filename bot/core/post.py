"""Letters to post: a family member with no email is a task for the admin team until posted.

Pure, and read from the timeline alone (no table of its own). The runtime records
``letter_needs_post`` (or ``followup_needs_post``) under ``<step id>:<participant id>`` when
a letter cannot go by email. The task stays open until the same step id records that the
letter was posted, that it went by email after all, or that it is no longer needed because
an email address was added. A cancelled conference has no letters left to post.

Where a person's email was corrected after a letter had gone to them (or waited for the
post), the page offers to send it again to the new address: ``letters_to_send_again``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.conference import Conference, ConferenceState, Participant, TimelineEntry
from bot.core.contacts import CORRECTED, FAMILY
from bot.core.timeline.status import parse_recorded

LETTER_NEEDS_POST = "letter_needs_post"
FOLLOWUP_NEEDS_POST = "followup_needs_post"
NEEDS_POST = frozenset({LETTER_NEEDS_POST, FOLLOWUP_NEEDS_POST})
POSTED = "letter_posted"
NOT_NEEDED = "letter_post_not_needed"  # an email address was added: it goes by email
LETTER_SENT = "letter_sent"
# Entries that close a letter-to-post task recorded under the same step id.
CLOSING = frozenset({POSTED, NOT_NEEDED, LETTER_SENT, "followup_sent"})
# What each kind of letter is, for the task's words.
LETTER_WORDS = {
    LETTER_NEEDS_POST: "the letter about the conference",
    FOLLOWUP_NEEDS_POST: "the letter after the conference",
}


@dataclass(frozen=True, slots=True)
class PostTask:
    """One letter to post to one person, since ``since``."""

    step_id: str  # as recorded: "<step id>:<participant id>"
    kind: str  # the needs-post kind that opened it
    person: Participant
    since: datetime

    @property
    def words(self) -> str:
        """What is to be posted, in words."""
        return LETTER_WORDS.get(self.kind, "a letter")


def _ordered(entries: Iterable[TimelineEntry]) -> list[TimelineEntry]:
    return sorted(entries, key=lambda entry: (entry.at, entry.id))


def open_post_steps(entries: Iterable[TimelineEntry]) -> dict[str, TimelineEntry]:
    """Step ids recorded as needing the post and not closed since, with the entry that opened."""
    found: dict[str, TimelineEntry] = {}
    for entry in _ordered(entries):
        if not entry.step_id:
            continue
        if entry.kind in NEEDS_POST:
            found[entry.step_id] = entry
        elif entry.kind in CLOSING:
            found.pop(entry.step_id, None)
    return found


def person_of(step_id: str) -> int | None:
    """The participant id a per-person step id names, if it names one."""
    part = parse_recorded(step_id).part
    return int(part) if part is not None and part.isdigit() else None


def letters_to_post(
    conference: Conference, entries: Iterable[TimelineEntry]
) -> tuple[PostTask, ...]:
    """The letters the admin team still has to post for this conference, oldest first."""
    if conference.state is ConferenceState.CANCELLED:
        return ()
    people = {p.id: p for p in conference.participants if p.role in FAMILY}
    tasks = []
    for step_id, entry in open_post_steps(entries).items():
        person = people.get(person_of(step_id) or -1)
        # An email added since then sends the next letter by email; the runtime also
        # closes the task when it records the correction.
        if person is None or person.email:
            continue
        tasks.append(PostTask(step_id, entry.kind, person, entry.at))
    return tuple(sorted(tasks, key=lambda task: (task.since, task.step_id)))


def letters_to_send_again(
    conference: Conference, entries: Iterable[TimelineEntry]
) -> dict[int, tuple[str, ...]]:
    """Per person, the letter step ids to offer again because their email changed since.

    A letter counts when it went by email or waited for the post before the person's email
    was last corrected, and has not been sent to them since. Only people with an email now.
    """
    # Positions, not times: two entries may share a timestamp, never a place in the order.
    letters: dict[str, int] = {}  # step id -> where the letter last went or waited
    corrected: dict[int, int] = {}  # participant id -> where the email last changed
    for position, entry in enumerate(_ordered(entries)):
        if entry.kind in (LETTER_SENT, LETTER_NEEDS_POST) and entry.step_id:
            letters[entry.step_id] = position
        elif entry.kind == CORRECTED and "emails" in (entry.detail.get("fields") or ()):
            pid = entry.detail.get("participant_id")
            if isinstance(pid, int):
                corrected[pid] = position
    with_email = {p.id for p in conference.participants if p.email}
    offers: dict[int, list[str]] = {}
    for step_id, position in letters.items():
        pid = person_of(step_id)
        if pid is None or pid not in with_email or pid not in corrected:
            continue
        if position < corrected[pid]:
            offers.setdefault(pid, []).append(step_id)
    return {pid: tuple(steps) for pid, steps in offers.items()}
