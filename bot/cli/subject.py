"""`confbot subject-access` and `confbot erase`: a person's data, exported or erased.

The export is written as JSON and as a readable HTML report, both private files. Erasure
is refused, with the reason, for a live conference or one under a legal hold.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path


def cmd_subject_access(args: argparse.Namespace) -> int:
    """Write everything held about one person to OUT as JSON and HTML."""
    from bot.cli.main import CliError, _open_store_or_fail, _settings
    from bot.core.subject_report import render_report
    from bot.store.files import private_dir, private_file
    from bot.store.subject import Lookup, SubjectAccess

    given = [(by, getattr(args, by)) for by in ("email", "phone", "name", "case_reference")]
    chosen = [(by, value) for by, value in given if value]
    if len(chosen) != 1 or not chosen[0][1].strip():
        raise CliError("give one of --email, --phone, --name or --case-reference")
    settings = _settings()
    database = _open_store_or_fail(settings.store.url, upgrade=True)
    try:
        export = SubjectAccess(database).export(Lookup(*chosen[0]))
    finally:
        database.dispose()
    out = private_dir(args.out)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = private_file(out / f"subject-access-{stamp}.json")
    html_path = private_file(out / f"subject-access-{stamp}.html")
    json_path.write_text(json.dumps(export, indent=2, default=str), encoding="utf-8")
    html_path.write_text(render_report(export), encoding="utf-8")
    found = len(export["conferences"])
    summary = f"{found} conference(s)" if export["found"] else "nothing: the report says so"
    print(f"found {summary}. Wrote {json_path} and {html_path}")
    return 0


def cmd_erase(args: argparse.Namespace) -> int:
    """Erase one participant's details from a finished conference, leaving a tombstone."""
    from bot.cli.main import CliError, _open_store_or_fail, _settings
    from bot.core.errors import NotFound
    from bot.store.subject import ErasureRefused, SubjectAccess

    because = args.because.strip()
    if not because:
        raise CliError("--because: say why the details are erased (the request, its basis)")
    settings = _settings()
    database = _open_store_or_fail(settings.store.url, upgrade=True)
    try:
        SubjectAccess(database).erase(args.participant, by=args.by, because=because)
    except ErasureRefused as err:
        raise CliError(f"not erased: {err}") from err
    except NotFound as err:
        raise CliError(f"no participant {args.participant}") from err
    finally:
        database.dispose()
    print(f"participant {args.participant} erased; the conference's timeline records it")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `subject-access` and `erase`."""
    sar = commands.add_parser(
        "subject-access", help="export everything held about one person (JSON and HTML)"
    )
    sar.add_argument("--email", help="their email address")
    sar.add_argument("--phone", help="their phone number")
    sar.add_argument("--name", help="their name as recorded")
    sar.add_argument("--case-reference", dest="case_reference", help="a child's case reference")
    sar.add_argument("--out", type=Path, default=Path("."), help="folder to write the files to")
    sar.set_defaults(func=cmd_subject_access)
    erase = commands.add_parser(
        "erase", help="erase a participant's details from a finished conference"
    )
    erase.add_argument(
        "--participant", type=int, required=True, help="participant id (from the export)"
    )
    erase.add_argument("--by", required=True, help="who erases (their address)")
    erase.add_argument("--because", required=True, help="why: the request and its legal basis")
    erase.set_defaults(func=cmd_erase)
