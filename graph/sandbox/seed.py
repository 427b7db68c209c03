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


def load_seed(path: Path | None = None) -> list[SeedUser]:
    """The users in ``path`` (the bundled tenant.yaml by default)."""
    from ruamel.yaml import YAML

    data: Any = YAML(typ="safe").load((path or DEFAULT_SEED).read_text(encoding="utf-8"))
    users = []
    for entry in data.get("users", []):
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
