"""`confbot playbook ...`: check playbook files, print a dated plan, and write the schema."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from bot.cli.args import fixed_duration, moment
from bot.cli.booked import booked_changes, store_path_exists
from bot.core.conference import ConferenceType, MeetingFormat
from bot.core.playbook.loader import PlaybookError, load_playbook_text, playbook_schema_text
from bot.core.playbook.model import Anchor, PhaseKind, Playbook
from bot.core.timeline import ConferenceFacts, Timeline, TimelineError, compile_timeline
from bot.core.workdays import to_london
from bot.runtime.playbooks import read_playbook_file

# argparse passes a string const through ``type``; an object sentinel stays as it is.
_DEFAULT_CONFIDENTIAL = object()


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``playbook`` command group and its subcommands."""
    group = subparsers.add_parser("playbook", help="check, plan and describe playbooks")
    commands = group.add_subparsers(dest="playbook_command", required=True)

    check = commands.add_parser("check", help="check playbook files for errors")
    check.add_argument("files", nargs="+", type=Path, metavar="FILE")
    check.add_argument(
        "--store",
        metavar="URL",
        help="warn about conferences booked in this store whose timeline the file would change "
        "(default: CONFBOT_STORE__URL, when that database exists)",
    )
    check.add_argument(
        "--no-store", action="store_true", help="check the files alone, without the store"
    )
    check.set_defaults(func=check_command)

    plan = commands.add_parser("plan", help="print the dated timeline for one conference")
    plan.add_argument("file", type=Path, metavar="FILE")
    plan.add_argument("--type", required=True, type=_conference_type, dest="conference_type")
    plan.add_argument("--format", required=True, type=_meeting_format, dest="meeting_format")
    plan.add_argument("--start", required=True, type=moment, help="ISO time; London if no zone")
    plan.add_argument("--length", type=fixed_duration, help="e.g. 90m; the playbook's default")
    plan.add_argument(
        "--confidential",
        nargs="?",
        const=_DEFAULT_CONFIDENTIAL,
        type=fixed_duration,
        help="hold a confidential section, e.g. 20m; on its own, the playbook's default length",
    )
    for anchor in Anchor:
        if anchor is not Anchor.MEETING_END:
            plan.add_argument(f"--{anchor.value.replace('_', '-')}", type=date.fromisoformat)
    plan.add_argument("--late-reason", help="why the conference is outside its timescale")
    plan.add_argument("--late-agreed-by", help="who agreed to hold it late, e.g. 'the chair'")
    plan.add_argument("--now", type=moment, help="refuse deadlines already past at this time")
    plan.add_argument("--json", action="store_true", help="print JSON instead of text")
    plan.set_defaults(func=plan_command)

    schema = commands.add_parser("schema", help="write the playbook JSON schema")
    schema.add_argument("--output", type=Path, default=None, help="default: playbooks/schema.json")
    schema.add_argument("--check", action="store_true", help="fail if the file is out of date")
    schema.set_defaults(func=schema_command)


