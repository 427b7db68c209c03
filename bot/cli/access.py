"""`confbot signin-link`, `confbot token ...` and `confbot sessions revoke`: access, from a shell.

They work on the store directly, so they work whether or not `serve` is running, and a
running service (any replica) honours what they do at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.store.access import AccessStore
    from bot.store.database import Database

ROLES = ("admin", "mts", "chair", "manager")
CLI_USER = "confbot-cli"  # who made a token from the command line


@contextmanager
def _store() -> Iterator[tuple[Settings, Database, AccessStore]]:
    from bot.cli.main import _open_store_or_fail, _settings
    from bot.store.access import AccessStore

    settings = _settings()
    database = _open_store_or_fail(settings.store.url, upgrade=True)
    try:
        yield settings, database, AccessStore(database)
    finally:
        database.dispose()


def cmd_signin_link(_args: argparse.Namespace) -> int:
    """Print a new one-time sign-in link for the sandbox admin."""
    from bot.app import sign_in_link
    from bot.web.signin import CODE_MINUTES

    with _store() as (settings, database, _access):
        web = settings.web
        base = web.public_url or f"http://{web.host}:{web.port}"
        print(f"Sign in: {sign_in_link(database, base)} (works once, for {CODE_MINUTES} minutes)")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    """Make an API token for someone and print its secret, the only time it is shown."""
    from bot.core.actions import Actor

    with _store() as (_settings, _database, access):
        record, secret = access.create_token(
            Actor(args.user.strip().lower(), args.role), args.label, CLI_USER
        )
    print(f"token {record.id} for {record.user} ({record.role}), {record.label!r}:")
    print(secret)
    print("Keep it somewhere safe: it is not shown again. Send it as 'Authorization: Bearer ...'.")
    return 0


def cmd_token_list(_args: argparse.Namespace) -> int:
    """List the API tokens, without their secrets."""
    with _store() as (_settings, _database, access):
        tokens = access.tokens()
    for t in tokens:
        state = "active" if t.active else f"revoked {t.revoked_at:%Y-%m-%d %H:%M} UTC"
        print(f"{t.id}\t{t.user}\t{t.role}\t{t.label}\t{state}")
    if not tokens:
        print("no API tokens")
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    """Revoke an API token at once."""
    from bot.cli.main import CliError

    with _store() as (_settings, _database, access):
        record = access.revoke_token(args.id)
    if record is None:
        raise CliError(f"there is no API token {args.id}")
    print(f"token {record.id} for {record.user} is revoked")
    return 0


def cmd_sessions_revoke(args: argparse.Namespace) -> int:
    """End every web session of one person at once."""
    with _store() as (_settings, _database, access):
        ended = access.end_sessions_of(args.user.strip().lower())
    print(f"ended {ended} session{'s' if ended != 1 else ''}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``signin-link``, ``token`` and ``sessions`` commands."""
    link = subparsers.add_parser("signin-link", help="print a new one-time sign-in link")
    link.set_defaults(func=cmd_signin_link)

    token = subparsers.add_parser("token", help="API tokens for scripts, one per person")
    tokens = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = tokens.add_parser("create", help="make a token that acts as someone")
    create.add_argument("--user", required=True, help="the sign-in name it acts as")
    create.add_argument("--role", required=True, choices=ROLES)
    create.add_argument("--label", required=True, help="what it is for, e.g. 'nightly export'")
    create.set_defaults(func=cmd_token_create)
    listing = tokens.add_parser("list", help="list the tokens, without their secrets")
    listing.set_defaults(func=cmd_token_list)
    revoke = tokens.add_parser("revoke", help="revoke a token at once")
    revoke.add_argument("id", type=int)
    revoke.set_defaults(func=cmd_token_revoke)

    sessions = subparsers.add_parser("sessions", help="web sessions")
    actions = sessions.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    end = actions.add_parser("revoke", help="end every session of one person at once")
    end.add_argument("--user", required=True, help="their sign-in name")
    end.set_defaults(func=cmd_sessions_revoke)
