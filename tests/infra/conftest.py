"""Shared set-up for the infra tests: where the repository is, and tools installed on demand."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
# Tools fetched from their registries live here, out of git (var/ is ignored).
TOOLS = REPO / "var" / "test-tools"

APP_MANIFEST_PACKAGE = "@microsoft/app-manifest@1.1.2"
# Its build/index.js requires fs-extra, which the package lists only as a devDependency.
APP_MANIFEST_EXTRAS = ("fs-extra@11",)


def _run(command: list[str], *, cwd: Path | None = None, timeout: float) -> None:
    result = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


@pytest.fixture(scope="session")
def app_manifest_package() -> Path:
    """Microsoft's @microsoft/app-manifest npm package: its schemas and its validator."""
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(
            "NO `npm` ON THIS MACHINE: the Teams manifest was NOT validated against "
            "Microsoft's schema. Install Node.js and npm to run this check."
        )
    prefix = TOOLS / "npm"
    package = prefix / "node_modules" / "@microsoft" / "app-manifest"
    stamp = prefix / (APP_MANIFEST_PACKAGE.replace("/", "_") + ".installed")
    if not stamp.exists():
        prefix.mkdir(parents=True, exist_ok=True)
        # npm reads its registry from the user's own config; no address is named here.
        _run(
            [
                npm,
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(prefix),
                APP_MANIFEST_PACKAGE,
                *APP_MANIFEST_EXTRAS,
            ],
            timeout=300,
        )
        stamp.touch()
    assert (package / "build" / "index.js").is_file(), f"npm did not install {package}"
    return package


CHECKOV_VERSION = "3.3.30"
# checkov pins packaging<24, which pytest 9 cannot live with: it gets a venv of its own.
CHECKOV_VENV = TOOLS / f"checkov-{CHECKOV_VERSION}"


@pytest.fixture(scope="session")
def checkov() -> Path:
    """The checkov command, installed from PyPI into its own virtual environment once."""
    command = CHECKOV_VENV / "bin" / "checkov"
    if not command.exists():
        _run([sys.executable, "-m", "venv", "--clear", str(CHECKOV_VENV)], timeout=120)
        _run(
            [
                str(CHECKOV_VENV / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"checkov=={CHECKOV_VERSION}",
            ],
            timeout=540,
        )
    assert command.exists(), f"pip did not install checkov into {CHECKOV_VENV}"
    return command


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any CONFBOT_ setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    env.update(extra)
    return env
