"""`confbot serve` as a real process: probes, sign-in, clean shutdown, clear start-up errors."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CONFBOT = str(Path(sys.executable).parent / "confbot")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    env.update(
        CONFBOT_DATA_DIR=str(tmp_path / "var"),
        CONFBOT_STORE__URL=f"sqlite:///{tmp_path / 'var' / 'confbot.sqlite3'}",
        CONFBOT_WEB__PORT="0",
    )
    env.update(extra)
    return env


class Served:
    """A running `confbot serve` and the URLs it printed."""

    def __init__(self, process: subprocess.Popen[str], base: str, signin: str) -> None:
        self.process = process
        self.base = base
        self.signin = signin


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    process = subprocess.Popen(
        [CONFBOT, "serve"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    base = signin = ""
    deadline = time.monotonic() + 30
    lines = []
    while time.monotonic() < deadline and not signin:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if match := re.search(r"Status page: (\S+)/$", line.strip()):
            base = match.group(1)
        if match := re.search(r"Sign in: (\S+)", line):
            signin = match.group(1)
    if not signin:
        process.kill()
        pytest.fail("serve did not announce its URLs:\n" + "".join(lines))
    yield Served(process, base, signin)
    if process.poll() is None:
        process.kill()
        process.wait()


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], str]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def test_healthz_and_readyz_answer_once_serving(served: Served) -> None:
    status, _, body = _get(served.base + "/healthz")
    assert status == 200 and '"ok"' in body
    status, _, body = _get(served.base + "/readyz")
    assert status == 200 and '"ready"' in body


def test_unauthenticated_status_page_redirects_to_sign_in(served: Served) -> None:
    status, headers, _ = _get(served.base + "/")
    assert status == 302
    assert headers["Location"] == "/signin"


def test_printed_sign_in_link_opens_the_overview(served: Served) -> None:
    status, headers, _ = _get(served.signin)
    assert status == 302
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    status, headers, body = _get(served.base + "/", Cookie=cookie)
    assert status == 200
    assert "<h1>Today</h1>" in body
    assert headers["Cache-Control"] == "no-store"


def test_sigterm_stops_serve_cleanly_within_five_seconds(served: Served) -> None:
    started = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    code = served.process.wait(timeout=5)
    assert code == 0
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "url",
    [
        "mysql://nobody@127.0.0.1/x",
        "postgresql+psycopg://nobody@127.0.0.1:1/nowhere",
        "sqlite:////dev/null/cannot/confbot.sqlite3",
    ],
)
def test_unusable_database_url_exits_with_one_line_naming_the_setting(
    tmp_path: Path, url: str
) -> None:
    result = subprocess.run(
        [CONFBOT, "serve"],
        cwd=tmp_path,
        env=_env(tmp_path, CONFBOT_STORE__URL=url),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "CONFBOT_STORE__URL" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("CONFBOT_CONFERENCE__PLAYBOOK", "nrthmoor", "CONFBOT_CONFERENCE__PLAYBOOK"),
        (
            "CONFBOT_MAILBOXES",
            '[{"address": "cp.requests@example.org", "playbook": "northmoor"},'
            ' {"address": "lac.reviews@example.org", "by_type": {"LAC": "nrthmoor-lac"}}]',
            "CONFBOT_MAILBOXES[1].by_type.LAC",
        ),
    ],
)
def test_a_mailbox_naming_an_unknown_playbook_stops_start_up_with_one_line_naming_the_setting(
    tmp_path: Path, setting: str, value: str, named: str
) -> None:
    result = subprocess.run(
        [CONFBOT, "serve"],
        cwd=tmp_path,
        env=_env(tmp_path, **{setting: value}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    errors = [line for line in result.stderr.strip().splitlines() if line.startswith("confbot:")]
    assert len(errors) == 1, result.stderr
    assert named in errors[0] and "no playbook" in errors[0]
    assert "Traceback" not in result.stderr


def test_a_port_in_use_stops_serve_with_one_line_naming_the_setting(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [CONFBOT, "serve"],
            cwd=tmp_path,
            env=_env(tmp_path, CONFBOT_WEB__PORT=str(port)),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("confbot:")]
    assert errors == [
        f"confbot: CONFBOT_WEB__PORT: port {port} is already in use on 127.0.0.1; stop what "
        "uses it, or set CONFBOT_WEB__PORT to a free port (0 picks one)"
    ]
    assert "Traceback" not in result.stderr and " ERROR " not in result.stderr


def test_data_files_are_readable_by_the_service_user_only(served: Served, tmp_path: Path) -> None:
    status, _, _ = _get(served.base + "/readyz")
    assert status == 200
    data = tmp_path / "var"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    made = {path.name: stat.S_IMODE(path.stat().st_mode) for path in data.iterdir()}
    assert {"confbot.sqlite3", "admin-token", "session-secret"} <= set(made)
    assert {name: mode for name, mode in made.items() if mode & 0o077} == {}
