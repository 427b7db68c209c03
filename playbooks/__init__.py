"""Playbooks: one YAML file per council process, shipped as package data."""

from __future__ import annotations

from pathlib import Path

from bot.core.playbook.model import Playbook
from bot.core.playbook.loader import load_playbook_text
from bot.runtime.playbooks import read_playbook_file

DIRECTORY = Path(__file__).resolve().parent
SCHEMA_PATH = DIRECTORY / "schema.json"


def bundled_paths() -> list[Path]:
    """The bundled playbook files, in name order."""
    return sorted(DIRECTORY.glob("*.yaml"))


def load_playbook_file(path: Path) -> Playbook:
    """Read and validate one playbook file; errors name the file and line."""
    return load_playbook_text(read_playbook_file(path), str(path))


def load_bundled(name: str) -> Playbook:
    """A bundled playbook by its file stem, e.g. ``"lancashire"``."""
    return load_playbook_file(DIRECTORY / f"{name}.yaml")


def load_all_bundled() -> dict[str, Playbook]:
    """Every bundled playbook, keyed by file stem."""
    return {path.stem: load_playbook_file(path) for path in bundled_paths()}
