"""confbot's lock files: make them with uv, and fail when pyproject.toml has moved on.

    .venv/bin/python infra/lockfile.py lock [uv options]  # rewrite infra/lock/ (make lock)
    python3 infra/lockfile.py check                       # exit 1 if a lock is stale

Two locks, one set of versions. ``infra/lock/test.txt`` is everything ``make test`` installs:
the runtime, the ``test`` extra and ``tools.in`` (pip, setuptools, wheel). ``runtime.txt``
is what ``make run`` and the image install: the same versions, without the test tools. Both
are requirements files with every file's sha256, for ``pip install --require-hashes``.

Each lock records a digest of what it was made from (pyproject.toml's dependencies, its
build requirements, tools.in and the target Python). ``check`` needs only the standard
library, so ``make`` runs it before it installs anything.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOCKS = REPO / "infra" / "lock"
TOOLS = LOCKS / "tools.in"
TEST_LOCK = LOCKS / "test.txt"
RUNTIME_LOCK = LOCKS / "runtime.txt"
# The target every lock is resolved for, wherever it is relocked: CI's and the image's.
PYTHON_VERSION = "3.11.7"
PLATFORM = "x86_64-unknown-linux-gnu"
DIGEST_LINE = "# inputs sha256: "
RELOCK = "run `make lock` and commit infra/lock/"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


class StaleLock(Exception):
    """A lock file does not match what it should have been made from."""


@dataclass(frozen=True, slots=True)
class Pin:
    """One locked package: its name as pip compares it, its version and how many hashes."""

    name: str
    version: str
    hashes: int


def normalise(name: str) -> str:
    """A package name as PyPI compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text("utf-8").splitlines())
    return sorted(line for line in lines if line)


def inputs_digest(repo: Path = REPO) -> str:
    """The sha256 of everything a lock is made from; comments and order do not count."""
    project = tomllib.loads((repo / "pyproject.toml").read_text("utf-8"))
    meta = project["project"]
    inputs = {
        "requires-python": meta.get("requires-python"),
        "dependencies": sorted(meta.get("dependencies", [])),
        "optional": {k: sorted(v) for k, v in meta.get("optional-dependencies", {}).items()},
        "build": sorted(project.get("build-system", {}).get("requires", [])),
        "tools": _requirement_lines(repo / TOOLS.relative_to(REPO)),
        "target": [PYTHON_VERSION, PLATFORM],
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def recorded_digest(text: str) -> str | None:
    """The digest a lock says it was made from, or None."""
    for line in text.splitlines():
        if line.startswith(DIGEST_LINE):
            return line.removeprefix(DIGEST_LINE).strip()
    return None


def pins(text: str) -> dict[str, Pin]:
    """Every ``name==version`` in a lock, with the number of hashes that follow it."""
    found: dict[str, Pin] = {}
    current: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        match = _PIN.match(line)
        if match:
            current = normalise(match.group(1))
            found[current] = Pin(current, match.group(2), 0)
        elif current and stripped.startswith("--hash=sha256:"):
            pin = found[current]
            found[current] = Pin(pin.name, pin.version, pin.hashes + 1)
        elif stripped and not stripped.startswith("#") and not line.startswith(" "):
            raise StaleLock(f"not a pinned requirement: {stripped!r}")
    return found


def check(repo: Path = REPO) -> None:
    """Raise ``StaleLock``, saying what to do, unless both locks are whole and current."""
    digest = inputs_digest(repo)
    locked: dict[Path, dict[str, Pin]] = {}
    for lock in (TEST_LOCK, RUNTIME_LOCK):
        path = repo / lock.relative_to(REPO)
        shown = path.relative_to(repo)
        if not path.is_file():
            raise StaleLock(f"{shown} is missing: {RELOCK}")
        text = path.read_text("utf-8")
        if recorded_digest(text) != digest:
            raise StaleLock(
                f"{shown} is stale: pyproject.toml's dependencies (or tools.in) changed "
                f"since it was made; {RELOCK}"
            )
        locked[lock] = pins(text)
        unhashed = sorted(p.name for p in locked[lock].values() if not p.hashes)
        if unhashed:
            raise StaleLock(f"{shown} has no hashes for {', '.join(unhashed)}: {RELOCK}")
    test, runtime = locked[TEST_LOCK], locked[RUNTIME_LOCK]
    for name, pin in runtime.items():
        if name not in test or test[name].version != pin.version:
            raise StaleLock(f"the two locks disagree about {name}: {RELOCK}")
    missing = sorted({"pip", "setuptools", "wheel"} - runtime.keys())
    if missing:  # the image upgrades them, and builds confbot with them, from the lock
        raise StaleLock(f"runtime.txt does not lock {', '.join(missing)}: {RELOCK}")


def _uv() -> str:
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.exists() else shutil.which("uv")
    if found is None:
        raise SystemExit("uv is missing: `make lock` installs it from infra/lock/test.txt")
    return found


def _compile(output: Path, *options: str) -> None:
    command = [
        _uv(), "pip", "compile", "pyproject.toml", str(TOOLS.relative_to(REPO)),
        "--generate-hashes", "--python-version", PYTHON_VERSION, "--python-platform", PLATFORM,
        "--custom-compile-command", "make lock", "--quiet",
        "-o", str(output.relative_to(REPO)), *options,
    ]  # fmt: skip
    subprocess.run(command, cwd=REPO, check=True)  # noqa: S603 - our own fixed command


def _stamp(path: Path, digest: str) -> None:
    lines = [
        line for line in path.read_text("utf-8").splitlines() if not line.startswith(DIGEST_LINE)
    ]
    at = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    lines.insert(at, f"{DIGEST_LINE}{digest}")
    path.write_text("\n".join(lines) + "\n", "utf-8")


def lock(uv_options: list[str]) -> None:
    """Resolve the test lock (keeping its versions unless told to upgrade), then the runtime
    lock within it, so the two never disagree."""
    _compile(TEST_LOCK, "--extra", "test", *uv_options)
    _compile(RUNTIME_LOCK, "-c", str(TEST_LOCK.relative_to(REPO)))
    digest = inputs_digest()
    for path in (TEST_LOCK, RUNTIME_LOCK):
        _stamp(path, digest)
    check()


def main(argv: list[str]) -> int:
    """``lock [uv options]``, or ``check [repository]`` (this one by default)."""
    if not argv or argv[0] not in ("lock", "check") or (argv[0] == "check" and len(argv) > 2):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    try:
        if argv[0] == "lock":
            lock(argv[1:])
        else:
            check(Path(argv[1]) if len(argv) > 1 else REPO)
    except StaleLock as err:
        print(f"lock check failed: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
