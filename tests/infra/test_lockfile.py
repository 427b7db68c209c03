"""The lock files: hashed, current with pyproject.toml, and the only source of every install."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from tests.infra.conftest import INFRA, REPO
from tests.infra.dockerfile import read_stages

TOOL = INFRA / "lockfile.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("infra_lockfile", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


lockfile = _tool()


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """pyproject.toml and infra/lock/ copied, to be changed without touching the real ones."""
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    shutil.copytree(INFRA / "lock", tmp_path / "infra" / "lock")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def _check(repo: Path) -> subprocess.CompletedProcess[str]:
    """The check as `make` runs it, on ``repo``'s files."""
    return subprocess.run(
        [sys.executable, str(TOOL), "check", str(repo)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_the_committed_locks_are_current_with_pyproject() -> None:
    result = _check(REPO)

    assert result.returncode == 0, result.stderr


def test_a_dependency_added_without_relocking_fails_the_check(repo_copy: Path) -> None:
    _edit(repo_copy / "pyproject.toml", '"jinja2>=3.1",', '"jinja2>=3.1",\n    "left-pad>=1",')

    with pytest.raises(lockfile.StaleLock, match=r"test\.txt is stale.*make lock"):
        lockfile.check(repo_copy)


def test_a_raised_lower_bound_or_a_new_test_tool_needs_a_relock(repo_copy: Path) -> None:
    _edit(repo_copy / "pyproject.toml", '"aiohttp>=3.14"', '"aiohttp>=3.15"')
    with pytest.raises(lockfile.StaleLock):
        lockfile.check(repo_copy)

    shutil.copy(REPO / "pyproject.toml", repo_copy / "pyproject.toml")
    _edit(repo_copy / "pyproject.toml", '"pytest>=9.2",', '"pytest>=9.2",\n    "coverage",')
    with pytest.raises(lockfile.StaleLock):
        lockfile.check(repo_copy)


def test_comments_and_other_sections_of_pyproject_need_no_relock(repo_copy: Path) -> None:
    pyproject = repo_copy / "pyproject.toml"
    _edit(pyproject, '"jinja2>=3.1",', '"jinja2>=3.1",  # templates for letters')
    _edit(pyproject, "line-length = 100", "line-length = 99")

    lockfile.check(repo_copy)


def test_a_stale_lock_fails_in_one_line_naming_the_command_to_run(repo_copy: Path) -> None:
    _edit(repo_copy / "infra" / "lock" / "tools.in", "wheel", "wheel\nbuild")

    result = _check(repo_copy)

    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("lock check failed: infra/lock/test.txt is stale")
    assert line.endswith("run `make lock` and commit infra/lock/")


def test_a_package_without_hashes_fails_the_check(repo_copy: Path) -> None:
    lock = repo_copy / "infra" / "lock" / "runtime.txt"
    text = lock.read_text("utf-8")
    # Drop every hash of one package, as a hand edit of the lock would.
    unhashed = re.sub(r"(?m)^(jinja2==[^ ]+) \\\n(    --hash=.*\n)+", r"\1\n", text)
    assert unhashed != text
    lock.write_text(unhashed, "utf-8")

    with pytest.raises(lockfile.StaleLock, match="no hashes for jinja2"):
        lockfile.check(repo_copy)


def test_the_runtime_lock_has_the_test_lock_s_versions_and_no_test_tools() -> None:
    test = lockfile.pins(lockfile.TEST_LOCK.read_text("utf-8"))
    runtime = lockfile.pins(lockfile.RUNTIME_LOCK.read_text("utf-8"))

    assert {n: p.version for n, p in runtime.items()} == {n: test[n].version for n in runtime}
    for tool in ("pytest", "mypy", "ruff", "playwright", "uv"):
        assert tool in test and tool not in runtime


def test_every_pyproject_requirement_is_locked_at_a_version_it_allows() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    wanted = [
        *project["project"]["dependencies"],
        *project["project"]["optional-dependencies"]["test"],
        *project["build-system"]["requires"],
    ]
    test = lockfile.pins(lockfile.TEST_LOCK.read_text("utf-8"))
    for line in wanted:
        requirement = Requirement(line)
        pin = test.get(lockfile.normalise(requirement.name))
        assert pin is not None, f"{requirement.name} is not locked"
        assert requirement.specifier.contains(Version(pin.version), prereleases=True), (
            f"{requirement.name} is locked at {pin.version}, outside {requirement.specifier}"
        )
        for extra in requirement.extras:  # psycopg[binary]: its extra's package is locked too
            assert f"{lockfile.normalise(requirement.name)}-{extra}" in test


def test_the_image_upgrades_pip_and_setuptools_from_the_lock() -> None:
    runtime = lockfile.pins(lockfile.RUNTIME_LOCK.read_text("utf-8"))

    assert Version(runtime["setuptools"].version) >= Version("78.1.1")  # 65.5 is flagged
    assert Version(runtime["pip"].version) >= Version("25.3")


def test_the_image_installs_only_hashed_packages_and_builds_confbot_without_resolving() -> None:
    build = read_stages(INFRA / "Dockerfile")[0]
    installs = [run for run in build.all("RUN") if "pip install" in run]

    assert len(installs) == 2
    locked, project = installs
    assert "--require-hashes" in locked and "-r infra/lock/runtime.txt" in locked
    assert "--no-deps" in project and "--no-build-isolation" in project
    assert "infra/lock/runtime.txt" in build.all("COPY")[0]
    assert "!infra/lock/runtime.txt" in (INFRA / "Dockerfile.dockerignore").read_text("utf-8")


def test_make_installs_only_from_the_locks_and_checks_them_first() -> None:
    makefile = (REPO / "Makefile").read_text("utf-8")
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line]

    assert installs, "the Makefile installs nothing?"
    for line in installs:
        assert "--no-deps" in line, line
        assert "--require-hashes" in line or "--no-build-isolation -e ." in line, line
    for target in ("run", "test", "lint"):
        rule = re.search(rf"(?m)^{target}:(.*)$", makefile)
        assert rule is not None and "lock-check" in rule.group(1).split(), target