def check_command(
    args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Validate each file; print one line per problem, naming file, line and field."""
    failed = 0
    for path in args.files:
        try:
            playbook = _read(path)
        except PlaybookError as error:
            failed += 1
            for line in error.lines:
                print(line, file=err)
            continue
        kinds = ", ".join(playbook.conferences)
        print(f"{path}: ok ({playbook.council}: {kinds})", file=out)
        url = _store_url(args)
        if url is not None:
            for line in booked_changes(url, path.stem, playbook):
                print(f"{path}: {line}", file=out)
    return 1 if failed else 0


def _store_url(args: argparse.Namespace) -> str | None:
    """The store to compare with, or None when there is none to read."""
    if args.no_store:
        return None
    if args.store:
        return str(args.store)
    from bot.settings import ConfigError, load_settings

    try:
        url = load_settings().store.url
    except ConfigError:
        return None
    return url if store_path_exists(url) else None


def plan_command(
    args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Compile the timeline for the given facts and print it, like ``terraform plan``."""
    try:
        playbook = _read(args.file)
        facts = _facts(playbook, args)
        timeline = compile_timeline(playbook, facts)
    except PlaybookError as error:
        for line in error.lines:
            print(line, file=err)
        return 1
    except (TimelineError, ValueError) as error:
        print(f"{args.file}: cannot plan: {error}", file=err)
        return 1
    if args.json:
        print(timeline.model_dump_json(indent=2), file=out)
    else:
        out.write(render_plan(timeline))
    return 0


def schema_command(
    args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr
) -> int:
    """Write playbooks/schema.json, or with --check report whether it is stale."""
    path: Path = args.output or _default_schema_path()
    wanted = playbook_schema_text()
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if args.check:
        if current != wanted:
            print(f"{path} is out of date: run `confbot playbook schema`", file=err)
            return 1
        print(f"{path} is up to date", file=out)
        return 0
    if current != wanted:
        path.write_text(wanted, encoding="utf-8")
    print(f"wrote {path}", file=out)
    return 0


def render_plan(timeline: Timeline) -> str:
    """The timeline as plain text, in London time."""
    start, end = to_london(timeline.start), to_london(timeline.end)
    lines = [
        f"{timeline.council}: {timeline.conference_type} held as "
        f"{timeline.meeting_format.value.replace('_', ' ')}",
        f"Starts {start:%a %d %b %Y %H:%M}, ends {end:%H:%M} (Europe/London).",
    ]
    if timeline.confidential_ends > timeline.start:
        lines.append(f"Confidential section until {to_london(timeline.confidential_ends):%H:%M}.")
    for role, phase in timeline.held_back.items():
        lines.append(f"Held back: {role.value} stays off the invite until phase '{phase}'.")
    for check in timeline.deadlines:
        verdict = "in time" if check.met else "LATE"
        lines.append(
            f"Timescale {check.rule}: last day {check.last_day:%a %d %b %Y} "
            f"({check.note}): {verdict}."
        )
    lines.extend(f"Warning: {warning}" for warning in timeline.warnings)
    lines.append("")
    for step in timeline.steps:
        due = to_london(step.due)
        who = step.actor.value if step.actor else "-"
        to = ", ".join(r.value for r in step.audience) or "-"
        lines.append(f"{due:%a %d %b %Y %H:%M}  {step.kind.value:<20} {who} -> {to}")
        lines.append(f"    {step.text}")
        for held in step.withheld:
            lines.append(f"    Not to {held.role.value}: {held.reason}.")
        lines.append(f"    [{step.id}] from {step.rule}")
    return "\n".join(lines) + "\n"


def _read(path: Path) -> Playbook:
    return load_playbook_text(read_playbook_file(path), str(path))


def _facts(playbook: Playbook, args: argparse.Namespace) -> ConferenceFacts:
    anchors: dict[Anchor, date] = {
        anchor: getattr(args, anchor.value)
        for anchor in Anchor
        if anchor is not Anchor.MEETING_END and getattr(args, anchor.value, None) is not None
    }
    confidential: timedelta | None = None
    if args.confidential is _DEFAULT_CONFIDENTIAL:
        rules = playbook.rules(args.conference_type)
        phase = next(
            (
                p
                for p in rules.phases(args.meeting_format)
                if p.kind is PhaseKind.CONFIDENTIAL_SECTION
            ),
            None,
        )
        if phase is None:
            raise TimelineError(
                f"this playbook has no confidential section in a {args.meeting_format.value} "
                f"{args.conference_type}"
            )
        if phase.default_length is None:
            raise TimelineError(
                "this playbook gives no default length for the confidential section"
            )
        confidential = phase.default_length.as_timedelta()
    elif args.confidential is not None:
        confidential = args.confidential
    return ConferenceFacts(
        conference_type=args.conference_type,
        meeting_format=args.meeting_format,
        start=args.start,
        length=args.length,
        confidential=confidential,
        anchors=anchors,
        late_reason=args.late_reason,
        late_agreed_by=args.late_agreed_by,
        now=args.now,
    )


def _default_schema_path() -> Path:
    import playbooks

    return playbooks.SCHEMA_PATH


def _conference_type(text: str) -> ConferenceType:
    try:
        return ConferenceType(text.upper())
    except ValueError:
        known = ", ".join(ConferenceType)
        raise argparse.ArgumentTypeError(
            f"unknown type {text!r} (expected one of: {known})"
        ) from None


def _meeting_format(text: str) -> MeetingFormat:
    try:
        return MeetingFormat(text.lower().replace("-", "_"))
    except ValueError:
        known = ", ".join(MeetingFormat)
        raise argparse.ArgumentTypeError(
            f"unknown format {text!r} (expected one of: {known})"
        ) from None
