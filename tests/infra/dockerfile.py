"""Just enough of a Dockerfile reader to take the runtime stage's ENV, CMD and HEALTHCHECK."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Stage:
    """One FROM ... stage: its instructions, in order, with continuations joined."""

    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        """The arguments of every instruction with this keyword."""
        return [args for key, args in self.instructions if key == keyword]

    @property
    def env(self) -> dict[str, str]:
        """ENV key=value pairs, later ones winning."""
        values: dict[str, str] = {}
        for args in self.all("ENV"):
            for word in shlex.split(args):
                key, _, value = word.partition("=")
                values[key] = value
        return values

    @property
    def cmd(self) -> list[str]:
        """The CMD, which must be in exec (JSON) form."""
        (args,) = self.all("CMD")[-1:]
        return list(json.loads(args))

    @property
    def healthcheck(self) -> list[str]:
        """The HEALTHCHECK's command, in exec form, without its options."""
        (args,) = self.all("HEALTHCHECK")[-1:]
        _, _, command = args.partition("CMD ")
        return list(json.loads(command))

    @property
    def user(self) -> str:
        """The last USER."""
        return self.all("USER")[-1]


def read_stages(path: Path) -> list[Stage]:
    """Every stage of the Dockerfile, in order."""
    lines: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        lines.append(pending + stripped)
        pending = ""
    stages: list[Stage] = []
    for line in lines:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = args.split()
            stages.append(Stage(words[-1] if "AS" in (w.upper() for w in words) else args))
        elif stages:
            stages[-1].instructions.append((keyword, args.strip()))
    return stages
