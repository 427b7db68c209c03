"""Loading the sandbox tenant's fictional users from YAML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SEED = Path(__file__).with_name("tenant.yaml")


@dataclass(frozen=True, slots=True)
class SeedUser:
    """One fictional person (or shared mailbox) in the sandbox tenant."""

    id: str
    display_name: str
    mail: str
    role: str = ""
    business_phone: str = ""


class SeedError(ValueError):
    """A seed file that cannot be the sandbox's users; the message names the file."""


def load_seed(path: Path | None = None) -> list[SeedUser]:
    """The users in ``path`` (the bundled tenant.yaml by default); else ``SeedError``."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    path = path or DEFAULT_SEED
    try:
        data: Any = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError, RecursionError) as err:
        reason = getattr(err, "strerror", None) or type(err).__name__
        raise SeedError(f"{path}: cannot be read as YAML ({reason})") from err
    entries = data.get("users", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise SeedError(f"{path}: expected a mapping with a list of users under 'users'")
    users = []
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or "id" not in entry or "mail" not in entry:
            raise SeedError(f"{path}: users[{n}] needs at least an id and a mail")
        users.append(
            SeedUser(
                id=str(entry["id"]),
                display_name=str(entry.get("displayName", entry["id"])),
                mail=str(entry["mail"]),
                role=str(entry.get("role", "")),
                business_phone=str(entry.get("businessPhone", "")),
            )
        )
    return users
