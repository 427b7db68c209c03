"""The crash trials' harness: the sandbox and `confbot serve` as processes, killed at will.

Shared by ``tests/integration/test_crash_trials.py`` (twenty kills, asserted) and
``tests/bench/crash_trial.py`` (many conferences and kills, counted). The sandbox runs as
its own process so its mailboxes and calendars outlive every confbot process it serves.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from tests.integration.runtime_harness import (
    MAILBOX,
    SOCIAL_WORKER,
    preset_body,
    request_body,
    self_booking_playbook,
    working_days_ahead,
)

CONFBOT = str(Path(sys.executable).parent / "confbot")
UNREADABLE = 0.2  # share of mails that cannot be read and must end in triage
# A request costs about 6 to 8 Graph calls to book (delta, event, meeting options, the
# acknowledgement and parent letter, the category), and start-up one more (the
# subscription). Killing after 3 to 2 + 6 per request lands anywhere in the intake and
# set-up of a trial's one or two requests.
FIRST_KILL_CALL = 3
CALLS_PER_REQUEST = 6


class Process:
    """A subprocess whose merged output is read by a thread, so waits never block."""

    def __init__(self, args: list[str], *, env: dict[str, str], cwd: Path) -> None:
        self.popen = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line)

    def expect(self, pattern: str, timeout: float) -> re.Match[str] | None:
        """The first output line matching ``pattern``, or None once ``timeout`` passes."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                break
            self.output.append(line)
            if match := re.search(pattern, line):
                return match
        return None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not stop in time."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Sandbox:
    """The standalone sandbox tenant and a small client for its control API."""

    process: Process
    url: str  # http://127.0.0.1:PORT, Graph is url + "/v1.0"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def mail(self, body: str, subject: str) -> str:
        sent = self.call(
            "POST",
            "/_sandbox/mail",
            {"to": MAILBOX, "from": SOCIAL_WORKER, "subject": subject, "body": body},
        )
        return str(sent["ids"][0])

    def graph_calls(self) -> int:
        return len(self.call("GET", "/_sandbox/requests")["requests"])


@dataclass
class Trial:
    """What one trial mailed and where its kill landed."""

    mode: str
    mailed: int
    graph_calls_before_kill: int = 0
    announced: bool = False
    started_s: float | None = None  # spawn to "confbot is running", if it got that far


@dataclass
class Ledger:
    """Everything the trials mailed, to check the store against at the end."""

    preset: set[str] = field(default_factory=set)  # case references, e.g. NS-100003
    unreadable: int = 0
    trials: list[Trial] = field(default_factory=list)


@contextlib.contextmanager
def sandbox_process(cwd: Path) -> Iterator[Sandbox]:
    """`confbot sandbox` as its own process in ``cwd``, stopped on leaving."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    process = Process([CONFBOT, "sandbox", "--port", "0"], env=env, cwd=cwd)
    try:
        found = process.expect(r"sandbox Graph tenant at (\S+)/v1\.0", 30)
        assert found, "the sandbox did not announce its URL:\n" + "".join(process.output)
        yield Sandbox(process, found.group(1))
    finally:
        process.stop()


def serve_env(tmp_path: Path, sandbox: Sandbox) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFBOT_")}
    data = tmp_path / "var"
    env.update(
        CONFBOT_DATA_DIR=str(data),
        CONFBOT_STORE__URL=f"sqlite:///{data / 'confbot.sqlite3'}",
        CONFBOT_WEB__PORT="0",
        CONFBOT_GRAPH__BASE_URL=f"{sandbox.url}/v1.0",
        CONFBOT_CONFERENCE__SWEEP_INTERVAL="PT1S",
        # The sandbox outlives each kill and has finished any request it was given within
        # a second, so a send cut short by a kill is looked up a second later, not two minutes.
        CONFBOT_GRAPH__UNCLEAR_SEND_WAIT="PT1S",
        CONFBOT_CONFERENCE__PLAYBOOK=str(self_booking_playbook(data)),
    )
    return env


def mail_requests(
    sandbox: Sandbox,
    rng: random.Random,
    ledger: Ledger,
    first_case: int,
    count: int,
    unreadable: float = UNREADABLE,
) -> int:
    """Mail ``count`` requests, each unreadable with chance ``unreadable``; returns ``count``."""
    for case in range(first_case, first_case + count):
        if rng.random() < unreadable:
            body = request_body().replace("Conference type: ICPC", "Conference type: ???")
            ledger.unreadable += 1
        else:
            start = working_days_ahead(5 + case % 5, clock_time(9 + case % 7, 0))
            body = preset_body(start, case=case)
            ledger.preset.add(f"NS-{100000 + case}")
        sandbox.mail(body, subject=f"Conference request {case}")
    return count


# How long `serve` took to announce itself, as last seen: start-up kills land inside it.
startup_seen = [3.0]


def kill_at_random(serve: Process, sandbox: Sandbox, rng: random.Random, trial: Trial) -> None:
    """Wait for the trial's kill point, then SIGKILL the service."""
    if trial.mode == "start-up":
        # Start-up (imports, migrations, the Graph client, its first delta) takes a second or
        # more, depending on the machine: kill somewhere inside the time it last took.
        began = time.monotonic()
        limit = rng.uniform(0.05, 0.9 * startup_seen[0])
        trial.announced = bool(serve.expect(r"confbot is running", limit))
        if trial.announced:
            startup_seen[0] = trial.started_s = time.monotonic() - began
    else:
        wanted = rng.randint(FIRST_KILL_CALL, 2 + CALLS_PER_REQUEST * trial.mailed)
        began = time.monotonic()
        trial.announced = bool(serve.expect(r"confbot is running", 30))
        if trial.announced:
            startup_seen[0] = trial.started_s = time.monotonic() - began
        deadline = time.monotonic() + 15
        while sandbox.graph_calls() < wanted and time.monotonic() < deadline:
            time.sleep(0.01)
    serve.kill()
    trial.graph_calls_before_kill = sandbox.graph_calls()


def store_rows(database: Path, query: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database, timeout=10) as db:
        return db.execute(query).fetchall()


def finished(database: Path, mailed: int) -> bool:
    """Every mail recorded and handled, and every parsed request's conference booked."""
    try:
        [(recorded, pending)] = store_rows(
            database,
            "SELECT COUNT(*), COALESCE(SUM(outcome = 'pending'), 0) FROM conference_request",
        )
        [(unbooked,)] = store_rows(
            database, "SELECT COUNT(*) FROM conference WHERE state != 'scheduled'"
        )
    except sqlite3.OperationalError:  # not migrated yet
        return False
    return recorded == mailed and pending == 0 and unbooked == 0


def sent_copies(state: dict[str, Any]) -> Counter[tuple[str, str]]:
    """Every copy in every mailbox's Sent Items (and Drafts, where sendMail puts it first).

    Counted by subject and recipient from the sandbox's ``/_sandbox/state``: what Graph
    says went, not what confbot's outbox recorded.
    """
    return Counter(
        (m.get("subject", ""), address)
        for per_user in state["mail"].values()
        for m in per_user
        if m["folder"] in ("sentitems", "drafts")
        for address in (*m["to"], *m.get("cc", []))
    )
