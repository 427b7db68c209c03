"""`confbot serve` with the status pages: open event streams never hold up a clean stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

CONFBOT = str(Path(sys.executable).parent / "confbot")


def test_sigterm_stops_serve_within_five_seconds_with_an_event_stream_open(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    env.update(
        CONFBOT_DATA_DIR=str(tmp_path / "var"),
        CONFBOT_STORE__URL=f"sqlite:///{tmp_path / 'var' / 'confbot.sqlite3'}",
        CONFBOT_WEB__PORT="0",
    )
    process = subprocess.Popen(
        [CONFBOT, "serve"], cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        signin = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not signin:
            line = process.stdout.readline()
            if match := re.search(r"Sign in: (\S+)", line):
                signin = match.group(1)
        assert signin, "serve did not print its sign-in link"
        threading.Thread(target=process.stdout.read, daemon=True).start()
        base = signin.split("/signin")[0]

        class Keep(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: object, **kwargs: object) -> None:
                return None

        try:
            urllib.request.build_opener(Keep).open(signin, timeout=10)
        except urllib.error.HTTPError as err:
            cookie = err.headers["Set-Cookie"].split(";", 1)[0]
        stream = urllib.request.urlopen(
            urllib.request.Request(base + "/events/overview", headers={"Cookie": cookie}),
            timeout=10,
        )
        assert b"event: hello" in stream.readline() + stream.readline()
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=5) == 0
        assert time.monotonic() - started < 5
        stream.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
