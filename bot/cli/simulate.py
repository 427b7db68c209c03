"""`confbot simulate`: run a whole conference's run sheet on a virtual clock, for training.

A scripted chair answers every prompt after a realistic pause; the output lists each
prompt and answer with its London time, so a chair can rehearse and a council can review
its playbook. Nothing is sent and nothing is stored.
"""

from __future__ import annotations

import argparse
import heapq
import sys
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from bot.cli.args import fixed_duration, moment
from bot.core.conference import ConferenceType, MeetingFormat, Role
from bot.core.playbook.loader import PlaybookError, load_playbook_text
from bot.core.playbook.model import AGENCY_ROLES, PhaseKind, Playbook
from bot.core.runsheet.sheet import (
    Answer,
    Party,
    Prompt,
    PromptKind,
    RunSheet,
    RunSheetError,
    RunSheetFacts,
    compile_run_sheet,
)
from bot.core.runsheet.text import clock
from bot.core.workdays import LONDON, is_working_day, to_london
from bot.runtime.playbooks import read_playbook_file

# argparse passes a string const through ``type``; an object sentinel stays as it is.
_PLAYBOOK_DEFAULT = object()

# How long the scripted chair takes over each kind of prompt.
PAUSES: dict[PromptKind, timedelta] = {
    PromptKind.CONSENT: timedelta(minutes=1),
    PromptKind.STOP_RECORDING: timedelta(minutes=1),
    PromptKind.CALLBACK: timedelta(minutes=2),
    PromptKind.PHASE: timedelta(minutes=15),
    PromptKind.AGENCY_VIEW: timedelta(minutes=3),
    PromptKind.AGENCY_SUMMARY: timedelta(minutes=5),
    PromptKind.FEEDBACK_CALL: timedelta(minutes=10),
    PromptKind.PHONE_CALL: timedelta(minutes=10),
}

# Fictional people only: Ofcom's drama numbers (07700 900xxx) can never ring anyone.
_PROFESSIONALS = (
    Party("social_worker", Role.SOCIAL_WORKER, "the social worker"),
    Party("police", Role.POLICE, "the police officer"),
    Party("health", Role.HEALTH, "the health visitor"),
    Party("school", Role.SCHOOL, "the school's safeguarding lead"),
    Party("minute_taker", Role.MINUTE_TAKER, "the minute taker"),
)
_PARENTS = (
    Party("parent-1", Role.PARENT, "Parent A", ("07700 900101", "07700 900102")),
    Party("parent-2", Role.PARENT, "Parent B", ("07700 900103",)),
)


@dataclass
class Script:
    """What the scripted chair answers, beyond agreeing and pressing done."""

    callback_answers: list[Answer] = field(
        default_factory=lambda: [Answer.NO_ANSWER, Answer.PARENT_JOINED]
    )
    objector: str | None = None  # who refuses recording: a party id, a role or a name
    end_early_after: timedelta | None = None  # the chair ends the confidential section early


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``simulate`` command."""
    command = subparsers.add_parser(
        "simulate", help="run a conference's run sheet on a virtual clock, for training"
    )
    command.add_argument("playbook", metavar="PLAYBOOK", help="a bundled name or a YAML file")
    command.add_argument("--type", required=True, type=_conference_type, dest="conference_type")
    command.add_argument("--format", required=True, type=_meeting_format, dest="meeting_format")
    command.add_argument(
        "--confidential",
        nargs="?",
        const=_PLAYBOOK_DEFAULT,
        type=fixed_duration,
        help="hold a confidential section, e.g. 20m; on its own, the playbook's default length",
    )
    command.add_argument("--start", type=moment, help="ISO time, London if no zone")
    command.add_argument("--parents", type=int, choices=(0, 1, 2), default=1)
    command.add_argument("--retry", type=fixed_duration, default=timedelta(minutes=5))
    command.add_argument(
        "--callback",
        default="no_answer,parent_joined",
        help="the chair's answers to each callback, in order (e.g. other_number,parent_joined)",
    )
    command.add_argument(
        "--object",
        dest="objector",
        help="who refuses recording: a role (parent, police) or a name (Parent A)",
    )
    command.add_argument(
        "--end-early", type=fixed_duration, help="end the confidential section early"
    )
    command.set_defaults(func=simulate_command)


def simulate_command(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Print the simulated conference; errors are one line on stderr."""
    try:
        playbook = _load(args.playbook)
        lines = simulate(
            playbook,
            args.conference_type,
            args.meeting_format,
            start=args.start or _next_working_morning(datetime.now(LONDON).date()),
            confidential=_confidential(playbook, args),
            parents=args.parents,
            retry=args.retry,
            script=Script(
                callback_answers=[Answer(a.strip()) for a in args.callback.split(",") if a],
                objector=args.objector,
                end_early_after=args.end_early,
            ),
        )
    except PlaybookError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
        return 1
    except (KeyError, ValueError) as error:
        message = error.args[0] if error.args else str(error)
        print(f"confbot simulate: {message}", file=sys.stderr)
        return 2
    out.write("\n".join(lines) + "\n")
    return 0


def simulate(
    playbook: Playbook,
    conference_type: ConferenceType,
    meeting_format: MeetingFormat,
    *,
    start: datetime,
    confidential: timedelta | None = None,
    parents: int = 1,
    retry: timedelta = timedelta(minutes=5),
    script: Script | None = None,
) -> list[str]:
    """The conference as printed lines: each prompt and answer with its London time."""
    script = script or Script()
    rules = playbook.rules(conference_type)
    if meeting_format not in rules.formats.offered:
        offered = ", ".join(rules.formats.offered)
        raise ValueError(f"this playbook does not offer {meeting_format} (it offers {offered})")
    parties = _parties(rules.roles(meeting_format), parents)
    if script.objector is not None:
        script = replace(script, objector=_party_named(script.objector, parties))
    sheet = compile_run_sheet(
        playbook,
        RunSheetFacts(
            conference_type,
            meeting_format,
            start,
            parties,
            confidential=confidential,
            callback_retry=retry,
        ),
    )
    return _Run(sheet, script).lines(start)


