"""`confbot retention` and `confbot legal-hold`: the retention purge and its holds, from a shell.

`--dry-run` lists what a purge would remove, by kind and count, naming no person. Holds are
an admin's: each names who set it and why, and goes on the conference's timeline.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store.database import Database


@contextmanager
def _store() -> Iterator[tuple[Settings, Database]]:
    from bot.cli.main import _open_store_or_fail, _settings

    settings = _settings()
    database = _open_store_or_fail(settings.store.url, upgrade=True)
    try:
        yield settings, database
    finally:
        database.dispose()


def cmd_retention(args: argparse.Namespace) -> int:
    """List (``--dry-run``) or purge (``--purge``) what the retention periods say is due."""
    from bot.cli.main import CliError, _configure_logging
    from bot.core.retention import STARTS_FROM, RecordKind
    from bot.runtime.retention import log_report
    from bot.store.retention import RetentionStore

    if args.dry_run == args.purge:
        raise CliError("say --dry-run to list what is due, or --purge to remove it")
    with _store() as (settings, database):
        _configure_logging(settings.log_level)
        store = RetentionStore(database)
        policy = settings.retention.policy()
        report = store.report(policy) if args.dry_run else store.purge(policy)
    if args.purge:
        log_report(report, dry_run=False)
    print("would purge:" if args.dry_run else "purged:")
    for kind in RecordKind:
        days = policy.periods[kind].days
        print(
            f"  {kind.value}: {report.counts.get(kind, 0)} (kept {days} days {STARTS_FROM[kind]})"
        )
    print(f"kept under a legal hold: {report.held} conference(s) past their time")
    print(f"kept for an open follow-up: {report.following_up} conference(s) past their time")
    return 0


def _conference_id(database: Database, reference: str) -> int:
    from bot.cli.main import CliError
    from bot.store.reads import RecordQueries

    conference = RecordQueries(database).conference_by_reference(reference.strip())
    if conference is None:
        raise CliError(f"no conference has the reference {reference.strip()!r}")
    return conference.id


def cmd_hold_set(args: argparse.Namespace) -> int:
    """Put a conference under a legal hold, with the reason and who set it."""
    from bot.cli.main import CliError
    from bot.store.retention import LegalHolds

    reason = args.reason.strip()
    if not reason:
        raise CliError("--reason: say why the conference is held (a claim, an inquiry, ...)")
    with _store() as (_settings, database):
        LegalHolds(database).set_hold(_conference_id(database, args.reference), reason, args.by)
    print(f"{args.reference} is held: it is not purged or erased until the hold is released")
    return 0


def cmd_hold_release(args: argparse.Namespace) -> int:
    """Release a conference's legal hold."""
    from bot.store.retention import LegalHolds

    with _store() as (_settings, database):
        LegalHolds(database).release_hold(_conference_id(database, args.reference), args.by)
    print(f"{args.reference}: hold released; its retention period runs from now")
    return 0


def cmd_hold_list(_args: argparse.Namespace) -> int:
    """List the conferences under a legal hold."""
    from bot.store.retention import LegalHolds

    with _store() as (_settings, database):
        holds = LegalHolds(database).holds()
    for _cid, reference, hold in holds:
        print(f"{reference}\t{hold.at:%Y-%m-%d}\t{hold.by}\t{hold.reason}")
    if not holds:
        print("no conference is under a legal hold")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `retention` and `legal-hold`."""
    retention = commands.add_parser(
        "retention", help="list (--dry-run) or purge (--purge) what the retention periods say"
    )
    retention.add_argument("--dry-run", action="store_true", help="list by kind and count")
    retention.add_argument("--purge", action="store_true", help="remove what is due now")
    retention.set_defaults(func=cmd_retention)

    hold = commands.add_parser("legal-hold", help="keep a conference from purge and erasure")
    actions = hold.add_subparsers(dest="hold_command", metavar="ACTION", required=True)
    put = actions.add_parser("set", help="hold a conference, with a reason")
    put.add_argument("reference", help="the conference's reference")
    put.add_argument("--reason", required=True, help="why it is held")
    put.add_argument("--by", required=True, help="the admin setting it (their address)")
    put.set_defaults(func=cmd_hold_set)
    release = actions.add_parser("release", help="release a conference's hold")
    release.add_argument("reference", help="the conference's reference")
    release.add_argument("--by", required=True, help="the admin releasing it")
    release.set_defaults(func=cmd_hold_release)
    listing = actions.add_parser("list", help="list the held conferences")
    listing.set_defaults(func=cmd_hold_list)
