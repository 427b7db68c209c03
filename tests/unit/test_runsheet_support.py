"""Fictional parties and a virtual clock for the run-sheet tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.model import Playbook
from bot.core.runsheet.sheet import (
    Party,
    Prompt,
    PromptKind,
    RunSheet,
    RunSheetFacts,
    compile_run_sheet,
)

LONDON = ZoneInfo("Europe/London")
START = datetime(2027, 1, 15, 10, 0, tzinfo=LONDON)  # a Friday
MUM_NUMBERS = ("07700 900101", "07700 900102")

PARENT = Party("parent-1", Role.PARENT, "Parent A", MUM_NUMBERS)
SECOND_PARENT = Party("parent-2", Role.PARENT, "Parent B", ("07700 900103",))
PROFESSIONALS = (
    Party("chair", Role.CHAIR, "the chair"),
    Party("social_worker", Role.SOCIAL_WORKER, "the social worker"),
    Party("police", Role.POLICE, "the police"),
    Party("school", Role.SCHOOL, "the school"),
    Party("minute_taker", Role.MINUTE_TAKER, "the minute taker"),
)


class Clock:
    """A virtual clock: tests move it on, nothing sleeps."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def at(self, minutes: float) -> datetime:
        """The meeting start plus ``minutes``; moves the clock there."""
        self.now = START + timedelta(minutes=minutes)
        return self.now


def run_sheet(
    playbook: Playbook,
    kind: ConferenceType,
    fmt: MeetingFormat,
    *,
    confidential: timedelta | None = None,
    parents: tuple[Party, ...] = (PARENT,),
    retry: timedelta = timedelta(minutes=5),
) -> RunSheet:
    """A run sheet for a fictional conference starting at 10:00 on a Friday."""
    facts = RunSheetFacts(
        kind, fmt, START, PROFESSIONALS + parents, confidential=confidential, callback_retry=retry
    )
    return compile_run_sheet(playbook, facts)


def of_kind(prompts: list[Prompt], kind: PromptKind) -> list[Prompt]:
    """Only the prompts of one kind."""
    return [p for p in prompts if p.kind is kind]


def consent_everyone(sheet: RunSheet, now: datetime) -> list[Prompt]:
    """Answer every open consent prompt with agreement; return what followed."""
    out: list[Prompt] = []
    for prompt in of_kind(sheet.open_prompts(), PromptKind.CONSENT):
        out += sheet.answer(prompt.id, "consented", now)
    return out