class _Run:
    """The virtual clock: timed jobs and the scripted chair's answers, in time order."""

    def __init__(self, sheet: RunSheet, script: Script) -> None:
        self.sheet = sheet
        self.script = script
        self.callbacks = list(script.callback_answers)
        self.queue: list[tuple[datetime, int, str]] = []
        self.order = 0
        self.out: list[str] = []

    def lines(self, start: datetime) -> list[str]:
        sheet = self.sheet
        day = to_london(start)
        self.out.append(f"Simulated conference on {day:%A %d %B %Y} (times are UK time)")
        self._show(sheet.advance(start))
        if self.script.end_early_after is not None and sheet.confidential_ends is not None:
            self._push(start + self.script.end_early_after, "phase.confidential_section")
        for _ in range(1000):
            if sheet.finished:
                break
            jobs = sheet.pending_jobs()
            due_job = jobs[0].due if jobs else None
            due_answer = self.queue[0][0] if self.queue else None
            if due_job is None and due_answer is None:
                break
            if due_answer is None or (due_job is not None and due_job <= due_answer):
                assert due_job is not None
                self._show(sheet.advance(due_job))
                continue
            at, _, prompt_id = heapq.heappop(self.queue)
            self._answer(sheet.prompt(prompt_id), at)
        last = max((p.answered_at or p.due for p in sheet.prompts), default=start)
        self.out.append(f"{clock(last)}  The run sheet is finished." if sheet.finished else "")
        recording = "may be recorded" if sheet.recording_allowed else "must not be recorded"
        self.out.append(f"       At the end, the meeting {recording}.")
        return [line for line in self.out if line]

    def _answer(self, prompt: Prompt, at: datetime) -> None:
        if not prompt.is_open:
            return
        answer = self._choose(prompt)
        label = next((o.label for o in prompt.answers if o.answer is answer), answer.value)
        self.out.append(f"{clock(at)}    -> {label} [{prompt.id}]")
        try:
            note = "What was said, out loud." if prompt.needs_note(answer) else None
            self._show(self.sheet.answer(prompt.id, answer, at, note))
        except RunSheetError as error:
            self.out.append(f"       ({error})")

    def _choose(self, prompt: Prompt) -> Answer:
        if prompt.kind is PromptKind.CONSENT and prompt.party_id == self.script.objector:
            return Answer.OBJECTED
        if prompt.kind is PromptKind.CALLBACK:
            while self.callbacks:
                wanted = self.callbacks.pop(0)
                if prompt.allows(wanted):
                    return wanted
            return Answer.PARENT_JOINED
        return prompt.answers[0].answer

    def _show(self, prompts: list[Prompt]) -> None:
        for prompt in prompts:
            buttons = " | ".join(option.label for option in prompt.answers)
            self.out.append(f"{clock(prompt.due)}  {prompt.text}")
            self.out.append(f"       [{prompt.id}] {buttons}")
            pause = PAUSES.get(prompt.kind)
            if pause is not None:
                self._push(prompt.due + pause, prompt.id)

    def _push(self, at: datetime, prompt_id: str) -> None:
        self.order += 1
        heapq.heappush(self.queue, (at, self.order, prompt_id))


def _parties(roles: frozenset[Role], parents: int) -> tuple[Party, ...]:
    agencies = Role.AGENCY in roles
    chosen = [p for p in _PROFESSIONALS if p.role in roles or (agencies and p.role in AGENCY_ROLES)]
    return (*chosen, *_PARENTS[:parents]) if Role.PARENT in roles else tuple(chosen)


def _party_named(wanted: str, parties: tuple[Party, ...]) -> str:
    """The id of the party ``wanted`` names by id, role or name; an unknown one is an error."""
    word = " ".join(wanted.lower().replace("_", " ").split()).removeprefix("the ")
    for party in parties:
        names = {
            party.id.replace("_", " "),
            party.role.value.replace("_", " "),
            party.label.lower().removeprefix("the "),
        }
        if word in names:
            return party.id
    listed = "; ".join(f"{p.id} ({p.label})" for p in parties)
    raise ValueError(f"--object {wanted!r} is not one of the parties: {listed}")


def _confidential(playbook: Playbook, args: argparse.Namespace) -> timedelta | None:
    if args.confidential is not _PLAYBOOK_DEFAULT:
        value: timedelta | None = args.confidential
        return value
    rules = playbook.rules(args.conference_type)
    phase = next(
        (p for p in rules.phases(args.meeting_format) if p.kind is PhaseKind.CONFIDENTIAL_SECTION),
        None,
    )
    if phase is None or phase.default_length is None:
        raise ValueError("this playbook gives no confidential section length for this format")
    return phase.default_length.as_timedelta()


def _load(name: str) -> Playbook:
    path = Path(name)
    if not path.suffix and not path.exists():
        import playbooks

        path = playbooks.DIRECTORY / f"{name}.yaml"
    return load_playbook_text(read_playbook_file(path), str(path))


def _next_working_morning(today: date) -> datetime:
    day = today + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=LONDON)


def _conference_type(text: str) -> ConferenceType:
    try:
        return ConferenceType(text.upper())
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown type {text!r}") from None


def _meeting_format(text: str) -> MeetingFormat:
    try:
        return MeetingFormat(text.lower().replace("-", "_"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"unknown format {text!r}") from None
