"""Checks on single settings: bounds on durations, URLs with their scheme, ports, folders.

Pure: nothing here reads the environment. Each check raises ``ValueError`` with the words
``bot.settings`` puts after the setting's name, so every refusal is one line, such as
``CONFBOT_CONFERENCE__SWEEP_INTERVAL: must be at least PT1S (got PT0S)``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bot.settings_mailboxes import is_address

# The roles a sign-in claim may map to: bot.web.security.UserRole's values (a test keeps
# them the same; bot.settings does not import the web layer).
ROLES = ("admin", "mts", "chair", "manager")
HIGHEST_PORT = 65_535
SECRET_MIN_CHARS = 32


def iso_duration(value: timedelta) -> str:
    """``value`` as ISO 8601 (``PT2M``, ``P1D``), the way the settings are written."""
    seconds = int(value.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds and seconds % 86_400 == 0:
        return f"{sign}P{seconds // 86_400}D"
    for unit, size in (("H", 3600), ("M", 60)):
        if seconds and seconds % size == 0:
            return f"{sign}PT{seconds // size}{unit}"
    return f"{sign}PT{seconds}S"


def within(value: timedelta, low: timedelta, high: timedelta) -> timedelta:
    """``value`` when ``low <= value <= high``; else why not, in the settings' own notation."""
    if value < low:
        raise ValueError(f"must be at least {iso_duration(low)} (got {iso_duration(value)})")
    if value > high:
        raise ValueError(f"must be at most {iso_duration(high)} (got {iso_duration(value)})")
    return value


def web_url(value: str, *, what: str = "a URL") -> str:
    """An http(s) URL with a host, or empty; a bare host name is refused, not guessed at."""
    value = value.strip()
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"must be {what} starting with https:// (got {value!r})")
    try:
        host, _port = parts.hostname, parts.port
    except ValueError as err:  # a port that is not a number, or out of range
        raise ValueError(f"must be {what} with a valid port (got {value!r})") from err
    if not host or " " in value:
        raise ValueError(f"must be {what} with a host name (got {value!r})")
    return value


def port(value: int) -> int:
    """A TCP port, or 0 for any free one."""
    if not 0 <= value <= HIGHEST_PORT:
        raise ValueError(f"must be a port from 1 to {HIGHEST_PORT}, or 0 for any free one")
    return value


def host(value: str) -> str:
    """An address or host name to listen on: one word, not empty."""
    value = value.strip()
    if not value or any(c.isspace() for c in value) or "/" in value:
        raise ValueError(f"must be an address to listen on, e.g. 127.0.0.1 (got {value!r})")
    return value


def addresses(values: list[str]) -> list[str]:
    """Email addresses, each checked; the first that is not one is named."""
    for value in values:
        if not is_address(value):
            raise ValueError(f"{value!r} is not an email address (give addresses, comma separated)")
    return values


def json_list(value: str) -> list[str]:
    """A JSON list of text, such as ``["a@example.org", "b@example.org"]``."""
    try:
        parsed = json.loads(value)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ValueError("is not a valid JSON list (or give addresses, comma separated)") from err
    if not isinstance(parsed, list) or not all(isinstance(item, str) for item in parsed):
        raise ValueError("must be a JSON list of text (or give addresses, comma separated)")
    return [item.strip() for item in parsed if item.strip()]


def not_empty(value: object) -> object:
    """Refuse empty text before it becomes ``Path("")``, the current folder, unseen."""
    if isinstance(value, str) and not value.strip():
        raise ValueError("must not be empty; unset it for the default")
    return value


def folder(value: Path, *, must_exist: bool) -> Path:
    """A folder: not an existing file, nor missing when it ``must_exist``."""
    if value.exists() and not value.is_dir():
        raise ValueError(f"{value} is a file, not a folder")
    if must_exist and not value.is_dir():
        raise ValueError(f"there is no folder {value}")
    return value


def existing_file(value: Path | None) -> Path | None:
    """None, or a path to a file that is there."""
    if value is not None and not value.is_file():
        raise ValueError(f"there is no file {value}")
    return value


def role_pairs(value: str) -> str:
    """``claim=role,claim=role`` with every role one of confbot's; empty is allowed."""
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        claim, equals, role = (s.strip() for s in item.partition("="))
        if not equals or not claim or not role:
            raise ValueError(f"{item!r} is not claim=role (e.g. Confbot.Chair=chair)")
        if role not in ROLES:
            raise ValueError(f"{item!r}: no role {role!r} (roles: {', '.join(ROLES)})")
    return value


def cover_pairs(value: str) -> str:
    """``cover=covered,...``: two email addresses each; empty is allowed."""
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        by, equals, whom = (s.strip() for s in item.partition("="))
        if not equals or "@" not in by or "@" not in whom:
            raise ValueError(f"{item!r} is not cover=covered, two chairs' email addresses")
    return value


def secret(value: str) -> str:
    """A key long enough to sign with; empty means unset (one is generated)."""
    if value and len(value) < SECRET_MIN_CHARS:
        raise ValueError(
            f"must be at least {SECRET_MIN_CHARS} characters (e.g. `openssl rand -base64 32`), "
            "or unset"
        )
    return value
