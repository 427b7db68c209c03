"""`confbot backup PATH` and `confbot restore PATH`: a SQLite store, copied and put back.

A backup runs while the service serves. A restore refuses while a service runs on the store
(it would take the leader's lock), and refuses a damaged or foreign file, keeping the store.
After a restore, `confbot serve` reconciles the restored jobs: those that fell due run once,
marked late, and those past the misfire grace become alerts.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the live store to PATH with SQLite's online backup."""
    from bot.cli.main import CliError, _settings
    from bot.store.backup import BackupError, backup

    settings = _settings()
    try:
        summary = backup(settings.store.url, args.path)
    except BackupError as err:
        raise CliError(str(err)) from err
    print(
        f"backed up to {args.path}: {summary.conferences} conferences, "
        f"{summary.pending_jobs} pending jobs (schema {summary.revision})"
    )
    print("It holds personal data: encrypt it and keep it no longer than your policy allows.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the store with the backup at PATH, if no service runs on it."""
    from bot.cli.main import CliError, _settings
    from bot.store.backup import BackupError, inspect_backup, restore, sqlite_path
    from bot.store.leader import FileLeadership, leader_lock_file

    settings = _settings()
    try:
        store = sqlite_path(settings.store.url)
        inspect_backup(args.path)  # refuse a bad file before touching anything
    except BackupError as err:
        raise CliError(str(err)) from err
    lock = FileLeadership(leader_lock_file(store, settings.data_dir))
    if not lock.try_acquire():
        raise CliError("confbot is running on this store: stop it first, then restore")
    try:
        summary = restore(args.path, settings.store.url)
    except BackupError as err:
        raise CliError(str(err)) from err
    finally:
        lock.release()
    print(
        f"restored {store} from {args.path}: {summary.conferences} conferences, "
        f"{summary.pending_jobs} pending jobs. Start confbot: it applies any migrations and "
        "runs the jobs that fell due since, once each, marked late."
    )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `backup` and `restore`."""
    backup = commands.add_parser(
        "backup", help="copy the SQLite store consistently, while the service runs"
    )
    backup.add_argument("path", type=Path, help="the file to write")
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser(
        "restore", help="put a backup in place of the SQLite store (with confbot stopped)"
    )
    restore.add_argument("path", type=Path, help="the backup file")
    restore.set_defaults(func=cmd_restore)
