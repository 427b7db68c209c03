"""The ``confbot`` command. Heavy modules (msgraph, aiohttp) are imported only when needed."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot import __version__

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store.database import Database

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """A problem to report as one line, without a traceback."""


def _settings() -> Settings:
    from bot.settings import ConfigError, load_settings

    try:
        return load_settings()
    except ConfigError as err:
        raise CliError(str(err)) from err


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Alembic narrates every plugin at INFO; only its problems matter here.
    logging.getLogger("alembic").setLevel(logging.WARNING)


def cmd_version(_args: argparse.Namespace) -> int:
    """Print the version."""
    print(f"confbot {__version__}")
    return 0


def cmd_config_show(_args: argparse.Namespace) -> int:
    """Print the effective configuration, secrets masked."""
    from bot.settings import masked

    settings = _settings()
    print(json.dumps(masked(settings), indent=2))
    print(f"mode: {'sandbox' if settings.sandbox_mode else 'tenant'}")
    return 0


def _open_store_or_fail(url: str, *, upgrade: bool) -> Database:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.database import Database, StoreError

    try:
        database = Database(url)
        database.check_connection()
        if upgrade:
            database.upgrade()
    except (StoreError, SQLAlchemyError, OSError) as err:
        raise CliError(f"CONFBOT_STORE__URL: {err}".splitlines()[0]) from err
    return database


def _private_data(settings: Settings) -> None:
    """Make what the service creates its user's alone, starting with the data folder."""
    from bot.store.files import private_dir

    # Files made by libraries too (SQLite's -wal and -shm, the job store) start private.
    os.umask(0o077)
    try:
        private_dir(settings.data_dir)
    except OSError as err:
        reason = err.strerror or type(err).__name__
        message = f"CONFBOT_DATA_DIR: cannot make the folder {settings.data_dir} ({reason})"
        raise CliError(message) from err


def cmd_db_upgrade(_args: argparse.Namespace) -> int:
    """Apply the database migrations."""

    settings = _settings()
    _private_data(settings)
    database = _open_store_or_fail(settings.store.url, upgrade=True)
    database.dispose()
    print("database is up to date")
    return 0


def cmd_serve(_args: argparse.Namespace) -> int:
    """Run the service until SIGTERM."""
    import asyncio

    settings = _settings()
    _configure_logging(settings.log_level)
    _private_data(settings)
    # Check the store before anything starts, so a bad URL is one clear line.
    database = _open_store_or_fail(settings.store.url, upgrade=False)
    database.dispose()
    from bot.app import serve
    from bot.core.playbook.loader import PlaybookError
    from bot.settings import ConfigError
    from graph.auth import ConfigurationError
    from graph.sandbox.seed import SeedError

    try:
        asyncio.run(serve(settings))
    except ConfigError as err:  # an unknown playbook, a port in use: it names the setting
        raise CliError(str(err)) from err
    except PlaybookError as err:  # a broken playbook: each problem names its file and line
        raise CliError("a playbook has errors:\n" + "\n".join(err.lines)) from err
    except SeedError as err:
        raise CliError(f"CONFBOT_GRAPH__SANDBOX_SEED: {err}") from err
    except ConfigurationError as err:  # the settings' own checks should have caught it first
        raise CliError(f"CONFBOT_GRAPH__*: {err}") from err
    return 0


def cmd_sandbox(args: argparse.Namespace) -> int:
    """Run the sandbox Graph tenant on its own."""
    from bot.web.listen import listen_problem
    from graph.sandbox.seed import SeedError
    from graph.sandbox.server import run_sandbox

    try:
        run_sandbox(args.host, args.port, args.seed)
    except SeedError as err:
        raise CliError(f"--seed: {err}") from err
    except OSError as err:
        raise CliError(listen_problem(err, (args.host, args.port), "--port", "--host")) from err
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="confbot",
        description="Runs child protection conferences over Microsoft Teams from a playbook.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the service (web, bot, intake, scheduler)")
    serve.set_defaults(func=cmd_serve)

    version = commands.add_parser("version", help="print the version")
    version.set_defaults(func=cmd_version)

    db = commands.add_parser("db", help="database commands")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser("upgrade", help="apply the database migrations")
    upgrade.set_defaults(func=cmd_db_upgrade)

    config = commands.add_parser("config", help="configuration commands")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = config_commands.add_parser("show", help="print the effective configuration")
    show.set_defaults(func=cmd_config_show)

    sandbox = commands.add_parser("sandbox", help="run the sandbox Graph tenant on its own")
    sandbox.add_argument("--host", default="127.0.0.1", help="address to listen on")
    sandbox.add_argument("--port", type=int, default=8081, help="port to listen on")
    sandbox.add_argument("--seed", type=Path, default=None, help="YAML of fictional users")
    sandbox.set_defaults(func=cmd_sandbox)

    from bot.cli import access as access_cli
    from bot.cli import backup as backup_cli
    from bot.cli import playbook as playbook_cli
    from bot.cli import retention as retention_cli
    from bot.cli import simulate as simulate_cli
    from bot.cli import subject as subject_cli
    from bot.cli import teams_package

    access_cli.register(commands)
    backup_cli.register(commands)
    playbook_cli.register(commands)
    retention_cli.register(commands)
    simulate_cli.register(commands)
    subject_cli.register(commands)
    teams_package.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``confbot`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "func", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args)
    except CliError as err:
        print(f"confbot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
