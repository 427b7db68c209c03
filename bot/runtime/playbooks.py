"""The council's playbooks by name, and the version each conference was booked with.

A conference records its playbook's name and the SHA-256 of the playbook text at booking.
While that text is still the current one, the conference reads the current playbook; once
a council edits the file, a booked conference keeps reading the text it was booked under,
kept in the store, so a change never moves a conference's deadlines under it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.core.conference import Conference
from bot.core.errors import ActionRefused
from bot.core.playbook.loader import (
    MAX_PLAYBOOK_BYTES,
    PlaybookError,
    Problem,
    load_playbook_text,
    playbook_text,
)
from bot.core.playbook.model import Playbook

logger = logging.getLogger(__name__)


class VersionStore(Protocol):
    """Where playbook texts are kept by hash (``bot.store.playbooks.PlaybookVersions``)."""

    def save(self, name: str, sha256: str, text: str) -> None:
        """Keep one version."""

    def text(self, sha256: str) -> str | None:
        """A kept version's text."""


def text_hash(text: str) -> str:
    """The version key of a playbook text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class PlaybookSource:
    """One playbook's text and where it came from (a file path, for error messages)."""

    name: str
    text: str
    origin: str

    @classmethod
    def from_file(cls, name: str, path: Path) -> PlaybookSource:
        """The playbook in ``path``, read as ``read_playbook_file`` reads it."""
        return cls(name, read_playbook_file(path), str(path))


def read_playbook_file(path: Path) -> str:
    """A playbook file's text, bounded; else ``PlaybookError`` naming the file (and line).

    Never more than the size limit is read, so a huge file, or a device, cannot stall start-up.
    """
    try:
        with path.open("rb") as file:
            data = file.read(MAX_PLAYBOOK_BYTES + 1)
    except OSError as err:
        problem = Problem(str(path), None, "", f"cannot read the file ({err.strerror})")
        raise PlaybookError([problem]) from err
    return playbook_text(data, str(path))


class PlaybookRegistry:
    """Every playbook the service runs, keyed by name, with the versions conferences booked."""

    def __init__(self, sources: Mapping[str, PlaybookSource], store: VersionStore | None) -> None:
        self._store = store
        self._current: dict[str, tuple[str, Playbook]] = {}
        for name, source in sources.items():
            # Loading validates: a broken playbook stops start-up with its file and line.
            playbook = load_playbook_text(source.text, source.origin)
            sha = text_hash(source.text)
            self._current[name] = (sha, playbook)
            if store is not None:
                store.save(name, sha, source.text)
        self._by_version: dict[str, Playbook] = {sha: pb for sha, pb in self._current.values()}
        self._lock = threading.Lock()

    @classmethod
    def of(cls, playbooks: Mapping[str, Playbook]) -> PlaybookRegistry:
        """A registry of already-loaded playbooks with no version store (tests, simulate)."""
        registry = cls({}, None)
        for name, playbook in playbooks.items():
            sha = f"memory:{name}"
            registry._current[name] = (sha, playbook)
            registry._by_version[sha] = playbook
        return registry

    def names(self) -> list[str]:
        """The names of the playbooks this service runs, sorted."""
        return sorted(self._current)

    def __contains__(self, name: object) -> bool:
        return name in self._current

    def current(self, name: str) -> Playbook:
        """The playbook now configured under ``name``."""
        try:
            return self._current[name][1]
        except KeyError:
            raise ActionRefused(
                f"this service does not run the playbook '{name}' "
                f"(it runs: {', '.join(self.names()) or 'none'})"
            ) from None

    def version(self, name: str) -> str:
        """The version key of the playbook now configured under ``name``."""
        self.current(name)
        return self._current[name][0]

    def for_conference(self, conference: Conference) -> Playbook:
        """The playbook a conference runs under: the version it was booked with."""
        sha = conference.playbook_version
        if sha is None:
            return self.current(conference.playbook)
        with self._lock:
            found = self._by_version.get(sha)
        if found is not None:
            return found
        text = self._store.text(sha) if self._store is not None else None
        if text is None:
            logger.warning(
                "booked playbook version missing; using the current one",
                extra={"conference_id": conference.id},
            )
            return self.current(conference.playbook)
        playbook = load_playbook_text(text, f"{conference.playbook} (version {sha[:12]})")
        with self._lock:
            self._by_version[sha] = playbook
        return playbook

    def all_current(self) -> dict[str, Playbook]:
        """Every current playbook by name."""
        return {name: pb for name, (_sha, pb) in self._current.items()}
